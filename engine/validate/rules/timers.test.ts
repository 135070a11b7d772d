import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../validate';

// given a timer at one of the places a timer can be, in an otherwise valid process
const flow = (id: string, source: string, target: string) => ({ id, source, target });
const task = { id: 'work', type: 'userTask', formKey: 'f', candidateGroups: ['accounting'] };
type Timer = { duration?: string; date?: string; cycle?: string };
const places = {
  /** A process-level timer start event: each firing starts an instance. */
  start: (timer: Timer) => ({
    elements: [
      { id: 'tick', type: 'startEvent', event: { kind: 'timer', ...timer } },
      task,
      { id: 'e', type: 'endEvent' },
    ],
    flows: [flow('f1', 'tick', 'work'), flow('f2', 'work', 'e')],
  }),
  /** A non-interrupting boundary timer: fires again and again while the task waits. */
  reminder: (timer: Timer) => ({
    elements: [
      { id: 's', type: 'startEvent' },
      task,
      { id: 'e', type: 'endEvent' },
      {
        id: 'tick',
        type: 'boundaryEvent',
        attachedTo: 'work',
        cancelActivity: false,
        event: { kind: 'timer', ...timer },
      },
      { id: 'r', type: 'endEvent' },
    ],
    flows: [flow('f1', 's', 'work'), flow('f2', 'work', 'e'), flow('f3', 'tick', 'r')],
  }),
  /** An interrupting boundary timer: fires once. */
  deadline: (timer: Timer) => ({
    elements: [
      { id: 's', type: 'startEvent' },
      task,
      { id: 'e', type: 'endEvent' },
      { id: 'tick', type: 'boundaryEvent', attachedTo: 'work', event: { kind: 'timer', ...timer } },
      { id: 'late', type: 'endEvent' },
    ],
    flows: [flow('f1', 's', 'work'), flow('f2', 'work', 'e'), flow('f3', 'tick', 'late')],
  }),
  /** An intermediate timer catch event: fires once. */
  wait: (timer: Timer) => ({
    elements: [
      { id: 's', type: 'startEvent' },
      { id: 'tick', type: 'intermediateCatchEvent', event: { kind: 'timer', ...timer } },
      { id: 'e', type: 'endEvent' },
    ],
    flows: [flow('f1', 's', 'tick'), flow('f2', 'tick', 'e')],
  }),
  /** A non-interrupting event subprocess started by a timer: fires again and again while the process runs. */
  eventSubProcess: (timer: Timer) => ({
    elements: [
      { id: 's', type: 'startEvent' },
      task,
      { id: 'e', type: 'endEvent' },
      {
        id: 'side',
        type: 'subProcess',
        triggeredByEvent: true,
        elements: [
          { id: 'tick', type: 'startEvent', interrupting: false, event: { kind: 'timer', ...timer } },
          { id: 'se', type: 'endEvent' },
        ],
        flows: [flow('sf', 'tick', 'se')],
      },
    ],
    flows: [flow('f1', 's', 'work'), flow('f2', 'work', 'e')],
  }),
};
type Place = keyof typeof places;
const definition = (place: Place, timer: Timer) => ({
  formatVersion: 1,
  key: 'timers',
  version: 1,
  name: 'timers',
  ...places[place](timer),
});
const timerErrors = (place: Place, timer: Timer, options = {}) =>
  validateDefinition(definition(place, timer), options).diagnostics.filter(
    (d) => d.ruleId === 'timers' && d.severity === 'error',
  );

