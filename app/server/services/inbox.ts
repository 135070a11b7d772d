/**
 * The inbox's lists — My tasks, My departments (unclaimed), Delegated to me, Done recently — with
 * filters, accent-free search, three sorts, keyset pagination and the navigation's counts; saved
 * views. Who may see what is the rule of tasks.ts (offeredTo, rightToWork): every list
 * here is a part of it, and every query is scoped to the caller's company.
 *
 * Each list has its own access path, indexed in the order the page reads it (db/schema.ts):
 * assigned tasks by (tenant, assignee, due, created, id); unclaimed tasks by (tenant, due,
 * created, id) or, for a department with few tasks, through the GIN index of their candidate
 * groups; done tasks by (tenant, completed_by, completed_at). Pages continue from the last row's
 * sort key (a cursor of cursor.ts), never by OFFSET, so page 100 costs what page 1 does.
 * Bulk claim lives with the other claims (tasks.ts claimMany): this module imports no command.
 */
import { z } from 'zod';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { keySchema, searchQuery } from '@/engine';
import type { Executor } from '@/db/client';
import {
  delegations,
  groups,
  memberships,
  processDefinitions,
  processInstances,
  savedViews,
  tasks,
  users,
} from '@/db/schema';
import { groupKeys, type Actor } from '../actor';
import { AppError } from '../errors';
import { translator } from '../../_i18n/messages';
import { addDays, COMPANY_TIME_ZONE, isoDate, todayIn } from './calendar';
import { afterKeys, compareKeys, decodeCursor, encodeCursor, keyText, type KeyType } from './cursor';

export const inboxLists = ['all', 'mine', 'departments', 'delegated', 'done'] as const;
export type InboxList = (typeof inboxLists)[number];
export const inboxSorts = ['due', 'priority', 'created'] as const;
export const dueFilters = ['overdue', 'today', 'week', 'none'] as const;
export const priorityFilters = ['high', 'normal', 'low'] as const;

/** The priority of a task whose process set none (Camunda's default too). */
export const DEFAULT_PRIORITY = 50;
/** High from 70, low up to 30. */
export const HIGH_PRIORITY = 70;
export const LOW_PRIORITY = 30;
/** How far back "Done recently" looks. */
export const DONE_RECENTLY_DAYS = 14;
/** Counts stop here (the navigation shows "999+"): counting a department's 50,000 tasks tells nobody more. */
export const COUNT_CAP = 999;
/** Most rows one page returns. */
export const MAX_PAGE = 100;

/** What one inbox page shows: a list, its filters, a search and a sort (a saved view stores it). */
export const inboxQuerySchema = z.strictObject({
  list: z.enum(inboxLists).default('all'),
  q: z.string().max(200).optional(),
  process: keySchema.optional(),
  department: keySchema.optional(),
  due: z.enum(dueFilters).optional(),
  priority: z.enum(priorityFilters).optional(),
  startedBy: z.uuid().optional(),
  startedFrom: isoDate.optional(),
  startedTo: isoDate.optional(),
  sort: z.enum(inboxSorts).default('due'),
});
export type InboxQuery = z.infer<typeof inboxQuerySchema>;

export const inboxPageSchema = inboxQuerySchema.extend({
  cursor: z.string().max(400).optional(),
  limit: z.number().int().min(1).max(MAX_PAGE).default(50),
});
export type InboxPageInput = z.input<typeof inboxPageSchema>;

const startedBy = alias(users, 'started_by_user');
const assignee = alias(users, 'assignee_user');

/** The users who delegated their tasks to the actor now (as tasks.ts rightToWork), as a select of their ids. */
function delegatorsQuery(actor: Actor) {
  return sql`select d.delegator_id from ${delegations} d join ${memberships} m on m.tenant_id = d.tenant_id and m.user_id = d.delegator_id
    where d.tenant_id = ${actor.tenantId}::uuid and d.delegate_id = ${actor.userId}::uuid and d.revoked_at is null and d.starts_at <= now() and d.ends_at > now()`;
}

