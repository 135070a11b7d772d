/**
 * The worker loop: claims due jobs (timers; service jobs of the connectors it is given; webhook
 * deliveries when configured to send them) and runs them. The Next.js server runs one in-process (TRELLIS_WORKER=off turns it off); `trellis
 * worker` runs one as its own process against PostgreSQL, as many as wanted. On stop (SIGTERM)
 * a worker finishes the job in hand and hands back the ones it claimed but had not started.
 */
import { randomUUID } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { vacuumEmbedded, type Executor } from '@/db/client';
import { jobs, type Job } from '@/db/schema';
import { createMailer, type MailerOptions } from '../connectors/email-smtp';
import { createHttpSender, type HttpConnectorOptions } from '../connectors/http';
import { claimDueJobs, hasInstance, runServiceJob, runTimer, type Connector } from './jobs';
import { pruneCommandResults } from '../services/idempotency';
import { pruneInboundDeliveries } from '../services/inbound-hooks';
import { pruneRateLimits } from '../rate-limit';
import { beginClaim, claimScope, endClaim, jobHints, untilJobHint } from './job-signal';
import { HELD_MAIL_EVERY_MS, sendHeldEmails, type HeldMailOptions } from '../services/outbox';
import { inboxChanged } from '../services/inbox-signal';
import { notifyDueTasks, sweepNotificationEmails } from '../services/notifications';
import { runWebhookJob } from '../services/webhooks';

export interface WorkerOptions {
  workerId?: string;
  /** Pause between polls when nothing is due. */
  intervalMs?: number;
  batch?: number;
  /** Jobs of a batch run at once (default 4); each has its own transaction and connection. */
  concurrency?: number;
  leaseSeconds?: number;
  /** Service job types this worker runs itself, with what runs them. */
  connectors?: Record<string, Connector>;
  /**
   * Set to send webhook deliveries, through the HTTP connector's address policy: `allow` is the
   * same allow-list (TRELLIS_HTTP_ALLOW). Unset, this worker leaves them to other workers.
   */
  webhooks?: Pick<HttpConnectorOptions, 'allow' | 'resolve'> & { timeoutMs?: number };
  /**
   * Set (TRELLIS_SEND_HELD_MAIL=1 with TRELLIS_SMTP_URL) to send the emails held in the outbox,
   * a batch at a time beside the jobs (startWorkerLoop only): mail held while no SMTP server was
   * configured goes out once one is.
   */
  heldMail?: MailerOptions & Pick<HeldMailOptions, 'olderThanMs' | 'limit'> & { everyMs?: number };
  /** Instances one version's start timers may start in a minute (default TRELLIS_MAX_TIMER_STARTS_PER_MINUTE, else 60). */
  maxTimerStartsPerMinute?: number;
  /** How often the loop vacuums and analyses an embedded PGlite database (no autovacuum there); default 10 minutes. */
  vacuumEveryMs?: number;
  /**
   * The notifications' housekeeping, every `everyMs` (default a minute): the loop notifies
   * assignees of tasks due tomorrow or overdue (the bell: needs nothing more), and, given the app's
   * public origin (`appUrl`, BETTER_AUTH_URL) for the e-mails' links, queues the notifications'
   * e-mails (notifications.ts). On unless `false`.
   */
  notifications?: { appUrl?: string; everyMs?: number } | false;
  onError?: (error: unknown) => void;
}

