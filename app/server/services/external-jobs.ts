/**
 * External job workers (Camunda's external tasks, Flowable's external worker API): a program
 * outside Trellis, holding an API key whose `jobTypes` scope names the types it works, fetches and
 * locks its company's service jobs of those types, does the work, and completes each, fails it,
 * raises a BPMN error, or extends its lease. It is a worker like the built-in ones in all that
 * matters: the same jobs table and claim (SKIP LOCKED, a lease, attempts + 1), the same way a
 * result moves the instance (one step that closes the job in its own plan), the same backoff and
 * incidents (host/jobs.ts failJobAttempt), and a lease that runs out returns the job to be
 * fetched again — by this worker or any other, built-in or external.
 *
 * - Lock identity: `key:<key id>:<worker id>` (lockOwner) and the attempt. The worker id is the
 *   client's own name for itself; the key id makes it impossible for one key to act on another
 *   key's locks; the attempt (every command names the one its fetch answered) keeps a late or
 *   retried command of attempt 1 off attempt 2 of the same job, even when the same worker fetched
 *   both.
 * - A command needs the lock: held by this key and worker for this attempt, its lease not run out
 *   (database clock). A lease that ran out is lost even if nobody fetched the job since: another
 *   fetch may take it at any moment, and two outcomes for one attempt must never both count.
 * - A retried complete (or BPMN error) — the same request again: the same key, worker and attempt,
 *   for a job it already finished that way with the same result — answers success again with
 *   `repeated: true` and does nothing: a worker whose answer was lost on the network may safely
 *   send it again. The finishing audit row (which names the job, the worker, the attempt and the
 *   key, and holds a hash of the result) is the record it is recognised by. Another result is a
 *   CONFLICT (the job has ended): it is a late attempt whose lease ran out — the same worker may
 *   well have fetched the job again and finished it — not a retry, and its result was not used. A
 *   retried fail or extend-lock is a CONFLICT too (the lock is gone): nothing is lost by it.
 * - A result that meets a parallel path of its instance moving at the same moment (the step's
 *   version check) is tried again here, a few times, each under the lock checked anew; still
 *   refused, it is a retryable CONFLICT, and the job stays locked for the worker to send it again.
 * - Variables a worker reports never set `initiator` (initiator.ts): only the server does.
 * - Refusals: another company's job is NOT_FOUND, as an id that names none; a job type outside
 *   the key's scope is FORBIDDEN, naming nothing (a fetch asking for any such type is refused
 *   whole); a lost lock or an ended job is a CONFLICT saying so in the caller's language.
 * - Audited as the key (auditAsKey): complete, BPMN error and fail, which change the process or
 *   its job's course. Fetches and lease extensions are not: they change no process, and a worker
 *   polls them all day (the claim's attempt count and the finishing row say who held the job).
 *
 * Never: wait for jobs inside a transaction or holding a connection (job-waiters.ts does the
 * waiting between statements), lock jobs for a key revoked while its fetch waited, or finish a job
 * by any path but stepInstance's plan.
 */
import { createHash } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Executor } from '@/db/client';
import { auditEvents, jobs, processInstances, type Job } from '@/db/schema';
import type { EngineEvent, Variables } from '@/engine';
import { translator, type MessageKey } from '../../_i18n/messages';
import { AppError, isAppError, isUuid } from '../errors';
import { driveFollowUps, stepInstance, type FollowUp } from '../host/effects';
import { claimJobs, DONE_JOB, failJobAttempt, hasInstance, serviceTaskSettings, type InstanceJob } from '../host/jobs';
import { hinted, jobsCommitted } from '../host/job-signal';
import { auditAsKey, keyMayWork, keyRefusal } from './api-keys';
import { appendAudit, stableJson } from './audit';
import { definitionById } from './definitions';
import { inboxChanged } from './inbox-signal';
import { withoutInitiator } from './initiator';
import type { KeyCall } from '../caller';
import {
  CLAIM_GAP_MS,
  jobWakeups,
  RECHECK_MS,
  takeWaitingPlace,
  untilJobsMayBeDue,
  type WaitRefusal,
} from './job-waiters';

