/**
 * The schedule of process-level timer start events: one `jobs` row (kind `timer`, definition_id
 * set, no instance) per timer start event of the newest published version of each process key.
 * Publishing a version moves its key's schedule to it, as in Camunda (the newest version owns
 * it); a worker firing one (jobs.ts, runStartTimer) starts an instance and, for a cycle, schedules
 * the next occurrence here, in the same transaction. When each fires is the engine's to say
 * (engine/runtime/start-timers.ts); times are the database's clock.
 *
 * Bounded twice: a publish refuses cycles below the engine's floors (TRELLIS_MIN_START_TIMER_
 * CYCLE_SECONDS, …), and, for versions stored before those existed, the start timers of one
 * version start at most TRELLIS_MAX_TIMER_STARTS_PER_MINUTE instances within a minute: past
 * it the version's start-timer jobs become incidents (status failed) and its schedule stops. A late
 * firing never catches up: the next occurrence is the first after the database's now.
 *
 * Never starts instances itself, and never touches jobs of instances.
 */
import { and, eq, gt, inArray, lt, or, sql } from 'drizzle-orm';
import { nextStartTimer, startTimers, type StartTimer, type TimerLimits } from '@/engine';
import type { Executor } from '@/db/client';
import { jobs, processDefinitions, type Job, type ProcessDefinitionRow } from '@/db/schema';
import { readEnv, timerLimitsOf } from '../env';
import { AppError } from '../errors';
import { appendAudit } from './audit';

/** Instances the start timers of one process version may start within a minute, unless TRELLIS_MAX_TIMER_STARTS_PER_MINUTE says otherwise. */
export const DEFAULT_MAX_TIMER_STARTS_PER_MINUTE = 60;

let fromEnv: { timerLimits: Partial<TimerLimits>; maxStartsPerMinute: number } | undefined;

function settings() {
  if (!fromEnv) {
    const env = readEnv();
    fromEnv = {
      timerLimits: timerLimitsOf(env),
      maxStartsPerMinute: env.TRELLIS_MAX_TIMER_STARTS_PER_MINUTE ?? DEFAULT_MAX_TIMER_STARTS_PER_MINUTE,
    };
  }
  return fromEnv;
}

/** The timer floors and caps publishing and compiling use (TRELLIS_MIN_START_TIMER_CYCLE_SECONDS, …; engine defaults otherwise). */
export function configuredTimerLimits(): Partial<TimerLimits> {
  return settings().timerLimits;
}

/** The start-timer rate cap (TRELLIS_MAX_TIMER_STARTS_PER_MINUTE, default 60). */
export function maxTimerStartsPerMinute(): number {
  return settings().maxStartsPerMinute;
}

type Version = Pick<ProcessDefinitionRow, 'id' | 'tenantId' | 'key' | 'version' | 'definition'>;

/**
 * In the publish transaction: the version just published (`publishedAt` is the database's clock
 * of that transaction) takes over its key's start-timer schedule. The older versions' pending
 * start timers are cancelled; this version's are scheduled, due at their date, at publish time +
 * their duration, or at their cycle's first occurrence. A version published after a newer one
 * (an older version number) leaves the schedule alone. A timer that cannot be scheduled refuses
 * the publish, naming the start event.
 */
export async function moveStartTimers(
  tx: Executor,
  row: Version & Pick<ProcessDefinitionRow, 'publishedAt'>,
): Promise<void> {
  const { timers, problems } = startTimers(row.definition, row.publishedAt.toISOString(), {
    limits: configuredTimerLimits(),
  });
  if (problems.length > 0)
    throw new AppError(
      'BAD_REQUEST',
      `Process "${row.key}" cannot be published: ${problems.map((p) => p.message).join(' ')}`,
    );
  if (await newerVersionOf(tx, row)) return;
  const older = tx
    .select({ id: processDefinitions.id })
    .from(processDefinitions)
    .where(
      and(
        eq(processDefinitions.tenantId, row.tenantId),
        eq(processDefinitions.key, row.key),
        lt(processDefinitions.version, row.version),
      ),
    );
  // A running one is held by a worker firing it: this waits for that transaction, then finds it done.
  // A failed one (an incident: retries ran out, or the rate cap stopped it) is no longer anyone's problem.
  await tx
    .update(jobs)
    .set({ status: 'cancelled', completedAt: sql`now()`, lockedBy: null, lockedUntil: null })
    .where(
      and(
        eq(jobs.tenantId, row.tenantId),
        inArray(jobs.definitionId, older),
        inArray(jobs.status, ['pending', 'running', 'failed']),
      ),
    );
  if (timers.length > 0) await tx.insert(jobs).values(timers.map((t) => startTimerJob(row, t)));
}

/** Whether a newer version of the process is published: then it, not `row`, owns the schedule. */
export async function newerVersionOf(
  tx: Executor,
  row: Pick<ProcessDefinitionRow, 'tenantId' | 'key' | 'version'>,
): Promise<boolean> {
  const [newer] = await tx
    .select({ id: processDefinitions.id })
    .from(processDefinitions)
    .where(
      and(
        eq(processDefinitions.tenantId, row.tenantId),
        eq(processDefinitions.key, row.key),
        gt(processDefinitions.version, row.version),
      ),
    )
    .limit(1);
  return newer !== undefined;
}

