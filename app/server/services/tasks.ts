/**
 * The inbox, the task page, completion, and who holds a task (claim, unclaim, reassign). Completion
 * is one statement or one transaction guarded against races; claims and reassignments lock the
 * task row and move its version (a stale page gets a conflict) and the instance's audit head (a
 * one-statement completion read before them misses and takes the checked path).
 */
import { and, asc, desc, eq, inArray, isNull, ne, sql } from 'drizzle-orm';
import { EngineError, exclusionReasons, localize, send, waitingExcludersOf, type InstanceState } from '@/engine';
import { rawQuery, type Executor } from '@/db/client';
import {
  auditEvents,
  delegations,
  forms,
  groupMembers,
  groups,
  memberships,
  processDefinitions,
  processInstances,
  tasks,
  users,
  type Task,
} from '@/db/schema';
import type { Actor } from '../actor';
import { hasCandidates, isCandidate, mayWork, type Candidates } from './task-rights';
import { AppError, isUuid } from '../errors';
import { translator, type Translate } from '../../_i18n/messages';
import { validateSubmission } from '../forms';
import { attachmentRefs } from '@/engine/forms/attachments';
import { fieldTitles } from '@/engine';
import { checkAttachments, linkAttachments } from './attachment-links';
import { checkNamedValues } from './directory';
import { definitionById, formById, instanceFormsOf, processOf } from './definitions';
import { resolvePeople } from './task-people';
import { hinted } from '../host/job-signal';
import { notify } from './notifications';
import { caseSummaryFields } from './case-view';
import { instanceReadingById } from './instances';
import { applyPlan, dbNow } from '../host/effects';
import { planStep, type InstanceWrite, type StepContext } from '../host/plan';
import type { StaffedEffect } from './task-people';
import { writeOneStatement } from '../host/write';
import { appendAudit, NOW_MS } from './audit';
import { INSTANCE_COLUMNS, INSTANCE_WITH_DEFINITION, type InstanceRead } from '../host/read';

/**
 * Who may work a task (the rules, in one place):
 * - its assignee (named by the process, task-people.ts, or who claimed it); or, while it is
 *   unassigned, its candidates: a member (or manager, per its candidate role) of one of its
 *   candidate departments, or one of its candidate users (members the process named) — completing
 *   it then claims it in the same command (the audit shows `task.claimed` then `task.completed`);
 * - during a delegation (out of office), the delegate, for tasks ASSIGNED to the delegator — and,
 *   for a task offered to departments (which the delegator claimed, or was given), only when the
 *   delegate is a candidate of it themselves (member, or manager for a manager task). Tasks merely
 *   offered to the delegator's departments are not passed on: the department's other members still
 *   see them, and a delegation must not open a department (or a manager's task) to someone outside
 *   it. The inbox (inbox.ts, listAccess) and the commands (rightToWork) apply the same rule.
 * - never a user the task's four-eyes rule excludes, neither as the person acting nor as the person
 *   on whose behalf they act. The inbox filters by tasks.excluded_user_ids (set at creation, and
 *   extended when a task the rule names is completed while this one waits); the commands (claim,
 *   complete, reassign) judge by the instance's current record of who did what (fourEyes).
 */

// The pure rules (who is a candidate) live in task-rights.ts, which readers import without importing the commands.
export { isCandidate, mayWork } from './task-rights';

/** Whom the task is offered to, for messages: "accounting, sales (managers)", "2 people named by the process". */
function offeredText(task: Candidates): string {
  const groups =
    task.candidateGroups.length > 0
      ? `${task.candidateGroups.join(', ')}${task.candidateRole === 'manager' ? ' (managers)' : ''}`
      : null;
  const people =
    task.candidateUserIds.length > 0
      ? `${task.candidateUserIds.length === 1 ? 'one person' : `${task.candidateUserIds.length} people`} named by the process`
      : null;
  return [groups, people].filter(Boolean).join(' and ') || 'nobody';
}

type Right =
  { ok: true; onBehalfOf: { id: string; name: string } | null; claims: boolean } | { ok: false; message: string };

