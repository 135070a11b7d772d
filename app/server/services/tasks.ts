/** The inbox and task completion. Completion is one transaction guarded twice against races. */
import { and, arrayOverlaps, asc, eq, isNull, or, sql, type SQL } from 'drizzle-orm';
import { EngineError, send } from '@/engine';
import { rawQuery, type Executor } from '@/db/client';
import { forms, processDefinitions, processInstances, tasks, users, type Task } from '@/db/schema';
import { groupKeys, type Actor } from '../actor';
import { AppError } from '../errors';
import { validateSubmission } from '../forms';
import { compiledProcess, definitionById, formById, startFormOf } from './definitions';
import { applyEffects, dbNow } from './effects';
import { NOW_MS } from './audit';
import { INSTANCE_COLUMNS, planStep, writeStep, type InstanceRead } from './step-writer';

/** SQL: the open-or-not task is offered to the actor (assigned, or to one of their departments). */
function offeredTo(actor: Actor): SQL {
  const member = groupKeys(actor, 'member');
  const manager = groupKeys(actor, 'manager');
  const viaGroup: SQL[] = [];
  if (member.length > 0) viaGroup.push(and(eq(tasks.candidateRole, 'member'), arrayOverlaps(tasks.candidateGroups, member))!);
  if (manager.length > 0) viaGroup.push(and(eq(tasks.candidateRole, 'manager'), arrayOverlaps(tasks.candidateGroups, manager))!);
  const unassigned = viaGroup.length > 0 ? and(isNull(tasks.assigneeId), or(...viaGroup)) : undefined;
  return or(eq(tasks.assigneeId, actor.userId), unassigned)!;
}

/** The same rule as offeredTo, for a task already loaded. */
export function mayWork(actor: Actor, task: Pick<Task, 'assigneeId' | 'candidateGroups' | 'candidateRole'>): boolean {
  if (task.assigneeId) return task.assigneeId === actor.userId;
  const mine = new Set(groupKeys(actor, task.candidateRole));
  return task.candidateGroups.some((g) => mine.has(g));
}

/** Open tasks for the actor and their departments, soonest due first. */
export async function listInbox(db: Executor, actor: Actor) {
  return db
    .select({
      id: tasks.id,
      name: tasks.name,
      elementId: tasks.elementId,
      dueDate: tasks.dueDate,
      createdAt: tasks.createdAt,
      candidateGroups: tasks.candidateGroups,
      assignedToMe: sql<boolean>`${tasks.assigneeId} is not distinct from ${actor.userId}::uuid`,
      instanceId: tasks.instanceId,
      businessKey: processInstances.businessKey,
      processName: processDefinitions.name,
      startedBy: users.displayName,
    })
    .from(tasks)
    .innerJoin(processInstances, eq(processInstances.id, tasks.instanceId))
    .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
    .innerJoin(users, eq(users.id, processInstances.startedBy))
    .where(and(eq(tasks.tenantId, actor.tenantId), eq(tasks.status, 'open'), offeredTo(actor)))
    .orderBy(sql`${tasks.dueDate} asc nulls last`, asc(tasks.createdAt))
    .limit(200);
}

async function loadTask(db: Executor, actor: Actor, id: string) {
  const [task] = await db.select().from(tasks).where(and(eq(tasks.tenantId, actor.tenantId), eq(tasks.id, id)));
  if (!task) throw new AppError('NOT_FOUND', `Task "${id}" was not found.`);
  return task;
}

