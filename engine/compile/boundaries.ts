/**
 * Attaches an activity's boundary events to its state: their timers and subscriptions start and
 * stop with the activity; an interrupting one leaves the activity for the boundary event's path
 * (the activity's exit actions cancel its task or job); a non-interrupting one runs its path
 * inline and the activity goes on waiting.
 */
import type { Element } from '../model/definition';
import type { EngineEvent } from '../runtime/types';
import { eventVariables, update, type ActionArgs } from './actions';
import { stateId, type CompileContext } from './context';
import { runInline, spawnRun } from './inline-path';
import { repeatCycle, waitFor } from './waits';

export interface StateParts {
  entry: unknown[];
  exit: unknown[];
  on: Record<string, unknown[]>;
  always?: unknown[];
}

export function withBoundaries(ctx: CompileContext, activity: Element, parts: StateParts): StateParts {
  for (const boundary of ctx.graph.boundaries.get(activity.id) ?? []) {
    const definition = boundary.event;
    if (!definition)
      throw new Error(`Boundary event "${boundary.id}" has no event; validation should have refused it.`);
    let eventType: EngineEvent['type'];
    let guard: (args: ActionArgs) => boolean;
    if (definition.kind === 'error' || definition.kind === 'escalation') {
      eventType = definition.kind === 'error' ? 'error.thrown' : 'escalation.thrown';
      guard = ({ event }) =>
        (event.type === 'error.thrown' || event.type === 'escalation.thrown') &&
        event.type === eventType &&
        (event.elementId === activity.id || (event.scopes ?? []).includes(activity.id)) &&
        (definition.code === undefined || definition.code === event.code);
    } else {
      const wait = waitFor(boundary.id, definition, {
        use: boundary.cancelActivity ? 'once' : 'repeating',
        limits: ctx.timerLimits,
      })!;
      parts.entry.push(...wait.entry);
      parts.exit.push(...wait.exit);
      eventType = wait.eventType;
      guard = wait.guard;
    }
    const take = (args: ActionArgs) => guard(args);
    const mergeVariables = update(({ context, event }) => ({
      variables: { ...context.variables, ...eventVariables(event) },
    }));
    const transition = boundary.cancelActivity
      ? { guard: take, target: `#${stateId.element(boundary.id)}`, actions: [mergeVariables] }
      : {
          guard: take,
          actions: [
            ctx.spawning.has(boundary.id) ? spawnRun(boundary.id) : runInline(ctx, boundary),
            repeatCycle(boundary.id, definition, ctx.timerLimits),
          ],
        };
    (parts.on[eventType] ??= []).push(transition);
  }
  return parts;
}
