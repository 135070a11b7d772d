/**
 * Timers: every literal timer text reads (dates are real dates), and a cycle keeps the limits
 * for what the timer does (compile/timer-limits.ts): a process's timer start event and a timer
 * that repeats inside an instance have floors under their interval and a cap on repetitions; no
 * cycle has a zero interval. `=FEEL` texts are checked when the engine evaluates them.
 */
import { checkTimerText } from '../../compile/timers';
import { DEFAULT_TIMER_LIMITS, type TimerUse } from '../../compile/timer-limits';
import type { Element } from '../../model/definition';
import type { Scope } from '../../model/scopes';
import type { Diagnostic, Rule } from '../diagnostic';

/** What a timer element does: see TimerUse. Null for an element without a timer. */
export function timerUse(e: Element, scope: Pick<Scope, 'kind'>): TimerUse | null {
  if (!('event' in e) || e.event?.kind !== 'timer') return null;
  if (e.type === 'startEvent') {
    if (scope.kind === 'process') return 'start';
    return scope.kind === 'eventSubProcess' && !e.interrupting ? 'repeating' : 'once';
  }
  if (e.type === 'boundaryEvent') return e.cancelActivity ? 'once' : 'repeating';
  return 'once';
}

export const timers: Rule = {
  id: 'timers',
  check(definition, _graph, scope, options) {
    const out: Diagnostic[] = [];
    // A stored version passed the timer checks of its day; what cannot fire now is an incident when it is reached.
    if (options?.stored) return out;
    const limits = options?.timerLimits ?? DEFAULT_TIMER_LIMITS;
    for (const e of definition.elements) {
      const use = timerUse(e, scope);
      if (use === null || !('event' in e) || e.event?.kind !== 'timer') continue;
      const problem = checkTimerText(e.event, use, limits);
      if (problem)
        out.push({ ruleId: this.id, elementId: e.id, severity: 'error', message: `Timer "${e.id}": ${problem}.` });
    }
    return out;
  },
};
