'use client';

/**
 * An admin's actions on an incident: retry it (a failed job runs again; a stopped instance is
 * tried again, optionally after changing variables) or end the instance. The server checks the
 * role again; these only save a round trip. Errors are shown as text.
 */
import { useState } from 'react';
import { translator, type Locale } from '../_i18n/messages';
import { CommandMessage, useCommand } from './command';
import { trpc } from './trpc';

type Target = { kind: 'job'; id: string } | { kind: 'instance'; id: string };

export function RetryButton({
  target,
  locale,
  withVariables = false,
}: {
  target: Target;
  locale: Locale;
  withVariables?: boolean;
}) {
  const t = translator(locale);
  const { busy, message, setMessage, run } = useCommand();
  const [variables, setVariables] = useState('');

  const retry = async () => {
    let parsed: Record<string, unknown> | undefined;
    if (withVariables && variables.trim() !== '') {
      try {
        const value: unknown = JSON.parse(variables);
        if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
        parsed = value as Record<string, unknown>;
      } catch {
        setMessage({ error: true, text: t('retryVariablesInvalid') });
        return;
      }
    }
    await run(
      () =>
        target.kind === 'job'
          ? trpc.incident.retry.mutate(target)
          : trpc.incident.retry.mutate({ ...target, ...(parsed ? { variables: parsed } : {}) }),
      {
        done: (result) =>
          result.incident
            ? { error: true, text: t('retryFailedAgain', { message: result.incident.message }) }
            : t('retryDone'),
      },
    );
  };

  return (
    <div className="incident-actions">
      {withVariables && (
        <label className="stacked">
          <span className="muted">{t('retryVariables')}</span>
          <textarea
            rows={2}
            value={variables}
            onChange={(e) => setVariables(e.target.value)}
            placeholder='{"amount": 1000000}'
            spellCheck={false}
          />
        </label>
      )}
      <button type="button" className="primary" onClick={retry} disabled={busy} data-retry={target.id}>
        {busy ? t('retrying') : t('retry')}
      </button>
      <CommandMessage message={message} spaced status />
    </div>
  );
}

export function TerminateForm({ instanceId, locale }: { instanceId: string; locale: Locale }) {
  const t = translator(locale);
  const [reason, setReason] = useState('');
  const { busy, message, run } = useCommand();
  return (
    <form
      className="incident-actions"
      onSubmit={(e) => {
        e.preventDefault();
        void run(() => trpc.incident.resolve.mutate({ instanceId, reason }));
      }}
    >
      <label className="stacked">
        <span className="muted">{t('terminateReason')}</span>
        <input type="text" value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={1_000} />
      </label>
      <button type="submit" className="linkish" disabled={busy || reason.trim() === ''}>
        {t('terminate')}
      </button>
      <CommandMessage message={message} spaced />
    </form>
  );
}
