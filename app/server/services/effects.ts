/**
 * Carries out the engine's effects inside the caller's transaction: inbox tasks and audit rows,
 * written with as few round trips as the data allows (one INSERT per table).
 */
import { and, eq, sql } from 'drizzle-orm';
import type { Effect } from '@/engine';
import type { Executor } from '@/db/client';
import { auditEvents, tasks } from '@/db/schema';

export interface EffectScope {
  tenantId: string;
  instanceId: string;
  actorId: string;
  /** Form key → pinned form id of the definition version being run. */
  formIds: Record<string, string>;
}

type AuditRow = typeof auditEvents.$inferInsert;

/** Applies `effects` in order; returns the ids of the tasks created. */
export async function applyEffects(tx: Executor, scope: EffectScope, effects: Effect[], leadingAudit: AuditRow[] = []): Promise<string[]> {
  const base = { tenantId: scope.tenantId, instanceId: scope.instanceId, actorId: scope.actorId };
  const creates = effects.filter((e): e is Extract<Effect, { type: 'createTask' }> => e.type === 'createTask');
  const created = creates.length === 0 ? [] : await tx
    .insert(tasks)
    .values(
      creates.map((e) => {
        const formId = e.formKey === null ? undefined : scope.formIds[e.formKey];
        if (!formId) throw new Error(`Form "${e.formKey}" of task "${e.elementId}" is not pinned by the definition version; republish the process.`);
        return {
          tenantId: scope.tenantId,
          instanceId: scope.instanceId,
          elementId: e.elementId,
          name: e.name,
          formId,
          candidateGroups: e.candidateGroups,
          candidateRole: e.candidateRole,
          dueDate: e.dueDate ? e.dueDate.slice(0, 10) : null,
          loopIndex: e.loop?.index ?? -1,
          loopItem: e.loop?.item ?? null,
          createdBy: scope.actorId,
        };
      }),
    )
    .returning({ id: tasks.id, elementId: tasks.elementId });

  const audit: AuditRow[] = [...leadingAudit];
  const cancelled: { elementId: string; loopIndex: number | undefined }[] = [];
  let nextTask = 0;
  for (const e of effects) {
    switch (e.type) {
      case 'createTask': {
        const task = created[nextTask++]!;
        audit.push({ ...base, taskId: task.id, type: 'task.created', elementId: e.elementId, data: { candidateGroups: e.candidateGroups, candidateRole: e.candidateRole, dueDate: e.dueDate } });
        break;
      }
      case 'audit':
        audit.push({ ...base, type: e.event, elementId: e.elementId, data: { elementType: e.elementType, flowId: e.flowId, ...(e.data ? { variables: e.data } : {}) } });
        break;
      case 'cancelTask':
        cancelled.push({ elementId: e.elementId, loopIndex: e.loopIndex });
        audit.push({ ...base, type: 'task.cancelled', elementId: e.elementId, data: e.loopIndex === undefined ? {} : { loopIndex: e.loopIndex } });
        break;
      case 'completeInstance':
        audit.push({ ...base, type: 'instance.completed', data: { outcome: e.outcome } });
        break;
      case 'raiseIncident':
        audit.push({ ...base, type: 'incident.raised', elementId: e.incident.elementId, data: { code: e.incident.code, message: e.incident.message } });
        break;
      default:
        // Publishing refuses what the server cannot run yet; should one slip through, fail the
        // command (nothing is written) rather than leave the instance waiting forever.
        throw new Error(`The server cannot carry out the engine's "${e.type}" effect yet (element "${'elementId' in e ? e.elementId : '?'}").`);
    }
  }
  for (const c of cancelled) {
    await tx
      .update(tasks)
      .set({ status: 'cancelled', completedAt: sql`now()` })
      .where(and(eq(tasks.instanceId, scope.instanceId), eq(tasks.status, 'open'), eq(tasks.elementId, c.elementId), ...(c.loopIndex === undefined ? [] : [eq(tasks.loopIndex, c.loopIndex)])));
  }
  if (audit.length > 0) await tx.insert(auditEvents).values(audit);
  return created.map((t) => t.id);
}
