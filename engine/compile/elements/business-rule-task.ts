import { decisionResultFor } from '../../decisions/result';
import type { Element } from '../../model/definition';
import { effect, update, type ActionArgs } from '../actions';
import { onlyOutgoing, targetOf, type CompileContext } from '../context';
import { completeWith, taskInputs } from '../mappings';

/**
 * Evaluates its decision table and moves on with the result in `resultVariable`, or, when the
 * task has outputs, with only what they map from it (mappings.ts). A decision that fails (e.g.
 * two rules match under UNIQUE) leaves the token here; the runtime reports an incident.
 */
export function businessRuleTask(element: Element, ctx: CompileContext) {
  if (element.type !== 'businessRuleTask') throw new Error(`businessRuleTask compiler got ${element.type}`);
  const flow = onlyOutgoing(ctx, element.id);
  const result = ({ context }: ActionArgs) => decisionResultFor(element, ctx.decisions, context.variables);
  const after = (args: ActionArgs) => {
    const r = result(args);
    const produced = { [element.resultVariable]: r.ok ? r.value : null };
    return completeWith(element, args.context.variables, taskInputs(element, args.context.variables), produced);
  };
  return {
    always: {
      guard: (args: ActionArgs) => result(args).ok,
      target: targetOf(ctx, flow),
      actions: [
        effect('audit', (args) => {
          const variables = after(args);
          const written = element.outputs === undefined ? [element.resultVariable] : Object.keys(element.outputs);
          return {
            event: 'element.completed',
            elementId: element.id,
            elementType: element.type,
            flowId: flow.id,
            data: Object.fromEntries(written.map((name) => [name, variables[name] ?? null])),
          };
        }),
        update((args) => ({ variables: after(args) })),
      ],
    },
  };
}
