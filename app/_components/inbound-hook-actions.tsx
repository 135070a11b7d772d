'use client';

/**
 * An admin's actions on the company's inbound webhooks (app/admin/inbound-hooks): add one, copy its
 * address, make a new signing secret, deactivate it (each destructive step asks first). The server
 * checks the role again; these only save a round trip.
 *
 * A signing secret reaches the browser only in the answer to `create` or `rotateSecret`, and lives
 * only in InboundHookSecrets' state: never in the page's server-rendered data, so a reload or
 * another visit cannot show it again. Names and server messages are rendered as text.
 */
import { createContext, useContext, useState, type FormEvent, type ReactNode } from 'react';
import { inboundHookAddress } from '../_shared/inbound-hook-address';
import { translator, type Locale } from '../_i18n/messages';
import { CommandMessage, FormActions, useCommand } from './command';
import { ConfirmAction } from './confirm-action';
import { CopyableValue } from './copy-button';
import { FieldError, useFieldCommand } from './field-command';
import { SecretOnce, SignedHeaders } from './secret-once';
import { trpc } from './trpc';

type Revealed = { name: string; address: string; secret: string; rotated: boolean };

/** Shows a just-made secret, given the hook's name and id; the address is made from the id. */
const RevealSecret = createContext<(hook: { id: string; name: string; secret: string; rotated: boolean }) => void>(
  () => {},
);

/**
 * Holds a just-made secret and shows it above the page's content until dismissed, with the address
 * to give the sender and how a request is signed. Wraps the page so the add form and each hook's
 * "new secret" button show theirs in the same place.
 */
export function InboundHookSecrets({
  locale,
  origin,
  children,
}: {
  locale: Locale;
  origin: string;
  children: ReactNode;
}) {
  const t = translator(locale);
  const [revealed, setRevealed] = useState<Revealed | null>(null);

  return (
    <RevealSecret.Provider
      value={({ id, ...rest }) => setRevealed({ ...rest, address: inboundHookAddress(origin, id) })}
    >
      {revealed && (
        <SecretOnce
          secret={revealed.secret}
          className="panel secret-panel inbound-secret"
          testId="inbound-secret-panel"
          titleId="inbound-secret-title"
          title={t('inboundHookSecretTitle', { name: revealed.name })}
          once={t('inboundHookSecretOnce')}
          more={revealed.rotated ? t('inboundHookSecretRotated') : undefined}
          dismiss={t('webhookSecretDismiss')}
          onDismiss={() => setRevealed(null)}
        >
          <CopyableValue
            label={t('webhookSecretLabel')}
            value={revealed.secret}
            testId="inbound-secret"
            copyLabel={t('webhookCopy')}
            locale={locale}
          />
          <CopyableValue
            label={t('inboundHookAddress')}
            value={revealed.address}
            address
            testId="inbound-secret-address"
            copyLabel={t('inboundHookCopyAddress')}
            locale={locale}
          />
          <SignedHeaders
            title={t('inboundHookSignTitle')}
            headers={[
              ['X-Trellis-Timestamp', t('inboundHookSignTimestamp')],
              ['X-Trellis-Signature', t('inboundHookSignSignature')],
              ['X-Trellis-Delivery', t('inboundHookSignDelivery')],
            ]}
            readme={t('inboundHookSignReadme')}
          />
        </SecretOnce>
      )}
      {children}
    </RevealSecret.Provider>
  );
}

const FIELDS = ['name', 'messageName', 'correlationKey', 'toleranceSeconds'] as const;
type FieldName = (typeof FIELDS)[number];

/**
 * The add form. Refusals are shown beside the field they name (the server's `fields`, in the
 * admin's language). The message names the company's processes hear are offered, as a list the
 * input suggests from and as buttons that fill it in; any other name may be typed.
 */
