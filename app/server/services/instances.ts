/**
 * Starting and reading process instances. Every command runs in one transaction. A start is a
 * person's (their rights, and they are its initiator) or an outside system's through an API key
 * (its scope; no initiator, as a timer's start; audited as the key): one pipeline for both.
 */
import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { alias } from 'drizzle-orm/pg-core';
import { z } from 'zod';
import { keySchema, start, type InstanceState } from '@/engine';
import { rawQuery, type Executor } from '@/db/client';
import {
  auditEvents,
  delegations,
  groups,
  jobs,
  memberships,
  processDefinitions,
  processInstances,
  tasks,
  users,
  type ProcessDefinitionRow,
} from '@/db/schema';
import { localize, type LocalizedText } from '@/engine/model/definition';
import { groupKeys, type Actor } from '../actor';
import { isKeyCaller, type KeyCall } from '../caller';
import { translator, type MessageKey } from '../../_i18n/messages';
import { AppError, isUuid } from '../errors';
import { validateSubmission } from '../forms';
import { fieldTitles } from '@/engine';
import { checkAttachments, linkAttachments } from './attachment-links';
import { checkNamedValues } from './directory';
import {
  businessKeyOf,
  definitionById,
  formById,
  instanceFormsOf,
  latestDefinition,
  mayStart,
  processOf,
  startRefusal,
} from './definitions';
import {
  initiatorFor,
  initiatorWith,
  managerEmailSql,
  withInitiator,
  withoutInitiator,
  type Initiator,
} from './initiator';
import { resolvePeople } from './task-people';
import { hinted } from '../host/job-signal';
import { NOW_MS, type AuditInsert } from './audit';
import { auditAsKey, keyMayReadInstances, keyMayStart, keyRefusal } from './api-keys';
import { endInstance, instanceToEnd } from './incidents';
import { planStep, type StepWrite } from '../host/plan';
import { writeOneStatement } from '../host/write';
import { instanceSearchText } from './search';
import { applyPlan, dbNow } from '../host/effects';
import { instanceListScope, scopeCovers } from './instance-list';
import { caseSummaryFields, declaredDepartments, historyWithoutData } from './case-view';

/**
 * What a start sends, checked where it arrives (instance.start, POST /api/v1/instances): the
 * process by its key, and the start form's values (checked against the form by the start itself).
 */
export const startInputShape = {
  definitionKey: keySchema,
  variables: z.record(z.string(), z.unknown()).default({}),
};

export interface StartInput {
  definitionKey: string;
  variables: Record<string, unknown>;
}

/** Who starts an instance: a person, or an outside system by its API key. */
export type Starter = Actor | KeyCall;

export type { KeyCall };

/**
 * Starts the latest version of a process. A person needs its startableBy's leave; a key, its
 * `start` scope naming the process — refused before anything is read, so a key learns nothing of
 * processes it may not start — in place of startableBy, which names people. The start form is
 * checked alike for both.
 */
export async function startInstance(db: Executor, by: Starter, input: StartInput) {
  if (isKeyCaller(by) && !keyMayStart(by, input.definitionKey)) throw keyRefusal(by);
  return (await startInOneStatement(db, by, input)) ?? hinted(startInTransaction(db, by, input));
}

/**
 * Checks a person may start `def`, validates the start form, and runs the engine's start
 * (`known`: the person's initiator, when the caller read it already). A key's start has no
 * initiator, as a timer's: nobody is its initiator for four-eyes rules, reading or cancelling.
 */