/** Most jobs one fetch locks. */
export const MAX_JOBS_PER_FETCH = 100;
/** Longest lease a fetch or an extension asks for: a longer job extends its lease as it goes. */
export const MAX_LEASE_SECONDS = 3_600;
/** Longest a fetch waits for jobs (long polling). */
export const MAX_WAIT_SECONDS = 60;
/**
 * How long a waiting fetch sleeps when a job of its types is due but its claim did not get it
 * (another claim or command holds the row: SKIP LOCKED): that one ends soon and hints, and the
 * fetch must not claim every few milliseconds meanwhile.
 */
export const SKIPPED_RECHECK_MS = 250;
/** How many times a result that met a parallel path moving the same instance is tried before the worker is told to send it again. */
export const FINISH_TRIES = 4;

export interface FetchRequest {
  /** The worker's name for itself (a host and process id, a pod name): half of its lock. */
  workerId: string;
  /** Job types to fetch: every one must be in the key's `jobTypes` scope. */
  jobTypes: readonly string[];
  /** Most jobs to lock, 1–MAX_JOBS_PER_FETCH. */
  maxJobs: number;
  /** How long the locks hold, 1–MAX_LEASE_SECONDS. */
  leaseSeconds: number;
  /** How long to wait when nothing is due, 0–MAX_WAIT_SECONDS: the answer comes as soon as a job does. */
  waitSeconds: number;
}

/** A job locked for an external worker: what it needs to do the work. */
export interface LockedJob {
  id: string;
  jobType: string;
  /** The service task's id (X__item for one item of a multi-instance task X). */
  elementId: string;
  instanceId: string;
  /** The process's key, and the instance's business key (e.g. the invoice number) if it has one. */
  processKey: string | null;
  businessKey: string | null;
  /** The job's input: the task's `inputs`, else all of the instance's variables. */
  variables: Record<string, unknown>;
  /** The service task's settings, `=FEEL` values evaluated against the variables. */
  settings: Record<string, unknown>;
  /** This attempt's number, from 1; a lease that ran out counts as an attempt. */
  attempts: number;
  /** Tries left if this attempt fails (0: a failure raises an incident). */
  retries: number;
  lockedUntil: Date;
}

/** The lock an external worker holds on the jobs it fetched. */
export function lockOwner(key: Pick<KeyCall, 'keyId'>, workerId: string): string {
  return `key:${key.keyId}:${workerId}`;
}

let claims = 0;

/** How many claims fetches made in this process (for tests: a burst of wake-ups must not cost a claim each). */
export function claimsMade(): number {
  return claims;
}

const WAIT_REFUSALS = {
  key: 'workersKeyWaiting',
  company: 'workersCompanyWaiting',
  server: 'workersTooManyWaiting',
} as const satisfies Record<WaitRefusal['cap'], MessageKey>;

/**
 * Locks up to `maxJobs` due jobs of the given types for the worker, its company's only. With
 * `waitSeconds`, a fetch that finds none waits until one comes (woken, not polling: job-waiters.ts)
 * and answers it at once; else it answers none when the wait is over. `signal` (the request's)
 * ends the wait when the client goes away; jobs locked just as it went are handed back, as are
 * jobs whose answer could not be made. A key revoked (or expired) while its fetch waits locks
 * nothing more (the claim checks it) and ends the wait as UNAUTHORIZED.
 */
export async function fetchAndLock(
  db: Executor,
  key: KeyCall,
  request: FetchRequest,
  signal?: AbortSignal,
): Promise<LockedJob[]> {
  if (request.jobTypes.some((type) => !keyMayWork(key, type))) throw keyRefusal(key);
  const t = translator(key.locale);
  const owner = lockOwner(key, request.workerId);
  const deadline = Date.now() + request.waitSeconds * 1_000;
  let givePlaceBack: (() => void) | null = null;
  try {
    for (;;) {
      const seen = jobWakeups();
      const claimedAt = Date.now();
      const claimed = await claim(db, key, owner, request);
      if (claimed.length > 0) return await answer(db, key.tenantId, claimed, owner, signal);
      if (deadline - Date.now() <= 0 || signal?.aborted) return [];
      const next = await nextCheck(db, key, request.jobTypes);
      if (!next.keyValid) throw new AppError('UNAUTHORIZED', t('apiUnauthorized'));
      givePlaceBack ??= await takeWaitingPlace(db, key, (r) => t(WAIT_REFUSALS[r.cap], { max: r.max }), {
        deadline,
        signal,
      });
      const sleep = Math.max(0, Math.min(deadline - Date.now(), next.ms ?? RECHECK_MS, RECHECK_MS));
      await untilJobsMayBeDue(key.tenantId, seen, sleep, signal, claimedAt + CLAIM_GAP_MS);
    }
  } finally {
    givePlaceBack?.();
  }
}

