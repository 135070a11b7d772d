/**
 * The sandboxed expression language: FEEL (the BPMN/DMN standard) through `feelin`.
 *
 * Owns parsing, checking and evaluating designer-written expressions. Never uses
 * `eval`/`Function`; evaluates only against a null-prototype copy of plain JSON data plus the
 * sandbox's own built-ins (`sandboxFunctions`): `matches`, `replace` and `split` on a linear-time
 * engine (regex.ts), and `now()`/`today()` refused, because the engine has no clock of its own.
 * Those are checked where they are called, however the expression reaches them.
 */
import { evaluate, parseExpression, parseUnaryTests, unaryTest } from 'feelin';
import { FALLBACK, fastPath } from './fast-path';
import { compilePattern, regexMatches, regexMeter, regexReplace, regexSplit, type RegexLimits, type RegexMeter } from './regex';
import { spendEvaluation } from '../runtime/budget';

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
/** Built-ins that take a regular expression, and the position and name of their pattern and flags. */
const REGEX_FUNCTIONS: Record<string, { pattern: [number, string]; flags?: [number, string] }> = {
  matches: { pattern: [1, 'pattern'], flags: [2, 'flags'] },
  replace: { pattern: [1, 'pattern'], flags: [3, 'flags'] },
  split: { pattern: [1, 'delimiter'] },
};

/**
 * Returns a problem if `expression` is not acceptable in Trellis' FEEL profile, else null:
 * syntax errors, over-long or deeply nested expressions, user-defined functions, calls of the clock
 * functions, literal patterns the linear-time engine cannot run, and iteration over ranges that
 * are not small literal ones. These are early errors for designers: what they catch by name, the
 * evaluator also refuses (or runs safely) however the function is reached.
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
        const callee = calleeName(node.node, text);
        if (CLOCK_FUNCTIONS.has(callee)) {
          problem = { message: clockRefusal(callee) };
          return false;
        }
        const regex = Object.hasOwn(REGEX_FUNCTIONS, callee) ? REGEX_FUNCTIONS[callee]! : undefined;
        if (regex) {
          const pattern = literalArgument(node.node, regex.pattern, text);
          const flags = regex.flags ? literalArgument(node.node, regex.flags, text) : null;
          if (pattern !== null) {
            try {
              const compiled = compilePattern(pattern, flags ?? '');
              if ('problem' in compiled) problem = { message: `${callee}(): ${compiled.problem}` };
            } catch (error) {
              problem = { message: `${callee}(): ${(error as Error).message}` };
            }
            if (problem) return false;
          }
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

/** The parts of a parse-tree node the checks read (a lezer SyntaxNode). */
interface TreeNode {
  name: string;
  from: number;
  to: number;
  firstChild: TreeNode | null;
  nextSibling: TreeNode | null;
}

function children(node: TreeNode): TreeNode[] {
  const out: TreeNode[] = [];
  for (let child = node.firstChild; child; child = child.nextSibling) out.push(child);
  return out;
}

/** The name a call calls when it is a plain name, also in parentheses (`(now)()`); else ''. */
function calleeName(call: TreeNode, text: (from: number, to: number) => string): string {
  let callee = call.firstChild;
  while (callee?.name === 'ParenthesizedExpression') {
    callee = children(callee).find((c) => c.name !== '(' && c.name !== ')') ?? null;
  }
  return callee?.name === 'VariableName' ? text(callee.from, callee.to).replace(/\s+/g, ' ') : '';
}

/** The value of a call's argument when it is written as a string literal, else null. */
function literalArgument(call: TreeNode, [index, name]: [number, string], text: (from: number, to: number) => string) {
  const params = children(call).find((c) => c.name === 'PositionalParameters' || c.name === 'NamedParameters');
  if (!params) return null;
  const arg =
    params.name === 'PositionalParameters'
      ? children(params)[index]
      : children(params)
          .map(children)
          .find(([key]) => key !== undefined && text(key.from, key.to).trim() === name)?.[1];
  if (arg?.name !== 'StringLiteral') return null;
  // feelin reads the literal, escapes and all, as it will when the expression runs.
  const value = evaluate(text(arg.from, arg.to), {}).value;
  return typeof value === 'string' ? value : null;
}