/** A task with its form and the instance's data, for the task page. */
export async function getTask(db: Executor, actor: Actor, id: string) {
  const task = await loadTask(db, actor, id);
  // Visible to whoever may work it, and afterwards to whoever completed it.
  const offered = mayWork(actor, task);
  if (!offered && task.completedBy !== actor.userId) throw new AppError('FORBIDDEN', `Task "${id}" is not offered to you.`);
  const canComplete = task.status === 'open' && offered;
  const [row] = await db
    .select({
      form: { key: forms.key, version: forms.version, title: forms.title, schema: forms.schema, uiSchema: forms.uiSchema, i18n: forms.i18n },
      processName: processDefinitions.name,
      businessKey: processInstances.businessKey,
      instanceStatus: processInstances.status,
      state: processInstances.state,
      startedBy: users.displayName,
      def: { definition: processDefinitions.definition, formIds: processDefinitions.formIds },
    })
    .from(forms)
    .innerJoin(processInstances, eq(processInstances.id, task.instanceId))
    .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
    .innerJoin(users, eq(users.id, processInstances.startedBy))
    .where(and(eq(forms.tenantId, actor.tenantId), eq(forms.id, task.formId)));
  const { state, def, ...rest } = row!;
  const startForm = await startFormOf(db, actor.tenantId, def);
  const completedBy = task.completedBy ? (await db.select({ name: users.displayName }).from(users).where(eq(users.id, task.completedBy)))[0]?.name ?? null : null;
  return {
    id: task.id,
    name: task.name,
    elementId: task.elementId,
    status: task.status,
    dueDate: task.dueDate,
    createdAt: task.createdAt,
    completedAt: task.completedAt,
    completedBy,
    data: task.data,
    candidateGroups: task.candidateGroups,
    instanceId: task.instanceId,
    canComplete,
    ...rest,
    startForm,
    variables: state.variables,
  };
}

export interface CompleteInput {
  taskId: string;
  data: Record<string, unknown>;
}

/**
 * Completes a task: checks it is the actor's to work and still open, validates the submission
 * against the task's form, steps the engine, and writes task, instance (version-checked),
 * new tasks and audit rows — all in one transaction, so a failure changes nothing.
 */