export function NewInboundHookForm({
  locale,
  messageNames,
  tolerance,
}: {
  locale: Locale;
  messageNames: string[];
  tolerance: { min: number; max: number; default: number };
}) {
  const t = translator(locale);
  const reveal = useContext(RevealSecret);
  const [name, setName] = useState('');
  const [messageName, setMessageName] = useState('');
  const [correlationKey, setCorrelationKey] = useState('');
  const [toleranceSeconds, setToleranceSeconds] = useState(String(tolerance.default));
  const { busy, message, setMessage, run, fieldErrors, setFieldErrors } = useFieldCommand(FIELDS);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMessage(null);
    const missing: Partial<Record<FieldName, string>> = {};
    if (name.trim() === '') missing.name = t('inboundHookRequired');
    if (messageName.trim() === '') missing.messageName = t('inboundHookRequired');
    setFieldErrors(missing);
    if (Object.keys(missing).length > 0) return;
    const seconds = toleranceSeconds.trim() === '' ? undefined : Number(toleranceSeconds);
    await run(
      () =>
        trpc.inboundHook.create.mutate({
          name,
          messageName,
          correlationKey: correlationKey.trim() === '' ? null : correlationKey,
          ...(seconds === undefined ? {} : { toleranceSeconds: seconds }),
        }),
      {
        done: (created) => {
          reveal({ id: created.id, name: created.name, secret: created.secret, rotated: false });
          setName('');
          setMessageName('');
          setCorrelationKey('');
          setToleranceSeconds(String(tolerance.default));
          return t('inboundHookAdded');
        },
      },
    );
  };

  /** The props that tie an input to its hint and, when refused, its error. */
  const described = (field: FieldName, hint: boolean) => {
    const ids = [fieldErrors[field] ? `inbound-${field}-error` : null, hint ? `inbound-${field}-hint` : null].filter(
      Boolean,
    );
    return {
      'aria-invalid': fieldErrors[field] ? true : undefined,
      'aria-describedby': ids.length > 0 ? ids.join(' ') : undefined,
    } as const;
  };
  const error = (field: FieldName, label: string) => (
    <FieldError id={`inbound-${field}-error`} field={field} label={label} error={fieldErrors[field]} />
  );

  return (
    <form className="apikey-form inbound-hook-form" noValidate onSubmit={submit}>
      <div className="field">
        <label htmlFor="inbound-name">{t('inboundHookName')}</label>
        <input
          id="inbound-name"
          name="name"
          type="text"
          autoComplete="off"
          maxLength={100}
          value={name}
          onChange={(e) => setName(e.target.value)}
          {...described('name', true)}
        />
        <div id="inbound-name-hint" className="hint">
          {t('inboundHookNameHint')}
        </div>
        {error('name', t('inboundHookName'))}
      </div>
      <div className="field">
        <label htmlFor="inbound-message">{t('inboundHookMessage')}</label>
        <input
          id="inbound-message"
          name="messageName"
          type="text"
          autoComplete="off"
          spellCheck={false}
          maxLength={200}
          list={messageNames.length > 0 ? 'inbound-message-names' : undefined}
          value={messageName}
          onChange={(e) => setMessageName(e.target.value)}
          {...described('messageName', true)}
        />
        {messageNames.length > 0 && (
          <datalist id="inbound-message-names">
            {messageNames.map((m) => (
              <option key={m} value={m} />
            ))}
          </datalist>
        )}
        <div id="inbound-messageName-hint" className="hint">
          {t(messageNames.length > 0 ? 'inboundHookMessageHint' : 'inboundHookMessageHintNone')}
        </div>
        {messageNames.length > 0 && (
          <div className="known-names">
            {messageNames.map((m) => (
              <button
                key={m}
                type="button"
                className="secondary chip"
                aria-pressed={messageName === m}
                onClick={() => setMessageName(m)}
              >
                {m}
              </button>
            ))}
          </div>
        )}
        {error('messageName', t('inboundHookMessage'))}
      </div>
      <div className="field">
        <label htmlFor="inbound-correlation">{t('inboundHookCorrelation')}</label>
        <input
          id="inbound-correlation"
          name="correlationKey"
          type="text"
          autoComplete="off"
          spellCheck={false}
          maxLength={500}
          placeholder="invoice.number"
          value={correlationKey}
          onChange={(e) => setCorrelationKey(e.target.value)}
          className="code"
          {...described('correlationKey', true)}
        />
        <div id="inbound-correlationKey-hint" className="hint">
          {t('inboundHookCorrelationHint')}
        </div>
        {error('correlationKey', t('inboundHookCorrelation'))}
      </div>
      <div className="field">
        <label htmlFor="inbound-tolerance">{t('inboundHookTolerance')}</label>
        <input
          id="inbound-tolerance"
          name="toleranceSeconds"
          type="number"
          inputMode="numeric"
          min={tolerance.min}
          max={tolerance.max}
          step={1}
          value={toleranceSeconds}
          onChange={(e) => setToleranceSeconds(e.target.value)}
          {...described('toleranceSeconds', true)}
        />
        <div id="inbound-toleranceSeconds-hint" className="hint">
          {t('inboundHookToleranceHint', { min: tolerance.min, max: tolerance.max })}
        </div>
        {error('toleranceSeconds', t('inboundHookTolerance'))}
      </div>
      <FormActions busy={busy} label={t('inboundHookAdd')} busyLabel={t('inboundHookAdding')} message={message} />
    </form>
  );
}

