'use client';

/**
 * An admin's "Send now" on a held or failed email of the outbox. The server checks the role, the
 * email's status and the SMTP settings again and sends it at most once however often this is
 * clicked; the button only saves a round trip. What happened (sent, the server's answer, a
 * refusal) is shown as text. It stays mounted after the page refreshes, so the result stays in
 * view when the row no longer offers the button.
 */
import { translator, type Locale } from '../_i18n/messages';
import { CommandMessage, useCommand } from './command';
import { trpc } from './trpc';

export function SendNowButton({ emailId, sendable, locale }: { emailId: string; sendable: boolean; locale: Locale }) {
  const t = translator(locale);
  const { busy, message, run } = useCommand();

  const send = () =>
    run(() => trpc.outbox.send.mutate({ id: emailId }), {
      done: (result) => {
        if (result.status !== 'sent')
          return { error: true, text: t('outboxSendNotSent', { error: result.error ?? '' }) };
        const sent = result.error ? t('outboxSendDonePartly', { error: result.error }) : t('outboxSendDone');
        return {
          error: Boolean(result.error),
          text: result.incidentOpen ? `${sent} ${t('outboxSendIncidentOpen')}` : sent,
        };
      },
    });

  if (!sendable && !message) return null;
  return (
    <div className="outbox-send">
      {sendable && (
        <button type="button" className="primary" onClick={send} disabled={busy} data-send-email={emailId}>
          {busy ? t('outboxSendingNow') : t('outboxSendNow')}
        </button>
      )}
      <CommandMessage message={message} status testId="send-result" />
    </div>
  );
}
