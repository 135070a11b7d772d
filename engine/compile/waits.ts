/**
 * Waiting for a timer, message or signal at an element: what to do on entering (schedule,
 * subscribe), on leaving (cancel, unsubscribe) and which incoming event matches. Shared by
 * intermediate catch events, receive tasks and boundary events.
 */
import { evaluateExpression } from '../expressions/feel';
import type { EventDefinition } from '../model/definition';
import type { EngineEvent, Incident } from '../runtime/types';
import { collect, effect, update, without } from './actions';
import type { EffectAction, MachineContext } from './context';
import { DEFAULT_TIMER_LIMITS, type TimerLimits } from './timer-limits';
import { firstDue, nextDue, type TimerCheck } from './timers';

export interface Wait {
  entry: unknown[];
  exit: unknown[];
  /** The engine event type that can end the wait. */
  eventType: EngineEvent['type'];
  guard: (args: { context: MachineContext; event: EngineEvent }) => boolean;
}

function incident(elementId: string, code: Incident['code'], message: string): EffectAction {
  return { type: 'raiseIncident', params: { incident: { elementId, code, message } } };
}

/** A timer that fires once (an intermediate catch event, an interrupting boundary timer). */
const ONCE: TimerCheck = { use: 'once', limits: DEFAULT_TIMER_LIMITS };

/**
 * The wait for `definition` at `elementId` (its own id doubles as the timer/subscription id).
 * `timing`: what a timer is used for and its limits, which the text a `=FEEL` timer gives must keep.
 */
export function waitFor(
  elementId: string,
  definition: EventDefinition | { kind: 'link'; name: string },
  timing: TimerCheck = ONCE,
): Wait | null {
  switch (definition.kind) {
    case 'timer':
      return {
        entry: [
          collect(({ context, enqueue }) => {
            const due = firstDue(definition, context.now, context.variables, timing);
            if (!due.ok) {
              enqueue(incident(elementId, 'INVALID_TIMER', `Timer "${elementId}": ${due.message}`));
              return;
            }
            enqueue({ type: 'scheduleTimer', params: { timerId: elementId, elementId, dueAt: due.dueAt } });
            const timer = { dueAt: due.dueAt, left: due.repetitionsLeft === undefined ? 0 : due.repetitionsLeft };
            enqueue(update(({ context: c }) => ({ timers: { ...c.timers, [elementId]: timer } })));
          }),
        ],
        exit: [
          collect(({ event, enqueue }) => {
            const firedNow = event.type === 'timer.fired' && event.timerId === elementId;
            if (!firedNow) enqueue({ type: 'cancelTimer', params: { timerId: elementId } });
            enqueue(update(({ context: c }) => ({ timers: without(c.timers, elementId) })));
          }),
        ],
        eventType: 'timer.fired',
        // Only the firing it is waiting for: a duplicate or stale delivery matches no transition.
        guard: ({ context, event }) =>
          event.type === 'timer.fired' &&
          event.timerId === elementId &&
          context.timers[elementId]?.dueAt === event.dueAt,
      };
    case 'message':
    case 'signal': {
      const correlationKey = definition.kind === 'message' ? definition.correlationKey : undefined;
      const keyOf = (context: MachineContext) =>
        correlationKey === undefined ? null : stringKey(evaluateExpression(correlationKey, context.variables).value);
      return {
        entry: [
          effect('openSubscription', ({ context }) => ({
            elementId,
            kind: definition.kind,
            name: definition.name,
            correlationKey: keyOf(context),
          })),
        ],
        exit: [effect('closeSubscription', { elementId })],
        eventType: definition.kind === 'message' ? 'message.received' : 'signal.received',
        guard: ({ context, event }) => {
          if (definition.kind === 'signal') return event.type === 'signal.received' && event.name === definition.name;
          if (event.type !== 'message.received' || event.name !== definition.name) return false;
          const expected = keyOf(context);
          return expected === null || expected === (event.correlationKey ?? null);
        },
      };
    }
    default:
      return null;
  }
}

/**
 * After a cycle timer fired without interrupting: schedule the next firing, if any are left. An
 * expression that no longer gives a cycle within the limits raises an incident naming the event.
 */
export function repeatCycle(
  elementId: string,
  definition: EventDefinition,
  limits: TimerLimits = DEFAULT_TIMER_LIMITS,
): unknown {
  return collect(({ context, event, enqueue }) => {
    if (definition.kind !== 'timer' || definition.cycle === undefined || event.type !== 'timer.fired') return;
    const left = context.timers[elementId]?.left;
    if (left === undefined) return;
    if (left === 0) {
      // Fired for the last time: forget it, so a duplicate delivery finds nothing waiting.
      enqueue(update(({ context: c }) => ({ timers: without(c.timers, elementId) })));
      return;
    }
    const next = nextDue(definition, event.dueAt, context.variables, { check: { use: 'repeating', limits } });
    if (!next.ok) {
      enqueue(update(({ context: c }) => ({ timers: without(c.timers, elementId) })));
      enqueue(incident(elementId, 'INVALID_TIMER', `Timer "${elementId}": ${next.message}`));
      return;
    }
    const dueAt = next.dueAt;
    enqueue({ type: 'scheduleTimer', params: { timerId: elementId, elementId, dueAt } });
    enqueue(
      update(({ context: c }) => ({
        timers: { ...c.timers, [elementId]: { dueAt, left: left === null ? null : left - 1 } },
      })),
    );
  });
}

function stringKey(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