/**
 * Ids of the users who delegated to the actor now: one look-up of delegations_delegate_idx (most
 * people have none, and then "Delegated to me" is not queried at all).
 */
async function activeDelegators(db: Executor, actor: Actor): Promise<string[]> {
  const rows = await db.execute<{ delegator_id: string }>(delegatorsQuery(actor));
  const list = Array.isArray(rows) ? rows : (rows as { rows: { delegator_id: string }[] }).rows;
  return list.map((r) => r.delegator_id);
}

/** SQL: the delegators, as a list already read (`ids`), or as a subquery. */
function delegatorsOf(actor: Actor, ids?: string[]): SQL {
  if (ids === undefined) return sql`(${delegatorsQuery(actor)})`;
  return sql`(${sql.join(
    ids.map((id) => sql`${id}::uuid`),
    sql`, `,
  )})`;
}

/** SQL: the unclaimed task is offered to one of the actor's departments (as member, or as manager for a manager task); null when they are in none. */
function viaDepartments(actor: Actor): SQL | null {
  const member = groupKeys(actor, 'member');
  const manager = groupKeys(actor, 'manager');
  const parts: SQL[] = [];
  if (member.length > 0)
    parts.push(sql`(${tasks.candidateRole} = 'member' and ${tasks.candidateGroups} && ${textArray(member)})`);
  if (manager.length > 0)
    parts.push(sql`(${tasks.candidateRole} = 'manager' and ${tasks.candidateGroups} && ${textArray(manager)})`);
  return parts.length === 0 ? null : sql`(${sql.join(parts, sql` or `)})`;
}

function textArray(values: string[]): SQL {
  return sql`array[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::text[]`;
}

const notExcluded = (actor: Actor) => sql`not (${actor.userId}::uuid = any(${tasks.excludedUserIds}))`;

/**
 * SQL: the tasks of one list the actor may see; null when the list is empty by definition (no
 * departments; no delegators, when `delegators` gives them as read).
 */
function listAccess(actor: Actor, list: Exclude<InboxList, 'all'>, delegators?: string[]): SQL | null {
  const me = sql`${actor.userId}::uuid`;
  switch (list) {
    case 'mine':
      // Assigned to me, or offered to me by name and not yet claimed.
      return sql`${tasks.status} = 'open' and (${tasks.assigneeId} = ${me} or (${tasks.assigneeId} is null and ${tasks.candidateUserIds} @> array[${me}])) and ${notExcluded(actor)}`;
    case 'departments': {
      const via = viaDepartments(actor);
      // A task that also names me is under My tasks: the lists do not overlap, so All's count is their sum.
      return (
        via &&
        sql`${tasks.status} = 'open' and ${tasks.assigneeId} is null and ${via} and not (${tasks.candidateUserIds} @> array[${me}]) and ${notExcluded(actor)}`
      );
    }
    case 'delegated': {
      // Assigned to a colleague who delegated to me; a task offered to departments or people only when I am a candidate of it myself (tasks.ts).
      const named = sql`${me} = any(${tasks.candidateUserIds})`;
      const via = viaDepartments(actor);
      const candidate = sql`(cardinality(${tasks.candidateGroups}) = 0 and cardinality(${tasks.candidateUserIds}) = 0) or ${named}${via ? sql` or ${via}` : sql``}`;
      if (delegators?.length === 0) return null;
      return sql`${tasks.status} = 'open' and ${tasks.assigneeId} in ${delegatorsOf(actor, delegators)} and not (${tasks.assigneeId} = any(${tasks.excludedUserIds})) and (${candidate}) and ${notExcluded(actor)}`;
    }
    case 'done':
      return sql`${tasks.status} = 'completed' and ${tasks.completedBy} = ${me} and ${tasks.completedAt} > now() - make_interval(days => ${DONE_RECENTLY_DAYS})`;
  }
}

