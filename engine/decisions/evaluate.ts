/** Evaluates a decision table, with its required decisions, against plain variables. Pure. */
import { evaluateExpression, evaluateUnaryTest } from '../expressions/feel';
import type { Variables } from '../runtime/types';
import type { Decision } from './model';

/** One matched rule's outputs, by output name. */
export type RuleOutput = Record<string, unknown>;

export type DecisionResult =
  | {
      ok: true;
      /** Matched rules' outputs (one entry for single-hit policies, none if nothing matched). */ outputs: RuleOutput[];
      /** The aggregated value, with COLLECT + aggregation. */ aggregate?: number | null;
    }
  | { ok: false; message: string };

export class DecisionError extends Error {}

/** Evaluates `id` from `decisions`, evaluating what it requires first. */
export function evaluateDecision(
  decisions: ReadonlyMap<string, Decision>,
  id: string,
  variables: Variables,
  seen: string[] = [],
): DecisionResult {
  const decision = decisions.get(id);
  if (!decision) return { ok: false, message: `Decision "${id}" is not defined.` };
  if (seen.includes(id))
    return { ok: false, message: `Decisions require each other in a cycle: ${[...seen, id].join(' → ')}.` };
  const scope: Variables = { ...variables };
  for (const required of decision.requires) {
    const result = evaluateDecision(decisions, required, variables, [...seen, id]);
    if (!result.ok) return result;
    const value = singleValue(result, decisions.get(required)!);
    scope[required] = value;
    const outputs = result.outputs.length === 1 ? result.outputs[0]! : {};
    for (const [name, v] of Object.entries(outputs)) if (!(name in scope)) scope[name] = v;
  }
  return evaluateTable(decision, scope);
}

/** A decision's result as one value: the single output's value, an object of outputs, or a list. */
export function singleValue(result: Extract<DecisionResult, { ok: true }>, decision: Decision): unknown {
  if (result.aggregate !== undefined) return result.aggregate;
  const values = result.outputs.map((o) => (decision.outputs.length === 1 ? o[decision.outputs[0]!.name] : o));
  return isSingleHit(decision) ? (values[0] ?? null) : values;
}

export function isSingleHit(decision: Decision): boolean {
  return (
    decision.hitPolicy === 'UNIQUE' ||
    decision.hitPolicy === 'FIRST' ||
    decision.hitPolicy === 'PRIORITY' ||
    decision.hitPolicy === 'ANY'
  );
}

function evaluateTable(decision: Decision, scope: Variables): DecisionResult {
  const matched = matchRules(decision, scope);
  return Array.isArray(matched) ? applyHitPolicy(decision, matched) : matched;
}

/**
 * A table evaluated on sample variables, saying which rules (1-based) matched: the table editor's
 * Try it. The table alone: what it requires is read from the variables, as if already evaluated.
 */
export function tryDecision(decision: Decision, variables: Variables): { result: DecisionResult; matched: number[] } {
  const matched = matchRules(decision, { ...variables });
  if (!Array.isArray(matched)) return { result: matched, matched: [] };
  return { result: applyHitPolicy(decision, matched), matched: matched.map((m) => m.index + 1) };
}

/** The rules whose every input entry holds, with their outputs; or what stopped the table. */
function matchRules(
  decision: Decision,
  scope: Variables,
): { index: number; outputs: RuleOutput }[] | { ok: false; message: string } {
  const inputValues = decision.inputs.map((input) => evaluateExpression(input.expression, scope).value);
  const matched: { index: number; outputs: RuleOutput }[] = [];
  for (const [index, rule] of decision.rules.entries()) {
    if (rule.inputEntries.length !== decision.inputs.length || rule.outputEntries.length !== decision.outputs.length) {
      return {
        ok: false,
        message: `Rule ${index + 1} of decision "${decision.id}" has ${rule.inputEntries.length} input and ${rule.outputEntries.length} output entries; the table has ${decision.inputs.length} inputs and ${decision.outputs.length} outputs.`,
      };
    }
    let matches = true;
    for (const [i, entry] of rule.inputEntries.entries()) {
      const test = evaluateUnaryTest(entry, inputValues[i] ?? null, scope);
      if (test.problem)
        return { ok: false, message: `Input entry of rule ${index + 1} in decision "${decision.id}": ${test.problem}` };
      if (!test.matches) {
        matches = false;
        break;
      }
    }
    if (!matches) continue;
    const outputs: RuleOutput = {};
    for (const [i, output] of decision.outputs.entries())
      outputs[output.name] = evaluateExpression(rule.outputEntries[i]!, scope).value;
    matched.push({ index, outputs });
  }
  return matched;
}

function applyHitPolicy(decision: Decision, matched: { index: number; outputs: RuleOutput }[]): DecisionResult {
  const outputs = matched.map((m) => m.outputs);
  switch (decision.hitPolicy) {
    case 'UNIQUE':
      if (matched.length > 1)
        return {
          ok: false,
          message: `Decision "${decision.id}" has hit policy UNIQUE but rules ${matched.map((m) => m.index + 1).join(', ')} all match.`,
        };
      return { ok: true, outputs };
    case 'FIRST':
      return { ok: true, outputs: outputs.slice(0, 1) };
    case 'ANY': {
      const distinct = new Set(outputs.map((o) => JSON.stringify(o)));
      if (distinct.size > 1)
        return {
          ok: false,
          message: `Decision "${decision.id}" has hit policy ANY but the matching rules ${matched.map((m) => m.index + 1).join(', ')} give different outputs.`,
        };
      return { ok: true, outputs: outputs.slice(0, 1) };
    }
    case 'PRIORITY':
      return { ok: true, outputs: byPriority(decision, outputs).slice(0, 1) };
    case 'OUTPUT ORDER':
      return { ok: true, outputs: byPriority(decision, outputs) };
    case 'RULE ORDER':
      return { ok: true, outputs };
    case 'COLLECT': {
      if (!decision.aggregation) return { ok: true, outputs };
      const name = decision.outputs[0]!.name;
      const values = outputs.map((o) => o[name]);
      if (decision.aggregation === 'COUNT') return { ok: true, outputs, aggregate: values.length };
      const numbers = values.filter((v): v is number => typeof v === 'number');
      if (numbers.length !== values.length)
        return {
          ok: false,
          message: `Decision "${decision.id}" aggregates with ${decision.aggregation}, but not every output is a number.`,
        };
      if (numbers.length === 0) return { ok: true, outputs, aggregate: null };
      const aggregate =
        decision.aggregation === 'SUM'
          ? numbers.reduce((a, b) => a + b, 0)
          : decision.aggregation === 'MIN'
            ? Math.min(...numbers)
            : Math.max(...numbers);
      return { ok: true, outputs, aggregate };
    }
  }
}

/** Sorts rule outputs by the position of their values in each output's `values` list. */
function byPriority(decision: Decision, outputs: RuleOutput[]): RuleOutput[] {
  const rank = (o: RuleOutput) =>
    decision.outputs.map((out) => {
      const values = (out.values ?? []).map((v) => evaluateExpression(v, {}).value);
      const i = values.findIndex((v) => JSON.stringify(v) === JSON.stringify(o[out.name]));
      return i === -1 ? Number.MAX_SAFE_INTEGER : i;
    });
  return outputs
    .map((o, i) => ({ o, i, r: rank(o) }))
    .sort((a, b) => {
      for (let k = 0; k < a.r.length; k++) if (a.r[k] !== b.r[k]) return a.r[k]! - b.r[k]!;
      return a.i - b.i;
    })
    .map((x) => x.o);
}
