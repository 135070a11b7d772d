/** Turns a timer definition into an absolute due time, from the "now" the host passed in. */
import { evaluateExpression } from '../expressions/feel';
import type { TimerEvent } from '../model/definition';
import { addDuration, parseCycle, parseDuration, parseInstant } from '../time/iso8601';
import type { Variables } from '../runtime/types';

export type DueTime = { ok: true; dueAt: string; repetitionsLeft?: number | null } | { ok: false; message: string };

/** The timer's text: literal, or the string a `=FEEL` expression gives. */
function textOf(value: string, variables: Variables): string | null {
  if (!value.startsWith('=')) return value;
  const result = evaluateExpression(value.slice(1), variables).value;
  return typeof result === 'string' ? result : null;
}

export function firstDue(timer: TimerEvent, now: string | null, variables: Variables): DueTime {
  const raw = timer.duration ?? timer.date ?? timer.cycle ?? '';
  const text = textOf(raw, variables);
  if (text === null) return { ok: false, message: `Timer expression "${raw}" did not give a text value.` };
  if (timer.date !== undefined) {
    const at = parseInstant(text);
    return at ? { ok: true, dueAt: at.toISOString() } : { ok: false, message: `Timer date "${text}" is not an ISO 8601 date or date-time.` };
  }
  const start = now === null ? null : parseInstant(now);
  if (!start) return { ok: false, message: 'A timer needs the current time: pass `now` (ISO 8601) with the step.' };
  if (timer.duration !== undefined) {
    const d = parseDuration(text);
    return d ? { ok: true, dueAt: addDuration(start, d).toISOString() } : { ok: false, message: `Timer duration "${text}" is not an ISO 8601 duration such as P2D or PT4H.` };
  }
  const cycle = parseCycle(text);
  if (!cycle) return { ok: false, message: `Timer cycle "${text}" is not an ISO 8601 repeating interval such as R3/PT10H.` };
  const dueAt = cycle.start ?? addDuration(start, cycle.interval);
  return { ok: true, dueAt: dueAt.toISOString(), repetitionsLeft: cycle.repetitions === null ? null : cycle.repetitions - 1 };
}

/** The next firing of a cycle timer after the one due at `lastDue`. */
export function nextDue(timer: TimerEvent, lastDue: string, variables: Variables): string | null {
  if (timer.cycle === undefined) return null;
  const text = textOf(timer.cycle, variables);
  const cycle = text === null ? null : parseCycle(text);
  const last = parseInstant(lastDue);
  return cycle && last ? addDuration(last, cycle.interval).toISOString() : null;
}

/** Literal timer texts are checked when the definition is validated. */
export function checkTimerText(timer: TimerEvent): string | null {
  const raw = timer.duration ?? timer.date ?? timer.cycle ?? '';
  if (timer.duration === undefined && timer.date === undefined && timer.cycle === undefined) return 'it has no duration, date or cycle; say when it fires';
  if (raw.startsWith('=')) return null;
  if (timer.duration !== undefined && !parseDuration(raw)) return `duration "${raw}" is not an ISO 8601 duration such as P2D or PT4H`;
  if (timer.date !== undefined && !parseInstant(raw)) return `date "${raw}" is not an ISO 8601 date or date-time`;
  if (timer.cycle !== undefined && !parseCycle(raw)) return `cycle "${raw}" is not an ISO 8601 repeating interval such as R3/PT10H (cron expressions are not supported)`;
  // R0 would fire once anyway and then count below zero, for ever.
  if (timer.cycle !== undefined && parseCycle(raw)?.repetitions === 0) return `cycle "${raw}" repeats zero times, so it would never fire; use R1/… or more, or R/… to repeat without end`;
  return null;
}