/** Whether the actor may work the task (four-eyes rule aside), on whose behalf, and whether doing so claims it. */
export async function rightToWork(db: Executor, actor: Actor, task: Task): Promise<Right> {
  if (task.assigneeId === actor.userId) return { ok: true, onBehalfOf: null, claims: false };
  if (task.assigneeId) {
    const [delegation] = await db
      .select({ id: users.id, name: users.displayName })
      .from(delegations)
      .innerJoin(users, eq(users.id, delegations.delegatorId))
      .innerJoin(
        memberships,
        and(eq(memberships.tenantId, delegations.tenantId), eq(memberships.userId, delegations.delegatorId)),
      )
      .where(
        and(
          eq(delegations.tenantId, actor.tenantId),
          eq(delegations.delegateId, actor.userId),
          eq(delegations.delegatorId, task.assigneeId),
          isNull(delegations.revokedAt),
          sql`${delegations.startsAt} <= now() and ${delegations.endsAt} > now()`,
        ),
      )
      .limit(1);
    if (delegation && hasCandidates(task) && !isCandidate(actor, task)) {
      return {
        ok: false,
        message: `Task "${task.id}" is assigned to ${delegation.name}, who delegated their tasks to you, but it is offered to ${offeredText(task)}, and a delegation passes on only the tasks you could be offered yourself; you may not complete it.`,
      };
    }
    if (delegation) return { ok: true, onBehalfOf: delegation, claims: false };
    return {
      ok: false,
      message: `Task "${task.id}" is assigned to ${await nameOf(db, task.assigneeId)}; you may not complete it.`,
    };
  }
  if (isCandidate(actor, task)) return { ok: true, onBehalfOf: null, claims: true };
  return { ok: false, message: `Task "${task.id}" is offered to ${offeredText(task)}; you may not complete it.` };
}

async function nameOf(db: Executor, userId: string): Promise<string> {
  const [row] = await db.select({ name: users.displayName }).from(users).where(eq(users.id, userId));
  return row?.name ?? 'someone else';
}

/** Why the four-eyes rule excludes one person from a task, for the task page (localized there). */
export type ExclusionReason = { rule: 'initiator' } | { rule: 'completed'; elementId: string; element: unknown };

/** An instance's current engine state with its compiled process, for the four-eyes rule. */
type Recorded = { state: InstanceState; process: Awaited<ReturnType<typeof processOf>> };

async function recordedActors(db: Executor, instanceId: string): Promise<Recorded | null> {
  const [row] = await db
    .select({
      state: processInstances.state,
      def: {
        id: processDefinitions.id,
        tenantId: processDefinitions.tenantId,
        definition: processDefinitions.definition,
        decisionIds: processDefinitions.decisionIds,
      },
    })
    .from(processInstances)
    .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
    .where(eq(processInstances.id, instanceId));
  return row ? { state: row.state as InstanceState, process: await processOf(db, row.def) } : null;
}

/**
 * The four-eyes rule's verdict on the actor (and whom they act for): who is excluded and why, or
 * null when nobody is. Authoritative: judged against the instance's CURRENT record of who did what
 * (someone may have completed a task the rule names after this task was created — a parallel
 * branch, another run of a multi-instance task), not only the task row's excluded_user_ids, which
 * the inbox filters by. `recorded`: the state the caller is about to step, when it has read it.
 */
async function fourEyes(
  db: Executor,
  task: Task,
  people: { id: string; name: string; self: boolean }[],
  recorded?: Recorded | null,
) {
  const now = recorded === undefined ? await recordedActors(db, task.instanceId) : recorded;
  const verdict = people
    .map((p) => ({ ...p, reasons: now ? exclusionReasons(now.process, now.state, task.elementId, p.id) : [] }))
    .filter((p) => p.reasons.length > 0 || task.excludedUserIds.includes(p.id));
  if (verdict.length === 0) return null;
  return verdict.map((p) => ({
    ...p,
    reasons: p.reasons.map((r): ExclusionReason =>
      r.rule === 'initiator' ? r : { ...r, element: now?.process.elements.get(r.elementId)?.name ?? null },
    ),
  }));
}

/** The four-eyes refusal as an English message naming the rule and the reasons. */
function fourEyesMessage(
  task: Task,
  verdict: NonNullable<Awaited<ReturnType<typeof fourEyes>>>,
  doing: string,
): string {
  const parts = verdict.map((p) => {
    const who = p.self ? 'you' : `${p.name}, on whose behalf you act,`;
    const why =
      p.reasons.length === 0
        ? p.self
          ? 'are excluded by it'
          : 'is excluded by it'
        : p.reasons
            .map((r) =>
              r.rule === 'initiator'
                ? 'started this process'
                : `completed "${localize((r.element ?? undefined) as never, 'en') ?? r.elementId}"`,
            )
            .join(' and ');
    return `${who} ${why}`;
  });
  return `Four-eyes rule (separation of duties) of task "${localize(task.name ?? undefined, 'en') ?? task.elementId}": ${parts.join('; ')} — so ${verdict.some((p) => p.self) ? 'you' : 'they'} may not ${doing} it.`;
}

async function loadTask(db: Executor, actor: Actor, id: string, options: { lock?: boolean; notFound?: string } = {}) {
  const query = db
    .select()
    .from(tasks)
    .where(and(eq(tasks.tenantId, actor.tenantId), eq(tasks.id, id)));
  const [task] = options.lock ? await query.for('update') : await query;
  if (!task) throw new AppError('NOT_FOUND', options.notFound ?? `Task "${id}" was not found.`);
  return task;
}

