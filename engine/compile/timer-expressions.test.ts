import { describe, expect, it } from 'vitest';
import { send, start } from '../runtime/step';
import type { Effect, InstanceState } from '../runtime/types';
import { compile } from './compile';

// `=FEEL` timer texts cannot be checked when a definition is validated: the engine checks the text
// an expression gives each time it evaluates it, and a bad one is an incident naming the timer.
const T0 = '2026-12-01T02:00:00.000Z';
const flow = (id: string, source: string, target: string) => ({ id, source, target });
const roundTrip = (s: InstanceState) => JSON.parse(JSON.stringify(s)) as InstanceState;
const scheduled = (effects: Effect[]) => effects.filter((e) => e.type === 'scheduleTimer');

/** A task with a boundary timer `tick` whose text is the expression; `change` (a message) may set variables. */
const withBoundary = (timer: object, cancelActivity: boolean) => ({
  formatVersion: 1,
  key: 'timer-expressions',
  version: 1,
  name: 'timer expressions',
  elements: [
    { id: 's', type: 'startEvent' },
    { id: 'work', type: 'userTask', formKey: 'f', candidateGroups: ['accounting'] },
    { id: 'e', type: 'endEvent' },
    { id: 'tick', type: 'boundaryEvent', attachedTo: 'work', cancelActivity, event: { kind: 'timer', ...timer } },
    { id: 'ticked', type: 'endEvent' },
    {
      id: 'change',
      type: 'boundaryEvent',
      attachedTo: 'work',
      cancelActivity: false,
      event: { kind: 'message', name: 'change' },
    },
    { id: 'changed', type: 'endEvent' },
  ],
  flows: [
    flow('f1', 's', 'work'),
    flow('f2', 'work', 'e'),
    flow('f3', 'tick', 'ticked'),
    flow('f4', 'change', 'changed'),
  ],
});
const reminder = compile(withBoundary({ cycle: '=reminderCycle' }, false));

describe('timer expressions are checked when the engine evaluates them', () => {
  const refused: [string, RegExp][] = [
    ['R/PT0S', /^Timer "tick": Timer cycle "R\/PT0S" has an interval of zero/],
    [
      'R/PT1S',
      /^Timer "tick": Timer cycle "R\/PT1S" repeats every second, more often than a repeating timer may \(at most every minute\)/,
    ],
    ['R1000000/PT1H', /repeats 1,000,000 times, more than the 1,000 allowed/],
    ['R/2024-02-30T09:00:00Z/PT1H', /"2024-02-30T09:00:00Z" is not a real date: February 2024 has 29 days/],
  ];
  it.each(refused)(
    'a repeating boundary cycle that evaluates to %s is an incident naming the timer, scheduling nothing',
    (cycle, message) => {
      const { state, effects } = start(reminder, { reminderCycle: cycle }, { now: T0 });
      expect(state).toMatchObject({
        status: 'incident',
        incident: { elementId: 'tick', code: 'INVALID_TIMER', message: expect.stringMatching(message) },
      });
      expect(scheduled(effects)).toEqual([]);
    },
  );

  it('a cycle within the limits runs', () => {
    const { state, effects } = start(reminder, { reminderCycle: 'R/PT1H' }, { now: T0 });
    expect(state.status).toBe('active');
    expect(scheduled(effects)).toEqual([
      expect.objectContaining({ timerId: 'tick', dueAt: '2026-12-01T03:00:00.000Z' }),
    ]);
  });

  it('a cycle that becomes too fast between firings is an incident at its next firing', () => {
    // given a reminder every hour, and a message that changes the cycle to every second
    const s1 = start(reminder, { reminderCycle: 'R/PT1H' }, { now: T0 }).state;
    const s2 = send(
      reminder,
      roundTrip(s1),
      { type: 'message.received', name: 'change', variables: { reminderCycle: 'R/PT1S' } },
      { now: T0 },
    ).state;
    expect(s2.status).toBe('active');
    // when the reminder fires
    const s3 = send(
      reminder,
      roundTrip(s2),
      { type: 'timer.fired', timerId: 'tick', dueAt: '2026-12-01T03:00:00.000Z' },
      { now: '2026-12-01T03:00:00.000Z' },
    );
    // then nothing more is scheduled and the instance stops at the timer
    expect(s3.state).toMatchObject({
      status: 'incident',
      incident: {
        elementId: 'tick',
        code: 'INVALID_TIMER',
        message: expect.stringContaining('more often than a repeating timer may'),
      },
    });
    expect(scheduled(s3.effects)).toEqual([]);
  });

  it('a timer that fires once needs only the one-second floor under every cycle', () => {
    const deadline = compile(withBoundary({ cycle: '=deadlineCycle' }, true));
    expect(scheduled(start(deadline, { deadlineCycle: 'R/PT1S' }, { now: T0 }).effects)).toEqual([
      expect.objectContaining({ dueAt: '2026-12-01T02:00:01.000Z' }),
    ]);
    expect(start(deadline, { deadlineCycle: 'R/PT0S' }, { now: T0 }).state).toMatchObject({
      status: 'incident',
      incident: { elementId: 'tick', message: expect.stringContaining('interval of zero') },
    });
    expect(start(deadline, { deadlineCycle: 'R/PT0.2S' }, { now: T0 }).state).toMatchObject({
      status: 'incident',
      incident: { message: expect.stringContaining('at least 1 second') },
    });
  });

  it('an impossible date from an expression is an incident naming the timer and the date', () => {
    const deadline = compile(withBoundary({ date: '=dueDate' }, true));
    expect(start(deadline, { dueDate: '2024-02-30' }, { now: T0 }).state).toMatchObject({
      status: 'incident',
      incident: {
        elementId: 'tick',
        code: 'INVALID_TIMER',
        message: 'Timer "tick": Timer date "2024-02-30" is not a real date: February 2024 has 29 days.',
      },
    });
    expect(start(deadline, { dueDate: `P${'9'.repeat(12)}Y` }, { now: T0 }).state.status).toBe('incident');
  });

  it('a duration so long it leaves the calendar is an incident, not a crash', () => {
    const deadline = compile(withBoundary({ duration: '=wait' }, true));
    expect(start(deadline, { wait: 'P9000Y' }, { now: T0 }).state).toMatchObject({
      status: 'incident',
      incident: { elementId: 'tick', message: expect.stringContaining('falls after the year 9999') },
    });
  });

  it('the host may set its own limits when it compiles', () => {
    const relaxed = compile(withBoundary({ cycle: '=reminderCycle' }, false), {
      timerLimits: { minRepeatingCycleSeconds: 1 },
    });
    expect(start(relaxed, { reminderCycle: 'R/PT1S' }, { now: T0 }).state.status).toBe('active');
    expect(start(relaxed, { reminderCycle: 'R/PT0S' }, { now: T0 }).state.status).toBe('incident');
  });
});

