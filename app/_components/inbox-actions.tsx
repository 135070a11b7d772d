'use client';

/**
 * The inbox's commands: bulk claim of the selected tasks, select all, and saved views (save the
 * page's search and filters under a name, delete one). The server checks every claim as a single
 * claim; the results are shown as text.
 */
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useRef, useState } from 'react';
import { translator, type Locale } from '../_i18n/messages';
import { CommandMessage, useCommand } from './command';
import { trpc } from './trpc';

type Query = Parameters<typeof trpc.task.saveView.mutate>[0]['query'];

/** The form the rows' checkboxes belong to (form="bulk-claim"), with its button and the outcome. */
export function BulkClaim({ locale }: { locale: Locale }) {
  const t = translator(locale);
  const { busy, message, setMessage, run } = useCommand();
  return (
    <form
      id="bulk-claim"
      className="bulk-claim"
      onSubmit={(e) => {
        e.preventDefault();
        const ids = [
          ...document.querySelectorAll<HTMLInputElement>('input[name="ids"][form="bulk-claim"]:checked'),
        ].map((box) => box.value);
        if (ids.length === 0) {
          setMessage({ error: true, text: t('inboxBulkNone') });
          return;
        }
        void run(() => trpc.task.claimMany.mutate({ ids }), {
          done: (result) => {
            const refused = result.results.filter((r) => !r.ok);
            const claimed = t('inboxBulkClaimed', { count: result.claimed });
            return refused.length === 0
              ? claimed
              : {
                  error: true,
                  text: `${claimed} ${t('inboxBulkRefused', { count: refused.length, reasons: refused.map((r) => r.message).join(' ') })}`,
                };
          },
        });
      }}
    >
      <button type="submit" className="primary" disabled={busy}>
        {t('inboxBulkClaim')}
      </button>
      <CommandMessage message={message} spaced />
    </form>
  );
}

/** Checks or clears every row's box on the page. */
export function SelectAll({ label }: { label: string }) {
  return (
    <input
      type="checkbox"
      aria-label={label}
      onChange={(e) => {
        for (const box of document.querySelectorAll<HTMLInputElement>('input[name="ids"][form="bulk-claim"]'))
          box.checked = e.target.checked;
      }}
    />
  );
}

export function SaveView({ query, locale }: { query: Query; locale: Locale }) {
  const t = translator(locale);
  const [name, setName] = useState('');
  const { busy, message, run } = useCommand();
  return (
    <form
      className="save-view"
      onSubmit={(e) => {
        e.preventDefault();
        void run(() => trpc.task.saveView.mutate({ name, query }), {
          done: (saved) => t('inboxViewSaved', { name: saved.name }),
        });
      }}
    >
      <label>
        <span>{t('inboxViewName')}</span>
        <input type="text" value={name} onChange={(e) => setName(e.target.value)} maxLength={60} required />
      </label>
      <button type="submit" disabled={busy || name.trim() === ''}>
        {t('inboxSaveView')}
      </button>
      <CommandMessage message={message} spaced />
    </form>
  );
}

export function DeleteView({ id, name, locale }: { id: string; name: string; locale: Locale }) {
  const t = translator(locale);
  const { busy, message, run } = useCommand();
  return (
    <>
      <button
        type="button"
        className="linkish"
        disabled={busy}
        aria-label={t('inboxDeleteView', { name })}
        onClick={() => void run(() => trpc.task.deleteView.mutate({ id }), { done: () => t('inboxViewDeleted') })}
      >
        ×
      </button>
      <CommandMessage message={message} spaced />
    </>
  );
}

/**
 * Keeps the list live: at each `changed` event of the company's feed (app/api/inbox/events) the
 * page reads its lists again; a task that left the list says so, a new one is marked. Mounted per
 * list and page (its key), so paging or filtering is not taken for tasks leaving.
 */
export function LiveInbox({ tasks, locale }: { tasks: { id: string; name: string }[]; locale: Locale }) {
  // One translator per language: the feed's effect depends on it and must not reconnect at each render.
  const t = useMemo(() => translator(locale), [locale]);
  const router = useRouter();
  const shown = useRef(tasks);
  const [notes, setNotes] = useState<string[]>([]);
  useEffect(() => {
    const source = new EventSource('/api/inbox/events');
    let pending: ReturnType<typeof setTimeout> | null = null;
    // A short random wait spreads a company's tabs' reads after one change.
    source.addEventListener('changed', () => {
      pending ??= setTimeout(() => {
        pending = null;
        router.refresh();
      }, Math.random() * 300);
    });
    // Too many tabs: this one stops listening (a reconnection would evict another, for ever).
    source.addEventListener('evicted', () => {
      source.close();
      setNotes((old) => [t('inboxLiveEvicted'), ...old].slice(0, 5));
    });
    return () => {
      source.close();
      if (pending) clearTimeout(pending);
    };
  }, [router, t]);
  useEffect(() => {
    const before = new Map(shown.current.map((task) => [task.id, task.name]));
    const now = new Set(tasks.map((task) => task.id));
    const gone = [...before].filter(([id]) => !now.has(id)).map(([, name]) => t('inboxLiveGone', { task: name }));
    const added = tasks.filter((task) => !before.has(task.id));
    for (const task of added)
      document.querySelector(`tr[data-task-id="${CSS.escape(task.id)}"]`)?.classList.add('fresh');
    if (gone.length > 0 || added.length > 0)
      setNotes((old) => [...gone, ...added.map((task) => t('inboxLiveNew', { task: task.name })), ...old].slice(0, 5));
    shown.current = tasks;
  }, [tasks, t]);
  return (
    // A live region without the status role: the page's own status line (a task done) stays the one status.
    <div className="live-notes" aria-live="polite">
      {notes.map((note, i) => (
        <p key={`${i}-${note}`} className="notice">
          {note}
        </p>
      ))}
    </div>
  );
}
