import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile';
import { processDefinitionSchema, type ProcessDefinition } from '../model/definition';
import { scenarioSchema } from '../simulate/scenario';
import { simulate } from '../simulate/simulate';
import { validateDefinition } from '../validate/validate';
import { start } from './step';
import { nextStartTimer, startTimers, type StartTimer } from './start-timers';

const now = '2026-03-02T08:00:00.000Z';
const process = (starts: object[], extra: object[] = []): ProcessDefinition =>
  processDefinitionSchema.parse({
    formatVersion: 1,
    key: 'month-end',
    version: 1,
    name: 'Month end',
    elements: [
      ...starts,
      { id: 'close', type: 'userTask', formKey: 'f', candidateGroups: ['accounting'] },
      { id: 'e', type: 'endEvent' },
      ...extra,
    ],
    flows: starts
      .map((s, i) => ({ id: `f${i}`, source: (s as { id: string }).id, target: 'close' }))
      .concat([{ id: 'fe', source: 'close', target: 'e' }]),
  });
const timerStart = (id: string, timer: object) => ({ id, type: 'startEvent', event: { kind: 'timer', ...timer } });

/** Every firing a schedule makes, following nextStartTimer from the first (at most `limit`). */
function firings(definition: ProcessDefinition, limit = 10): StartTimer[] {
  const out: StartTimer[] = [];
  let next: StartTimer | null = startTimers(definition, now).timers[0] ?? null;
  while (next && out.length < limit) {
    out.push(next);
    next = nextStartTimer(definition, next);
  }
  return out;
}

describe('timer start events: when they fire', () => {
  it('a date fires once, at the date', () => {
    const d = process([timerStart('onDay', { date: '2026-03-31T17:00:00+07:00' })]);
    expect(firings(d)).toEqual([{ elementId: 'onDay', dueAt: '2026-03-31T10:00:00.000Z', left: 0 }]);
  });

  it('a duration fires once, that long after the schedule is made', () => {
    expect(firings(process([timerStart('soon', { duration: 'PT90M' })]))).toEqual([
      { elementId: 'soon', dueAt: '2026-03-02T09:30:00.000Z', left: 0 },
    ]);
  });

  it('R3/… fires exactly three times, one interval apart, starting one interval from now', () => {
    expect(firings(process([timerStart('weekly', { cycle: 'R3/P1W' })])).map((f) => [f.dueAt, f.left])).toEqual([
      ['2026-03-09T08:00:00.000Z', 2],
      ['2026-03-16T08:00:00.000Z', 1],
      ['2026-03-23T08:00:00.000Z', 0],
    ]);
  });

  it('a cycle with a start fires first at its start; R/… never runs out', () => {
    const f = firings(process([timerStart('monthly', { cycle: 'R/2026-04-01T02:00:00Z/P1M' })]), 4);
    expect(f.map((x) => x.dueAt)).toEqual([
      '2026-04-01T02:00:00.000Z',
      '2026-05-01T02:00:00.000Z',
      '2026-06-01T02:00:00.000Z',
      '2026-07-01T02:00:00.000Z',
    ]);
    expect(f.every((x) => x.left === null)).toBe(true);
  });

  it('only process-level timer starts are scheduled; message, signal and none starts are not', () => {
    const d = process([
      { id: 'byHand', type: 'startEvent' },
      { id: 'bySignal', type: 'startEvent', event: { kind: 'signal', name: 'quarter-closed' } },
      timerStart('daily', { cycle: 'R/P1D' }),
    ]);
    expect(startTimers(d, now).timers.map((t) => t.elementId)).toEqual(['daily']);
  });

  it('an expression is evaluated without variables; one that needs them is a problem naming the start event', () => {
    expect(startTimers(process([timerStart('t', { duration: '="PT" + string(2) + "H"' })]), now).timers[0]?.dueAt).toBe(
      '2026-03-02T10:00:00.000Z',
    );
    const { problems, timers } = startTimers(process([timerStart('t', { duration: '=reminderInterval' })]), now);
    expect(timers).toEqual([]);
    expect(problems).toEqual([
      { elementId: 't', message: expect.stringMatching(/^Timer start event "t": .*no instance variables/) },
    ]);
  });

  it('R0/… is refused by validation: it would never fire (and a boundary cycle would count below zero)', () => {
    const d = {
      formatVersion: 1,
      key: 'k',
      version: 1,
      name: 'k',
      elements: [timerStart('t', { cycle: 'R0/PT1H' }), { id: 'e', type: 'endEvent' }],
      flows: [{ id: 'f', source: 't', target: 'e' }],
    };
    const result = validateDefinition(d);
    expect(result.ok).toBe(false);
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({ elementId: 't', message: expect.stringContaining('repeats zero times') }),
    );
  });
});

