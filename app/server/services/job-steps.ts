/**
 * Jobs' hot path in two round trips (see step-writer.ts): a worker reads the instance, steps the
 * engine with the timer firing or the connector's result, and writes the step and the job's end
 * in one statement that holds only if this worker still holds the job. False when anything is
 * out of the ordinary; then nothing was written and jobs.ts runs its transaction path.
 */
import { EngineError, send, type EngineEvent } from '@/engine';
import type { Executor, RawQuery } from '@/db/client';
import type { auditEvents, Job } from '@/db/schema';
import { compiledProcess, definitionById } from './definitions';
import { INSTANCE_COLUMNS, NOW_MS, planStep, writeStep, type InstanceRead } from './step-writer';

/** An instance as read by a worker, with the database clock then and the local clock then. */
export interface WorkerRead extends InstanceRead {
  nowMs: number;
  /** performance.now() when the read returned: the database clock is carried forward by it. */
  readAt: number;
}

export async function readInstance(query: RawQuery, instanceId: string): Promise<WorkerRead | null> {
  const [row] = await query<InstanceRead & { nowMs: string | number }>(`select ${INSTANCE_COLUMNS}, ${NOW_MS} as "nowMs" from process_instances i where i.id = $1::uuid`, [instanceId]);
  return row ? { ...row, nowMs: Number(row.nowMs), readAt: performance.now() } : null;
}

/**
 * Steps `read`'s instance with `event` and finishes `job` as done, in one statement. The engine's
 * clock is the database's at the read plus the local time since (a connector call may have run in
 * between); the version guard makes sure the instance did not move meanwhile.
 */
export async function finishInOneStatement(db: Executor, query: RawQuery, read: WorkerRead, job: Job, workerId: string, event: EngineEvent, audit: typeof auditEvents.$inferInsert): Promise<boolean> {
  if (read.status !== 'active') return false;
  const def = await definitionById(db, read.tenantId, read.definitionId);
  const now = new Date(read.nowMs + Math.max(0, Math.round(performance.now() - read.readAt)));
  let result;
  try {
    result = send(compiledProcess(def), read.state, event, { now: now.toISOString() });
  } catch (error) {
    if (error instanceof EngineError) return false;
    throw error;
  }
  if (read.parentId && result.effects.some((e) => e.type === 'completeInstance')) return false;
  const ctx = { tenantId: read.tenantId, instanceId: read.id, actorId: null, formIds: def.formIds, now };
  const plan = planStep(ctx, { kind: 'update', version: read.version, auditHead: read.auditHead }, result.state, result.effects, [audit], { finishJob: { id: job.id, workerId, status: 'done' } });
  return plan !== null && (await writeStep(query, ctx, plan)) === 'written';
}
