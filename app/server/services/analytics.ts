/**
 * Process analytics (issue 19): per process and version the instances started, running, completed,
 * stopped by an incident and cancelled, the cycle time of the completed ones (p50/p90), and per
 * element how long instances wait there; and the open tasks past their due date per department.
 * Read-only SQL over the instances, their tasks, jobs, subscriptions and the audit trail.
 *
 * Who sees what is the instances list's rule (instance-list.ts, `requireInstanceScope`): admins
 * and auditors the whole company, a department manager the versions whose category is a
 * department they manage, anyone else FORBIDDEN. Every query is also scoped to the company. A
 * process not in the caller's scope is NOT_FOUND, as if it did not exist.
 *
 * Where a wait is read from:
 * - user tasks: the task rows (created → completed; open ones by their age so far);
 * - timers (intermediate catch events) and service jobs: the job rows (created → completed);
 * - message and signal catches and receive tasks: the audit trail — entered when the element
 *   before it completed along a flow into it (`element.completed` with that `flowId`), left at its
 *   own `element.completed`; open ones by their subscription's age.
 *
 * Budgets: the counts and cycle times read every instance of the range through
 * process_instances_definition_started_idx (or _tenant_started_idx for the overview); waits read
 * the newest ELEMENT_SAMPLE instances of the range and their rows by instance (the tasks, jobs,
 * subscriptions and audit indexes on instance_id); overdue tasks come from tasks_overdue_idx.
 * Element, department and process rows are capped. It never writes.
 */
import { z } from 'zod';
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { keySchema, type LocalizedText } from '@/engine';
import type { Element, ProcessDefinition } from '@/engine/model/definition';
import { flatten } from '@/engine/model/scopes';
import type { Executor } from '@/db/client';
import { processDefinitions, processInstances, tasks } from '@/db/schema';
import type { Actor } from '../actor';
import { AppError } from '../errors';
import { translator, type MessageKey } from '../../_i18n/messages';
import { addDays, COMPANY_TIME_ZONE, isoDate, todayIn } from './calendar';
import { requireInstanceScope, type InstanceScope } from './instance-list';
import { departmentNames } from './where-now';

/** The range when none is given: the last 90 days, today included. */
export const DEFAULT_RANGE_DAYS = 90;
/** The longest range one question may cover (two years): a budget on the instances read. */
export const MAX_RANGE_DAYS = 731;
/** How many of the newest instances of the range the waiting times are measured on. */
export const ELEMENT_SAMPLE = 5_000;
/** Most rows each answer lists. */
export const MAX_ELEMENT_ROWS = 200;
export const MAX_DEPARTMENT_ROWS = 100;
export const MAX_OVERVIEW_PROCESSES = 200;

export const processAnalyticsSchema = z.strictObject({
  key: keySchema,
  version: z.number().int().min(1).max(1_000_000).optional(),
  /** Calendar days of the company (Vietnam), both included; default: the last 90 days. */
  startedFrom: isoDate.optional(),
  startedTo: isoDate.optional(),
});
/** What a caller sends (the tRPC input is this loose shape): read with processAnalyticsSchema, refusals naming the field. */
export interface ProcessAnalyticsInput {
  key: string;
  version?: number | undefined;
  startedFrom?: string | undefined;
  startedTo?: string | undefined;
}

export const rangeSchema = processAnalyticsSchema.pick({ startedFrom: true, startedTo: true });
export type RangeInput = Omit<ProcessAnalyticsInput, 'key' | 'version'>;

const fieldLabels: Record<string, MessageKey> = {
  key: 'analyticsFieldKey',
  version: 'analyticsFieldVersion',
  startedFrom: 'analyticsFieldFrom',
  startedTo: 'analyticsFieldTo',
};

/** The input read as `schema` takes it, or BAD_REQUEST naming the first field it refuses (by its label, in the caller's language). */
function readInput<T extends z.ZodType>(actor: Actor, schema: T, input: unknown): z.infer<T> {
  const parsed = schema.safeParse(input ?? {});
  if (parsed.success) return parsed.data;
  const t = translator(actor.locale);
  const issue = parsed.error.issues[0]!;
  const field = String(issue.path[0] ?? (issue.code === 'unrecognized_keys' ? issue.keys[0] : '') ?? '');
  throw refuseField(t, field);
}

