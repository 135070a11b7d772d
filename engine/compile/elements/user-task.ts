import { assign, enqueueActions } from 'xstate';
import { evaluateExpression } from '../../expressions/feel';
import type { Element } from '../../model/definition';
import type { EngineEvent } from '../../runtime/types';
import { leaveAlong, onlyOutgoing, type CancelTaskParams, type CompileContext, type CreateTaskParams, type MachineContext } from '../context';

/**
 * A user task: asks the host to create an inbox task, then waits for `task.completed`.
 * Left any other way (a terminate end, an interrupting event), it asks the host to cancel the task.
 */
export function userTask(element: Element, ctx: CompileContext) {
  if (element.type !== 'userTask') throw new Error(`userTask compiler got ${element.type}`);
  const leave = leaveAlong(ctx, element.id, element.type, onlyOutgoing(ctx, element.id));
  const isOwnCompletion = (event: { type: string; elementId?: string }) => event.type === 'task.completed' && event.elementId === element.id;
  const cancel: CancelTaskParams = { elementId: element.id };
  return {
    entry: [
      {
        type: 'createTask' as const,
        params: ({ context }: { context: MachineContext }): CreateTaskParams => ({
          elementId: element.id,
          name: element.name ?? null,
          formKey: element.formKey,
          candidateGroups: element.candidateGroups,
          candidateRole: element.candidateRole,
          dueDate: element.dueDate === undefined ? null : toDate(evaluateExpression(element.dueDate, context.variables).value),
        }),
      },
    ],
    exit: enqueueActions(({ event, enqueue }: { event: { type: string; elementId?: string }; enqueue: (action: { type: 'cancelTask'; params: CancelTaskParams }) => void }) => {
      if (!isOwnCompletion(event)) enqueue({ type: 'cancelTask', params: cancel });
    }),
    on: {
      'task.completed': {
        guard: ({ event }: { event: EngineEvent }) => event.elementId === element.id,
        target: leave.target,
        actions: [
          assign(({ context, event }: { context: MachineContext; event: EngineEvent }) => ({
            variables: { ...context.variables, ...event.variables },
          })),
          ...leave.actions,
        ],
      },
    },
  };
}

function toDate(value: unknown): string | null {
  return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) ? value : null;
}
