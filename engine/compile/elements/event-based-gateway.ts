import type { Element } from '../../model/definition';
import { eventVariables, update } from '../actions';
import { leaveAlong, onlyOutgoing, type AuditParams, type CompileContext } from '../context';
import { waitFor } from '../waits';

/**
 * An event-based gateway waits for all the catch events after it at once; the first that happens
 * wins (the gateway and that event complete together) and the others' timers and subscriptions
 * are cancelled on leaving.
 */
export function eventBasedGateway(element: Element, ctx: CompileContext) {
  const entry: unknown[] = [];
  const exit: unknown[] = [];
  const on: Record<string, unknown[]> = {};
  for (const flow of ctx.graph.outgoing.get(element.id) ?? []) {
    const target = ctx.graph.elements.get(flow.target)!;
    const definition =
      target.type === 'intermediateCatchEvent'
        ? target.event
        : target.type === 'receiveTask'
          ? { kind: 'message' as const, ...target.message }
          : null;
    const wait = definition ? waitFor(target.id, definition, { use: 'once', limits: ctx.timerLimits }) : null;
    if (!wait) continue;
    entry.push(...wait.entry);
    exit.push(...wait.exit);
    const leave = leaveAlong(ctx, target.id, target.type, onlyOutgoing(ctx, target.id));
    const passed: AuditParams = {
      event: 'element.completed',
      elementId: element.id,
      elementType: element.type,
      flowId: flow.id,
      data: null,
    };
    (on[wait.eventType] ??= []).push({
      guard: wait.guard,
      target: leave.target,
      actions: [
        update(({ context, event }) => ({ variables: { ...context.variables, ...eventVariables(event) } })),
        { type: 'audit', params: passed },
        ...leave.actions,
      ],
    });
  }
  return { entry, exit, on };
}
