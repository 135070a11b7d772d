/** Processes that try to take the server down (issue 14), shared by the integration and browser-less e2e tests. */
import type { callerFor } from './callers';

/** start → a (adds 1 to n) → gw: out when `condition`, else back to a. */
export function automaticLoop(key: string, condition: string) {
  return {
    formatVersion: 1,
    key,
    version: 1,
    name: { en: 'Automatic loop', vi: 'Vòng lặp tự động' },
    startForm: 'loop-start',
    elements: [
      { id: 'start', type: 'startEvent' },
      { id: 'a', type: 'serviceTask', set: { n: 'n + 1' } },
      { id: 'gw', type: 'exclusiveGateway', default: 'back' },
      { id: 'end', type: 'endEvent' },
    ],
    flows: [
      { id: 'f1', source: 'start', target: 'a' },
      { id: 'f2', source: 'a', target: 'gw' },
      { id: 'back', source: 'gw', target: 'a' },
      { id: 'out', source: 'gw', target: 'end', condition },
    ],
  };
}

export const loopStartForm: Form = {
  key: 'loop-start',
  version: 1,
  title: 'Loop',
  schema: { type: 'object', properties: { n: { type: 'number' }, stop: { type: 'boolean' } } },
};

/** start → call activity starting `calls` → end. */
export function caller(key: string, calls: string) {
  return {
    formatVersion: 1,
    key,
    version: 1,
    name: { en: `Calls ${calls}`, vi: `Gọi ${calls}` },
    elements: [
      { id: 'start', type: 'startEvent' },
      { id: 'call', type: 'callActivity', calledElement: calls },
      { id: 'end', type: 'endEvent' },
    ],
    flows: [
      { id: 'f1', source: 'start', target: 'call' },
      { id: 'f2', source: 'call', target: 'end' },
    ],
  };
}

/** A start form that takes any fields: the hostile processes read what they are given. */
export const anyStartForm: Form = {
  key: 'hostile-start',
  version: 1,
  title: 'Start',
  schema: { type: 'object', properties: {}, additionalProperties: true },
};

type Elements = Record<string, unknown>[];

/** A process named `key` with the given elements, flows written "a>b", "a>b:condition" or "a>b!" (default). */
export function proc(key: string, elements: Elements, flows: string[], extra: Record<string, unknown> = {}) {
  const defaults = new Map<string, string>();
  const flowList = flows.map((f, i) => {
    const colon = f.indexOf(':');
    const [path, condition] = colon < 0 ? [f, undefined] : [f.slice(0, colon), f.slice(colon + 1)];
    const isDefault = path.endsWith('!');
    const [source, target] = path.replace('!', '').split('>') as [string, string];
    const id = `f${i + 1}`;
    if (isDefault) defaults.set(source, id);
    return { id, source, target, ...(condition ? { condition } : {}) };
  });
  const withDefaults = elements.map((e) =>
    defaults.has(e.id as string) ? { ...e, default: defaults.get(e.id as string) } : e,
  );
  return {
    formatVersion: 1,
    key,
    version: 1,
    name: { en: key, vi: key },
    startForm: 'hostile-start',
    elements: withDefaults,
    flows: flowList,
    ...extra,
  };
}

const start = { id: 'start', type: 'startEvent' };
const end = { id: 'end', type: 'endEvent' };
const gw = (id: string) => ({ id, type: 'exclusiveGateway' });
const script = (id: string, set: Record<string, string> = {}) => ({ id, type: 'scriptTask', set });
const userTask = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  type: 'userTask',
  candidateGroups: ['operations'],
  formKey: 'hostile-start',
  ...extra,
});

type Caller = Awaited<ReturnType<typeof callerFor>>;
type Form = Record<string, unknown>;