async function beginStart(
  db: Executor,
  by: Starter,
  def: ProcessDefinitionRow,
  input: StartInput,
  now: string,
  known?: Initiator,
) {
  if (!isKeyCaller(by) && !mayStart(by, def.definition)) {
    throw new AppError('FORBIDDEN', startRefusal(by, def.key, def.definition));
  }
  let variables: Record<string, unknown> = {};
  let files: string[] = [];
  const startForm = def.definition.startForm;
  if (startForm) {
    const form = await formById(db, by.tenantId, def.formIds[startForm]!);
    variables = validateSubmission(form, input.variables, by.locale);
    await checkNamedValues(db, by, form, variables, () => fieldTitles(form, by.locale));
    // A key has no user id: it uploaded nothing, so a file it names is refused as not its own.
    ({ data: variables, link: files } = await checkAttachments(
      db,
      by,
      form.schema,
      variables,
      { definitionKey: def.key },
      fieldTitles(form, by.locale),
    ));
  } else if (Object.keys(input.variables).length > 0) {
    throw new AppError('BAD_REQUEST', `Process "${def.key}" has no start form; start it without variables.`);
  }
  const businessKey = businessKeyOf(def.definition, variables);
  // Who started it: a variable the process may name people by (initiator.ts), and recorded for four-eyes rules (engine/runtime/actors.ts).
  const [process, initiator] = await Promise.all([
    processOf(db, def),
    isKeyCaller(by) ? null : (known ?? initiatorFor(db, by)),
  ]);
  // Set by the server only: a person's is theirs, whatever was sent; a key's start has none, whatever was sent.
  variables = initiator ? withInitiator(variables, initiator) : withoutInitiator(variables);
  const result = await resolvePeople(
    db,
    by.tenantId,
    start(process, variables, { now, ...(isKeyCaller(by) ? {} : { initiator: by.userId }) }),
  );
  // A key's row, as every row of its step, is named as the key in startPlan (auditAsKey).
  const started: AuditInsert = {
    tenantId: by.tenantId,
    actorId: isKeyCaller(by) ? null : by.userId,
    type: 'instance.started',
    data: { definitionKey: def.key, definitionVersion: def.version, variables },
  };
  return { result, businessKey, started, files };
}

/**
 * The common case in two round trips (see host/write.ts): find the latest version (cached by
 * id), start, insert everything in one statement. Null when the start reaches beyond the new
 * instance (a message, a call activity…): nothing was written, and the transaction path runs.
 */
async function startInOneStatement(db: Executor, by: Starter, input: StartInput) {
  const query = rawQuery(db);
  if (!query) return null;
  // A person's manager is read along (their initiator variable); a key has none.
  const [latest] = isKeyCaller(by)
    ? await query<{ id: string; nowMs: string | number; manager: null }>(
        `select id as "id", ${NOW_MS} as "nowMs", null as "manager"
        from process_definitions where tenant_id = $1::uuid and key = $2::text order by version desc limit 1`,
        [by.tenantId, input.definitionKey],
      )
    : await query<{ id: string; nowMs: string | number; manager: string | null }>(
        `select id as "id", ${NOW_MS} as "nowMs", ${managerEmailSql('$1::uuid', '$3::uuid')} as "manager"
    from process_definitions where tenant_id = $1::uuid and key = $2::text order by version desc limit 1`,
        [by.tenantId, input.definitionKey, by.userId],
      );
  if (!latest) return null;
  const def = await definitionById(db, by.tenantId, latest.id);
  const now = new Date(Number(latest.nowMs));
  const { result, businessKey, started, files } = await beginStart(
    db,
    by,
    def,
    input,
    now.toISOString(),
    isKeyCaller(by) ? undefined : initiatorWith(by, latest.manager),
  );
  // Files sent with the start form are linked to the instance in the transaction path.
  if (files.length > 0) return null;
  const plan = startPlan(by, def, now, result, businessKey, started);
  if (plan.needsTransaction !== null || (await writeOneStatement(query, plan)) !== 'written') return null;
  return { id: plan.ctx.instanceId, status: result.state.status, taskIds: plan.taskIds };
}

async function startInTransaction(db: Executor, by: Starter, input: StartInput) {
  return db.transaction(async (tx) => {
    const def = await latestDefinition(tx, by.tenantId, input.definitionKey);
    const now = await dbNow(tx);
    const { result, businessKey, started, files } = await beginStart(tx, by, def, input, now);
    const plan = startPlan(by, def, new Date(now), result, businessKey, started);
    await applyPlan(tx, plan);
    // A key has no files to link (beginStart refused any it named).
    if (!isKeyCaller(by)) await linkAttachments(tx, by, files, plan.ctx.instanceId);
    return { id: plan.ctx.instanceId, status: result.state.status, taskIds: plan.taskIds };
  });
}

/**
 * What a start writes: the new instance and everything its first step did. A person's rows name
 * them as the actor. A key's name no actor (a key is no person) and carry the key in their data
 * (auditAsKey), and started_by — a display column that must name a user — is the key's creator.
 */
