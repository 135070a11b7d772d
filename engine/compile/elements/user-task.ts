import { evaluateExpression } from '../../expressions/feel';
import { addDuration, parseDuration, parseInstant } from '../../time/iso8601';
import type { Element, UserTask } from '../../model/definition';
import { dueDateLiteral } from '../../model/due-date';
import { caseSummary } from '../../model/search';
import type { LoopState, Variables } from '../../runtime/types';
import { collect, eventVariables, update, type ActionArgs } from '../actions';
import { waitingActivity } from '../activity';
import { withBoundaries } from '../boundaries';
import { leaveAlong, onlyOutgoing, type CompileContext, type CreateTaskParams, type EffectAction } from '../context';
import { beginLoop, finishLoop, forgetLoop, noRuns } from '../loop-actions';
import { completeWith, taskInputs, taskOutputs } from '../mappings';
import { completeRun, runVariables } from '../multi-instance';

/**
 * A user task: asks the host to create an inbox task, then waits for `task.completed`.
 * Left any other way (a boundary event, a terminate end), it asks the host to cancel the task.
 * Its inputs are the task's own (on the `createTask` effect); with outputs, only they reach the
 * process variables, else the submission is merged (see mappings.ts).
 */
export function userTask(element: Element, ctx: CompileContext) {
  if (element.type !== 'userTask') throw new Error(`userTask compiler got ${element.type}`);
  if (element.multiInstance) return multiInstanceUserTask(element, ctx);
  const leave = leaveAlong(ctx, element.id, element.type, onlyOutgoing(ctx, element.id));
  return waitingActivity(ctx, element, {
    start: [
      collect(({ context, enqueue }) =>
        enqueue(
          createTaskOrIncident(taskParams(element, context.variables, context.now, ctx.definition.summary), element),
        ),
      ),
    ],
    cancel: { type: 'cancelTask', params: { elementId: element.id } },
    done: 'task.completed',
    target: leave.target,
    onDone: [
      update(({ context, event }) => ({
        variables: completeWith(
          element,
          context.variables,
          taskInputs(element, context.variables),
          eventVariables(event),
        ),
      })),
      ...leave.actions,
    ],
  });
}

/** A task nobody could work is an incident, not a silent dead end. */
function createTaskOrIncident(params: CreateTaskParams, element: UserTask): EffectAction {
  if (params.candidateGroups.length > 0 || params.assignee !== null || params.candidateUsers.length > 0)
    return { type: 'createTask', params };
  // A draft that names nobody yet (publishing refuses it) is simulated as a task anyone may complete.
  if (element.candidateGroups === undefined && element.assignee === undefined && element.candidateUsers === undefined)
    return { type: 'createTask', params };
  const message = `User task "${params.elementId}" has nobody to work it: no assignee, and its candidate groups and users gave no valid entry.`;
  return {
    type: 'raiseIncident',
    params: { incident: { elementId: params.elementId, code: 'NO_CANDIDATES', message } },
  };
}

/** The task's assignment, dates and priority, evaluated with its inputs in scope (as Camunda 8 does). */
function taskParams(
  element: UserTask,
  outer: Variables,
  now: string | null,
  summaryFields: string[] | undefined,
  loop?: CreateTaskParams['loop'],
): CreateTaskParams {
  const inputs = element.inputs === undefined ? undefined : taskInputs(element, outer);
  const variables = inputs === undefined ? outer : { ...outer, ...inputs };
  const summary = caseSummary(summaryFields, variables);
  return {
    elementId: element.id,
    name: element.name ?? null,
    formKey: element.formKey ?? null,
    candidateGroups: element.candidateGroups === undefined ? [] : candidateGroupsOf(element.candidateGroups, variables),
    candidateRole: element.candidateRole,
    assignee: element.assignee === undefined ? null : textOf(element.assignee, variables),
    candidateUsers: element.candidateUsers === undefined ? [] : listOf(element.candidateUsers, variables),
    priority: element.priority === undefined ? null : priorityOf(element.priority, variables),
    dueDate:
      element.dueDate === undefined
        ? null
        : dueDateOf(dueDateLiteral(element.dueDate) ?? evaluateExpression(element.dueDate, variables).value, now),
    ...(loop ? { loop } : {}),
    ...(inputs ? { inputs } : {}),
    ...(summary ? { summary } : {}),
  };
}

/** A literal, or what its `=FEEL` expression gives now, when that is a non-empty text. */
function textOf(value: string, variables: Variables): string | null {
  if (!value.startsWith('=')) return value;
  const result = evaluateExpression(value.slice(1), variables).value;
  return typeof result === 'string' && result.length > 0 ? result : null;
}

function listOf(value: string[] | string, variables: Variables): string[] {
  if (Array.isArray(value)) return value;
  const result = evaluateExpression(value.slice(1), variables).value;
  return (Array.isArray(result) ? result : [result]).filter((v): v is string => typeof v === 'string' && v.length > 0);
}

