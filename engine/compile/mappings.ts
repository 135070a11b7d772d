/**
 * Input and output mappings of user tasks and business rule tasks (Camunda 8's io mapping; see
 * `taskMappings` in model/definition.ts): the task's own variables from its inputs, and what its
 * outputs write to the process. Pure functions of the variables; nothing here is stored.
 */
import { evaluateExpression } from '../expressions/feel';
import type { Variables } from '../runtime/types';

export interface TaskMappings {
  inputs?: Record<string, string>;
  outputs?: Record<string, string>;
}

/** The task's own variables: each input in order, seeing the process variables and the inputs before it. */
export function taskInputs(task: TaskMappings, variables: Variables): Variables {
  const locals: Variables = {};
  for (const [name, expression] of Object.entries(task.inputs ?? {}))
    locals[name] = evaluateExpression(expression, { ...variables, ...locals }).value;
  return locals;
}

/**
 * The process variables after the task completed with `produced` (a submission, a decision's
 * result): with outputs, only they are written, evaluated over the variables, the inputs and
 * what was produced; without, what was produced is merged as it is.
 */
export function completeWith(
  task: TaskMappings,
  variables: Variables,
  locals: Variables,
  produced: Variables,
): Variables {
  if (task.outputs === undefined) return { ...variables, ...produced };
  return { ...variables, ...taskOutputs(task.outputs, { ...variables, ...locals, ...produced }) };
}

/** What the outputs give, each evaluated against `scope` (the outputs do not see each other). */
export function taskOutputs(outputs: Record<string, string>, scope: Variables): Variables {
  return Object.fromEntries(
    Object.entries(outputs).map(([name, expression]) => [name, evaluateExpression(expression, scope).value]),
  );
}