describe('versions stored before the timer limits existed keep running', () => {
  it('compile({ stored }) does not refuse them again; a cycle under a second (zero: without pause) is an incident when reached', () => {
    const old = withBoundary({ cycle: 'R/PT1S' }, false);
    expect(() => compile(old)).toThrowError(
      expect.objectContaining({ code: 'INVALID_DEFINITION', message: expect.stringContaining('"tick"') }),
    );
    const stored = compile(old, { stored: true });
    const s1 = start(stored, {}, { now: T0 });
    expect(scheduled(s1.effects)).toEqual([expect.objectContaining({ dueAt: '2026-12-01T02:00:01.000Z' })]);
    const s2 = send(
      stored,
      roundTrip(s1.state),
      { type: 'timer.fired', timerId: 'tick', dueAt: '2026-12-01T02:00:01.000Z' },
      { now: '2026-12-01T02:00:01.000Z' },
    );
    expect(scheduled(s2.effects)).toEqual([expect.objectContaining({ dueAt: '2026-12-01T02:00:02.000Z' })]);

    const zero = compile(withBoundary({ cycle: 'R/PT0S' }, false), { stored: true });
    expect(start(zero, {}, { now: T0 }).state).toMatchObject({
      status: 'incident',
      incident: { elementId: 'tick', code: 'INVALID_TIMER', message: expect.stringContaining('interval of zero') },
    });
    const tiny = compile(withBoundary({ cycle: 'R/PT0.001S' }, false), { stored: true });
    expect(start(tiny, {}, { now: T0 }).state).toMatchObject({
      status: 'incident',
      incident: { elementId: 'tick', message: expect.stringContaining('at least 1 second') },
    });
    const impossible = compile(withBoundary({ date: '2024-02-30' }, true), { stored: true });
    expect(start(impossible, {}, { now: T0 }).state).toMatchObject({
      status: 'incident',
      incident: { elementId: 'tick', message: expect.stringContaining('February 2024 has 29 days') },
    });
  });
});
