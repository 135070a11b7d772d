/**
 * The one writer of a step's plan (plan.ts), in two forms of the same rows:
 *
 * - `writeOneStatement`: the hot path. ONE statement of data-modifying CTEs writes the instance
 *   row (guarded by the version and audit head its read saw), closes the task or job, inserts
 *   tasks, jobs, hash-chained audit rows, webhook deliveries and notifications, and cancels what
 *   the step cancels. A statement is a transaction of its own: a concurrent writer that got there
 *   first makes the guard miss, and nothing is written ('missed'; the caller then runs the
 *   transaction form, which re-reads and reports properly). Sent as a prepared statement: its text
 *   depends on the plan's shape, never on the data. Only for plans with `needsTransaction` null.
 * - `writeInTransaction`: any plan, inside the caller's transaction, statement by statement in
 *   the plan's order; effects that reach other instances go to the caller's `reach` handler in
 *   their place. Audit rows are chained by appendAudit, which locks the instance row and chains
 *   onto its current head.
 *
 * Column lists and types come from the drizzle schema (`getTableColumns`), so a column added to a
 * table is written by both forms or by neither.
 */
import { and, eq, getTableColumns, inArray, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Executor, RawQuery } from '@/db/client';
import { auditEvents, jobs, notifications, processInstances, subscriptions, tasks } from '@/db/schema';
import { appendAudit, chainEvent, type AuditChain } from '../services/audit';
import { notify } from '../services/notifications';
import { searchVector } from '../services/search';
import { webhookEventOf, webhookJobsFrom, webhookJobsSql } from '../services/webhook-events';
import { jobsCommitted } from './job-signal';
import type { ReachingEffect, StepOp, StepWrite } from './plan';

/** Job statuses that still stand for work to do (webhook deliveries are never cancelled: they report what happened). */
export const UNFINISHED_JOB: ('pending' | 'running' | 'failed')[] = ['pending', 'running', 'failed'];
/** What a cancelled job is set to (a worker still holding it finds its lease gone). */
export const CANCELLED_JOB = {
  status: 'cancelled' as const,
  completedAt: sql`now()`,
  lockedBy: null,
  lockedUntil: null,
};

/** Steps written by each form since the process started (tests and diagnostics read it). */
export const writeForms = { oneStatement: 0, transaction: 0 };

// ---- one statement ------------------------------------------------------------------------------

/** A table's columns by property name, from the schema: SQL name and type. */
function columnsOf(table: PgTable): Map<string, { name: string; type: string; notNull: boolean }> {
  const columns = getTableColumns(table) as Record<string, PgColumn>;
  return new Map(
    Object.entries(columns).map(([key, c]) => [key, { name: c.name, type: c.getSQLType(), notNull: c.notNull }]),
  );
}
const COLUMNS = new Map<PgTable, Map<string, { name: string; type: string; notNull: boolean }>>(
  [processInstances, tasks, jobs, auditEvents, notifications].map((t) => [t, columnsOf(t)]),
);

/**
 * `insert into <table> (…) select … from jsonb_to_recordset(…) as r(…)` for rows keyed by the
 * schema's property names. A column is written when some row has it; a row without it gives NULL.
 * A value all rows share (the company, the instance, who caused the step; every plain value of a
 * single row) is sent once as a typed parameter instead of in each row's JSON: PostgreSQL then
 * converts it once. A tsvector column carries the folded text (search.ts) and is made a vector here.
 * `options.set` gives columns an SQL expression instead; `options.ordered` keeps the rows' order
 * (audit ids).
 */