/** The firing a start-timer job stands for: its start event, when it was due, the firings left after it. */
export function firingOf(job: Job): StartTimer {
  const left = job.payload.left;
  return {
    elementId: job.elementId,
    // The time it was scheduled for, not due_at: a retry after a failure moves due_at on.
    dueAt: typeof job.payload.dueAt === 'string' ? job.payload.dueAt : job.dueAt.toISOString(),
    left: typeof left === 'number' ? left : left === null ? null : 0,
  };
}

/**
 * Instances a start event's firings started in its current window: a minute from the first of
 * them. Carried from each firing's job to the next (one pending job per start event).
 */
interface StartedInWindow {
  /** When the window began (ISO 8601, the database's clock). */
  since: string;
  count: number;
}

/** What the rate cap reads when a start timer fires: the database's now and what the version's start timers started lately. */
export interface StartTimerRate {
  /** The database's now, ISO 8601. */
  now: string;
  /** Instances the version's start timers started in their current windows (each less than a minute old). */
  started: number;
  /** This start event's window, carried on to its next job (a new one from now when the last is over). */
  window: StartedInWindow;
}

const isoNow = sql<string>`to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Reads the rate of a start timer about to fire from the windows its version's pending and
 * running start-timer jobs carry (one job per start event, found through jobs_start_timer_idx).
 * A window is a minute from its first start, so a burst is capped however the clock's minutes fall.
 */
export async function startTimerRate(tx: Executor, job: Job): Promise<StartTimerRate> {
  const window = sql`${jobs.payload}->'started'`;
  const current = sql`(${window}->>'since')::timestamptz > now() - interval '1 minute'`;
  const [row] = await tx
    .select({
      now: isoNow,
      started: sql<number>`coalesce(sum((${window}->>'count')::int) filter (where ${current}), 0)::int`,
      ownSince: sql<string | null>`max(${window}->>'since') filter (where ${jobs.id} = ${job.id} and ${current})`,
      ownCount: sql<number>`coalesce(max((${window}->>'count')::int) filter (where ${jobs.id} = ${job.id} and ${current}), 0)::int`,
    })
    .from(jobs)
    .where(and(eq(jobs.definitionId, job.definitionId!), inArray(jobs.status, ['pending', 'running'])));
  const now = row!.now;
  const own = row!.ownSince ? { since: row!.ownSince, count: Number(row!.ownCount) } : { since: now, count: 0 };
  return { now, started: Number(row!.started), window: own };
}

/**
 * The cap is reached: no instance starts, and every start timer of the version stops — the
 * firing's job and its siblings' pending ones become incidents (failed), their message saying
 * why and what to do, each with an `incident.raised` audit row. The cap is the version's, so
 * one flooding start event stops them all; publishing a new version (which takes the schedule
 * over) or retrying an incident resumes. Returns the message, for the worker's log.
 */
export async function stopStartTimers(
  tx: Executor,
  def: Version,
  job: Job,
  rate: StartTimerRate,
  cap: number,
): Promise<string> {
  const message =
    `Timer start event "${job.elementId}" of process "${def.key}" version ${def.version} was stopped, with the version's other start timers: ` +
    `they started ${rate.started} instances within a minute (since ${rate.window.since}), and at most ${cap} may start in a minute ` +
    '(TRELLIS_MAX_TIMER_STARTS_PER_MINUTE). Publish a new version whose cycles repeat at most once a minute; retrying this incident resumes the old schedule.';
  const stopped = await tx
    .update(jobs)
    .set({ status: 'failed', lockedBy: null, lockedUntil: null, lastError: message })
    .where(
      and(
        eq(jobs.tenantId, def.tenantId),
        eq(jobs.definitionId, def.id),
        or(eq(jobs.id, job.id), eq(jobs.status, 'pending')),
      ),
    )
    .returning({ elementId: jobs.elementId });
  const data = { code: 'START_TIMER_RATE_CAPPED', message, definitionId: def.id, cap, started: rate.started };
  await appendAudit(
    tx,
    stopped.map((j) => ({
      tenantId: def.tenantId,
      instanceId: null,
      type: 'incident.raised',
      elementId: j.elementId,
      data,
    })),
  );
  return message;
}

/**
 * After `fired`, in the firing's transaction: the cycle's next occurrence after the database's
 * now (missed ones skipped), if any are left, carrying its window's count of starts.
 */
export async function scheduleNextStartTimer(
  tx: Executor,
  def: Version,
  fired: StartTimer,
  rate: StartTimerRate,
): Promise<StartTimer | null> {
  const next = nextStartTimer(def.definition, fired, { now: rate.now });
  if (next)
    await tx.insert(jobs).values(startTimerJob(def, next, { since: rate.window.since, count: rate.window.count + 1 }));
  return next;
}

function startTimerJob(def: Version, timer: StartTimer, started?: StartedInWindow): typeof jobs.$inferInsert {
  return {
    tenantId: def.tenantId,
    definitionId: def.id,
    kind: 'timer',
    elementId: timer.elementId,
    timerId: timer.elementId,
    dueAt: new Date(timer.dueAt),
    payload: { dueAt: timer.dueAt, left: timer.left, ...(started ? { started } : {}) },
  };
}