/** The claimed jobs as answered; handed back (the attempt not counted) when the client went away, or when the answer fails. */
async function answer(
  db: Executor,
  tenantId: string,
  claimed: Job[],
  owner: string,
  signal: AbortSignal | undefined,
): Promise<LockedJob[]> {
  if (signal?.aborted) {
    await handBack(db, claimed, owner);
    return [];
  }
  try {
    return await describe(db, tenantId, claimed);
  } catch (error) {
    await handBack(db, claimed, owner);
    throw error;
  }
}

/** The key is still good (not revoked, not expired): checked by the database in the statement that uses it. */
function keyStillValid(key: Pick<KeyCall, 'keyId'>) {
  return sql`exists (select 1 from api_keys k where k.id = ${key.keyId} and k.revoked_at is null and k.expires_at > now())`;
}

/** One claim (host/jobs.ts claimJobs, the built-in workers' statement) of the company's service jobs of these types. */
async function claim(db: Executor, key: KeyCall, owner: string, request: FetchRequest): Promise<Job[]> {
  claims++;
  const claimed = await claimJobs(
    db,
    and(
      // The columns and predicate of jobs_service_type_idx.
      eq(jobs.tenantId, key.tenantId),
      eq(jobs.kind, 'service'),
      inArray(jobs.jobType, [...request.jobTypes]),
      inArray(jobs.status, ['pending', 'running']),
      // A fetch outlives the request's check of its key: the claim checks it again.
      keyStillValid(key),
    )!,
    { lockedBy: owner, batch: request.maxJobs, leaseSeconds: request.leaseSeconds },
  );
  return claimed.sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

/** Jobs locked for a client that went away before its answer: free again at once, the attempt not counted. */
async function handBack(db: Executor, claimed: Job[], owner: string): Promise<void> {
  await db
    .update(jobs)
    .set({ status: 'pending', lockedBy: null, lockedUntil: null, attempts: sql`greatest(${jobs.attempts} - 1, 0)` })
    .where(
      and(
        inArray(
          jobs.id,
          claimed.map((j) => j.id),
        ),
        eq(jobs.lockedBy, owner),
        eq(jobs.status, 'running'),
      ),
    );
}

/**
 * Before a fetch waits: whether its key is still good, and milliseconds until the next job of its
 * types comes due (a backoff ends, a lease runs out), or null when none will. A job due already
 * that the claim did not take is held by another transaction (SKIP LOCKED): SKIPPED_RECHECK_MS.
 */
async function nextCheck(
  db: Executor,
  key: KeyCall,
  jobTypes: readonly string[],
): Promise<{ keyValid: boolean; ms: number | null }> {
  const [row] = await db
    .select({
      ms: sql<
        string | number | null
      >`extract(epoch from min(case when ${jobs.status} = 'pending' then ${jobs.dueAt} else ${jobs.lockedUntil} end) - now()) * 1000`,
      keyValid: sql<boolean>`${keyStillValid(key)}`,
    })
    .from(jobs)
    .where(
      and(
        eq(jobs.tenantId, key.tenantId),
        eq(jobs.kind, 'service'),
        inArray(jobs.jobType, [...jobTypes]),
        inArray(jobs.status, ['pending', 'running']),
      ),
    );
  const keyValid = row?.keyValid === true;
  if (row?.ms === null || row?.ms === undefined) return { keyValid, ms: null };
  const ms = Number(row.ms);
  // A little past the moment: the claim's `<= now()` then finds it due.
  return { keyValid, ms: ms > 0 ? Math.ceil(ms) + 10 : SKIPPED_RECHECK_MS };
}

/** The locked jobs as the worker gets them: with the process's key, the business key and the task's settings. */
async function describe(db: Executor, tenantId: string, claimed: Job[]): Promise<LockedJob[]> {
  const ids = [...new Set(claimed.flatMap((j) => (j.instanceId ? [j.instanceId] : [])))];
  const instances = await db
    .select({
      id: processInstances.id,
      definitionId: processInstances.definitionId,
      businessKey: processInstances.businessKey,
    })
    .from(processInstances)
    .where(and(eq(processInstances.tenantId, tenantId), inArray(processInstances.id, ids)));
  const byId = new Map(instances.map((i) => [i.id, i]));
  const described: LockedJob[] = [];
  for (const job of claimed) {
    const instance = byId.get(job.instanceId!);
    // Published versions are kept in memory once read (definitionById): one read per process at most.
    const def = instance ? await definitionById(db, tenantId, instance.definitionId) : null;
    described.push({
      id: job.id,
      jobType: job.jobType!,
      elementId: job.elementId,
      instanceId: job.instanceId!,
      processKey: def?.key ?? null,
      businessKey: instance?.businessKey ?? null,
      variables: job.payload,
      settings: def ? serviceTaskSettings(def.definition, job) : {},
      attempts: job.attempts,
      retries: triesLeft(job),
      lockedUntil: job.lockedUntil!,
    });
  }
  return described;
}

/** Tries left if the current attempt fails: the job is exhausted once `attempts > retries` (failJobAttempt). */
function triesLeft(job: Pick<Job, 'attempts' | 'retries'>): number {
  return Math.max(0, job.retries - job.attempts + 1);
}

// ——— Commands on a locked job ———

/** Who sends a command on a job: the worker that fetched it, and the attempt its fetch answered (LockedJob.attempts). */
export interface JobHolder {
  workerId: string;
  attempts: number;
}

export interface FinishedJob {
  id: string;
  instanceId: string;
  /** The instance after the step: `incident` when a BPMN error found no boundary event to catch it. */
  instanceStatus: string;
  /** Present when this was a retry of a command that had already finished the job: nothing was done again. */
  repeated?: true;
}

/** Completes the job with its result: the instance moves on with `variables` (never its `initiator`), once. */
export function completeExternalJob(
  db: Executor,
  key: KeyCall,
  jobId: string,
  input: JobHolder & { variables: Variables },
): Promise<FinishedJob> {
  const variables = withoutInitiator(input.variables);
  return finish(db, key, jobId, input, 'job.completed', {}, variables, (job) => ({
    type: 'job.completed',
    elementId: job.elementId,
    variables,
    ...(job.scope ? { scope: job.scope } : {}),
  }));
}

/**
 * Raises a BPMN error at the job's service task: an error boundary event on it that catches the
 * code takes the instance on (with `variables`, never its `initiator`); uncaught, it stops the
 * instance with an incident, as the engine does for any uncaught error.
 */
export function throwExternalJobError(
  db: Executor,
  key: KeyCall,
  jobId: string,
  input: JobHolder & { code: string; message?: string; variables?: Variables },
): Promise<FinishedJob> {
  const message = input.message ? { message: input.message } : {};
  const variables = input.variables ? withoutInitiator(input.variables) : undefined;
  const result = { code: input.code, ...message, variables: variables ?? {} };
  return finish(db, key, jobId, input, 'job.error', { code: input.code, ...message }, result, (job) => ({
    type: 'error.thrown',
    elementId: job.elementId,
    code: input.code,
    ...message,
    ...(variables ? { variables } : {}),
    ...(job.scope ? { scope: job.scope } : {}),
  }));
}

/** The step met a parallel path of the instance moving at the same moment (its version check): worth trying again. */
class InstanceMoved extends Error {
  override readonly name = 'InstanceMoved';
}

async function finish(
  db: Executor,
  key: KeyCall,
  jobId: string,
  holder: JobHolder,
  auditType: 'job.completed' | 'job.error',
  auditData: Record<string, unknown>,
  /** What the worker reports (its variables; a BPMN error's code, message and variables): a retry reports the same. */
  result: unknown,
  eventOf: (job: InstanceJob) => EngineEvent,
): Promise<FinishedJob> {
  const resultHash = createHash('sha256').update(stableJson(result)).digest('hex');
  for (let tries = 1; ; tries++) {
    try {
      return await finishOnce(db, key, jobId, holder, auditType, { ...auditData, resultHash }, eventOf);
    } catch (error) {
      if (!(error instanceof InstanceMoved)) throw error;
      // Each try checks the lock anew: a lease that ran out meanwhile is refused as lost, not retried.
      if (tries >= FINISH_TRIES)
        throw new AppError(
          'CONFLICT',
          translator(key.locale)('workersInstanceBusy', { id: jobId, instance: error.message }),
          undefined,
          { retryable: true, cause: error.cause },
        );
    }
  }
}

async function finishOnce(
  db: Executor,
  key: KeyCall,
  jobId: string,
  holder: JobHolder,
  auditType: 'job.completed' | 'job.error',
  auditData: Record<string, unknown> & { resultHash: string },
  eventOf: (job: InstanceJob) => EngineEvent,
): Promise<FinishedJob> {
  const { workerId, attempts } = holder;
  const owner = lockOwner(key, workerId);
  const outcome = await hinted(
    db.transaction(async (tx): Promise<FinishedJob | { notWaited: string }> => {
      const { job, leased } = await lockedJob(tx, key, jobId);
      if (
        job.status === 'done' &&
        (await finishedBy(tx, key, job, { workerId, attempts, auditType, resultHash: auditData.resultHash }))
      )
        return { id: job.id, instanceId: job.instanceId, instanceStatus: await statusOf(tx, job), repeated: true };
      requireLock(key, job, leased, owner, holder);
      const audit = auditAsKey(key, {
        type: auditType,
        instanceId: job.instanceId,
        elementId: job.elementId,
        data: { jobId: job.id, workerId, attempts: job.attempts, ...auditData },
      });
      const queue: FollowUp[] = [];
      // The job is closed by the step's own plan, guarded by this worker's lock: as a built-in worker's.
      const finishJob = { id: job.id, workerId: owner, status: 'done' as const };
      let accepted: boolean;
      try {
        // Every row of the step, and of what it causes, names the key (effects.ts Doer).
        accepted = await stepInstance(tx, key, job.instanceId, eventOf(job), [audit], queue, { finishJob });
        if (accepted) await driveFollowUps(tx, key, queue);
      } catch (error) {
        if (isAppError(error) && error.code === 'CONFLICT') throw new InstanceMoved(job.instanceId, { cause: error });
        throw error;
      }
      if (!accepted) {
        // The instance no longer takes it (it moved on, or an incident stopped it): the job ends
        // all the same, as a built-in worker's does, and the worker is told its result was not used.
        await tx.update(jobs).set(DONE_JOB).where(eq(jobs.id, job.id));
        return { notWaited: job.instanceId };
      }
      return { id: job.id, instanceId: job.instanceId, instanceStatus: await statusOf(tx, job) };
    }),
  );
  if ('notWaited' in outcome)
    throw new AppError(
      'CONFLICT',
      translator(key.locale)('workersJobNotWaited', { id: jobId, instance: outcome.notWaited }),
    );
  // Tasks the step created or ended: live inboxes of the company look again (here and on other servers).
  if (!outcome.repeated) inboxChanged(key.tenantId);
  return outcome;
}

/**
 * Fails the current attempt: the job is tried again after a backoff, or becomes an incident once
 * its tries are used up — exactly as a built-in worker's failure. `retries` (tries left after
 * this one; 0 raises the incident now) and `retryBackoffSeconds` override the job's own, for this
 * run of the job: an incident retried later starts again with the task's own retries.
 */
export async function failExternalJob(
  db: Executor,
  key: KeyCall,
  jobId: string,
  input: JobHolder & { message: string; retries?: number; retryBackoffSeconds?: number },
): Promise<{ id: string; outcome: 'retry' | 'incident' }> {
  const owner = lockOwner(key, input.workerId);
  const failed = await db.transaction(async (tx) => {
    const { job, leased } = await lockedJob(tx, key, jobId);
    requireLock(key, job, leased, owner, input);
    const choice = {
      ...(input.retries === undefined ? {} : { retriesLeft: input.retries }),
      ...(input.retryBackoffSeconds === undefined ? {} : { backoffSeconds: input.retryBackoffSeconds }),
    };
    await appendAudit(tx, [
      auditAsKey(key, {
        type: 'job.failed',
        instanceId: job.instanceId,
        elementId: job.elementId,
        data: { jobId: job.id, workerId: input.workerId, attempts: job.attempts, message: input.message, ...choice },
      }),
    ]);
    // Held under the row lock above: failJobAttempt cannot find it gone.
    return failJobAttempt(tx, job, owner, new Error(input.message), choice);
  });
  if (failed.outcome === 'lost') throw lockLost(key, jobId, input.workerId);
  // Due again at once (no backoff): waiting fetches and worker loops hear of it once committed.
  if (failed.dueNow) jobsCommitted();
  return { id: jobId, outcome: failed.outcome };
}

/** A new lease for the job, `leaseSeconds` from now: for work that takes longer than the fetch's lease. */
export async function extendExternalLock(
  db: Executor,
  key: KeyCall,
  jobId: string,
  input: JobHolder & { leaseSeconds: number },
): Promise<{ id: string; lockedUntil: Date }> {
  const owner = lockOwner(key, input.workerId);
  return db.transaction(async (tx) => {
    const { job, leased } = await lockedJob(tx, key, jobId);
    requireLock(key, job, leased, owner, input);
    const [extended] = await tx
      .update(jobs)
      .set({ lockedUntil: sql`now() + make_interval(secs => ${input.leaseSeconds})` })
      .where(eq(jobs.id, job.id))
      .returning({ lockedUntil: jobs.lockedUntil });
    return { id: job.id, lockedUntil: extended!.lockedUntil! };
  });
}

/**
 * The job, locked for the command (FOR UPDATE), with whether its lease still runs (database
 * clock). Another company's job, or an id that names none, is NOT_FOUND alike; a type outside the
 * key's scope FORBIDDEN — checked before anything about the job is said.
 */
async function lockedJob(tx: Executor, key: KeyCall, jobId: string): Promise<{ job: InstanceJob; leased: boolean }> {
  const notFound = () =>
    new AppError('NOT_FOUND', translator(key.locale)('workersJobNotFound', { id: String(jobId).slice(0, 100) }));
  if (!isUuid(jobId)) throw notFound();
  const [row] = await tx
    .select({ job: jobs, leased: sql<boolean>`coalesce(${jobs.lockedUntil} > now(), false)` })
    .from(jobs)
    .where(and(eq(jobs.tenantId, key.tenantId), eq(jobs.id, jobId), eq(jobs.kind, 'service')))
    .for('update');
  // (A service job always has an instance: jobs_owner_check.)
  if (!row || !hasInstance(row.job)) throw notFound();
  if (!row.job.jobType || !keyMayWork(key, row.job.jobType)) throw keyRefusal(key);
  return { job: row.job, leased: row.leased };
}

/**
 * Refuses a command of a worker that does not hold the job's lock (any more) for the attempt it
 * names: a CONFLICT saying what became of it.
 */
function requireLock(key: KeyCall, job: Job, leased: boolean, owner: string, holder: JobHolder): void {
  if (job.status === 'running' && job.lockedBy === owner && job.attempts === holder.attempts && leased) return;
  const t = translator(key.locale);
  if (job.status === 'done' || job.status === 'cancelled' || job.status === 'failed') {
    const status = t(`workersJobStatus_${job.status}` satisfies MessageKey);
    throw new AppError('CONFLICT', t('workersJobEnded', { id: job.id, status }));
  }
  // The same worker holds a later attempt: this command is a late one of an attempt that is over.
  if (job.lockedBy === owner && job.attempts > holder.attempts)
    throw new AppError(
      'CONFLICT',
      t('workersAttemptOver', { id: job.id, attempt: holder.attempts, current: job.attempts }),
    );
  throw lockLost(key, job.id, holder.workerId);
}

function lockLost(key: KeyCall, jobId: string, workerId: string): AppError {
  return new AppError('CONFLICT', translator(key.locale)('workersLockLost', { id: jobId, worker: workerId }));
}

/** Whether this key and worker finished the job already, at this attempt, by this very request (command and result): its audit row says so. */
async function finishedBy(
  tx: Executor,
  key: KeyCall,
  job: InstanceJob,
  request: { workerId: string; attempts: number; auditType: string; resultHash: string },
): Promise<boolean> {
  const [row] = await tx
    .select({ id: auditEvents.id })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.tenantId, key.tenantId),
        eq(auditEvents.instanceId, job.instanceId),
        eq(auditEvents.type, request.auditType),
        sql`${auditEvents.data}->>'jobId' = ${job.id}`,
        sql`${auditEvents.data}->>'workerId' = ${request.workerId}`,
        sql`${auditEvents.data}->>'attempts' = ${String(request.attempts)}`,
        sql`${auditEvents.data}->'apiKey'->>'id' = ${key.keyId}`,
        sql`${auditEvents.data}->>'resultHash' = ${request.resultHash}`,
      ),
    )
    .limit(1);
  return row !== undefined;
}

async function statusOf(tx: Executor, job: InstanceJob): Promise<string> {
  const [row] = await tx
    .select({ status: processInstances.status })
    .from(processInstances)
    .where(eq(processInstances.id, job.instanceId));
  return row?.status ?? 'unknown';
}
