/**
 * The REST API's external job workers (/jobs/…): their requests and answers as zod schemas, and
 * their operations as openapi.ts describes them. The commands are services/external-jobs.ts's;
 * the route handlers under app/api/v1/jobs only read a request with these schemas and answer.
 */
import { z } from 'zod';
import {
  MAX_JOBS_PER_FETCH,
  MAX_LEASE_SECONDS,
  MAX_WAIT_SECONDS,
  type FinishedJob,
  type LockedJob,
} from '../services/external-jobs';
import { KEYED, type Operation } from './operation';
import { described, requestRegistry, responseRegistry } from './schemas';

// ——— Requests ———

const workerId = described(
  requestRegistry,
  z
    .string()
    .min(1)
    .max(100)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/),
  {
    description:
      'The worker’s own name for itself (e.g. `erp-sync-7f3a`, a host and process id): with the key, the lock on the jobs it fetched. Every command on a job sends the id it was fetched with.',
  },
);

const attempts = described(requestRegistry, z.int().min(1), {
  description:
    'The attempt this command is about: the `attempts` fetch-and-lock answered with the job. A command of an earlier attempt — its lease ran out and the job was fetched again, even by this same worker — is refused (409) and changes nothing.',
});

const jobType = z.string().min(1).max(200);
const leaseSeconds = z.int().min(1).max(MAX_LEASE_SECONDS);
const variables = z.record(z.string(), z.unknown());

export const fetchAndLockRequest = described(
  requestRegistry,
  z.strictObject({
    workerId,
    jobTypes: described(requestRegistry, z.array(jobType).min(1).max(50), {
      description:
        'The job types (service tasks’ `taskType`) to fetch. Every one must be in the key’s `jobTypes` scope, else the whole request is refused (403).',
    }),
    maxJobs: described(requestRegistry, z.int().min(1).max(MAX_JOBS_PER_FETCH).default(10), {
      description: `Most jobs to lock (1–${MAX_JOBS_PER_FETCH}).`,
    }),
    leaseSeconds: described(requestRegistry, leaseSeconds.default(60), {
      description: `How long the locks hold (1–${MAX_LEASE_SECONDS} seconds). A job not finished by then is fetched again by any worker; extend the lease for longer work.`,
    }),
    waitSeconds: described(requestRegistry, z.int().min(0).max(MAX_WAIT_SECONDS).default(0), {
      description: `Long polling: when no job is due, wait up to this many seconds (0–${MAX_WAIT_SECONDS}) and answer as soon as one is. Waiting holds no database connection; the answer is empty when none came.`,
    }),
  }),
  { id: 'FetchAndLockRequest', description: 'Fetches and locks due jobs of the given types.' },
);

export const jobPath = z.strictObject({
  id: described(requestRegistry, z.uuid(), { description: 'The job’s id, as fetch-and-lock answered it.' }),
});

export const completeJobRequest = described(
  requestRegistry,
  z.strictObject({
    workerId,
    attempts,
    variables: described(requestRegistry, variables.default({}), {
      description:
        'The job’s result: variables the instance goes on with (the task’s `set` mappings apply). `initiator` is set by the server only: a value sent for it is dropped.',
    }),
  }),
  { id: 'CompleteJobRequest', description: 'Completes a locked job with its result.' },
);

export const failJobRequest = described(
  requestRegistry,
  z.strictObject({
    workerId,
    attempts,
    message: described(requestRegistry, z.string().min(1).max(2_000), {
      description: 'What went wrong: kept as the job’s last error, and the incident’s message when it becomes one.',
    }),
    retries: described(requestRegistry, z.int().min(0).max(100).optional(), {
      description:
        'Tries left after this one (0: an incident now). Left out: the job’s own (the task’s `retries`, default 3), as for a built-in worker’s failure. It holds for this run of the job only: once its tries are used up, an incident retried by an admin starts again with the task’s own `retries`.',
    }),
    retryBackoffSeconds: described(requestRegistry, z.int().min(0).max(86_400).optional(), {
      description:
        'Seconds until the next try. Left out: the backoff every failed attempt gets (1, 2, 4, … seconds, at most an hour).',
    }),
  }),
  { id: 'FailJobRequest', description: 'Fails the current attempt of a locked job.' },
);