const priorityKey = sql`coalesce(${tasks.priority}, ${sql.raw(String(DEFAULT_PRIORITY))})`;
const dueKey = sql`coalesce(${tasks.dueDate}, '9999-12-31'::date)`;

/** The filters and the search, as conditions (over the task, its instance and its process). */
function filterConditions(query: InboxQuery, today: string): SQL[] {
  const out: SQL[] = [];
  if (query.department) out.push(sql`${query.department} = any(${tasks.candidateGroups})`);
  // Written on the indexes' expression (dueKey), so a due filter is a range of the list's index.
  if (query.due === 'overdue') out.push(sql`${dueKey} < ${today}::date`);
  if (query.due === 'today') out.push(sql`${dueKey} = ${today}::date`);
  if (query.due === 'week') out.push(sql`${dueKey} between ${today}::date and ${addDays(today, 6)}::date`);
  if (query.due === 'none') out.push(sql`${dueKey} = '9999-12-31'::date`);
  if (query.priority === 'high') out.push(sql`${priorityKey} >= ${HIGH_PRIORITY}`);
  if (query.priority === 'low') out.push(sql`${priorityKey} <= ${LOW_PRIORITY}`);
  if (query.priority === 'normal')
    out.push(sql`${priorityKey} > ${LOW_PRIORITY} and ${priorityKey} < ${HIGH_PRIORITY}`);
  // The instance's and process's filters, each a look-up of the one instance (the page query reads tasks alone: listRows).
  const ofInstance: SQL[] = [];
  if (query.startedBy) ofInstance.push(sql`i.started_by = ${query.startedBy}::uuid`);
  const startedDay = sql`(i.${sql.identifier(processInstances.startedAt.name)} at time zone ${COMPANY_TIME_ZONE})::date`;
  if (query.startedFrom) ofInstance.push(sql`${startedDay} >= ${query.startedFrom}::date`);
  if (query.startedTo) ofInstance.push(sql`${startedDay} <= ${query.startedTo}::date`);
  if (query.process)
    ofInstance.push(
      sql`exists (select 1 from ${processDefinitions} d where d.id = i.definition_id and d.key = ${query.process})`,
    );
  if (ofInstance.length > 0)
    out.push(
      sql`exists (select 1 from ${processInstances} i where i.id = ${tasks.instanceId} and ${sql.join(ofInstance, sql` and `)})`,
    );
  const q = query.q ? searchQuery(query.q) : null;
  if (q)
    out.push(
      sql`(${tasks.search} @@ to_tsquery('simple', ${q}) or exists (select 1 from ${processInstances} i where i.id = ${tasks.instanceId} and i.search @@ to_tsquery('simple', ${q})))`,
    );
  return out;
}

/**
 * A page's sort: the ORDER BY and the key a cursor carries (cursor.ts), all ascending or all
 * descending, so one row comparison continues it.
 */
function sortOf(list: InboxList, sort: InboxQuery['sort']): { keys: SQL[]; types: KeyType[]; descending: boolean } {
  if (list === 'done') {
    // Newest completion first: descending keys, continued with `<`.
    return { keys: [sql`${tasks.completedAt}`, sql`${tasks.id}`], types: ['timestamptz', 'uuid'], descending: true };
  }
  if (sort === 'priority')
    return {
      keys: [sql`(-${priorityKey})`, dueKey, sql`${tasks.createdAt}`, sql`${tasks.id}`],
      types: ['int4', 'date', 'timestamptz', 'uuid'],
      descending: false,
    };
  if (sort === 'created')
    return { keys: [sql`${tasks.createdAt}`, sql`${tasks.id}`], types: ['timestamptz', 'uuid'], descending: true };
  return {
    keys: [dueKey, sql`${tasks.createdAt}`, sql`${tasks.id}`],
    types: ['date', 'timestamptz', 'uuid'],
    descending: false,
  };
}

