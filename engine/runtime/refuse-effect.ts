/**
 * The host's side of an incident: a step asked for something the host cannot carry out (a task
 * for people who are not in the company), so the instance stops there with an incident, exactly
 * as the engine stops it when it finds the problem itself (a user task that names nobody). Pure:
 * it rewrites a step's result before the host persists it; it never runs a step.
 *
 * Retrying the incident (runtime/retry.ts) enters the element again, so the host is asked for
 * the task again — after an admin fixed the variable, or added the person to the company.
 */
import type { Effect, Incident, InstanceState, StepResult } from './types';

/**
 * `result` with `effect` (one of its effects) replaced by `raiseIncident`, and the instance (and
 * the run of a scoped subprocess the effect belongs to, with the runs around it) stopped by
 * `incident`. An instance already stopped in this step keeps its first incident, as in the engine.
 */
export function refuseEffect(result: StepResult, effect: Effect, incident: Incident): StepResult {
  const index = result.effects.indexOf(effect);
  if (index === -1) throw new Error(`refuseEffect: the ${effect.type} effect is not one of this step's effects.`);
  const raised: Effect = { type: 'raiseIncident', incident, ...(effect.scope ? { scope: effect.scope } : {}) };
  const effects = [...result.effects.slice(0, index), raised, ...result.effects.slice(index + 1)];
  return { state: stopped(result.state, effect.scope ? effect.scope.split('/') : [], incident), effects };
}

function stopped(state: InstanceState, path: string[], incident: Incident): InstanceState {
  const [head, ...rest] = path;
  const scopes =
    head === undefined ? state.scopes : { ...state.scopes, [head]: stopped(runOf(state, head), rest, incident) };
  if (state.status === 'incident') return { ...state, ...(scopes ? { scopes } : {}) };
  const active =
    head !== undefined || state.active.includes(incident.elementId)
      ? state.active
      : [...state.active, incident.elementId];
  return { ...state, ...(scopes ? { scopes } : {}), status: 'incident', active, incident };
}

function runOf(state: InstanceState, key: string): InstanceState {
  const run = state.scopes?.[key];
  if (!run) throw new Error(`refuseEffect: the effect belongs to run "${key}", which this instance does not have.`);
  return run;
}
