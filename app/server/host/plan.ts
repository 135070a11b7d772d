/**
 * What one engine step writes, as data: the step's effects turned into a typed, pure plan of rows
 * (`StepWrite`) — the instance row, the task or job the command closes, and, in effect order, new
 * tasks and jobs (in batches cut by each cancel), what the step cancels and subscriptions; then the
 * audit rows in order and the "assigned to you" notifications, written after them. The plan is made
 * here and only here; write.ts executes it, as one statement where it can and as a transaction
 * where it must. No I/O, no clock: the read's time comes in `ctx.now`.
 *
 * Effects that reach beyond the instance (a message or signal sent, a process called or ended, a
 * parent to tell, a buffered message to look for) cannot be written from the plan alone: they
 * stay in it as `reach` operations, in their place, and the transaction form hands them to the
 * caller's handler (effects.ts), which reads and writes other instances in the same transaction.
 */
import { randomUUID } from 'node:crypto';
import type { Effect, InstanceState } from '@/engine';
import type { auditEvents, jobs, notifications, processInstances, subscriptions, tasks } from '@/db/schema';
import { peopleOf, taskCreatedData, type StaffedEffect } from '../services/task-people';
import { taskSearchText } from '../services/search';

export type AuditRow = typeof auditEvents.$inferInsert;
/** A task row; `search` is the folded text (search.ts), made a tsvector by the writer. */
export type TaskRow = Omit<typeof tasks.$inferInsert, 'search' | 'id'> & { id: string; search: string };
export type JobRow = typeof jobs.$inferInsert & { id: string };
export type SubscriptionRow = typeof subscriptions.$inferInsert;
export type NotificationRow = typeof notifications.$inferInsert;
/** An instance row as a start inserts it; `search` is the folded text (search.ts), made a tsvector by the writer. */
export type InstanceRow = Omit<
  typeof processInstances.$inferInsert,
  'search' | 'id' | 'state' | 'status' | 'outcome'
> & {
  id: string;
  search: string;
};

/** Retries of a service job whose task sets none (the column's default). */
export const DEFAULT_JOB_RETRIES = 3;

export interface StepContext {
  tenantId: string;
  instanceId: string;
  /** Who caused it; null for the system (a timer, a worker). */
  actorId: string | null;
  /** Form key → pinned form id of the definition version being run. */
  formIds: Record<string, string>;
  /** The database clock at the read: audit rows are stamped with it. */
  now: Date;
  /** The instance's parent, when the read knows it (undefined: not known, so a completion asks). */
  parentId?: string | null;
}

/** How the instance row is written: a new instance, or a step guarded by what was read. */
export type InstanceWrite =
  | { kind: 'insert'; row: InstanceRow }
  | {
      kind: 'update';
      version: number;
      /** The audit head the read saw; undefined when the read did not take it (the transaction form chains onto the current head under its lock). */
      auditHead?: string | null;
    };

/** Effects the plan cannot write alone: they read or write other instances (effects.ts carries them out). */
export type ReachingEffect =
  | Extract<
      Effect,
      { type: 'sendMessage' | 'broadcastSignal' | 'startChildInstance' | 'cancelChildInstance' | 'completeInstance' }
    >
  | Extract<Effect, { type: 'openSubscription' }>
  | { type: 'cancelScope'; scope: string };

/** One write of the step, in effect order. */
export type StepOp =
  | { op: 'insertTasks'; rows: TaskRow[] }
  /** New jobs (timers, service work). */
  | { op: 'insertJobs'; rows: JobRow[] }
  | { op: 'cancelTasks'; elementId: string; scope: string | null; loopIndex?: number }
  | { op: 'cancelTimer'; timerId: string; scope: string | null }
  | { op: 'cancelJob'; elementId: string; scope: string | null }
  | { op: 'openSubscription'; row: SubscriptionRow }
  | { op: 'closeSubscription'; elementId: string; scope: string | null }
  | { op: 'cancelScope'; scope: string }
  /** The instance ended: every open task, unfinished job and subscription of it goes. */
  | { op: 'endOpenWork' }
  | { op: 'reach'; effect: ReachingEffect };

export interface StepWrite {
  ctx: StepContext;
  instance: InstanceWrite;
  state: InstanceState;
  /** The task this command completes (only if still open). */
  closeTask?: { id: string; data: Record<string, unknown>; completedBy: string };
  /** The job this command finishes (only if this worker still holds it). */
  finishJob?: { id: string; workerId: string; status: 'done' | 'cancelled' };
  /** Open tasks of these elements learn that these people may not work them (a four-eyes rule naming the completed task). */
  excludeFromTasks?: { elementIds: string[]; userIds: string[] };
  ops: StepOp[];
  /** Audit rows in order, not yet chained (the writer chains them onto the instance's head). */
  audit: AuditRow[];
  notifications: NotificationRow[];
  /** Ids of the tasks created, in effect order. */
  taskIds: string[];
  /**
   * Why the plan cannot be one statement (null: it can): effects that reach other instances, or
   * writes whose order one statement cannot keep (a task closed and reopened in the same step).
   */
  needsTransaction: string | null;
}