function refuseField(t: ReturnType<typeof translator>, field: string, message?: string): AppError {
  const label = fieldLabels[field] ? t(fieldLabels[field]) : field;
  const text = message ?? t('analyticsBadField', { field: label });
  return new AppError('BAD_REQUEST', text, [{ field, label, message: text }]);
}

/** A range of the company's calendar days, both included. */
export interface DayRange {
  startedFrom: string;
  startedTo: string;
}

const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);

/** The range asked for, completed with the defaults; BAD_REQUEST naming `startedFrom` when it is after `startedTo` or spans too long. */
function resolveRange(
  actor: Actor,
  input: { startedFrom?: string | undefined; startedTo?: string | undefined },
  now: Date,
): DayRange {
  const startedTo = input.startedTo ?? todayIn(now);
  const startedFrom = input.startedFrom ?? addDays(startedTo, -(DEFAULT_RANGE_DAYS - 1));
  const t = translator(actor.locale);
  if (startedFrom > startedTo) throw refuseField(t, 'startedFrom', t('analyticsRangeReversed'));
  if (daysBetween(startedFrom, startedTo) >= MAX_RANGE_DAYS)
    throw refuseField(t, 'startedFrom', t('analyticsRangeTooLong', { days: MAX_RANGE_DAYS }));
  return { startedFrom, startedTo };
}

/** SQL: started within the range's whole days of the company's calendar (a range of started_at, which the indexes serve). */
function startedWithin(range: DayRange): SQL {
  return sql`${processInstances.startedAt} >= (${range.startedFrom}::date)::timestamp at time zone ${COMPANY_TIME_ZONE} and ${processInstances.startedAt} < (${range.startedTo}::date + 1)::timestamp at time zone ${COMPANY_TIME_ZONE}`;
}

/**
 * A small bounded cache of answers, in this process's memory: at most `maxEntries`, each for `ttlMs`
 * (the oldest goes first when full). Per-process memory is enough here: numbers a minute old
 * serve a manager as well as fresh ones, so nothing is invalidated (a new instance shows within a
 * minute); with several app servers each computes its own copy at most once a minute per
 * question — a few extra read-only queries, and no shared state to keep consistent. Keys hold the
 * company and the caller's scope, so no answer reaches someone who may not see it. The promise is
 * kept, so callers asking at once share one computation; a failure is not kept.
 */
export class AnalyticsCache {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();
  /** The clock (ms); tests move it to see an answer expire. */
  clock: () => number = Date.now;

  constructor(
    readonly maxEntries = 500,
    readonly ttlMs = 60_000,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
  }

  async get<T>(key: string, compute: () => Promise<T>): Promise<T> {
    const now = this.clock();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value as Promise<T>;
    if (hit) this.entries.delete(key);
    const value = compute();
    this.entries.set(key, { at: now, value });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    value.catch(() => {
      if (this.entries.get(key)?.value === value) this.entries.delete(key);
    });
    return value;
  }
}

/** The answers of this app process (see AnalyticsCache for why per-process memory is enough). */
export const analyticsCache = new AnalyticsCache();

function cacheKey(actor: Actor, scope: InstanceScope, what: string, args: unknown): string {
  const who = scope.all ? '*' : [...scope.departments].sort().join(',');
  // The language too: a refusal (NOT_FOUND) shared by callers waiting on one query speaks each one's.
  return `${actor.tenantId}|${actor.locale}|${who}|${what}|${JSON.stringify(args)}`;
}

/** Headline numbers of a set of instances; durations in seconds (null without a completed instance). */
export interface InstanceCounts {
  started: number;
  running: number;
  completed: number;
  incident: number;
  cancelled: number;
  cycleP50: number | null;
  cycleP90: number | null;
  cycleMean: number | null;
}

/** SQL: an active instance with a job out of retries (an open incident the instance's status does not show). */
const failedJob = sql`exists (select 1 from jobs j where j.tenant_id = ${processInstances.tenantId} and j.instance_id = ${processInstances.id} and j.status = 'failed' and j.kind <> 'webhook')`;
const cycleSeconds = sql`extract(epoch from (${processInstances.endedAt} - ${processInstances.startedAt}))`;
const isCompleted = sql`${processInstances.status} = 'completed' and ${processInstances.endedAt} is not null`;

