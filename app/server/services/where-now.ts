/**
 * Where instances are now, for the lists that show many at once (My requests, /instances and its
 * CSV export): the open tasks — the instance's own and those of the instances it called, which
 * work for it — each with who has it (the assignee, else the departments and people it is offered
 * to) and since when; without an open task, the elements it waits at (a timer, a message, a
 * service call, or the element an incident stopped); once ended, how it ended.
 *
 * A fixed number of queries per page whatever its length (one per level of calls, one for the
 * tasks, one each for the names), all within the caller's company. Reads only: it never decides
 * who may see an instance — the lists that call it have done that.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { LocalizedText } from '@/engine';
import { flatten } from '@/engine/model/scopes';
import type { Executor } from '@/db/client';
import { groups, jobs, memberships, processInstances, tasks, users, type instanceStatuses } from '@/db/schema';
import { definitionById } from './definitions';

export type InstanceStatus = (typeof instanceStatuses)[number];

/** What a list knows of an instance already (its row), from which its whereabouts are read. */
export interface InstancePosition {
  id: string;
  definitionId: string;
  status: InstanceStatus;
  outcome: string | null;
  /** The element ids it waits at (its state's `active`). */
  active: string[] | null;
}

export interface OpenStep {
  taskId: string;
  /** Null when the task has no name of its own: show `elementId`. */
  name: LocalizedText | null;
  elementId: string;
  /** Whoever claimed it or was given it; null while it is only offered. */
  assignee: string | null;
  /** The departments it is offered to, by name (the key when the company has no such department). */
  departments: LocalizedText[];
  /** Offered to the departments' managers only. */
  toManagers: boolean;
  /** The people it is offered to by name. */
  people: string[];
  /** When the task was created: how long it has been waiting. */
  since: Date;
}

export interface Whereabouts {
  tasks: OpenStep[];
  /** Without an open task: where it waits or is stuck, by element. */
  waitingAt: { elementId: string; name: LocalizedText | null }[];
  /** Once completed: the outcome of the end event reached (its key, and the end event's name). */
  outcome: { key: string; name: LocalizedText | null } | null;
}

/** SQL: the instance has an open incident — the engine stopped it, or a job of it used up its retries (incidents.ts). */
export const hasOpenIncident = sql<boolean>`(${processInstances.status} = 'incident' or (${processInstances.status} = 'active' and exists (
  select 1 from ${jobs} where ${jobs.tenantId} = ${processInstances.tenantId} and ${jobs.instanceId} = ${processInstances.id} and ${jobs.status} = 'failed' and ${jobs.kind} <> 'webhook')))`;

/** More levels of calls than any engine limit allows (DEFAULT_LIMITS.maxCallDepth is 10): a guard, not a rule. */
const MAX_CALL_LEVELS = 32;

const running = (status: InstanceStatus) => status === 'active' || status === 'incident';

/** The whereabouts of each instance given, by id. */
export async function whereNow(
  db: Executor,
  tenantId: string,
  instances: readonly InstancePosition[],
): Promise<Map<string, Whereabouts>> {
  const out = new Map<string, Whereabouts>();
  const live = instances.filter((i) => running(i.status));
  const [steps, names] = await Promise.all([
    openSteps(
      db,
      tenantId,
      live.map((i) => i.id),
    ),
    elementNames(db, tenantId, instances),
  ]);
  for (const instance of instances) {
    const named = names.get(instance.definitionId);
    const own = steps.get(instance.id) ?? [];
    const waitingAt =
      running(instance.status) && own.length === 0
        ? [...new Set(instance.active ?? [])].map((elementId) => ({
            elementId,
            name: named?.elements.get(elementId) ?? null,
          }))
        : [];
    const outcome =
      instance.status === 'completed' && instance.outcome
        ? { key: instance.outcome, name: named?.outcomes.get(instance.outcome) ?? null }
        : null;
    out.set(instance.id, { tasks: own, waitingAt, outcome });
  }
  return out;
}

