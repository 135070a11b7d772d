/**
 * The hot path of a command, in two round trips: one statement reads what the command needs (with
 * the database clock), the engine steps in memory, and ONE statement writes everything the step
 * did — the instance row (guarded by its version and audit head), the task or job it closes, new
 * tasks and jobs, what it cancels, and its hash-chained audit rows — as data-modifying CTEs. A
 * single statement is a transaction of its own: it happens whole or not at all, and a concurrent
 * writer that got there first makes the version guard miss, so nothing is written.
 *
 * Only steps whose effects stay within the instance are written this way. A step that reaches
 * other instances (messages, signals, call activities, a parent to resume) or needs to read first
 * (a buffered message) returns null from `planStep`, and the caller runs its general path:
 * effects.ts in an explicit transaction, which re-reads everything. Any miss (a lost race, a job
 * whose lease moved on) also falls back to the general path, which reports it properly.
 *
 * Statements are sent as prepared statements (rawQuery); their text depends only on the shape of
 * the command (which parts it has), never on the data, so each shape is parsed once per connection.
 */
import { randomUUID } from 'node:crypto';
import type { InstanceState } from '@/engine';
import type { RawQuery } from '@/db/client';
import type { auditEvents } from '@/db/schema';
import { chainEvent, type AuditChain } from './audit';
import { peopleOf, taskCreatedData, type StaffedEffect } from './task-people';
import { jobsCommitted } from './job-signal';
import { taskSearchText } from './search';
import { webhookEventOf, webhookJobsFrom } from './webhooks';

type AuditRow = typeof auditEvents.$inferInsert;

/** Retries of a service job whose task sets none (the column's default). */
const DEFAULT_JOB_RETRIES = 3;

/** What a command knows of the instance it steps (read in its one read). */
export interface InstanceRead {
  id: string;
  tenantId: string;
  version: number;
  status: string;
  state: InstanceState;
  auditHead: string | null;
  parentId: string | null;
  definitionId: string;
}

/** How one read statement selects an instance's fields (table alias `i`). */
export const INSTANCE_COLUMNS = `i.id as "id", i.tenant_id as "tenantId", i.version as "version", i.status as "status", i.state as "state", i.audit_head as "auditHead", i.parent_id as "parentId", i.definition_id as "definitionId"`;

export interface StepContext {
  tenantId: string;
  instanceId: string;
  actorId: string | null;
  formIds: Record<string, string>;
  /** The database clock at the read: audit rows are stamped with it. */
  now: Date;
}

/** How the instance row is written: a new instance, or a step guarded by what was read. */
export type InstanceWrite =
  | {
      kind: 'insert';
      definitionId: string;
      businessKey: string | null;
      startedBy: string;
      /** Folded search text (search.ts). */ search: string;
    }
  | { kind: 'update'; version: number; auditHead: string | null };

export interface StepPlan {
  instance: InstanceWrite;
  state: InstanceState;
  /** The task this command completes (only if still open). */
  closeTask?: { id: string; data: Record<string, unknown>; completedBy: string };
  /** The job this command finishes (only if this worker still holds it). */
  finishJob?: { id: string; workerId: string; status: 'done' | 'cancelled' };
  tasks: Record<string, unknown>[];
  jobs: Record<string, unknown>[];
  cancels: Record<string, unknown>[];
  /** The instance ended: every open task, job and subscription of it goes. */
  cancelAll: boolean;
  audit: Record<string, unknown>[];
  /** The instance's audit head after this step's events. */
  auditHead: string | null;
  /** Ids of the tasks created, in effect order. */
  taskIds: string[];
}

/**
 * Turns a step's effects into a plan for one statement, or null when the step needs the general
 * path (effects that reach other instances or must read first, or writes one statement cannot
 * order, such as closing and reopening the same task).
 */
