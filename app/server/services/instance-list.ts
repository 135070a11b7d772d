/**
 * The list of a company's process instances (/instances and its CSV export): filters, keyset
 * pages, and who may see which instances.
 *
 * Who sees what (one rule, `instanceListScope`, for the page, the procedure and the export):
 * - admins and auditors: every instance of the company;
 * - a member who manages a department (group role `manager`), whatever their company role: the
 *   instances of process versions whose `category` is a department they manage — the category of
 *   the version the instance runs, as it was published (a process moved to another department
 *   later keeps its older instances where they were); an instance of a process without a
 *   category is only for admins and auditors;
 * - anyone else: refused (FORBIDDEN); they follow their own instances in My requests.
 * Every query is also scoped to the caller's company. The instance page lets in whom the list
 * shows an instance to (scopeCovers), and more: instances.ts mayReadInstance.
 *
 * Pages continue from the last row's (started_at, id) (instance-cursor.ts), never by OFFSET.
 * Indexes that serve it on process_instances: (tenant_id, started_at, id) for the whole company,
 * (tenant_id, definition_id, started_at, id) for a manager's processes.
 */
import { z } from 'zod';
import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { keySchema, type LocalizedText } from '@/engine';
import type { Executor } from '@/db/client';
import { memberships, processDefinitions, processInstances, users } from '@/db/schema';
import { groupKeys, type Actor } from '../actor';
import { AppError } from '../errors';
import { translator } from '../../_i18n/messages';
import {
  afterCursor,
  decodeCursor,
  encodeCursor,
  newestFirst,
  startedAtKey,
  type InstanceCursor,
} from './instance-cursor';
import { departmentNames, hasOpenIncident, whereNow } from './where-now';
import { isoDate } from './calendar';

/** The statuses the list filters by: `cancelled` is the stored `terminated` (cancelled, or ended by an admin over an incident). */
export const listStatuses = ['active', 'completed', 'cancelled', 'incident'] as const;
export type ListStatus = (typeof listStatuses)[number];
const storedStatus = {
  active: 'active',
  completed: 'completed',
  cancelled: 'terminated',
  incident: 'incident',
} as const;

/** The company's calendar day for "started between" (Vietnam; no per-company zone yet). */
export const LIST_TIME_ZONE = 'Asia/Ho_Chi_Minh';
/** Most rows one page returns. */
export const MAX_INSTANCES_PAGE = 100;

export const instanceFilterSchema = z.strictObject({
  process: keySchema.optional(),
  version: z.number().int().min(1).max(1_000_000).optional(),
  status: z.enum(listStatuses).optional(),
  startedBy: z.uuid().optional(),
  startedFrom: isoDate.optional(),
  startedTo: isoDate.optional(),
  /** Only instances with an open incident (stopped by the engine, or a job out of retries). */
  incident: z.boolean().optional(),
});
export type InstanceFilter = z.infer<typeof instanceFilterSchema>;

export const instancePageSchema = instanceFilterSchema.extend({
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(MAX_INSTANCES_PAGE).default(50),
});
export type InstancePageInput = z.input<typeof instancePageSchema>;

/** What the caller may see of the list: everything, or the instances of their departments' processes; null: nothing (refused). */
export type InstanceScope = { all: true } | { all: false; departments: string[] };

export function instanceListScope(actor: Actor): InstanceScope | null {
  if (actor.role === 'admin' || actor.role === 'auditor') return { all: true };
  const managed = groupKeys(actor, 'manager');
  return managed.length > 0 ? { all: false, departments: managed } : null;
}

/**
 * Whether the scope takes in an instance of a version published with `category`: the rule the
 * list applies in SQL (versionsInScope), for one instance (instances.ts mayReadInstance: a manager
 * opens what their list shows). A version without a category is only in the whole company's scope.
 */
export function scopeCovers(scope: InstanceScope | null, category: string | null): boolean {
  if (!scope) return false;
  return scope.all || (category !== null && scope.departments.includes(category));
}

/** Whether the caller may open the list (the navigation shows it to them). */
export function maySeeInstanceList(actor: Actor): boolean {
  return instanceListScope(actor) !== null;
}

/** The caller's scope, or FORBIDDEN saying who may see the list. */
export function requireInstanceScope(actor: Actor): InstanceScope {
  const scope = instanceListScope(actor);
  if (!scope) throw new AppError('FORBIDDEN', translator(actor.locale)('runnerInstancesRefused'));
  return scope;
}