function startPlan(
  by: Starter,
  def: { id: string; definition: ProcessDefinitionRow['definition']; formIds: Record<string, string> },
  now: Date,
  result: Awaited<ReturnType<typeof beginStart>>['result'],
  businessKey: string | null,
  started: AuditInsert,
): StepWrite {
  const instanceId = randomUUID();
  const ctx = {
    tenantId: by.tenantId,
    instanceId,
    actorId: isKeyCaller(by) ? null : by.userId,
    formIds: def.formIds,
    now,
    parentId: null,
  };
  const row = {
    id: instanceId,
    tenantId: by.tenantId,
    definitionId: def.id,
    businessKey,
    search: instanceSearchText(def.definition, businessKey, result.state.variables),
    startedBy: isKeyCaller(by) ? by.createdBy : by.userId,
  };
  const plan = planStep(ctx, { kind: 'insert', row }, result.state, result.effects, [{ ...started, instanceId }]);
  if (!isKeyCaller(by)) return plan;
  const key = by;
  return { ...plan, audit: plan.audit.map((event) => auditAsKey(key, event)) };
}

/** An instance as an outside system reads it (GET /api/v1/instances/{id}). */
export interface KeyInstanceView {
  id: string;
  definitionKey: string;
  definitionVersion: number;
  status: (typeof processInstances.$inferSelect)['status'];
  businessKey: string | null;
  outcome: string | null;
  startedAt: Date;
  endedAt: Date | null;
  variables: Record<string, unknown>;
}

/**
 * An instance of the key's company, for a key whose scopes let it read instances (else FORBIDDEN,
 * before anything is read). Another company's instance, or an id that names none, is NOT_FOUND
 * alike. All of its variables: reading instances is a right over the company's, as an auditor's.
 */
export async function readInstanceByKey(db: Executor, key: KeyCall, id: string): Promise<KeyInstanceView> {
  if (!keyMayReadInstances(key)) throw keyRefusal(key);
  const notFound = () =>
    new AppError('NOT_FOUND', translator(key.locale)('apiInstanceNotFound', { id: String(id).slice(0, 100) }));
  if (!isUuid(id)) throw notFound();
  const [row] = await db
    .select({
      id: processInstances.id,
      definitionKey: processDefinitions.key,
      definitionVersion: processDefinitions.version,
      status: processInstances.status,
      businessKey: processInstances.businessKey,
      outcome: processInstances.outcome,
      startedAt: processInstances.startedAt,
      endedAt: processInstances.endedAt,
      state: processInstances.state,
    })
    .from(processInstances)
    .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
    .where(and(eq(processInstances.tenantId, key.tenantId), eq(processInstances.id, id)));
  if (!row) throw notFound();
  const { state, ...rest } = row;
  return { ...rest, variables: state.variables };
}

/**
 * Cancels a running instance: an admin any of the company's (running or stopped by an
 * incident), its initiator their own while it is active. A reason is required and audited
 * (`instance.cancelled`); its tasks, jobs, subscriptions and called instances end with it.
 * Another company's id is not found; a second cancel is a conflict, not a second cancellation.
 */
export async function cancelInstance(
  db: Executor,
  actor: Actor,
  input: { instanceId: string; reason: string },
): Promise<{ id: string; status: 'terminated' }> {
  const reason = input.reason.trim();
  if (reason.length === 0) {
    const t = translator(actor.locale);
    throw new AppError('BAD_REQUEST', t('cancelInstanceReasonRequired'), [
      { field: 'reason', label: t('cancelInstanceReason'), message: t('cancelInstanceReasonRequired') },
    ]);
  }
  return db.transaction(async (tx) => {
    const instance = await instanceToEnd(tx, actor, input.instanceId);
    const refused = cancelRefusal(actor, instance);
    if (refused) throw refused;
    await endInstance(tx, actor, instance, {
      type: 'instance.cancelled',
      data: { by: actor.role === 'admin' ? 'admin' : 'initiator', reason, before: instance.status },
    });
    return { id: instance.id, status: 'terminated' as const };
  });
}

interface Cancellable {
  id: string;
  status: string;
  state: InstanceState;
  parentId: string | null;
  parentElementId: string | null;
}

/**
 * Why the actor may not cancel this instance now, or null if they may: the one rule, enforced by
 * cancelInstance and shown by the instance page (getInstance's `mayCancel`). An admin cancels any
 * running or incident-stopped instance, its initiator their own while it is active; an instance a
 * call activity started is cancelled through its parent.
 */