export function planStep(
  ctx: StepContext,
  instance: InstanceWrite,
  state: InstanceState,
  effects: StaffedEffect[],
  leadingAudit: AuditRow[],
  extra: Pick<StepPlan, 'closeTask' | 'finishJob'> & { closedElement?: string } = {},
): StepPlan | null {
  const base = { tenantId: ctx.tenantId, instanceId: ctx.instanceId, actorId: ctx.actorId };
  const audit: AuditRow[] = [...leadingAudit];
  const plan: StepPlan = {
    instance,
    state,
    ...extra,
    tasks: [],
    jobs: [],
    cancels: [],
    cancelAll: false,
    audit: [],
    auditHead: null,
    taskIds: [],
  };
  // An element whose task is closed or cancelled here cannot get a new task in the same statement:
  // the unique index on open tasks would see the new one before the old one is closed.
  const closing = new Set<string>(extra.closedElement ? [extra.closedElement] : []);
  for (const e of effects) {
    const scope = e.scope ?? null;
    switch (e.type) {
      case 'createTask': {
        if (e.formKey === null) return null;
        const formId = ctx.formIds[e.formKey];
        if (!formId) return null; // the general path reports it
        if (closing.has(e.elementId)) return null;
        const id = randomUUID();
        const people = peopleOf(e);
        plan.taskIds.push(id);
        plan.tasks.push(
          compact({
            id,
            element_id: e.elementId,
            name: e.name,
            form_id: formId,
            assignee_id: people.assigneeId,
            candidate_groups: e.candidateGroups,
            candidate_user_ids: people.candidateUserIds,
            candidate_role: e.candidateRole,
            due_date: e.dueDate ? e.dueDate.slice(0, 10) : null,
            priority: e.priority,
            summary: e.summary ? Object.entries(e.summary) : null,
            search: taskSearchText(e),
            loop_index: e.loop?.index ?? -1,
            loop_item: e.loop?.item ?? null,
            scope,
            excluded_user_ids: e.excludedUsers,
          }),
        );
        audit.push({ ...base, taskId: id, type: 'task.created', elementId: e.elementId, data: taskCreatedData(e) });
        break;
      }
      case 'audit':
        audit.push({
          ...base,
          type: e.event,
          elementId: e.elementId,
          data: { elementType: e.elementType, flowId: e.flowId, ...(e.data ? { variables: e.data } : {}) },
        });
        break;
      case 'cancelTask':
        if (plan.taskIds.length > 0) return null;
        closing.add(e.elementId);
        plan.cancels.push(compact({ kind: 'task', element_id: e.elementId, scope, loop_index: e.loopIndex ?? null }));
        audit.push({
          ...base,
          type: 'task.cancelled',
          elementId: e.elementId,
          data: e.loopIndex === undefined ? {} : { loopIndex: e.loopIndex },
        });
        break;
      case 'scheduleTimer':
        plan.jobs.push(
          compact({
            kind: 'timer',
            element_id: e.elementId,
            timer_id: e.timerId,
            scope,
            due_at: e.dueAt,
            payload: { dueAt: e.dueAt },
          }),
        );
        audit.push({
          ...base,
          type: 'timer.scheduled',
          elementId: e.elementId,
          data: { timerId: e.timerId, dueAt: e.dueAt },
        });
        break;
      case 'cancelTimer':
        plan.cancels.push(compact({ kind: 'timer', timer_id: e.timerId, scope }));
        break;
      case 'startJob':
        plan.jobs.push(
          compact({
            kind: 'service',
            element_id: e.elementId,
            job_type: e.taskType,
            scope,
            payload: e.variables,
            retries: e.retries,
          }),
        );
        audit.push({ ...base, type: 'job.created', elementId: e.elementId, data: { taskType: e.taskType } });
        break;
      case 'cancelJob':
        plan.cancels.push(compact({ kind: 'job', element_id: e.elementId, scope }));
        break;
      case 'completeInstance':
        audit.push({ ...base, type: 'instance.completed', data: { outcome: e.outcome } });
        plan.cancelAll = true;
        break;
      case 'raiseIncident':
        audit.push({
          ...base,
          type: 'incident.raised',
          elementId: e.incident.elementId,
          data: { code: e.incident.code, message: e.incident.message },
        });
        break;
      default:
        // closeSubscription, sendMessage, broadcastSignal, call activities, cancelScope: the general path.
        return null;
    }
  }
  // A job created and cancelled in the same step (or a timer) would need ordering: general path.
  if (plan.cancels.length > 0 && plan.jobs.length > 0) return null;

  const chain: AuditChain = {
    instanceId: ctx.instanceId,
    tenantId: ctx.tenantId,
    head: instance.kind === 'update' ? instance.auditHead : null,
  };
  plan.audit = audit.map((row, seq) => {
    const stored = chainEvent(chain, row, ctx.now);
    return compact({
      seq,
      task_id: stored.taskId,
      actor_id: stored.actorId,
      type: stored.type,
      element_id: stored.elementId,
      data: stored.data,
      at: stored.at.toISOString(),
      prev_hash: stored.prevHash,
      hash: stored.hash,
    });
  });
  plan.auditHead = chain.head;
  return plan;
}

/** The outcome of one write statement. */
export type StepWriteResult = 'written' | 'missed';

/**
 * Writes a plan in one statement. 'missed' when the instance moved on since the read (version or
 * audit head), or the task/job to close is no longer this command's: then nothing was written.
 */
