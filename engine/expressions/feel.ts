/**
 * The sandboxed expression language: FEEL (the BPMN/DMN standard) through `feelin`.
 *
 * Owns parsing, checking and evaluating designer-written expressions. Never uses
 * `eval`/`Function`; evaluates only against a null-prototype copy of plain JSON data;
 * refuses clock functions (`now()`, `today()`) because the engine has no clock of its own.
 */
import { evaluate, parseExpression, parseUnaryTests, unaryTest } from 'feelin';
import { FALLBACK, fastPath } from './fast-path';

/** Longest expression accepted; designers write conditions, not programs. */
export const MAX_EXPRESSION_LENGTH = 2_000;

const CLOCK_FUNCTIONS = new Set(['now', 'today']);

export interface ExpressionProblem {
  message: string;
}

/** Deepest nesting of the parse tree accepted (parentheses, lists, contexts, calls). */
export const MAX_NESTING = 32;
/** Longest literal range a `for`, `some` or `every` may iterate over. */
export const MAX_RANGE = 10_000;
/** Built-ins that take regular expressions: a designer's pattern could make evaluation hang. */
const REGEX_FUNCTIONS = new Set(['matches', 'replace']);

/**
 * Returns a problem if `expression` is not acceptable in Trellis' FEEL profile, else null:
 * syntax errors, over-long or deeply nested expressions, user-defined functions, clock functions,
 * regular-expression functions, and iteration over ranges that are not small literal ones.
 */
export function checkExpression(expression: string): ExpressionProblem | null {
  const known = checked.get(expression);
  if (known !== undefined) return known;
  const problem = checkUncached(expression);
  // Expressions come from definitions, so few distinct ones recur; keep the cache bounded anyway.
  if (checked.size >= MAX_CACHED) checked.clear();
  checked.set(expression, problem);
  return problem;
}

const MAX_CACHED = 10_000;
const checked = new Map<string, ExpressionProblem | null>();

function checkUncached(expression: string, unary = false): ExpressionProblem | null {
  if (expression.trim() === '') return { message: 'expression is empty' };
  if (expression.length > MAX_EXPRESSION_LENGTH) {
    return { message: `expression is ${expression.length} characters long; the limit is ${MAX_EXPRESSION_LENGTH}` };
  }
  let tree;
  try {
    tree = unary ? parseUnaryTests(expression, {}, undefined) : parseExpression(expression, {}, undefined);
  } catch (error) {
    return { message: `FEEL syntax error: ${(error as Error).message}` };
  }
  let problem: ExpressionProblem | null = null;
  let depth = 0;
  let iterations = 0;
  const text = (from: number, to: number) => expression.slice(from, to);
  tree.iterate({
    enter(node) {
      if (problem) return false;
      depth++;
      if (depth > MAX_NESTING + 2) {
        problem = { message: `expression is nested more than ${MAX_NESTING} levels deep` };
        return false;
      }
      if (node.type.isError) {
        problem = { message: `FEEL syntax error at character ${node.from + 1} of "${expression}"` };
        return false;
      }
      if (node.name === 'FunctionDefinition') {
        problem = { message: 'defining functions in an expression is not allowed; use the built-in functions' };
        return false;
      }
      if (node.name === 'FunctionInvocation') {
        const callee = text(node.from, node.to).split('(')[0]?.trim() ?? '';
        if (CLOCK_FUNCTIONS.has(callee)) {
          problem = { message: `${callee}() is not available: the engine has no clock; use a process variable instead` };
          return false;
        }
        if (REGEX_FUNCTIONS.has(callee)) {
          problem = { message: `${callee}() takes a regular expression, which expressions may not use; check patterns in the form instead` };
          return false;
        }
      }
      if (node.name === 'InExpression' && ++iterations > 1) {
        // Nested or combined iterations multiply: one loop per expression keeps the work linear.
        problem = { message: 'an expression may iterate over one list or range only (one "for", "some" or "every" with one "in")' };
        return false;
      }
      if (node.name === 'IterationContext') {
        const range = text(node.from, node.to).split('..');
        if (range.length === 2) {
          const [low, high] = range.map((r) => Number(r.trim()));
          if (!Number.isFinite(low) || !Number.isFinite(high) || Math.abs(high! - low!) > MAX_RANGE) {
            problem = { message: `iterating over the range "${text(node.from, node.to)}" is not allowed; ranges must be literal numbers at most ${MAX_RANGE} apart (iterate over a list instead)` };
            return false;
          }
        }
      }
      return undefined;
    },
    leave() {
      depth--;
    },
  });
  return problem;
}

