/**
 * Turns a timer definition into an absolute due time, from the "now" the host passed in, and
 * checks timer texts: literal ones when the definition is validated, the texts `=FEEL` timers
 * give each time they are evaluated (an expression cannot be checked earlier). What a cycle may
 * do is compile/timer-limits.ts's to say.
 */
import { evaluateExpression } from '../expressions/feel';
import type { TimerEvent } from '../model/definition';
import { addDuration, nextOccurrence, readCycle, readDuration, readInstant, type Cycle } from '../time/iso8601';
import type { Variables } from '../runtime/types';
import { cycleProblem, DEFAULT_TIMER_LIMITS, type TimerLimits, type TimerUse } from './timer-limits';

export type DueTime = { ok: true; dueAt: string; repetitionsLeft?: number | null } | { ok: false; message: string };

/** What a timer is used for and the limits it must keep; checked on the texts expressions give. */
export interface TimerCheck {
  use: TimerUse;
  limits: TimerLimits;
}

/** The last instant a due time may be: ISO 8601's four-digit years. */
const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** The timer's text: literal, or the string a `=FEEL` expression gives. */
function textOf(value: string, variables: Variables): string | null {
  if (!value.startsWith('=')) return value;
  const result = evaluateExpression(value.slice(1), variables).value;
  return typeof result === 'string' ? result : null;
}

/** A due time as ISO text, or null when it falls outside the calendar (a huge duration). */
function dueText(at: Date): string | null {
  const t = at.getTime();
  return Number.isFinite(t) && t <= LAST_INSTANT ? at.toISOString() : null;
}

/**
 * A cycle read for firing. With `check`, the text an expression gives must keep the limits for
 * the timer's use; a literal text was checked when its definition was published, under the
 * limits of that day, so only the floor under every cycle (a second, never zero: it would fire
 * without pause) is applied again.
 */
function cycleToFire(
  text: string,
  check: TimerCheck | undefined,
  isExpression: boolean,
): { ok: true; cycle: Cycle } | { ok: false; message: string } {
  const read = readCycle(text);
  if (!read.ok) return { ok: false, message: `Timer cycle ${read.message}.` };
  if (read.value.repetitions === 0) {
    return {
      ok: false,
      message: `Timer cycle "${text}" repeats zero times, so it would never fire; use R1/… or more.`,
    };
  }
  // 'once' asks only for the floor under every cycle (a second; never zero).
  const problem = check ? cycleProblem(text, read.value, isExpression ? check.use : 'once', check.limits) : null;
  if (problem) return { ok: false, message: `Timer ${problem}.` };
  return { ok: true, cycle: read.value };
}

/**
 * The first firing. With `check`, the text an expression gives must keep the limits for the
 * timer's use (literal texts were checked when the definition was validated; versions stored
 * before a limit existed keep running as they were published, see cycleToFire).
 */
export function firstDue(timer: TimerEvent, now: string | null, variables: Variables, check?: TimerCheck): DueTime {
  const raw = timer.duration ?? timer.date ?? timer.cycle ?? '';
  const text = textOf(raw, variables);
  if (text === null) return { ok: false, message: `Timer expression "${raw}" did not give a text value.` };
  const beyond = {
    ok: false as const,
    message: `Timer "${text}" falls after the year 9999; give a nearer date or a shorter duration.`,
  };
  if (timer.date !== undefined) {
    const at = readInstant(text);
    if (!at.ok) return { ok: false, message: `Timer date ${at.message}.` };
    const dueAt = dueText(at.value);
    return dueAt ? { ok: true, dueAt } : beyond;
  }
  const start = now === null ? null : readInstant(now);
  if (!start?.ok) return { ok: false, message: 'A timer needs the current time: pass `now` (ISO 8601) with the step.' };
  if (timer.duration !== undefined) {
    const d = readDuration(text);
    if (!d.ok) return { ok: false, message: `Timer duration ${d.message}.` };
    const dueAt = dueText(addDuration(start.value, d.value));
    return dueAt ? { ok: true, dueAt } : beyond;
  }
  const read = cycleToFire(text, check, raw.startsWith('='));
  if (!read.ok) return read;
  const { cycle } = read;
  const dueAt = dueText(cycle.start ?? addDuration(start.value, cycle.interval));
  if (!dueAt) return beyond;
  return { ok: true, dueAt, repetitionsLeft: cycle.repetitions === null ? null : cycle.repetitions - 1 };
}

export type NextDue = { ok: true; dueAt: string; skipped: number } | { ok: false; message: string };

/**
 * The next firing of a cycle timer after the one due at `lastDue`: one interval later, or, given
 * `after` (the host's now), the cycle's first occurrence after it — occurrences missed meanwhile
 * are skipped (and counted), never fired in a burst. An expression is evaluated again with the
 * variables as they are now and, with `check`, must keep the limits (see cycleToFire).
 */
export function nextDue(
  timer: TimerEvent,
  lastDue: string,
  variables: Variables,
  options: { check?: TimerCheck; after?: string } = {},
): NextDue {
  if (timer.cycle === undefined) return { ok: false, message: 'Timer has no cycle, so it does not repeat.' };
  const text = textOf(timer.cycle, variables);
  if (text === null) return { ok: false, message: `Timer expression "${timer.cycle}" did not give a text value.` };
  const read = cycleToFire(text, options.check, timer.cycle.startsWith('='));
  if (!read.ok) return read;
  const last = readInstant(lastDue);
  if (!last.ok) return { ok: false, message: `The last firing's due time ${last.message}.` };
  const after = options.after === undefined ? null : readInstant(options.after);
  const next = after?.ok
    ? nextOccurrence(last.value, read.cycle.interval, after.value)
    : { at: addDuration(last.value, read.cycle.interval), skipped: 0 };
  const dueAt = dueText(next.at);
  return dueAt
    ? { ok: true, dueAt, skipped: next.skipped }
    : { ok: false, message: `Timer cycle "${text}" falls after the year 9999.` };
}

/**
 * Literal timer texts, checked when the definition is validated: they must read, dates must be
 * real ones, and a cycle must keep the limits for the timer's use. `=FEEL` texts are checked
 * when they are evaluated (firstDue, nextDue).
 */
export function checkTimerText(
  timer: TimerEvent,
  use: TimerUse = 'once',
  limits: TimerLimits = DEFAULT_TIMER_LIMITS,
): string | null {
  const raw = timer.duration ?? timer.date ?? timer.cycle ?? '';
  if (timer.duration === undefined && timer.date === undefined && timer.cycle === undefined)
    return 'it has no duration, date or cycle; say when it fires';
  if (raw.startsWith('=')) return null;
  if (timer.duration !== undefined) {
    const d = readDuration(raw);
    return d.ok ? null : `duration ${d.message}`;
  }
  if (timer.date !== undefined) {
    const at = readInstant(raw);
    return at.ok ? null : `date ${at.message}`;
  }
  const cycle = readCycle(raw);
  if (!cycle.ok) return `cycle ${cycle.message}`;
  // R0 would fire once anyway and then count below zero, for ever.
  if (cycle.value.repetitions === 0)
    return `cycle "${raw}" repeats zero times, so it would never fire; use R1/… or more, or R/… to repeat without end`;
  return cycleProblem(raw, cycle.value, use, limits);
}
