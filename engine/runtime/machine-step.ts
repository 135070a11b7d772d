/**
 * One step of one machine: the process's own, or a scoped run's. Starts it or applies one event to it, restores it
 * from persisted state and settles what it did into instance state and effects. The command around a step, scoped
 * runs and retries live above it (step.ts, scopes.ts, retry.ts): they build on this module, and it imports none of them.
 */
import type { AnyMachineSnapshot, StateValue } from 'xstate';
import { EFFECT_ACTIONS, isWaitState, type CompiledProcess } from '../compile/compile';
import type { MachineContext } from '../compile/context';
import { decide } from '../compile/decide';
import { decisionResultFor } from '../decisions/result';
import { callDepth, exhaustion } from './budget';
import { EngineError } from './errors';
import { pureInitialTransition, pureTransition } from './pure';
import {
  STATE_FORMAT_VERSION,
  type Effect,
  type EngineEvent,
  type Incident,
  type InstanceState,
  type StepOptions,
  type StepResult,
  type Variables,
} from './types';

const EFFECT_TYPES: ReadonlySet<string> = new Set(EFFECT_ACTIONS);

/** Starts the process's own machine (its scoped runs are handled around it): the initial step from the start event. */
export function startMachine(
  process: CompiledProcess,
  variables: Variables,
  options: StepOptions & { startEvent?: string },
): StepResult {
  if (options.startEvent !== undefined && process.elements.get(options.startEvent)?.type !== 'startEvent') {
    throw new EngineError(
      'INVALID_STATE',
      `"${options.startEvent}" is not a start event of "${process.definition.key}".`,
    );
  }
  const [snapshot, actions] = pureInitialTransition(process.machine, {
    variables: structuredClone(variables),
    now: options.now ?? null,
    startEvent: options.startEvent ?? null,
  });
  return settle(process, snapshot, actions);
}

/** Events addressed to one waiting element. */
const ELEMENT_EVENTS = new Set([
  'task.completed',
  'job.completed',
  'child.completed',
  'error.thrown',
  'escalation.thrown',
]);

/** One event applied to the instance's own machine (its scoped runs are handled around it). */
export function sendMachine(
  process: CompiledProcess,
  state: InstanceState,
  event: EngineEvent,
  options: StepOptions = {},
): StepResult {
  if (state.status !== 'active') {
    throw new EngineError(
      'INSTANCE_NOT_ACTIVE',
      `Instance of "${state.definition.key}" is ${state.status}; it accepts no events.`,
    );
  }
  const snapshot = restore(process, state, options);
  if ('elementId' in event && ELEMENT_EVENTS.has(event.type) && !state.active.includes(event.elementId)) {
    throw new EngineError(
      'ELEMENT_NOT_ACTIVE',
      `Element "${event.elementId}" is not waiting in this instance (waiting: ${state.active.join(', ') || 'nothing'}).`,
    );
  }
  const [next, actions] = pureTransition(process.machine, snapshot, structuredClone(event));
  const effectCount = actions.filter((a) => EFFECT_TYPES.has(a.type)).length;
  if (
    effectCount === 0 &&
    next.context === snapshot.context &&
    JSON.stringify(next.value) === JSON.stringify(snapshot.value)
  ) {
    if (event.type === 'error.thrown') {
      const incident: Incident = {
        elementId: event.elementId,
        code: 'UNHANDLED_ERROR',
        errorCode: event.code,
        message: `Error "${event.code}" thrown at "${event.elementId}" has no boundary event to catch it${event.message ? `: ${event.message}` : ''}.`,
      };
      const positions = leavesOf(snapshot.value);
      return {
        state: {
          ...state,
          status: 'incident',
          incident,
          ...(positions.length !== state.active.length ? { positions } : {}),
        },
        effects: [{ type: 'raiseIncident', incident }],
      };
    }
    throw new EngineError('EVENT_NOT_ACCEPTED', `Nothing in this instance is waiting for ${describe(event)}.`);
  }
  return settle(process, next, actions);
}

