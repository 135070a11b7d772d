/**
 * The pure step: (compiled process, persisted state, event) → new state + effects.
 * Uses XState's `initialTransition` / `transition`, which execute nothing; the named actions
 * they return become effects for the host. No I/O, no clock, no randomness.
 */
import { initialTransition, transition, type AnyMachineSnapshot } from 'xstate';
import { WAIT_STATE_TYPES, type CompiledProcess } from '../compile/compile';
import { decide } from '../compile/decide';
import { buildGraph } from '../model/graph';
import { EngineError } from './errors';
import { STATE_FORMAT_VERSION, type Effect, type EngineEvent, type Incident, type InstanceState, type StepResult, type Variables } from './types';

const EFFECT_TYPES = new Set(['createTask', 'completeInstance', 'audit']);

/** Starts an instance with the given initial variables (e.g. the start form's data). */
export function start(process: CompiledProcess, variables: Variables): StepResult {
  const [snapshot, actions] = initialTransition(process.machine, { variables: structuredClone(variables) });
  return settle(process, snapshot, actions);
}

/** Applies one event to a persisted instance. */
export function send(process: CompiledProcess, state: InstanceState, event: EngineEvent): StepResult {
  const snapshot = restore(process, state);
  if (state.status !== 'active') {
    throw new EngineError('INSTANCE_NOT_ACTIVE', `Instance of "${state.definition.key}" is ${state.status}; it accepts no events.`);
  }
  if (!state.active.includes(event.elementId)) {
    throw new EngineError('ELEMENT_NOT_ACTIVE', `Element "${event.elementId}" is not waiting in this instance (waiting: ${state.active.join(', ') || 'nothing'}).`);
  }
  const [next, actions] = transition(process.machine, snapshot, { ...event, variables: structuredClone(event.variables) });
  return settle(process, next, actions);
}

/** Rebuilds the XState snapshot from persisted state, refusing state of another definition version. */
export function restore(process: CompiledProcess, state: InstanceState): AnyMachineSnapshot {
  const { key, version } = process.definition;
  if (state.formatVersion !== STATE_FORMAT_VERSION) {
    throw new EngineError('INVALID_STATE', `Instance state has format version ${String(state.formatVersion)}; this engine reads version ${STATE_FORMAT_VERSION}.`);
  }
  if (state.definition.key !== key || state.definition.version !== version) {
    throw new EngineError(
      'DEFINITION_MISMATCH',
      `Instance state belongs to "${state.definition.key}" version ${state.definition.version}, not "${key}" version ${version}; load the definition version the instance was started on.`,
    );
  }
  for (const id of state.active) {
    if (!process.elements.has(id)) throw new EngineError('INVALID_STATE', `Instance state waits at "${id}", which "${key}" version ${version} does not have.`);
  }
  const value = state.status === 'completed' ? (state.active[0] ?? lastEnd(process)) : state.active[0];
  return process.machine.resolveState({ value: value ?? '', context: { variables: state.variables } });
}

function lastEnd(process: CompiledProcess): string | undefined {
  return process.definition.elements.find((e) => e.type === 'endEvent')?.id;
}

function settle(process: CompiledProcess, snapshot: AnyMachineSnapshot, actions: { type: string; params?: unknown }[]): StepResult {
  const effects: Effect[] = actions
    .filter((a) => EFFECT_TYPES.has(a.type))
    .map((a) => ({ type: a.type, ...(a.params as object) }) as Effect);
  const position = typeof snapshot.value === 'string' ? snapshot.value : String(Object.keys(snapshot.value)[0]);
  const variables = (snapshot.context as { variables: Variables }).variables;
  const base = { formatVersion: STATE_FORMAT_VERSION, definition: { key: process.definition.key, version: process.definition.version }, variables } as const;

  if (snapshot.status === 'done') {
    const end = effects.find((e) => e.type === 'completeInstance');
    const outcome = end?.type === 'completeInstance' ? end.outcome : null;
    return { state: { ...base, status: 'completed', active: [], ...(outcome ? { outcome } : {}) }, effects };
  }
  const element = process.elements.get(position);
  if (element && WAIT_STATE_TYPES.has(element.type)) {
    return { state: { ...base, status: 'active', active: [position] }, effects };
  }
  // Resting anywhere else means no transition could leave the element: say why.
  const incident = diagnose(process, position, variables);
  effects.push({ type: 'raiseIncident', incident });
  return { state: { ...base, status: 'incident', active: [position], incident }, effects };
}

function diagnose(process: CompiledProcess, elementId: string, variables: Variables): Incident {
  const element = process.elements.get(elementId);
  if (element?.type === 'exclusiveGateway') {
    const flows = buildGraph(process.definition).outgoing.get(elementId) ?? [];
    const decision = decide(element, flows, variables);
    if (decision.kind === 'incident') return decision.incident;
  }
  return { elementId, code: 'NO_FLOW_TAKEN', message: `The instance cannot leave "${elementId}".` };
}
