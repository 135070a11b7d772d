/**
 * The schedule of process-level timer start events: one `jobs` row (kind `timer`, definition_id
 * set, no instance) per timer start event of the newest published version of each process key.
 * Publishing a version moves its key's schedule to it, as in Camunda (the newest version owns
 * it); a worker firing one (jobs.ts, runStartTimer) starts an instance and, for a cycle, schedules
 * the next occurrence here, in the same transaction. When each fires is the engine's to say
 * (engine/runtime/start-timers.ts); times are the database's clock.
 *
 * Never starts instances itself, and never touches jobs of instances.
 */
import { and, eq, gt, inArray, lt, sql } from 'drizzle-orm';
import { nextStartTimer, startTimers, type StartTimer } from '@/engine';
import type { Executor } from '@/db/client';
import { jobs, processDefinitions, type Job, type ProcessDefinitionRow } from '@/db/schema';
import { AppError } from '../errors';

type Version = Pick<ProcessDefinitionRow, 'id' | 'tenantId' | 'key' | 'version' | 'definition'>;

/**
 * In the publish transaction: the version just published (`publishedAt` is the database's clock
 * of that transaction) takes over its key's start-timer schedule. The older versions' pending
 * start timers are cancelled; this version's are scheduled, due at their date, at publish time +
 * their duration, or at their cycle's first occurrence. A version published after a newer one
 * (an older version number) leaves the schedule alone. A timer that cannot be scheduled refuses
 * the publish, naming the start event.
 */
export async function moveStartTimers(tx: Executor, row: Version & Pick<ProcessDefinitionRow, 'publishedAt'>): Promise<void> {
  const { timers, problems } = startTimers(row.definition, row.publishedAt.toISOString());
  if (problems.length > 0) throw new AppError('BAD_REQUEST', `Process "${row.key}" cannot be published: ${problems.map((p) => p.message).join(' ')}`);
  if (await newerVersionOf(tx, row)) return;
  const older = tx
    .select({ id: processDefinitions.id })
    .from(processDefinitions)
    .where(and(eq(processDefinitions.tenantId, row.tenantId), eq(processDefinitions.key, row.key), lt(processDefinitions.version, row.version)));
  // A running one is held by a worker firing it: this waits for that transaction, then finds it done.
  await tx
    .update(jobs)
    .set({ status: 'cancelled', completedAt: sql`now()`, lockedBy: null, lockedUntil: null })
    .where(and(eq(jobs.tenantId, row.tenantId), inArray(jobs.definitionId, older), inArray(jobs.status, ['pending', 'running'])));
  if (timers.length > 0) await tx.insert(jobs).values(timers.map((t) => startTimerJob(row, t)));
}

/** Whether a newer version of the process is published: then it, not `row`, owns the schedule. */
export async function newerVersionOf(tx: Executor, row: Pick<ProcessDefinitionRow, 'tenantId' | 'key' | 'version'>): Promise<boolean> {
  const [newer] = await tx
    .select({ id: processDefinitions.id })
    .from(processDefinitions)
    .where(and(eq(processDefinitions.tenantId, row.tenantId), eq(processDefinitions.key, row.key), gt(processDefinitions.version, row.version)))
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

/** After `fired`, in the firing's transaction: the cycle's next occurrence, if any are left. */
export async function scheduleNextStartTimer(tx: Executor, def: Version, fired: StartTimer): Promise<StartTimer | null> {
  const next = nextStartTimer(def.definition, fired);
  if (next) await tx.insert(jobs).values(startTimerJob(def, next));
  return next;
}

function startTimerJob(def: Version, timer: StartTimer): typeof jobs.$inferInsert {
  return {
    tenantId: def.tenantId,
    definitionId: def.id,
    kind: 'timer',
    elementId: timer.elementId,
    timerId: timer.elementId,
    dueAt: new Date(timer.dueAt),
    payload: { dueAt: timer.dueAt, left: timer.left },
  };
}
