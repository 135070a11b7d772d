/**
 * Jobs: timers and service-task work, durable in the `jobs` table. Any number of workers share
 * one database: a worker claims due jobs with FOR UPDATE SKIP LOCKED under a lease, runs each in
 * its own transaction, and a job whose lease runs out (its worker died) is claimed again. Times
 * are the database's. A job that keeps failing is retried with exponential backoff, then becomes
 * an incident (status `failed`), visible and retryable.
 */
import { retryDelaySeconds } from './backoff';
import { ConnectorBusinessError, type Connector, type InstanceJob } from '../connectors/contract';
export { ConnectorBusinessError, type Connector, type ConnectorCall, type InstanceJob } from '../connectors/contract';
import { and, asc, eq, inArray, lte, ne, or, sql, type SQL } from 'drizzle-orm';
import { evaluateExpression, type EngineEvent, type ProcessDefinition, type Variables } from '@/engine';
import { flatten } from '@/engine/model/scopes';
import { rawQuery, type Executor } from '@/db/client';
import { jobs, processDefinitions, processInstances, type Job } from '@/db/schema';
import { AppError, connectionLost } from '../errors';
import { appendAudit } from '../services/audit';
import { hinted, jobsCommitted } from './job-signal';
import { definitionById } from '../services/definitions';
import { claimWithSnapshots, finishInOneStatement, readInstance, type ClaimedJob, type WorkerRead } from './job-steps';
import { CANCELLED_JOB, recordEvents } from './write';
import { DEFAULT_JOB_RETRIES } from './plan';
import { driveFollowUps, startAtEvent, stepInstance, type FollowUp } from './effects';
import {
  firingOf,
  maxTimerStartsPerMinute,
  newerVersionOf,
  scheduleNextStartTimer,
  startTimerRate,
  stopStartTimers,
} from '../services/start-timers';

export interface ClaimOptions {
  workerId: string;
  /** Most jobs claimed at once. */
  batch?: number;
  /** How long a claim holds before another worker may take the job. */
  leaseSeconds?: number;
  /** Service job types this worker runs itself (connectors); timers are always run. */
  jobTypes?: readonly string[];
  /** Whether this worker sends webhook deliveries. */
  webhooks?: boolean;
}

/** A job that ran: finished, its lease let go. */
export const DONE_JOB = { status: 'done', completedAt: sql`now()`, lockedBy: null, lockedUntil: null } as const;

/** Locks the job and tells whether this worker still holds it (its lease did not run out to another worker meanwhile). */
async function stillHeld(tx: Executor, jobId: string, workerId: string): Promise<boolean> {
  const [held] = await tx
    .select({ id: jobs.id })
    .from(jobs)
    .where(and(eq(jobs.id, jobId), eq(jobs.lockedBy, workerId), eq(jobs.status, 'running')))
    .for('update');
  return held !== undefined;
}

/** Claims due jobs for this worker: one statement, SKIP LOCKED, so workers never wait on each other. */
export async function claimDueJobs(db: Executor, options: ClaimOptions): Promise<ClaimedJob[]> {
  const query = rawQuery(db);
  if (query)
    return claimWithSnapshots(query, {
      workerId: options.workerId,
      batch: options.batch ?? 20,
      leaseSeconds: options.leaseSeconds ?? 30,
      jobTypes: options.jobTypes ?? [],
      webhooks: options.webhooks ?? false,
    });
  const runnable = or(
    eq(jobs.kind, 'timer'),
    options.jobTypes?.length ? and(eq(jobs.kind, 'service'), inArray(jobs.jobType, [...options.jobTypes])) : undefined,
    options.webhooks ? eq(jobs.kind, 'webhook') : undefined,
  )!;
  return claimJobs(db, runnable, {
    lockedBy: options.workerId,
    batch: options.batch ?? 20,
    leaseSeconds: options.leaseSeconds ?? 30,
  });
}

/**
 * The claim statement (drizzle's, where rawQuery's is not used) of the jobs `which` picks that are
 * due — pending and due, or running with a lease run out — earliest first, SKIP LOCKED: locked for
 * `lockedBy`, attempts + 1. Built-in workers (claimDueJobs) and external ones
 * (services/external-jobs.ts) claim through it.
 */