function describe(event: EngineEvent): string {
  switch (event.type) {
    case 'timer.fired':
      return `timer "${event.timerId}"`;
    case 'message.received':
      return `message "${event.name}"${event.correlationKey ? ` with correlation key "${event.correlationKey}"` : ''}`;
    case 'signal.received':
      return `signal "${event.name}"`;
    default:
      return `"${event.type}" at "${event.elementId}"`;
  }
}

/** Rebuilds the XState snapshot from persisted state, refusing state of another definition version. */
export function restore(process: CompiledProcess, state: InstanceState, options: StepOptions = {}): AnyMachineSnapshot {
  const { key, version } = process.definition;
  if (state.formatVersion !== STATE_FORMAT_VERSION) {
    throw new EngineError(
      'INVALID_STATE',
      `Instance state has format version ${String(state.formatVersion)}; this engine reads version ${STATE_FORMAT_VERSION}.`,
    );
  }
  if (state.definition.key !== key || state.definition.version !== version) {
    throw new EngineError(
      'DEFINITION_MISMATCH',
      `Instance state belongs to "${state.definition.key}" version ${state.definition.version}, not "${key}" version ${version}; load the definition version the instance was started on.`,
    );
  }
  if (state.status === 'completed') {
    throw new EngineError('INSTANCE_NOT_ACTIVE', `Instance of "${key}" is completed; it has no state to restore.`);
  }
  const positions = state.positions ?? state.active;
  const paths = positions.map((p) => {
    const path = process.paths.get(p);
    if (!path)
      throw new EngineError(
        'INVALID_STATE',
        `Instance state has a token at "${p}", which "${key}" version ${version} does not have.`,
      );
    return path;
  });
  const context: MachineContext = {
    variables: state.variables,
    outcome: state.outcome ?? null,
    now: options.now ?? null,
    timers: state.timers ?? {},
    loops: state.loops ?? {},
    startEvent: null,
    runs: state.runs ?? {},
  };
  return process.machine.resolveState({ value: valueOf(paths), context });
}

/** Nests state paths into an XState state value: ["a"] → "a"; ["g","f1","t"],["g","f2","u"] → { g: { f1: "t", f2: "u" } }. */
function valueOf(paths: string[][]): StateValue {
  if (paths.length === 1 && paths[0]!.length === 1) return paths[0]![0]!;
  const out: Record<string, StateValue> = {};
  const groups = new Map<string, string[][]>();
  for (const [head, ...rest] of paths) {
    if (head === undefined) continue;
    const list = groups.get(head) ?? [];
    if (rest.length > 0) list.push(rest);
    groups.set(head, list);
  }
  for (const [head, rests] of groups) out[head] = rests.length === 0 ? {} : valueOf(rests);
  return out;
}

/** The leaf state keys of a state value: where the tokens rest. */
function leavesOf(value: StateValue): string[] {
  if (typeof value === 'string') return [value];
  return Object.values(value).flatMap((v) => (v === undefined ? [] : leavesOf(v)));
}

