/**
 * The inbox's lists — My tasks, My departments (unclaimed), Delegated to me, Done recently — with
 * filters, accent-free search, three sorts, keyset pagination and the navigation's counts; saved
 * views; bulk claim. Who may see what is the rule of tasks.ts (offeredTo, rightToWork): every list
 * here is a part of it, and every query is scoped to the caller's company.
 *
 * Each list has its own access path, indexed in the order the page reads it (db/schema.ts):
 * assigned tasks by (tenant, assignee, due, created, id); unclaimed tasks by (tenant, due,
 * created, id) or, for a department with few tasks, through the GIN index of their candidate
 * groups; done tasks by (tenant, completed_by, completed_at). Pages continue from the last row's
 * sort key (a cursor), never by OFFSET, so page 100 costs what page 1 does.
 */
import { z } from 'zod';
import { and, eq, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { keySchema, searchQuery } from '@/engine';
import type { Executor } from '@/db/client';
import { delegations, groups, memberships, processDefinitions, processInstances, savedViews, tasks, users } from '@/db/schema';
import { groupKeys, type Actor } from '../actor';
import { AppError } from '../errors';
import { translator, type Translate } from '../../_i18n/messages';
import { claimTask } from './tasks';

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
/** The company's calendar day for "today", "overdue" and "started between" (Vietnam; no per-company zone yet). */
export const INBOX_TIME_ZONE = 'Asia/Ho_Chi_Minh';

const isoDate = z.iso.date();

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

/** SQL: ids of the users who delegated their tasks to the actor, now (as tasks.ts). */
function delegatorsOf(actor: Actor): SQL {
  return sql`(select d.delegator_id from ${delegations} d join ${memberships} m on m.tenant_id = d.tenant_id and m.user_id = d.delegator_id
    where d.tenant_id = ${actor.tenantId}::uuid and d.delegate_id = ${actor.userId}::uuid and d.revoked_at is null and d.starts_at <= now() and d.ends_at > now())`;
}

/** SQL: the unclaimed task is offered to one of the actor's departments (as member, or as manager for a manager task); null when they are in none. */
function viaDepartments(actor: Actor): SQL | null {
  const member = groupKeys(actor, 'member');
  const manager = groupKeys(actor, 'manager');
  const parts: SQL[] = [];
  if (member.length > 0) parts.push(sql`(${tasks.candidateRole} = 'member' and ${tasks.candidateGroups} && ${textArray(member)})`);
  if (manager.length > 0) parts.push(sql`(${tasks.candidateRole} = 'manager' and ${tasks.candidateGroups} && ${textArray(manager)})`);
  return parts.length === 0 ? null : sql`(${sql.join(parts, sql` or `)})`;
}

function textArray(values: string[]): SQL {
  return sql`array[${sql.join(values.map((v) => sql`${v}`), sql`, `)}]::text[]`;
}

const notExcluded = (actor: Actor) => sql`not (${actor.userId}::uuid = any(${tasks.excludedUserIds}))`;

/** SQL: the tasks of one list the actor may see; null when the list is empty by definition (no departments). */
function listAccess(actor: Actor, list: Exclude<InboxList, 'all'>): SQL | null {
  const me = sql`${actor.userId}::uuid`;
  switch (list) {
    case 'mine':
      // Assigned to me, or offered to me by name and not yet claimed.
      return sql`${tasks.status} = 'open' and (${tasks.assigneeId} = ${me} or (${tasks.assigneeId} is null and ${tasks.candidateUserIds} @> array[${me}])) and ${notExcluded(actor)}`;
    case 'departments': {
      const via = viaDepartments(actor);
      // A task that also names me is under My tasks: the lists do not overlap, so All's count is their sum.
      return via && sql`${tasks.status} = 'open' and ${tasks.assigneeId} is null and ${via} and not (${tasks.candidateUserIds} @> array[${me}]) and ${notExcluded(actor)}`;
    }
    case 'delegated': {
      // Assigned to a colleague who delegated to me; a task offered to departments or people only when I am a candidate of it myself (tasks.ts).
      const named = sql`${me} = any(${tasks.candidateUserIds})`;
      const via = viaDepartments(actor);
      const candidate = sql`(cardinality(${tasks.candidateGroups}) = 0 and cardinality(${tasks.candidateUserIds}) = 0) or ${named}${via ? sql` or ${via}` : sql``}`;
      return sql`${tasks.status} = 'open' and ${tasks.assigneeId} in ${delegatorsOf(actor)} and not (${tasks.assigneeId} = any(${tasks.excludedUserIds})) and (${candidate}) and ${notExcluded(actor)}`;
    }
    case 'done':
      return sql`${tasks.status} = 'completed' and ${tasks.completedBy} = ${me} and ${tasks.completedAt} > now() - make_interval(days => ${DONE_RECENTLY_DAYS})`;
  }
}

/** Today's date in the company's calendar (YYYY-MM-DD). */
export function todayIn(now: Date, timeZone = INBOX_TIME_ZONE): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
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
  if (query.priority === 'normal') out.push(sql`${priorityKey} > ${LOW_PRIORITY} and ${priorityKey} < ${HIGH_PRIORITY}`);
  // The instance's and process's filters, each a look-up of the one instance (the page query reads tasks alone: listRows).
  const ofInstance: SQL[] = [];
  if (query.startedBy) ofInstance.push(sql`i.started_by = ${query.startedBy}::uuid`);
  const startedDay = sql`(i.${sql.identifier(processInstances.startedAt.name)} at time zone ${INBOX_TIME_ZONE})::date`;
  if (query.startedFrom) ofInstance.push(sql`${startedDay} >= ${query.startedFrom}::date`);
  if (query.startedTo) ofInstance.push(sql`${startedDay} <= ${query.startedTo}::date`);
  if (query.process) ofInstance.push(sql`exists (select 1 from ${processDefinitions} d where d.id = i.definition_id and d.key = ${query.process})`);
  if (ofInstance.length > 0) out.push(sql`exists (select 1 from ${processInstances} i where i.id = ${tasks.instanceId} and ${sql.join(ofInstance, sql` and `)})`);
  const q = query.q ? searchQuery(query.q) : null;
  if (q) out.push(sql`(${tasks.search} @@ to_tsquery('simple', ${q}) or exists (select 1 from ${processInstances} i where i.id = ${tasks.instanceId} and i.search @@ to_tsquery('simple', ${q})))`);
  return out;
}

