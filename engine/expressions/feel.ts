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
import {
  compilePattern,
  regexMatches,
  regexMeter,
  regexReplace,
  regexSplit,
  type RegexLimits,
  type RegexMeter,
} from './regex';
import { limits, spendEvaluation, spendWork } from '../runtime/budget';

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
        problem = {
          message: 'an expression may iterate over one list or range only (one "for", "some" or "every" with one "in")',
        };
        return false;
      }
      if (node.name === 'IterationContext') {
        const range = text(node.from, node.to).split('..');
        if (range.length === 2) {
          const [low, high] = range.map((r) => Number(r.trim()));
          if (!Number.isFinite(low) || !Number.isFinite(high) || Math.abs(high! - low!) > MAX_RANGE) {
            problem = {
              message: `iterating over the range "${text(node.from, node.to)}" is not allowed; ranges must be literal numbers at most ${MAX_RANGE} apart (iterate over a list instead)`,
            };
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
export function evaluateExpression(
  expression: string,
  variables: Variables,
  options: EvaluationOptions = {},
): EvaluationOutcome {
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
  const outerWork = work;
  active = meter;
  work = { used: 0, limit: limits().maxWork, expression };
  try {
    const { value, warnings } = evaluate(expression, toSandboxContext(variables));
    return { value: toPlain(value), warnings: [...warnings.map((w) => w.message), ...meter.warnings] };
  } catch (error) {
    return { value: null, warnings: [(error as Error).message, ...meter.warnings] };
  } finally {
    active = outer;
    work = outerWork;
  }
}

/**
 * Tests `value` against a FEEL unary test (a decision table input entry such as `< 250`,
 * `[250..1000]`, `"Misc", "Travel"`, `not("x")`); `-` or empty matches anything.
 */
export function evaluateUnaryTest(
  test: string,
  value: unknown,
  variables: Variables,
  options: EvaluationOptions = {},
): { matches: boolean; problem?: string } {
  const text = test.trim();
  if (text === '' || text === '-') return { matches: true };
  spendEvaluation();
  const refused = checkUnaryTest(text);
  if (refused) return { matches: false, problem: `"${text}": ${refused.message}` };
  const meter = regexMeter(options.regex);
  const outer = active;
  const outerWork = work;
  active = meter;
  work = { used: 0, limit: limits().maxWork, expression: text };
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
    work = outerWork;
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
/** The work done in built-in functions by the evaluation under way, and what it may do. */
let work: { used: number; limit: number; expression: string } | null = null;

/**
 * Charges `units` of work done by built-in `name` to the evaluation and to its command's budget
 * (runtime/budget.ts); past either, the evaluation stops at once (it gives no value, and a
 * command is refused whole, naming the expression).
 */
function chargeWork(name: string, units: number): void {
  const w = work;
  if (!w) return;
  w.used += units;
  const withinCommand = spendWork(units, w.expression);
  if (!withinCommand || w.used > w.limit) {
    throw new Error(
      `"${name}" was stopped: the expression made its built-in functions do more work than one step may (${w.limit.toLocaleString('en')} characters and items)`,
    );
  }
}

/** The work a value stands for: a text's characters, a list's items (and those of the texts and lists in it), a context's entries. */
function units(value: unknown): number {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) {
    let n = value.length;
    for (const v of value) if (typeof v === 'string' || Array.isArray(v)) n += v.length;
    return n;
  }
  if (value !== null && typeof value === 'object') return Object.keys(value).length;
  return 1;
}

/**
 * feelin's built-ins whose work grows with the texts, lists and contexts they take and give. Each
 * is replaced in every evaluation's context by itself, metered: a `for` over 10,000 items that
 * upper-cases a long text, joins, sorts or copies lists is stopped once it has done the step's
 * work, not after it has filled the memory.
 */
const DATA_BUILTINS = [
  'string',
  'substring',
  'string length',
  'upper case',
  'lower case',
  'substring before',
  'substring after',
  'contains',
  'starts with',
  'ends with',
  'string join',
  'list contains',
  'list replace',
  'count',
  'min',
  'max',
  'sum',
  'mean',
  'all',
  'any',
  'sublist',
  'append',
  'concatenate',
  'insert before',
  'remove',
  'reverse',
  'index of',
  'union',
  'distinct values',
  'flatten',
  'product',
  'median',
  'stddev',
  'mode',
  'sort',
  'get value',
  'get entries',
  'context',
  'context merge',
  'context put',
];

function metered(name: string, fn: ((...args: unknown[]) => unknown) & { $args?: readonly string[] }): unknown {
  const wrapped = (...args: unknown[]) => {
    let cost = 0;
    for (const a of args) cost += units(a);
    // Sorting compares about n·log n times.
    if (name === 'sort' && Array.isArray(args[0])) cost += args[0].length * Math.ceil(Math.log2(args[0].length + 1));
    chargeWork(name, cost);
    const result = fn(...args);
    chargeWork(name, units(result));
    return result;
  };
  return Object.freeze(Object.assign(wrapped, { $args: fn.$args }));
}

function feelinBuiltin(name: string) {
  const fn = evaluate(name, {}).value;
  if (typeof fn !== 'function') throw new Error(`feelin has no built-in "${name}"`);
  return fn as (...args: unknown[]) => unknown;
}

/**
 * feelin's built-ins that may not run as feelin has them, replaced in every evaluation's context.
 * feelin resolves a name from the context before its built-ins, and every context it makes inside
 * an expression (`for`, filters, context literals) starts from a copy of the one it was given, so
 * whatever reaches these names — `matches(…)`, `(matches)(…)`, `{ f: matches }.f(…)` — reaches
 * these functions: the evaluator checks what it calls, not the expression's text.
 */
const SANDBOX_FUNCTIONS: Readonly<Record<string, unknown>> = Object.freeze({
  ...Object.fromEntries(DATA_BUILTINS.map((name) => [name, metered(name, feelinBuiltin(name))])),
  matches: builtin(['input', 'pattern', 'flags'], 2, ([input, pattern, flags]) =>
    searched('matches', () => regexMatches(meter(), input!, pattern!, flags ?? '')),
  ),
  replace: builtin(['input', 'pattern', 'replacement', 'flags'], 3, ([input, pattern, replacement, flags]) =>
    searched('replace', () => regexReplace(meter(), input!, pattern!, replacement!, flags ?? '')),
  ),
  split: builtin(['string', 'delimiter'], 2, ([input, delimiter]) =>
    searched('split', () => regexSplit(meter(), input!, delimiter!)),
  ),
  now: clock('now'),
  today: clock('today'),
});

function meter(): RegexMeter {
  return active ?? regexMeter();
}

/** A regular-expression search, its search steps and its result charged to the step's work too. */
function searched<T>(name: string, search: () => T): T {
  const m = meter();
  const before = m.work;
  const result = search();
  chargeWork(name, m.work - before + units(result));
  return result;
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
