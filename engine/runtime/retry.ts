/**
 * Retrying an incident, purely: someone fixed what stopped the instance (its variables, a group,
 * the system a job calls) and sends `incident.retried` naming the incident's element; the engine
 * tries that element again and returns the new state and effects, as for any event.
 *
 * - A token stuck in a decision (exclusive or inclusive gateway, business rule task) is decided
 *   again with the variables as they are now.
 * - A waiting element whose start failed (a timer with an unreadable due date, a user task with
 *   nobody to work it, an unreadable multi-instance collection) or whose work ended in a business
 *   error nobody caught is entered again (compile.ts gives every element state a self-transition
 *   for it): its exit and entry actions run, so the host is asked for a new job, task or timer.
 *   Its boundary timers start again from now.
 * - If it fails again, the instance stays in an incident with the new reason and a fresh
 *   `raiseIncident` effect: retrying never hides a failure.
 * - An incident on a path that has moved on (the straight-through path of a non-interrupting
 *   boundary event) has no token left to retry: refused; the host can only end the instance.
 */
import { EngineError } from './errors';
import { restore, settle } from './machine-step';
import { pureTransition } from './pure';
import { sendToScope, withScopes, type InstanceSteps } from './scopes';
import type { CompiledProcess } from '../compile/compile';
import type { EngineEvent, InstanceState, StepOptions, StepResult } from './types';

type Retry = Extract<EngineEvent, { type: 'incident.retried' }>;

export function retryIncident(
  process: CompiledProcess,
  state: InstanceState,
  event: Retry,
  options: StepOptions,
  steps: InstanceSteps,
): StepResult {
  const incident = state.incident;
  if (state.status !== 'incident' || !incident) {
    throw new EngineError(
      'EVENT_NOT_ACCEPTED',
      `Instance of "${state.definition.key}" is ${state.status}, not stopped by an incident; there is nothing to retry.`,
    );
  }
  if (incident.elementId !== event.elementId) {
    throw new EngineError(
      'EVENT_NOT_ACCEPTED',
      `The incident of this instance is at "${incident.elementId}", not at "${event.elementId}"; it changed since it was read. Reload and retry.`,
    );
  }
  const { incident: _, ...rest } = state;
  const resumed: InstanceState = { ...rest, status: 'active' };

  // Stuck inside a run of a scoped subprocess: retried there (the run reports back as usual).
  const run = Object.entries(state.scopes ?? {}).find(
    ([, s]) => s.status === 'incident' && s.incident?.elementId === incident.elementId,
  );
  if (run) return stillStopped(sendToScope(process, resumed, { ...event, scope: run[0] }, options, steps));

  const target = retryTarget(process, incident.elementId);
  const at = process.paths.get(target);
  const positions = state.positions ?? state.active;
  const resting = at !== undefined && positions.some((p) => startsWith(process.paths.get(p) ?? [], at));
  if (!resting) {
    throw new EngineError(
      'EVENT_NOT_ACCEPTED',
      `The incident at "${incident.elementId}" happened on a path that has moved on (no token rests there), so it cannot be retried; end the instance instead.`,
    );
  }
  const snapshot = restore(
    process,
    { ...resumed, variables: { ...state.variables, ...(event.variables ?? {}) } },
    options,
  );
  // Sent without the variables: they are in the context already, and no element should take them as its result.
  const retried: EngineEvent = { type: 'incident.retried', elementId: target };
  const [next, actions] = pureTransition(process.machine, snapshot, retried);
  const own = settle(process, next, actions);
  return stillStopped(withScopes(process, own, state.scopes ?? {}, options, steps));
}

/** A boundary event starts and stops with its activity: retrying it means entering the activity again. */
function retryTarget(process: CompiledProcess, elementId: string): string {
  const element = process.elements.get(elementId);
  return element?.type === 'boundaryEvent' ? element.attachedTo : elementId;
}

function startsWith(path: string[], prefix: string[]): boolean {
  return prefix.length <= path.length && prefix.every((key, i) => path[i] === key);
}

/** Another run still stuck keeps the instance in its incident. */
function stillStopped(result: StepResult): StepResult {
  if (result.state.status !== 'active') return result;
  const stuck = Object.values(result.state.scopes ?? {}).find((s) => s.status === 'incident');
  return stuck ? { ...result, state: { ...result.state, status: 'incident', incident: stuck.incident! } } : result;
}
