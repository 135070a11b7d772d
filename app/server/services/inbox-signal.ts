/**
 * Live inboxes: "something in company T's tasks changed" — after a command commits (any tRPC
 * mutation; a worker's timer or service job) — reaches every open inbox page of that company on
 * any app server, which then reads its own lists again through the same scoped queries as a reload.
 * The event carries no task, name or id: what a person sees of a change is only what their next
 * read shows them, so a live event can never show more than the list may.
 *
 * In one process the hint goes straight to the listeners (the SSE route, app/api/inbox/events). To
 * other app servers it travels as `NOTIFY trellis_inbox, '<tenant id>'`, sent after the command
 * committed by a statement of its own (like job-relay.ts: a notifying command would serialize
 * commits), coalesced per company while one is on its way; each server LISTENs on one connection.
 * PGlite is one process: nothing to relay. State lives on globalThis (Next.js bundles route
 * handlers and the instrumentation hook separately, each with its own copy of this module).
 */
import { postgresOf, type Executor } from '@/db/client';

export const INBOX_CHANNEL = 'trellis_inbox';
/** Most live connections one person keeps open (tabs); the oldest is told it was evicted, and closed, beyond it. */
export const MAX_LIVE_PER_USER = 5;
/** Most live connections one app server keeps open; beyond it a new one is answered 503 (the page still works without). */
export const MAX_LIVE_PER_PROCESS = 5_000;

/**
 * The routers whose commands may change who sees which task: starting, cancelling or retrying an
 * instance, a task's claim/complete/reassign, messages and signals that move a process on, jobs and
 * incidents retried, delegations, and members, departments and accepted invitations (which change
 * who is offered what).
 * Comments, notifications, saved views, drafts, forms, templates… change no list: a company's open
 * inboxes are not asked to read again for them.
 */
const TASK_CHANGING_ROUTERS = new Set([
  'instance',
  'task',
  'message',
  'signal',
  'job',
  'incident',
  'delegation',
  'member',
  'department',
  'invitation',
]);
/** Commands of those routers that change no list: a person's saved views. */
const LIST_NEUTRAL = new Set(['task.saveView', 'task.deleteView']);

/** Whether the tRPC command at `path` (`router.procedure`) may change an inbox list. */
export function changesInboxes(path: string): boolean {
  return TASK_CHANGING_ROUTERS.has(path.split('.', 1)[0]!) && !LIST_NEUTRAL.has(path);
}

type Listener = () => void;

interface Signal {
  listeners: Map<string, Set<Listener>>;
  relays: Set<(tenantId: string) => void>;
}

const shared = globalThis as typeof globalThis & { __trellisInboxSignal?: Signal };
const signal: Signal = (shared.__trellisInboxSignal ??= { listeners: new Map(), relays: new Set() });

/** Called after a commit that may have changed the company's tasks: tells this process's listeners, and the other processes. */
export function inboxChanged(tenantId: string): void {
  inboxChangedElsewhere(tenantId);
  for (const relay of signal.relays) relay(tenantId);
}

/** A change another process reported (a NOTIFY): tells this process's listeners only. */
export function inboxChangedElsewhere(tenantId: string): void {
  for (const listener of signal.listeners.get(tenantId) ?? []) {
    try {
      listener();
    } catch {
      // a closed stream's listener: it unsubscribes itself
    }
  }
}

/** Calls `listener` at every change of the company's tasks; returns how to stop. */
export function onInboxChange(tenantId: string, listener: Listener): () => void {
  let set = signal.listeners.get(tenantId);
  if (!set) signal.listeners.set(tenantId, (set = new Set()));
  set.add(listener);
  return () => {
    set.delete(listener);
    if (set.size === 0 && signal.listeners.get(tenantId) === set) signal.listeners.delete(tenantId);
  };
}

/** How many listeners the company has in this process (for tests and limits). */
export function inboxListeners(tenantId: string): number {
  return signal.listeners.get(tenantId)?.size ?? 0;
}

/**
 * Relays this process's changes to the other app servers as NOTIFY through `db`'s pool, coalesced
 * per company; returns how to stop. No-op on PGlite.
 */
export function relayInboxChangesTo(db: Executor, onError: (error: unknown) => void = () => {}): () => Promise<void> {
  const client = postgresOf(db);
  if (!client) return async () => {};
  const pending = new Set<string>();
  let sending: Promise<void> | null = null;
  const send = async () => {
    while (pending.size > 0) {
      const [tenantId] = pending;
      pending.delete(tenantId!);
      await client.unsafe(`select pg_notify('${INBOX_CHANNEL}', $1::text)`, [tenantId]).catch(onError);
    }
    sending = null;
  };
  const relay = (tenantId: string) => {
    pending.add(tenantId);
    sending ??= send();
  };
  signal.relays.add(relay);
  return async () => {
    signal.relays.delete(relay);
    await sending;
  };
}

/**
 * Hears the other app servers' changes (LISTEN on a connection of its own, which postgres.js
 * re-establishes after a drop) and tells this process's listeners. Its own NOTIFYs come back too:
 * harmless (a page reads its lists once more). Resolves once listening; no-op on PGlite.
 */
export async function listenForInboxChanges(db: Executor): Promise<() => Promise<void>> {
  const client = postgresOf(db);
  if (!client) return async () => {};
  const { unlisten } = await client.listen(INBOX_CHANNEL, (payload) => {
    if (/^[0-9a-f-]{36}$/.test(payload)) inboxChangedElsewhere(payload);
  });
  return unlisten;
}