/** One page of a list: its rows and the cursor of the next page (null on the last). */
export async function inboxPage(db: Executor, actor: Actor, input: InboxPageInput, now = new Date()) {
  const { rows, more, limit, today } = await pageRows(db, actor, input, now);
  const items = (more ? rows.slice(0, limit) : rows).map(({ sortKey: _sortKey, ...row }) => withDue(row, today));
  const last = more ? rows[limit - 1]! : null;
  return { items, next: last ? encodeCursor(last.sortKey) : null };
}

/** Whether an open task is overdue, due today or due within two days, in the company's calendar. */
function withDue<T extends { status: string; dueDate: string | null }>(row: T, today: string) {
  return {
    ...row,
    overdue: row.status === 'open' && row.dueDate !== null && row.dueDate < today,
    dueToday: row.status === 'open' && row.dueDate === today,
    dueSoon: row.status === 'open' && row.dueDate !== null && row.dueDate > today && row.dueDate <= addDays(today, 2),
  };
}

/** Up to limit + 1 rows of the page (one more says whether another page follows), each with its sort key. */
async function pageRows(db: Executor, actor: Actor, input: InboxPageInput, now: Date) {
  const { cursor, limit, ...rest } = inboxPageSchema.parse(input);
  const query: InboxQuery = rest;
  const today = todayIn(now);
  const sort = sortOf(query.list, query.sort);
  const after = cursor ? decodeCursor(cursor, sort.types, translator(actor.locale)) : null;
  const take = limit + 1;
  if (query.list !== 'all') {
    // One list: "Delegated to me" alone reads its delegators in its own statement (a subquery).
    const rows = await listRows(db, actor, query.list, query, sort, after, today, take);
    return { rows, more: rows.length > limit, limit, today };
  }
  // "All" reads each open list along its own index and merges them: never one OR across indexes
  // (bench:inbox: mine and delegated as one OR took 150 ms where the two apart take 3 ms each).
  // "Delegated to me" is read only for someone a colleague delegated to now (a look-up of the
  // delegations index, sent along with the other two lists where the executor runs them at once).
  const [mine, departments, delegated] = await Promise.all([
    listRows(db, actor, 'mine', query, sort, after, today, take),
    listRows(db, actor, 'departments', query, sort, after, today, take),
    activeDelegators(db, actor).then((ids) =>
      ids.length === 0 ? [] : listRows(db, actor, 'delegated', query, sort, after, today, take, ids),
    ),
  ]);
  const rows = mergeSorted([mine, departments, delegated], sort.types, sort.descending);
  return { rows, more: rows.length > limit, limit, today };
}

/** task.list's input: the All list's keyset, for API clients (optional: without it, the first page). */
export const listInboxSchema = z
  .strictObject({
    cursor: z.string().max(400).optional(),
    limit: z.number().int().min(1).max(MAX_PAGE).default(MAX_PAGE),
  })
  .optional();

/**
 * Open tasks for the actor, their departments and those who delegated to them, soonest due first:
 * a page of the All list as a plain array (task.list, for API clients). Each row carries the cursor
 * that continues after it: send the last row's to get the next page; a page shorter than the
 * limit is the last.
 */
export async function listInbox(
  db: Executor,
  actor: Actor,
  input: z.input<typeof listInboxSchema> = {},
  now = new Date(),
) {
  const { rows, more, limit, today } = await pageRows(
    db,
    actor,
    { list: 'all', limit: input?.limit ?? MAX_PAGE, ...(input?.cursor ? { cursor: input.cursor } : {}) },
    now,
  );
  return (more ? rows.slice(0, limit) : rows).map(({ sortKey, ...row }) => ({
    ...withDue(row, today),
    cursor: encodeCursor(sortKey),
  }));
}

type Sort = ReturnType<typeof sortOf>;

type ListAccess = Exclude<InboxList, 'all'>;

