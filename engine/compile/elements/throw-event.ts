import type { Element } from '../../model/definition';
import { effect } from '../actions';
import { leaveAlong, onlyOutgoing, type CompileContext } from '../context';
import { payloadOf } from '../inline-path';

/** Send tasks and intermediate throw events: hand a message or signal to the host, move on. */
export function throwEvent(element: Element, ctx: CompileContext) {
  const leave = { always: leaveAlong(ctx, element.id, element.type, onlyOutgoing(ctx, element.id)) };
  if (element.type === 'sendTask') {
    const { name, payload } = element.message;
    return { entry: [effect('sendMessage', ({ context }) => ({ elementId: element.id, name, payload: payloadOf(payload, context.variables) }))], ...leave };
  }
  if (element.type === 'intermediateThrowEvent' && element.event) {
    const { kind, name } = element.event;
    return { entry: [effect(kind === 'message' ? 'sendMessage' : 'broadcastSignal', { elementId: element.id, name, payload: {} })], ...leave };
  }
  return leave;
}
