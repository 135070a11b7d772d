/**
 * Process-level timer start events: when each fires, for the host that keeps the schedule (one
 * job per timer start event of the version that owns it). A start timer belongs to no instance,
 * so there are no variables: a `=FEEL` timer text is evaluated against none, once, when the
 * schedule is made. Reuses the timers' own due-time arithmetic (compile/timers.ts), so a cycle
 * start event repeats exactly as a cycle boundary event does. Pure: "now" is passed in.
 *
 * A start timer never catches up: when the host fires one late (its workers were down), the next
 * firing is the cycle's first occurrence after the host's now, and the occurrences missed
 * meanwhile count as fired. How often one may fire is bounded when it is published (its cycle's
 * floor, compile/timer-limits.ts) and, for definitions stored before that, by the host's rate cap.
 */
import { timerLimits, type TimerLimits } from '../compile/timer-limits';
import { firstDue, nextDue } from '../compile/timers';
import type { ProcessDefinition, TimerEvent } from '../model/definition';

/** One scheduled firing of a timer start event. */
export interface StartTimer {
  /** The start event's id. */
  elementId: string;
  /** When it fires (ISO 8601 instant). */
  dueAt: string;
  /** Firings still to come after this one: 0 for the last (dates, durations, a cycle's last), null for an unbounded cycle (`R/…`). */
  left: number | null;
}

export interface StartTimerProblem {
  elementId: string;
  message: string;
}

function timerStarts(definition: ProcessDefinition): { elementId: string; timer: TimerEvent }[] {
  const out: { elementId: string; timer: TimerEvent }[] = [];
  // Process level only: timer starts of event subprocesses are the instance's own timers.
  for (const e of definition.elements)
    if (e.type === 'startEvent' && e.event?.kind === 'timer') out.push({ elementId: e.id, timer: e.event });
  return out;
}

/**
 * The first firing of every timer start event of the process: at its date, `now` + its duration,
 * or its cycle's first occurrence (the cycle's start, else `now` + one interval). A timer whose
 * text cannot be read (or whose expression needs instance variables), or whose expression gives
 * a cycle below the start timers' floor (`limits`), is a problem naming it.
 */
export function startTimers(
  definition: ProcessDefinition,
  now: string,
  options: { limits?: Partial<TimerLimits> } = {},
): { timers: StartTimer[]; problems: StartTimerProblem[] } {
  const timers: StartTimer[] = [];
  const problems: StartTimerProblem[] = [];
  const check = { use: 'start' as const, limits: timerLimits(options.limits) };
  for (const { elementId, timer } of timerStarts(definition)) {
    const due = firstDue(timer, now, {}, check);
    if (!due.ok) {
      const expression = (timer.duration ?? timer.date ?? timer.cycle ?? '').startsWith('=');
      problems.push({
        elementId,
        message: `Timer start event "${elementId}": ${due.message}${expression ? ' A start timer has no instance variables to read; give a literal date, duration or cycle, or an expression without variables.' : ''}`,
      });
      continue;
    }
    if (due.repetitionsLeft !== undefined && due.repetitionsLeft !== null && due.repetitionsLeft < 0) {
      problems.push({
        elementId,
        message: `Timer start event "${elementId}": its cycle repeats zero times, so it would never fire; use R1/… or more, or R/… to repeat without end.`,
      });
      continue;
    }
    timers.push({ elementId, dueAt: due.dueAt, left: due.repetitionsLeft === undefined ? 0 : due.repetitionsLeft });
  }
  return { timers, problems };
}

/**
 * The firing after `fired` of a cycle timer start event (its due time + one interval), or null
 * when it was the last (a bounded cycle's n-th, a date, a duration) or the event is gone. Given
 * `now` (the host's, when it fires `fired`), the next firing is after it: missed occurrences are
 * skipped and counted against a bounded cycle's repetitions, so a late worker fires once, not a
 * burst. A zero interval (stored before intervals were checked) is due at `now` again.
 */
export function nextStartTimer(
  definition: ProcessDefinition,
  fired: StartTimer,
  options: { now?: string } = {},
): StartTimer | null {
  if (fired.left === 0) return null;
  const start = timerStarts(definition).find((s) => s.elementId === fired.elementId);
  if (!start || start.timer.cycle === undefined) return null;
  const next = nextDue(start.timer, fired.dueAt, {}, options.now === undefined ? {} : { after: options.now });
  if (!next.ok) return null;
  const left = fired.left === null ? null : fired.left - 1 - next.skipped;
  return left !== null && left < 0 ? null : { elementId: fired.elementId, dueAt: next.dueAt, left };
}
