import { decisionResultFor } from '../../decisions/result';
import type { Element } from '../../model/definition';
import { effect, update, type ActionArgs } from '../actions';
import { onlyOutgoing, targetOf, type CompileContext } from '../context';

/**
 * Evaluates its decision table and moves on with the result in `resultVariable`. A decision that
 * fails (e.g. two rules match under UNIQUE) leaves the token here; the runtime reports an incident.
 */
export function businessRuleTask(element: Element, ctx: CompileContext) {
  if (element.type !== 'businessRuleTask') throw new Error(`businessRuleTask compiler got ${element.type}`);
  const flow = onlyOutgoing(ctx, element.id);
  const result = ({ context }: ActionArgs) => decisionResultFor(element, ctx.decisions, context.variables);
  return {
    always: {
      guard: (args: ActionArgs) => result(args).ok,
      target: targetOf(ctx, flow),
      actions: [
        effect('audit', (args) => {
          const r = result(args);
          return { event: 'element.completed', elementId: element.id, elementType: element.type, flowId: flow.id, data: { [element.resultVariable]: r.ok ? r.value : null } };
        }),
        update((args) => {
          const r = result(args);
          return { variables: { ...args.context.variables, [element.resultVariable]: r.ok ? r.value : null } };
        }),
      ],
    },
  };
}