export const bpmnErrorRequest = described(
  requestRegistry,
  z.strictObject({
    workerId,
    attempts,
    code: described(requestRegistry, z.string().min(1).max(200), {
      description:
        'The BPMN error code: an error boundary event on the service task with this code (or none) catches it.',
    }),
    message: z.string().max(2_000).optional(),
    variables: described(requestRegistry, variables.optional(), {
      description: 'Variables set as the error is caught (`initiator`, set by the server only, is dropped).',
    }),
  }),
  {
    id: 'BpmnErrorRequest',
    description:
      'A business error of a locked job (a payment refused, an account closed): not a failure to retry, but an outcome the process models.',
  },
);

export const extendLockRequest = described(
  requestRegistry,
  z.strictObject({
    workerId,
    attempts,
    leaseSeconds: described(requestRegistry, leaseSeconds, {
      description: `The new lease, from now (1–${MAX_LEASE_SECONDS} seconds).`,
    }),
  }),
  { id: 'ExtendLockRequest', description: 'Extends the lease of a locked job.' },
);

// ——— Answers ———

const timestamp = z.iso.datetime();

const lockedJob = described(
  responseRegistry,
  z.looseObject({
    id: z.uuid(),
    jobType: z.string(),
    elementId: described(responseRegistry, z.string(), { description: 'The service task’s id.' }),
    instanceId: z.uuid(),
    processKey: z.string().nullable(),
    businessKey: described(responseRegistry, z.string().nullable(), {
      description: 'The instance’s business key (e.g. an invoice number), if its process names one.',
    }),
    variables: described(responseRegistry, variables, {
      description: 'The job’s input: the task’s `inputs`, else the instance’s variables.',
    }),
    settings: described(responseRegistry, z.record(z.string(), z.unknown()), {
      description: 'The service task’s settings, `=FEEL` values evaluated against the variables.',
    }),
    attempts: described(responseRegistry, z.int().min(1), {
      description:
        'This attempt’s number, from 1. A lease that ran out counts as an attempt. The job id stays the same: use it as the idempotency key of the work’s side effects.',
    }),
    retries: described(responseRegistry, z.int().min(0), {
      description: 'Tries left if this attempt fails (0: a failure raises an incident).',
    }),
    lockedUntil: timestamp,
  }),
  { id: 'LockedJob', description: 'A job locked for the worker that fetched it.' },
);

export const lockedJobs = described(responseRegistry, z.looseObject({ jobs: z.array(lockedJob) }), {
  id: 'LockedJobs',
  description: 'The jobs locked, oldest due first; none when none was due (and none came while it waited).',
});

export const finishedJob = described(
  responseRegistry,
  z.looseObject({
    id: z.uuid(),
    instanceId: z.uuid(),
    instanceStatus: described(responseRegistry, z.string(), {
      description: 'The instance after the step: `incident` when a BPMN error found no boundary event to catch it.',
    }),
    repeated: described(responseRegistry, z.literal(true).optional(), {
      description:
        'Present when this worker had already finished this attempt of the job by this same request: the retry did nothing again.',
    }),
  }),
  { id: 'FinishedJob', description: 'The job is done and the instance moved on.' },
);

export const failedJob = described(
  responseRegistry,
  z.looseObject({
    id: z.uuid(),
    outcome: described(responseRegistry, z.enum(['retry', 'incident']), {
      description: '`retry`: it will be fetched again after its backoff; `incident`: its tries are used up.',
    }),
  }),
  { id: 'FailedJob', description: 'What became of the failed job.' },
);

export const extendedLock = described(responseRegistry, z.looseObject({ id: z.uuid(), lockedUntil: timestamp }), {
  id: 'ExtendedLock',
  description: 'The job’s new lease.',
});

