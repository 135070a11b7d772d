/**
 * Typed wrappers over XState's action creators. XState types them for hand-written machines;
 * ours are assembled from definition data, so the element compilers use these instead.
 */
import { assign, enqueueActions } from 'xstate';
import type { EngineEvent } from '../runtime/types';
import type { EffectAction, MachineContext } from './context';

export interface ActionArgs {
  context: MachineContext;
  event: EngineEvent;
}

/** A context update. */
export function update(fn: (args: ActionArgs) => Partial<MachineContext>): unknown {
  return assign(fn as never);
}

export type Enqueue = (action: EffectAction | unknown) => void;

/** Actions decided when they run: effects and context updates, in order. */
export function collect(fn: (args: ActionArgs & { enqueue: Enqueue }) => void): unknown {
  return enqueueActions(fn as never);
}

/** An effect whose params are computed from the context and event when it runs. */
export function effect<K extends EffectAction['type']>(
  type: K,
  params:
    Extract<EffectAction, { type: K }>['params'] | ((args: ActionArgs) => Extract<EffectAction, { type: K }>['params']),
) {
  return { type, params };
}

/** The variables an event brings in, if any. */
export function eventVariables(event: EngineEvent): Record<string, unknown> {
  return 'variables' in event && event.variables ? event.variables : {};
}

/** A record without one key (the same record when the key is absent). */
export function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const { [key]: _, ...rest } = record;
  return rest;
}