export function cancelRefusal(actor: Actor, instance: Cancellable): AppError | null {
  const t = translator(actor.locale);
  const id = instance.id;
  const asAdmin = actor.role === 'admin';
  if (!asAdmin && initiatorOf(instance.state) !== actor.userId)
    return new AppError('FORBIDDEN', t('cancelRefusedNotInitiator', { id }));
  if (instance.status !== 'active' && instance.status !== 'incident') {
    // Vietnamese names the status as the UI does ("đã kết thúc"); English keeps the stored word ("terminated").
    const key = `status_${instance.status}` as MessageKey;
    const status =
      actor.locale === 'vi' && (key === 'status_completed' || key === 'status_terminated')
        ? t(key).toLowerCase()
        : instance.status;
    return new AppError('CONFLICT', t('cancelRefusedEnded', { id, status }));
  }
  if (instance.status === 'incident' && !asAdmin) return new AppError('CONFLICT', t('cancelRefusedIncident', { id }));
  if (instance.parentId)
    return new AppError(
      'BAD_REQUEST',
      t('cancelRefusedCalled', { id, element: instance.parentElementId ?? '', parent: instance.parentId }),
    );
  return null;
}

const completer = alias(users, 'completer');

/**
 * Who started an instance, as the engine recorded it: a person's start (instance.start, or a
 * message or signal they sent), inherited by call-activity children. Undefined for a start by a
 * timer or by another process's message or signal — started_by then names the version's
 * publisher for display only, and must not make them the initiator.
 */
function initiatorOf(state: InstanceState): string | undefined {
  return state.actors?.initiator;
}

/** Whether the actor may read the instance (by mayReadInstance's rule, all of it or its summary); another company's, or none, is no. */
export async function mayReadInstanceById(db: Executor, actor: Actor, instanceId: string): Promise<boolean> {
  return (await instanceReadingById(db, actor, instanceId)) !== null;
}

/** How much of the instance the actor may read (mayReadInstance): all, its summary, or nothing (null; another company's too). */
export async function instanceReadingById(
  db: Executor,
  actor: Actor,
  instanceId: string,
): Promise<InstanceReading | null> {
  const [row] = await db
    .select({ state: processInstances.state, category: processDefinitions.category, ...taskRights(actor) })
    .from(processInstances)
    .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
    .where(and(eq(processInstances.tenantId, actor.tenantId), eq(processInstances.id, instanceId)));
  return row === undefined ? null : mayReadInstance(actor, row);
}

/**
 * How much of an instance a reader sees: `all` of it (its variables, tasks and history), or
 * its `summary` — the case summary, its tasks and a history without the data (case-view.ts) — for
 * whoever reads it only as someone's delegate.
 */
export type InstanceReading = 'all' | 'summary';

/** What mayReadInstance reads of an instance: its state, its version's category, and taskRights' answers. */
interface ReadFacts {
  state: InstanceState;
  category: string | null;
  holder: boolean;
  delegate: boolean;
}

/**
 * Who may read an instance, and how much (null: not theirs). All of it: admins and auditors (all of
 * the company's); the managers of the department whose process it is — by the /instances list's own
 * rule (instance-list.ts instanceListScope, scopeCovers), so a manager opens every instance the list
 * shows them; its initiator (initiatorOf); and whoever holds, held or completed one of its tasks or
 * was offered one (assigned, named, or to one of their departments) whoever has claimed it since.
 * Its summary only: a delegate, through a task assigned to someone who delegated to them now that a
 * delegation passes on (tasks.ts rightToWork) — they act on that task, not on the whole case.
 */
function mayReadInstance(actor: Actor, facts: ReadFacts): InstanceReading | null {
  if (
    scopeCovers(instanceListScope(actor), facts.category) ||
    initiatorOf(facts.state) === actor.userId ||
    facts.holder
  )
    return 'all';
  return facts.delegate ? 'summary' : null;
}

/**
 * SQL over a process_instances row, read with it in one query: whether the actor holds, held or
 * completed a task of it or was offered one (`holder`, isCandidate's rule in SQL), and whether a task
 * of it offered to nobody in particular is assigned to someone who delegates to them now
 * (`delegate`; a task with candidates passes to a delegate who is one, already a holder).
 * Both EXISTS read the instance's tasks by tasks_instance_idx.
 */