/** The address to give the sender, selectable, with a copy button. */
export function HookAddress({ address, locale }: { address: string; locale: Locale }) {
  const t = translator(locale);
  return (
    <CopyableValue
      className="hook-address"
      value={address}
      address
      testId="inbound-address"
      copyLabel={t('inboundHookCopyAddress')}
      locale={locale}
    />
  );
}

/** One hook's buttons: a new secret and deactivation, each only after a second click. */
export function InboundHookActions({ hook, locale }: { hook: { id: string; name: string }; locale: Locale }) {
  const t = translator(locale);
  const reveal = useContext(RevealSecret);
  const [confirming, setConfirming] = useState<'rotate' | 'deactivate' | null>(null);
  const { busy, message, run: runCommand } = useCommand();

  const run = (action: () => Promise<unknown>) => runCommand(action, { done: () => setConfirming(null) });
  const rotate = () =>
    run(async () => {
      const { secret } = await trpc.inboundHook.rotateSecret.mutate({ id: hook.id });
      reveal({ id: hook.id, name: hook.name, secret, rotated: true });
    });
  const deactivate = () => run(() => trpc.inboundHook.deactivate.mutate({ id: hook.id }));
  const deactivating = confirming === 'deactivate';

  return (
    <div className="apikey-actions">
      {confirming === null ? (
        <div className="buttons">
          <button type="button" className="secondary" onClick={() => setConfirming('rotate')} disabled={busy}>
            {t('inboundHookRotate')}
          </button>
          <button
            type="button"
            className="secondary danger"
            onClick={() => setConfirming('deactivate')}
            disabled={busy}
          >
            {t('inboundHookDeactivate')}
          </button>
        </div>
      ) : (
        <ConfirmAction
          label={deactivating ? t('inboundHookDeactivate') : t('inboundHookRotate')}
          question={
            deactivating ? t('inboundHookDeactivateConfirm', { name: hook.name }) : t('inboundHookRotateConfirm')
          }
          yes={deactivating ? t('inboundHookDeactivateYes') : t('inboundHookRotateYes')}
          onYes={deactivating ? deactivate : rotate}
          danger={deactivating}
          cancel={t('webhookCancel')}
          onCancel={() => setConfirming(null)}
          busy={busy}
        />
      )}
      <CommandMessage message={message} as="div" />
    </div>
  );
}
