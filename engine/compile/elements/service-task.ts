import { assign } from 'xstate';
import { evaluateExpression } from '../../expressions/feel';
import type { Element } from '../../model/definition';
import { onlyOutgoing, targetOf, type AuditParams, type CompileContext, type MachineContext } from '../context';

/** A service task that sets variables from FEEL expressions, each seeing the ones before it. */
export function serviceTask(element: Element, ctx: CompileContext) {
  if (element.type !== 'serviceTask') throw new Error(`serviceTask compiler got ${element.type}`);
  const entries = Object.entries(element.set);
  const flow = onlyOutgoing(ctx, element.id);
  return {
    entry: assign(({ context }: { context: MachineContext }) => {
      const variables = { ...context.variables };
      for (const [name, expression] of entries) variables[name] = evaluateExpression(expression, variables).value;
      return { variables };
    }),
    always: {
      target: targetOf(ctx, flow),
      actions: [
        {
          type: 'audit' as const,
          params: ({ context }: { context: MachineContext }): AuditParams => ({
            event: 'element.completed',
            elementId: element.id,
            elementType: element.type,
            flowId: flow.id,
            data: Object.fromEntries(entries.map(([name]) => [name, context.variables[name] ?? null])),
          }),
        },
      ],
    },
  };
}
