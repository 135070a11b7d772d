'use client';

/**
 * An admin's actions on the company's webhooks (app/admin/webhooks): add one, turn it off or on,
 * make a new signing secret, delete it (each destructive step asks first), refresh and resend
 * deliveries. The server checks the role again; these only save a round trip.
 *
 * A signing secret reaches the browser only in the answer to `create` or `rotateSecret`, and lives
 * only in WebhookSecrets' state: never in the page's server-rendered data, so a reload or another
 * visit cannot show it again. URLs and server messages are rendered as text.
 */
import { useRouter } from 'next/navigation';
import { createContext, useContext, useState, type FormEvent, type ReactNode } from 'react';
import type { WebhookEvent } from '@/db/schema';
import { readableUrl } from '../_i18n/format';
import { translator, type Locale, type MessageKey } from '../_i18n/messages';
import { CommandMessage, FormActions, useCommand } from './command';
import { ConfirmAction } from './confirm-action';
import { CopyableValue } from './copy-button';
import { FieldError, useFieldCommand } from './field-command';
import { SecretOnce, SignedHeaders } from './secret-once';
import { trpc } from './trpc';

type Revealed = { url: string; secret: string; rotated: boolean };

const RevealSecret = createContext<(revealed: Revealed) => void>(() => {});

/**
 * Holds a just-made secret and shows it above the page's content until dismissed. Wraps the page
 * so the add form and each row's "new secret" button can show theirs in the same place.
 */
export function WebhookSecrets({
  locale,
  events,
  children,
}: {
  locale: Locale;
  events: readonly WebhookEvent[];
  children: ReactNode;
}) {
  const t = translator(locale);
  const [revealed, setRevealed] = useState<Revealed | null>(null);

  return (
    <RevealSecret.Provider value={setRevealed}>
      {revealed && (
        <SecretOnce
          secret={revealed.secret}
          className="panel secret-panel"
          testId="webhook-secret-panel"
          titleId="webhook-secret-title"
          title={t('webhookSecretTitle', { url: readableUrl(revealed.url) })}
          once={t('webhookSecretOnce')}
          more={revealed.rotated ? t('webhookSecretRotated') : undefined}
          dismiss={t('webhookSecretDismiss')}
          onDismiss={() => setRevealed(null)}
        >
          <CopyableValue
            label={t('webhookSecretLabel')}
            value={revealed.secret}
            testId="webhook-secret"
            copyLabel={t('webhookCopy')}
            locale={locale}
          />
          <SignedHeaders
            title={t('webhookVerifyTitle')}
            headers={[
              ['X-Trellis-Signature', t('webhookVerifySignature')],
              ['X-Trellis-Timestamp', t('webhookVerifyTimestamp')],
              ['X-Trellis-Delivery', t('webhookVerifyDelivery')],
              ['X-Trellis-Event', t('webhookVerifyEvent', { events: events.join(', ') })],
            ]}
            readme={t('webhookVerifyReadme')}
          />
        </SecretOnce>
      )}
      {children}
    </RevealSecret.Provider>
  );
}

const FIELDS = ['url', 'events'] as const;
type FieldName = (typeof FIELDS)[number];

/** The add form. Refusals are shown beside the field they name (the server's `fields`), with its label here. */
export function NewWebhookForm({ locale, events }: { locale: Locale; events: readonly WebhookEvent[] }) {
  const t = translator(locale);
  const reveal = useContext(RevealSecret);
  const [url, setUrl] = useState('');
  const [chosen, setChosen] = useState<WebhookEvent[]>([]);
  const { busy, message, setMessage, run, fieldErrors, setFieldErrors } = useFieldCommand(FIELDS);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMessage(null);
    // What the server's input schema would refuse without naming a field is checked here first.
    const missing: Partial<Record<FieldName, string>> = {};
    if (url.trim() === '') missing.url = t('webhookUrlRequired');
    if (chosen.length === 0) missing.events = t('webhookEventsRequired');
    setFieldErrors(missing);
    if (Object.keys(missing).length > 0) return;
    await run(() => trpc.webhook.create.mutate({ url, events: chosen }), {
      done: (created) => {
        reveal({ url: created.url, secret: created.secret, rotated: false });
        setUrl('');
        setChosen([]);
        return t('webhookAdded');
      },
    });
  };

  return (
    <form className="webhook-form" noValidate onSubmit={submit}>
      <div className="field">
        <label htmlFor="webhook-url">{t('webhookUrl')}</label>
        <input
          id="webhook-url"
          name="url"
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          maxLength={2_000}
          placeholder="https://erp.example.vn/trellis/webhook"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
          aria-invalid={fieldErrors.url ? true : undefined}
          aria-describedby={fieldErrors.url ? 'webhook-url-error webhook-url-hint' : 'webhook-url-hint'}
        />
        <div id="webhook-url-hint" className="hint">
          {t('webhookUrlHint')}
        </div>
        <FieldError id="webhook-url-error" field="url" label={t('webhookUrl')} error={fieldErrors.url} />
      </div>
      <fieldset
        className="field"
        aria-invalid={fieldErrors.events ? true : undefined}
        aria-describedby={fieldErrors.events ? 'webhook-events-error' : undefined}
      >
        <legend>{t('webhookEvents')}</legend>
        <div className="event-choices">
          {events.map((event) => (
            <label key={event} className="check">
              <input
                type="checkbox"
                name="events"
                value={event}
                checked={chosen.includes(event)}
                onChange={(e) =>
                  setChosen((now) => (e.target.checked ? [...now, event] : now.filter((x) => x !== event)))
                }
              />
              <span>{t(`webhookEvent_${event}` as MessageKey)}</span>
              <code>{event}</code>
            </label>
          ))}
        </div>
        <FieldError id="webhook-events-error" field="events" label={t('webhookEvents')} error={fieldErrors.events} />
      </fieldset>
      <FormActions busy={busy} label={t('webhookAdd')} busyLabel={t('webhookAdding')} message={message} />
    </form>
  );
}