/** The counted columns, for a select over process_instances (grouped by the caller). */
const countColumns = {
  started: sql<number>`count(*)::int`,
  running: sql<number>`(count(*) filter (where ${processInstances.status} = 'active' and not ${failedJob}))::int`,
  completed: sql<number>`(count(*) filter (where ${processInstances.status} = 'completed'))::int`,
  incident: sql<number>`(count(*) filter (where ${processInstances.status} = 'incident' or (${processInstances.status} = 'active' and ${failedJob})))::int`,
  cancelled: sql<number>`(count(*) filter (where ${processInstances.status} = 'terminated'))::int`,
  cycleP50: sql<
    number | null
  >`(percentile_cont(0.5) within group (order by ${cycleSeconds}) filter (where ${isCompleted}))::float8`,
  cycleP90: sql<
    number | null
  >`(percentile_cont(0.9) within group (order by ${cycleSeconds}) filter (where ${isCompleted}))::float8`,
  cycleMean: sql<number | null>`(avg(${cycleSeconds}) filter (where ${isCompleted}))::float8`,
};

function counts(row: Partial<Record<keyof InstanceCounts, unknown>> | undefined): InstanceCounts {
  const n = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));
  const d = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return {
    started: n(row?.started),
    running: n(row?.running),
    completed: n(row?.completed),
    incident: n(row?.incident),
    cancelled: n(row?.cancelled),
    cycleP50: d(row?.cycleP50),
    cycleP90: d(row?.cycleP90),
    cycleMean: d(row?.cycleMean),
  };
}

/** What kind of wait an element is, by where its waits are read. */
export type WaitKind = 'task' | 'timer' | 'job' | 'message';

export interface ElementWait {
  elementId: string;
  name: LocalizedText | null;
  /** The element's BPMN type (userTask, intermediateCatchEvent, …), null when no version shown has it. */
  type: string | null;
  kind: WaitKind;
  /** Waits that ended, and their time in seconds. */
  count: number;
  p50: number | null;
  p90: number | null;
  mean: number | null;
  /** Waits still going on (open tasks, pending timers and jobs, open subscriptions), and how long so far. */
  open: number;
  openP50: number | null;
  openMax: number | null;
}

/**
 * What the waits query needs of the versions' definitions: the intermediate timer events (their
 * jobs), the message and signal catches and receive tasks with the flows that lead into each (an
 * event-based gateway's own incoming flows for the events after it: they are entered with it),
 * and every element's name and type.
 */
function waitingElements(definitions: ProcessDefinition[]) {
  const names = new Map<string, { name: LocalizedText | null; type: string }>();
  const timers = new Set<string>();
  const incoming = new Map<string, Set<string>>();
  for (const definition of definitions) {
    const { elements, flows } = flatten(definition);
    const byId = new Map<string, Element>(elements.map((e) => [e.id, e]));
    const into = (id: string) => flows.filter((f) => f.target === id);
    for (const e of elements) {
      names.set(e.id, { name: e.name ?? null, type: e.type });
      if (e.type === 'intermediateCatchEvent' && e.event.kind === 'timer') timers.add(e.id);
      const waitsForMessage =
        (e.type === 'intermediateCatchEvent' && (e.event.kind === 'message' || e.event.kind === 'signal')) ||
        e.type === 'receiveTask';
      if (!waitsForMessage) continue;
      const ids = incoming.get(e.id) ?? new Set<string>();
      for (const f of into(e.id)) {
        const source = byId.get(f.source);
        if (source?.type === 'eventBasedGateway') for (const g of into(source.id)) ids.add(g.id);
        else ids.add(f.id);
      }
      incoming.set(e.id, ids);
    }
  }
  return {
    names,
    timers: [...timers],
    incoming: Object.fromEntries([...incoming].map(([id, flows]) => [id, [...flows]])),
  };
}

type VersionRow = {
  id: string;
  version: number;
  name: LocalizedText;
  category: string | null;
  definition: ProcessDefinition;
};

/** The versions of `key` the scope lets through, newest first; NOT_FOUND (naming the key) when none. */
async function versionsOf(db: Executor, actor: Actor, scope: InstanceScope, key: string): Promise<VersionRow[]> {
  const rows = await db
    .select({
      id: processDefinitions.id,
      version: processDefinitions.version,
      name: processDefinitions.name,
      category: processDefinitions.category,
      definition: processDefinitions.definition,
    })
    .from(processDefinitions)
    .where(
      and(
        eq(processDefinitions.tenantId, actor.tenantId),
        eq(processDefinitions.key, key),
        scope.all ? undefined : inArray(processDefinitions.category, scope.departments),
      ),
    )
    .orderBy(desc(processDefinitions.version));
  if (rows.length === 0) throw new AppError('NOT_FOUND', translator(actor.locale)('analyticsUnknownProcess', { key }));
  return rows;
}