/** The instance state and effects after a machine step: waiting, completed, or stopped by an incident. */
export function settle(
  process: CompiledProcess,
  snapshot: AnyMachineSnapshot,
  actions: { type: string; params?: unknown }[],
): StepResult {
  const effects: Effect[] = actions
    .filter((a) => EFFECT_TYPES.has(a.type))
    .map((a) => ({ type: a.type, ...(a.params as object) }) as Effect);
  const context = snapshot.context as MachineContext;
  const depth = callDepth();
  const base = {
    formatVersion: STATE_FORMAT_VERSION,
    definition: { key: process.definition.key, version: process.definition.version },
    variables: context.variables,
    ...(depth > 0 ? { callDepth: depth } : {}),
  } as const;
  const outcome = context.outcome ? { outcome: context.outcome } : {};
  const timers = {
    ...(Object.keys(context.timers).length > 0 ? { timers: context.timers } : {}),
    ...(Object.keys(context.loops).length > 0 ? { loops: context.loops } : {}),
    ...(Object.keys(context.runs).length > 0 ? { runs: context.runs } : {}),
  };

  if (snapshot.status === 'error') {
    // A bug in the engine or a compiled element, never a business outcome: fail loudly.
    const cause = snapshot.error instanceof Error ? snapshot.error.message : String(snapshot.error);
    throw new EngineError('INTERNAL', `The engine failed while running "${process.definition.key}": ${cause}`);
  }
  if (snapshot.status === 'done') {
    effects.push({ type: 'completeInstance', outcome: context.outcome });
    return { state: { ...base, status: 'completed', active: [], ...outcome }, effects };
  }
  const positions = leavesOf(snapshot.value);
  const waiting = positions.filter((p) => {
    const element = process.elements.get(p);
    return element !== undefined && isWaitState(element);
  });
  // A token resting anywhere but a wait state, a join or a branch's end event could not move on.
  const consumed = (p: string) => {
    const e = process.elements.get(p);
    return e?.type === 'endEvent' && e.event?.kind !== 'error';
  };
  const stuck = positions.find((p) => !waiting.includes(p) && !p.startsWith('@') && !p.startsWith('!') && !consumed(p));
  const extra = positions.length === waiting.length ? {} : { positions };
  const raised = effects.find((e): e is Extract<Effect, { type: 'raiseIncident' }> => e.type === 'raiseIncident');
  // A command stopped by its budget: the incident names where its token stopped and the loop it ran in. (A budget spent
  // on work asked of the host while every token reached a wait state stopped nothing: that work is bounded by the definition.)
  const spent = raised || stuck === undefined ? null : exhaustion(elementAt(process, stuck));
  if (stuck === undefined && !raised && !spent)
    return { state: { ...base, status: 'active', active: waiting, ...extra, ...outcome, ...timers }, effects };

  const incident = raised?.incident ?? spent ?? diagnose(process, stuck!, context.variables);
  if (!raised) effects.push({ type: 'raiseIncident', incident });
  const active = waiting.includes(incident.elementId) ? waiting : [...waiting, incident.elementId];
  return {
    state: { ...base, status: 'incident', active, positions, incident, ...outcome, ...timers },
    effects: spent ? trimAudit(effects) : effects,
  };
}

/** Audit records a runaway step keeps: its first and its last passes (the incident says how many there were). */
const KEPT_AUDIT = 100;

function trimAudit(effects: Effect[]): Effect[] {
  const audits = effects.filter((e) => e.type === 'audit');
  if (audits.length <= 2 * KEPT_AUDIT) return effects;
  const dropped = new Set<Effect>(audits.slice(KEPT_AUDIT, -KEPT_AUDIT));
  return effects.filter((e) => !dropped.has(e));
}

/** The element a resting position stands for: `?flow` (deciding an inclusive branch) is its gateway's. */
function elementAt(process: CompiledProcess, position: string): string {
  return position.startsWith('?')
    ? (process.definition.flows.find((f) => f.id === position.slice(1))?.source ?? position)
    : position;
}

/** Why a token cannot move on from `position` (an element id, or `?flow` of an inclusive split). */
function diagnose(process: CompiledProcess, position: string, variables: Variables): Incident {
  const elementId = elementAt(process, position);
  const element = process.elements.get(elementId);
  if (element?.type === 'endEvent' && element.event?.kind === 'error') {
    return {
      elementId,
      code: 'UNHANDLED_ERROR',
      errorCode: element.event.code ?? '',
      message: `Error "${element.event.code ?? ''}" thrown by end event "${elementId}" has no error boundary event around it to catch it.`,
    };
  }
  if (element?.type === 'businessRuleTask') {
    const result = decisionResultFor(element, process.decisions, variables);
    if (!result.ok) return { elementId, code: 'DECISION_FAILED', message: result.message };
  }
  if (element?.type === 'exclusiveGateway' || element?.type === 'inclusiveGateway') {
    const flows = process.definition.flows.filter((f) => f.source === elementId);
    const decision = decide(element, flows, variables);
    if (decision.kind === 'incident') return decision.incident;
  }
  if (element && !isWaitState(element)) {
    // It could leave, but XState stops an eventless loop whose passes change nothing: a loop that would never end.
    return {
      elementId,
      code: 'BUDGET_EXCEEDED',
      message: `"${elementId}" sends the token round a loop whose passes change nothing, so it would never end; it was stopped there. Give the loop a way out that its data can reach, or a wait state inside it; then retry the incident.`,
    };
  }
  return { elementId, code: 'NO_FLOW_TAKEN', message: `The instance cannot leave "${elementId}".` };
}
