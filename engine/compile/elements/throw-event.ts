import type { Element } from '../../model/definition';
import { effect } from '../actions';
import { leaveAlong, onlyOutgoing, stateId, type CompileContext } from '../context';
import { payloadOf } from '../inline-path';

/** Send tasks and intermediate throw events: hand a message or signal to the host, move on. */
export function throwEvent(element: Element, ctx: CompileContext) {
  if (element.type === 'intermediateThrowEvent' && element.event?.kind === 'link') return linkThrow(element, ctx);
  const leave = { always: leaveAlong(ctx, element.id, element.type, onlyOutgoing(ctx, element.id)) };
  if (element.type === 'sendTask') {
    const { name, payload } = element.message;
    return {
      entry: [
        effect('sendMessage', ({ context }) => ({
          elementId: element.id,
          name,
          payload: payloadOf(payload, context.variables),
        })),
      ],
      ...leave,
    };
  }
  if (element.type === 'intermediateThrowEvent' && element.event) {
    const { kind, name } = element.event;
    return {
      entry: [
        effect(kind === 'message' ? 'sendMessage' : 'broadcastSignal', { elementId: element.id, name, payload: {} }),
      ],
      ...leave,
    };
  }
  return leave;
}

/** A link throw event continues at the link catch event of the same name. */
function linkThrow(element: Element, ctx: CompileContext) {
  const name = element.type === 'intermediateThrowEvent' && element.event?.kind === 'link' ? element.event.name : '';
  const catchId = ctx.graph.linkCatches.get(name)?.[0] ?? element.id;
  return {
    always: {
      target: `#${stateId.element(catchId)}`,
      actions: [
        {
          type: 'audit' as const,
          params: {
            event: 'element.completed' as const,
            elementId: element.id,
            elementType: element.type,
            flowId: null,
            data: { link: name },
          },
        },
      ],
    },
  };
}