/** A task with its form and the instance's data, for the task page. */
export async function getTask(db: Executor, actor: Actor, id: string) {
  const task = await loadTask(db, actor, id);
  const right = await rightToWork(db, actor, task);
  const excluded = task.excludedUserIds.includes(actor.userId);
  // Visible to whoever may work it (or could, but for the four-eyes rule: the page says why), to
  // whoever completed it, to admins (who reassign tasks), and — to read, not work — to whoever may
  // open its case (the requester, auditors, colleagues offered another of its tasks: a mention or a
  // notification links them here).
  // Someone who reads its case only as a colleague's delegate (instances.ts mayReadInstance: its
  // summary) sees another of its tasks without the case's data; the task they work for the colleague
  // shows what it shows the colleague (right.ok).
  const reading =
    !right.ok && !excluded && task.completedBy !== actor.userId && actor.role !== 'admin'
      ? await instanceReadingById(db, actor, task.instanceId)
      : 'all';
  if (reading === null) throw new AppError('FORBIDDEN', translator(actor.locale)('errTaskNotOffered'));
  const withheld = reading === 'summary';
  const open = task.status === 'open';
  const people = [
    { id: actor.userId, name: actor.displayName, self: true },
    ...(right.ok && right.onBehalfOf ? [{ ...right.onBehalfOf, self: false }] : []),
  ];
  const verdict = open ? await fourEyes(db, task, people) : null;
  const canComplete = open && right.ok && verdict === null && actor.role !== 'auditor';
  const [row] = await db
    .select({
      form: {
        key: forms.key,
        version: forms.version,
        title: forms.title,
        schema: forms.schema,
        uiSchema: forms.uiSchema,
        i18n: forms.i18n,
      },
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
  const allForms = await instanceFormsOf(db, actor.tenantId, task.instanceId, def, task.formId ?? undefined);
  const contextForms = withheld ? [] : allForms;
  const startForm = contextForms.find((f) => f.key === def.definition.startForm) ?? null;
  const completedBy = task.completedBy ? await nameOf(db, task.completedBy) : null;
  const assigneeName = task.assigneeId ? await nameOf(db, task.assigneeId) : null;
  const candidateUsers =
    task.candidateUserIds.length === 0
      ? []
      : await db
          .select({ id: users.id, name: users.displayName })
          .from(users)
          .where(inArray(users.id, task.candidateUserIds))
          .orderBy(asc(users.displayName));
  const isAdmin = actor.role === 'admin';
  return {
    id: task.id,
    name: task.name,
    elementId: task.elementId,
    status: task.status,
    /** Sent back with the completion: a page showing an older version gets a conflict. */
    version: task.version,
    dueDate: task.dueDate,
    createdAt: task.createdAt,
    completedAt: task.completedAt,
    completedBy,
    data: withheld ? null : task.data,
    candidateGroups: task.candidateGroups,
    candidateRole: task.candidateRole,
    /** Members the process named as candidates (candidateUsers). */
    candidateUsers,
    instanceId: task.instanceId,
    assignee: task.assigneeId
      ? { id: task.assigneeId, name: assigneeName!, isMe: task.assigneeId === actor.userId }
      : null,
    /** The colleague whose task the actor works as their delegate. */
    onBehalfOf: right.ok && right.onBehalfOf ? right.onBehalfOf.name : null,
    /** Why the four-eyes rule keeps the actor (or whom they act for) from it. */
    fourEyes: verdict?.map((p) => ({ name: p.self ? null : p.name, reasons: p.reasons })) ?? null,
    canComplete,
    canClaim: open && task.assigneeId === null && isCandidate(actor, task) && !excluded && actor.role !== 'auditor',
    canUnclaim: open && task.assigneeId === actor.userId && hasCandidates(task),
    reassignTo: open && isAdmin ? await whoMayWork(db, actor.tenantId, task) : null,
    ...rest,
    startForm,
    /** The case in a few fields: the process's summary variables now, labelled by the forms that entered them. */
    summary: caseSummaryFields(def.definition.summary, state.variables, allForms, actor.locale),
    priority: task.priority,
    /** The forms the instance's data was entered with (start form, completed tasks' forms but this one's): the context is labelled by them. */
    contextForms,
    variables: withheld ? {} : state.variables,
    /** The case's data is withheld from this reader (a delegate reading another task of the case). */
    dataWithheld: withheld,
  };
}

/** Members of the company who may work the task: its candidates (any member when it names none), no auditors, nobody the four-eyes rule excludes. */
async function whoMayWork(db: Executor, tenantId: string, task: Task) {
  const rows = await db
    .select({ id: users.id, name: users.displayName, groupKey: groups.key, groupRole: groupMembers.role })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .leftJoin(
      groupMembers,
      and(eq(groupMembers.tenantId, memberships.tenantId), eq(groupMembers.userId, memberships.userId)),
    )
    .leftJoin(groups, eq(groups.id, groupMembers.groupId))
    .where(and(eq(memberships.tenantId, tenantId), ne(memberships.role, 'auditor')))
    .orderBy(asc(users.displayName));
  const out = new Map<string, { id: string; name: string }>();
  for (const r of rows) {
    if (task.excludedUserIds.includes(r.id)) continue;
    const fits =
      !hasCandidates(task) ||
      task.candidateUserIds.includes(r.id) ||
      (r.groupKey !== null &&
        task.candidateGroups.includes(r.groupKey) &&
        (task.candidateRole === 'member' || r.groupRole === 'manager'));
    if (fits) out.set(r.id, { id: r.id, name: r.name });
  }
  return [...out.values()];
}

export interface CompleteInput {
  taskId: string;
  data: Record<string, unknown>;
  /** The task version the page showed (getTask): when the task moved on since (claimed, reassigned), a conflict. */
  version?: number;
}

/**
 * Completes a task: checks it is the actor's to work and still open, validates the submission
 * against the task's form, steps the engine, and writes task, instance (version-checked),
 * new tasks and audit rows — all in one transaction, so a failure changes nothing.
 */
export async function completeTask(db: Executor, actor: Actor, input: CompleteInput) {
  return (await completeInOneStatement(db, actor, input)) ?? hinted(completeInTransaction(db, actor, input));
}

type TaskRead = InstanceRead &
  Pick<
    Task,
    | 'assigneeId'
    | 'candidateGroups'
    | 'candidateUserIds'
    | 'candidateRole'
    | 'elementId'
    | 'formId'
    | 'loopIndex'
    | 'scope'
  > & { taskId: string; taskStatus: string; taskVersion: number; excluded: boolean; nowMs: string | number };

/**
 * The common case in two round trips (see host/write.ts): read the task with its instance, step,
 * write in one statement. Null when anything is out of the ordinary — an error to report, a race
 * lost, effects beyond the instance — and then nothing was written: the transaction path runs.
 */
async function completeInOneStatement(db: Executor, actor: Actor, input: CompleteInput) {
  const query = rawQuery(db);
  if (!query || !isUuid(input.taskId)) return null;
  const [row] = await query<TaskRead>(
    `select t.id as "taskId", t.status as "taskStatus", t.element_id as "elementId", t.form_id as "formId", t.assignee_id as "assigneeId", t.candidate_groups as "candidateGroups",
      t.candidate_user_ids::text[] as "candidateUserIds", t.candidate_role as "candidateRole", t.loop_index as "loopIndex", t.scope as "scope", t.version as "taskVersion", $3::uuid = any(t.excluded_user_ids) as "excluded", ${INSTANCE_COLUMNS}, ${NOW_MS} as "nowMs"
    from tasks t join process_instances i on i.id = t.instance_id where t.tenant_id = $1::uuid and t.id = $2::uuid`,
    [actor.tenantId, input.taskId, actor.userId],
  );
  // A delegate's completion, a four-eyes refusal or a stale page take the general path, which reports them.
  if (
    !row ||
    row.taskStatus !== 'open' ||
    row.status !== 'active' ||
    !mayWork(actor, row) ||
    row.excluded ||
    (input.version !== undefined && input.version !== row.taskVersion)
  )
    return null;
  const form = await formById(db, actor.tenantId, row.formId);
  const data = validateSubmission(form, input.data, actor.locale);
  await checkNamedValues(db, actor, form, data, () => fieldTitles(form, actor.locale));
  // Files sent with the form are checked and linked to the instance in the transaction path.
  if (attachmentRefs(form.schema, data).length > 0) return null;
  const def = await definitionById(db, actor.tenantId, row.definitionId);
  const process = await processOf(db, def);
  // The four-eyes rule by the instance's current record (the row's list dates from the task's
  // creation): the general path reports a refusal.
  if (exclusionReasons(process, row.state, row.elementId, actor.userId).length > 0) return null;
  const now = new Date(Number(row.nowMs));
  let stepped;
  try {
    stepped = send(
      process,
      row.state,
      {
        type: 'task.completed',
        elementId: row.elementId,
        variables: data,
        actorId: actor.userId,
        ...(row.loopIndex >= 0 ? { loopIndex: row.loopIndex } : {}),
        ...(row.scope ? { scope: row.scope } : {}),
      },
      { now: now.toISOString() },
    );
  } catch (error) {
    if (error instanceof EngineError) return null;
    throw error;
  }
  const result = await resolvePeople(db, actor.tenantId, stepped);
  const ctx = {
    tenantId: actor.tenantId,
    instanceId: row.id,
    actorId: actor.userId,
    formIds: def.formIds,
    now,
    parentId: row.parentId,
  };
  const plan = completionPlan(ctx, { kind: 'update', version: row.version, auditHead: row.auditHead }, result, {
    task: { id: row.taskId, elementId: row.elementId },
    data,
    claims: row.assigneeId === null,
    excluders: waitingExcludersOf(process, row.state, row.elementId),
    people: [actor.userId],
  });
  if (plan.needsTransaction !== null || (await writeOneStatement(query, plan)) !== 'written') return null;
  return { instanceId: row.id, instanceStatus: result.state.status, taskIds: plan.taskIds };
}

/**
 * What completing a task writes, the same for both forms: the task closed with its data, the
 * instance stepped, tasks waiting on a four-eyes rule naming this one told who completed it, and
 * the step's effects after the audit of the completion (and of the claim it makes, when the task
 * was nobody's yet).
 */
function completionPlan(
  ctx: StepContext,
  instance: InstanceWrite,
  result: { state: InstanceState; effects: StaffedEffect[] },
  c: {
    task: { id: string; elementId: string };
    data: Record<string, unknown>;
    claims: boolean;
    excluders: string[];
    people: string[];
    behalf?: Record<string, unknown>;
  },
) {
  const completed = {
    tenantId: ctx.tenantId,
    instanceId: ctx.instanceId,
    taskId: c.task.id,
    actorId: ctx.actorId,
    type: 'task.completed',
    elementId: c.task.elementId,
    data: { submission: c.data, ...c.behalf },
  };
  // Completing an unassigned task claims it in the same command: the audit shows both.
  const leading = c.claims
    ? [{ ...completed, type: 'task.claimed', data: { withCompletion: true } }, completed]
    : [completed];
  return planStep(ctx, instance, result.state, result.effects, leading, {
    closeTask: { id: c.task.id, data: c.data, completedBy: ctx.actorId! },
    closedElement: c.task.elementId,
    excludeFromTasks: { elementIds: c.excluders, userIds: c.people },
  });
}

async function completeInTransaction(db: Executor, actor: Actor, input: CompleteInput) {
  return db.transaction(async (tx) => {
    // Locked: a claim or reassignment racing this completion waits for it, or it for them.
    const task = await loadTask(tx, actor, input.taskId, { lock: true });
    if (input.version !== undefined && input.version !== task.version) throw await staleTask(tx, task, input.version);
    const right = await rightToWork(tx, actor, task);
    if (!right.ok) throw new AppError('FORBIDDEN', right.message);
    if (task.status !== 'open') throw await alreadyDone(tx, task);
    const [instance] = await tx
      .select(INSTANCE_WITH_DEFINITION)
      .from(processInstances)
      .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
      .where(and(eq(processInstances.tenantId, actor.tenantId), eq(processInstances.id, task.instanceId)));
    if (!instance) throw new AppError('NOT_FOUND', `Process instance of task "${task.id}" was not found.`);
    const process = await processOf(tx, instance.def);
    // Judged against the very state this completion steps (its version guards the write).
    const verdict = await fourEyes(
      tx,
      task,
      [
        { id: actor.userId, name: actor.displayName, self: true },
        ...(right.onBehalfOf ? [{ ...right.onBehalfOf, self: false }] : []),
      ],
      { state: instance.state, process },
    );
    if (verdict) throw new AppError('FORBIDDEN', fourEyesMessage(task, verdict, 'complete'));
    const form = await formById(tx, actor.tenantId, task.formId);
    const valid = validateSubmission(form, input.data, actor.locale);
    await checkNamedValues(tx, actor, form, valid, () => fieldTitles(form, actor.locale));
    const { data, link: files } = await checkAttachments(
      tx,
      actor,
      form.schema,
      valid,
      { taskId: task.id, instanceId: task.instanceId },
      fieldTitles(form, actor.locale),
    );

    const now = await dbNow(tx);
    let stepped;
    try {
      const run = task.loopIndex >= 0 ? { loopIndex: task.loopIndex } : {};
      const inRun = task.scope ? { scope: task.scope } : {};
      const people = { actorId: actor.userId, ...(right.onBehalfOf ? { onBehalfOf: right.onBehalfOf.id } : {}) };
      stepped = send(
        process,
        instance.state,
        { type: 'task.completed', elementId: task.elementId, variables: data, ...people, ...run, ...inRun },
        { now },
      );
    } catch (error) {
      if (
        error instanceof EngineError &&
        (error.code === 'ELEMENT_NOT_ACTIVE' ||
          error.code === 'INSTANCE_NOT_ACTIVE' ||
          error.code === 'EVENT_NOT_ACCEPTED')
      ) {
        throw new AppError('CONFLICT', `Task "${task.id}" can no longer be completed: ${error.message}`);
      }
      throw error;
    }
    const result = await resolvePeople(tx, actor.tenantId, stepped);

    // Both guards matter under concurrency: a racing completion blocks on the row lock, then
    // finds the task no longer open (or the instance version moved on) and gets a conflict.
    const ctx = {
      tenantId: actor.tenantId,
      instanceId: instance.id,
      actorId: actor.userId,
      formIds: instance.def.formIds,
      now: new Date(now),
      parentId: instance.parentId,
    };
    const plan = completionPlan(ctx, { kind: 'update', version: instance.version }, result, {
      task: { id: task.id, elementId: task.elementId },
      data,
      claims: right.claims,
      // Tasks already waiting whose rule names this one now exclude its completers too (the inbox filters by the row).
      excluders: waitingExcludersOf(process, instance.state, task.elementId),
      people: [actor.userId, ...(right.onBehalfOf ? [right.onBehalfOf.id] : [])],
      ...(right.onBehalfOf
        ? { behalf: { onBehalfOf: right.onBehalfOf.id, onBehalfOfName: right.onBehalfOf.name } }
        : {}),
    });
    const written = await applyPlan(tx, plan);
    if (written === 'task-gone') throw await alreadyDone(tx, task);
    if (written === 'instance-moved')
      throw new AppError(
        'CONFLICT',
        `Process instance "${instance.id}" was changed by someone else; reload and try again.`,
      );
    const taskIds = plan.taskIds;
    await linkAttachments(tx, actor, files, instance.id);
    return { instanceId: instance.id, instanceStatus: result.state.status, taskIds };
  });
}

async function alreadyDone(tx: Executor, task: Task): Promise<AppError> {
  const [row] = await tx
    .select({ status: tasks.status, completedAt: tasks.completedAt, by: users.displayName })
    .from(tasks)
    .leftJoin(users, eq(users.id, tasks.completedBy))
    .where(and(eq(tasks.tenantId, task.tenantId), eq(tasks.id, task.id)));
  const when = row?.completedAt ? ` at ${row.completedAt.toISOString()}` : '';
  const who = row?.by ? ` by ${row.by}` : '';
  return new AppError('CONFLICT', `Task "${task.id}" was already ${row?.status ?? 'closed'}${who}${when}.`);
}

/** The conflict for a page that showed an older version of the task: names who changed it, and how. */
async function staleTask(tx: Executor, task: Task, shown: number): Promise<AppError> {
  const [last] = await tx
    .select({ type: auditEvents.type, data: auditEvents.data, at: auditEvents.at, by: users.displayName })
    .from(auditEvents)
    .leftJoin(users, eq(users.id, auditEvents.actorId))
    .where(
      and(
        eq(auditEvents.tenantId, task.tenantId),
        eq(auditEvents.instanceId, task.instanceId),
        eq(auditEvents.taskId, task.id),
        inArray(auditEvents.type, ['task.claimed', 'task.unclaimed', 'task.reassigned']),
      ),
    )
    .orderBy(desc(auditEvents.id))
    .limit(1);
  const name = localize(task.name ?? undefined, 'en') ?? task.elementId;
  const d = (last?.data ?? {}) as { fromName?: string | null; toName?: string | null; memberRemoved?: boolean };
  const what = !last
    ? 'changed'
    : last.type === 'task.reassigned'
      ? d.memberRemoved
        ? `given back to its departments when ${last.by ?? 'an admin'} removed ${d.fromName ?? 'its assignee'} from the company`
        : `reassigned by ${last.by ?? 'an admin'} from ${d.fromName ?? 'nobody'} to ${d.toName ?? 'someone else'}`
      : last.type === 'task.claimed'
        ? `claimed by ${last.by ?? 'someone else'}`
        : `released by ${last.by ?? 'someone else'}`;
  const when = last ? ` at ${last.at.toISOString()}` : '';
  return new AppError(
    'CONFLICT',
    `Task "${name}" was ${what}${when} after your page was loaded (version ${shown}, now ${task.version}); reload the task. Nothing was saved.`,
  );
}

export type ClaimResult = {
  id: string;
  assigneeId: string | null;
  version: number;
  /** False when it already was so (a retry): nothing was written. */
  changed: boolean;
};

/**
 * A candidate takes an unassigned task. Claiming a task one already holds changes nothing (retries).
 * Refusals are in the caller's language and name the task (a bulk claim shows them side by side).
 */
export async function claimTask(db: Executor, actor: Actor, id: string): Promise<ClaimResult> {
  const t = translator(actor.locale);
  return db.transaction(async (tx) => {
    const task = await loadTask(tx, actor, id, { lock: true, notFound: t('claimRefusedNotFound') });
    const name = localize(task.name ?? undefined, actor.locale) ?? task.elementId;
    if (task.assigneeId === actor.userId && task.status === 'open')
      return { id, assigneeId: actor.userId, version: task.version, changed: false };
    if (!isCandidate(actor, task)) throw new AppError('FORBIDDEN', t('claimRefusedNotOffered', { task: name }));
    if (task.status !== 'open') {
      const by = task.completedBy ? await nameOf(tx, task.completedBy) : t('someone');
      throw new AppError(
        'CONFLICT',
        task.status === 'completed'
          ? t('claimRefusedCompleted', { task: name, name: by })
          : t('claimRefusedCancelled', { task: name }),
      );
    }
    if (task.assigneeId)
      throw new AppError('CONFLICT', t('claimRefusedTaken', { task: name, name: await nameOf(tx, task.assigneeId) }));
    const verdict = await fourEyes(tx, task, [{ id: actor.userId, name: actor.displayName, self: true }]);
    if (verdict)
      throw new AppError(
        'FORBIDDEN',
        t('claimRefusedFourEyes', { task: name, reasons: fourEyesReasons(verdict[0]!, actor.locale, t) }),
      );
    return assign(tx, actor, task, actor.userId, 'task.claimed', {});
  });
}

/** Why the four-eyes rule excludes one person, in the reader's language: "started this process and completed “Check”". */
function fourEyesReasons(
  person: NonNullable<Awaited<ReturnType<typeof fourEyes>>>[number],
  locale: Actor['locale'],
  t: Translate,
): string {
  if (person.reasons.length === 0) return t('claimFourEyesExcluded');
  return person.reasons
    .map((r) =>
      r.rule === 'initiator'
        ? t('fourEyesInitiator')
        : t('fourEyesCompleted', { element: localize((r.element ?? undefined) as never, locale) ?? r.elementId }),
    )
    .join('; ');
}

/** Most tasks one bulk claim takes. */
export const MAX_BULK_CLAIM = 100;

/**
 * Claims each task for the caller, each in its own transaction with the checks of a single claim
 * (claimTask): a task a colleague took meanwhile, or one the caller may not take, is reported in
 * the caller's language by its name, and the others are still claimed. Only a refusal (an
 * AppError) is reported so: anything else is a bug and fails the command. Claiming one's own task
 * again changes nothing, so a retried bulk claim does not act twice.
 */
export async function claimMany(db: Executor, actor: Actor, ids: string[]) {
  const unique = [...new Set(ids)];
  if (unique.length > MAX_BULK_CLAIM)
    throw new AppError(
      'BAD_REQUEST',
      translator(actor.locale)('errInboxBulkTooMany', { max: MAX_BULK_CLAIM, count: unique.length }),
    );
  const results: { id: string; ok: boolean; message?: string }[] = [];
  for (const id of unique) {
    try {
      await claimTask(db, actor, id);
      results.push({ id, ok: true });
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      results.push({ id, ok: false, message: error.message });
    }
  }
  return { claimed: results.filter((r) => r.ok).length, results };
}

/** The assignee gives a department task back to its departments. Releasing an unassigned task changes nothing. */
export async function unclaimTask(db: Executor, actor: Actor, id: string): Promise<ClaimResult> {
  return db.transaction(async (tx) => {
    const task = await loadTask(tx, actor, id, { lock: true });
    if (task.assigneeId === null && task.status === 'open') {
      if (!isCandidate(actor, task)) throw new AppError('FORBIDDEN', `Task "${id}" is not offered to you.`);
      return { id, assigneeId: null, version: task.version, changed: false };
    }
    if (task.assigneeId !== actor.userId)
      throw new AppError(
        'FORBIDDEN',
        `Task "${id}" is assigned to ${task.assigneeId ? await nameOf(tx, task.assigneeId) : 'nobody'}; only they may release it (an admin may reassign it).`,
      );
    if (task.status !== 'open') throw await alreadyDone(tx, task);
    if (!hasCandidates(task))
      throw new AppError(
        'BAD_REQUEST',
        `Task "${id}" is offered to no department and to nobody by name, so nobody could take it back; ask an admin to reassign it.`,
      );
    return assign(tx, actor, task, null, 'task.unclaimed', {});
  });
}

export interface ReassignInput {
  id: string;
  assigneeId: string;
  /** The task version the admin's page showed; when it moved on since, a conflict. */
  version?: number;
}

/** An admin gives an open task to a member of the same company who may work it. Giving it to its assignee again changes nothing. */
export async function reassignTask(db: Executor, actor: Actor, input: ReassignInput): Promise<ClaimResult> {
  return db.transaction(async (tx) => {
    const task = await loadTask(tx, actor, input.id, { lock: true });
    if (task.status !== 'open') throw await alreadyDone(tx, task);
    if (task.assigneeId === input.assigneeId)
      return { id: task.id, assigneeId: task.assigneeId, version: task.version, changed: false };
    if (input.version !== undefined && input.version !== task.version) throw await staleTask(tx, task, input.version);
    const [target] = await tx
      .select({ id: users.id, name: users.displayName, role: memberships.role })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(and(eq(memberships.tenantId, actor.tenantId), eq(memberships.userId, input.assigneeId)));
    if (!target)
      throw new AppError('NOT_FOUND', `User "${input.assigneeId}" was not found in this company.`, [
        { field: 'assigneeId', label: 'assigneeId', message: 'not a member of this company' },
      ]);
    if (target.role === 'auditor')
      throw new AppError('BAD_REQUEST', `${target.name} is an auditor (read-only) and cannot work tasks.`, [
        { field: 'assigneeId', label: 'assigneeId', message: 'auditors cannot work tasks' },
      ]);
    const verdict = await fourEyes(tx, task, [{ id: target.id, name: target.name, self: true }]);
    if (verdict) {
      const why =
        verdict?.[0]?.reasons
          .map((r) =>
            r.rule === 'initiator'
              ? 'started this process'
              : `completed "${localize((r.element ?? undefined) as never, 'en') ?? r.elementId}"`,
          )
          .join(' and ') || 'is excluded by it';
      throw new AppError(
        'FORBIDDEN',
        `Four-eyes rule (separation of duties) of task "${localize(task.name ?? undefined, 'en') ?? task.elementId}": ${target.name} ${why}, so they may not work it.`,
        [{ field: 'assigneeId', label: 'assigneeId', message: 'excluded by the four-eyes rule' }],
      );
    }
    const eligible = await whoMayWork(tx, actor.tenantId, task);
    if (!eligible.some((u) => u.id === target.id)) {
      throw new AppError(
        'BAD_REQUEST',
        `${target.name} may not work task "${task.id}": it is offered to ${offeredText(task)}.`,
        [{ field: 'assigneeId', label: 'assigneeId', message: 'not a candidate of this task' }],
      );
    }
    const fromName = task.assigneeId ? await nameOf(tx, task.assigneeId) : null;
    const result = await assign(tx, actor, task, target.id, 'task.reassigned', {
      from: task.assigneeId,
      fromName,
      to: target.id,
      toName: target.name,
    });
    // Reassigned tasks come again: the key names the version, so each reassignment notifies once.
    if (target.id !== actor.userId)
      await notify(tx, [
        {
          tenantId: actor.tenantId,
          userId: target.id,
          kind: 'assigned',
          key: `assigned:${task.id}:${result.version}`,
          taskId: task.id,
          instanceId: task.instanceId,
          actorId: actor.userId,
          data: { task: task.name },
        },
      ]);
    return result;
  });
}

/**
 * A member leaves the company (members.removeMember calls this in its transaction): their open
 * tasks offered to departments or named people go back to them (unassigned, version moved, so a page
 * showing the old holder gets a conflict), each audited as `task.reassigned` to nobody by the admin
 * who removed them (`memberRemoved`). A task offered to no department and nobody by name stays with them: nobody else
 * could take it, so an admin reassigns it. Returns the ids given back.
 */
export async function returnTasksOfRemovedMember(
  tx: Executor,
  actor: Actor,
  member: { id: string; name: string },
): Promise<string[]> {
  const held = await tx
    .select()
    .from(tasks)
    .where(
      and(
        eq(tasks.tenantId, actor.tenantId),
        eq(tasks.assigneeId, member.id),
        eq(tasks.status, 'open'),
        sql`(cardinality(${tasks.candidateGroups}) > 0 or cardinality(${tasks.candidateUserIds}) > 0)`,
      ),
    )
    .orderBy(asc(tasks.id))
    .for('update');
  for (const task of held)
    await assign(tx, actor, task, null, 'task.reassigned', {
      from: member.id,
      fromName: member.name,
      to: null,
      toName: null,
      memberRemoved: true,
    });
  return held.map((t) => t.id);
}

/** Sets the assignee of a locked, open task, moves its version and writes the audit row (chained to its instance). */
async function assign(
  tx: Executor,
  actor: Actor,
  task: Task,
  assigneeId: string | null,
  type: string,
  data: Record<string, unknown>,
): Promise<ClaimResult> {
  const [moved] = await tx
    .update(tasks)
    .set({ assigneeId, version: sql`${tasks.version} + 1` })
    .where(and(eq(tasks.id, task.id), eq(tasks.status, 'open'), eq(tasks.version, task.version)))
    .returning({ version: tasks.version });
  if (!moved) throw new AppError('CONFLICT', `Task "${task.id}" was changed by someone else; reload and try again.`);
  // Chained to the instance: it moves the instance's audit head, so a one-statement completion read before it misses and takes the checked path.
  await appendAudit(tx, [
    {
      tenantId: actor.tenantId,
      instanceId: task.instanceId,
      taskId: task.id,
      actorId: actor.userId,
      type,
      elementId: task.elementId,
      data,
    },
  ]);
  return { id: task.id, assigneeId, version: moved.version, changed: true };
}
