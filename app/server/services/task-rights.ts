/**
 * Who is a candidate of a task, as pure rules over the task row and the actor (the whole rule,
 * with delegations and the four-eyes rule, is tasks.ts's). Imports no service: the commands
 * (tasks.ts) and the readers (instances.ts, inbox.ts) share it without importing each other.
 */
import type { Task } from '@/db/schema';
import { groupKeys, type Actor } from '../actor';

export type Candidates = Pick<Task, 'candidateGroups' | 'candidateRole' | 'candidateUserIds'>;

/** The actor is a candidate of the task — of its departments, or one of its named people — whoever it is assigned to. */
export function isCandidate(actor: Actor, task: Candidates): boolean {
  if (task.candidateUserIds.includes(actor.userId)) return true;
  const mine = new Set(groupKeys(actor, task.candidateRole));
  return task.candidateGroups.some((g) => mine.has(g));
}

/** Whether the task has candidates at all (departments or named people): someone could take it back. */
export function hasCandidates(task: Candidates): boolean {
  return task.candidateGroups.length > 0 || task.candidateUserIds.length > 0;
}

/** Assignee, or candidate of an unassigned task (delegation and the four-eyes rule aside: see tasks.ts rightToWork). */
export function mayWork(actor: Actor, task: Pick<Task, 'assigneeId'> & Candidates): boolean {
  if (task.assigneeId) return task.assigneeId === actor.userId;
  return isCandidate(actor, task);
}