function insertFromJson(
  table: PgTable,
  tableName: string,
  input: readonly object[],
  json: (value: unknown) => string,
  param: (value: unknown, type: string) => string,
  options: { set?: Record<string, string>; where?: string; ordered?: boolean } = {},
): string {
  const rows = input as readonly Record<string, unknown>[];
  const columns = COLUMNS.get(table)!;
  const set = options.set ?? {};
  const keys = [...columns.keys()].filter(
    (k) => !(columns.get(k)!.name in set) && rows.some((r) => r[k] !== undefined),
  );
  // A NOT NULL column some rows leave to its default cannot be NULL in the others: the plan gives every row a value.
  for (const k of keys) {
    const missing = rows.findIndex((r) => r[k] === undefined || r[k] === null);
    if (columns.get(k)!.notNull && missing >= 0)
      throw new Error(
        `Row ${missing} of the ${tableName} written by one step has no ${columns.get(k)!.name}, which others have.`,
      );
  }
  const plain = (v: unknown) =>
    typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date;
  const same = (a: unknown, b: unknown) =>
    a === b || (a instanceof Date && b instanceof Date && a.getTime() === b.getTime());
  // (A JSON column keeps its values in the record set: a plain string there is JSON text, not JSON.)
  const json_ = (k: string) => columns.get(k)!.type === 'jsonb' || columns.get(k)!.type === 'json';
  const shared = new Set(
    keys.filter((k) => !json_(k) && plain(rows[0]![k]) && rows.every((r) => same(r[k], rows[0]![k]))),
  );
  const perRow = keys.filter((k) => !shared.has(k));
  const records = rows.map((r, seq) =>
    Object.fromEntries([
      ...perRow.flatMap((k) => (r[k] === null || r[k] === undefined ? [] : [[columns.get(k)!.name, r[k]]])),
      ...(options.ordered ? [['seq', seq]] : []),
    ]),
  );
  const vector = (text: string) => `to_tsvector('simple', coalesce(${text}, ''))`;
  const selected = keys.map((k) => {
    const c = columns.get(k)!;
    if (!shared.has(k)) return c.type === 'tsvector' ? vector(`r.${c.name}`) : `r.${c.name}`;
    const value = rows[0]![k] instanceof Date ? (rows[0]![k] as Date).toISOString() : rows[0]![k];
    return c.type === 'tsvector' ? vector(param(value, 'text')) : param(value, c.type);
  });
  const names = [...keys.map((k) => columns.get(k)!.name), ...Object.keys(set)];
  const where = options.where ? ` where ${options.where}` : '';
  // Every value shared by a single row: no record set to read.
  if (rows.length === 1 && perRow.length === 0 && !options.ordered)
    return `insert into ${tableName} (${names.join(', ')})
      select ${[...selected, ...Object.values(set)].join(', ')}${where}`;
  const declared = [
    ...perRow.map(
      (k) => `${columns.get(k)!.name} ${columns.get(k)!.type === 'tsvector' ? 'text' : columns.get(k)!.type}`,
    ),
    ...(options.ordered ? ['seq int4'] : []),
  ].join(', ');
  return `insert into ${tableName} (${names.join(', ')})
      select ${[...selected, ...Object.values(set)].join(', ')} from jsonb_to_recordset(${json(records)}) as r(${declared})${where}${options.ordered ? ' order by r.seq' : ''}`;
}

/** What one statement writes: plans that need no order among their writes (plan.ts `needsTransaction`). */
const ONE_STATEMENT_OPS = new Set<StepOp['op']>([
  'insertTasks',
  'insertJobs',
  'cancelTasks',
  'cancelTimer',
  'cancelJob',
  'endOpenWork',
]);

/** The new jobs of a plan, in order. */
const jobsOf = (plan: StepWrite) => plan.ops.flatMap((o) => (o.op === 'insertJobs' ? o.rows : []));

/** The outcome of the one statement: 'missed' when the instance moved on or the task/job is no longer this command's. */
export type OneStatementResult = 'written' | 'missed';

