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

export const loopStartForm: Form = { key: 'loop-start', version: 1, title: 'Loop', schema: { type: 'object', properties: { n: { type: 'number' }, stop: { type: 'boolean' } } } };

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
export const anyStartForm: Form = { key: 'hostile-start', version: 1, title: 'Start', schema: { type: 'object', properties: {}, additionalProperties: true } };

type Elements = Record<string, unknown>[];

/** A process named `key` with the given elements, flows written "a>b", "a>b:condition" or "a>b!" (default). */
export function proc(key: string, elements: Elements, flows: string[], extra: Record<string, unknown> = {}) {
  const defaults = new Map<string, string>();
  const flowList = flows.map((f, i) => {
    const [path, condition] = f.split(':', 2) as [string, string | undefined];
    const isDefault = path.endsWith('!');
    const [source, target] = path.replace('!', '').split('>') as [string, string];
    const id = `f${i + 1}`;
    if (isDefault) defaults.set(source, id);
    return { id, source, target, ...(condition ? { condition } : {}) };
  });
  const withDefaults = elements.map((e) => (defaults.has(e.id as string) ? { ...e, default: defaults.get(e.id as string) } : e));
  return { formatVersion: 1, key, version: 1, name: { en: key, vi: key }, startForm: 'hostile-start', elements: withDefaults, flows: flowList, ...extra };
}

const start = { id: 'start', type: 'startEvent' };
const end = { id: 'end', type: 'endEvent' };
const gw = (id: string) => ({ id, type: 'exclusiveGateway' });
const script = (id: string, set: Record<string, string> = {}) => ({ id, type: 'scriptTask', set });
const userTask = (id: string, extra: Record<string, unknown> = {}) => ({ id, type: 'userTask', candidateGroups: ['operations'], formKey: 'hostile-start', ...extra });

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
  expect: { kind: 'refused-at-publish'; names: string } | { kind: 'refused'; names: string } | { kind: 'incident'; code: string; names: string };
}

const big = (n: number) => 'x'.repeat(n);

