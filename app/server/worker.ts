/**
 * The worker loop: claims due jobs (timers now; connector jobs as connectors arrive) and runs
 * them. The Next.js server runs one in-process (TRELLIS_WORKER=off turns it off); `trellis
 * worker` runs one as its own process against PostgreSQL, as many as wanted. On stop (SIGTERM)
 * a worker finishes the job in hand and hands back the ones it claimed but had not started.
 */
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Executor } from '@/db/client';
import { jobs } from '@/db/schema';
import { claimDueJobs, runServiceJob, runTimer, type Connector } from './services/jobs';

export interface WorkerOptions {
  workerId?: string;
  /** Pause between polls when nothing is due. */
  intervalMs?: number;
  batch?: number;
  leaseSeconds?: number;
  /** Service job types this worker runs itself, with what runs them. */
  connectors?: Record<string, Connector>;
  onError?: (error: unknown) => void;
}

export interface Worker {
  readonly id: string;
  /** Runs one poll: claims and runs what is due; returns how many jobs it ran. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

export function createWorker(db: Executor, options: WorkerOptions = {}): Worker {
  const id = options.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
  let stopping = false;
  const tick = async () => {
    const connectors = options.connectors ?? {};
    // The lease outlasts the longest connector call (HTTP: 60 s at most), so a slow call is not taken twice.
    const claimed = await claimDueJobs(db, { workerId: id, batch: options.batch ?? 20, leaseSeconds: options.leaseSeconds ?? 120, jobTypes: Object.keys(connectors) });
    let ran = 0;
    for (const job of claimed) {
      if (stopping) break;
      const connector = job.jobType ? connectors[job.jobType] : undefined;
      if (job.kind === 'timer') await runTimer(db, job, id);
      else if (connector) await runServiceJob(db, job, id, connector);
      ran++;
      // PGlite answers as microtasks: without a macrotask turn a backlog would starve the event
      // loop (the in-process worker would stop the app serving requests).
      await new Promise((resolve) => setImmediate(resolve));
    }
    // Claimed but not started (stopping): hand them back at once rather than after the lease.
    if (stopping) await db.update(jobs).set({ status: 'pending', lockedBy: null, lockedUntil: null }).where(and(eq(jobs.lockedBy, id), eq(jobs.status, 'running')));
    return ran;
  };
  return {
    id,
    tick,
    async stop() {
      stopping = true;
      await db.update(jobs).set({ status: 'pending', lockedBy: null, lockedUntil: null }).where(and(eq(jobs.lockedBy, id), eq(jobs.status, 'running')));
    },
  };
}

/** Polls until stopped. Returns the running loop's stop function. */
export function startWorkerLoop(db: Executor, options: WorkerOptions = {}): { worker: Worker; stop: () => Promise<void> } {
  const worker = createWorker(db, options);
  let running = true;
  let current: Promise<unknown> = Promise.resolve();
  const loop = async () => {
    while (running) {
      let ran = 0;
      current = worker.tick().then(
        (n) => (ran = n),
        (error: unknown) => options.onError?.(error),
      );
      await current;
      if (running && ran < (options.batch ?? 20)) await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 500));
    }
  };
  void loop();
  return {
    worker,
    async stop() {
      running = false;
      await current;
      await worker.stop();
    },
  };
}