export interface HostileCase {
  name: string;
  definition: Record<string, unknown>;
  forms?: Form[];
  /** Published before `definition` (processes it calls). */
  publishFirst?: { definition: Record<string, unknown>; forms: Form[] }[];
  variables?: Record<string, unknown>;
  /** What the attacker does once it is published (default: a staff member starts it with `variables`). */
  act?: (as: { staff: Caller; admin: Caller; key: string }) => Promise<unknown>;
  expect:
    | { kind: 'refused-at-publish'; names: string }
    | { kind: 'refused'; names: string }
    | { kind: 'incident'; code: string; names: string }
    /** Harmless once defused: it runs (quickly) to its end or to a wait state. */
    | { kind: 'runs' };
}

const big = (n: number) => 'x'.repeat(n);

export const hostileCases: HostileCase[] = [
  // ---- loops with no wait state (finding 1)
  {
    name: 'an exclusive gateway loops back to a script task for ever',
    definition: proc(
      'h-loop',
      [start, script('a', { n: 'n + 1' }), gw('gw'), end],
      ['start>a', 'a>gw', 'gw>a!', 'gw>end:n < 0'],
    ),
    forms: [anyStartForm],
    variables: { n: 0 },
    expect: { kind: 'incident', code: 'BUDGET_EXCEEDED', names: 'gw' },
  },
  {
    name: 'a loop of three script tasks and a gateway that changes nothing',
    definition: proc(
      'h-loop3',
      [start, script('s1'), script('s2'), script('s3'), gw('back'), end],
      ['start>s1', 's1>s2', 's2>s3', 's3>back', 'back>s1!', 'back>end:false'],
    ),
    forms: [anyStartForm],
    expect: { kind: 'incident', code: 'BUDGET_EXCEEDED', names: 'back' },
  },
  {
    name: 'a loop through link events',
    definition: proc(
      'h-link',
      [
        start,
        script('a'),
        gw('gw'),
        { id: 'goto', type: 'intermediateThrowEvent', event: { kind: 'link', name: 'again' } },
        { id: 'again', type: 'intermediateCatchEvent', event: { kind: 'link', name: 'again' } },
        end,
      ],
      ['start>a', 'a>gw', 'gw>goto!', 'gw>end:false', 'again>a'],
    ),
    forms: [anyStartForm],
    expect: { kind: 'incident', code: 'BUDGET_EXCEEDED', names: 'gw' },
  },
  {
    name: 'a loop inside an embedded subprocess',
    definition: proc(
      'h-subloop',
      [
        start,
        {
          id: 'sub',
          type: 'subProcess',
          elements: [
            { id: 'in', type: 'startEvent' },
            script('x', { n: 'n + 1' }),
            { ...gw('spin'), default: 's3' },
            { id: 'out', type: 'endEvent' },
          ],
          flows: [
            { id: 's1', source: 'in', target: 'x' },
            { id: 's2', source: 'x', target: 'spin' },
            { id: 's3', source: 'spin', target: 'x' },
            { id: 's4', source: 'spin', target: 'out', condition: 'false' },
          ],
        },
        end,
      ],
      ['start>sub', 'sub>end'],
    ),
    forms: [anyStartForm],
    variables: { n: 0 },
    expect: { kind: 'incident', code: 'BUDGET_EXCEEDED', names: 'spin' },
  },
  // ---- recursion (finding 2)
  {
    name: 'a process that calls itself',
    definition: proc(
      'h-self',
      [start, { id: 'call', type: 'callActivity', calledElement: 'h-self' }, end],
      ['start>call', 'call>end'],
    ),
    forms: [anyStartForm],
    expect: { kind: 'incident', code: 'CALL_DEPTH_EXCEEDED', names: 'call' },
  },
  {
    name: 'a process that calls itself twice at every level (2,047 instances)',
    definition: proc(
      'h-fork',
      [
        start,
        {
          id: 'call',
          type: 'callActivity',
          calledElement: 'h-fork',
          multiInstance: { cardinality: '2', elementVariable: 'i' },
        },
        end,
      ],
      ['start>call', 'call>end'],
    ),
    forms: [anyStartForm],
    expect: { kind: 'refused', names: 'more than 1000 process instances' },
  },
  {
    name: 'two processes that call each other',
    publishFirst: [
      {
        definition: proc(
          'h-pong',
          [start, { id: 'back', type: 'callActivity', calledElement: 'h-ping' }, end],
          ['start>back', 'back>end'],
          { startForm: undefined },
        ),
        forms: [],
      },
    ],
    definition: proc(
      'h-ping',
      [start, { id: 'call', type: 'callActivity', calledElement: 'h-pong' }, end],
      ['start>call', 'call>end'],
    ),
    forms: [anyStartForm],
    expect: { kind: 'incident', code: 'CALL_DEPTH_EXCEEDED', names: 'call' },
  },
  {
    name: 'a process whose signal starts another instance of itself',
    definition: proc(
      'h-echo',
      [
        { id: 'heard', type: 'startEvent', event: { kind: 'signal', name: 'h-echo' } },
        { id: 'again', type: 'intermediateThrowEvent', event: { kind: 'signal', name: 'h-echo' } },
        end,
      ],
      ['heard>again', 'again>end'],
      { startForm: undefined },
    ),
    act: async ({ admin }) => admin.signal.broadcast({ name: 'h-echo' }),
    expect: { kind: 'refused', names: '50 deep' },
  },
  {
    name: 'two processes that message each other for ever',
    publishFirst: [
      {
        definition: proc(
          'h-ponger',
          [
            start,
            { id: 'hear', type: 'receiveTask', message: { name: 'h-ping' } },
            { id: 'answer', type: 'sendTask', message: { name: 'h-pong' } },
            gw('more'),
            end,
          ],
          ['start>hear', 'hear>answer', 'answer>more', 'more>hear!', 'more>end:false'],
        ),
        forms: [anyStartForm],
      },
    ],
    definition: proc(
      'h-pinger',
      [
        start,
        { id: 'say', type: 'sendTask', message: { name: 'h-ping' } },
        { id: 'hear', type: 'receiveTask', message: { name: 'h-pong' } },
        gw('more'),
        end,
      ],
      ['start>say', 'say>hear', 'hear>more', 'more>say!', 'more>end:false'],
    ),
    forms: [anyStartForm],
    act: async ({ staff }) => {
      await staff.instance.start({ definitionKey: 'h-ponger', variables: {} });
      return staff.instance.start({ definitionKey: 'h-pinger', variables: {} });
    },
    expect: { kind: 'refused', names: 'more than 50 messages and signals (the last: message "h-p' },
  },
  // ---- huge multi-instance
  {
    name: 'a multi-instance task a million times',
    definition: proc(
      'h-mi-million',
      [start, userTask('each', { multiInstance: { cardinality: '1000000', elementVariable: 'item' } }), end],
      ['start>each', 'each>end'],
    ),
    forms: [anyStartForm],
    expect: { kind: 'incident', code: 'LOOP_FAILED', names: 'each' },
  },
  {
    name: 'a multi-instance over a list of 5,000 items sent at the start',
    definition: proc(
      'h-mi-list',
      [start, userTask('each', { multiInstance: { collection: 'items', elementVariable: 'item' } }), end],
      ['start>each', 'each>end'],
    ),
    forms: [anyStartForm],
    variables: { items: Array.from({ length: 5_000 }, (_, i) => i) },
    expect: { kind: 'incident', code: 'LOOP_FAILED', names: 'each' },
  },
  {
    name: 'a multi-instance subprocess of 1,000 runs, each a multi-instance task of 1,000',
    definition: proc(
      'h-mi-nested',
      [
        start,
        {
          id: 'outer',
          type: 'subProcess',
          multiInstance: { cardinality: '1000', elementVariable: 'i' },
          elements: [
            { id: 'in', type: 'startEvent' },
            userTask('inner', { multiInstance: { cardinality: '1000', elementVariable: 'j' } }),
            { id: 'out', type: 'endEvent' },
          ],
          flows: [
            { id: 's1', source: 'in', target: 'inner' },
            { id: 's2', source: 'inner', target: 'out' },
          ],
        },
        end,
      ],
      ['start>outer', 'outer>end'],
    ),
    forms: [anyStartForm],
    // ten runs start (10,000 tasks), then the step is out of budget with runs still to start: refused whole
    expect: { kind: 'refused', names: 'Multi-instance "outer" would start more runs' },
  },
  // ---- giant outputs (finding 7)
  {
    name: 'a mapping that repeats a 50 KB field 10,000 times',
    definition: proc(
      'h-giant',
      [start, script('grow', { copies: 'for i in 1..10000 return s' }), end],
      ['start>grow', 'grow>end'],
    ),
    forms: [anyStartForm],
    variables: { s: big(50_000) },
    expect: { kind: 'refused', names: '"grow"' },
  },
  {
    name: 'a loop that doubles a text on every pass',
    definition: proc(
      'h-double',
      [start, script('grow', { s: 's + s' }), gw('again'), end],
      ['start>grow', 'grow>again', 'again>grow!', 'again>end:false'],
    ),
    forms: [anyStartForm],
    variables: { s: 'ab' },
    expect: { kind: 'refused', names: 'the limit is 1.0 MB' },
  },
  {
    name: 'a mapping that upper-cases a 200 KB field 10,000 times (2 GB of text)',
    definition: proc(
      'h-upper',
      [start, script('shout', { copies: 'for i in 1..10000 return upper case(s)' }), end],
      ['start>shout', 'shout>end'],
    ),
    forms: [anyStartForm],
    variables: { s: big(200_000) },
    expect: { kind: 'refused', names: 'upper case(s)' },
  },
  {
    name: 'a mapping that joins a 50 KB field 10,000 times into one text',
    definition: proc(
      'h-join',
      [start, script('glue', { all: 'string join(for i in 1..10000 return s, "")' }), end],
      ['start>glue', 'glue>end'],
    ),
    forms: [anyStartForm],
    variables: { s: big(50_000) },
    expect: { kind: 'refused', names: 'string join' },
  },
  {
    name: 'variables nested 5,000 levels deep at the start',
    definition: proc('h-deep-vars', [start, script('a', { y: 'x' }), end], ['start>a', 'a>end']),
    forms: [anyStartForm],
    variables: { x: JSON.parse(`${'['.repeat(5_000)}1${']'.repeat(5_000)}`) },
    expect: { kind: 'refused', names: 'deeper than' },
  },
  // ---- regular expressions (findings 5 and 6): linear time, however they are reached
  {
    name: 'split with a catastrophic pattern on 10,000 characters',
    definition: proc(
      'h-split',
      [start, script('cut', { parts: 'split(s, "^(a+)+$")' }), end],
      ['start>cut', 'cut>end'],
    ),
    forms: [anyStartForm],
    variables: { s: `${'a'.repeat(10_000)}b` },
    expect: { kind: 'runs' },
  },
  {
    name: 'matches reached through parentheses, with a catastrophic pattern',
    definition: proc(
      'h-matches',
      [start, gw('check'), end, { id: 'no', type: 'endEvent' }],
      ['start>check', 'check>end:(matches)(s, "^(a|a)*$")', 'check>no!'],
    ),
    forms: [anyStartForm],
    variables: { s: `${'a'.repeat(30_000)}!` },
    expect: { kind: 'runs' },
  },
  {
    name: 'matches reached through a context entry, with a catastrophic pattern',
    definition: proc(
      'h-matches-ctx',
      [start, script('probe', { hit: '{ f: matches }.f(s, "(x+x+)+y")' }), end],
      ['start>probe', 'probe>end'],
    ),
    forms: [anyStartForm],
    variables: { s: 'x'.repeat(50_000) },
    expect: { kind: 'runs' },
  },
  {
    name: 'a backreference pattern (no linear-time engine runs it)',
    definition: proc(
      'h-backref',
      [start, script('twice', { hit: 'matches(s, "^(a+)\\1$")' }), end],
      ['start>twice', 'twice>end'],
    ),
    forms: [anyStartForm],
    expect: { kind: 'refused-at-publish', names: 'twice' },
  },
  {
    name: 'the clock through parentheses: (now)()',
    definition: proc('h-now', [start, script('stamp', { at: '(now)()' }), end], ['start>stamp', 'stamp>end']),
    forms: [anyStartForm],
    expect: { kind: 'refused-at-publish', names: 'stamp' },
  },
  {
    name: 'the clock through a context entry decides a gateway',
    definition: proc(
      'h-now-ctx',
      [start, gw('when'), end, { id: 'later', type: 'endEvent' }],
      ['start>when', 'when>end:{ f: now }.f() != null', 'when>later!'],
    ),
    forms: [anyStartForm],
    expect: { kind: 'incident', code: 'CONDITION_NOT_BOOLEAN', names: 'when' },
  },
  {
    name: 'a form field pattern that backtracks, sent 100,000 characters',
    definition: proc(
      'h-pattern',
      [start, userTask('fill', { formKey: 'h-pattern-form' }), end],
      ['start>fill', 'fill>end'],
    ),
    forms: [
      anyStartForm,
      {
        key: 'h-pattern-form',
        version: 1,
        title: 'Code',
        schema: { type: 'object', properties: { code: { type: 'string', pattern: '^(a|a)*$' } } },
      },
    ],
    act: async ({ staff, key }) => {
      const { id } = await staff.instance.start({ definitionKey: key, variables: {} });
      const task = (await staff.instance.get({ id })).tasks.find((t) => t.elementId === 'fill')!;
      return staff.task.complete({ id: task.id, data: { code: `${'a'.repeat(100_000)}!` } });
    },
    expect: { kind: 'refused', names: 'code' },
  },
  // ---- timers (finding 3)
  {
    name: 'a start timer that repeats without pause (R/PT0S)',
    definition: proc(
      'h-pt0s',
      [{ id: 'tick', type: 'startEvent', event: { kind: 'timer', cycle: 'R/PT0S' } }, end],
      ['tick>end'],
      { startForm: undefined },
    ),
    expect: { kind: 'refused-at-publish', names: 'tick' },
  },
  {
    name: 'a start timer every second, a million times',
    definition: proc(
      'h-million',
      [{ id: 'tick', type: 'startEvent', event: { kind: 'timer', cycle: 'R1000000/PT1S' } }, end],
      ['tick>end'],
      { startForm: undefined },
    ),
    expect: { kind: 'refused-at-publish', names: 'tick' },
  },
  {
    name: 'a timer on 30 February',
    definition: proc(
      'h-feb30',
      [
        start,
        { id: 'wait', type: 'intermediateCatchEvent', event: { kind: 'timer', date: '2024-02-30T09:00:00Z' } },
        end,
      ],
      ['start>wait', 'wait>end'],
    ),
    forms: [anyStartForm],
    expect: { kind: 'refused-at-publish', names: 'wait' },
  },
  {
    name: 'a timer cycle computed at run time as R/PT0S',
    definition: proc(
      'h-cycle-expr',
      [
        start,
        userTask('work'),
        {
          id: 'nag',
          type: 'boundaryEvent',
          attachedTo: 'work',
          cancelActivity: false,
          event: { kind: 'timer', cycle: '=cycle' },
        },
        end,
        { id: 'nagged', type: 'endEvent' },
      ],
      ['start>work', 'work>end', 'nag>nagged'],
    ),
    forms: [anyStartForm],
    variables: { cycle: 'R/PT0S' },
    expect: { kind: 'incident', code: 'INVALID_TIMER', names: 'nag' },
  },
  {
    name: 'a loop that polls with a PT0S timer (each pass a command of its own)',
    definition: proc(
      'h-poll',
      [
        start,
        { id: 'nap', type: 'intermediateCatchEvent', event: { kind: 'timer', duration: 'PT0S' } },
        gw('again'),
        end,
      ],
      ['start>nap', 'nap>again', 'again>nap!', 'again>end:false'],
    ),
    forms: [anyStartForm],
    expect: { kind: 'refused-at-publish', names: 'nap' },
  },
  // ---- what a person sends (findings 4 and 7)
  {
    name: 'a staff member pushes { approved: true } into an instance that is not theirs',
    definition: proc(
      'h-push',
      [start, { id: 'wait', type: 'receiveTask', message: { name: 'h-approval' } }, end],
      ['start>wait', 'wait>end'],
    ),
    forms: [anyStartForm],
    act: async ({ staff, admin, key }) => {
      await admin.instance.start({ definitionKey: key, variables: {} });
      return staff.message.publish({ name: 'h-approval', variables: { approved: true } });
    },
    expect: { kind: 'refused', names: 'admins' },
  },
  {
    name: 'a message with 5 MB of variables',
    definition: proc(
      'h-fat-message',
      [
        start,
        { id: 'wait', type: 'receiveTask', message: { name: 'h-fat', sendableBy: { groups: ['operations'] } } },
        end,
      ],
      ['start>wait', 'wait>end'],
    ),
    forms: [anyStartForm],
    act: async ({ staff, key }) => {
      await staff.instance.start({ definitionKey: key, variables: {} });
      return staff.message.publish({ name: 'h-fat', variables: { blob: big(5_000_000) }, timeToLive: 3_600 });
    },
    expect: { kind: 'refused', names: 'variables' },
  },
  {
    name: 'a message kept for a year',
    definition: proc('h-old-message', [start, end], ['start>end']),
    forms: [anyStartForm],
    act: async ({ admin }) =>
      admin.message.publish({ name: 'nobody-waits', variables: {}, timeToLive: 365 * 24 * 3_600 }),
    expect: { kind: 'refused', names: 'timeToLive' },
  },
  {
    name: 'a variable named __proto__',
    definition: proc('h-proto', [start, script('a', { y: 'x' }), end], ['start>a', 'a>end']),
    forms: [anyStartForm],
    variables: JSON.parse('{ "x": 1, "nested": { "__proto__": { "isAdmin": true } } }') as Record<string, unknown>,
    expect: { kind: 'refused', names: '__proto__' },
  },
  // ---- expressions refused at publish
  {
    name: 'an expression nested 100 levels deep',
    definition: proc(
      'h-deep-expr',
      [start, script('deep', { x: `${'('.repeat(100)}1${')'.repeat(100)}` }), end],
      ['start>deep', 'deep>end'],
    ),
    forms: [anyStartForm],
    expect: { kind: 'refused-at-publish', names: 'deep' },
  },
  {
    name: 'an expression of 5,000 characters',
    definition: proc(
      'h-long-expr',
      [start, script('long', { x: Array.from({ length: 1_250 }, () => '1').join(' + ') }), end],
      ['start>long', 'long>end'],
    ),
    forms: [anyStartForm],
    expect: { kind: 'refused-at-publish', names: 'long' },
  },
  {
    name: 'an iteration over a range of a hundred million',
    definition: proc(
      'h-range',
      [start, script('count', { x: 'for i in 1..100000000 return i' }), end],
      ['start>count', 'count>end'],
    ),
    forms: [anyStartForm],
    expect: { kind: 'refused-at-publish', names: 'count' },
  },
  {
    name: 'nested iterations (10,000 × 10,000)',
    definition: proc(
      'h-nested-for',
      [start, script('square', { x: 'for i in 1..10000 return for j in 1..10000 return i * j' }), end],
      ['start>square', 'square>end'],
    ),
    forms: [anyStartForm],
    expect: { kind: 'refused-at-publish', names: 'square' },
  },
];
