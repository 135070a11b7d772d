/**
 * How often a timer may fire and how many times: the floors under cycle intervals and the cap
 * on repetitions. A cycle that fires again and again (a process's timer start event, a
 * non-interrupting boundary timer or event-subprocess timer start) is bounded here, so no
 * definition can start instances or steps in a tight loop; one that fires once (an intermediate
 * catch event, an interrupting boundary timer) only needs an interval of a second or more.
 *
 * Checked on literal timer texts when a definition is validated (validate/rules/timers.ts) and
 * on the texts `=FEEL` timers give when the engine evaluates them (compile/timers.ts). The host
 * may set its own limits (ValidateOptions / CompileOptions `timerLimits`, startTimers).
 */
import { shortestSeconds, type Cycle } from '../time/iso8601';

export interface TimerLimits {
  /** Shortest interval, in seconds, of any timer cycle (never zero). */
  minCycleSeconds: number;
  /** Shortest interval, in seconds, of a process-level timer start event's cycle. */
  minStartCycleSeconds: number;
  /** Shortest interval, in seconds, of a cycle that repeats inside an instance (non-interrupting timers). */
  minRepeatingCycleSeconds: number;
  /** Most repetitions a repeating cycle may count (`R<n>/…`); `R/…` repeats without end, at the floor's pace. */
  maxRepetitions: number;
}

/** No cycle fires more often than once a second, wherever it is: one firing is one command. */
export const MIN_TIMER_CYCLE_SECONDS = 1;
/** Start timers fire at most once a minute: each firing starts an instance. */
export const MIN_START_TIMER_CYCLE_SECONDS = 60;
/** A reminder may repeat at most once a minute: each firing is a step of the instance, often a new task. */
export const MIN_REPEATING_TIMER_CYCLE_SECONDS = 60;
/** `R1000000/PT1S` is a typing error or an attack, not a plan; a longer series is `R/…`. */
export const MAX_TIMER_REPETITIONS = 1_000;

export const DEFAULT_TIMER_LIMITS: Readonly<TimerLimits> = Object.freeze({
  minCycleSeconds: MIN_TIMER_CYCLE_SECONDS,
  minStartCycleSeconds: MIN_START_TIMER_CYCLE_SECONDS,
  minRepeatingCycleSeconds: MIN_REPEATING_TIMER_CYCLE_SECONDS,
  maxRepetitions: MAX_TIMER_REPETITIONS,
});

export function timerLimits(overrides: Partial<TimerLimits> = {}): TimerLimits {
  return { ...DEFAULT_TIMER_LIMITS, ...overrides };
}

/**
 * What a timer is used for: a process-level timer start event (`start`), a non-interrupting
 * boundary timer or event-subprocess timer start, which fires on while its scope waits
 * (`repeating`), or anything that fires once (`once`).
 */
export type TimerUse = 'start' | 'repeating' | 'once';

/** Why a cycle breaks the limits for its use (a phrase, no final full stop), or null. */
export function cycleProblem(text: string, cycle: Cycle, use: TimerUse, limits: TimerLimits): string | null {
  const seconds = shortestSeconds(cycle.interval);
  if (!(seconds > 0)) {
    return `cycle "${text}" has an interval of zero, so it would fire without pause; give it an interval such as PT1H or P1D`;
  }
  // R1/… fires once, whatever its use.
  const once = use === 'once' || cycle.repetitions === 1;
  const own = use === 'start' ? limits.minStartCycleSeconds : limits.minRepeatingCycleSeconds;
  const floor = once ? limits.minCycleSeconds : Math.max(limits.minCycleSeconds, own);
  const problems: string[] = [];
  if (seconds < floor && once) {
    problems.push(
      `cycle "${text}" has an interval of ${formatSeconds(seconds, true)}; a timer cycle's interval is at least ${formatSeconds(floor, true)}: ` +
        `give it an interval of ${isoSeconds(floor)} or longer`,
    );
  } else if (seconds < floor) {
    const what = use === 'start' ? 'a timer start event' : 'a repeating timer';
    problems.push(
      `cycle "${text}" repeats every ${formatSeconds(seconds)}, more often than ${what} may (at most every ${formatSeconds(floor)}); ` +
        `give it an interval of ${isoSeconds(floor)} or longer`,
    );
  }
  if (!once && cycle.repetitions !== null && cycle.repetitions > limits.maxRepetitions) {
    const max = limits.maxRepetitions.toLocaleString('en');
    problems.push(
      `cycle "${text}" repeats ${cycle.repetitions.toLocaleString('en')} times, more than the ${max} allowed; ` +
        `count at most ${max} or write R/… to repeat until a new version replaces it`,
    );
  }
  return problems.length > 0 ? problems.join('; ') : null;
}

/** 60 → "minute" (every minute), or with `counted` "1 minute" (an interval of 1 minute). */
function formatSeconds(seconds: number, counted = false): string {
  if (seconds >= 60 && seconds % 60 === 0)
    return seconds === 60 ? (counted ? '1 minute' : 'minute') : `${seconds / 60} minutes`;
  return seconds === 1 ? (counted ? '1 second' : 'second') : `${seconds} seconds`;
}

/** A whole number of seconds as an ISO 8601 duration: 60 → PT1M, 90 → PT90S. */
function isoSeconds(seconds: number): string {
  return seconds % 60 === 0 ? `PT${seconds / 60}M` : `PT${seconds}S`;
}