/** A page's sort: the ORDER BY and the sort key a cursor carries (all ascending, so one row comparison continues it). */
function sortOf(list: InboxList, sort: InboxQuery['sort']) {
  if (list === 'done') {
    // Newest completion first: descending keys, continued with `<`.
    return { keys: [sql`${tasks.completedAt}`, sql`${tasks.id}`], types: ['timestamptz', 'uuid'], descending: true };
  }
  if (sort === 'priority') return { keys: [sql`(-${priorityKey})`, dueKey, sql`${tasks.createdAt}`, sql`${tasks.id}`], types: ['int4', 'date', 'timestamptz', 'uuid'], descending: false };
  if (sort === 'created') return { keys: [sql`${tasks.createdAt}`, sql`${tasks.id}`], types: ['timestamptz', 'uuid'], descending: true };
  return { keys: [dueKey, sql`${tasks.createdAt}`, sql`${tasks.id}`], types: ['date', 'timestamptz', 'uuid'], descending: false };
}

const CURSOR_VALUE = /^[0-9A-Za-z:.+\- ]{1,40}$/;

function encodeCursor(values: string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

/** The values of a cursor, checked against the sort's key types; a cursor of another sort or a forged one is refused. */
function decodeCursor(cursor: string, types: string[], t: Translate): string[] {
  let values: unknown;
  try {
    values = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    values = null;
  }
  if (!Array.isArray(values) || values.length !== types.length || !values.every((v) => typeof v === 'string' && CURSOR_VALUE.test(v))) {
    throw new AppError('BAD_REQUEST', t('errInboxCursor'));
  }
  return values as string[];
}

/** One page of a list: its rows and the cursor of the next page (null on the last). */
export async function inboxPage(db: Executor, actor: Actor, input: InboxPageInput, now = new Date()) {
  const { cursor, limit, ...rest } = inboxPageSchema.parse(input);
  const query: InboxQuery = rest;
  const today = todayIn(now);
  const sort = sortOf(query.list, query.sort);
  const after = cursor ? decodeCursor(cursor, sort.types, translator(actor.locale)) : null;
  // "All" reads each open list along its own index and merges them: never one OR across indexes
  // (bench:inbox: mine and delegated as one OR took 150 ms where the two apart take 3 ms each).
  const lists: ListAccess[] = query.list === 'all' ? ['mine', 'departments', 'delegated'] : [query.list];
  const parts = await Promise.all(lists.map((list) => listRows(db, actor, list, query, sort, after, today, limit + 1)));
  const rows = parts.length === 1 ? parts[0]! : mergeSorted(parts, sort.types, sort.descending);
  const more = rows.length > limit;
  const items = (more ? rows.slice(0, limit) : rows).map(({ sortKey, ...row }) => ({
    ...row,
    overdue: row.status === 'open' && row.dueDate !== null && row.dueDate < today,
    dueToday: row.status === 'open' && row.dueDate === today,
    dueSoon: row.status === 'open' && row.dueDate !== null && row.dueDate > today && row.dueDate <= addDays(today, 2),
  }));
  const last = more ? rows[limit - 1]! : null;
  return { items, next: last ? encodeCursor(last.sortKey) : null };
}

type Sort = ReturnType<typeof sortOf>;

type ListAccess = Exclude<InboxList, 'all'>;

/** Up to `take` rows of one list after the cursor, in the sort's order, each with its sort key as text. */
async function listRows(db: Executor, actor: Actor, list: ListAccess, query: InboxQuery, sort: Sort, after: string[] | null, today: string, take: number) {
  const access = listAccess(actor, list);
  if (!access) return [];
  const keyTuple = sql`(${sql.join(sort.keys, sql`, `)})`;
  const conditions = [sql`${tasks.tenantId} = ${actor.tenantId}::uuid`, access, ...filterConditions(query, today)];
  if (after) {
    const tuple = sql`(${sql.join(after.map((v, i) => sql`${v}::${sql.raw(sort.types[i]!)}`), sql`, `)})`;
    conditions.push(sort.descending ? sql`${keyTuple} < ${tuple}` : sql`${keyTuple} > ${tuple}`);
  }
  const order = sort.keys.map((k) => (sort.descending ? sql`${k} desc` : sql`${k} asc`));
  // The page is picked from tasks alone (for unclaimed tasks, from the index alone: it includes what the
  // access reads), then only its rows are joined to their instance, process and people.
  const page = db.select({ id: tasks.id }).from(tasks).where(and(...conditions)).orderBy(...order).limit(take).as('page');
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
      onBehalfOf: sql<string | null>`case when ${tasks.assigneeId} <> ${actor.userId}::uuid then ${assignee.displayName} end`,
      version: tasks.version,
      instanceId: tasks.instanceId,
      businessKey: processInstances.businessKey,
      processKey: processDefinitions.key,
      processName: processDefinitions.name,
      startedBy: startedBy.displayName,
      sortKey: sql<string[]>`array[${sql.join(sort.keys.map((k) => sql`${k}::text`), sql`, `)}]`,
    })
    .from(page)
    .innerJoin(tasks, eq(tasks.id, page.id))
    .innerJoin(processInstances, eq(processInstances.id, tasks.instanceId))
    .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
    .innerJoin(startedBy, eq(startedBy.id, processInstances.startedBy))
    .leftJoin(assignee, eq(assignee.id, tasks.assigneeId))
    .orderBy(...order);
}

