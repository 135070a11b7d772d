/**
 * The people a user task names — its assignee and candidate users, given as e-mail addresses
 * (any case) or user ids, literally or by a FEEL expression the engine has evaluated — resolved to
 * members of the company when the task is created, between the engine's step and its writing
 * (the plan, host/plan.ts, takes only resolved tasks).
 *
 * Only members of the step's company who may work tasks (no auditors) are ever matched: an
 * address of someone in another company is, here, nobody. A task whose assignee matches nobody,
 * or whose candidate users all match nobody, is never created for no one: the instance stops with
 * a NO_CANDIDATES incident naming the element and the values (the engine's refuseEffect), which
 * an admin retries once the variable is fixed or the person has joined. Candidate users of whom
 * only some match: the task goes to those, and its audit row names the others.
 */
import { and, eq, inArray, ne, or, sql } from 'drizzle-orm';
import { refuseEffect, type Effect, type Incident, type InstanceState, type StepResult } from '@/engine';
import type { Executor } from '@/db/client';
import { memberships, users } from '@/db/schema';
import { isUuid } from '../errors';

export type CreateTask = Extract<Effect, { type: 'createTask' }>;

/** Whom a created task is for, as rows hold them. */
export interface TaskPeople {
  assigneeId: string | null;
  candidateUserIds: string[];
  /** Candidate users named that matched nobody (the others did): for the audit row. */
  unmatched: string[];
}

/** An effect as the writers take it: a task naming people carries them resolved. */
export type StaffedEffect = Effect & { people?: TaskPeople };

export interface StaffedStep {
  state: InstanceState;
  effects: StaffedEffect[];
}

/** Longest name looked up (an e-mail address is at most 254 characters). */
const MAX_NAME = 320;

/** Whether the task names people (and so must be resolved before it is written). */
export function namesPeople(e: CreateTask): boolean {
  return e.assignee !== null || e.candidateUsers.length > 0;
}

/** The resolved people of a task to write; a task naming people that was not resolved is a bug, not a task for nobody. */
export function peopleOf(e: StaffedEffect & CreateTask): TaskPeople {
  if (e.people) return e.people;
  if (namesPeople(e))
    throw new Error(
      `Task "${e.elementId}" names people who were not resolved to members; every engine step must go through resolvePeople before it is written.`,
    );
  return { assigneeId: null, candidateUserIds: [], unmatched: [] };
}

/**
 * Resolves the people of every task the step creates (one query, and none when no task names
 * anybody), stopping the instance with an incident where nobody matches.
 */
export async function resolvePeople(db: Executor, tenantId: string, result: StepResult): Promise<StaffedStep> {
  const named = result.effects.filter((e): e is CreateTask => e.type === 'createTask' && namesPeople(e));
  if (named.length === 0) return result;
  const members = await membersNamed(
    db,
    tenantId,
    named.flatMap((e) => [...(e.assignee === null ? [] : [e.assignee]), ...e.candidateUsers]),
  );
  const find = (name: string) => members.get(name.trim().toLowerCase());

  const resolved = new Map<Effect, TaskPeople>();
  const refused: { effect: CreateTask; incident: Incident }[] = [];
  for (const e of named) {
    const assigneeId = e.assignee === null ? null : (find(e.assignee) ?? null);
    const candidates = e.candidateUsers.map((name) => ({ name, id: find(name) }));
    const candidateUserIds = [...new Set(candidates.flatMap((c) => (c.id ? [c.id] : [])))];
    const unmatched = candidates.filter((c) => !c.id).map((c) => c.name);
    const lostAssignee = e.assignee !== null && assigneeId === null;
    const lostCandidates = e.candidateUsers.length > 0 && candidateUserIds.length === 0;
    const problems = [
      ...(lostAssignee ? [`its assignee ${quote(e.assignee!)}`] : []),
      ...(lostCandidates
        ? [`its candidate ${e.candidateUsers.length > 1 ? 'users' : 'user'} ${e.candidateUsers.map(quote).join(', ')}`]
        : []),
    ];
    if (problems.length > 0 && survives(result, e)) {
      const plural = problems.length > 1 || (lostCandidates && e.candidateUsers.length > 1);
      const message =
        `User task "${e.elementId}" cannot be given to anyone: ${problems.join(' and ')} ${plural ? 'are' : 'is'} not the e-mail address of a member ` +
        'of this company who may work tasks. Correct what names them (or add the person to the company), then retry the incident.';
      refused.push({ effect: e, incident: { elementId: e.elementId, code: 'NO_CANDIDATES', message } });
    } else {
      resolved.set(e, { assigneeId, candidateUserIds, unmatched });
    }
  }
  let stepped: StepResult = result;
  for (const { effect, incident } of refused) stepped = refuseEffect(stepped, effect, incident);
  return {
    state: stepped.state,
    effects: stepped.effects.map((e) => (resolved.has(e) ? { ...e, people: resolved.get(e)! } : e)),
  };
}

/** Members of the company (not auditors) named by e-mail address (any case) or user id, by lower-cased name. */
export async function membersNamed(db: Executor, tenantId: string, names: string[]): Promise<Map<string, string>> {
  const wanted = [
    ...new Set(names.map((n) => n.trim().toLowerCase()).filter((n) => n.length > 0 && n.length <= MAX_NAME)),
  ];
  const ids = wanted.filter(isUuid);
  const emails = wanted.filter((n) => !isUuid(n));
  if (wanted.length === 0) return new Map();
  const rows = await db
    .select({ id: users.id, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.tenantId, tenantId),
        ne(memberships.role, 'auditor'),
        or(
          ...(emails.length > 0 ? [inArray(sql`lower(${users.email})`, emails)] : []),
          ...(ids.length > 0 ? [inArray(users.id, ids)] : []),
        ),
      ),
    );
  const out = new Map<string, string>();
  for (const row of rows) {
    out.set(row.email.toLowerCase(), row.id);
    out.set(row.id.toLowerCase(), row.id);
  }
  return out;
}

/** Whether the task outlives the step: not cancelled later in it (its element left, its run or the instance ended). */
function survives(result: StepResult, task: CreateTask): boolean {
  if (result.state.status === 'completed') return false;
  const after = result.effects.slice(result.effects.indexOf(task) + 1);
  return !after.some(
    (e) =>
      (e.type === 'cancelTask' &&
        e.elementId === task.elementId &&
        e.scope === task.scope &&
        (e.loopIndex === undefined || e.loopIndex === task.loop?.index)) ||
      (e.type === 'cancelScope' &&
        task.scope !== undefined &&
        e.scope !== undefined &&
        (task.scope === e.scope || task.scope.startsWith(`${e.scope}/`))) ||
      e.type === 'completeInstance',
  );
}

function quote(name: string): string {
  return JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
}

/** What a `task.created` audit row says of the task (both writers write the same). */
export function taskCreatedData(e: StaffedEffect & CreateTask): Record<string, unknown> {
  const people = peopleOf(e);
  return {
    candidateGroups: e.candidateGroups,
    candidateRole: e.candidateRole,
    dueDate: e.dueDate,
    ...(e.assignee !== null ? { assignee: e.assignee } : {}),
    ...(e.candidateUsers.length > 0 ? { candidateUsers: e.candidateUsers } : {}),
    ...(people.unmatched.length > 0 ? { unmatchedUsers: people.unmatched } : {}),
    ...(e.excludedUsers?.length ? { excludedUsers: e.excludedUsers } : {}),
  };
}