function taskRights(actor: Actor) {
  const me = sql`${actor.userId}::uuid`;
  const member = groupKeys(actor, 'member');
  const manager = groupKeys(actor, 'manager');
  const offered = [
    sql`t.completed_by = ${me}`,
    sql`t.assignee_id = ${me}`,
    sql`${me} = any(t.candidate_user_ids)`,
    ...(member.length > 0 ? [sql`(t.candidate_role = 'member' and t.candidate_groups && ${textArray(member)})`] : []),
    ...(manager.length > 0
      ? [sql`(t.candidate_role = 'manager' and t.candidate_groups && ${textArray(manager)})`]
      : []),
  ];
  const ofInstance = sql`t.tenant_id = ${processInstances.tenantId} and t.instance_id = ${processInstances.id}`;
  return {
    holder: sql<boolean>`exists (select 1 from ${tasks} t where ${ofInstance} and (${sql.join(offered, sql` or `)}))`,
    // The delegator still a member (tasks.ts rightToWork): a delegation from someone who left passes nothing on.
    delegate: sql<boolean>`exists (select 1 from ${tasks} t join ${delegations} d on d.tenant_id = t.tenant_id and d.delegator_id = t.assignee_id
      join ${memberships} dm on dm.tenant_id = d.tenant_id and dm.user_id = d.delegator_id
      where ${ofInstance} and cardinality(t.candidate_groups) = 0 and cardinality(t.candidate_user_ids) = 0
      and d.delegate_id = ${me} and d.revoked_at is null and d.starts_at <= now() and d.ends_at > now())`,
  };
}

function textArray(values: string[]) {
  return sql`array[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::text[]`;
}

/**
 * The departments (by key) the history's task.created rows and `declared` name and the people (by
 * address) those rows name, with their names in the company: a department deleted since, or an address nobody has, stays as it was.
 */
async function namesInHistory(
  db: Executor,
  tenantId: string,
  history: { type: string; data: Record<string, unknown> }[],
  declared: string[] = [],
) {
  const keys = new Set<string>(declared);
  const addresses = new Set<string>();
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  for (const e of history) {
    if (e.type !== 'task.created') continue;
    for (const k of strings(e.data.candidateGroups)) keys.add(k);
    for (const a of [...strings([e.data.assignee]), ...strings(e.data.candidateUsers)])
      if (a.includes('@')) addresses.add(a.trim().toLowerCase());
  }
  const [departmentRows, peopleRows] = await Promise.all([
    keys.size === 0
      ? []
      : db
          .select({ key: groups.key, name: groups.name })
          .from(groups)
          .where(and(eq(groups.tenantId, tenantId), inArray(groups.key, [...keys]))),
    addresses.size === 0
      ? []
      : db
          .select({ email: users.email, name: users.displayName })
          .from(memberships)
          .innerJoin(users, eq(users.id, memberships.userId))
          .where(and(eq(memberships.tenantId, tenantId), inArray(sql`lower(${users.email})`, [...addresses]))),
  ]);
  return {
    departments: Object.fromEntries(departmentRows.map((d) => [d.key, d.name])) as Record<string, LocalizedText>,
    people: Object.fromEntries(peopleRows.map((p) => [p.email.toLowerCase(), p.name])) as Record<string, string>,
  };
}