/** The open tasks of each root instance and of the running instances it called (level by level), oldest first. */
async function openSteps(db: Executor, tenantId: string, roots: string[]): Promise<Map<string, OpenStep[]>> {
  const out = new Map<string, OpenStep[]>();
  if (roots.length === 0) return out;
  const rootOf = new Map(roots.map((id) => [id, id]));
  let level = roots;
  for (let depth = 0; depth < MAX_CALL_LEVELS && level.length > 0; depth++) {
    const children = await db
      .select({ id: processInstances.id, parentId: processInstances.parentId })
      .from(processInstances)
      .where(
        and(
          eq(processInstances.tenantId, tenantId),
          inArray(processInstances.parentId, level),
          inArray(processInstances.status, ['active', 'incident']),
        ),
      );
    level = [];
    for (const child of children) {
      if (rootOf.has(child.id)) continue;
      rootOf.set(child.id, rootOf.get(child.parentId!)!);
      level.push(child.id);
    }
  }
  const rows = await db
    .select({
      id: tasks.id,
      instanceId: tasks.instanceId,
      name: tasks.name,
      elementId: tasks.elementId,
      assignee: users.displayName,
      candidateGroups: tasks.candidateGroups,
      candidateUserIds: tasks.candidateUserIds,
      candidateRole: tasks.candidateRole,
      createdAt: tasks.createdAt,
    })
    .from(tasks)
    .leftJoin(users, eq(users.id, tasks.assigneeId))
    .where(
      and(eq(tasks.tenantId, tenantId), inArray(tasks.instanceId, [...rootOf.keys()]), sql`${tasks.status} = 'open'`),
    )
    .orderBy(asc(tasks.createdAt), asc(tasks.id));
  const offered = rows.filter((r) => r.assignee === null);
  const [departments, people] = await Promise.all([
    departmentNames(db, tenantId, [...new Set(offered.flatMap((r) => r.candidateGroups))]),
    peopleNames(db, tenantId, [...new Set(offered.flatMap((r) => r.candidateUserIds))]),
  ]);
  for (const r of rows) {
    const root = rootOf.get(r.instanceId)!;
    const step: OpenStep = {
      taskId: r.id,
      name: r.name,
      elementId: r.elementId,
      assignee: r.assignee,
      departments: r.assignee === null ? r.candidateGroups.map((key) => departments.get(key) ?? key) : [],
      toManagers: r.assignee === null && r.candidateRole === 'manager' && r.candidateGroups.length > 0,
      people: r.assignee === null ? r.candidateUserIds.flatMap((id) => people.get(id) ?? []) : [],
      since: r.createdAt,
    };
    out.set(root, [...(out.get(root) ?? []), step]);
  }
  return out;
}

/** The company's departments' names by key. */
export async function departmentNames(
  db: Executor,
  tenantId: string,
  keys: string[],
): Promise<Map<string, LocalizedText>> {
  if (keys.length === 0) return new Map();
  const rows = await db
    .select({ key: groups.key, name: groups.name })
    .from(groups)
    .where(and(eq(groups.tenantId, tenantId), inArray(groups.key, keys)));
  return new Map(rows.map((r) => [r.key, r.name]));
}

/** Members' names by user id (only the company's members). */
async function peopleNames(db: Executor, tenantId: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: users.id, name: users.displayName })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), inArray(memberships.userId, ids)));
  return new Map(rows.map((r) => [r.id, r.name]));
}

/** Element names, and end events' names by outcome, of each version the instances run (versions are immutable and cached). */
async function elementNames(db: Executor, tenantId: string, instances: readonly InstancePosition[]) {
  const ids = [...new Set(instances.map((i) => i.definitionId))];
  const rows = await Promise.all(ids.map((id) => definitionById(db, tenantId, id)));
  return new Map(
    rows.map((row) => {
      const elements = new Map<string, LocalizedText | null>();
      const outcomes = new Map<string, LocalizedText | null>();
      // Elements inside subprocesses too: a token may rest in one.
      for (const e of flatten(row.definition).elements) {
        elements.set(e.id, e.name ?? null);
        if (e.type === 'endEvent' && e.outcome && !outcomes.has(e.outcome)) outcomes.set(e.outcome, e.name ?? null);
      }
      return [row.id, { elements, outcomes }] as const;
    }),
  );
}
