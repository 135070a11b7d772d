'use client';

/**
 * Delegating one's tasks for a period (out of office), and revoking a delegation. Days are the
 * company's: "from" is that day's start and "until" the end of that day, in Vietnam time (as the
 * app shows times), sent as instants. The server checks every rule again. Errors are shown as text.
 */
import { useState } from 'react';
import { translator, type Locale } from '../_i18n/messages';
import { CommandMessage, useCommand } from './command';
import { trpc } from './trpc';

/**
 * A yyyy-mm-dd day's start, plus `days`, as the app shows times: in Vietnam (UTC+7, no daylight
 * saving; app/_i18n/format.ts), so a delegation covers the same days for everyone who reads it.
 */
function dayStart(day: string, days = 0): Date {
  return new Date(Date.parse(`${day}T00:00:00+07:00`) + days * 86_400_000);
}

/** Today in Vietnam, as yyyy-mm-dd. */
const today = () => new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);

export function DelegationForm({
  colleagues,
  locale,
}: {
  colleagues: { id: string; name: string; title: string | null }[];
  locale: Locale;
}) {
  const t = translator(locale);
  const [delegateId, setDelegateId] = useState('');
  const [from, setFrom] = useState(today);
  const [until, setUntil] = useState(today);
  const [reason, setReason] = useState('');
  const { busy, message, run } = useCommand((failure) =>
    failure.fields.length > 0 ? failure.fields.map((f) => `${f.field}: ${f.message}`).join('; ') : failure.message,
  );
  return (
    <form
      className="incident-actions"
      aria-label={t('delegationNew')}
      onSubmit={(e) => {
        e.preventDefault();
        void run(
          () =>
            trpc.delegation.create.mutate({
              delegateId,
              startsAt: dayStart(from),
              endsAt: dayStart(until, 1),
              ...(reason.trim() ? { reason: reason.trim() } : {}),
            }),
          {
            done: () => {
              setReason('');
              return t('delegationCreated');
            },
          },
        );
      }}
    >
      <label className="stacked">
        <span className="muted">{t('delegationTo')}</span>
        <select name="delegateId" value={delegateId} onChange={(e) => setDelegateId(e.target.value)} required>
          <option value="">{t('delegationChoose')}</option>
          {colleagues.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
              {c.title ? ` — ${c.title}` : ''}
            </option>
          ))}
        </select>
      </label>
      <label className="stacked">
        <span className="muted">{t('delegationFrom')}</span>
        <input type="date" name="from" value={from} onChange={(e) => setFrom(e.target.value)} required />
      </label>
      <label className="stacked">
        <span className="muted">{t('delegationUntil')}</span>
        <input type="date" name="until" value={until} min={from} onChange={(e) => setUntil(e.target.value)} required />
      </label>
      <label className="stacked">
        <span className="muted">{t('delegationReason')}</span>
        <input type="text" name="reason" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} />
      </label>
      <button type="submit" className="primary" disabled={busy || delegateId === ''}>
        {t('delegationCreate')}
      </button>
      <CommandMessage message={message} as="p" />
    </form>
  );
}

export function RevokeDelegationButton({ id, locale }: { id: string; locale: Locale }) {
  const t = translator(locale);
  const { busy, message, run } = useCommand();
  return (
    <span>
      <button
        type="button"
        className="linkish"
        disabled={busy}
        data-revoke={id}
        onClick={() => run(() => trpc.delegation.revoke.mutate({ id }))}
      >
        {t('delegationRevoke')}
      </button>
      <CommandMessage message={message} spaced />
    </span>
  );
}
