/**
 * The budget of one engine command: a `start` or a `send`, with everything it causes inside the
 * engine (scoped runs, side paths, retries). A command may pass so many elements and evaluate so
 * many expressions before it must rest at a wait state; an instance's variables may take so many
 * bytes; call activities nest so deep. Exhausting the budget stops the command where its token is
 * (every eventless transition asks `withinBudget` first, compile.ts) and the step ends in an
 * incident naming the elements of the loop — never a hang.
 *
 * The budget is the running command's, kept here while the command runs: the engine is
 * synchronous and runs one command at a time, so one slot is enough. No clock, no I/O.
 */
import { EngineError } from './errors';

export interface EngineLimits {
  /** Elements one command may pass (gateways, script tasks, events…) and pieces of work it may ask of the host (tasks, jobs, messages…). */
  maxElementEntries: number;
  /** Expressions one command may evaluate (conditions, mappings, decision rules). */
  maxEvaluations: number;
  /** How deep call activities may nest: a process at this depth starts no further child. */
  maxCallDepth: number;
  /** Bytes an instance's variables may take, as JSON. */
  maxVariableBytes: number;
  /**
   * Work the expressions of one command may do inside built-in functions: characters and list
   * items they take and give (`upper case`, `string join`, `sort`…) and regular-expression search
   * steps. Roughly a nanosecond each.
   */
  maxWork: number;
}

export const DEFAULT_LIMITS: Readonly<EngineLimits> = Object.freeze({
  maxElementEntries: 10_000,
  maxEvaluations: 100_000,
  maxCallDepth: 10,
  maxVariableBytes: 1_048_576,
  maxWork: 50_000_000,
});

/** Elements remembered to name a loop: the last ones passed. */
const TRAIL = 64;

type Exhausted =
  { kind: 'entries' | 'evaluations' } | { kind: 'size'; bytes: number } | { kind: 'work'; expression: string };

interface Budget {
  limits: EngineLimits;
  callDepth: number;
  entries: number;
  evaluations: number;
  work: number;
  /** The variables last measured, and the size of each of their values. */
  measured: Record<string, unknown> | null;
  measuredBytes: number;
  sizes: Map<string, { value: unknown; bytes: number }>;
  trail: string[];
  /** The last element that set variables (a script task's mappings): where a size overrun comes from. */
  lastWriter: string | null;
  exhausted: Exhausted | null;
}

let current: Budget | null = null;

/**
 * Runs `command` within a budget of its own, then `finish` on its result while the budget still
 * stands; within the running command's budget when there is one (a scoped run started by a step
 * belongs to that step's command, and is finished with it).
 */
export function metered<T>(limits: EngineLimits, callDepth: number, command: () => T, finish: (result: T) => void): T {
  if (current) return command();
  current = {
    limits,
    callDepth,
    entries: 0,
    evaluations: 0,
    work: 0,
    measured: null,
    measuredBytes: 0,
    sizes: new Map(),
    trail: [],
    lastWriter: null,
    exhausted: null,
  };
  try {
    const result = command();
    finish(result);
    return result;
  } finally {
    current = null;
  }
}

/** Records one element passed (every `element.completed` the machine reports), or one piece of work asked of the host (null). */
export function spendEntry(elementId: string | null, wroteVariables = false): void {
  const b = current;
  if (!b) return;
  b.entries++;
  if (wroteVariables && elementId !== null) b.lastWriter = elementId;
  if (elementId !== null) {
    b.trail.push(elementId);
    if (b.trail.length > TRAIL) b.trail.shift();
  }
  if (b.entries > b.limits.maxElementEntries && !b.exhausted) b.exhausted = { kind: 'entries' };
}

/**
 * Records one expression evaluation. The evaluation itself still happens: a transition already
 * under way finishes with real values (never a null the budget made up) and the command stops at
 * its next eventless step. What one transition evaluates is bounded by its definition's size.
 */
export function spendEvaluation(): void {
  const b = current;
  if (b && ++b.evaluations > b.limits.maxEvaluations && !b.exhausted) b.exhausted = { kind: 'evaluations' };
}

/**
 * Records work done inside built-in functions by `expression`; false once the command's work is
 * spent (the caller stops the evaluation: the command is refused, naming the expression).
 * Outside a command (a connector's settings) it is the caller's own meter that limits the work.
 */
