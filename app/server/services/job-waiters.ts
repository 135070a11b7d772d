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
 * Places to wait are capped — per key (MAX_WAITING_PER_KEY), per company (MAX_WAITING_PER_COMPANY)
 * and per process (MAX_WAITING) — so one busy key or company cannot take every place of a server
 * shared by many. Each woken fetch claims at most once per CLAIM_GAP_MS however many wake-ups
 * come, so a burst of hints costs each waiting fetch a few claims, not one per hint. State lives
 * on globalThis (Next.js bundles route handlers separately, each with its own copy of this module).
 */
import { postgresOf, type Executor } from '@/db/client';
import { AppError } from '../errors';
import { JOB_CHANNEL } from '../host/job-relay';
import { relayJobHints } from '../host/job-signal';
import { onInboxChange } from './inbox-signal';

/** Most fetches waiting at once in one process; past it a fetch that would wait is answered 503 (retryable). */
export const MAX_WAITING = 200;
/** Most fetches of one company waiting at once in one process: the rest of the places stay for the others. */
export const MAX_WAITING_PER_COMPANY = 50;
/** Most fetches of one key waiting at once in one process: a worker needs one (or one per process it runs). */
export const MAX_WAITING_PER_KEY = 20;
/** Longest a waiting fetch sleeps without claiming again: a hint that went missing costs at most this. */
export const RECHECK_MS = 5_000;
/** Least time between two claims of one fetch: wake-ups that come faster are answered by one claim. */
export const CLAIM_GAP_MS = 50;

interface State {
  /** Bumped by every wake-up: a fetch that saw another number before its claim claims again at once. */
  generation: number;
  waiting: Set<() => void>;
  /** Places taken by fetches that may wait: at most MAX_WAITING. */
  places: number;
  /** Places taken, by company and by key. */
  byCompany: Map<string, number>;
  byKey: Map<string, number>;
  /** Whether this process's job hints wake the waiters (hooked on the first wait). */
  hooked: boolean;
  /** The databases whose `trellis_jobs` NOTIFYs wake the waiters (listened to on the first wait on each): resolves once listening. */
  listening: WeakMap<object, Promise<boolean>>;
}

const shared = globalThis as typeof globalThis & { __trellisJobWaiters?: Partial<State> };
const partial = (shared.__trellisJobWaiters ??= {});
// Filled field by field: a process that kept an older shape across a reload gets what is new.
partial.generation ??= 0;
partial.waiting ??= new Set();
partial.places ??= 0;
partial.byCompany ??= new Map();
partial.byKey ??= new Map();
partial.hooked ??= false;
partial.listening ??= new WeakMap();
const state = partial as State;

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

/** How many places to wait are taken in this process now, waiting or between two waits (for tests: 0 when no fetch runs). */
export function heldPlaces(): number {
  return state.places;
}

/** Who waits: the key's company and the key. */
export interface Waiter {
  tenantId: string;
  keyId: string;
}

/** Which cap a fetch that may not wait ran into, and that cap. */
export type WaitRefusal = { cap: 'key' | 'company' | 'server'; max: number };

/**
 * A place in line for a fetch about to wait, or a SERVICE_UNAVAILABLE (retryable) when its key,
 * its company or this process has as many fetches waiting as it may (`message` words it).
 * Resolves once the wake-ups are hooked (LISTEN on PostgreSQL: a NOTIFY sent after it is heard) —
 * or at `until.deadline`, or when `until.signal` aborts, whichever comes first: a LISTEN that
 * hangs must not keep the fetch past its wait. Returns how to give the place back.
 */
export async function takeWaitingPlace(
  db: Executor,
  who: Waiter,
  message: (refusal: WaitRefusal) => string,
  until: { deadline: number; signal?: AbortSignal | undefined },
): Promise<() => void> {
  const refusal: WaitRefusal | null =
    (state.byKey.get(who.keyId) ?? 0) >= MAX_WAITING_PER_KEY
      ? { cap: 'key', max: MAX_WAITING_PER_KEY }
      : (state.byCompany.get(who.tenantId) ?? 0) >= MAX_WAITING_PER_COMPANY
        ? { cap: 'company', max: MAX_WAITING_PER_COMPANY }
        : state.places >= MAX_WAITING
          ? { cap: 'server', max: MAX_WAITING }
          : null;
  if (refusal) throw new AppError('SERVICE_UNAVAILABLE', message(refusal), undefined, { retryable: true });
  state.places++;
  bump(state.byKey, who.keyId, 1);
  bump(state.byCompany, who.tenantId, 1);
  let given = false;
  const giveBack = () => {
    if (given) return;
    given = true;
    state.places--;
    bump(state.byKey, who.keyId, -1);
    bump(state.byCompany, who.tenantId, -1);
  };
  try {
    await hookWakeups(db, until);
  } catch (error) {
    giveBack();
    throw error;
  }
  return giveBack;
}

function bump(counts: Map<string, number>, id: string, by: 1 | -1): void {
  const count = (counts.get(id) ?? 0) + by;
  if (count > 0) counts.set(id, count);
  else counts.delete(id);
}

/**
 * Resolves after `ms`, at a wake-up for `tenantId` (or for everyone), at once if one came since
 * `seen`, or when `signal` aborts (the client went away) — but never before `notBefore` (the last
 * claim plus CLAIM_GAP_MS) unless aborted: wake-ups that come faster are taken together.
 */
export async function untilJobsMayBeDue(
  tenantId: string,
  seen: number,
  ms: number,
  signal?: AbortSignal,
  notBefore = 0,
): Promise<void> {
  await wakeUp(tenantId, seen, ms, signal);
  const rest = notBefore - Date.now();
  if (rest > 0 && !signal?.aborted) await sleep(rest, signal);
}

function wakeUp(tenantId: string, seen: number, ms: number, signal?: AbortSignal): Promise<void> {
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

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener('abort', done, { once: true });
  });
}

/**
 * Hooks this process's job hints, and `db`'s relayed ones, to the waiters: once each, on the first
 * wait. Waits for the LISTEN no longer than `until` allows (a fetch whose wait is over, or whose
 * client went away, goes on without it: it still claims again at its re-check).
 */
async function hookWakeups(db: Executor, until: { deadline: number; signal?: AbortSignal | undefined }): Promise<void> {
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
  const heard = listening;
  await new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      until.signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, until.deadline - Date.now()));
    until.signal?.addEventListener('abort', done, { once: true });
    if (until.signal?.aborted) done();
    void heard.then(done);
  });
}
