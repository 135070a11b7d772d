'use client';

/**
 * Who holds a task: take it (claim), give it back (unclaim), and an admin's reassignment. The
 * server checks every rule again (candidates, the four-eyes rule, the task version); these only
 * save a round trip. Errors are shown as text.
 */
import { useState } from 'react';
import { translator, type Locale } from '../_i18n/messages';
import { CommandMessage, useCommand } from './command';
import { trpc } from './trpc';

export function ClaimButton({
  taskId,
  locale,
  release = false,
  compact = false,
}: {
  taskId: string;
  locale: Locale;
  release?: boolean;
  compact?: boolean;
}) {
  const t = translator(locale);
  const { busy, message, run } = useCommand();
  const claim = () =>
    run(() => (release ? trpc.task.unclaim.mutate({ id: taskId }) : trpc.task.claim.mutate({ id: taskId })), {
      done: () => t(release ? 'unclaimed' : 'claimed'),
    });
  return (
    <span className="task-claim">
      <button
        type="button"
        className={compact || release ? 'linkish' : 'primary'}
        onClick={claim}
        disabled={busy}
        data-claim={release ? 'release' : 'take'}
      >
        {t(release ? 'unclaim' : 'claim')}
      </button>
      <CommandMessage message={message} spaced />
    </span>
  );
}

export function ReassignForm({
  taskId,
  version,
  people,
  locale,
}: {
  taskId: string;
  version: number;
  people: { id: string; name: string }[];
  locale: Locale;
}) {
  const t = translator(locale);
  const [assigneeId, setAssigneeId] = useState('');
  const { busy, message, run } = useCommand();
  if (people.length === 0) return <p className="muted">{t('reassignNone')}</p>;
  return (
    <form
      className="incident-actions"
      onSubmit={(e) => {
        e.preventDefault();
        void run(() => trpc.task.reassign.mutate({ id: taskId, assigneeId, version }), { done: () => t('reassigned') });
      }}
    >
      <label className="stacked">
        <span className="muted">{t('reassignTo')}</span>
        <select value={assigneeId} onChange={(e) => setAssigneeId(e.target.value)} required name="assigneeId">
          <option value="">—</option>
          {people.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" className="linkish" disabled={busy || assigneeId === ''}>
        {t('reassign')}
      </button>
      <CommandMessage message={message} spaced />
    </form>
  );
}
