'use client';

/**
 * Cancelling a running process from its page (instance.cancel): shown only to whoever the server's
 * rule lets cancel it now (getInstance's `mayCancel`: an admin, or the initiator while it is
 * active); the server checks again. It asks first, with the reason it requires; the reason and
 * server messages are rendered as text.
 */
import { useState, type FormEvent } from 'react';
import { translator, type Locale } from '../_i18n/messages';
import { FormActions, useCommand } from './command';
import { trpc } from './trpc';

export function CancelInstance({ instanceId, locale }: { instanceId: string; locale: Locale }) {
  const t = translator(locale);
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);
  // One key per opened confirmation: a double submit or a retry after a lost answer cancels once.
  const [key, setKey] = useState('');
  const { busy, message, setMessage, run } = useCommand((failure) => {
    const named = failure.fields.find((f) => f.field === 'reason');
    if (named) {
      setReasonError(named.message);
      return null;
    }
    return failure.message;
  });

  const open = () => {
    setKey(`instance-cancel:${crypto.randomUUID()}`);
    setAsking(true);
  };
  const close = () => {
    setAsking(false);
    setReason('');
    setReasonError(null);
    setMessage(null);
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (reason.trim() === '') {
      setReasonError(t('cancelInstanceReasonRequired'));
      return;
    }
    setReasonError(null);
    void run(() => trpc.instance.cancel.mutate({ id: instanceId, reason: reason.trim(), idempotencyKey: key }));
  };

  if (!asking) {
    return (
      <div className="cancel-instance">
        <button type="button" className="secondary danger" onClick={open}>
          {t('cancelInstance')}
        </button>
      </div>
    );
  }
  return (
    <form
      className="cancel-instance confirm"
      role="group"
      aria-label={t('cancelInstance')}
      onSubmit={submit}
      noValidate
    >
      <p>{t('cancelInstanceQuestion')}</p>
      <div className="field">
        <label htmlFor="cancel-reason">{t('cancelInstanceReason')}</label>
        <textarea
          id="cancel-reason"
          rows={2}
          maxLength={1_000}
          value={reason}
          onChange={(e) => {
            setReason(e.target.value);
            setReasonError(null);
          }}
          aria-invalid={reasonError ? true : undefined}
          aria-describedby={reasonError ? 'cancel-reason-error' : undefined}
          required
        />
        {reasonError && (
          <div id="cancel-reason-error" role="alert" className="field-error" data-field="reason">
            <strong>{t('cancelInstanceReason')}:</strong> {reasonError}
          </div>
        )}
      </div>
      <div className="buttons">
        <button type="button" className="secondary" disabled={busy} onClick={close}>
          {t('cancelInstanceKeep')}
        </button>
        <FormActions
          busy={busy}
          label={t('cancelInstanceYes')}
          busyLabel={t('cancelInstanceWorking')}
          message={message}
          danger
        />
      </div>
    </form>
  );
}
