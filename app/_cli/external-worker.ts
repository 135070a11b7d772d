/**
 * A small typed client for external job workers: a program outside Trellis that does the work of
 * service tasks of given job types over the REST API (/api/v1/jobs/…) with an API key. Plain
 * `fetch`, nothing of the server imported: a script imports it (through tsx, or Node's type
 * stripping) or runs it as `trellis worker --external` (externalWorkerCommand).
 *
 * createExternalWorker runs a fetch-and-lock loop (long polling: a job is answered as soon as it
 * is due) and hands each job to `handler`: what it returns completes the job with those variables;
 * what it throws fails the attempt (the server backs off and raises an incident when the tries are
 * used up); `ctx.bpmnError(code)` (or throwing a BpmnError) raises a business error for a boundary
 * event to catch. Every command names the job's attempt (`job.attempts`): a late command of an
 * attempt that is over is refused by the server, even when this worker holds the next one.
 *
 * While a handler runs, its lease is extended every leaseSeconds / 2. When the lock is lost anyway
 * (the server answers an extension 409: the worker was stalled past its lease, or the job was
 * cancelled) `ctx.signal` aborts: a handler that passes it to its own calls stops early. Its
 * report is then refused (counted as `lost`): another attempt does the work again, so side effects
 * must be idempotent — the job id is the same on every attempt: pass it on as their idempotency key.
 *
 * Network failures, busy servers (5xx, 429) and conflicts the server calls retryable (409 with
 * `retryable`) are retried with backoff; a completion is safe to send again (the server answers a
 * repeat of it without acting twice). A completion or BPMN error the server refuses otherwise (a
 * 4xx: a result that is not an object of variables, too large, …) fails the attempt with the
 * server's message, so the job's retries and incident apply instead of the job coming back at
 * every lease. A refused key or scope (401, 403) or a fetch the server cannot read (400) stops the
 * worker: retrying cannot help. stop() ends the wait in progress (the server hands back what it
 * locked just then), lets the jobs in hand finish and report, and resolves.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** A job as fetch-and-lock answers it (the API's LockedJob). */
export interface ExternalJob {
  id: string;
  jobType: string;
  elementId: string;
  instanceId: string;
  processKey: string | null;
  businessKey: string | null;
  variables: Record<string, unknown>;
  settings: Record<string, unknown>;
  /** This attempt's number, from 1. */
  attempts: number;
  /** Tries left if this attempt fails. */
  retries: number;
  lockedUntil: string;
}

/** A business error (caught by an error boundary event): throw it from a handler, or call ctx.bpmnError. */
export class BpmnError extends Error {
  override readonly name = 'BpmnError';
  constructor(
    readonly code: string,
    message?: string,
    readonly variables?: Record<string, unknown>,
  ) {
    super(message ?? code);
  }
}

