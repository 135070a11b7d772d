import type { Element } from '../../model/definition';
import { eventVariables, update } from '../actions';
import { withBoundaries } from '../boundaries';
import { leaveAlong, onlyOutgoing, type CompileContext } from '../context';
import { waitFor } from '../waits';

/** An intermediate timer/message/signal catch event, or a receive task: waits, then moves on. */
export function catchEvent(element: Element, ctx: CompileContext) {
  const definition =
    element.type === 'intermediateCatchEvent'
      ? element.event
      : element.type === 'receiveTask'
        ? { kind: 'message' as const, ...element.message }
        : null;
  if (!definition) throw new Error(`catchEvent compiler got ${element.type}`);
  // A link catch event is where its link throw event continues: nothing to wait for.
  if (definition.kind === 'link')
    return { always: leaveAlong(ctx, element.id, element.type, onlyOutgoing(ctx, element.id)) };
  const wait = waitFor(element.id, definition, { use: 'once', limits: ctx.timerLimits })!;
  const leave = leaveAlong(ctx, element.id, element.type, onlyOutgoing(ctx, element.id));
  const parts = {
    entry: [...wait.entry],
    exit: [...wait.exit],
    on: {
      [wait.eventType]: [
        {
          guard: wait.guard,
          target: leave.target,
          actions: [
            update(({ context, event }) => ({ variables: { ...context.variables, ...eventVariables(event) } })),
            ...leave.actions,
          ],
        },
      ],
    } as Record<string, unknown[]>,
  };
  return element.type === 'receiveTask' ? withBoundaries(ctx, element, parts) : parts;
}