export interface Worker {
  readonly id: string;
  /** What it has run so far, by kind and outcome ("timer.fired", "service.done", …): for its log. */
  readonly outcomes: Readonly<Record<string, number>>;
  /** Runs one poll: claims and runs what is due; returns how many jobs it ran. */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

export function createWorker(db: Executor, options: WorkerOptions = {}): Worker {
  const id = options.workerId ?? `worker-${randomUUID().slice(0, 8)}`;
  let stopping = false;
  const outcomes: Record<string, number> = {};
  const count = (outcome: string) => void (outcomes[outcome] = (outcomes[outcome] ?? 0) + 1);
  const webhookSender = options.webhooks ? createHttpSender(options.webhooks) : undefined;
  const webhookTimeout = options.webhooks?.timeoutMs === undefined ? {} : { timeoutMs: options.webhooks.timeoutMs };
  const connectors = options.connectors ?? {};
  // What this loop claims: its job types, webhooks or not, and from which database.
  const releaseScope = claimScope(
    `${databaseKey(db)}|${Object.keys(connectors).sort().join(',')}|${webhookSender ? 'webhooks' : ''}`,
  );
  const startTimerOptions =
    options.maxTimerStartsPerMinute === undefined ? {} : { maxStartsPerMinute: options.maxTimerStartsPerMinute };
  const runJob = async (job: Job) => {
    const connector = job.jobType ? connectors[job.jobType] : undefined;
    if (job.kind === 'timer') count(`timer.${await runTimer(db, job, id, startTimerOptions)}`);
    else if (job.kind === 'webhook') {
      if (webhookSender) await runWebhookJob(db, job, id, webhookSender, webhookTimeout);
    } else if (connector && hasInstance(job)) count(`service.${await runServiceJob(db, job, id, connector)}`);
    // A timer or a service job may have created, cancelled or moved tasks: live inboxes look again.
    if (job.kind !== 'webhook' && job.tenantId) inboxChanged(job.tenantId);
  };
  const tick = async () => {
    // The lease outlasts the longest connector call (HTTP: 60 s at most), so a slow call is not taken twice.
    const batch = options.batch ?? 20;
    const began = beginClaim();
    let claimed: Job[];
    try {
      claimed = await claimDueJobs(db, {
        workerId: id,
        batch,
        leaseSeconds: options.leaseSeconds ?? 120,
        jobTypes: Object.keys(connectors),
        webhooks: webhookSender !== undefined,
      });
    } catch (error) {
      endClaim(began, 'failed');
      throw error;
    }
    endClaim(began, claimed.length < batch ? 'exhausted' : 'full');
    let ran = 0;
    // Jobs of a batch run side by side in a few lanes (each job is its own transaction), so a
    // worker is not held up by one round trip or connector call at a time.
    let next = 0;
    const lane = async () => {
      while (!stopping && next < claimed.length) {
        await runJob(claimed[next++]!);
        ran++;
        // PGlite answers as microtasks: without a macrotask turn a backlog would starve the event
        // loop (the in-process worker would stop the app serving requests).
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 4, claimed.length) }, lane));
    // Claimed but not started (stopping): hand them back at once rather than after the lease.
    if (stopping)
      await db
        .update(jobs)
        .set({ status: 'pending', lockedBy: null, lockedUntil: null })
        .where(and(eq(jobs.lockedBy, id), eq(jobs.status, 'running')));
    return ran;
  };
  return {
    id,
    outcomes,
    tick,
    async stop() {
      stopping = true;
      releaseScope();
      await db
        .update(jobs)
        .set({ status: 'pending', lockedBy: null, lockedUntil: null })
        .where(and(eq(jobs.lockedBy, id), eq(jobs.status, 'running')));
    },
  };
}

const databaseKeys = new WeakMap<object, string>();
let databaseCount = 0;
/**
 * Names the database a worker claims from: the same for every pool on one PostgreSQL database
 * (its host, port and name), else the driver object itself (a PGlite).
 */
function databaseKey(db: Executor): string {
  const client = (db as { $client?: object }).$client ?? db;
  // postgres.js's client is a function carrying its options.
  const options =
    typeof client === 'function'
      ? (client as { options?: { host?: unknown; port?: unknown; database?: unknown } }).options
      : undefined;
  if (options?.database !== undefined)
    return `${String(options.host)}:${String(options.port)}/${String(options.database)}`;
  let key = databaseKeys.get(client);
  if (key === undefined) databaseKeys.set(client, (key = `embedded-${++databaseCount}`));
  return key;
}

/** How often a worker loop forgets old idempotency results. */
const PRUNE_EVERY_MS = 10 * 60_000;
/** How often the loop vacuums an embedded database. */
const VACUUM_EVERY_MS = 10 * 60_000;