export const hostileCases: HostileCase[] = [
  // ---- loops with no wait state (finding 1)
  {
    name: 'an exclusive gateway loops back to a script task for ever',
    definition: proc('h-loop', [start, script('a', { n: 'n + 1' }), gw('gw'), end], ['start>a', 'a>gw', 'gw>a!', 'gw>end:n < 0']),
    forms: [anyStartForm],
    variables: { n: 0 },
    expect: { kind: 'incident', code: 'BUDGET_EXCEEDED', names: 'gw' },
  },
  {
    name: 'a loop of three script tasks and a gateway that changes nothing',
    definition: proc('h-loop3', [start, script('s1'), script('s2'), script('s3'), gw('back'), end], ['start>s1', 's1>s2', 's2>s3', 's3>back', 'back>s1!', 'back>end:false']),
    forms: [anyStartForm],
    expect: { kind: 'incident', code: 'BUDGET_EXCEEDED', names: 'back' },
  },
  {
    name: 'a loop through link events',
    definition: proc(
      'h-link',
      [start, script('a'), gw('gw'), { id: 'goto', type: 'intermediateThrowEvent', event: { kind: 'link', name: 'again' } }, { id: 'again', type: 'intermediateCatchEvent', event: { kind: 'link', name: 'again' } }, end],
      ['start>a', 'a>gw', 'gw>goto!', 'gw>end:false', 'again>a'],
    ),
    forms: [anyStartForm],
    expect: { kind: 'incident', code: 'BUDGET_EXCEEDED', names: 'gw' },
  },
  {
    name: 'a loop inside an embedded subprocess',
    definition: proc(
      'h-subloop',
      [start, { id: 'sub', type: 'subProcess', elements: [{ id: 'in', type: 'startEvent' }, script('x', { n: 'n + 1' }), { ...gw('spin'), default: 's3' }, { id: 'out', type: 'endEvent' }], flows: [{ id: 's1', source: 'in', target: 'x' }, { id: 's2', source: 'x', target: 'spin' }, { id: 's3', source: 'spin', target: 'x' }, { id: 's4', source: 'spin', target: 'out', condition: 'false' }] }, end],
      ['start>sub', 'sub>end'],
    ),
    forms: [anyStartForm],
    variables: { n: 0 },
    expect: { kind: 'incident', code: 'BUDGET_EXCEEDED', names: 'spin' },
  },
  // ---- recursion (finding 2)
  {
    name: 'a process that calls itself',
    definition: proc('h-self', [start, { id: 'call', type: 'callActivity', calledElement: 'h-self' }, end], ['start>call', 'call>end']),
    forms: [anyStartForm],
    expect: { kind: 'incident', code: 'CALL_DEPTH_EXCEEDED', names: 'call' },
  },
  {
    name: 'two processes that call each other',
    publishFirst: [{ definition: proc('h-pong', [start, { id: 'back', type: 'callActivity', calledElement: 'h-ping' }, end], ['start>back', 'back>end'], { startForm: undefined }), forms: [] }],
    definition: proc('h-ping', [start, { id: 'call', type: 'callActivity', calledElement: 'h-pong' }, end], ['start>call', 'call>end']),
    forms: [anyStartForm],
    expect: { kind: 'incident', code: 'CALL_DEPTH_EXCEEDED', names: 'call' },
  },
  // ---- huge multi-instance
  {
    name: 'a multi-instance task a million times',
    definition: proc('h-mi-million', [start, userTask('each', { multiInstance: { cardinality: '1000000', elementVariable: 'item' } }), end], ['start>each', 'each>end']),
    forms: [anyStartForm],
    expect: { kind: 'incident', code: 'LOOP_FAILED', names: 'each' },
  },
  {
    name: 'a multi-instance over a list of 5,000 items sent at the start',
    definition: proc('h-mi-list', [start, userTask('each', { multiInstance: { collection: 'items', elementVariable: 'item' } }), end], ['start>each', 'each>end']),
    forms: [anyStartForm],
    variables: { items: Array.from({ length: 5_000 }, (_, i) => i) },
    expect: { kind: 'incident', code: 'LOOP_FAILED', names: 'each' },
  },
  {
    name: 'a multi-instance subprocess of 1,000 runs, each a multi-instance task of 1,000',
    definition: proc(
      'h-mi-nested',
      [start, { id: 'outer', type: 'subProcess', multiInstance: { cardinality: '1000', elementVariable: 'i' }, elements: [{ id: 'in', type: 'startEvent' }, userTask('inner', { multiInstance: { cardinality: '1000', elementVariable: 'j' } }), { id: 'out', type: 'endEvent' }], flows: [{ id: 's1', source: 'in', target: 'inner' }, { id: 's2', source: 'inner', target: 'out' }] }, end],
      ['start>outer', 'outer>end'],
    ),
    forms: [anyStartForm],
    // ten runs start (10,000 tasks), the next run stops at its start event and no further run starts
    expect: { kind: 'incident', code: 'BUDGET_EXCEEDED', names: 'in' },
  },
  // ---- giant outputs (finding 7)
  {
    name: 'a mapping that repeats a 50 KB field 10,000 times',
    definition: proc('h-giant', [start, script('grow', { copies: 'for i in 1..10000 return s' }), end], ['start>grow', 'grow>end']),
    forms: [anyStartForm],
    variables: { s: big(50_000) },
    expect: { kind: 'refused', names: '"grow"' },
  },
  {
    name: 'a loop that doubles a text on every pass',
    definition: proc('h-double', [start, script('grow', { s: 's + s' }), gw('again'), end], ['start>grow', 'grow>again', 'again>grow!', 'again>end:false']),
    forms: [anyStartForm],
    variables: { s: 'ab' },
    expect: { kind: 'refused', names: 'the limit is 1.0 MB' },
  },
  // ---- expressions refused at publish
  {
    name: 'an expression nested 100 levels deep',
    definition: proc('h-deep-expr', [start, script('deep', { x: `${'('.repeat(100)}1${')'.repeat(100)}` }), end], ['start>deep', 'deep>end']),
    forms: [anyStartForm],
    expect: { kind: 'refused-at-publish', names: 'deep' },
  },
  {
    name: 'an expression of 5,000 characters',
    definition: proc('h-long-expr', [start, script('long', { x: Array.from({ length: 1_250 }, () => '1').join(' + ') }), end], ['start>long', 'long>end']),
    forms: [anyStartForm],
    expect: { kind: 'refused-at-publish', names: 'long' },
  },
  {
    name: 'an iteration over a range of a hundred million',
    definition: proc('h-range', [start, script('count', { x: 'for i in 1..100000000 return i' }), end], ['start>count', 'count>end']),
    forms: [anyStartForm],
    expect: { kind: 'refused-at-publish', names: 'count' },
  },
  {
    name: 'nested iterations (10,000 × 10,000)',
    definition: proc('h-nested-for', [start, script('square', { x: 'for i in 1..10000 return for j in 1..10000 return i * j' }), end], ['start>square', 'square>end']),
    forms: [anyStartForm],
    expect: { kind: 'refused-at-publish', names: 'square' },
  },
];