export async function writeStep(query: RawQuery, ctx: StepContext, plan: StepPlan): Promise<StepWriteResult> {
  const params: unknown[] = [];
  const p = (value: unknown, type: string) => {
    params.push(value);
    return `$${params.length}::${type}`;
  };
  const json = (value: unknown) => p(JSON.stringify(value), 'text') + '::jsonb';
  const id = p(ctx.instanceId, 'uuid');
  const tenant = p(ctx.tenantId, 'uuid');
  const status = p(plan.state.status, 'text');
  const head = plan.auditHead;
  const ended = `case when ${status} = 'completed' then now() end`;
  const parts: string[] = [];
  if (plan.instance.kind === 'insert') {
    parts.push(`moved as (insert into process_instances (id, tenant_id, definition_id, business_key, status, outcome, state, started_by, audit_head, ended_at, search)
      values (${id}, ${tenant}, ${p(plan.instance.definitionId, 'uuid')}, ${p(plan.instance.businessKey, 'text')}, ${status}, ${p(plan.state.outcome ?? null, 'text')}, ${json(plan.state)}, ${p(plan.instance.startedBy, 'uuid')}, ${p(head, 'text')}, ${ended}, to_tsvector('simple', ${p(plan.instance.search, 'text')})) returning id)`);
  } else {
    parts.push(`moved as (update process_instances set state = ${json(plan.state)}, status = ${status}, outcome = ${p(plan.state.outcome ?? null, 'text')}, version = version + 1, audit_head = ${p(head, 'text')}, ended_at = ${ended}
      where id = ${id} and version = ${p(plan.instance.version, 'int4')} and status = 'active' and audit_head is not distinct from ${p(plan.instance.auditHead, 'text')} returning id)`);
  }
  const checks: string[] = [];
  let closedTask = 'null::uuid';
  if (plan.closeTask) {
    closedTask = p(plan.closeTask.id, 'uuid');
    parts.push(`closed_task as (update tasks set status = 'completed', data = ${json(plan.closeTask.data)}, completed_at = now(), completed_by = ${p(plan.closeTask.completedBy, 'uuid')}
      where id = ${closedTask} and instance_id = ${id} and status = 'open' and exists (select 1 from moved) returning id)`);
    checks.push(`(select count(*) from closed_task)`);
  }
  let finishedJob = 'null::uuid';
  if (plan.finishJob) {
    finishedJob = p(plan.finishJob.id, 'uuid');
    parts.push(`finished_job as (update jobs set status = ${p(plan.finishJob.status, 'text')}, completed_at = now(), locked_by = null, locked_until = null
      where id = ${finishedJob} and instance_id = ${id} and locked_by = ${p(plan.finishJob.workerId, 'text')} and status = 'running' and exists (select 1 from moved) returning id)`);
    checks.push(`(select count(*) from finished_job)`);
  }
  if (plan.cancelAll || plan.cancels.length > 0) {
    const all = p(plan.cancelAll, 'bool');
    const cancels = json(plan.cancels);
    parts.push(`cancelled_tasks as (update tasks t set status = 'cancelled', completed_at = now()
      where t.instance_id = ${id} and t.status = 'open' and t.id is distinct from ${closedTask} and exists (select 1 from moved)
        and (${all} or exists (select 1 from jsonb_to_recordset(${cancels}) as c(kind text, element_id text, scope text, loop_index int4)
          where c.kind = 'task' and c.element_id = t.element_id and c.scope is not distinct from t.scope and (c.loop_index is null or c.loop_index = t.loop_index))))`);
    // Failed jobs too (UNFINISHED_JOB in effects.ts): no incident stays behind for work that is gone.
    parts.push(`cancelled_jobs as (update jobs j set status = 'cancelled', completed_at = now(), locked_by = null, locked_until = null
      where j.instance_id = ${id} and j.status in ('pending', 'running', 'failed') and j.kind <> 'webhook' and j.id is distinct from ${finishedJob} and exists (select 1 from moved)
        and (${all} or exists (select 1 from jsonb_to_recordset(${cancels}) as c(kind text, element_id text, timer_id text, scope text)
          where c.scope is not distinct from j.scope and ((c.kind = 'timer' and j.kind = 'timer' and j.timer_id = c.timer_id) or (c.kind = 'job' and j.kind = 'service' and j.element_id = c.element_id)))))`);
    if (plan.cancelAll)
      parts.push(
        `closed_subscriptions as (delete from subscriptions where instance_id = ${id} and exists (select 1 from moved))`,
      );
  }
  if (plan.tasks.length > 0) {
    parts.push(`new_tasks as (insert into tasks (id, tenant_id, instance_id, element_id, name, form_id, assignee_id, candidate_groups, candidate_user_ids, candidate_role, due_date, loop_index, loop_item, scope, created_by, excluded_user_ids, priority, summary, search)
      select r.id, ${tenant}, ${id}, r.element_id, r.name, r.form_id, r.assignee_id, coalesce(r.candidate_groups, '{}'), coalesce(r.candidate_user_ids, '{}'), coalesce(r.candidate_role, 'member'), r.due_date, coalesce(r.loop_index, -1), r.loop_item, r.scope, ${p(ctx.actorId, 'uuid')}, coalesce(r.excluded_user_ids, '{}'), r.priority, r.summary, to_tsvector('simple', coalesce(r.search, ''))
      from jsonb_to_recordset(${json(plan.tasks)}) as r(id uuid, element_id text, name jsonb, form_id uuid, assignee_id uuid, candidate_groups text[], candidate_user_ids uuid[], candidate_role text, due_date date, loop_index int4, loop_item jsonb, scope text, excluded_user_ids uuid[], priority int4, summary jsonb, search text)
      where exists (select 1 from moved))`);
  }
  // "Assigned to you" for tasks given to someone other than whoever caused the step (effects.ts assignedNotifications).
  if (plan.tasks.some((task) => task.assignee_id !== undefined && task.assignee_id !== ctx.actorId)) {
    parts.push(`new_notifications as (insert into notifications (tenant_id, user_id, kind, key, task_id, instance_id, actor_id, data)
      select ${tenant}, r.assignee_id, 'assigned', 'assigned:' || r.id::text, r.id, ${id}, ${p(ctx.actorId, 'uuid')}, jsonb_build_object('task', r.name)
      from jsonb_to_recordset(${json(plan.tasks)}) as r(id uuid, assignee_id uuid, name jsonb)
      where r.assignee_id is not null and r.assignee_id is distinct from ${p(ctx.actorId, 'uuid')} and exists (select 1 from moved)
      on conflict do nothing)`);
  }
  if (plan.jobs.length > 0) {
    parts.push(`new_jobs as (insert into jobs (tenant_id, instance_id, kind, element_id, scope, timer_id, job_type, payload, due_at, retries)
      select ${tenant}, ${id}, r.kind, r.element_id, r.scope, r.timer_id, r.job_type, coalesce(r.payload, '{}'), coalesce(r.due_at, now()), coalesce(r.retries, ${DEFAULT_JOB_RETRIES})
      from jsonb_to_recordset(${json(plan.jobs)}) as r(kind text, element_id text, scope text, timer_id text, job_type text, payload jsonb, due_at timestamptz, retries int4)
      where exists (select 1 from moved))`);
  }
  // Events that are webhook events enqueue their deliveries from what the insert returns (webhooks.ts).
  const notify = plan.audit.some((row) => webhookEventOf(String(row.type)) !== undefined);
  if (plan.audit.length > 0) {
    parts.push(`new_audit as (insert into audit_events (tenant_id, instance_id, task_id, actor_id, type, element_id, data, at, prev_hash, hash)
      select ${tenant}, ${id}, r.task_id, r.actor_id, r.type, r.element_id, coalesce(r.data, '{}'), r.at, r.prev_hash, r.hash
      from jsonb_to_recordset(${json(plan.audit)}) as r(seq int4, task_id uuid, actor_id uuid, type text, element_id text, data jsonb, at timestamptz, prev_hash text, hash text)
      where exists (select 1 from moved) order by r.seq${notify ? ' returning tenant_id, instance_id, task_id, element_id, type, data, at' : ''})`);
    if (notify) parts.push(`webhook_jobs as (${webhookJobsFrom('new_audit a')} returning 1)`);
  }
  // The task or job to close must close exactly when the instance moves: if not, the statement
  // fails (trellis_assert raises) and nothing of it stays.
  const consistent =
    checks.length === 0 ? 'true' : checks.map((c) => `${c} = (select count(*) from moved)`).join(' and ');
  const text = `with ${parts.join(',\n')}
    select (select count(*) from moved)::int4 as "moved", ${notify ? '(select count(*) from webhook_jobs)::int4' : '0'} as "deliveries", trellis_assert(${consistent}, 'STEP_TARGET_GONE') as "ok"`;
  try {
    const [row] = await query<{ moved: number; deliveries: number }>(text, params);
    if (Number(row?.moved) !== 1) return 'missed';
    // Jobs due now: service jobs, timers already due, webhook deliveries.
    if (
      Number(row?.deliveries) > 0 ||
      plan.jobs.some((job) => job.due_at === undefined || Date.parse(String(job.due_at)) <= ctx.now.getTime())
    )
      jobsCommitted();
    return 'written';
  } catch (error) {
    if ((error as Error).message?.includes('STEP_TARGET_GONE')) return 'missed';
    throw error;
  }
}

/** JSON objects without null/undefined members: jsonb_to_recordset reads a missing key as SQL NULL (a JSON null in a jsonb column would stay JSON). */
function compact(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => v !== null && v !== undefined));
}
