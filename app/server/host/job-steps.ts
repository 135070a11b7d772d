/**
 * Jobs' hot path in two round trips (see host/write.ts): a worker reads the instance, steps the
 * engine with the timer firing or the connector's result, and writes the step and the job's end
 * in one statement that holds only if this worker still holds the job. False when anything is
 * out of the ordinary; then nothing was written and jobs.ts runs its transaction path.
 */
import { EngineError, send, type EngineEvent } from '@/engine';
import type { Executor, RawQuery } from '@/db/client';
import type { auditEvents, Job } from '@/db/schema';
import { definitionById, processOf } from '../services/definitions';
import { resolvePeople } from '../services/task-people';
import { NOW_MS } from '../services/audit';
import { INSTANCE_COLUMNS, type InstanceRead } from './read';
import { planStep } from './plan';
import { writeOneStatement } from './write';

/** A claimed job, with its instance as the claim read it (when it has one). */
export type ClaimedJob = Job & { snapshot?: WorkerRead };

const JOB_COLUMNS = [
  'id',
  'tenant_id',
  'instance_id',
  'definition_id',
  'kind',
  'element_id',
  'scope',
  'timer_id',
  'job_type',
  'payload',
  'due_at',
  'status',
  'attempts',
  'retries',
  'locked_by',
  'locked_until',
  'last_error',
  'created_at',
  'completed_at',
]
  .map((c) => `j.${c} as "${c.replace(/_(.)/g, (_, x: string) => x.toUpperCase())}"`)
  .join(', ');

/**
 * The claim as one prepared statement that also reads each job's instance (and the database
 * clock): a job then needs one more round trip, its write. The snapshot may be stale by the time
 * the job runs; the write's version guard sees that, and the job takes the transaction path.
 */
export async function claimWithSnapshots(
  query: RawQuery,
  options: { workerId: string; batch: number; leaseSeconds: number; jobTypes: readonly string[]; webhooks: boolean },
): Promise<ClaimedJob[]> {
  const rows = await query<Job & { snapshot: (InstanceRead & { nowMs: string | number }) | null }>(
    // MATERIALIZED: the locked rows are chosen once (a subquery with LIMIT and SKIP LOCKED that the
    // planner re-runs can claim more than the batch).
    `with due as materialized (
      select id from jobs
      where (kind = 'timer' or (kind = 'service' and job_type = any($3::text[])) or (kind = 'webhook' and $4::bool))
        and ((status = 'pending' and due_at <= now()) or (status = 'running' and locked_until <= now()))
      order by due_at limit $2::int4 for update skip locked)
    update jobs j set status = 'running', locked_by = $1::text, locked_until = now() + make_interval(secs => $5::int4), attempts = j.attempts + 1
    from due where j.id = due.id
    returning ${JOB_COLUMNS},
      (select json_build_object('id', i.id, 'tenantId', i.tenant_id, 'version', i.version, 'status', i.status, 'state', i.state, 'auditHead', i.audit_head, 'parentId', i.parent_id, 'definitionId', i.definition_id, 'nowMs', ${NOW_MS})
        from process_instances i where i.id = j.instance_id) as "snapshot"`,
    [options.workerId, options.batch, [...options.jobTypes], options.webhooks, options.leaseSeconds],
  );
  const readAt = performance.now();
  return rows
    .map(({ snapshot, ...job }) => ({
      ...job,
      // drizzle's postgres.js set-up leaves timestamps as text (PGlite gives Dates): Dates, as drizzle maps them.
      dueAt: toDate(job.dueAt)!,
      lockedUntil: toDate(job.lockedUntil),
      createdAt: toDate(job.createdAt)!,
      completedAt: toDate(job.completedAt),
      ...(snapshot ? { snapshot: { ...snapshot, nowMs: Number(snapshot.nowMs), readAt } } : {}),
    }))
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

/** An instance as read by a worker, with the database clock then and the local clock then. */
export interface WorkerRead extends InstanceRead {
  nowMs: number;
  /** performance.now() when the read returned: the database clock is carried forward by it. */
  readAt: number;
}

export async function readInstance(query: RawQuery, instanceId: string): Promise<WorkerRead | null> {
  const [row] = await query<InstanceRead & { nowMs: string | number }>(
    `select ${INSTANCE_COLUMNS}, ${NOW_MS} as "nowMs" from process_instances i where i.id = $1::uuid`,
    [instanceId],
  );
  return row ? { ...row, nowMs: Number(row.nowMs), readAt: performance.now() } : null;
}

/**
 * Steps `read`'s instance with `event` and finishes `job` as done, in one statement. The engine's
 * clock is the database's at the read plus the local time since (a connector call may have run in
 * between); the version guard makes sure the instance did not move meanwhile.
 */
export async function finishInOneStatement(
  db: Executor,
  query: RawQuery,
  read: WorkerRead,
  job: Job,
  workerId: string,
  event: EngineEvent,
  audit: typeof auditEvents.$inferInsert,
): Promise<boolean> {
  if (read.status !== 'active') return false;
  const def = await definitionById(db, read.tenantId, read.definitionId);
  const now = new Date(read.nowMs + Math.max(0, Math.round(performance.now() - read.readAt)));
  const process = await processOf(db, def);
  let stepped;
  try {
    stepped = send(process, read.state, event, { now: now.toISOString() });
  } catch (error) {
    if (error instanceof EngineError) return false;
    throw error;
  }
  const result = await resolvePeople(db, read.tenantId, stepped);
  const ctx = {
    tenantId: read.tenantId,
    instanceId: read.id,
    actorId: null,
    formIds: def.formIds,
    now,
    parentId: read.parentId,
  };
  const plan = planStep(
    ctx,
    { kind: 'update', version: read.version, auditHead: read.auditHead },
    result.state,
    result.effects,
    [audit],
    { finishJob: { id: job.id, workerId, status: 'done' } },
  );
  return plan.needsTransaction === null && (await writeOneStatement(query, plan)) === 'written';
}

/** A timestamp as a raw query returns it (a Date on PGlite, PostgreSQL's text on postgres.js) as a Date. */
export function toDate(value: Date | string | null): Date | null {
  // PostgreSQL's text form, "2026-11-27 11:04:53.123456+00", made ISO 8601 for Date.
  return value === null || value instanceof Date
    ? value
    : new Date(value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
}