export function spendWork(units: number, expression: string): boolean {
  const b = current;
  if (!b) return true;
  b.work += units;
  if (b.work <= b.limits.maxWork) return true;
  if (!b.exhausted || b.exhausted.kind !== 'work') b.exhausted = { kind: 'work', expression };
  return false;
}

/**
 * Whether the running command may take another eventless step. Asked by every eventless
 * transition before its own guard, with the variables as they are: a loop that grows them past
 * the size limit stops too (measured per variable, and only the variables that changed).
 */
export function withinBudget(variables: Record<string, unknown>): boolean {
  const b = current;
  if (!b) return true;
  if (b.exhausted) return false;
  if (variables !== b.measured) {
    b.measured = variables;
    const bytes = measure(b, variables);
    if (bytes > b.limits.maxVariableBytes) b.exhausted = { kind: 'size', bytes };
  }
  return b.exhausted === null;
}

/** The variables' size, reusing the sizes of values measured before (assign keeps unchanged values). */
function measure(b: Budget, variables: Record<string, unknown>): number {
  const cap = b.limits.maxVariableBytes;
  let total = 2;
  for (const key in variables) {
    const value = variables[key];
    let known = b.sizes.get(key);
    if (!known) b.sizes.set(key, (known = { value, bytes: jsonBytes(value, cap) }));
    else if (known.value !== value) {
      known.value = value;
      known.bytes = jsonBytes(value, cap);
    }
    total += key.length + 4 + known.bytes;
    if (total > cap) break;
  }
  b.measuredBytes = total;
  return total;
}

/** Whether the running command has spent its budget (of steps or evaluations). */
export function spent(): boolean {
  const kind = current?.exhausted?.kind;
  return kind === 'entries' || kind === 'evaluations';
}

/** The depth of the running command's instance in a chain of call activities (0: started by a person or event). */
export function callDepth(): number {
  return current?.callDepth ?? 0;
}

export function limits(): EngineLimits {
  return current?.limits ?? DEFAULT_LIMITS;
}

/** Why the running command was stopped, as an incident at `elementId`; null while it is within budget. */
export function exhaustion(elementId: string): { elementId: string; code: 'BUDGET_EXCEEDED'; message: string } | null {
  const b = current;
  if (!b?.exhausted || b.exhausted.kind === 'size' || b.exhausted.kind === 'work') return null;
  const loop = loopOf(b.trail, elementId);
  const through = loop.length > 1 ? `, in a loop through ${loop.map((id) => `"${id}"`).join(' → ')}` : '';
  const what =
    b.exhausted.kind === 'entries'
      ? `took ${b.limits.maxElementEntries.toLocaleString('en')} steps (elements passed, tasks, jobs and messages asked for)`
      : `evaluated ${b.limits.maxEvaluations.toLocaleString('en')} expressions`;
  return {
    elementId,
    code: 'BUDGET_EXCEEDED',
    message:
      `One step of this instance ${what} (the limit for one step) without reaching a wait state; it was stopped at "${elementId}"${through}. ` +
      'Give the loop a way out that its data can reach, or a wait state (a user task, a timer) inside it; then retry the incident.',
  };
}

/**
 * Refuses a step whose variables outgrew the limit (measured now, or while it ran), naming the
 * element that made them and the size, or whose expressions did more work than it may, naming
 * the expression. Nothing of the step is kept: the host stores nothing.
 */