export interface PlanOptions {
  closeTask?: StepWrite['closeTask'];
  finishJob?: StepWrite['finishJob'];
  excludeFromTasks?: StepWrite['excludeFromTasks'];
  /** The element of the task the command closes: a new task of it in the same step needs ordering. */
  closedElement?: string;
  /** Ids for new rows (tests give a sequence). */
  newId?: () => string;
}

/** Turns a step's effects into the plan of what it writes. Throws for a definition that cannot run (an unpinned form). */
export function planStep(
  ctx: StepContext,
  instance: InstanceWrite,
  state: InstanceState,
  effects: readonly StaffedEffect[],
  leadingAudit: readonly AuditRow[],
  options: PlanOptions = {},
): StepWrite {
  const newId = options.newId ?? randomUUID;
  const base = { tenantId: ctx.tenantId, instanceId: ctx.instanceId, actorId: ctx.actorId };
  const plan: StepWrite = {
    ctx,
    instance,
    state,
    ...(options.closeTask ? { closeTask: options.closeTask } : {}),
    ...(options.finishJob ? { finishJob: options.finishJob } : {}),
    ...(options.excludeFromTasks && options.excludeFromTasks.elementIds.length > 0
      ? { excludeFromTasks: options.excludeFromTasks }
      : {}),
    ops: [],
    audit: [...leadingAudit],
    notifications: [],
    taskIds: [],
    needsTransaction: null,
  };
  const needs = (why: string) => (plan.needsTransaction ??= why);
  // An element whose task is closed or cancelled here cannot get a new task in the same statement:
  // the unique index on open tasks would see the new one before the old one is closed.
  const closing = new Set<string>(options.closedElement ? [options.closedElement] : []);
  // Tasks and jobs are inserted in batches, each before the first effect after it that cancels: a
  // task or job created before a cancel is cancelled by it, one created after (a retried user task,
  // a timer scheduled again) is not.
  let batch: TaskRow[] | null = null;
  let jobBatch: JobRow[] | null = null;
  const cancels = () => {
    batch = null;
    jobBatch = null;
  };
  const addJob = (row: JobRow) => {
    if (!jobBatch) plan.ops.push({ op: 'insertJobs', rows: (jobBatch = []) });
    jobBatch.push(row);
  };
  for (const e of effects) {
    const scope = e.scope ?? null;
    switch (e.type) {
      case 'createTask': {
        const formId = e.formKey === null ? undefined : ctx.formIds[e.formKey];
        if (!formId)
          throw new Error(
            `Form "${e.formKey}" of task "${e.elementId}" is not pinned by the definition version; republish the process.`,
          );
        if (closing.has(e.elementId)) needs(`task "${e.elementId}" is closed and opened again`);
        const people = peopleOf(e);
        const id = newId();
        const row: TaskRow = {
          id,
          tenantId: ctx.tenantId,
          instanceId: ctx.instanceId,
          elementId: e.elementId,
          name: e.name,
          formId,
          assigneeId: people.assigneeId,
          candidateGroups: e.candidateGroups,
          candidateUserIds: people.candidateUserIds,
          candidateRole: e.candidateRole,
          dueDate: e.dueDate ? e.dueDate.slice(0, 10) : null,
          loopIndex: e.loop?.index ?? -1,
          loopItem: e.loop?.item ?? null,
          scope,
          createdBy: ctx.actorId,
          excludedUserIds: e.excludedUsers ?? [],
          priority: e.priority,
          summary: e.summary ? Object.entries(e.summary) : null,
          search: taskSearchText(e),
        };
        if (!batch) plan.ops.push({ op: 'insertTasks', rows: (batch = []) });
        batch.push(row);
        plan.taskIds.push(id);
        plan.audit.push({
          ...base,
          taskId: id,
          type: 'task.created',
          elementId: e.elementId,
          data: taskCreatedData(e),
        });
        // "Assigned to you" for a task given to someone other than whoever caused the step (one's own next task is no news).
        if (people.assigneeId && people.assigneeId !== ctx.actorId) {
          plan.notifications.push({
            tenantId: ctx.tenantId,
            userId: people.assigneeId,
            kind: 'assigned',
            key: `assigned:${id}`,
            taskId: id,
            instanceId: ctx.instanceId,
            actorId: ctx.actorId,
            data: { task: e.name },
          });
        }
        break;
      }
      case 'audit':
        plan.audit.push({
          ...base,
          type: e.event,
          elementId: e.elementId,
          data: { elementType: e.elementType, flowId: e.flowId, ...(e.data ? { variables: e.data } : {}) },
        });
        break;
      case 'cancelTask':
        cancels();
        closing.add(e.elementId);
        plan.ops.push({
          op: 'cancelTasks',
          elementId: e.elementId,
          scope,
          ...(e.loopIndex === undefined ? {} : { loopIndex: e.loopIndex }),
        });
        plan.audit.push({
          ...base,
          type: 'task.cancelled',
          elementId: e.elementId,
          data: e.loopIndex === undefined ? {} : { loopIndex: e.loopIndex },
        });
        break;
      case 'scheduleTimer':
        // The engine knows a firing by the time it was scheduled for (payload), whenever it runs.
        addJob({
          id: newId(),
          tenantId: ctx.tenantId,
          instanceId: ctx.instanceId,
          kind: 'timer',
          elementId: e.elementId,
          timerId: e.timerId,
          scope,
          dueAt: new Date(e.dueAt),
          payload: { dueAt: e.dueAt },
          retries: DEFAULT_JOB_RETRIES,
        });
        plan.audit.push({
          ...base,
          type: 'timer.scheduled',
          elementId: e.elementId,
          data: { timerId: e.timerId, dueAt: e.dueAt },
        });
        break;
      case 'cancelTimer':
        cancels();
        plan.ops.push({ op: 'cancelTimer', timerId: e.timerId, scope });
        break;
      case 'startJob':
        addJob({
          id: newId(),
          tenantId: ctx.tenantId,
          instanceId: ctx.instanceId,
          kind: 'service',
          elementId: e.elementId,
          jobType: e.taskType,
          scope,
          payload: e.variables,
          dueAt: ctx.now,
          retries: e.retries ?? DEFAULT_JOB_RETRIES,
        });
        plan.audit.push({ ...base, type: 'job.created', elementId: e.elementId, data: { taskType: e.taskType } });
        break;
      case 'cancelJob':
        cancels();
        plan.ops.push({ op: 'cancelJob', elementId: e.elementId, scope });
        break;
      case 'openSubscription':
        needs(`subscription "${e.name}" is opened`);
        plan.ops.push({
          op: 'openSubscription',
          row: {
            tenantId: ctx.tenantId,
            instanceId: ctx.instanceId,
            elementId: e.elementId,
            kind: e.kind,
            name: e.name,
            correlationKey: e.correlationKey,
            scope,
          },
        });
        // A message may wait in the buffer for it.
        if (e.kind === 'message') plan.ops.push({ op: 'reach', effect: e });
        break;
      case 'closeSubscription':
        needs(`subscription of "${e.elementId}" is closed`);
        plan.ops.push({ op: 'closeSubscription', elementId: e.elementId, scope });
        break;
      case 'sendMessage':
        needs(`message "${e.name}" is sent`);
        plan.audit.push({ ...base, type: 'message.sent', elementId: e.elementId, data: { name: e.name } });
        plan.ops.push({ op: 'reach', effect: e });
        break;
      case 'broadcastSignal':
        needs(`signal "${e.name}" is broadcast`);
        plan.audit.push({ ...base, type: 'signal.broadcast', elementId: e.elementId, data: { name: e.name } });
        plan.ops.push({ op: 'reach', effect: e });
        break;
      case 'startChildInstance':
        needs(`process "${e.processKey}" is called`);
        plan.ops.push({ op: 'reach', effect: e });
        break;
      case 'cancelChildInstance':
        needs(`a called process of "${e.elementId}" is ended`);
        plan.ops.push({ op: 'reach', effect: e });
        break;
      case 'cancelScope':
        if (e.scope !== undefined) {
          needs(`run "${e.scope}" is ended`);
          cancels();
          plan.ops.push({ op: 'cancelScope', scope: e.scope });
          // a process called from within the run ends with it, as the simulator ends it
          plan.ops.push({ op: 'reach', effect: { type: 'cancelScope', scope: e.scope } });
        }
        break;
      case 'completeInstance':
        cancels();
        plan.audit.push({ ...base, type: 'instance.completed', data: { outcome: e.outcome } });
        plan.ops.push({ op: 'endOpenWork' });
        // A called process tells its parent (effects.ts); one known to have none tells nobody.
        if (ctx.parentId !== null) {
          needs('the instance may have a parent to resume');
          plan.ops.push({ op: 'reach', effect: e });
        }
        break;
      case 'raiseIncident':
        plan.audit.push({
          ...base,
          type: 'incident.raised',
          elementId: e.incident.elementId,
          data: { code: e.incident.code, message: e.incident.message },
        });
        break;
      default:
        throw new Error(
          `The server cannot carry out the engine's "${(e as Effect).type}" effect (element "${'elementId' in e ? e.elementId : '?'}").`,
        );
    }
  }
  // Tasks both told of a four-eyes rule and cancelled: one statement may not update a row twice.
  if (plan.excludeFromTasks && plan.ops.some((o) => o.op === 'cancelTasks' || o.op === 'endOpenWork'))
    needs('tasks told of a four-eyes rule are cancelled in the same step');
  // One statement cannot order its writes: rows it inserts are not seen by its own cancels, so a
  // task or job created before something is cancelled needs the transaction form.
  const cancelling = new Set<StepOp['op']>(['cancelTasks', 'cancelTimer', 'cancelJob', 'cancelScope', 'endOpenWork']);
  const lastCancel = plan.ops.findLastIndex((o) => cancelling.has(o.op));
  if (plan.ops.slice(0, Math.max(0, lastCancel)).some((o) => o.op === 'insertTasks' || o.op === 'insertJobs'))
    needs('tasks or jobs are created before something is cancelled in the same step');
  return plan;
}
