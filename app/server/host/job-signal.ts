/**
 * A hint from this process's commands to this process's worker loops: "a job that is due now has
 * been committed". A loop that found nothing due waits for its poll interval OR this hint, so a
 * service task after a submitted form runs at once instead of up to one interval later — the job
 * executor hint of Camunda, without its cost: no extra query when nothing was committed.
 *
 * Only a hint: the jobs table stays the truth, and a loop that misses a hint (a path that does not
 * give hints, a lost notification) finds the job at its next poll. Across processes the hint
 * travels as a PostgreSQL NOTIFY (job-relay.ts): an app server that runs no worker loop relays its
 * hints, and `trellis worker` processes listen. State
 * lives on globalThis, because Next.js bundles the instrumentation hook (which runs the loop) and
 * the route handlers (which run the commands) separately, each with its own copy of this module.
 */

interface Signal {
  /** Bumped by every hint: a loop that saw another number before its poll polls again at once — unless a claim covered it. */
  generation: number;
  /**
   * The newest generation a finished claim had seen when it began and that claimed less than it
   * could: every job hinted up to it was committed before that claim's statement, so the claim
   * took it or found it taken (or not due). Hints up to here need no further poll.
   */
  covered: number;
  /** Claims running in this process: a hint while one runs waits for it (endClaim) instead of waking another loop. */
  claiming: number;
  /**
   * What the worker loops of this process claim (their job types; webhooks or not), with how many
   * loops claim each. A claim covers hints only when every loop claims the same: one that does
   * not run a job's type has not covered that job for a loop that does.
   */
  scopes: Map<string, number>;
  waiting: Set<() => void>;
  /** Where this process's own hints also go (other processes' worker loops: job-relay.ts). */
  relays: Set<() => void>;
}

const shared = globalThis as typeof globalThis & { __trellisJobSignal?: Signal };
const signal: Signal = (shared.__trellisJobSignal ??= {
  generation: 0,
  covered: 0,
  claiming: 0,
  scopes: new Map(),
  waiting: new Set(),
  relays: new Set(),
});

/**
 * Called after a commit that wrote a job due now. Wakes one waiting loop (the longest waiting):
 * one is enough to claim it, and the others would only poll for nothing. While a loop of this
 * process is claiming, nobody is woken yet: that claim may take the job, and when it ends it
 * wakes a loop only for hints it cannot have covered (endClaim). A loop that was busy running
 * jobs polls again at once only for hints no claim has covered since.
 */
export function jobsCommitted(): void {
  wakeOne();
  for (const relay of signal.relays) relay();
}

/** A hint from another process (a NOTIFY): wakes a loop as a local hint does, and goes no further. */
export function jobsCommittedElsewhere(): void {
  wakeOne();
}

function wakeOne(): void {
  signal.generation++;
  if (signal.claiming === 0) wakeWaiting();
}

function wakeWaiting(): void {
  const [first] = signal.waiting;
  first?.();
}

/** A worker of this process claims jobs of `scope` (see Signal.scopes) until the returned function is called. */
export function claimScope(scope: string): () => void {
  signal.scopes.set(scope, (signal.scopes.get(scope) ?? 0) + 1);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    const left = (signal.scopes.get(scope) ?? 1) - 1;
    if (left > 0) signal.scopes.set(scope, left);
    else signal.scopes.delete(scope);
  };
}

/** A worker's claim begins: returns the generation it sees (hand it to endClaim). */
export function beginClaim(): number {
  signal.claiming++;
  return signal.generation;
}

/**
 * A claim that began at generation `began` ended. `exhausted`: it claimed less than its batch, so
 * it saw every job committed before it began — those hints are covered. A claim that was full, or
 * failed, covers nothing. Hints that came while it ran (and that it may not have seen, or could
 * not take) wake one waiting loop now: they woke nobody while it ran.
 */
export function endClaim(began: number, outcome: 'exhausted' | 'full' | 'failed'): void {
  signal.claiming = Math.max(0, signal.claiming - 1);
  if (outcome === 'exhausted' && signal.scopes.size <= 1) signal.covered = Math.max(signal.covered, began);
  if (signal.claiming === 0 && signal.generation > Math.max(signal.covered, began)) wakeWaiting();
}

/** From now on this process's hints also go to `relay`; returns how to stop that. */
export function relayJobHints(relay: () => void): () => void {
  signal.relays.add(relay);
  return () => void signal.relays.delete(relay);
}

/** The hint count, read before a poll. */
export function jobHints(): number {
  return signal.generation;
}

/**
 * Resolves after `ms`, or as soon as a hint comes — at once if one came since `seen` that no claim
 * has covered since (so a job committed while the poll ran is not left for a whole interval,
 * and one another loop has claimed meanwhile costs no poll) — or when `stop` aborts: a stopped
 * loop must not stay in line and take the next hint from a live one.
 */
export function untilJobHint(seen: number, ms: number, stop?: AbortSignal): Promise<void> {
  if ((signal.generation !== seen && signal.generation > signal.covered) || stop?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.waiting.delete(done);
      stop?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.waiting.add(done);
    stop?.addEventListener('abort', done, { once: true });
  });
}

/**
 * The result of a transaction that may have written jobs due now (the general path, which does
 * not tell), once it has committed, hinting the worker loops: at worst they poll once for nothing.
 * Inside an outer transaction the hint comes early and is wasted; the outer one hints again.
 */
export async function hinted<T>(committed: Promise<T>): Promise<T> {
  const value = await committed;
  jobsCommitted();
  return value;
}