export async function completeTask(db: Executor, actor: Actor, input: CompleteInput) {
  return (await completeInOneStatement(db, actor, input)) ?? completeInTransaction(db, actor, input);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type TaskRead = InstanceRead & Pick<Task, 'assigneeId' | 'candidateGroups' | 'candidateRole' | 'elementId' | 'formId' | 'loopIndex' | 'scope'> & { taskId: string; taskStatus: string; nowMs: string | number };

/**
 * The common case in two round trips (see step-writer.ts): read the task with its instance, step,
 * write in one statement. Null when anything is out of the ordinary — an error to report, a race
 * lost, effects beyond the instance — and then nothing was written: the transaction path runs.
 */
async function completeInOneStatement(db: Executor, actor: Actor, input: CompleteInput) {
  const query = rawQuery(db);
  if (!query || !UUID.test(input.taskId)) return null;
  const [row] = await query<TaskRead>(
    `select t.id as "taskId", t.status as "taskStatus", t.element_id as "elementId", t.form_id as "formId", t.assignee_id as "assigneeId", t.candidate_groups as "candidateGroups",
      t.candidate_role as "candidateRole", t.loop_index as "loopIndex", t.scope as "scope", ${INSTANCE_COLUMNS}, ${NOW_MS} as "nowMs"
    from tasks t join process_instances i on i.id = t.instance_id where t.tenant_id = $1::uuid and t.id = $2::uuid`,
    [actor.tenantId, input.taskId],
  );
  if (!row || row.taskStatus !== 'open' || row.status !== 'active' || !mayWork(actor, row)) return null;
  const data = validateSubmission(await formById(db, actor.tenantId, row.formId), input.data, actor.locale);
  const def = await definitionById(db, actor.tenantId, row.definitionId);
  const now = new Date(Number(row.nowMs));
  let result;
  try {
    result = send(compiledProcess(def), row.state, { type: 'task.completed', elementId: row.elementId, variables: data, ...(row.loopIndex >= 0 ? { loopIndex: row.loopIndex } : {}), ...(row.scope ? { scope: row.scope } : {}) }, { now: now.toISOString() });
  } catch (error) {
    if (error instanceof EngineError) return null;
    throw error;
  }
  if (row.parentId && result.effects.some((e) => e.type === 'completeInstance')) return null;
  const ctx = { tenantId: actor.tenantId, instanceId: row.id, actorId: actor.userId, formIds: def.formIds, now };
  const completed = { tenantId: actor.tenantId, instanceId: row.id, taskId: row.taskId, actorId: actor.userId, type: 'task.completed', elementId: row.elementId, data: { submission: data } };
  const plan = planStep(ctx, { kind: 'update', version: row.version, auditHead: row.auditHead }, result.state, result.effects, [completed], { closeTask: { id: row.taskId, data, completedBy: actor.userId }, closedElement: row.elementId });
  if (!plan || (await writeStep(query, ctx, plan)) !== 'written') return null;
  return { instanceId: row.id, instanceStatus: result.state.status, taskIds: plan.taskIds };
}

async function completeInTransaction(db: Executor, actor: Actor, input: CompleteInput) {
  return db.transaction(async (tx) => {
    const task = await loadTask(tx, actor, input.taskId);
    if (!mayWork(actor, task)) {
      throw new AppError('FORBIDDEN', `Task "${task.id}" is offered to ${task.candidateGroups.join(', ')}${task.candidateRole === 'manager' ? ' (managers)' : ''}; you may not complete it.`);
    }
    if (task.status !== 'open') throw await alreadyDone(tx, task);
    const [form] = await tx.select().from(forms).where(eq(forms.id, task.formId));
    const data = validateSubmission(form!, input.data, actor.locale);

    const [instance] = await tx
      .select({ id: processInstances.id, version: processInstances.version, state: processInstances.state, def: { id: processDefinitions.id, definition: processDefinitions.definition, formIds: processDefinitions.formIds } })
      .from(processInstances)
      .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
      .where(and(eq(processInstances.tenantId, actor.tenantId), eq(processInstances.id, task.instanceId)));
    if (!instance) throw new AppError('NOT_FOUND', `Process instance of task "${task.id}" was not found.`);

    let result;
    try {
      const run = task.loopIndex >= 0 ? { loopIndex: task.loopIndex } : {};
      const inRun = task.scope ? { scope: task.scope } : {};
      result = send(compiledProcess(instance.def), instance.state, { type: 'task.completed', elementId: task.elementId, variables: data, ...run, ...inRun }, { now: await dbNow(tx) });
    } catch (error) {
      if (error instanceof EngineError && (error.code === 'ELEMENT_NOT_ACTIVE' || error.code === 'INSTANCE_NOT_ACTIVE' || error.code === 'EVENT_NOT_ACCEPTED')) {
        throw new AppError('CONFLICT', `Task "${task.id}" can no longer be completed: ${error.message}`);
      }
      throw error;
    }

    // Both guards matter under concurrency: a racing completion blocks on the row lock, then
    // finds the task no longer open (or the instance version moved on) and gets a conflict.
    const closed = await tx
      .update(tasks)
      .set({ status: 'completed', data, completedAt: sql`now()`, completedBy: actor.userId })
      .where(and(eq(tasks.id, task.id), eq(tasks.status, 'open')))
      .returning({ id: tasks.id });
    if (closed.length === 0) throw await alreadyDone(tx, task);
    const moved = await tx
      .update(processInstances)
      .set({
        state: result.state,
        status: result.state.status,
        outcome: result.state.outcome ?? null,
        version: instance.version + 1,
        endedAt: result.state.status !== 'completed' ? null : sql`now()`,
      })
      .where(and(eq(processInstances.id, instance.id), eq(processInstances.version, instance.version)))
      .returning({ id: processInstances.id });
    if (moved.length === 0) throw new AppError('CONFLICT', `Process instance "${instance.id}" was changed by someone else; reload and try again.`);

    const scope = { tenantId: actor.tenantId, instanceId: instance.id, actorId: actor.userId, formIds: instance.def.formIds };
    const completed = { tenantId: actor.tenantId, instanceId: instance.id, taskId: task.id, actorId: actor.userId, type: 'task.completed', elementId: task.elementId, data: { submission: data } };
    const taskIds = await applyEffects(tx, scope, result.effects, [completed]);
    return { instanceId: instance.id, instanceStatus: result.state.status, taskIds };
  });
}

async function alreadyDone(tx: Executor, task: Task): Promise<AppError> {
  const [row] = await tx
    .select({ status: tasks.status, completedAt: tasks.completedAt, by: users.displayName })
    .from(tasks)
    .leftJoin(users, eq(users.id, tasks.completedBy))
    .where(eq(tasks.id, task.id));
  const when = row?.completedAt ? ` at ${row.completedAt.toISOString()}` : '';
  const who = row?.by ? ` by ${row.by}` : '';
  return new AppError('CONFLICT', `Task "${task.id}" was already ${row?.status ?? 'closed'}${who}${when}.`);
}

