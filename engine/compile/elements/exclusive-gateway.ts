import { decide } from '../decide';
import type { Element } from '../../model/definition';
import { leaveAlong, type CompileContext, type MachineContext } from '../context';

/**
 * An exclusive gateway: conditions are tried in the order the flows appear in the definition,
 * the first true one is taken, else the default. A condition that is not a boolean stops the
 * instance (no guard passes) and the runtime reports an incident rather than guessing.
 * With one outgoing flow it merges alternative paths and simply passes the token on.
 */
export function exclusiveGateway(element: Element, ctx: CompileContext) {
  if (element.type !== 'exclusiveGateway') throw new Error(`exclusiveGateway compiler got ${element.type}`);
  const flows = ctx.graph.outgoing.get(element.id) ?? [];
  if (flows.length === 1 && flows[0]!.condition === undefined && element.default === undefined)
    return { always: leaveAlong(ctx, element.id, element.type, flows[0]!) };
  return {
    always: flows.map((flow) => ({
      ...leaveAlong(ctx, element.id, element.type, flow),
      guard: ({ context }: { context: MachineContext }) => {
        const decision = decide(element, flows, context.variables);
        return decision.kind === 'flow' && decision.flowIds[0] === flow.id;
      },
    })),
  };
}
