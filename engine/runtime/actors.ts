/**
 * Who did what in an instance, for four-eyes rules (maker-checker). The engine records the
 * initiator (given at start) and everyone who completed each user task (given with
 * `task.completed`: the actor and, under a delegation, the person on whose behalf), keeps them
 * in the instance state, and puts the users a task's `separationOfDuties` excludes on its
 * `createTask` effect. The host enforces it (inbox, completion). Pure: ids are opaque strings.
 */
import type { CompiledProcess } from '../compile/compile';
import type { UserTask } from '../model/definition';
import type { EngineEvent, InstanceActors, InstanceState, StepResult } from './types';

type Rule = NonNullable<UserTask['separationOfDuties']>;

const rulesOf = new WeakMap<CompiledProcess, ReadonlyMap<string, Rule>>();

function rules(process: CompiledProcess): ReadonlyMap<string, Rule> {
  let found = rulesOf.get(process);
  if (!found) {
    const map = new Map<string, Rule>();
    for (const e of process.elements.values())
      if (e.type === 'userTask' && e.separationOfDuties) map.set(e.id, e.separationOfDuties);
    rulesOf.set(process, (found = map));
  }
  return found;
}

/** The actors after `event` (a completion adds its people to the task's list). */
export function actorsAfter(actors: InstanceActors | undefined, event: EngineEvent | null): InstanceActors | undefined {
  if (event?.type !== 'task.completed') return actors;
  const people = [event.actorId, event.onBehalfOf].filter(
    (id): id is string => typeof id === 'string' && id.length > 0,
  );
  if (people.length === 0) return actors;
  const completed = { ...(actors?.completed ?? {}) };
  const before = completed[event.elementId] ?? [];
  completed[event.elementId] = [...before, ...people.filter((p) => !before.includes(p))];
  return { ...actors, completed };
}

/** The users `rule` excludes, given what the instance knows now. */
function excludedBy(rule: Rule, actors: InstanceActors | undefined): string[] {
  const out = new Set<string>();
  if (rule.notInitiator && actors?.initiator) out.add(actors.initiator);
  for (const elementId of rule.notCompletedBy ?? []) for (const id of actors?.completed?.[elementId] ?? []) out.add(id);
  return [...out];
}

/**
 * Why `userId` may not work user task `elementId`: the initiator, and/or the user tasks they
 * completed that the task's rule names. Empty when the rule does not exclude them.
 */
export function exclusionReasons(
  process: CompiledProcess,
  state: InstanceState,
  elementId: string,
  userId: string,
): ({ rule: 'initiator' } | { rule: 'completed'; elementId: string })[] {
  const rule = rules(process).get(elementId);
  if (!rule) return [];
  const actors = state.actors;
  const reasons: ({ rule: 'initiator' } | { rule: 'completed'; elementId: string })[] = [];
  if (rule.notInitiator && actors?.initiator === userId) reasons.push({ rule: 'initiator' });
  for (const id of rule.notCompletedBy ?? [])
    if (actors?.completed?.[id]?.includes(userId)) reasons.push({ rule: 'completed', elementId: id });
  return reasons;
}

/**
 * The user tasks of `state` (its main flow and scoped runs) waiting now whose rule excludes whoever
 * completes `elementId`: their open tasks were created before that completion, so the host must
 * add the completer to the users they exclude.
 */
export function waitingExcludersOf(process: CompiledProcess, state: InstanceState, elementId: string): string[] {
  const naming = [...rules(process)].filter(([, rule]) => rule.notCompletedBy?.includes(elementId)).map(([id]) => id);
  if (naming.length === 0) return [];
  const waiting = new Set<string>();
  const visit = (s: InstanceState) => {
    for (const id of s.active) waiting.add(id);
    for (const run of Object.values(s.scopes ?? {})) visit(run);
  };
  visit(state);
  return naming.filter((id) => waiting.has(id));
}

/**
 * Carries the actors into a step's result (the state is rebuilt by every step) and puts each new
 * task's excluded users on its effect.
 */
export function withActors(
  process: CompiledProcess,
  actors: InstanceActors | undefined,
  result: StepResult,
): StepResult {
  const table = rules(process);
  const effects =
    table.size === 0
      ? result.effects
      : result.effects.map((e) => {
          const rule = e.type === 'createTask' ? table.get(e.elementId) : undefined;
          return rule ? { ...e, excludedUsers: excludedBy(rule, actors) } : e;
        });
  const state =
    actors && (actors.initiator !== undefined || actors.completed !== undefined)
      ? { ...result.state, actors }
      : result.state;
  return state === result.state && effects === result.effects ? result : { state, effects };
}
