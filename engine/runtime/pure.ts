/**
 * XState's pure `initialTransition` / `transition`, without building a throwaway actor (and its
 * actor system) on every call. Trellis machines never spawn or invoke actors and never use
 * delayed events, so one inert actor scope per machine can be reused; the executed actions are
 * collected per call, and nothing is ever executed.
 */
import {
  createActor,
  type AnyActorScope,
  type AnyMachineSnapshot,
  type AnyStateMachine,
  type EventObject,
} from 'xstate';
import { spendEntry } from './budget';

/** Effects that ask the host for work (an audit record is counted as the element it records). */
const EFFECTS: ReadonlySet<string> = new Set([
  'createTask',
  'startJob',
  'startChildInstance',
  'scheduleTimer',
  'openSubscription',
  'sendMessage',
  'broadcastSignal',
  'spawnScopes',
]);

const scopes = new WeakMap<AnyStateMachine, AnyActorScope>();

function scopeFor(machine: AnyStateMachine): AnyActorScope {
  let scope = scopes.get(machine);
  if (!scope) {
    const self = createActor(machine);
    scope = {
      self,
      defer: () => {},
      id: '',
      logger: () => {},
      sessionId: '',
      stopChild: () => {},
      system: self.system,
      emit: () => {},
      actionExecutor: () => {},
    } as unknown as AnyActorScope;
    scopes.set(machine, scope);
  }
  return scope;
}

export type Action = { type: string; params?: unknown };

/** Collects the actions of one call; every element passed is spent from the command's budget. */
function collector(actions: Action[]) {
  return (action: unknown) => {
    const a = action as Action;
    actions.push(a);
    // An element passed, or work asked of the host (a task, a job, a message…): both spend the budget.
    if (a.type === 'audit') {
      const params = a.params as { elementId: string; data: unknown };
      spendEntry(params.elementId, params.data !== null);
    } else if (EFFECTS.has(a.type)) spendEntry(null);
  };
}

export function pureInitialTransition(machine: AnyStateMachine, input: unknown): [AnyMachineSnapshot, Action[]] {
  const actions: Action[] = [];
  const scope = scopeFor(machine);
  scope.actionExecutor = collector(actions);
  const snapshot = machine.getInitialSnapshot(scope, input) as AnyMachineSnapshot;
  return [snapshot, actions];
}

export function pureTransition(
  machine: AnyStateMachine,
  snapshot: AnyMachineSnapshot,
  event: EventObject,
): [AnyMachineSnapshot, Action[]] {
  const actions: Action[] = [];
  const scope = scopeFor(machine);
  scope.actionExecutor = collector(actions);
  const next = machine.transition(snapshot, event, scope) as AnyMachineSnapshot;
  return [next, actions];
}