/** One webhook's buttons: off/on at once; a new secret and deletion only after a second click. */
export function WebhookActions({
  webhook,
  locale,
}: {
  webhook: { id: string; url: string; active: boolean };
  locale: Locale;
}) {
  const t = translator(locale);
  const reveal = useContext(RevealSecret);
  const [confirming, setConfirming] = useState<'rotate' | 'delete' | null>(null);
  const { busy, message, run: runCommand } = useCommand();

  const run = (action: () => Promise<unknown>) => runCommand(action, { done: () => setConfirming(null) });
  const toggle = () =>
    run(() =>
      webhook.active
        ? trpc.webhook.deactivate.mutate({ id: webhook.id })
        : trpc.webhook.activate.mutate({ id: webhook.id }),
    );
  const rotate = () =>
    run(async () => {
      const { secret } = await trpc.webhook.rotateSecret.mutate({ id: webhook.id });
      reveal({ url: webhook.url, secret, rotated: true });
    });
  const remove = () => run(() => trpc.webhook.delete.mutate({ id: webhook.id }));
  const deleting = confirming === 'delete';

  return (
    <div className="webhook-actions">
      {confirming === null ? (
        <div className="buttons">
          <button type="button" className="secondary" onClick={toggle} disabled={busy}>
            {webhook.active ? t('webhookDeactivate') : t('webhookActivate')}
          </button>
          <button type="button" className="secondary" onClick={() => setConfirming('rotate')} disabled={busy}>
            {t('webhookRotate')}
          </button>
          <button type="button" className="secondary danger" onClick={() => setConfirming('delete')} disabled={busy}>
            {t('webhookDelete')}
          </button>
        </div>
      ) : (
        <ConfirmAction
          label={deleting ? t('webhookDelete') : t('webhookRotate')}
          question={deleting ? t('webhookDeleteConfirm', { url: readableUrl(webhook.url) }) : t('webhookRotateConfirm')}
          yes={deleting ? t('webhookDeleteYes') : t('webhookRotateYes')}
          onYes={deleting ? remove : rotate}
          danger={deleting}
          cancel={t('webhookCancel')}
          onCancel={() => setConfirming(null)}
          busy={busy}
        />
      )}
      <CommandMessage message={message} as="div" />
    </div>
  );
}

/** Sends a failed delivery again (same delivery id, from its first attempt). */
export function RedeliverButton({
  webhookId,
  deliveryId,
  locale,
}: {
  webhookId: string;
  deliveryId: string;
  locale: Locale;
}) {
  const t = translator(locale);
  const { busy, message, run } = useCommand();
  return (
    <div className="webhook-actions">
      <button
        type="button"
        className="secondary"
        disabled={busy}
        onClick={() =>
          run(() => trpc.webhook.redeliver.mutate({ id: webhookId, deliveryId }), { done: () => t('redelivered') })
        }
      >
        {t('redeliver')}
      </button>
      <CommandMessage message={message} as="div" />
    </div>
  );
}

/** Re-reads the page's server data (deliveries change as the worker sends them). */
export function RefreshButton({ locale }: { locale: Locale }) {
  const t = translator(locale);
  const router = useRouter();
  return (
    <button type="button" className="secondary" onClick={() => router.refresh()}>
      {t('webhookRefresh')}
    </button>
  );
}
