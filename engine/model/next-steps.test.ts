/**
 * What follows an element (next-steps.ts): the next user tasks with who gets them as declared,
 * ends, waits, every branch of a split with its condition as written, loops marked rather than
 * followed, boundary events, and a budget that holds on a huge generated process.
 */
import { describe, expect, it } from 'vitest';
import { processDefinitionSchema, type ProcessDefinition, type ProcessDefinitionInput } from './definition';
import { countSteps, nextSteps, type NextStep } from './next-steps';

const flow = (
  id: string,
  source: string,
  target: string,
  more: { condition?: string; name?: string | Record<string, string> } = {},
) => ({ id, source, target, ...more });
const task = (id: string, more: Record<string, unknown> = {}) => ({ id, type: 'userTask', formKey: 'f', ...more });

function process(elements: unknown[], flows: unknown[]) {
  return processDefinitionSchema.parse({
    formatVersion: 1,
    key: 'p',
    version: 1,
    name: 'P',
    elements,
    flows,
  } as ProcessDefinitionInput);
}

describe('nextSteps', () => {
  it('linear: passes automatic steps by and stops at the next user task, with who gets it as declared', () => {
    // given review → a script task → a service task → approve (managers of accounting) → end
    const def = process(
      [
        { id: 's', type: 'startEvent' },
        task('review', { candidateGroups: ['operations'] }),
        { id: 'calc', type: 'scriptTask', set: { total: 'amount * 2' } },
        { id: 'notify', type: 'serviceTask', taskType: 'email' },
        task('approve', {
          name: { en: 'Approve', vi: 'Phê duyệt' },
          candidateGroups: ['accounting'],
          candidateRole: 'manager',
          assignee: '=chief',
        }),
        { id: 'e', type: 'endEvent' },
      ],
      [
        flow('f1', 's', 'review'),
        flow('f2', 'review', 'calc'),
        flow('f3', 'calc', 'notify'),
        flow('f4', 'notify', 'approve'),
        flow('f5', 'approve', 'e'),
      ],
    );
    // when asked what follows review
    const next = nextSteps(def, 'review')!;
    // then the approval, as declared, and nothing beyond it
    expect(next).toEqual({
      after: [
        {
          kind: 'userTask',
          id: 'approve',
          name: { en: 'Approve', vi: 'Phê duyệt' },
          assignment: { candidateGroups: ['accounting'], candidateRole: 'manager', assignee: '=chief' },
          multiInstance: false,
        },
      ],
      boundaries: [],
      truncated: false,
    });
    // and after the approval the end
    expect(nextSteps(def, 'approve')!.after).toEqual([{ kind: 'end', id: 'e', terminate: false }]);
  });

  it('an element that is not in the process: null', () => {
    expect(nextSteps(process([{ id: 's', type: 'startEvent' }], []), 'nope')).toBeNull();
  });

  it('exclusive gateway: each branch with its name and condition as written, the default marked', () => {
    const def = process(
      [
        { id: 's', type: 'startEvent' },
        task('review'),
        { id: 'big', type: 'exclusiveGateway', name: 'Above threshold?', default: 'small' },
        task('cfo', { candidateUsers: ['cfo@example.com'] }),
        { id: 'paid', type: 'endEvent', outcome: 'approved' },
      ],
      [
        flow('f1', 's', 'review'),
        flow('f2', 'review', 'big'),
        flow('large', 'big', 'cfo', {
          condition: 'amount > 50000000 and vendor != "<b>x</b>"',
          name: { en: 'Large', vi: 'Lớn' },
        }),
        flow('small', 'big', 'paid'),
        flow('f3', 'cfo', 'paid'),
      ],
    );
    const [split] = nextSteps(def, 'review')!.after;
    expect(split).toEqual({
      kind: 'split',
      id: 'big',
      name: 'Above threshold?',
      split: 'exclusive',
      omitted: 0,
      branches: [
        {
          flowId: 'large',
          name: { en: 'Large', vi: 'Lớn' },
          condition: 'amount > 50000000 and vendor != "<b>x</b>"',
          isDefault: false,
          next: [
            {
              kind: 'userTask',
              id: 'cfo',
              assignment: { candidateRole: 'member', candidateUsers: ['cfo@example.com'] },
              multiInstance: false,
            },
          ],
        },
        {
          flowId: 'small',
          isDefault: true,
          next: [{ kind: 'end', id: 'paid', outcome: 'approved', terminate: false }],
        },
      ],
    });
  });

  it('parallel: every branch, through to the join and what follows it on each', () => {
    const def = process(
      [
        task('start'),
        { id: 'fork', type: 'parallelGateway' },
        task('a', { candidateGroups: '=teams' }),
        task('b', { multiInstance: { collection: 'items' } }),
        { id: 'join', type: 'parallelGateway' },
        { id: 'e', type: 'endEvent' },
      ],
      [
        flow('f0', 'start', 'fork'),
        flow('fa', 'fork', 'a'),
        flow('fb', 'fork', 'b'),
        flow('f1', 'a', 'join'),
        flow('f2', 'b', 'join'),
        flow('f3', 'join', 'e'),
      ],
    );
    const [split] = nextSteps(def, 'start')!.after;
    expect(split).toMatchObject({
      kind: 'split',
      split: 'parallel',
      branches: [
        { next: [{ id: 'a', assignment: { candidateGroups: '=teams' } }] },
        { next: [{ id: 'b', multiInstance: true }] },
      ],
    });
    // from one branch, the join is passed through to the end
    expect(nextSteps(def, 'a')!.after).toEqual([{ kind: 'end', id: 'e', terminate: false }]);
  });

  it('loop back: a branch that returns to the task (or an element already on the path) is marked, not followed again', () => {
    const def = process(
      [
        task('fix', { name: 'Fix' }),
        { id: 'check', type: 'scriptTask', set: {} },
        { id: 'ok', type: 'exclusiveGateway', default: 'again' },
        { id: 'e', type: 'endEvent' },
        { id: 'spin', type: 'scriptTask', set: {} },
        { id: 'spinGate', type: 'exclusiveGateway' },
      ],
      [
        flow('f1', 'fix', 'check'),
        flow('f2', 'check', 'ok'),
        flow('done', 'ok', 'e', { condition: 'valid' }),
        flow('again', 'ok', 'fix'),
        flow('toSpin', 'ok', 'spin', { condition: 'retry' }),
        flow('f3', 'spin', 'spinGate'),
        flow('f4', 'spinGate', 'spin'),
      ],
    );
    const [split] = nextSteps(def, 'fix')!.after as Extract<NextStep, { kind: 'split' }>[];
    expect(split!.branches.map((b) => [b.flowId, b.next])).toEqual([
      ['done', [{ kind: 'end', id: 'e', terminate: false }]],
      ['again', [{ kind: 'back', id: 'fix', name: 'Fix' }]],
      ['toSpin', [{ kind: 'back', id: 'spin' }]],
    ]);
  });

  it('end: terminate, an error, and the end of a subprocess going on after it', () => {
    const def = process(
      [
        task('t'),
        { id: 'g', type: 'exclusiveGateway' },
        { id: 'stop', type: 'endEvent', terminate: true },
        { id: 'fail', type: 'endEvent', event: { kind: 'error', code: 'REJECTED' } },
        {
          id: 'sub',
          type: 'subProcess',
          elements: [{ id: 'ss', type: 'startEvent' }, task('inner'), { id: 'se', type: 'endEvent' }],
          flows: [flow('s1', 'ss', 'inner'), flow('s2', 'inner', 'se')],
        },
        task('after'),
      ],
      [
        flow('f1', 't', 'g'),
        flow('a', 'g', 'stop', { condition: 'x' }),
        flow('b', 'g', 'fail', { condition: 'y' }),
        flow('c', 'g', 'sub', { condition: 'z' }),
        flow('f2', 'sub', 'after'),
      ],
    );
    const [split] = nextSteps(def, 't')!.after as Extract<NextStep, { kind: 'split' }>[];
    expect(split!.branches.map((b) => b.next)).toEqual([
      [{ kind: 'end', id: 'stop', terminate: true }],
      [{ kind: 'end', id: 'fail', terminate: false, throws: { kind: 'error', code: 'REJECTED' } }],
      [{ kind: 'userTask', id: 'inner', assignment: { candidateRole: 'member' }, multiInstance: false }],
    ]);
    // inside the subprocess, its end leads on to what follows the subprocess
    expect(nextSteps(def, 'inner')!.after).toMatchObject([{ kind: 'userTask', id: 'after' }]);
  });

  it('boundary timer: what follows when it fires, interrupting or not; waits and called processes stop a path', () => {
    const def = process(
      [
        task('approve'),
        { id: 'late', type: 'boundaryEvent', attachedTo: 'approve', event: { kind: 'timer', duration: 'P3D' } },
        {
          id: 'nudge',
          type: 'boundaryEvent',
          attachedTo: 'approve',
          cancelActivity: false,
          event: { kind: 'timer', cycle: 'R/P1D' },
        },
        task('escalate', { candidateGroups: ['operations'], candidateRole: 'manager' }),
        { id: 'mail', type: 'serviceTask', taskType: 'email' },
        { id: 'mailed', type: 'endEvent' },
        { id: 'wait', type: 'eventBasedGateway' },
        { id: 'paid', type: 'intermediateCatchEvent', event: { kind: 'message', name: 'payment-received' } },
        { id: 'week', type: 'intermediateCatchEvent', event: { kind: 'timer', duration: 'P7D' } },
        { id: 'call', type: 'callActivity', calledElement: 'invoice-payment' },
      ],
      [
        flow('f1', 'approve', 'wait'),
        flow('w1', 'wait', 'paid'),
        flow('w2', 'wait', 'week'),
        flow('f2', 'late', 'escalate'),
        flow('f3', 'nudge', 'mail'),
        flow('f4', 'mail', 'mailed'),
        flow('f5', 'week', 'call'),
      ],
    );
    const next = nextSteps(def, 'approve')!;
    expect(next.boundaries).toEqual([
      {
        id: 'late',
        event: { kind: 'timer', duration: 'P3D' },
        interrupting: true,
        next: [
          {
            kind: 'userTask',
            id: 'escalate',
            assignment: { candidateGroups: ['operations'], candidateRole: 'manager' },
            multiInstance: false,
          },
        ],
      },
      {
        id: 'nudge',
        event: { kind: 'timer', cycle: 'R/P1D' },
        interrupting: false,
        next: [{ kind: 'end', id: 'mailed', terminate: false }],
      },
    ]);
    expect(next.after).toEqual([
      {
        kind: 'split',
        id: 'wait',
        split: 'event',
        omitted: 0,
        branches: [
          {
            flowId: 'w1',
            isDefault: false,
            next: [{ kind: 'wait', id: 'paid', waitsFor: { kind: 'message', name: 'payment-received' } }],
          },
          {
            flowId: 'w2',
            isDefault: false,
            next: [{ kind: 'wait', id: 'week', waitsFor: { kind: 'timer', duration: 'P7D' } }],
          },
        ],
      },
    ]);
  });

  it('budget: a huge generated process is cut short, says so, and lists no more than the budget', () => {
    // given 19,000 elements (past the schema's caps: the budget must hold whatever it is handed):
    // a parallel fan of 3,000 branches, each into a ring of gateways that also loop back to the task
    const elements: unknown[] = [task('t'), { id: 'fan', type: 'parallelGateway' }];
    const flows: unknown[] = [flow('f0', 't', 'fan')];
    for (let i = 0; i < 3_000; i++) {
      elements.push({ id: `s${i}`, type: 'scriptTask', set: {} }, { id: `g${i}`, type: 'exclusiveGateway' });
      flows.push(
        flow(`a${i}`, 'fan', `s${i}`),
        flow(`b${i}`, `s${i}`, `g${i}`),
        flow(`c${i}`, `g${i}`, `g${(i + 1) % 3_000}`, { condition: 'x' }),
        flow(`d${i}`, `g${i}`, 't', { condition: 'y' }),
      );
    }
    // and a chain of 10,000 script tasks with nothing to say
    elements.push(task('u'));
    for (let i = 0; i < 10_000; i++) elements.push({ id: `c${i}`, type: 'scriptTask', set: {} });
    flows.push(flow('u0', 'u', 'c0'), ...Array.from({ length: 9_999 }, (_, i) => flow(`cc${i}`, `c${i}`, `c${i + 1}`)));
    // and a ladder of 1,000 gateways, each with two ways to the next: 2^1000 paths
    elements.push(task('v'));
    flows.push(flow('v0', 'v', 'l0'));
    for (let i = 0; i < 1_000; i++) {
      elements.push({ id: `l${i}`, type: 'inclusiveGateway' });
      if (i < 999)
        flows.push(
          flow(`lx${i}`, `l${i}`, `l${i + 1}`, { condition: 'x' }),
          flow(`ly${i}`, `l${i}`, `l${i + 1}`, { condition: 'y' }),
        );
    }
    const def = { elements, flows } as unknown as ProcessDefinition;

    const started = performance.now();
    const fan = nextSteps(def, 't')!;
    const chain = nextSteps(def, 'u')!;
    const ladder = nextSteps(def, 'v')!;
    expect(performance.now() - started).toBeLessThan(1_000);
    // then both are cut short and say so
    expect(fan.truncated).toBe(true);
    expect(countSteps(fan.after)).toBeLessThanOrEqual(2 * 40);
    const [split] = fan.after as Extract<NextStep, { kind: 'split' }>[];
    expect(split!.omitted).toBeGreaterThan(2_900);
    expect(chain).toEqual({ after: [{ kind: 'more' }], boundaries: [], truncated: true });
    expect(ladder.truncated).toBe(true);
    expect(countSteps(ladder.after)).toBeLessThanOrEqual(2 * 40);
    // and a smaller budget lists less
    expect(countSteps(nextSteps(def, 't', { items: 5, depth: 2 })!.after)).toBeLessThanOrEqual(2 * 5);
  });
});