/** An instance with its tasks and history, if it belongs to the actor's company. */
export async function getInstance(db: Executor, actor: Actor, id: string) {
  const [row] = await db
    .select({
      id: processInstances.id,
      status: processInstances.status,
      outcome: processInstances.outcome,
      businessKey: processInstances.businessKey,
      variables: processInstances.state,
      version: processInstances.version,
      parentId: processInstances.parentId,
      parentElementId: processInstances.parentElementId,
      startedAt: processInstances.startedAt,
      endedAt: processInstances.endedAt,
      startedBy: users.displayName,
      definition: {
        key: processDefinitions.key,
        version: processDefinitions.version,
        name: processDefinitions.name,
        body: processDefinitions.definition,
        formIds: processDefinitions.formIds,
      },
      category: processDefinitions.category,
      ...taskRights(actor),
    })
    .from(processInstances)
    .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
    .innerJoin(users, eq(users.id, processInstances.startedBy))
    .where(and(eq(processInstances.tenantId, actor.tenantId), eq(processInstances.id, id)));
  if (!row) throw new AppError('NOT_FOUND', `Process instance "${id}" was not found.`);
  const reading = mayReadInstance(actor, {
    state: row.variables,
    category: row.category,
    holder: row.holder,
    delegate: row.delegate,
  });
  if (!reading) {
    // Named by its process, in the caller's language: an id tells a person nothing.
    const process = localize(row.definition.name, actor.locale) ?? row.definition.key;
    throw new AppError('FORBIDDEN', translator(actor.locale)('instanceNotYoursNamed', { process }));
  }

  const [taskRows, history, dataForms, failedJobs] = await Promise.all([
    db
      .select({
        id: tasks.id,
        elementId: tasks.elementId,
        name: tasks.name,
        status: tasks.status,
        candidateGroups: tasks.candidateGroups,
        dueDate: tasks.dueDate,
        createdAt: tasks.createdAt,
        completedAt: tasks.completedAt,
        completedBy: completer.displayName,
      })
      .from(tasks)
      .leftJoin(completer, eq(completer.id, tasks.completedBy))
      .where(and(eq(tasks.tenantId, actor.tenantId), eq(tasks.instanceId, id)))
      .orderBy(asc(tasks.createdAt)),
    db
      .select({
        id: auditEvents.id,
        type: auditEvents.type,
        elementId: auditEvents.elementId,
        data: auditEvents.data,
        at: auditEvents.at,
        actor: users.displayName,
      })
      .from(auditEvents)
      .leftJoin(users, eq(users.id, auditEvents.actorId))
      .where(and(eq(auditEvents.tenantId, actor.tenantId), eq(auditEvents.instanceId, id)))
      .orderBy(asc(auditEvents.id)),
    instanceFormsOf(db, actor.tenantId, id, { definition: row.definition.body, formIds: row.definition.formIds }),
    // Jobs whose retries ran out: incidents to resolve (job.retry). A failed webhook delivery is its webhook's, not an incident.
    db
      .select({
        id: jobs.id,
        elementId: jobs.elementId,
        jobType: jobs.jobType,
        attempts: jobs.attempts,
        lastError: jobs.lastError,
      })
      .from(jobs)
      .where(
        and(
          eq(jobs.tenantId, actor.tenantId),
          eq(jobs.instanceId, id),
          eq(jobs.status, 'failed'),
          ne(jobs.kind, 'webhook'),
        ),
      ),
  ]);
  const { departments, people } = await namesInHistory(
    db,
    actor.tenantId,
    history,
    declaredDepartments(row.definition.body),
  );
  const {
    variables: state,
    definition,
    parentId,
    parentElementId,
    category: _category,
    holder: _holder,
    delegate: _delegate,
    ...rest
  } = row;
  const names = Object.fromEntries(
    [...definition.body.elements, ...definition.body.flows].map((e) => [e.id, e.name ?? null]),
  );
  const mayReadData = reading === 'all';
  return {
    ...rest,
    /** Whether the caller sees the instance's data (mayReadInstance): when not, `variables` is null and the history carries none. */
    mayReadData,
    variables: mayReadData ? state.variables : null,
    /** The case in a few fields (the process's summary variables now, labelled by the forms): for every reader. */
    summary: caseSummaryFields(definition.body.summary, state.variables, dataForms, actor.locale),
    active: state.active,
    incident: state.incident ?? null,
    definition: { key: definition.key, version: definition.version, name: definition.name },
    /** The version's definition, for its diagram (members may read published definitions: definition.get). */
    diagram: definition.body,
    /** Where every token rests (several tokens on one element count each). */
    positions: state.positions ?? state.active,
    /** Names of elements and flows by id, for the history. */
    names,
    startForm: dataForms.find((f) => f.key === row.definition.body.startForm) ?? null,
    /** The forms its data was entered with (start form, completed tasks' forms): the data is labelled by them. */
    dataForms,
    tasks: taskRows,
    history: mayReadData ? history : history.map(historyWithoutData),
    /** Names of the departments the history and the version's user tasks mention, by key: the history and what happens next speak names, not keys. */
    departments,
    /** Names of the people the history mentions by address (a task's assignee or candidates), by lower-case address. */
    people,
    failedJobs,
    /** Open incident: the engine stopped the instance, or a job of a running one used up its retries (incident.list). */
    hasIncident: rest.status === 'incident' || (rest.status === 'active' && failedJobs.length > 0),
    /** Whether the caller may cancel it now (instance.cancel): by the rule cancelInstance enforces. */
    mayCancel: cancelRefusal(actor, { id, status: rest.status, state, parentId, parentElementId }) === null,
  };
}
