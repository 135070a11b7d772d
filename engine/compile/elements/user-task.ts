import { evaluateExpression } from '../../expressions/feel';
import type { Element } from '../../model/definition';
import { collect, effect, update } from '../actions';
import { withBoundaries } from '../boundaries';
import { leaveAlong, onlyOutgoing, type CompileContext } from '../context';

/**
 * A user task: asks the host to create an inbox task, then waits for `task.completed`.
 * Left any other way (a boundary event, a terminate end), it asks the host to cancel the task.
 */
export function userTask(element: Element, ctx: CompileContext) {
  if (element.type !== 'userTask') throw new Error(`userTask compiler got ${element.type}`);
  const leave = leaveAlong(ctx, element.id, element.type, onlyOutgoing(ctx, element.id));
  const parts = withBoundaries(ctx, element, {
    entry: [
      effect('createTask', ({ context }) => ({
        elementId: element.id,
        name: element.name ?? null,
        formKey: element.formKey,
        candidateGroups: candidateGroupsOf(element.candidateGroups, context.variables),
        candidateRole: element.candidateRole,
        dueDate: element.dueDate === undefined ? null : toDate(evaluateExpression(element.dueDate, context.variables).value),
      })),
    ],
    exit: [
      collect(({ event, enqueue }) => {
        const ownCompletion = event.type === 'task.completed' && event.elementId === element.id;
        if (!ownCompletion) enqueue({ type: 'cancelTask', params: { elementId: element.id } });
      }),
    ],
    on: {
      'task.completed': [
        {
          guard: ({ event }: { event: { type: string; elementId?: string } }) => event.elementId === element.id,
          target: leave.target,
          actions: [update(({ context, event }) => ({ variables: { ...context.variables, ...('variables' in event ? event.variables : {}) } })), ...leave.actions],
        },
      ],
    },
  });
  return parts;
}

/** Static group keys, or those a `=FEEL` expression gives now (invalid entries dropped). */
function candidateGroupsOf(groups: string[] | string, variables: Record<string, unknown>): string[] {
  if (Array.isArray(groups)) return groups;
  const value = evaluateExpression(groups.slice(1), variables).value;
  const list = Array.isArray(value) ? value : [value];
  return list.filter((g): g is string => typeof g === 'string' && /^[a-z0-9][a-z0-9-]{0,63}$/.test(g));
}

function toDate(value: unknown): string | null {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? value : null;
}