/** The waits of the newest ELEMENT_SAMPLE instances of these versions in the range, per element (the longest median first). */
async function elementWaits(
  db: Executor,
  tenantId: string,
  definitionIds: string[],
  range: DayRange,
  definitions: ProcessDefinition[],
) {
  const { names, timers, incoming } = waitingElements(definitions);
  const messageIds = Object.keys(incoming);
  const list = (ids: string[]) =>
    sql.join(
      ids.map((id) => sql`${id}`),
      sql`, `,
    );
  const parts: SQL[] = [
    sql`select t.element_id, 'task' as kind, extract(epoch from (coalesce(t.completed_at, now()) - t.created_at))::float8 as seconds, t.status = 'open' as open
      from ${tasks} t join sample s on s.id = t.instance_id
      where t.tenant_id = ${tenantId} and t.status in ('open', 'completed')`,
    // Service jobs wherever they are; timer jobs only of intermediate timer events (a boundary timer's is a deadline, not a wait).
    sql`select j.element_id, case when j.kind = 'timer' then 'timer' else 'job' end, extract(epoch from (coalesce(j.completed_at, now()) - j.created_at))::float8, j.status in ('pending', 'running')
      from jobs j join sample s on s.id = j.instance_id
      where j.tenant_id = ${tenantId} and j.status in ('pending', 'running', 'done')
        and (j.kind = 'service'${timers.length > 0 ? sql` or (j.kind = 'timer' and j.element_id in (${list(timers)}))` : sql``})`,
  ];
  if (messageIds.length > 0) {
    parts.push(
      sql`select c.element_id, 'message', extract(epoch from (c.at - entered.at))::float8, false
        from sample s
        join audit_events c on c.tenant_id = ${tenantId} and c.instance_id = s.id and c.type = 'element.completed' and c.element_id in (${list(messageIds)})
        cross join lateral (
          select p.at from audit_events p
          where p.tenant_id = ${tenantId} and p.instance_id = s.id and p.id < c.id and p.type = 'element.completed'
            and p.data->>'flowId' in (select jsonb_array_elements_text(${JSON.stringify(incoming)}::jsonb -> c.element_id))
          order by p.id desc limit 1) entered`,
      sql`select sb.element_id, 'message', extract(epoch from (now() - sb.created_at))::float8, true
        from subscriptions sb join sample s on s.id = sb.instance_id
        where sb.tenant_id = ${tenantId} and sb.element_id in (${list(messageIds)})`,
    );
  }
  const result = await db.execute(sql`
    with sample as (
      select ${processInstances.id} as id from ${processInstances}
      where ${processInstances.tenantId} = ${tenantId} and ${processInstances.definitionId} in (${list(definitionIds)}) and ${startedWithin(range)}
      order by ${processInstances.startedAt} desc, ${processInstances.id} desc
      limit ${ELEMENT_SAMPLE}
    ),
    waits (element_id, kind, seconds, open) as (${sql.join(parts, sql` union all `)})
    select element_id, kind,
      (count(*) filter (where not open))::int as count,
      (percentile_cont(0.5) within group (order by seconds) filter (where not open))::float8 as p50,
      (percentile_cont(0.9) within group (order by seconds) filter (where not open))::float8 as p90,
      (avg(seconds) filter (where not open))::float8 as mean,
      (count(*) filter (where open))::int as open,
      (percentile_cont(0.5) within group (order by seconds) filter (where open))::float8 as open_p50,
      (max(seconds) filter (where open))::float8 as open_max
    from waits
    group by element_id, kind
    order by coalesce(percentile_cont(0.5) within group (order by seconds) filter (where not open), 0) desc, element_id, kind
    limit ${MAX_ELEMENT_ROWS}`);
  const rows = (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, unknown>[];
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  return rows.map((r): ElementWait => {
    const id = String(r.element_id);
    const known = names.get(id);
    return {
      elementId: id,
      name: known?.name ?? null,
      type: known?.type ?? null,
      kind: r.kind as WaitKind,
      count: Number(r.count),
      p50: num(r.p50),
      p90: num(r.p90),
      mean: num(r.mean),
      open: Number(r.open),
      openP50: num(r.open_p50),
      openMax: num(r.open_max),
    };
  });
}

/** How many instances of these versions the range has (to say when the waits were measured on a sample). */
function sampled(started: number) {
  return { instances: Math.min(started, ELEMENT_SAMPLE), limited: started > ELEMENT_SAMPLE };
}

/**
 * One process (`key`), of one version or of all the caller may see: the versions, the range, the
 * headline counts and cycle times (overall and per version), the waits per element, and the
 * definition whose diagram shows them (the version asked for, else the newest). NOT_FOUND for a key
 * or version outside the caller's scope; BAD_REQUEST naming the field for input it cannot take.
 */
export async function processAnalytics(db: Executor, actor: Actor, input: ProcessAnalyticsInput, now = new Date()) {
  const scope = requireInstanceScope(actor);
  const { key, version, ...rangeInput } = readInput(actor, processAnalyticsSchema, input);
  const range = resolveRange(actor, rangeInput, now);
  return analyticsCache.get(cacheKey(actor, scope, 'process', { key, version, range }), async () => {
    const versions = await versionsOf(db, actor, scope, key);
    const chosen = version === undefined ? versions : versions.filter((v) => v.version === version);
    if (chosen.length === 0)
      throw new AppError('NOT_FOUND', translator(actor.locale)('analyticsUnknownVersion', { key, version: version! }));
    const ids = chosen.map((v) => v.id);
    const grouped = await db
      .select({
        definitionId: processInstances.definitionId,
        total: sql<number>`grouping(${processInstances.definitionId})::int`,
        ...countColumns,
      })
      .from(processInstances)
      .where(
        and(
          eq(processInstances.tenantId, actor.tenantId),
          inArray(processInstances.definitionId, ids),
          startedWithin(range),
        ),
      )
      .groupBy(sql`grouping sets ((${processInstances.definitionId}), ())`);
    const total = counts(grouped.find((r) => Number(r.total) === 1));
    const byVersion = chosen.map((v) => ({
      version: v.version,
      ...counts(grouped.find((r) => Number(r.total) === 0 && r.definitionId === v.id)),
    }));
    const elements =
      total.started > 0
        ? await elementWaits(
            db,
            actor.tenantId,
            ids,
            range,
            [...chosen].reverse().map((v) => v.definition),
          )
        : [];
    const shown = chosen[0]!;
    return {
      process: { key, name: versions[0]!.name, category: versions[0]!.category, latestVersion: versions[0]!.version },
      version: version ?? null,
      versions: versions.map((v) => v.version),
      range,
      counts: total,
      byVersion,
      elements,
      sample: sampled(total.started),
      diagram: { version: shown.version, definition: shown.definition },
      computedAt: new Date(now).toISOString(),
    };
  });
}

export type ProcessAnalytics = Awaited<ReturnType<typeof processAnalytics>>;

/**
 * Per process the caller may see (its newest version's name; every version it may see counted),
 * the headline counts of the instances started in the range, the most started first (at most
 * MAX_OVERVIEW_PROCESSES). Processes without instances in the range are listed with zeros. For a
 * department manager, also which departments those are.
 */
export async function analyticsOverview(db: Executor, actor: Actor, input: RangeInput = {}, now = new Date()) {
  const scope = requireInstanceScope(actor);
  const range = resolveRange(actor, readInput(actor, rangeSchema, input), now);
  return analyticsCache.get(cacheKey(actor, scope, 'overview', range), async () => {
    const inScope = and(
      eq(processDefinitions.tenantId, actor.tenantId),
      scope.all ? undefined : inArray(processDefinitions.category, scope.departments),
    );
    const [versions, grouped, managed] = await Promise.all([
      db
        .select({
          key: processDefinitions.key,
          version: processDefinitions.version,
          name: processDefinitions.name,
          category: processDefinitions.category,
        })
        .from(processDefinitions)
        .where(inScope)
        .orderBy(processDefinitions.key, desc(processDefinitions.version)),
      db
        .select({ key: processDefinitions.key, ...countColumns })
        .from(processInstances)
        .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
        .where(and(eq(processInstances.tenantId, actor.tenantId), startedWithin(range), inScope))
        .groupBy(processDefinitions.key),
      scope.all ? new Map<string, LocalizedText>() : departmentNames(db, actor.tenantId, scope.departments),
    ]);
    const latest = new Map<string, (typeof versions)[number]>();
    for (const v of versions) if (!latest.has(v.key)) latest.set(v.key, v);
    const byKey = new Map(grouped.map((r) => [r.key, counts(r)]));
    const processes = [...latest.values()]
      .map((v) => ({
        key: v.key,
        name: v.name,
        category: v.category,
        latestVersion: v.version,
        ...(byKey.get(v.key) ?? counts(undefined)),
      }))
      .sort((a, b) => b.started - a.started || a.key.localeCompare(b.key))
      .slice(0, MAX_OVERVIEW_PROCESSES);
    // For a manager: the departments whose processes these are, by name (the key when the company has no such department).
    const departments = scope.all ? [] : scope.departments.map((key) => ({ key, name: managed.get(key) ?? key }));
    return { range, processes, departments, computedAt: new Date(now).toISOString() };
  });
}

export type AnalyticsOverview = Awaited<ReturnType<typeof analyticsOverview>>;

/**
 * Open tasks past their due date (before today in the company's calendar) per department they are
 * offered to, of the instances the caller may see; a task offered to several departments counts in
 * each, one offered to none (assigned or offered to people by name) under `department: null`.
 * Each with the department's name and the oldest due date; the most overdue first.
 */
export async function overdueByDepartment(db: Executor, actor: Actor, now = new Date()) {
  const scope = requireInstanceScope(actor);
  const today = todayIn(now);
  return analyticsCache.get(cacheKey(actor, scope, 'overdue', today), async () => {
    const department = sql<string | null>`d.key`;
    const rows = await db
      .select({ department, overdue: sql<number>`count(*)::int`, oldestDue: sql<string>`min(${tasks.dueDate})::text` })
      .from(tasks)
      .innerJoin(
        sql`lateral unnest(case when cardinality(${tasks.candidateGroups}) = 0 then array[null]::text[] else ${tasks.candidateGroups} end) as d(key)`,
        sql`true`,
      )
      .where(
        and(
          eq(tasks.tenantId, actor.tenantId),
          // tasks_overdue_idx: its predicate, then the range of due dates.
          sql`${tasks.status} = 'open' and ${tasks.dueDate} is not null and ${tasks.dueDate} < ${today}::date`,
          scope.all
            ? undefined
            : sql`exists (select 1 from ${processInstances} join ${processDefinitions} on ${processDefinitions.id} = ${processInstances.definitionId}
                where ${processInstances.id} = ${tasks.instanceId} and ${processInstances.tenantId} = ${actor.tenantId}
                  and ${processDefinitions.category} in (${sql.join(
                    scope.departments.map((d) => sql`${d}`),
                    sql`, `,
                  )}))`,
        ),
      )
      .groupBy(department)
      .orderBy(sql`count(*) desc`, department)
      .limit(MAX_DEPARTMENT_ROWS);
    const names = await departmentNames(
      db,
      actor.tenantId,
      rows.flatMap((r) => (r.department ? [r.department] : [])),
    );
    return {
      today,
      departments: rows.map((r) => ({
        department: r.department,
        name: r.department ? (names.get(r.department) ?? null) : null,
        overdue: Number(r.overdue),
        oldestDue: r.oldestDue,
      })),
      computedAt: new Date(now).toISOString(),
    };
  });
}

export type OverdueByDepartment = Awaited<ReturnType<typeof overdueByDepartment>>;

/**
 * The period and version of an address's query (the pages' GET forms): each value kept only when
 * the schema takes it (a page ignores the rest, as the instances list does); an empty field is unset.
 */
export function analyticsQuery(get: (name: string) => string | undefined): {
  version?: number;
  startedFrom?: string;
  startedTo?: string;
} {
  const out: { version?: number; startedFrom?: string; startedTo?: string } = {};
  const version = get('version')?.trim();
  if (version && /^\d{1,7}$/.test(version) && processAnalyticsSchema.shape.version.safeParse(Number(version)).success)
    out.version = Number(version);
  for (const name of ['startedFrom', 'startedTo'] as const) {
    const value = get(name)?.trim();
    if (value && isoDate.safeParse(value).success) out[name] = value;
  }
  return out;
}
