'use client';

/**
 * An admin's "Send now" on a held or failed email of the outbox. The server checks the role, the
 * email's status and the SMTP settings again and sends it at most once however often this is
 * clicked; the button only saves a round trip. What happened (sent, the server's answer, a
 * refusal) is shown as text. It stays mounted after the page refreshes, so the result stays in
 * view when the row no longer offers the button.
 */
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { translator, type Locale } from '../_i18n/messages';
import { describeFailure, trpc } from './trpc';

export function SendNowButton({ emailId, sendable, locale }: { emailId: string; sendable: boolean; locale: Locale }) {
  const t = translator(locale);
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ error: boolean; text: string } | null>(null);

  const send = async () => {
    setBusy(true);
    setMessage(null);
    try {
      const result = await trpc.outbox.send.mutate({ id: emailId });
      if (result.status === 'sent') {
        const sent = result.error ? t('outboxSendDonePartly', { error: result.error }) : t('outboxSendDone');
        setMessage({ error: Boolean(result.error), text: result.incidentOpen ? `${sent} ${t('outboxSendIncidentOpen')}` : sent });
      } else {
        setMessage({ error: true, text: t('outboxSendNotSent', { error: result.error ?? '' }) });
      }
      router.refresh();
    } catch (error) {
      setMessage({ error: true, text: describeFailure(error).message });
    } finally {
      setBusy(false);
    }
  };

  if (!sendable && !message) return null;
  return (
    <div className="outbox-send">
      {sendable && (
        <button type="button" className="primary" onClick={send} disabled={busy} data-send-email={emailId}>
          {busy ? t('outboxSendingNow') : t('outboxSendNow')}
        </button>
      )}
      {message && (
        <span role="status" data-testid="send-result" className={message.error ? 'error-text' : 'muted'}>
          {message.text}
        </span>
      )}
    </div>
  );
}
