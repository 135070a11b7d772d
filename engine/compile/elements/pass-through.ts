import type { Element } from '../../model/definition';
import { leaveAlong, onlyOutgoing, type CompileContext } from '../context';

/**
 * A gateway that only passes its token on: a parallel or inclusive join (reached when its block's
 * branches are all done) or a gateway with one incoming and one outgoing flow.
 * Splits are compiled as blocks of parallel regions by compile.ts.
 */
export function passThrough(element: Element, ctx: CompileContext) {
  return { always: leaveAlong(ctx, element.id, element.type, onlyOutgoing(ctx, element.id)) };
}