export function checkVariableSize(
  state: { variables: unknown; scopes?: unknown; loops?: unknown },
  elementId: string | null,
): void {
  const b = current;
  if (b?.exhausted?.kind === 'work') {
    const text =
      b.exhausted.expression.length > 200 ? `${b.exhausted.expression.slice(0, 200)}…` : b.exhausted.expression;
    throw new EngineError(
      'BUDGET_EXCEEDED',
      `The expression "${text}"${elementId ? ` (by "${elementId}")` : ''} made its built-in functions do more work than one step may ` +
        `(${b.limits.maxWork.toLocaleString('en')} characters and items); nothing was changed. Work on smaller texts and lists.`,
    );
  }
  const max = b?.limits.maxVariableBytes ?? DEFAULT_LIMITS.maxVariableBytes;
  const where = elementId ? ` at "${elementId}"` : '';
  const own = state.variables;
  // The variables as the last eventless step measured them, when they have not changed since.
  const measured =
    b?.exhausted?.kind === 'size' ? b.exhausted.bytes : b && own === b.measured ? b.measuredBytes : jsonBytes(own, max);
  if (measured > max) {
    throw new EngineError(
      'VARIABLES_TOO_LARGE',
      `The instance's variables would take more than ${formatBytes(measured)}${where}; the limit is ${formatBytes(max)}. ` +
        'Nothing was changed. Keep large data (files, long lists) outside the process and store a reference to it.',
    );
  }
  // Runs of a multi-instance subprocess each carry their own copy of the variables: their whole state has a cap of its own.
  if (!state.scopes && !state.loops) return;
  const maxState = STATE_FACTOR * max;
  const whole = jsonBytes(state, maxState);
  if (whole > maxState) {
    throw new EngineError(
      'VARIABLES_TOO_LARGE',
      `The instance's state, with its multi-instance runs, would take more than ${formatBytes(whole)}${where}; the limit is ${formatBytes(maxState)} ` +
        `(${STATE_FACTOR} × the variables' limit). Nothing was changed. Run over fewer items, or keep less in the variables each run copies.`,
    );
  }
}

/** How much larger than its variables an instance's whole state (its runs and loops) may be. */
export const STATE_FACTOR = 16;

/** Deepest nesting of lists and records the variables may have: deeper data is refused before the engine copies it. */
export const MAX_VARIABLE_DEPTH = 64;

/** Refuses variables nested deeper than MAX_VARIABLE_DEPTH (walked without recursion), naming where. */
export function checkVariableDepth(variables: unknown, what: string): void {
  const stack: [unknown, number, string][] = [[variables, 0, '']];
  while (stack.length > 0) {
    const [value, depth, path] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth >= MAX_VARIABLE_DEPTH) {
      throw new EngineError(
        'VARIABLES_TOO_LARGE',
        `${what} are nested deeper than ${MAX_VARIABLE_DEPTH} levels (at "${path.slice(0, 200)}"); flatten the data.`,
      );
    }
    for (const key in value)
      stack.push([(value as Record<string, unknown>)[key], depth + 1, path ? `${path}.${key}` : key]);
  }
}

/** The last element passed. */
export function lastEntry(): string | null {
  return current?.trail.at(-1) ?? null;
}

/** The last element that set variables in the running command, if any did. */
export function lastWriter(): string | null {
  return current?.lastWriter ?? null;
}

/** The cycle the trail ends in, from `from` round to `from` again (the elements last passed, when no cycle shows). */
function loopOf(trail: string[], from: string): string[] {
  const last = trail.at(-1);
  if (last === undefined) return [];
  const before = trail.lastIndexOf(last, trail.length - 2);
  if (before < 0) return [...new Set(trail.slice(-8))];
  const cycle = trail.slice(before + 1);
  const at = cycle.indexOf(from);
  // One element over and over is no loop of the process's (the runs of a multi-instance all start alike).
  if (at < 0 || new Set(cycle).size < 2) return [];
  const rotated = [...cycle.slice(at), ...cycle.slice(0, at)];
  return [...rotated, from];
}

/**
 * The size of `value` as JSON in bytes (UTF-16 code units, close enough for a budget), counted
 * without building the text and given up once past `cap` (returns a number above it). Strings
 * made by concatenation are measured without being flattened.
 */
export function jsonBytes(value: unknown, cap: number): number {
  let total = 0;
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') total += v.length + 2;
    else if (typeof v === 'number' || typeof v === 'boolean') total += 8;
    else if (v === null || v === undefined) total += 4;
    else if (Array.isArray(v)) {
      total += 2 + v.length;
      for (let i = 0; i < v.length; i++) stack.push(v[i]);
    } else if (typeof v === 'object') {
      total += 2;
      for (const k in v) {
        total += k.length + 4;
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
    if (total > cap) return total;
  }
  return total;
}

function formatBytes(n: number): string {
  if (n >= 1_048_576) return `${(n / 1_048_576).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(0)} KB`;
  return `${n} bytes`;
}