/** Writes a plan (needsTransaction null) in one statement. */
export async function writeOneStatement(query: RawQuery, plan: StepWrite): Promise<OneStatementResult> {
  if (plan.needsTransaction !== null) throw new Error(`This step needs a transaction: ${plan.needsTransaction}.`);
  const { ctx } = plan;
  if (plan.instance.kind === 'update' && plan.instance.auditHead === undefined)
    throw new Error('One statement needs the instance as read, with its audit head.');
  const params: unknown[] = [];
  const p = (value: unknown, type?: string) => {
    params.push(value);
    return type ? `$${params.length}::${type}` : `$${params.length}`;
  };
  const json = (value: unknown) => p(JSON.stringify(value), 'text') + '::jsonb';
  // Parameters are added where they are used (an unused one has no type PostgreSQL can infer).
  let idParam: string | undefined;
  const instanceParam = () => (idParam ??= p(ctx.instanceId, 'uuid'));
  const status = p(plan.state.status, 'text');
  const chain: AuditChain = {
    instanceId: ctx.instanceId,
    tenantId: ctx.tenantId,
    head: plan.instance.kind === 'update' ? plan.instance.auditHead! : null,
  };
  const audit = plan.audit.map((row) => chainEvent(chain, row, ctx.now));
  const ended = `case when ${status} = 'completed' then now() end`;
  const parts: string[] = [];
  if (plan.instance.kind === 'insert') {
    const row = {
      ...plan.instance.row,
      state: plan.state,
      status: plan.state.status,
      outcome: plan.state.outcome ?? null,
      auditHead: chain.head,
    };
    parts.push(
      `moved as (${insertFromJson(processInstances, 'process_instances', [row], json, p, { set: { ended_at: ended } })} returning id)`,
    );
  } else {
    parts.push(`moved as (update process_instances set state = ${json(plan.state)}, status = ${status}, outcome = ${p(plan.state.outcome ?? null, 'text')}, version = version + 1, audit_head = ${p(chain.head, 'text')}, ended_at = ${ended}
      where id = ${instanceParam()} and version = ${p(plan.instance.version, 'int4')} and status = 'active' and audit_head is not distinct from ${p(plan.instance.auditHead, 'text')} returning id)`);
  }
  const moved = 'exists (select 1 from moved)';
  const checks: string[] = [];
  let closedTask = 'null::uuid';
  if (plan.closeTask) {
    closedTask = p(plan.closeTask.id, 'uuid');
    parts.push(`closed_task as (update tasks set status = 'completed', data = ${json(plan.closeTask.data)}, completed_at = now(), completed_by = ${p(plan.closeTask.completedBy, 'uuid')}
      where id = ${closedTask} and instance_id = ${instanceParam()} and status = 'open' and ${moved} returning id)`);
    checks.push(`(select count(*) from closed_task)`);
  }
  let finishedJob = 'null::uuid';
  if (plan.finishJob) {
    finishedJob = p(plan.finishJob.id, 'uuid');
    parts.push(`finished_job as (update jobs set status = ${p(plan.finishJob.status, 'text')}, completed_at = now(), locked_by = null, locked_until = null
      where id = ${finishedJob} and instance_id = ${instanceParam()} and locked_by = ${p(plan.finishJob.workerId, 'text')} and status = 'running' and ${moved} returning id)`);
    checks.push(`(select count(*) from finished_job)`);
  }
  if (plan.excludeFromTasks) {
    parts.push(`excluded as (update tasks set excluded_user_ids = array(select distinct x from unnest(excluded_user_ids || ${p(plan.excludeFromTasks.userIds, 'uuid[]')}) as x)
      where instance_id = ${instanceParam()} and status = 'open' and element_id = any(${p(plan.excludeFromTasks.elementIds, 'text[]')}) and id is distinct from ${closedTask} and ${moved})`);
  }
  const all = plan.ops.some((o) => o.op === 'endOpenWork');
  const cancels = plan.ops.flatMap((o): Record<string, unknown>[] =>
    o.op === 'cancelTasks'
      ? [{ kind: 'task', element_id: o.elementId, scope: o.scope ?? undefined, loop_index: o.loopIndex }]
      : o.op === 'cancelTimer'
        ? [{ kind: 'timer', timer_id: o.timerId, scope: o.scope ?? undefined }]
        : o.op === 'cancelJob'
          ? [{ kind: 'job', element_id: o.elementId, scope: o.scope ?? undefined }]
          : [],
  );
  if (all || cancels.length > 0) {
    const everything = p(all, 'bool');
    const list = json(cancels);
    parts.push(`cancelled_tasks as (update tasks t set status = 'cancelled', completed_at = now()
      where t.instance_id = ${instanceParam()} and t.status = 'open' and t.id is distinct from ${closedTask} and ${moved}
        and (${everything} or exists (select 1 from jsonb_to_recordset(${list}) as c(kind text, element_id text, scope text, loop_index int4)
          where c.kind = 'task' and c.element_id = t.element_id and c.scope is not distinct from t.scope and (c.loop_index is null or c.loop_index = t.loop_index))))`);
    parts.push(`cancelled_jobs as (update jobs j set status = 'cancelled', completed_at = now(), locked_by = null, locked_until = null
      where j.instance_id = ${instanceParam()} and j.status in ('pending', 'running', 'failed') and j.kind <> 'webhook' and j.id is distinct from ${finishedJob} and ${moved}
        and (${everything} or exists (select 1 from jsonb_to_recordset(${list}) as c(kind text, element_id text, timer_id text, scope text)
          where c.scope is not distinct from j.scope and ((c.kind = 'timer' and j.kind = 'timer' and j.timer_id = c.timer_id) or (c.kind = 'job' and j.kind = 'service' and j.element_id = c.element_id)))))`);
    if (all)
      parts.push(
        `closed_subscriptions as (delete from subscriptions where instance_id = ${instanceParam()} and ${moved})`,
      );
  }
  const unwritable = plan.ops.find((o) => !ONE_STATEMENT_OPS.has(o.op));
  if (unwritable) throw new Error(`One statement cannot write "${unwritable.op}".`);
  const newTasks = plan.ops.flatMap((o) => (o.op === 'insertTasks' ? o.rows : []));
  const newJobs = jobsOf(plan);
  const guarded = { where: moved };
  if (newTasks.length > 0) parts.push(`new_tasks as (${insertFromJson(tasks, 'tasks', newTasks, json, p, guarded)})`);
  if (plan.notifications.length > 0)
    parts.push(
      `new_notifications as (${insertFromJson(notifications, 'notifications', plan.notifications, json, p, guarded)} on conflict do nothing)`,
    );
  if (newJobs.length > 0) parts.push(`new_jobs as (${insertFromJson(jobs, 'jobs', newJobs, json, p, guarded)})`);
  // Events that are webhook events enqueue their deliveries from what the insert returns.
  const deliveries = audit.some((row) => webhookEventOf(row.type) !== undefined);
  if (audit.length > 0) {
    // In order: the ids (bigserial) follow the chain.
    const insert = insertFromJson(auditEvents, 'audit_events', audit, json, p, { ...guarded, ordered: true });
    parts.push(
      `new_audit as (${insert}${deliveries ? ' returning tenant_id, instance_id, task_id, element_id, type, data, at' : ''})`,
    );
    if (deliveries) parts.push(`webhook_jobs as (${webhookJobsFrom('new_audit a')} returning 1)`);
  }
  // The task or job to close must close exactly when the instance moves: if not, the statement
  // fails (trellis_assert raises) and nothing of it stays.
  const consistent =
    checks.length === 0 ? 'true' : checks.map((c) => `${c} = (select count(*) from moved)`).join(' and ');
  const text = `with ${parts.join(',\n')}
    select (select count(*) from moved)::int4 as "moved", ${deliveries ? '(select count(*) from webhook_jobs)::int4' : '0'} as "deliveries", trellis_assert(${consistent}, 'STEP_TARGET_GONE') as "ok"`;
  try {
    const [row] = await query<{ moved: number; deliveries: number }>(text, params);
    if (Number(row?.moved) !== 1) return 'missed';
    writeForms.oneStatement++;
    if (Number(row?.deliveries) > 0 || dueNow(plan)) jobsCommitted();
    return 'written';
  } catch (error) {
    if ((error as Error).message?.includes('STEP_TARGET_GONE')) return 'missed';
    throw error;
  }
}

