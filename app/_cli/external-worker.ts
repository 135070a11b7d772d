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
 * event to catch; `ctx.extendLock(s)` keeps a long job. The job id is the same on every attempt:
 * pass it on as the idempotency key of the work's side effects. A lease that runs out while the
 * handler still works loses the job (the server answers 409; counted as `lost`): another attempt
 * will do it again, so side effects must be idempotent.
 *
 * Network failures and busy servers (5xx, 429) are retried with backoff; a completion is safe to
 * send again (the server answers a repeat of it without acting twice). A refused key or scope
 * (401, 403) or a request the server cannot read (400) stops the worker: retrying cannot help.
 * stop() ends the wait in progress (the server hands back what it locked just then), lets the jobs
 * in hand finish and report, and resolves.
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
  /** A new lease, `seconds` from now. */
  extendLock(seconds: number): Promise<void>;
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
  /** How long a fetch waits for a job (default 30 s, at most 60). */
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
    complete: (id: string, body: { workerId: string; variables?: Record<string, unknown> }) =>
      post<{ instanceStatus: string; repeated?: true }>(job(id, 'complete'), body),
    fail: (id: string, body: { workerId: string; message: string } & FailOptions) =>
      post<{ outcome: 'retry' | 'incident' }>(job(id, 'fail'), body),
    bpmnError: (id: string, body: { workerId: string; code: string } & BpmnErrorOptions) =>
      post<{ instanceStatus: string; repeated?: true }>(job(id, 'bpmn-error'), body),
    extendLock: (id: string, body: { workerId: string; leaseSeconds: number }) =>
      post<{ lockedUntil: string }>(job(id, 'extend-lock'), body),
  };
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

/** Starts a worker: it fetches and handles jobs until stopped. */
export function createExternalWorker(options: ExternalWorkerOptions): ExternalWorker {
  const workerId = options.workerId ?? `${hostname().replace(/[^A-Za-z0-9._-]/g, '-')}-${randomUUID().slice(0, 8)}`;
  const client = createJobsClient(options);
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const emit = (event: WorkerEvent) => options.onEvent?.(event);
  const counts = { completed: 0, failed: 0, bpmnErrors: 0, lost: 0 };
  const stopping = new AbortController();
  const running = new Set<Promise<void>>();

  /** Sends one report, again over network failures; a 409 (the lock is gone) is the job lost, not an error. */
  const report = async (job: ExternalJob, send: () => Promise<unknown>): Promise<boolean> => {
    for (let n = 1; ; n++) {
      try {
        await send();
        return true;
      } catch (error) {
        if (error instanceof TrellisApiError && error.status === 409) {
          counts.lost++;
          emit({ type: 'lost', job, detail: error.message });
          return false;
        }
        if (!retryable(error) || n >= REPORT_TRIES) {
          emit({ type: 'error', job, detail: (error as Error).message });
          return false;
        }
        const delayMs = backoffMs(n);
        emit({ type: 'retrying', detail: (error as Error).message, delayMs });
        await sleep(delayMs);
      }
    }
  };

  const handle = async (job: ExternalJob) => {
    let reported = false;
    const once = async (
      what: () => Promise<boolean>,
      count: 'completed' | 'failed' | 'bpmnErrors',
      type: WorkerEvent['type'],
      detail?: string,
    ) => {
      if (reported) return;
      reported = true;
      if (await what()) {
        counts[count]++;
        emit({ type, job, ...(detail ? { detail } : {}) } as WorkerEvent);
      }
    };
    const ctx: JobContext = {
      complete: (variables = {}) =>
        once(() => report(job, () => client.complete(job.id, { workerId, variables })), 'completed', 'completed'),
      fail: (message, failOptions = {}) =>
        once(
          () => report(job, () => client.fail(job.id, { workerId, message, ...failOptions })),
          'failed',
          'failed',
          message,
        ),
      bpmnError: (code, errorOptions = {}) =>
        once(
          () => report(job, () => client.bpmnError(job.id, { workerId, code, ...errorOptions })),
          'bpmnErrors',
          'bpmnError',
          code,
        ),
      extendLock: async (seconds) => {
        await client.extendLock(job.id, { workerId, leaseSeconds: seconds });
      },
    };
    try {
      const variables = await options.handler(job, ctx);
      await ctx.complete(variables ?? {});
    } catch (error) {
      const thrown = error as Partial<BpmnError> | null;
      if (thrown?.name === 'BpmnError' && typeof thrown.code === 'string')
        await ctx.bpmnError(thrown.code, {
          ...(thrown.message && thrown.message !== thrown.code ? { message: thrown.message } : {}),
          ...(thrown.variables ? { variables: thrown.variables } : {}),
        });
      else await ctx.fail(String((error as Error)?.message ?? error).slice(0, 2_000) || 'The handler failed.');
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
          {
            workerId,
            jobTypes: options.jobTypes,
            maxJobs: concurrency - running.size,
            leaseSeconds: options.leaseSeconds ?? 60,
            waitSeconds: options.waitSeconds ?? 30,
          },
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
  'usage: trellis worker --external --job-type TYPE [--job-type TYPE ...] --handler FILE [--url URL] [--worker-id ID] [--lease-seconds N] [--wait-seconds N] [--concurrency N]\n' +
  '  TRELLIS_API_KEY: the API key (never on the command line); TRELLIS_URL or --url: where Trellis answers (default http://localhost:3000).\n' +
  '  FILE exports (default, or as `handler`) async (job, { complete, fail, bpmnError, extendLock }) => variables.';

/**
 * `trellis worker --external`: works jobs of the given types with the handler FILE exports, over
 * HTTP with TRELLIS_API_KEY. SIGTERM or SIGINT lets the jobs in hand finish and report, then exits.
 */
export async function externalWorkerCommand(args: string[], out: Out): Promise<number> {
  const values = (name: string) => args.flatMap((arg, i) => (arg === name && args[i + 1] ? [args[i + 1]!] : []));
  const number = (name: string) => {
    const value = Number(values(name)[0]);
    return Number.isInteger(value) && value > 0 ? value : undefined;
  };
  const jobTypes = values('--job-type');
  const [handlerFile] = values('--handler');
  const apiKey = process.env.TRELLIS_API_KEY;
  if (jobTypes.length === 0 || !handlerFile || !apiKey) {
    if (!apiKey)
      out.error(
        'trellis worker --external needs TRELLIS_API_KEY: an API key whose jobTypes scope lists the job types.',
      );
    out.error(USAGE);
    return 2;
  }
  const module = (await import(pathToFileURL(path.resolve(handlerFile)).href)) as {
    default?: unknown;
    handler?: unknown;
  };
  const handler = (typeof module.default === 'function' ? module.default : module.handler) as JobHandler | undefined;
  if (typeof handler !== 'function') {
    out.error(`${handlerFile} exports no handler: export default async function (job, ctx) { … }.`);
    return 2;
  }
  const [workerId] = values('--worker-id');
  const leaseSeconds = number('--lease-seconds');
  const waitSeconds = number('--wait-seconds');
  const concurrency = number('--concurrency');
  const worker = createExternalWorker({
    baseUrl: values('--url')[0] ?? process.env.TRELLIS_URL ?? 'http://localhost:3000',
    apiKey,
    jobTypes,
    handler,
    ...(workerId ? { workerId } : {}),
    ...(leaseSeconds ? { leaseSeconds } : {}),
    ...(waitSeconds ? { waitSeconds } : {}),
    ...(concurrency ? { concurrency } : {}),
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
