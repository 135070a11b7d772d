/**
 * XState's pure `initialTransition` / `transition`, without building a throwaway actor (and its
 * actor system) on every call. Trellis machines never spawn or invoke actors and never use
 * delayed events, so one inert actor scope per machine can be reused; the executed actions are
 * collected per call, and nothing is ever executed.
 */
import { createActor, type AnyActorScope, type AnyMachineSnapshot, type AnyStateMachine, type EventObject } from 'xstate';

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

export function pureInitialTransition(machine: AnyStateMachine, input: unknown): [AnyMachineSnapshot, Action[]] {
  const actions: Action[] = [];
  const scope = scopeFor(machine);
  scope.actionExecutor = (action) => void actions.push(action as Action);
  const snapshot = machine.getInitialSnapshot(scope, input) as AnyMachineSnapshot;
  return [snapshot, actions];
}

export function pureTransition(machine: AnyStateMachine, snapshot: AnyMachineSnapshot, event: EventObject): [AnyMachineSnapshot, Action[]] {
  const actions: Action[] = [];
  const scope = scopeFor(machine);
  scope.actionExecutor = (action) => void actions.push(action as Action);
  const next = machine.transition(snapshot, event, scope) as AnyMachineSnapshot;
  return [next, actions];
}