export function claimJobs(
  db: Executor,
  which: SQL,
  options: { lockedBy: string; batch: number; leaseSeconds: number },
): Promise<Job[]> {
  const due = db
    .select({ id: jobs.id })
    .from(jobs)
    .where(
      and(
        which,
        or(
          and(eq(jobs.status, 'pending'), lte(jobs.dueAt, sql`now()`)),
          and(eq(jobs.status, 'running'), lte(jobs.lockedUntil, sql`now()`)),
        ),
      ),
    )
    .orderBy(asc(jobs.dueAt))
    .limit(options.batch)
    .for('update', { skipLocked: true });
  return (
    db
      .update(jobs)
      .set({
        status: 'running',
        lockedBy: options.lockedBy,
        lockedUntil: sql`now() + make_interval(secs => ${options.leaseSeconds})`,
        attempts: sql`${jobs.attempts} + 1`,
      })
      // = any(array(…)): the due ids are chosen once; `in (subquery)` may be re-run and claim more than the batch.
      .where(sql`${jobs.id} = any(array(${due}))`)
      .returning()
  );
}

/** How long a timer that came due during an incident waits before it is tried again. */
export const INCIDENT_RECHECK_SECONDS = 300;

async function stoppedByIncident(tx: Executor, instanceId: string): Promise<boolean> {
  const [row] = await tx
    .select({ status: processInstances.status })
    .from(processInstances)
    .where(eq(processInstances.id, instanceId));
  return row?.status === 'incident';
}

/**
 * Runs one claimed timer: fires it into its instance, in one transaction with everything it
 * causes. The job is done only if this worker still holds it; a conflict releases it for a retry.
 * A timer whose instance is stopped by an incident is held (pending), not dropped.
 */
export async function runTimer(
  db: Executor,
  job: Job,
  workerId: string,
  options: StartTimerOptions = {},
): Promise<'fired' | 'held' | 'stale' | 'lost' | 'retry' | 'capped'> {
  // A start timer belongs to a process version, not an instance: firing it starts one.
  if (job.instanceId === null)
    return runStartTimer(db, job, workerId, options.maxStartsPerMinute ?? maxTimerStartsPerMinute());
  const instanceId = job.instanceId;
  const scheduledFor = typeof job.payload.dueAt === 'string' ? job.payload.dueAt : job.dueAt.toISOString();
  const event: EngineEvent = {
    type: 'timer.fired',
    timerId: job.timerId!,
    dueAt: scheduledFor,
    ...(job.scope ? { scope: job.scope } : {}),
  };
  const fired = {
    tenantId: job.tenantId,
    instanceId: job.instanceId,
    actorId: null,
    type: 'timer.fired',
    elementId: job.elementId,
    data: { timerId: job.timerId, dueAt: scheduledFor },
  };
  try {
    // The common case in two round trips; anything else (stale, an incident, a lost lease) below.
    const query = rawQuery(db);
    const read = query && ((job as ClaimedJob).snapshot ?? (await readInstance(query, instanceId)));
    if (query && read && (await finishInOneStatement(db, query, read, job, workerId, event, fired))) return 'fired';
    return await hinted(
      db.transaction(async (tx) => {
        if (!(await stillHeld(tx, job.id, workerId))) return 'lost';
        const queue: FollowUp[] = [];
        // The job is finished by the step's own plan (finishJob), as on the one-statement path.
        const finishJob = { id: job.id, workerId, status: 'done' as const };
        const accepted = await stepInstance(tx, null, instanceId, event, [fired], queue, { finishJob });
        if (!accepted && (await stoppedByIncident(tx, instanceId))) {
          // Not stale: the instance is stopped by an incident. The timer waits (payload.heldAt), re-checked
          // now and then, and is made due at once when the incident is retried (services/incidents.ts).
          await tx
            .update(jobs)
            .set({
              status: 'pending',
              lockedBy: null,
              lockedUntil: null,
              attempts: sql`greatest(${jobs.attempts} - 1, 0)`,
              dueAt: sql`now() + make_interval(secs => ${INCIDENT_RECHECK_SECONDS})`,
              payload: sql`${jobs.payload} || jsonb_build_object('heldAt', now())`,
            })
            .where(eq(jobs.id, job.id));
          return 'held';
        }
        // A timer the instance no longer takes (it moved on) is cancelled: no step was written.
        if (!accepted) await tx.update(jobs).set(CANCELLED_JOB).where(eq(jobs.id, job.id));
        await driveFollowUps(tx, null, queue);
        return accepted ? 'fired' : 'stale';
      }),
    );
  } catch (error) {
    await release(db, job, workerId, error);
    return 'retry';
  }
}