/** A refusal or failure answered by the server: its HTTP status, `code` and message (in the locale asked for). */
export class TrellisApiError extends Error {
  override readonly name = 'TrellisApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

export interface FailOptions {
  /** Tries left after this one (0: an incident now); default the job's own. */
  retries?: number;
  /** Seconds until the next try; default the server's backoff (1, 2, 4, … s). */
  retryBackoffSeconds?: number;
}

export interface BpmnErrorOptions {
  message?: string;
  variables?: Record<string, unknown>;
}

/** What a handler may do with its job beyond returning or throwing. Each reports at most once. */
export interface JobContext {
  complete(variables?: Record<string, unknown>): Promise<void>;
  fail(message: string, options?: FailOptions): Promise<void>;
  bpmnError(code: string, options?: BpmnErrorOptions): Promise<void>;
  /** A new lease, `seconds` from now (the worker extends it by itself while the handler runs). */
  extendLock(seconds: number): Promise<void>;
  /** Aborted when the job's lock is lost (an extension was refused): the work will be done by another attempt. */
  signal: AbortSignal;
}

export type JobHandler = (
  job: ExternalJob,
  ctx: JobContext,
) => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;

/** What the worker tells its log. */
export type WorkerEvent =
  | { type: 'completed' | 'failed' | 'bpmnError'; job: ExternalJob; detail?: string }
  | { type: 'lost'; job: ExternalJob; detail: string }
  | { type: 'retrying'; detail: string; delayMs: number }
  | { type: 'error'; detail: string; job?: ExternalJob };

export interface ExternalWorkerOptions {
  /** Where Trellis answers, e.g. `https://trellis.example.com` (the API is under /api/v1). */
  baseUrl: string;
  /** The API key's token (`trk_…`), with the job types in its `jobTypes` scope. */
  apiKey: string;
  /** This worker's name, half of its locks; default `<host>-<random>`. */
  workerId?: string;
  jobTypes: string[];
  handler: JobHandler;
  /** How long a fetched job is locked (default 60 s): longer than the handler takes, or extend it. */
  leaseSeconds?: number;
  /** How long a fetch waits for a job (default 30 s, at most 60); 0: no long polling, fetch every POLL_MS. */
  waitSeconds?: number;
  /** Jobs handled at once (default 1). */
  concurrency?: number;
  /** The language of the server's messages (default en). */
  locale?: 'en' | 'vi';
  onEvent?: (event: WorkerEvent) => void;
  /** For tests: another fetch. */
  fetch?: typeof fetch;
}

export interface ExternalWorker {
  readonly workerId: string;
  /** Jobs by how they ended here; `lost`: its lease ran out before the handler reported. */
  readonly counts: Readonly<Record<'completed' | 'failed' | 'bpmnErrors' | 'lost', number>>;
  /** Settles when the worker has stopped: resolves after stop(), rejects with a refusal it cannot go on from (401, 403, 400). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/** The API's job commands, with the key: what createExternalWorker uses, for a script that drives them itself. */
export function createJobsClient(options: Pick<ExternalWorkerOptions, 'baseUrl' | 'apiKey' | 'locale' | 'fetch'>) {
  const base = `${options.baseUrl.replace(/\/+$/, '')}/api/v1/jobs`;
  const send = options.fetch ?? fetch;
  const post = async <T>(route: string, body: unknown, signal?: AbortSignal): Promise<T> => {
    const res = await send(`${base}/${route}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${options.apiKey}`,
        'content-type': 'application/json',
        'accept-language': options.locale ?? 'en',
      },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
    const text = await res.text();
    let answer: Record<string, unknown> = {};
    try {
      answer = JSON.parse(text) as Record<string, unknown>;
    } catch {
      // a proxy's error page: the status says enough
    }
    if (!res.ok)
      throw new TrellisApiError(
        res.status,
        typeof answer.code === 'string' ? answer.code : `HTTP_${res.status}`,
        typeof answer.message === 'string' ? answer.message : `${res.status} ${res.statusText}`,
        answer.retryable === true || res.status >= 500 || res.status === 429,
      );
    return answer as T;
  };
  const job = (id: string, command: string) => `${encodeURIComponent(id)}/${command}`;
  return {
    fetchAndLock: async (
      request: { workerId: string; jobTypes: string[]; maxJobs?: number; leaseSeconds?: number; waitSeconds?: number },
      signal?: AbortSignal,
    ) => (await post<{ jobs: ExternalJob[] }>('fetch-and-lock', request, signal)).jobs,
    complete: (id: string, body: Holder & { variables?: Record<string, unknown> }) =>
      post<{ instanceStatus: string; repeated?: true }>(job(id, 'complete'), body),
    fail: (id: string, body: Holder & { message: string } & FailOptions) =>
      post<{ outcome: 'retry' | 'incident' }>(job(id, 'fail'), body),
    bpmnError: (id: string, body: Holder & { code: string } & BpmnErrorOptions) =>
      post<{ instanceStatus: string; repeated?: true }>(job(id, 'bpmn-error'), body),
    extendLock: (id: string, body: Holder & { leaseSeconds: number }) =>
      post<{ lockedUntil: string }>(job(id, 'extend-lock'), body),
  };
}

/** Who sends a command on a job: the worker, and the attempt its fetch answered (ExternalJob.attempts). */
export interface Holder {
  workerId: string;
  attempts: number;
}

/** Failures worth sending again: no answer at all (the network, a restart), or a server that says so. */
function retryable(error: unknown): boolean {
  return error instanceof TrellisApiError ? error.retryable : !(error instanceof BpmnError);
}

/** The wait before try `n` (from 1) after a failure: 0.5, 1, 2, … s, at most 30 s, give or take a fifth. */
function backoffMs(n: number): number {
  return Math.min(30_000, 500 * 2 ** (n - 1)) * (0.8 + Math.random() * 0.4);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Most tries of one report (complete, fail, BPMN error) over a failing network before it is given up (the lease then returns the job). */
const REPORT_TRIES = 6;
/** With `waitSeconds: 0` (no long polling): how long the worker waits after a fetch that found nothing. */
export const POLL_MS = 1_000;

/** How a report ended: sent; lost (the lock is gone: 409); refused otherwise (a 4xx retrying cannot help); or given up. */
type Reported = { sent: true } | { sent: false; why: 'lost' | 'refused' | 'error'; message: string };

/** Starts a worker: it fetches and handles jobs until stopped. */
export function createExternalWorker(options: ExternalWorkerOptions): ExternalWorker {
  const workerId = options.workerId ?? `${hostname().replace(/[^A-Za-z0-9._-]/g, '-')}-${randomUUID().slice(0, 8)}`;
  const client = createJobsClient(options);
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const leaseSeconds = options.leaseSeconds ?? 60;
  const waitSeconds = options.waitSeconds ?? 30;
  const emit = (event: WorkerEvent) => options.onEvent?.(event);
  const counts = { completed: 0, failed: 0, bpmnErrors: 0, lost: 0 };
  const stopping = new AbortController();
  const running = new Set<Promise<void>>();

  /** Sends one report, again over network failures and retryable refusals (a 409 with `retryable` too). */
  const report = async (send: () => Promise<unknown>): Promise<Reported> => {
    for (let n = 1; ; n++) {
      try {
        await send();
        return { sent: true };
      } catch (error) {
        const message = (error as Error).message;
        if (!retryable(error) || n >= REPORT_TRIES) {
          const status = error instanceof TrellisApiError ? error.status : 0;
          const why = retryable(error)
            ? 'error'
            : status === 409
              ? 'lost'
              : status >= 400 && status < 500
                ? 'refused'
                : 'error';
          return { sent: false, why, message };
        }
        const delayMs = backoffMs(n);
        emit({ type: 'retrying', detail: message, delayMs });
        await sleep(delayMs);
      }
    }
  };

  /**
   * Extends the job's lease every leaseSeconds / 2 while its handler runs. A 409 (the lock is
   * lost) aborts `lost`, the handler's ctx.signal; other failures are told and tried at the next
   * turn (the lease may still hold).
   */
  const keepLease = (job: ExternalJob, lost: AbortController) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let over = false;
    const extend = async (seconds: number) => {
      try {
        await client.extendLock(job.id, { workerId, attempts: job.attempts, leaseSeconds: seconds });
      } catch (error) {
        if (error instanceof TrellisApiError && error.status === 409 && !error.retryable) {
          over = true;
          lost.abort(error);
        }
        throw error;
      }
    };
    const turn = () => {
      timer = setTimeout(
        async () => {
          try {
            await extend(leaseSeconds);
          } catch (error) {
            if (!over) emit({ type: 'error', job, detail: `lease extension failed: ${(error as Error).message}` });
          }
          if (!over) turn();
        },
        (leaseSeconds * 1_000) / 2,
      );
    };
    turn();
    return {
      extend,
      stop() {
        over = true;
        clearTimeout(timer);
      },
    };
  };

  const handle = async (job: ExternalJob) => {
    const holder = { workerId, attempts: job.attempts };
    const lost = new AbortController();
    const lease = keepLease(job, lost);
    let reported = false;
    /** Counts a report's end: sent, or lost (the lock is gone), or told as an error. */
    const settle = (
      result: Reported,
      count: 'completed' | 'failed' | 'bpmnErrors',
      type: 'completed' | 'failed' | 'bpmnError',
      detail?: string,
    ) => {
      if (result.sent) {
        counts[count]++;
        emit({ type, job, ...(detail ? { detail } : {}) });
      } else if (result.why === 'lost') {
        counts.lost++;
        emit({ type: 'lost', job, detail: result.message });
      } else emit({ type: 'error', job, detail: result.message });
    };
    const fail = async (message: string, failOptions: FailOptions = {}) =>
      settle(
        await report(() => client.fail(job.id, { ...holder, message, ...failOptions })),
        'failed',
        'failed',
        message,
      );
    /**
     * A result (completion or BPMN error): one the server refuses for itself (a 4xx other than a
     * lost lock) fails the attempt with the server's reason, so retries and the incident apply.
     */
    const finish = async (
      send: () => Promise<unknown>,
      count: 'completed' | 'bpmnErrors',
      type: 'completed' | 'bpmnError',
      detail?: string,
    ) => {
      const result = await report(send);
      if (!result.sent && result.why === 'refused') return fail(`The job’s result was refused: ${result.message}`);
      settle(result, count, type, detail);
    };
    const once =
      <A extends unknown[]>(what: (...args: A) => Promise<void>) =>
      async (...args: A) => {
        if (reported) return;
        reported = true;
        await what(...args);
      };
    const ctx: JobContext = {
      complete: once((variables: Record<string, unknown> = {}) =>
        finish(() => client.complete(job.id, { ...holder, variables }), 'completed', 'completed'),
      ),
      fail: once((message: string, failOptions: FailOptions = {}) => fail(message, failOptions)),
      bpmnError: once((code: string, errorOptions: BpmnErrorOptions = {}) =>
        finish(() => client.bpmnError(job.id, { ...holder, code, ...errorOptions }), 'bpmnErrors', 'bpmnError', code),
      ),
      extendLock: async (seconds) => {
        await lease.extend(seconds);
      },
      signal: lost.signal,
    };
    try {
      try {
        const variables = await options.handler(job, ctx);
        await ctx.complete((variables ?? {}) as Record<string, unknown>);
      } catch (error) {
        const thrown = error as Partial<BpmnError> | null;
        if (thrown?.name === 'BpmnError' && typeof thrown.code === 'string')
          await ctx.bpmnError(thrown.code, {
            ...(thrown.message && thrown.message !== thrown.code ? { message: thrown.message } : {}),
            ...(thrown.variables ? { variables: thrown.variables } : {}),
          });
        else await ctx.fail(String((error as Error)?.message ?? error).slice(0, 2_000) || 'The handler failed.');
      }
    } finally {
      // Kept while reporting too: a report retried over a failing network must not lose the lease meanwhile.
      lease.stop();
    }
  };

  const loop = async () => {
    let failures = 0;
    while (!stopping.signal.aborted) {
      if (running.size >= concurrency) {
        await Promise.race(running);
        continue;
      }
      let jobs: ExternalJob[];
      try {
        jobs = await client.fetchAndLock(
          { workerId, jobTypes: options.jobTypes, maxJobs: concurrency - running.size, leaseSeconds, waitSeconds },
          stopping.signal,
        );
        failures = 0;
      } catch (error) {
        if (stopping.signal.aborted) break;
        if (!retryable(error)) throw error;
        const delayMs = backoffMs(++failures);
        emit({ type: 'retrying', detail: (error as Error).message, delayMs });
        await sleep(delayMs, stopping.signal);
        continue;
      }
      for (const job of jobs) {
        const run = handle(job).finally(() => running.delete(run));
        running.add(run);
      }
      // Without long polling, an empty answer is not fetched again at once.
      if (jobs.length === 0 && waitSeconds === 0) await sleep(POLL_MS, stopping.signal);
    }
  };

  const done = loop().finally(async () => {
    stopping.abort();
    await Promise.allSettled(running);
  });
  // A worker nobody awaits must not crash its process with an unhandled rejection before stop().
  done.catch(() => {});
  return {
    workerId,
    counts,
    done,
    async stop() {
      stopping.abort();
      await done.catch(() => {});
    },
  };
}

type Out = { log: (text: string) => void; error: (text: string) => void };

const USAGE =
  'usage: trellis worker --external --job-type TYPE [--job-type TYPE ...] --handler FILE [--url URL] [--worker-id ID] [--lease-seconds 1-3600] [--wait-seconds 0-60] [--concurrency N]\n' +
  '  TRELLIS_API_KEY: the API key (never on the command line); TRELLIS_URL or --url: where Trellis answers (default http://localhost:3000).\n' +
  '  FILE exports (default, or as `handler`) async (job, { complete, fail, bpmnError, extendLock, signal }) => variables.';

/** What `trellis worker --external` was asked for, read from its arguments. */
export interface WorkerArgs {
  jobTypes: string[];
  handlerFile: string;
  url?: string;
  workerId?: string;
  leaseSeconds?: number;
  waitSeconds?: number;
  concurrency?: number;
}

/** Reads the command's arguments: what it was asked for, or what is wrong with them (a number out of range names the option). */
export function readWorkerArgs(args: string[]): WorkerArgs | { problem: string } {
  const values = (name: string) => args.flatMap((arg, i) => (arg === name && args[i + 1] ? [args[i + 1]!] : []));
  const numbers: Partial<Record<'leaseSeconds' | 'waitSeconds' | 'concurrency', number>> = {};
  for (const [option, field, min, max] of [
    ['--lease-seconds', 'leaseSeconds', 1, 3_600],
    ['--wait-seconds', 'waitSeconds', 0, 60],
    ['--concurrency', 'concurrency', 1, 100],
  ] as const) {
    const [text] = values(option);
    if (text === undefined) continue;
    const value = Number(text);
    if (!/^\d+$/.test(text) || value < min || value > max)
      return { problem: `${option} takes a whole number from ${min} to ${max}, not "${text}".` };
    numbers[field] = value;
  }
  const jobTypes = values('--job-type');
  const [handlerFile] = values('--handler');
  if (jobTypes.length === 0 || !handlerFile)
    return { problem: 'Name the job types (--job-type) and the handler (--handler).' };
  const [url] = values('--url');
  const [workerId] = values('--worker-id');
  return { jobTypes, handlerFile, ...(url ? { url } : {}), ...(workerId ? { workerId } : {}), ...numbers };
}

/**
 * `trellis worker --external`: works jobs of the given types with the handler FILE exports, over
 * HTTP with TRELLIS_API_KEY. SIGTERM or SIGINT lets the jobs in hand finish and report, then exits.
 */
export async function externalWorkerCommand(args: string[], out: Out): Promise<number> {
  const read = readWorkerArgs(args);
  const apiKey = process.env.TRELLIS_API_KEY;
  if ('problem' in read || !apiKey) {
    if (!apiKey)
      out.error(
        'trellis worker --external needs TRELLIS_API_KEY: an API key whose jobTypes scope lists the job types.',
      );
    if ('problem' in read) out.error(read.problem);
    out.error(USAGE);
    return 2;
  }
  const { jobTypes, handlerFile, url, ...tuning } = read;
  const module = (await import(pathToFileURL(path.resolve(handlerFile)).href)) as {
    default?: unknown;
    handler?: unknown;
  };
  const handler = (typeof module.default === 'function' ? module.default : module.handler) as JobHandler | undefined;
  if (typeof handler !== 'function') {
    out.error(`${handlerFile} exports no handler: export default async function (job, ctx) { … }.`);
    return 2;
  }
  const worker = createExternalWorker({
    baseUrl: url ?? process.env.TRELLIS_URL ?? 'http://localhost:3000',
    apiKey,
    jobTypes,
    handler,
    ...tuning,
    onEvent: (event) => {
      const job =
        'job' in event && event.job ? ` ${event.job.jobType} ${event.job.id} (attempt ${event.job.attempts})` : '';
      const detail = event.detail ? `: ${event.detail}` : '';
      const line = `external worker: ${event.type}${job}${detail}`;
      if (event.type === 'error' || event.type === 'lost' || event.type === 'retrying') out.error(line);
      else out.log(line);
    },
  });
  // The handlers go in before "running" is printed: whoever waits for that line may signal at once.
  const stopped = new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  out.log(`external worker ${worker.workerId} running for ${jobTypes.join(', ')} (Ctrl-C or SIGTERM to stop)`);
  let code = 0;
  await Promise.race([
    stopped,
    worker.done.catch((error: unknown) => {
      out.error(`external worker: stopped by a refusal: ${(error as Error).message}`);
      code = 1;
    }),
  ]);
  await worker.stop();
  const { completed, failed, bpmnErrors, lost } = worker.counts;
  out.log(
    `external worker ${worker.workerId} stopped; completed=${completed} failed=${failed} bpmnErrors=${bpmnErrors} lost=${lost}`,
  );
  return code;
}