/** Jobs due now: service jobs, timers already due (workers are hinted to look at once). */
function dueNow(plan: StepWrite): boolean {
  return jobsOf(plan).some((job) => job.dueAt === undefined || (job.dueAt as Date).getTime() <= plan.ctx.now.getTime());
}

// ---- in a transaction ---------------------------------------------------------------------------

/** What the transaction form found: written, or which guard missed (then the caller throws, and nothing stays). */
export type TransactionResult = 'written' | 'instance-moved' | 'task-gone' | 'job-gone';

/** Carries out an effect that reaches other instances (effects.ts), in the same transaction. */
export type Reach = (effect: ReachingEffect) => Promise<void>;

const inScope = (column: typeof tasks.scope | typeof jobs.scope | typeof subscriptions.scope, scope: string | null) =>
  scope === null ? isNull(column) : eq(column, scope);
const inside = (column: typeof tasks.scope | typeof jobs.scope | typeof subscriptions.scope, scope: string) =>
  or(eq(column, scope), sql`${column} like ${`${scope}/%`}`)!;

/** Writes a plan statement by statement in `tx`, in its order. */
export async function writeInTransaction(tx: Executor, plan: StepWrite, reach: Reach): Promise<TransactionResult> {
  const { ctx } = plan;
  if (plan.closeTask) {
    const closed = await tx
      .update(tasks)
      .set({
        status: 'completed',
        data: plan.closeTask.data,
        completedAt: sql`now()`,
        completedBy: plan.closeTask.completedBy,
      })
      .where(and(eq(tasks.id, plan.closeTask.id), eq(tasks.instanceId, ctx.instanceId), eq(tasks.status, 'open')))
      .returning({ id: tasks.id });
    if (closed.length === 0) return 'task-gone';
  }
  const ended = plan.state.status !== 'completed' ? null : sql`now()`;
  if (plan.instance.kind === 'insert') {
    const { search, ...row } = plan.instance.row;
    await tx.insert(processInstances).values({
      ...row,
      search: searchVector(search) as never,
      state: plan.state,
      status: plan.state.status,
      outcome: plan.state.outcome ?? null,
      endedAt: ended as never,
    });
  } else {
    const moved = await tx
      .update(processInstances)
      .set({
        state: plan.state,
        status: plan.state.status,
        outcome: plan.state.outcome ?? null,
        version: sql`${processInstances.version} + 1`,
        endedAt: ended,
      })
      .where(and(eq(processInstances.id, ctx.instanceId), eq(processInstances.version, plan.instance.version)))
      .returning({ id: processInstances.id });
    if (moved.length === 0) return 'instance-moved';
  }
  if (plan.finishJob) {
    const finished = await tx
      .update(jobs)
      .set({ status: plan.finishJob.status, completedAt: sql`now()`, lockedBy: null, lockedUntil: null })
      .where(
        and(eq(jobs.id, plan.finishJob.id), eq(jobs.lockedBy, plan.finishJob.workerId), eq(jobs.status, 'running')),
      )
      .returning({ id: jobs.id });
    if (finished.length === 0) return 'job-gone';
  }
  if (plan.excludeFromTasks) {
    const people = sql.join(
      plan.excludeFromTasks.userIds.map((p) => sql`${p}::uuid`),
      sql`, `,
    );
    await tx
      .update(tasks)
      .set({
        excludedUserIds: sql`array(select distinct x from unnest(${tasks.excludedUserIds} || array[${people}]) as x)`,
      })
      .where(
        and(
          eq(tasks.tenantId, ctx.tenantId),
          eq(tasks.instanceId, ctx.instanceId),
          eq(tasks.status, 'open'),
          inArray(tasks.elementId, plan.excludeFromTasks.elementIds),
        ),
      );
  }
  for (const o of plan.ops) {
    switch (o.op) {
      case 'insertTasks':
        await tx
          .insert(tasks)
          .values(
            o.rows.map(({ search, ...row }) => ({ ...row, search: searchVector(String(search ?? '')) as never })),
          );
        break;
      case 'insertJobs':
        await tx.insert(jobs).values(o.rows);
        break;
      case 'cancelTasks':
        await tx
          .update(tasks)
          .set({ status: 'cancelled', completedAt: sql`now()` })
          .where(
            and(
              eq(tasks.instanceId, ctx.instanceId),
              eq(tasks.status, 'open'),
              eq(tasks.elementId, o.elementId),
              inScope(tasks.scope, o.scope),
              ...(o.loopIndex === undefined ? [] : [eq(tasks.loopIndex, o.loopIndex)]),
            ),
          );
        break;
      case 'cancelTimer':
      case 'cancelJob':
        await tx
          .update(jobs)
          .set(CANCELLED_JOB)
          .where(
            and(
              eq(jobs.instanceId, ctx.instanceId),
              o.op === 'cancelTimer'
                ? and(eq(jobs.kind, 'timer'), eq(jobs.timerId, o.timerId))
                : and(eq(jobs.kind, 'service'), eq(jobs.elementId, o.elementId)),
              inScope(jobs.scope, o.scope),
              inArray(jobs.status, UNFINISHED_JOB),
            ),
          );
        break;
      case 'openSubscription':
        await tx.insert(subscriptions).values(o.row);
        break;
      case 'closeSubscription':
        await tx
          .delete(subscriptions)
          .where(
            and(
              eq(subscriptions.instanceId, ctx.instanceId),
              eq(subscriptions.elementId, o.elementId),
              inScope(subscriptions.scope, o.scope),
            ),
          );
        break;
      case 'cancelScope':
        await tx
          .update(tasks)
          .set({ status: 'cancelled', completedAt: sql`now()` })
          .where(and(eq(tasks.instanceId, ctx.instanceId), eq(tasks.status, 'open'), inside(tasks.scope, o.scope)));
        await tx
          .update(jobs)
          .set(CANCELLED_JOB)
          .where(
            and(eq(jobs.instanceId, ctx.instanceId), inArray(jobs.status, UNFINISHED_JOB), inside(jobs.scope, o.scope)),
          );
        await tx
          .delete(subscriptions)
          .where(and(eq(subscriptions.instanceId, ctx.instanceId), inside(subscriptions.scope, o.scope)));
        break;
      case 'endOpenWork':
        await endOpenWork(tx, ctx.tenantId, ctx.instanceId);
        break;
      case 'reach':
        await reach(o.effect);
        break;
    }
  }
  await recordEvents(tx, plan.audit);
  await notify(tx, plan.notifications);
  writeForms.transaction++;
  return 'written';
}