/** A locked job as answered. */
export function lockedJobView(job: LockedJob): z.input<typeof lockedJob> {
  return { ...job, lockedUntil: job.lockedUntil.toISOString() };
}

/** A finished job as answered. */
export function finishedJobView(job: FinishedJob): z.input<typeof finishedJob> {
  return { ...job };
}

// ——— Operations ———

/** What every command on a fetched job may be refused with, beyond any keyed operation's. */
const ON_A_JOB = [...KEYED, 'NOT_FOUND', 'CONFLICT'] as const;

const LOCK_RULES =
  'Needs the lock: the key and `workerId` that fetched the job, for the attempt it names (`attempts`), within its lease (else 409, saying the lock was lost or the attempt is over). Another company’s job is not found; a job type outside the key’s `jobTypes` scope is refused (403).';

const REPEATS =
  'The same request sent again by the same worker for the same attempt (its answer was lost) answers the same with `repeated: true` and does nothing again; another result for a job that has ended is refused (409: a late attempt, whose lease ran out). A result that met another path of the instance moving at the same moment is tried again by the server; when it still cannot be used, the answer is 409 with `retryable: true` — nothing changed, the lock is kept, send the same request again.';

export const jobOperations: Operation[] = [
  {
    method: 'post',
    path: '/jobs/fetch-and-lock',
    operationId: 'fetchAndLockJobs',
    summary: 'Fetch and lock jobs',
    description:
      'Locks due service jobs of the given types for the worker, for `leaseSeconds`: each attempt counts (`attempts`). With `waitSeconds`, waits for a job when none is due (long polling). Needs a key whose `jobTypes` scope lists every type asked for. Waiting places are limited per key, per company and per server: beyond them the answer is 503 (`retryable`). A key revoked while its fetch waits locks nothing more: the fetch answers 401.',
    body: fetchAndLockRequest,
    success: { status: 200, description: 'The jobs locked (maybe none).', schema: lockedJobs },
    refusals: [...KEYED, 'PAYLOAD_TOO_LARGE'],
  },
  {
    method: 'post',
    path: '/jobs/{id}/complete',
    operationId: 'completeJob',
    summary: 'Complete a job',
    description: `The job is done: its instance moves on with the variables, in one step. ${LOCK_RULES} ${REPEATS}`,
    pathParams: jobPath,
    body: completeJobRequest,
    success: { status: 200, description: 'Completed.', schema: finishedJob },
    refusals: [...ON_A_JOB, 'PAYLOAD_TOO_LARGE'],
  },
  {
    method: 'post',
    path: '/jobs/{id}/fail',
    operationId: 'failJob',
    summary: 'Fail a job’s attempt',
    description: `The attempt failed: the job is tried again after a backoff, or becomes an incident when its tries are used up, as a built-in worker’s failure. ${LOCK_RULES}`,
    pathParams: jobPath,
    body: failJobRequest,
    success: { status: 200, description: 'Released for a retry, or an incident.', schema: failedJob },
    refusals: [...ON_A_JOB],
  },
  {
    method: 'post',
    path: '/jobs/{id}/bpmn-error',
    operationId: 'throwJobError',
    summary: 'Raise a BPMN error',
    description: `A business error at the job’s service task, caught by an error boundary event on it; uncaught, the instance stops with an incident. ${LOCK_RULES} ${REPEATS}`,
    pathParams: jobPath,
    body: bpmnErrorRequest,
    success: { status: 200, description: 'The error was raised.', schema: finishedJob },
    refusals: [...ON_A_JOB, 'PAYLOAD_TOO_LARGE'],
  },
  {
    method: 'post',
    path: '/jobs/{id}/extend-lock',
    operationId: 'extendJobLock',
    summary: 'Extend a job’s lease',
    description: `The lock now holds \`leaseSeconds\` from now. ${LOCK_RULES}`,
    pathParams: jobPath,
    body: extendLockRequest,
    success: { status: 200, description: 'The new lease.', schema: extendedLock },
    refusals: [...ON_A_JOB],
  },
];
