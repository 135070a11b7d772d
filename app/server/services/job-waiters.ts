/**
 * The long polls of external job workers (external-jobs.ts): a fetch that found nothing waits
 * here — holding no transaction and no connection — until something may have made a job of its
 * company due, and then claims again. Only a wake-up: the jobs table stays the truth, and a fetch
 * that misses every hint still claims again after RECHECK_MS.
 *
 * What wakes a waiting fetch:
 * - this process's job hints (job-signal.ts: a command committed a job due now), for every company
 *   (a hint does not say whose job it is);
 * - its company's inbox changes (inbox-signal.ts), which every app server and `trellis worker`
 *   relays to the others by NOTIFY on PostgreSQL: a command or a worker's job elsewhere;
 * - job hints other processes relay (`NOTIFY trellis_jobs`, job-relay.ts: app servers without a
 *   worker of their own), heard on a connection opened on the first wait (PostgreSQL only).
 * The fetch itself also sleeps no longer than until the next job of its types comes due (a
 * backoff or a lease running out): it knows that moment from the table, and no hint tells it.
 *
 * At most MAX_WAITING fetches wait in one process: each woken one claims once, so the number is
 * also the most claims one hint can cause. State lives on globalThis (Next.js bundles route
 * handlers separately, each with its own copy of this module).
 */
import { postgresOf, type Executor } from '@/db/client';
import { AppError } from '../errors';
import { JOB_CHANNEL } from '../host/job-relay';
import { relayJobHints } from '../host/job-signal';
import { onInboxChange } from './inbox-signal';

/** Most fetches waiting at once in one process; past it a fetch that would wait is answered 503 (retryable). */
export const MAX_WAITING = 200;
/** Longest a waiting fetch sleeps without claiming again: a hint that went missing costs at most this. */
export const RECHECK_MS = 5_000;

interface State {
  /** Bumped by every wake-up: a fetch that saw another number before its claim claims again at once. */
  generation: number;
  waiting: Set<() => void>;
  /** Fetches that may wait (their places taken): at most MAX_WAITING. */
  places: number;
  /** Whether this process's job hints wake the waiters (hooked on the first wait). */
  hooked: boolean;
  /** The databases whose `trellis_jobs` NOTIFYs wake the waiters (listened to on the first wait on each): resolves once listening. */
  listening: WeakMap<object, Promise<boolean>>;
}

const shared = globalThis as typeof globalThis & { __trellisJobWaiters?: State };
const state: State = (shared.__trellisJobWaiters ??= {
  generation: 0,
  waiting: new Set(),
  places: 0,
  hooked: false,
  listening: new WeakMap(),
});

function wakeAll(): void {
  state.generation++;
  for (const wake of [...state.waiting]) wake();
}

/** The wake-up count, read before a claim (hand it to untilJobsMayBeDue). */
export function jobWakeups(): number {
  return state.generation;
}

/** How many fetches are waiting in this process now (for tests). */
export function waitingFetches(): number {
  return state.waiting.size;
}

/**
 * A place in line for a fetch about to wait, or a SERVICE_UNAVAILABLE (retryable) when MAX_WAITING
 * fetches may wait already. Resolves once the wake-ups are hooked (LISTEN on PostgreSQL: a NOTIFY
 * sent after it is heard); returns how to give the place back.
 */
export async function takeWaitingPlace(db: Executor, message: () => string): Promise<() => void> {
  if (state.places >= MAX_WAITING) throw new AppError('SERVICE_UNAVAILABLE', message(), undefined, { retryable: true });
  state.places++;
  let given = false;
  const giveBack = () => {
    if (given) return;
    given = true;
    state.places--;
  };
  await hookWakeups(db);
  return giveBack;
}

/**
 * Resolves after `ms`, at a wake-up for `tenantId` (or for everyone), at once if one came since
 * `seen`, or when `signal` aborts (the client went away).
 */
export function untilJobsMayBeDue(tenantId: string, seen: number, ms: number, signal?: AbortSignal): Promise<void> {
  if (state.generation !== seen || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      state.waiting.delete(done);
      stopInbox();
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    state.waiting.add(done);
    // The company's own changes, from this process or relayed from others.
    const stopInbox = onInboxChange(tenantId, () => {
      state.generation++;
      done();
    });
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Hooks this process's job hints, and `db`'s relayed ones, to the waiters: once each, on the first wait. */
async function hookWakeups(db: Executor): Promise<void> {
  if (!state.hooked) {
    state.hooked = true;
    relayJobHints(wakeAll);
  }
  const client = postgresOf(db);
  if (!client) return;
  let listening = state.listening.get(client);
  if (!listening) {
    // Only a hint: not listening (yet) costs at most RECHECK_MS; postgres.js re-establishes a dropped LISTEN.
    listening = client.listen(JOB_CHANNEL, wakeAll).then(
      () => true,
      () => (state.listening.delete(client), false),
    );
    state.listening.set(client, listening);
  }
  await listening;
}