/** An instance that ended leaves no open tasks, unfinished jobs or subscriptions behind. */
export async function endOpenWork(tx: Executor, tenantId: string, instanceId: string) {
  await tx
    .update(tasks)
    .set({ status: 'cancelled', completedAt: sql`now()` })
    .where(and(eq(tasks.tenantId, tenantId), eq(tasks.instanceId, instanceId), eq(tasks.status, 'open')));
  await tx
    .update(jobs)
    .set(CANCELLED_JOB)
    .where(
      and(
        eq(jobs.tenantId, tenantId),
        eq(jobs.instanceId, instanceId),
        inArray(jobs.status, UNFINISHED_JOB),
        sql`${jobs.kind} <> 'webhook'`,
      ),
    );
  await tx
    .delete(subscriptions)
    .where(and(eq(subscriptions.tenantId, tenantId), eq(subscriptions.instanceId, instanceId)));
}

/**
 * Audit rows that may be webhook events, written with their deliveries in the same statement
 * (appendAudit's `alongside`): how the host and anything else recording process events write them.
 */
export async function recordEvents(tx: Executor, rows: Parameters<typeof appendAudit>[1]): Promise<void> {
  await appendAudit(
    tx,
    rows,
    webhookJobsSql as (rows: readonly Parameters<typeof webhookJobsSql>[0][number][]) => SQL | null,
  );
}