/** Compares two sort keys as PostgreSQL orders them: numbers as numbers; dates, times (one session's format) and uuids as text. */
function compareKeys(a: string[], b: string[], types: string[]): number {
  for (let i = 0; i < types.length; i++) {
    const [x, y] = [a[i]!, b[i]!];
    const c = types[i] === 'int4' ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
    if (c !== 0) return c;
  }
  return 0;
}

/** The lists' rows merged in the sort's order (they do not overlap; a task in two is kept once). */
function mergeSorted<T extends { id: string; sortKey: string[] }>(parts: T[][], types: string[], descending: boolean): T[] {
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
  return { all: mine + departments + delegated, mine, mineOverdue: Number(row!.mineOverdue), departments, delegated, done: Number(row!.done), cap: COUNT_CAP };
}

/** What the filters offer: the company's processes (latest name), departments and members (at most 500, by name). */
export async function inboxFilterOptions(db: Executor, actor: Actor) {
  const [processes, departments, people] = await Promise.all([
    db
      .selectDistinctOn([processDefinitions.key], { key: processDefinitions.key, name: processDefinitions.name })
      .from(processDefinitions)
      .where(eq(processDefinitions.tenantId, actor.tenantId))
      .orderBy(processDefinitions.key, sql`${processDefinitions.version} desc`),
    db.select({ key: groups.key, name: groups.name }).from(groups).where(eq(groups.tenantId, actor.tenantId)).orderBy(groups.name),
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
      .where(and(eq(savedViews.tenantId, actor.tenantId), eq(savedViews.userId, actor.userId), sql`${savedViews.name} <> ${name}`));
    if (Number(count) >= MAX_SAVED_VIEWS) throw new AppError('BAD_REQUEST', translator(actor.locale)('errInboxViewsFull', { max: MAX_SAVED_VIEWS, name }));
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

/** Most tasks one bulk claim takes. */
export const MAX_BULK_CLAIM = 100;

/**
 * Claims each task for the caller, each in its own transaction with the checks of a single claim
 * (a task a colleague took meanwhile, or one the caller may not take, is reported and the others
 * are still claimed). Claiming one's own task again changes nothing, so a retried bulk claim does
 * not act twice.
 */
export async function claimMany(db: Executor, actor: Actor, ids: string[]) {
  const unique = [...new Set(ids)];
  if (unique.length > MAX_BULK_CLAIM) throw new AppError('BAD_REQUEST', translator(actor.locale)('errInboxBulkTooMany', { max: MAX_BULK_CLAIM, count: unique.length }));
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