function clockRefusal(name: string): string {
  return `${name}() is not available: the engine has no clock; use a process variable instead`;
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

export interface EvaluationOptions {
  /** Limits of `matches`, `replace` and `split` (defaults: DEFAULT_REGEX_LIMITS in regex.ts). */
  regex?: Partial<RegexLimits>;
}

/** Evaluates `expression` against `variables` and returns plain JSON-compatible data. */
export function evaluateExpression(expression: string, variables: Variables, options: EvaluationOptions = {}): EvaluationOutcome {
  spendEvaluation();
  const problem = checkExpression(expression);
  if (problem) return { value: null, warnings: [problem.message] };
  const fast = plainNames(variables) ? fastPath(expression) : null;
  if (fast) {
    const ctx = { scope: variables, warnings: [] as string[] };
    const value = fast(ctx);
    if (value !== FALLBACK) return { value, warnings: ctx.warnings };
  }
  const meter = regexMeter(options.regex);
  const outer = active;
  active = meter;
  try {
    const { value, warnings } = evaluate(expression, toSandboxContext(variables));
    return { value: toPlain(value), warnings: [...warnings.map((w) => w.message), ...meter.warnings] };
  } catch (error) {
    return { value: null, warnings: [(error as Error).message, ...meter.warnings] };
  } finally {
    active = outer;
  }
}

/**
 * Tests `value` against a FEEL unary test (a decision table input entry such as `< 250`,
 * `[250..1000]`, `"Misc", "Travel"`, `not("x")`); `-` or empty matches anything.
 */
export function evaluateUnaryTest(test: string, value: unknown, variables: Variables, options: EvaluationOptions = {}): { matches: boolean; problem?: string } {
  const text = test.trim();
  if (text === '' || text === '-') return { matches: true };
  spendEvaluation();
  const refused = checkUnaryTest(text);
  if (refused) return { matches: false, problem: `"${text}": ${refused.message}` };
  const meter = regexMeter(options.regex);
  const outer = active;
  active = meter;
  try {
    const context = toSandboxContext(variables);
    context['?'] = copyNullPrototype(value);
    const matches = unaryTest(text, context).value === true;
    // A pattern that could not run is the table's problem, not a silent "no match".
    return meter.warnings.length > 0 ? { matches: false, problem: `"${text}": ${meter.warnings[0]}` } : { matches };
  } catch (error) {
    return { matches: false, problem: `"${text}" is not a valid FEEL unary test: ${(error as Error).message}` };
  } finally {
    active = outer;
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

/**
 * The context an expression runs in: the sandbox's built-ins, then a deep copy of the variables
 * (JSON data with null prototypes, so expressions cannot reach Object.prototype). A variable may
 * shadow a built-in, as in FEEL; being data, it cannot be called.
 */
function toSandboxContext(value: Variables): Variables {
  const context = Object.create(null) as Variables;
  Object.assign(context, SANDBOX_FUNCTIONS);
  for (const [k, v] of Object.entries(value)) context[k] = copyNullPrototype(v);
  return context;
}

function copyNullPrototype(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copyNullPrototype);
  if (typeof value === 'function') return null;
  if (value !== null && typeof value === 'object') {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(value)) out[k] = copyNullPrototype(v);
    return out;
  }
  return value;
}

/** The regular-expression meter of the evaluation under way (evaluation is synchronous). */
let active: RegexMeter | null = null;

/**
 * feelin's built-ins that may not run as feelin has them, replaced in every evaluation's context.
 * feelin resolves a name from the context before its built-ins, and every context it makes inside
 * an expression (`for`, filters, context literals) starts from a copy of the one it was given, so
 * whatever reaches these names — `matches(…)`, `(matches)(…)`, `{ f: matches }.f(…)` — reaches
 * these functions: the evaluator checks what it calls, not the expression's text.
 */
const SANDBOX_FUNCTIONS: Readonly<Record<string, unknown>> = Object.freeze({
  matches: builtin(['input', 'pattern', 'flags'], 2, ([input, pattern, flags]) =>
    regexMatches(meter(), input!, pattern!, flags ?? ''),
  ),
  replace: builtin(['input', 'pattern', 'replacement', 'flags'], 3, ([input, pattern, replacement, flags]) =>
    regexReplace(meter(), input!, pattern!, replacement!, flags ?? ''),
  ),
  split: builtin(['string', 'delimiter'], 2, ([input, delimiter]) => regexSplit(meter(), input!, delimiter!)),
  now: clock('now'),
  today: clock('today'),
});

function meter(): RegexMeter {
  return active ?? regexMeter();
}

/**
 * A built-in taking strings, as feelin calls a plain function: parameters named by `$args`, a
 * one-item list read as its item, null for a missing or non-string argument (the first `required`
 * ones; the rest may be null).
 */
function builtin(names: string[], required: number, body: (args: (string | undefined)[]) => unknown): unknown {
  const fn = (...values: unknown[]) => {
    const args: (string | undefined)[] = [];
    for (let i = 0; i < names.length; i++) {
      let v = values[i];
      if (Array.isArray(v) && v.length === 1) v = v[0];
      if (typeof v === 'string') args.push(v);
      else if (i >= required && (v === null || v === undefined)) args.push(undefined);
      else return null;
    }
    return body(args);
  };
  return Object.freeze(Object.assign(fn, { $args: Object.freeze([...names]) }));
}

/** `now()` and `today()`: time comes only from the host, as process variables. */
function clock(name: string): unknown {
  return Object.freeze(
    Object.assign(
      () => {
        throw new Error(clockRefusal(name));
      },
      { $args: Object.freeze([] as string[]) },
    ),
  );
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