/** Up to `take` rows of one list after the cursor, in the sort's order, each with its sort key as a cursor carries it. */
async function listRows(
  db: Executor,
  actor: Actor,
  list: ListAccess,
  query: InboxQuery,
  sort: Sort,
  after: string[] | null,
  today: string,
  take: number,
  delegators?: string[],
) {
  const access = listAccess(actor, list, delegators);
  if (!access) return [];
  const conditions = [sql`${tasks.tenantId} = ${actor.tenantId}::uuid`, access, ...filterConditions(query, today)];
  if (after) conditions.push(afterKeys(sort.keys, after, sort.types, sort.descending));
  const order = sort.keys.map((k) => (sort.descending ? sql`${k} desc` : sql`${k} asc`));
  // The page is picked from tasks alone (for unclaimed tasks, from the index alone: it includes what the
  // access reads), then only its rows are joined to their instance, process and people.
  const page = db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(...conditions))
    .orderBy(...order)
    .limit(take)
    .as('page');
  return db
    .select({
      id: tasks.id,
      name: tasks.name,
      elementId: tasks.elementId,
      status: tasks.status,
      dueDate: tasks.dueDate,
      createdAt: tasks.createdAt,
      completedAt: tasks.completedAt,
      priority: tasks.priority,
      summary: tasks.summary,
      candidateGroups: tasks.candidateGroups,
      candidateRole: tasks.candidateRole,
      assignedToMe: sql<boolean>`${tasks.assigneeId} is not distinct from ${actor.userId}::uuid`,
      unassigned: sql<boolean>`${tasks.assigneeId} is null`,
      /** Shown in "Delegated to me": the colleague whose task it is. */
      onBehalfOf: sql<
        string | null
      >`case when ${tasks.assigneeId} <> ${actor.userId}::uuid then ${assignee.displayName} end`,
      version: tasks.version,
      instanceId: tasks.instanceId,
      businessKey: processInstances.businessKey,
      processKey: processDefinitions.key,
      processName: processDefinitions.name,
      startedBy: startedBy.displayName,
      sortKey: sql<string[]>`array[${sql.join(
        sort.keys.map((k, i) => keyText(k, sort.types[i]!)),
        sql`, `,
      )}]`,
    })
    .from(page)
    .innerJoin(tasks, eq(tasks.id, page.id))
    .innerJoin(processInstances, eq(processInstances.id, tasks.instanceId))
    .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
    .innerJoin(startedBy, eq(startedBy.id, processInstances.startedBy))
    .leftJoin(assignee, eq(assignee.id, tasks.assigneeId))
    .orderBy(...order);
}

/** The lists' rows merged in the sort's order, by their keys' canonical texts (cursor.ts); they do not overlap, and a task in two is kept once. */
function mergeSorted<T extends { id: string; sortKey: string[] }>(
  parts: T[][],
  types: readonly KeyType[],
  descending: boolean,
): T[] {
  const seen = new Set<string>();
  return parts
    .flat()
    .sort((a, b) => (descending ? -1 : 1) * compareKeys(a.sortKey, b.sortKey, types))
    .filter((row) => (seen.has(row.id) ? false : (seen.add(row.id), true)));
}

/** The navigation's counts: open tasks in each list (overdue ones among mine), done recently; each at most COUNT_CAP. */
export async function inboxCounts(db: Executor, actor: Actor, now = new Date()) {
  const today = todayIn(now);
  const counted = (access: SQL | null, extra?: SQL) =>
    access === null
      ? sql`0`
      : sql`(select count(*)::int4 from (select 1 from ${tasks} where ${tasks.tenantId} = ${actor.tenantId}::uuid and ${access}${extra ? sql` and ${extra}` : sql``} limit ${COUNT_CAP + 1}) c)`;
  const [row] = await db
    .select({
      mine: sql<number>`${counted(listAccess(actor, 'mine'))}`,
      mineOverdue: sql<number>`${counted(listAccess(actor, 'mine'), sql`${tasks.dueDate} < ${today}::date`)}`,
      departments: sql<number>`${counted(listAccess(actor, 'departments'))}`,
      delegated: sql<number>`${counted(listAccess(actor, 'delegated'))}`,
      done: sql<number>`${counted(listAccess(actor, 'done'))}`,
    })
    .from(sql`(select 1) as one`);
  const [mine, departments, delegated] = [Number(row!.mine), Number(row!.departments), Number(row!.delegated)];
  // The open lists do not overlap: All is their sum (above the cap when one of them is).
  return {
    all: mine + departments + delegated,
    mine,
    mineOverdue: Number(row!.mineOverdue),
    departments,
    delegated,
    done: Number(row!.done),
    cap: COUNT_CAP,
  };
}

