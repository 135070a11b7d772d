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
  /** Bumped by every hint: a loop that saw another number before its poll polls again at once. */
  generation: number;
  waiting: Set<() => void>;
  /** Where this process's own hints also go (other processes' worker loops: job-relay.ts). */
  relays: Set<() => void>;
}

const shared = globalThis as typeof globalThis & { __trellisJobSignal?: Signal };
const signal: Signal = (shared.__trellisJobSignal ??= { generation: 0, waiting: new Set(), relays: new Set() });

/**
 * Called after a commit that wrote a job due now. Wakes one waiting loop (the longest waiting):
 * one is enough to claim it, and the others would only poll for nothing. A loop polling right now
 * sees the new count and polls again instead of waiting.
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
  const [first] = signal.waiting;
  first?.();
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
 * Resolves after `ms`, or as soon as a hint comes — at once if one came since `seen` (so a job
 * committed while the poll ran is not left for a whole interval) — or when `stop` aborts: a
 * stopped loop must not stay in line and take the next hint from a live one.
 */
export function untilJobHint(seen: number, ms: number, stop?: AbortSignal): Promise<void> {
  if (signal.generation !== seen || stop?.aborted) return Promise.resolve();
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
