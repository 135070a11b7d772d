/**
 * Multi-instance bookkeeping shared by multi-instance user tasks and subprocesses: which items,
 * which runs are active, their outputs, and whether the activity is complete. Pure functions of
 * the machine context and the completing event.
 */
import { evaluateExpression } from '../expressions/feel';
import type { MultiInstance } from '../model/definition';
import type { LoopState, Variables } from '../runtime/types';

export type Items = { ok: true; items: unknown[] } | { ok: false; message: string };

/** Longest collection a multi-instance activity accepts. */
export const MAX_LOOP_ITEMS = 1_000;

export function loopItems(elementId: string, mi: MultiInstance, variables: Variables): Items {
  if (mi.collection !== undefined) {
    const value = evaluateExpression(mi.collection, variables).value;
    if (!Array.isArray(value))
      return {
        ok: false,
        message: `Multi-instance "${elementId}": collection "${mi.collection}" gave ${JSON.stringify(value)}, not a list.`,
      };
    if (value.length > MAX_LOOP_ITEMS)
      return {
        ok: false,
        message: `Multi-instance "${elementId}": ${value.length} items; the limit is ${MAX_LOOP_ITEMS}.`,
      };
    return { ok: true, items: value };
  }
  const n = evaluateExpression(mi.cardinality!, variables).value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_LOOP_ITEMS) {
    return {
      ok: false,
      message: `Multi-instance "${elementId}": cardinality "${mi.cardinality}" gave ${JSON.stringify(n)}, not a whole number from 0 to ${MAX_LOOP_ITEMS}.`,
    };
  }
  return { ok: true, items: Array.from({ length: n }, (_, i) => i + 1) };
}

export function startLoop(items: unknown[], sequential: boolean): LoopState {
  const first = items.length === 0 ? [] : sequential ? [0] : items.map((_, i) => i);
  return { items, active: first, finished: [], outputs: items.map(() => null) };
}

/** The variables one run sees: the process's, plus its item and 1-based loopCounter. */
export function runVariables(mi: MultiInstance, loop: LoopState, index: number, variables: Variables): Variables {
  return { ...variables, [mi.elementVariable]: loop.items[index] ?? null, loopCounter: index + 1 };
}

export interface AfterRun {
  loop: LoopState;
  done: boolean;
  /** The next run to start (sequential), if any. */
  next: number | null;
  /** Outputs of the completed runs, in item order. */
  collected: unknown[];
}

/** The loop after run `index` completed with `submitted` data: recorded, and maybe done. */
export function completeRun(
  mi: MultiInstance,
  loop: LoopState,
  index: number,
  submitted: Variables | null,
  variables: Variables,
): AfterRun {
  const output =
    mi.outputElement === undefined
      ? submitted
      : evaluateExpression(mi.outputElement, { ...runVariables(mi, loop, index, variables), ...submitted }).value;
  const outputs = loop.outputs.map((o, i) => (i === index ? output : o));
  const finished = [...loop.finished, index];
  const completed = finished.length;
  const active = loop.active.filter((i) => i !== index);
  const collected = outputs.filter((_, i) => finished.includes(i));
  const next = mi.sequential && index + 1 < loop.items.length ? index + 1 : null;
  const nrOfActiveInstances = active.length + (next === null ? 0 : 1);
  let done = completed >= loop.items.length;
  if (!done && mi.completionCondition !== undefined) {
    const scope = {
      ...variables,
      nrOfInstances: loop.items.length,
      nrOfCompletedInstances: completed,
      nrOfActiveInstances,
      ...(mi.outputCollection ? { [mi.outputCollection]: collected } : {}),
    };
    done = evaluateExpression(mi.completionCondition, scope).value === true;
  }
  const nextLoop: LoopState = {
    items: loop.items,
    active: done || next === null ? active : [...active, next],
    finished,
    outputs,
  };
  return { loop: nextLoop, done, next: done ? null : next, collected };
}
