import { evaluateExpression } from '../../expressions/feel';
import type { Element } from '../../model/definition';
import type { Variables } from '../../runtime/types';
import { effect, eventVariables, update } from '../actions';
import { waitingActivity } from '../activity';
import { leaveAlong, onlyOutgoing, type CompileContext } from '../context';

function mapVariables(mapping: Record<string, string> | undefined, source: Variables): Variables {
  if (!mapping) return { ...source };
  const out: Variables = {};
  for (const [name, expression] of Object.entries(mapping)) out[name] = evaluateExpression(expression, source).value;
  return out;
}

/** A call activity: asks the host to start a child instance, then waits for `child.completed`. */
export function callActivity(element: Element, ctx: CompileContext) {
  if (element.type !== 'callActivity') throw new Error(`callActivity compiler got ${element.type}`);
  const leave = leaveAlong(ctx, element.id, element.type, onlyOutgoing(ctx, element.id));
  return waitingActivity(ctx, element, {
    start: [effect('startChildInstance', ({ context }) => ({ elementId: element.id, processKey: element.calledElement, variables: mapVariables(element.inputs, context.variables) }))],
    cancel: { type: 'cancelChildInstance', params: { elementId: element.id } },
    done: 'child.completed',
    target: leave.target,
    onDone: [update(({ context, event }) => ({ variables: { ...context.variables, ...mapVariables(element.outputs, eventVariables(event)) } })), ...leave.actions],
  });
}