export interface StartTimerOptions {
  /** The start-timer rate cap (default: TRELLIS_MAX_TIMER_STARTS_PER_MINUTE, else 60; services/start-timers.ts). */
  maxStartsPerMinute?: number;
}

/**
 * Runs one claimed start timer (a timer start event of a process version): in one transaction,
 * the job is done, a cycle's next occurrence is scheduled and an instance of the version starts
 * at that start event, with everything the start causes. Exactly once: only the worker still
 * holding the job (row locked until commit) fires it. A job of a version that is no longer the
 * newest of its key — left behind by a publish racing a firing — is cancelled instead. Past the
 * rate cap (the version's start timers started `maxStartsPerMinute` instances within a minute) it
 * starts nothing: the version's start timers become incidents and its schedule stops, logged.
 */
async function runStartTimer(
  db: Executor,
  job: Job,
  workerId: string,
  maxStartsPerMinute: number,
): Promise<'fired' | 'stale' | 'lost' | 'retry' | 'capped'> {
  let capped: string | null = null;
  try {
    const outcome = await hinted(
      db.transaction(async (tx) => {
        if (!(await stillHeld(tx, job.id, workerId))) return 'lost';
        const [def] = await tx
          .select()
          .from(processDefinitions)
          .where(and(eq(processDefinitions.tenantId, job.tenantId), eq(processDefinitions.id, job.definitionId!)));
        const startEvent = def?.definition.elements.find(
          (e) => e.id === job.elementId && e.type === 'startEvent' && e.event?.kind === 'timer',
        );
        if (!def || !startEvent || (await newerVersionOf(tx, def))) {
          await tx.update(jobs).set(CANCELLED_JOB).where(eq(jobs.id, job.id));
          return 'stale';
        }
        const rate = await startTimerRate(tx, job);
        if (rate.started >= maxStartsPerMinute) {
          capped = await stopStartTimers(tx, def, job, rate, maxStartsPerMinute);
          return 'capped' as const;
        }
        const fired = firingOf(job);
        // Done before the next occurrence is added: one pending firing per start event (jobs_start_timer_idx).
        await tx.update(jobs).set(DONE_JOB).where(eq(jobs.id, job.id));
        const next = await scheduleNextStartTimer(tx, def, fired, rate);
        const queue: FollowUp[] = [];
        const timer = {
          elementId: fired.elementId,
          dueAt: fired.dueAt,
          jobId: job.id,
          ...(next ? { next: next.dueAt } : {}),
        };
        await startAtEvent(tx, def, startEvent.id, {}, { timer }, queue);
        await driveFollowUps(tx, null, queue);
        return 'fired' as const;
      }),
    );
    // Logged once committed: an operator sees the schedule stop even without reading the incidents.
    if (capped) console.warn(`[trellis] start timer capped (tenant ${job.tenantId}, job ${job.id}): ${capped}`);
    return outcome;
  } catch (error) {
    await release(db, job, workerId, error);
    return 'retry';
  }
}

/** What a worker that reports a failure itself may choose of what comes next (an external worker's fail). */
export interface FailureChoice {
  /** Tries left after this one (0: an incident now). Default: what the job's own `retries` leave. */
  retriesLeft?: number;
  /** Seconds until the next try. Default: the backoff every failed attempt gets (backoff.ts). */
  backoffSeconds?: number;
}

/** What became of a failed attempt, and whether the job is due again at once (a hint is owed once it commits). */
export interface FailedAttempt {
  outcome: 'retry' | 'incident' | 'lost';
  dueNow: boolean;
}

/**
 * A failed attempt: back off and try again, or after the last retry raise an incident. Built-in
 * workers and external ones (services/external-jobs.ts) let a job go through this one function,
 * so backoff and incidents are the same whoever ran it. Only the worker holding the job
 * (`workerId`) lets it go: 'lost' when it no longer holds it (cancelled meanwhile, or its lease
 * taken over), and then it raises no incident of its own. It gives no job hint itself: `db` may
 * be a transaction, and a hint before its commit finds nothing — the caller hints (`dueNow`) once
 * committed.
 */
