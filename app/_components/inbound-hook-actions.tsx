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
import { createContext, useContext, useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { inboundHookAddress } from '../_shared/inbound-hook-address';
import { translator, type Locale } from '../_i18n/messages';
import { CommandMessage, FormActions, useCommand } from './command';
import { trpc } from './trpc';

type Revealed = { name: string; address: string; secret: string; rotated: boolean };

/** Shows a just-made secret, given the hook's name and id; the address is made from the id. */
const RevealSecret = createContext<(hook: { id: string; name: string; secret: string; rotated: boolean }) => void>(
  () => {},
);

/** A copy button with its outcome beside it ("Copied." or how to copy by hand). */
function CopyButton({ text, label, locale }: { text: string; label: string; locale: Locale }) {
  const t = translator(locale);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <>
      <button type="button" className="secondary" onClick={copy}>
        {label}
      </button>
      {copied && (
        <span role="status" className={copied === 'failed' ? 'error-text' : 'muted'}>
          {t(copied === 'yes' ? 'webhookCopied' : 'webhookCopyFailed')}
        </span>
      )}
    </>
  );
}

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
  const panel = useRef<HTMLElement>(null);
  useEffect(() => {
    if (revealed) panel.current?.focus();
  }, [revealed]);

  return (
    <RevealSecret.Provider
      value={({ id, ...rest }) => setRevealed({ ...rest, address: inboundHookAddress(origin, id) })}
    >
      {revealed && (
        <section
          className="panel secret-panel inbound-secret"
          ref={panel}
          tabIndex={-1}
          aria-labelledby="inbound-secret-title"
          data-testid="inbound-secret-panel"
        >
          <h2 id="inbound-secret-title">{t('inboundHookSecretTitle', { name: revealed.name })}</h2>
          <p className="notice warn">
            <strong>{t('inboundHookSecretOnce')}</strong>
            {revealed.rotated && <> {t('inboundHookSecretRotated')}</>}
          </p>
          <div className="secret-row">
            <span className="muted">{t('webhookSecretLabel')}</span>
            <code className="secret" data-testid="inbound-secret">
              {revealed.secret}
            </code>
            <CopyButton text={revealed.secret} label={t('webhookCopy')} locale={locale} />
          </div>
          <div className="secret-row">
            <span className="muted">{t('inboundHookAddress')}</span>
            <code className="secret address" data-testid="inbound-secret-address">
              {revealed.address}
            </code>
            <CopyButton text={revealed.address} label={t('inboundHookCopyAddress')} locale={locale} />
          </div>
          <h3>{t('inboundHookSignTitle')}</h3>
          <dl className="facts headers">
            <dt>
              <code>X-Trellis-Timestamp</code>
            </dt>
            <dd>{t('inboundHookSignTimestamp')}</dd>
            <dt>
              <code>X-Trellis-Signature</code>
            </dt>
            <dd>{t('inboundHookSignSignature')}</dd>
            <dt>
              <code>X-Trellis-Delivery</code>
            </dt>
            <dd>{t('inboundHookSignDelivery')}</dd>
          </dl>
          <p className="muted">{t('inboundHookSignReadme')}</p>
          <button type="button" className="primary" onClick={() => setRevealed(null)}>
            {t('webhookSecretDismiss')}
          </button>
        </section>
      )}
      {children}
    </RevealSecret.Provider>
  );
}

type FieldName = 'name' | 'messageName' | 'correlationKey' | 'toleranceSeconds';
const FIELDS: readonly FieldName[] = ['name', 'messageName', 'correlationKey', 'toleranceSeconds'];

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
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<FieldName, string>>>({});
  const { busy, message, setMessage, run } = useCommand((failure) => {
    const named: Partial<Record<FieldName, string>> = {};
    const other: string[] = [];
    for (const f of failure.fields) {
      if ((FIELDS as readonly string[]).includes(f.field)) named[f.field as FieldName] = f.message;
      else other.push(`${f.label}: ${f.message}`);
    }
    setFieldErrors(named);
    return failure.fields.length === 0 ? failure.message : other.length > 0 ? other.join(' ') : null;
  });

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
  const error = (field: FieldName, label: string) =>
    fieldErrors[field] && (
      <div id={`inbound-${field}-error`} role="alert" className="field-error" data-field={field}>
        <strong>{label}:</strong> {fieldErrors[field]}
      </div>
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
    <div className="secret-row hook-address">
      <code className="secret address" data-testid="inbound-address">
        {address}
      </code>
      <CopyButton text={address} label={t('inboundHookCopyAddress')} locale={locale} />
    </div>
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
        <div
          className="confirm"
          role="group"
          aria-label={confirming === 'deactivate' ? t('inboundHookDeactivate') : t('inboundHookRotate')}
        >
          <p>
            {confirming === 'deactivate'
              ? t('inboundHookDeactivateConfirm', { name: hook.name })
              : t('inboundHookRotateConfirm')}
          </p>
          <div className="buttons">
            <button
              type="button"
              className={confirming === 'deactivate' ? 'primary danger' : 'primary'}
              onClick={confirming === 'deactivate' ? deactivate : rotate}
              disabled={busy}
            >
              {confirming === 'deactivate' ? t('inboundHookDeactivateYes') : t('inboundHookRotateYes')}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirming(null)} disabled={busy}>
              {t('webhookCancel')}
            </button>
          </div>
        </div>
      )}
      <CommandMessage message={message} as="div" />
    </div>
  );
}
