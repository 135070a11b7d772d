/** Shapes a decision's result for a business rule task (Camunda's mapDecisionResult). */
import { taskInputs } from '../compile/mappings';
import type { BusinessRuleTask } from '../model/definition';
import type { Decision } from './model';
import { evaluateDecision } from './evaluate';
import type { Variables } from '../runtime/types';

export type TaskResult = { ok: true; value: unknown } | { ok: false; message: string };

// A business rule task's guard and action ask for the same result within one microstep.
const cache = new WeakMap<Variables, Map<string, TaskResult>>();

export function decisionResultFor(
  task: BusinessRuleTask,
  decisions: ReadonlyMap<string, Decision>,
  variables: Variables,
): TaskResult {
  const hit = cache.get(variables)?.get(task.id);
  if (hit) return hit;
  const result = compute(task, decisions, variables);
  if (!cache.has(variables)) cache.set(variables, new Map());
  cache.get(variables)!.set(task.id, result);
  return result;
}

function compute(task: BusinessRuleTask, decisions: ReadonlyMap<string, Decision>, variables: Variables): TaskResult {
  // The decision sees the task's inputs beside the process variables.
  const scope = task.inputs === undefined ? variables : { ...variables, ...taskInputs(task, variables) };
  const result = evaluateDecision(decisions, task.decisionRef, scope);
  if (!result.ok) return result;
  const decision = decisions.get(task.decisionRef)!;
  const where = `Business rule task "${task.id}" (${task.mapDecisionResult})`;
  if (result.aggregate !== undefined) return { ok: true, value: result.aggregate };
  const rows = result.outputs;
  switch (task.mapDecisionResult) {
    case 'resultList':
      return { ok: true, value: rows };
    case 'collectEntries': {
      if (decision.outputs.length !== 1)
        return {
          ok: false,
          message: `${where}: decision "${decision.id}" has ${decision.outputs.length} outputs; collectEntries needs exactly one.`,
        };
      const name = decision.outputs[0]!.name;
      return { ok: true, value: rows.map((r) => r[name]) };
    }
    case 'singleResult':
      if (rows.length > 1)
        return { ok: false, message: `${where}: ${rows.length} rules matched; a single result was expected.` };
      return { ok: true, value: rows[0] ?? null };
    case 'singleEntry': {
      if (rows.length > 1)
        return { ok: false, message: `${where}: ${rows.length} rules matched; a single entry was expected.` };
      if (decision.outputs.length !== 1)
        return {
          ok: false,
          message: `${where}: decision "${decision.id}" has ${decision.outputs.length} outputs; singleEntry needs exactly one.`,
        };
      return { ok: true, value: rows[0]?.[decision.outputs[0]!.name] ?? null };
    }
  }
}