describe('timer start events: floors and late firings', () => {
  it("an expression is checked against the start timers' floor when the schedule is made, naming the start event", () => {
    const { problems, timers } = startTimers(process([timerStart('t', { cycle: '="R/PT" + string(1) + "S"' })]), now);
    expect(timers).toEqual([]);
    expect(problems).toEqual([
      {
        elementId: 't',
        message: expect.stringMatching(
          /^Timer start event "t": Timer cycle "R\/PT1S" repeats every second, more often than a timer start event may/,
        ),
      },
    ]);
    expect(startTimers(process([timerStart('t', { cycle: '="R/PT0S"' })]), now).problems).toHaveLength(1);
    expect(startTimers(process([timerStart('t', { cycle: '="R2000/P1D"' })]), now).problems).toEqual([
      expect.objectContaining({ message: expect.stringContaining('2,000 times') }),
    ]);
    // the host's own floor
    expect(
      startTimers(process([timerStart('t', { cycle: '="R/PT10S"' })]), now, { limits: { minStartCycleSeconds: 10 } })
        .problems,
    ).toEqual([]);
  });

  it('fired late, a cycle fires once and goes on from its first occurrence after now (no burst of missed ones)', () => {
    const d = process([timerStart('hourly', { cycle: 'R/PT1H' })]);
    const fired: StartTimer = { elementId: 'hourly', dueAt: '2026-03-02T09:00:00.000Z', left: null };
    // on time: one interval later
    expect(nextStartTimer(d, fired, { now: '2026-03-02T09:00:02.000Z' })).toEqual({
      elementId: 'hourly',
      dueAt: '2026-03-02T10:00:00.000Z',
      left: null,
    });
    // two days late: the next is the first hour after now, not the 48 missed ones
    expect(nextStartTimer(d, fired, { now: '2026-03-04T09:30:00.000Z' })).toEqual({
      elementId: 'hourly',
      dueAt: '2026-03-04T10:00:00.000Z',
      left: null,
    });
    // without the host's now, as before: one interval after the last
    expect(nextStartTimer(d, fired)?.dueAt).toBe('2026-03-02T10:00:00.000Z');
  });

  it('missed occurrences of a bounded cycle count as fired: it ends when it was planned to', () => {
    const d = process([timerStart('daily', { cycle: 'R5/P1D' })]);
    const fired: StartTimer = { elementId: 'daily', dueAt: '2026-03-02T08:00:00.000Z', left: 4 };
    expect(nextStartTimer(d, fired, { now: '2026-03-04T12:00:00.000Z' })).toEqual({
      elementId: 'daily',
      dueAt: '2026-03-05T08:00:00.000Z',
      left: 1,
    });
    expect(nextStartTimer(d, fired, { now: '2026-03-09T12:00:00.000Z' })).toBeNull();
  });

  it('a zero interval stored before intervals were checked is due at now again, never in a tight loop of its own', () => {
    const stored = { ...process([timerStart('t', { cycle: 'R/P1D' })]) };
    (stored.elements[0] as { event: { cycle: string } }).event.cycle = 'R/PT0S';
    const fired: StartTimer = { elementId: 't', dueAt: '2026-03-02T08:00:00.000Z', left: null };
    expect(nextStartTimer(stored, fired, { now: '2026-03-02T08:00:07.000Z' })).toEqual({
      elementId: 't',
      dueAt: '2026-03-02T08:00:07.000Z',
      left: null,
    });
  });
});

describe('processes started by a timer or a signal', () => {
  const d = process([
    { id: 'byHand', type: 'startEvent' },
    { id: 'bySignal', type: 'startEvent', event: { kind: 'signal', name: 'quarter-closed' } },
    timerStart('monthly', { cycle: 'R/P1M' }),
  ]);
  const p = compile(d);

  it('start at the start event the host names, which is passed like a none start', () => {
    for (const at of ['monthly', 'bySignal', 'byHand']) {
      const { state, effects } = start(p, {}, { now, startEvent: at });
      expect(state.active).toEqual(['close']);
      expect(effects.find((e) => e.type === 'audit')).toMatchObject({ elementId: at });
      // The start timer is the host's schedule, not the instance's: the instance schedules nothing.
      expect(effects.filter((e) => e.type === 'scheduleTimer')).toEqual([]);
    }
  });

  it('simulate runs them from the none start, and a timer-only process from its timer start', () => {
    expect(
      simulate(
        p,
        scenarioSchema.parse({
          steps: [
            { expect: { active: ['close'] } },
            { complete: 'close' },
            { expect: { status: 'completed', path: ['byHand', 'close', 'e'] } },
          ],
        }),
      ).failures,
    ).toEqual([]);
    const timerOnly = compile(process([timerStart('monthly', { cycle: 'R/P1M' })]));
    const run = simulate(
      timerOnly,
      scenarioSchema.parse({
        steps: [{ complete: 'close' }, { expect: { status: 'completed', path: ['monthly', 'close', 'e'] } }],
      }),
    );
    expect(run.failures).toEqual([]);
  });
});