/** The same profile for a decision table's unary tests (`< 250`, `"a", "b"`, `not("x")`). */
export function checkUnaryTest(test: string): ExpressionProblem | null {
  const key = `?${test}`;
  const known = checked.get(key);
  if (known !== undefined) return known;
  const trimmed = test.trim();
  const problem = trimmed === '' || trimmed === '-' ? null : checkUncached(test, true);
  if (checked.size >= MAX_CACHED) checked.clear();
  checked.set(key, problem);
  return problem;
}

export type Variables = Record<string, unknown>;

export interface EvaluationOutcome {
  value: unknown;
  /** Why the value may not mean what the designer intended (e.g. a variable was missing). */
  warnings: string[];
}

/** Evaluates `expression` against `variables` and returns plain JSON-compatible data. */
export function evaluateExpression(expression: string, variables: Variables): EvaluationOutcome {
  const problem = checkExpression(expression);
  if (problem) return { value: null, warnings: [problem.message] };
  const fast = plainNames(variables) ? fastPath(expression) : null;
  if (fast) {
    const ctx = { scope: variables, warnings: [] as string[] };
    const value = fast(ctx);
    if (value !== FALLBACK) return { value, warnings: ctx.warnings };
  }
  try {
    const { value, warnings } = evaluate(expression, toSandboxContext(variables));
    return { value: toPlain(value), warnings: warnings.map((w) => w.message) };
  } catch (error) {
    return { value: null, warnings: [(error as Error).message] };
  }
}

/**
 * Tests `value` against a FEEL unary test (a decision table input entry such as `< 250`,
 * `[250..1000]`, `"Misc", "Travel"`, `not("x")`); `-` or empty matches anything.
 */
export function evaluateUnaryTest(test: string, value: unknown, variables: Variables): { matches: boolean; problem?: string } {
  const text = test.trim();
  if (text === '' || text === '-') return { matches: true };
  const refused = checkUnaryTest(text);
  if (refused) return { matches: false, problem: `"${text}": ${refused.message}` };
  try {
    const context = toSandboxContext(variables);
    context['?'] = copyNullPrototype(value);
    return { matches: unaryTest(text, context).value === true };
  } catch (error) {
    return { matches: false, problem: `"${text}" is not a valid FEEL unary test: ${(error as Error).message}` };
  }
}

/**
 * The fast path reads `a-b` as a subtraction and `x.y` as a path; FEEL also allows variables
 * named like that. When any variable name is not a plain identifier, let feelin decide.
 */
function plainNames(variables: Variables): boolean {
  for (const key in variables) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return false;
  return true;
}

/** A deep copy of JSON data with null prototypes, so expressions cannot reach Object.prototype. */
function toSandboxContext(value: Variables): Variables {
  return copyNullPrototype(value) as Variables;
}

function copyNullPrototype(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyNullPrototype);
  if (value !== null && typeof value === 'object') {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) out[k] = copyNullPrototype(v);
    return out;
  }
  return value;
}

/** FEEL values (dates, durations, contexts) back to JSON data. */
function toPlain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(toPlain);
  if (typeof value === 'object') {
    const iso = (value as { iso?: unknown }).iso;
    if (typeof iso === 'string') return iso;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
    return out;
  }
  return null;
}