function priorityOf(value: number | string, variables: Variables): number | null {
  const n = typeof value === 'number' ? value : evaluateExpression(value.slice(1), variables).value;
  return typeof n === 'number' && Number.isFinite(n) ? Math.min(100, Math.max(0, Math.round(n))) : null;
}

/**
 * A multi-instance user task: one inbox task per item (all at once, or one after another). Runs'
 * submissions are collected into `outputCollection` rather than merged into the variables (each
 * run's outputs, if it has any, are written as it completes); when all runs are done or the
 * completion condition holds, open runs are cancelled and it moves on.
 */
function multiInstanceUserTask(element: UserTask, ctx: CompileContext) {
  const mi = element.multiInstance!;
  const id = element.id;
  const flow = onlyOutgoing(ctx, id);
  const leave = leaveAlong(ctx, id, element.type, flow);
  const loopOf = (context: ActionArgs['context']): LoopState | undefined => context.loops[id];
  const createRun = (loop: LoopState, index: number, context: ActionArgs['context']) =>
    createTaskOrIncident(
      taskParams(element, runVariables(mi, loop, index, context.variables), context.now, ctx.definition.summary, {
        index,
        item: loop.items[index] ?? null,
      }),
      element,
    );
  const isMine = ({ context, event }: ActionArgs) =>
    event.type === 'task.completed' &&
    event.elementId === id &&
    (loopOf(context)?.active ?? []).includes(event.loopIndex ?? -1);
  const after = ({ context, event }: ActionArgs) => {
    const loop = loopOf(context);
    // Gone already when an empty collection is skipped (the exit ran first): nothing was collected.
    if (!loop) return noRuns(mi.sequential);
    return completeRun(
      mi,
      loop,
      event.type === 'task.completed' ? (event.loopIndex ?? -1) : -1,
      eventVariables(event),
      context.variables,
    );
  };
  const finish = finishLoop(id, mi, after);
  // Each run's outputs reach the process as the run completes (its item, inputs and submission in scope).
  const writeOutputs = update(({ context, event }) => {
    const loop = loopOf(context);
    if (element.outputs === undefined || !loop || event.type !== 'task.completed') return {};
    const run = runVariables(mi, loop, event.loopIndex ?? -1, context.variables);
    return {
      variables: {
        ...context.variables,
        ...taskOutputs(element.outputs, { ...run, ...taskInputs(element, run), ...eventVariables(event) }),
      },
    };
  });

  return withBoundaries(ctx, element, {
    entry: [
      beginLoop(id, mi, mi.sequential, (loop, { context, enqueue }) => {
        for (const index of loop.active) enqueue(createRun(loop, index, context));
      }),
    ],
    exit: [
      collect(({ context, event, enqueue }) => {
        const completing = event.type === 'task.completed' && event.elementId === id ? event.loopIndex : undefined;
        for (const index of loopOf(context)?.active ?? [])
          if (index !== completing) enqueue({ type: 'cancelTask', params: { elementId: id, loopIndex: index } });
        // Left by its own last completion, the transition still needs the loop to collect outputs.
        if (completing === undefined) enqueue(forgetLoop(id));
      }),
    ],
    on: {
      'task.completed': [
        {
          guard: (args: ActionArgs) => isMine(args) && after(args).done,
          target: leave.target,
          actions: [writeOutputs, finish, ...leave.actions],
        },
        {
          guard: isMine,
          actions: [
            writeOutputs,
            collect((args) => {
              const result = after(args);
              args.enqueue(update(({ context: c }) => ({ loops: { ...c.loops, [id]: result.loop } })));
              if (result.next !== null) args.enqueue(createRun(result.loop, result.next, args.context));
            }),
          ],
        },
      ],
    },
    // An empty collection: nothing to do, move on at once.
    always: [
      {
        guard: ({ context }: ActionArgs) => loopOf(context)?.items.length === 0,
        target: leave.target,
        actions: [finish, ...leave.actions],
      },
    ],
  });
}

/** Static group keys, or those a `=FEEL` expression gives now (invalid entries dropped). */
function candidateGroupsOf(groups: string[] | string, variables: Record<string, unknown>): string[] {
  if (Array.isArray(groups)) return groups;
  const value = evaluateExpression(groups.slice(1), variables).value;
  const list = Array.isArray(value) ? value : [value];
  return list.filter((g): g is string => typeof g === 'string' && /^[a-z0-9][a-z0-9-]{0,63}$/.test(g));
}

/** A date (or date-time) as given, or a duration such as "P7D" counted from now (when the host gave now). */
function dueDateOf(value: unknown, now: string | null): string | null {
  if (typeof value !== 'string') return null;
  if (/^\d{4}-\d{2}-\d{2}/.test(value)) return value;
  const duration = parseDuration(value);
  const from = now === null ? null : parseInstant(now);
  return duration && from ? addDuration(from, duration).toISOString() : null;
}