/** What the filters offer: the company's processes (latest name), departments and members (at most 500, by name). */
export async function inboxFilterOptions(db: Executor, actor: Actor) {
  const [processes, departments, people] = await Promise.all([
    db
      .selectDistinctOn([processDefinitions.key], { key: processDefinitions.key, name: processDefinitions.name })
      .from(processDefinitions)
      .where(eq(processDefinitions.tenantId, actor.tenantId))
      .orderBy(processDefinitions.key, sql`${processDefinitions.version} desc`),
    db
      .select({ key: groups.key, name: groups.name })
      .from(groups)
      .where(eq(groups.tenantId, actor.tenantId))
      .orderBy(groups.name),
    db
      .select({ id: users.id, name: users.displayName })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.tenantId, actor.tenantId))
      .orderBy(users.displayName)
      .limit(500),
  ]);
  return { processes, departments, people };
}

/** Most views one user keeps. */
export const MAX_SAVED_VIEWS = 30;

export const savedViewInput = z.strictObject({ name: z.string().trim().min(1).max(60), query: inboxQuerySchema });

/** The caller's saved views, by name; a view whose stored query no longer parses (an option removed) is left out. */
export async function listSavedViews(db: Executor, actor: Actor) {
  const rows = await db
    .select({ id: savedViews.id, name: savedViews.name, query: savedViews.query })
    .from(savedViews)
    .where(and(eq(savedViews.tenantId, actor.tenantId), eq(savedViews.userId, actor.userId)))
    .orderBy(savedViews.name);
  return rows.flatMap((r) => {
    const parsed = inboxQuerySchema.safeParse(r.query);
    return parsed.success ? [{ id: r.id, name: r.name, query: parsed.data }] : [];
  });
}

/** Saves the view under its name (replacing the caller's view of that name). */
export async function saveView(db: Executor, actor: Actor, input: z.input<typeof savedViewInput>) {
  const { name, query } = savedViewInput.parse(input);
  return db.transaction(async (tx) => {
    const [{ count } = { count: 0 }] = await tx
      .select({ count: sql<number>`count(*)::int4` })
      .from(savedViews)
      .where(
        and(
          eq(savedViews.tenantId, actor.tenantId),
          eq(savedViews.userId, actor.userId),
          sql`${savedViews.name} <> ${name}`,
        ),
      );
    if (Number(count) >= MAX_SAVED_VIEWS)
      throw new AppError('BAD_REQUEST', translator(actor.locale)('errInboxViewsFull', { max: MAX_SAVED_VIEWS, name }));
    const [row] = await tx
      .insert(savedViews)
      .values({ tenantId: actor.tenantId, userId: actor.userId, name, query })
      .onConflictDoUpdate({ target: [savedViews.tenantId, savedViews.userId, savedViews.name], set: { query } })
      .returning({ id: savedViews.id, name: savedViews.name });
    return row!;
  });
}

/** Deletes one of the caller's saved views (another user's id is not found). */
export async function deleteView(db: Executor, actor: Actor, id: string) {
  const deleted = await db
    .delete(savedViews)
    .where(and(eq(savedViews.tenantId, actor.tenantId), eq(savedViews.userId, actor.userId), eq(savedViews.id, id)))
    .returning({ id: savedViews.id });
  if (deleted.length === 0) throw new AppError('NOT_FOUND', translator(actor.locale)('errInboxViewNotFound'));
  return { id };
}