describe('rule timers', () => {
  const valid: [Place, Timer][] = [
    ['start', { cycle: 'R/P1D' }], // a daily job, for ever
    ['start', { cycle: 'R/PT1M' }], // the floor itself
    ['start', { cycle: 'R1000/PT1H' }], // the cap itself
    ['start', { cycle: 'R1/PT1S' }], // fires once
    ['start', { cycle: 'R/2026-04-01T02:00:00Z/P1M' }],
    ['start', { date: '2024-02-29T09:00:00+07:00' }],
    ['start', { cycle: '=monthlyCycle' }], // an expression: checked when evaluated
    ['reminder', { cycle: 'R/P2D' }],
    ['reminder', { cycle: 'R3/PT10M' }],
    ['eventSubProcess', { cycle: 'R/PT1H' }],
    ['deadline', { cycle: 'R5000/PT1S' }], // fires once: only the one-second floor under every cycle matters
    ['deadline', { duration: 'PT0S' }],
    ['wait', { cycle: 'R/PT1S' }],
    ['wait', { date: '2026-12-31' }],
  ];
  it.each(valid)('accepts a %s timer %o', (place, timer) => {
    expect(timerErrors(place, timer)).toEqual([]);
  });

  const invalid: [Place, Timer, RegExp][] = [
    ['start', { cycle: 'R/PT0S' }, /cycle "R\/PT0S" has an interval of zero/],
    [
      'start',
      { cycle: 'R/PT1S' },
      /cycle "R\/PT1S" repeats every second, more often than a timer start event may \(at most every minute\); give it an interval of PT1M or longer/,
    ],
    [
      'start',
      { cycle: 'R1000000/PT1S' },
      /repeats every second.*; cycle "R1000000\/PT1S" repeats 1,000,000 times, more than the 1,000 allowed/,
    ],
    [
      'start',
      { cycle: 'R1001/P1D' },
      /repeats 1,001 times, more than the 1,000 allowed; count at most 1,000 or write R\/… to repeat/,
    ],
    ['start', { cycle: 'R0/PT1H' }, /repeats zero times/],
    [
      'start',
      { date: '2024-02-30' },
      /^Timer "tick": date "2024-02-30" is not a real date: February 2024 has 29 days\.$/,
    ],
    ['start', { date: '2026-13-01T09:00:00Z' }, /there is no month 13/],
    [
      'start',
      { cycle: 'R/2023-02-29T09:00:00Z/P1D' },
      /has a start that is not one: "2023-02-29T09:00:00Z" is not a real date: February 2023 has 28 days/,
    ],
    ['start', { cycle: '0 0 9 * * MON-FRI' }, /cron expressions are not supported/],
    [
      'reminder',
      { cycle: 'R/PT1S' },
      /repeats every second, more often than a repeating timer may \(at most every minute\)/,
    ],
    ['reminder', { cycle: 'R/PT0S' }, /interval of zero/],
    ['reminder', { cycle: 'R5000/PT1H' }, /repeats 5,000 times/],
    ['eventSubProcess', { cycle: 'R/PT30S' }, /repeats every 30 seconds/],
    ['deadline', { cycle: 'R/PT0S' }, /interval of zero/],
    ['deadline', { date: '2026-01-01T25:00:00Z' }, /there is no hour 25/],
    ['wait', { cycle: 'R/P0D' }, /interval of zero/],
    ['wait', { duration: 'P1X' }, /duration "P1X" is not an ISO 8601 duration/],
    [
      'wait',
      { cycle: 'R/PT0.5S' },
      /cycle "R\/PT0.5S" has an interval of 0.5 seconds; a timer cycle's interval is at least 1 second: give it an interval of PT1S or longer/,
    ],
    ['start', { cycle: 'R1/PT0.1S' }, /has an interval of 0.1 seconds/],
  ];
  it.each(invalid)('refuses a %s timer %o, naming it', (place, timer, message) => {
    expect(timerErrors(place, timer)).toEqual([
      { ruleId: 'timers', elementId: 'tick', severity: 'error', message: expect.stringMatching(message) },
    ]);
    expect(validateDefinition(definition(place, timer)).ok).toBe(false);
  });

  it("takes the host's limits: lower floors, a higher cap", () => {
    const limits = {
      timerLimits: {
        minCycleSeconds: 2,
        minStartCycleSeconds: 10,
        minRepeatingCycleSeconds: 5,
        maxRepetitions: 10_000,
      },
    };
    expect(timerErrors('wait', { cycle: 'R/PT1S' }, limits)).toEqual([
      expect.objectContaining({ message: expect.stringContaining('at least 2 seconds') }),
    ]);
    expect(timerErrors('start', { cycle: 'R/PT10S' }, limits)).toEqual([]);
    expect(timerErrors('start', { cycle: 'R/PT9S' }, limits)).toEqual([
      expect.objectContaining({ message: expect.stringContaining('at most every 10 seconds') }),
    ]);
    expect(timerErrors('reminder', { cycle: 'R5000/PT5S' }, limits)).toEqual([]);
    // a zero interval is never allowed
    expect(timerErrors('start', { cycle: 'R/PT0S' }, { timerLimits: { minStartCycleSeconds: 0 } })).toHaveLength(1);
  });
});
