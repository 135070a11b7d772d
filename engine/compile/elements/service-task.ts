import { evaluateExpression } from '../../expressions/feel';
import type { Element } from '../../model/definition';
import type { Variables } from '../../runtime/types';
import { effect, eventVariables, update } from '../actions';
import { waitingActivity } from '../activity';
import { onlyOutgoing, passAutomatic, targetOf, type AuditParams, type CompileContext } from '../context';

function assignAll(set: Record<string, string>, variables: Variables): Variables {
  const out = { ...variables };
  for (const [name, expression] of Object.entries(set)) out[name] = evaluateExpression(expression, out).value;
  return out;
}

/**
 * Service and script tasks. Without a `taskType` they set variables from FEEL and move on at once.
 * With one, the host runs a job and the instance waits for `job.completed` (its result merged into
 * the variables, then `set` applied) or a business error for an error boundary event.
 */
export function serviceTask(element: Element, ctx: CompileContext) {
  if (element.type !== 'serviceTask' && element.type !== 'scriptTask')
    throw new Error(`serviceTask compiler got ${element.type}`);
  const set = element.set;
  const flow = onlyOutgoing(ctx, element.id);
  const audit = (variables: Variables): AuditParams => ({
    event: 'element.completed',
    elementId: element.id,
    elementType: element.type,
    flowId: flow.id,
    data: Object.fromEntries(Object.keys(set).map((name) => [name, variables[name] ?? null])),
  });
  const taskType = element.type === 'serviceTask' ? element.taskType : undefined;
  if (taskType === undefined) {
    // Reached as a state only as an initial state or when restored; transitions into it pass it.
    const onward = passAutomatic(ctx, flow);
    return {
      entry: update(({ context }) => ({ variables: assignAll(set, context.variables) })),
      always: {
        target: targetOf(ctx, onward.flow),
        actions: [effect('audit', ({ context }) => audit(context.variables)), ...onward.actions],
      },
    };
  }
  return waitingActivity(ctx, element, {
    start: [
      effect('startJob', ({ context }) => ({
        elementId: element.id,
        taskType,
        variables: context.variables,
        ...(element.type === 'serviceTask' && element.retries !== undefined ? { retries: element.retries } : {}),
      })),
    ],
    cancel: { type: 'cancelJob', params: { elementId: element.id } },
    done: 'job.completed',
    target: targetOf(ctx, flow),
    onDone: [
      update(({ context, event }) => ({
        variables: assignAll(set, { ...context.variables, ...eventVariables(event) }),
      })),
      effect('audit', ({ context }) => audit(context.variables)),
    ],
  });
}