/** Polls until stopped. Returns the running loop's stop function. */
export function startWorkerLoop(
  db: Executor,
  options: WorkerOptions = {},
): { worker: Worker; stop: () => Promise<void> } {
  const worker = createWorker(db, options);
  let running = true;
  const stopped = new AbortController();
  let current: Promise<unknown> = Promise.resolve();
  let pruned = 0;
  // The first pass comes one period after the start, not while the app is starting.
  let vacuumed = Date.now();
  let notified = 0;
  const sweep = heldMailSweep(db, options);
  const loop = async () => {
    while (running) {
      sweep?.due();
      let ran = 0;
      const hints = jobHints();
      // Now and then, housekeeping: idempotency results past their retention, inbound delivery ids no replay
      // can use, rate limit counts whose window has passed.
      const prune =
        Date.now() - pruned > PRUNE_EVERY_MS
          ? ((pruned = Date.now()),
            Promise.all([pruneCommandResults(db), pruneInboundDeliveries(db), pruneRateLimits(db)]))
          : Promise.resolve(0);
      // PGlite has no autovacuum: the loop does its work (vacuumEmbedded does nothing on PostgreSQL).
      const vacuum =
        Date.now() - vacuumed > (options.vacuumEveryMs ?? VACUUM_EVERY_MS)
          ? ((vacuumed = Date.now()), vacuumEmbedded(db))
          : Promise.resolve(false);
      const notifications = options.notifications === false ? null : (options.notifications ?? {});
      const notifying =
        notifications && Date.now() - notified > (notifications.everyMs ?? NOTIFY_EVERY_MS)
          ? ((notified = Date.now()), notifyPass(db, notifications.appUrl))
          : Promise.resolve(0);
      current = Promise.all([prune, vacuum, notifying.catch((error: unknown) => options.onError?.(error))])
        .then(() => worker.tick())
        .then(
          (n) => (ran = n),
          (error: unknown) => options.onError?.(error),
        );
      await current;
      // Nothing more due: wait for the interval, or less when a command of this process commits a job.
      if (running && ran < (options.batch ?? 20)) await untilJobHint(hints, options.intervalMs ?? 500, stopped.signal);
    }
  };
  void loop();
  return {
    worker,
    async stop() {
      running = false;
      stopped.abort();
      await Promise.all([current, sweep?.stop()]);
      await worker.stop();
    },
  };
}

/**
 * The held-mail sweep of a worker loop: a pass every `everyMs` (default a minute), run beside the
 * jobs rather than between them (one slow SMTP server must not hold up timers), one at a time.
 * Stopping hands back the emails it claimed but has not sent.
 */
function heldMailSweep(db: Executor, options: WorkerOptions) {
  if (!options.heldMail) return null;
  const { everyMs = HELD_MAIL_EVERY_MS, olderThanMs, limit, ...mailerOptions } = options.heldMail;
  const mailer = createMailer(mailerOptions);
  const stopping = new AbortController();
  let last = 0;
  let pass: Promise<unknown> | null = null;
  return {
    due() {
      if (pass || stopping.signal.aborted || Date.now() - last < everyMs) return;
      last = Date.now();
      pass = sendHeldEmails(db, mailer, {
        ...(olderThanMs === undefined ? {} : { olderThanMs }),
        ...(limit === undefined ? {} : { limit }),
        signal: stopping.signal,
      })
        .catch((error: unknown) => options.onError?.(error))
        .finally(() => (pass = null));
    },
    async stop() {
      stopping.abort();
      await pass;
    },
  };
}

/** How often a loop looks for due and overdue tasks and queues notification e-mails. */
const NOTIFY_EVERY_MS = 60_000;

/** One pass of the notifications' housekeeping: due tomorrow and overdue (the bell), then, with the app's address for their links, their e-mails (a batch). */
async function notifyPass(db: Executor, appUrl: string | undefined): Promise<number> {
  await notifyDueTasks(db);
  return appUrl ? sweepNotificationEmails(db, appUrl) : 0;
}
