import type { Element } from '../../model/definition';
import { leaveAlong, onlyOutgoing, type CompileContext } from '../context';

/** A none start event: passed through at once. */
export function startEvent(element: Element, ctx: CompileContext) {
  return { always: leaveAlong(ctx, element.id, element.type, onlyOutgoing(ctx, element.id)) };
}