export async function failJobAttempt(
  db: Executor,
  job: Job,
  workerId: string,
  error: unknown,
  choice: FailureChoice = {},
): Promise<FailedAttempt> {
  const message = (error as Error).message ?? String(error);
  // A lost race (the instance moved on) or a dropped connection is not the job's fault: retry at once.
  const transient = (error instanceof AppError && error.code === 'CONFLICT') || connectionLost(error) !== null;
  // A failure that says retrying cannot help (a refused address, bad settings) is an incident at once.
  const hopeless = (error as { retryable?: unknown } | null)?.retryable === false;
  // Tries left are kept as the job's total: `attempts > retries` stays the one test of exhaustion. A
  // worker's choice holds for this run of the job only: retrying its incident starts again with the
  // task's own (retryJob).
  const retries = choice.retriesLeft === undefined ? job.retries : job.attempts - 1 + choice.retriesLeft;
  const exhausted = !transient && (hopeless || job.attempts > retries);
  const delay = transient ? 0 : (choice.backoffSeconds ?? retryDelaySeconds(job.attempts));
  const released = await db
    .update(jobs)
    .set({
      status: exhausted ? 'failed' : 'pending',
      lockedBy: null,
      lockedUntil: null,
      retries,
      lastError: message.slice(0, 2_000),
      dueAt: delay === 0 ? sql`now()` : sql`now() + make_interval(secs => ${delay})`,
    })
    .where(and(eq(jobs.id, job.id), eq(jobs.lockedBy, workerId)))
    .returning({ id: jobs.id });
  if (released.length === 0) return { outcome: 'lost', dueNow: false };
  if (exhausted) {
    // An incident is a webhook event (instance.failed): recorded with its deliveries.
    await db.transaction((tx) =>
      recordEvents(tx, [
        {
          tenantId: job.tenantId,
          instanceId: job.instanceId,
          type: 'incident.raised',
          elementId: job.elementId,
          data: { code: 'JOB_FAILED', message: message.slice(0, 2_000), attempts: job.attempts },
        },
      ]),
    );
  }
  return { outcome: exhausted ? 'incident' : 'retry', dueNow: !exhausted && delay === 0 };
}

/** A built-in worker's failed attempt (failJobAttempt with the job's own retries and backoff), hinted once committed. */
async function release(db: Executor, job: Job, workerId: string, error: unknown): Promise<void> {
  const { dueNow } = await failJobAttempt(db, job, workerId, error);
  if (dueNow) jobsCommitted();
}

export function hasInstance(job: Job): job is InstanceJob {
  return job.instanceId !== null;
}

/**
 * Runs one claimed service job with its connector, then completes it in one transaction if this
 * worker still holds it. A failure is retried with backoff, then becomes an incident. The job's id
 * is the idempotency key a connector passes on, so a retried side effect is recognised downstream.
 */
export async function runServiceJob(
  db: Executor,
  job: InstanceJob,
  workerId: string,
  connector: Connector,
): Promise<'done' | 'lost' | 'retry'> {
  let outcome: { variables: Variables } | { error: ConnectorBusinessError };
  const query = rawQuery(db);
  let read: WorkerRead | null = null;
  try {
    // Read once, before the call: the settings need the definition, and the step after it the state.
    read = query && ((job as ClaimedJob).snapshot ?? (await readInstance(query, job.instanceId)));
    outcome = {
      variables: await connector({ job, variables: job.payload, settings: await settingsOf(db, job, read) }),
    };
  } catch (error) {
    if (!(error instanceof ConnectorBusinessError)) {
      await release(db, job, workerId, error);
      return 'retry';
    }
    outcome = { error };
  }
  const scope = job.scope ? { scope: job.scope } : {};
  const event: EngineEvent =
    'error' in outcome
      ? {
          type: 'error.thrown',
          elementId: job.elementId,
          code: outcome.error.errorCode,
          message: outcome.error.message,
          ...scope,
        }
      : { type: 'job.completed', elementId: job.elementId, variables: outcome.variables, ...scope };
  const audit = {
    tenantId: job.tenantId,
    instanceId: job.instanceId,
    actorId: null,
    type: 'error' in outcome ? 'job.error' : 'job.completed',
    elementId: job.elementId,
    data: { attempts: job.attempts },
  };
  try {
    // The common case in one more round trip; anything else (a lost race or lease, effects beyond the instance) below.
    if (query && read && (await finishInOneStatement(db, query, read, job, workerId, event, audit))) return 'done';
    return await hinted(
      db.transaction(async (tx) => {
        if (!(await stillHeld(tx, job.id, workerId))) return 'lost';
        const queue: FollowUp[] = [];
        const finishJob = { id: job.id, workerId, status: 'done' as const };
        // A result the instance no longer takes (it moved on) still ends the job: no step was written.
        if (!(await stepInstance(tx, null, job.instanceId, event, [audit], queue, { finishJob })))
          await tx.update(jobs).set(DONE_JOB).where(eq(jobs.id, job.id));
        await driveFollowUps(tx, null, queue);
        return 'done' as const;
      }),
    );
  } catch (error) {
    await release(db, job, workerId, error);
    return 'retry';
  }
}