/**
 * The filter of an address's query (the page's form, the export's link): each value read as the
 * schema would take it; `problems` names the parameters whose value is not one (the page ignores
 * them, the export refuses them).
 */
export function filterFromQuery(get: (name: string) => string | undefined): {
  filter: InstanceFilter;
  problems: string[];
} {
  const raw: Record<string, unknown> = {};
  for (const name of ['process', 'status', 'startedBy', 'startedFrom', 'startedTo'] as const) {
    const value = get(name)?.trim();
    if (value) raw[name] = value;
  }
  const version = get('version')?.trim();
  if (version) raw.version = /^\d{1,7}$/.test(version) ? Number(version) : version;
  const incident = get('incident')?.trim();
  if (incident)
    raw.incident =
      incident === '1' || incident === 'true' ? true : incident === '0' || incident === 'false' ? false : incident;
  const filter: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(raw)) {
    const field = instanceFilterSchema.shape[name as keyof InstanceFilter];
    const parsed = field.safeParse(value);
    if (parsed.success) filter[name] = parsed.data;
    else problems.push(name);
  }
  return { filter: filter as InstanceFilter, problems };
}

/** The address query of a filter (and page), with only the parts that are set. */
export function queryOfFilter(filter: InstanceFilter & { cursor?: string }): string {
  const search = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) {
    if (v === undefined || v === '') continue;
    search.set(k, v === true ? '1' : v === false ? '0' : String(v));
  }
  return search.toString();
}

const starter = alias(users, 'starter');

/**
 * The process versions the scope and the filter's process and version let through, when they narrow
 * (null: every version of the company). Read first — the company's versions are few — so the list
 * filters instances by definition id (an index) instead of joining every instance to its version
 * first; none at all means an empty list without touching the instances (bench:inbox: a manager
 * whose departments have no process scanned every instance of the company, 110 ms).
 */
async function versionsInScope(
  db: Executor,
  actor: Actor,
  scope: InstanceScope,
  filter: InstanceFilter,
): Promise<string[] | null> {
  if (scope.all && !filter.process && !filter.version) return null;
  const rows = await db
    .select({ id: processDefinitions.id })
    .from(processDefinitions)
    .where(
      and(
        eq(processDefinitions.tenantId, actor.tenantId),
        scope.all ? undefined : inArray(processDefinitions.category, scope.departments),
        filter.process ? eq(processDefinitions.key, filter.process) : undefined,
        filter.version ? eq(processDefinitions.version, filter.version) : undefined,
      ),
    );
  return rows.map((r) => r.id);
}

/** SQL: the rows the scope and the filter let through (the instance, its version and its starter joined). */
function conditions(actor: Actor, versions: string[] | null, filter: InstanceFilter): SQL[] {
  const out: SQL[] = [eq(processInstances.tenantId, actor.tenantId), eq(processDefinitions.tenantId, actor.tenantId)];
  if (versions) out.push(inArray(processInstances.definitionId, versions));
  if (filter.status) out.push(eq(processInstances.status, storedStatus[filter.status]));
  if (filter.startedBy) out.push(eq(processInstances.startedBy, filter.startedBy));
  // Whole days of the company's calendar, as a range of started_at (the index can serve it).
  if (filter.startedFrom)
    out.push(
      sql`${processInstances.startedAt} >= (${filter.startedFrom}::date)::timestamp at time zone ${LIST_TIME_ZONE}`,
    );
  if (filter.startedTo)
    out.push(
      sql`${processInstances.startedAt} < (${filter.startedTo}::date + 1)::timestamp at time zone ${LIST_TIME_ZONE}`,
    );
  if (filter.incident === true) out.push(hasOpenIncident);
  if (filter.incident === false) out.push(sql`not ${hasOpenIncident}`);
  return out;
}

/** Up to `take` instances after the cursor, newest first, each with where it is now. */
async function listRows(
  db: Executor,
  actor: Actor,
  scope: InstanceScope,
  filter: InstanceFilter,
  after: InstanceCursor | null,
  take: number,
) {
  const versions = await versionsInScope(db, actor, scope, filter);
  if (versions !== null && versions.length === 0) return [];
  const rows = await db
    .select({
      id: processInstances.id,
      businessKey: processInstances.businessKey,
      status: processInstances.status,
      outcome: processInstances.outcome,
      active: sql<string[] | null>`${processInstances.state}->'active'`,
      startedAt: processInstances.startedAt,
      endedAt: processInstances.endedAt,
      definitionId: processInstances.definitionId,
      parentId: processInstances.parentId,
      process: {
        key: processDefinitions.key,
        version: processDefinitions.version,
        name: processDefinitions.name,
        category: processDefinitions.category,
      },
      startedBy: starter.displayName,
      hasIncident: hasOpenIncident,
      key: startedAtKey,
    })
    .from(processInstances)
    .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
    .innerJoin(starter, eq(starter.id, processInstances.startedBy))
    .where(and(...conditions(actor, versions, filter), after ? afterCursor(after) : undefined))
    .orderBy(...newestFirst)
    .limit(take);
  const where = await whereNow(db, actor.tenantId, rows);
  return rows.map(({ active: _active, definitionId: _definitionId, ...row }) => ({
    ...row,
    hasIncident: Boolean(row.hasIncident),
    where: where.get(row.id)!,
  }));
}

export type InstanceListRow = Awaited<ReturnType<typeof listRows>>[number];

/** One page of the list and the cursor of the next (null on the last); FORBIDDEN for a caller the scope refuses. */
export async function listInstances(db: Executor, actor: Actor, input: InstancePageInput = {}) {
  const scope = requireInstanceScope(actor);
  const { cursor, limit, ...filter } = instancePageSchema.parse(input);
  const after = cursor ? decodeCursor(cursor, translator(actor.locale)) : null;
  const rows = await listRows(db, actor, scope, filter, after, limit + 1);
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = more ? items.at(-1)! : null;
  return {
    items: items.map(({ key: _key, ...row }) => row),
    next: last ? encodeCursor({ at: last.key, id: last.id }) : null,
  };
}

/**
 * Every instance the scope and the filter let through, newest first, in batches of `batch` rows
 * (one keyset page each), at most `cap` rows in all; `more` on the last batch when the cap cut
 * the list short. The caller has checked the scope (requireInstanceScope) before anything is sent.
 */
export async function* instanceBatches(
  db: Executor,
  actor: Actor,
  scope: InstanceScope,
  filter: InstanceFilter,
  options: { batch: number; cap: number },
) {
  let after: InstanceCursor | null = null;
  let sent = 0;
  while (sent < options.cap) {
    const take = Math.min(options.batch, options.cap - sent);
    const rows = await listRows(db, actor, scope, filter, after, take + 1);
    const more = rows.length > take;
    const batch = more ? rows.slice(0, take) : rows;
    sent += batch.length;
    yield { rows: batch, more: more && sent >= options.cap };
    if (!more) return;
    const last = batch.at(-1)!;
    after = { at: last.key, id: last.id };
  }
}

/**
 * What the filters offer the caller: the processes they may see (latest name, versions
 * published), the company's members (at most 500, by name), and — for a manager — the departments
 * whose processes they see, by name.
 */
export async function instanceFilterOptions(db: Executor, actor: Actor) {
  const scope = requireInstanceScope(actor);
  const [versions, people, managed] = await Promise.all([
    db
      .select({ key: processDefinitions.key, version: processDefinitions.version, name: processDefinitions.name })
      .from(processDefinitions)
      .where(
        and(
          eq(processDefinitions.tenantId, actor.tenantId),
          scope.all ? undefined : inArray(processDefinitions.category, scope.departments),
        ),
      )
      .orderBy(asc(processDefinitions.key), desc(processDefinitions.version)),
    db
      .select({ id: users.id, name: users.displayName })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(eq(memberships.tenantId, actor.tenantId))
      .orderBy(asc(users.displayName))
      .limit(500),
    scope.all ? new Map<string, LocalizedText>() : departmentNames(db, actor.tenantId, scope.departments),
  ]);
  const processes = new Map<string, { key: string; name: LocalizedText; versions: number[] }>();
  for (const v of versions) {
    const p = processes.get(v.key);
    if (p) p.versions.push(v.version);
    else processes.set(v.key, { key: v.key, name: v.name, versions: [v.version] });
  }
  const departments = scope.all ? [] : scope.departments.map((key) => ({ key, name: managed.get(key) ?? key }));
  return { processes: [...processes.values()], people, departments };
}