/**
 * An incident resolved by retrying: the failed job runs again, from its first attempt, with its
 * task's own retries (an external worker's `retries` held for the run that ended). (Webhook
 * deliveries are redelivered through their webhook.)
 */
export async function retryJob(
  db: Executor,
  tenantId: string,
  jobId: string,
  actorId: string | null = null,
): Promise<void> {
  const [job] = await db
    .update(jobs)
    .set({ status: 'pending', attempts: 0, dueAt: sql`now()`, lastError: null })
    .where(and(eq(jobs.tenantId, tenantId), eq(jobs.id, jobId), eq(jobs.status, 'failed'), ne(jobs.kind, 'webhook')))
    .returning({ instanceId: jobs.instanceId, elementId: jobs.elementId, kind: jobs.kind });
  if (!job) throw new AppError('NOT_FOUND', `No failed job "${jobId}" to retry.`);
  if (job.kind === 'service' && job.instanceId)
    await db
      .update(jobs)
      .set({ retries: await taskRetries(db, tenantId, job.instanceId, job.elementId) })
      .where(eq(jobs.id, jobId));
  await appendAudit(db, [
    {
      tenantId,
      instanceId: job.instanceId,
      actorId,
      type: 'incident.retried',
      elementId: job.elementId,
      data: { jobId },
    },
  ]);
}

/** The retries a service task's job starts with: the task's own `retries`, else the default (plan.ts). */
async function taskRetries(db: Executor, tenantId: string, instanceId: string, elementId: string): Promise<number> {
  const [instance] = await db
    .select({ definitionId: processInstances.definitionId })
    .from(processInstances)
    .where(and(eq(processInstances.tenantId, tenantId), eq(processInstances.id, instanceId)));
  const def = instance ? await definitionById(db, tenantId, instance.definitionId) : null;
  // A multi-instance task runs as X__item inside X (see engine/model/task-loops.ts).
  const id = elementId.replace(/__item$/, '');
  const element = def ? flatten(def.definition).elements.find((e) => e.id === id) : undefined;
  return (element?.type === 'serviceTask' ? element.retries : undefined) ?? DEFAULT_JOB_RETRIES;
}

/** The service task's connector settings, `=FEEL` values evaluated against the job's variables. */
async function settingsOf(db: Executor, job: InstanceJob, read: WorkerRead | null): Promise<Record<string, unknown>> {
  const [row] = read
    ? [await definitionById(db, read.tenantId, read.definitionId)]
    : await db
        .select({ definition: processDefinitions.definition })
        .from(processInstances)
        .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
        .where(eq(processInstances.id, job.instanceId));
  return row ? serviceTaskSettings(row.definition, job) : {};
}

/**
 * The settings of the service task `job` works for in `definition`, `=FEEL` values evaluated
 * against the job's variables: what a connector is given, and what an external worker fetches.
 */
export function serviceTaskSettings(
  definition: ProcessDefinition,
  job: Pick<Job, 'elementId' | 'payload'>,
): Record<string, unknown> {
  // A multi-instance task runs as X__item inside X (see engine/model/task-loops.ts).
  const elementId = job.elementId.replace(/__item$/, '');
  const element = flatten(definition).elements.find((e) => e.id === elementId);
  const settings = element?.type === 'serviceTask' ? (element.settings ?? {}) : {};
  return Object.fromEntries(
    Object.entries(settings).map(([name, value]) => [
      name,
      value.startsWith('=') ? evaluateExpression(value.slice(1), job.payload).value : value,
    ]),
  );
}
