import { describe, expect, it } from 'vitest';
import { send, start } from '../runtime/step';
import type { Effect, InstanceState } from '../runtime/types';
import { compile } from './compile';
import loanGranting from './fixtures/loan-granting.json';
import reviews from './fixtures/department-reviews.json';
import twoOfThree from './fixtures/two-of-three.json';

const T0 = '2026-12-01T00:00:00.000Z';

const rt = (s: InstanceState) => JSON.parse(JSON.stringify(s)) as InstanceState;
const of = <K extends Effect['type']>(effects: Effect[], type: K) =>
  effects.filter((e): e is Extract<Effect, { type: K }> => e.type === type);
const run = (loopIndex: number, decision: string) => ({
  type: 'task.completed' as const,
  elementId: 'approve',
  loopIndex,
  variables: { decision },
});

describe('multi-instance user task', () => {
  const p = compile(twoOfThree);
  const groups = { approverGroups: ['accounting', 'compliance', 'risk'] };

  it('offers one task per department at once', () => {
    const { state, effects } = start(p, groups);
    expect(state.active).toEqual(['approve']);
    expect(of(effects, 'createTask').map((e) => [e.loop?.index, e.candidateGroups])).toEqual([
      [0, ['accounting']],
      [1, ['compliance']],
      [2, ['risk']],
    ]);
  });

  it('completes when any 2 of 3 approve, cancelling the third and collecting the decisions', () => {
    const s1 = start(p, groups).state;
    const s2 = send(p, rt(s1), run(0, 'approve'));
    expect(s2.state).toMatchObject({ status: 'active', loops: { approve: { active: [1, 2], finished: [0] } } });
    const s3 = send(p, rt(s2.state), run(1, 'reject'));
    expect(s3.state.status).toBe('active');
    const s4 = send(p, rt(s3.state), run(2, 'approve'));
    expect(s4.state).toMatchObject({ status: 'completed', variables: { approvals: ['approve', 'reject', 'approve'] } });
    expect(s4.state.loops).toBeUndefined();
  });

  it('stops early once the condition holds', () => {
    const s1 = start(p, groups).state;
    const s2 = send(p, send(p, s1, run(2, 'approve')).state, run(0, 'approve'));
    expect(s2.state).toMatchObject({ status: 'completed', variables: { approvals: ['approve', 'approve'] } });
    expect(of(s2.effects, 'cancelTask')).toEqual([{ type: 'cancelTask', elementId: 'approve', loopIndex: 1 }]);
  });

  it('refuses a run that is not open', () => {
    const s1 = send(p, start(p, groups).state, run(0, 'approve')).state;
    expect(() => send(p, s1, run(0, 'approve'))).toThrowError(expect.objectContaining({ code: 'EVENT_NOT_ACCEPTED' }));
  });

  it('runs one after another when sequential', () => {
    const seq = structuredClone(twoOfThree);
    (seq.elements[1] as { multiInstance: object }).multiInstance = {
      sequential: true,
      cardinality: '3',
      outputCollection: 'approvals',
      outputElement: 'decision',
    };
    (seq.elements[1] as { candidateGroups: unknown }).candidateGroups = ['accounting'];
    const q = compile(seq);
    const s1 = start(q, {});
    expect(of(s1.effects, 'createTask').map((e) => e.loop)).toEqual([{ index: 0, item: 1 }]);
    const s2 = send(q, s1.state, run(0, 'approve'));
    expect(of(s2.effects, 'createTask').map((e) => e.loop)).toEqual([{ index: 1, item: 2 }]);
    const s3 = send(q, send(q, s2.state, run(1, 'approve')).state, run(2, 'reject'));
    expect(s3.state).toMatchObject({ status: 'completed', variables: { approvals: ['approve', 'approve', 'reject'] } });
  });

  it('moves on at once over an empty collection', () => {
    expect(start(p, { approverGroups: [] }).state).toMatchObject({ status: 'completed', variables: { approvals: [] } });
  });

  it('raises an incident when a run would have no candidate group', () => {
    expect(start(p, { approverGroups: ['accounting', 'Not A Key'] }).state).toMatchObject({
      status: 'incident',
      incident: { code: 'NO_CANDIDATES', elementId: 'approve' },
    });
  });

  it('raises an incident when the collection is not a list', () => {
    expect(start(p, { approverGroups: 'accounting' }).state).toMatchObject({
      status: 'incident',
      incident: { code: 'LOOP_FAILED', elementId: 'approve' },
    });
  });
});

describe('multi-instance subprocess', () => {
  it('grants 2 and rejects 3 loans for credit scores [5, 9, 1, 4, 10] (Camunda loan-granting)', () => {
    const { state } = start(compile(loanGranting), { creditScores: [5, 9, 1, 4, 10] });
    expect(state).toMatchObject({
      status: 'completed',
      variables: { decisions: ['rejected', 'granted', 'rejected', 'rejected', 'granted'], granted: 2, rejected: 3 },
    });
  });

  it('skips the subprocess over an empty collection, running nothing inside', () => {
    const { state, effects } = start(compile(loanGranting), { creditScores: [] });
    expect(state).toMatchObject({ status: 'completed', variables: { decisions: [], granted: 0, rejected: 0 } });
    expect(
      effects.some((e) => e.type === 'audit' && (e.elementId === 'grantLoan' || e.elementId === 'rejectLoan')),
    ).toBe(false);
  });

  it('keeps a boundary timer on a sequential multi-instance subprocess running across its runs', () => {
    const reviews = {
      formatVersion: 1,
      key: 'reviews',
      version: 1,
      name: 'Sequential reviews under one deadline',
      elements: [
        { id: 'start', type: 'startEvent' },
        {
          id: 'review',
          type: 'subProcess',
          multiInstance: { sequential: true, cardinality: '3' },
          elements: [
            { id: 's', type: 'startEvent' },
            { id: 'check', type: 'userTask', formKey: 'f', candidateGroups: ['risk'] },
            { id: 'e', type: 'endEvent' },
          ],
          flows: [
            { id: 'r1', source: 's', target: 'check' },
            { id: 'r2', source: 'check', target: 'e' },
          ],
        },
        { id: 'deadline', type: 'boundaryEvent', attachedTo: 'review', event: { kind: 'timer', duration: 'P2D' } },
        { id: 'late', type: 'endEvent', outcome: 'late' },
        { id: 'end', type: 'endEvent', outcome: 'reviewed' },
      ],
      flows: [
        { id: 'f0', source: 'start', target: 'review' },
        { id: 'f1', source: 'review', target: 'end' },
        { id: 'f2', source: 'deadline', target: 'late' },
      ],
    };
    const p = compile(reviews);
    const s1 = start(p, {}, { now: '2026-12-01T00:00:00Z' });
    expect(of(s1.effects, 'scheduleTimer')).toHaveLength(1);
    const s2 = send(
      p,
      rt(s1.state),
      { type: 'task.completed', elementId: 'check', variables: {} },
      { now: '2026-12-01T05:00:00Z' },
    );
    expect(s2.state.active).toEqual(['check']);
    expect(of(s2.effects, 'scheduleTimer')).toEqual([]);
    expect(of(s2.effects, 'cancelTimer')).toEqual([]);
    const s3 = send(p, send(p, s2.state, { type: 'task.completed', elementId: 'check', variables: {} }).state, {
      type: 'task.completed',
      elementId: 'check',
      variables: {},
    });
    expect(s3.state).toMatchObject({ status: 'completed', outcome: 'reviewed' });
    expect(of(s3.effects, 'cancelTimer')).toEqual([{ type: 'cancelTimer', timerId: 'deadline' }]);
  });

  it('runs parallel subprocess runs that wait as separate scopes (department reviews)', () => {
    const p = compile(reviews);
    // given three departments review their part at once
    const s1 = start(p, { departments: ['hr', 'it', 'risk'] }, { now: T0 });
    expect(s1.state.active).toEqual(['reviews']);
    expect(of(s1.effects, 'createTask').map((e) => [e.scope, e.elementId, e.candidateGroups])).toEqual([
      ['reviews#0', 'review', ['hr']],
      ['reviews#1', 'review', ['it']],
      ['reviews#2', 'review', ['risk']],
    ]);
    expect(Object.keys(s1.state.scopes ?? {})).toEqual(['reviews#0', 'reviews#1', 'reviews#2']);

    // when IT asks for changes, the correction happens in IT's run only
    const s2 = send(p, rt(s1.state), {
      type: 'task.completed',
      scope: 'reviews#1',
      elementId: 'review',
      variables: { verdict: 'changes' },
    });
    expect(of(s2.effects, 'createTask').map((e) => [e.scope, e.elementId])).toEqual([['reviews#1', 'correct']]);
    const s3 = send(p, rt(s2.state), {
      type: 'task.completed',
      scope: 'reviews#1',
      elementId: 'correct',
      variables: {},
    });
    const s4 = send(p, rt(s3.state), {
      type: 'task.completed',
      scope: 'reviews#1',
      elementId: 'review',
      variables: { verdict: 'ok' },
    });
    expect(Object.keys(s4.state.scopes ?? {})).toEqual(['reviews#0', 'reviews#2']);
    expect(s4.state.loops?.reviews?.finished).toEqual([1]);

    // then the others finish and the results are collected in item order
    const s5 = send(p, rt(s4.state), {
      type: 'task.completed',
      scope: 'reviews#2',
      elementId: 'review',
      variables: { verdict: 'ok' },
    });
    const s6 = send(p, rt(s5.state), {
      type: 'task.completed',
      scope: 'reviews#0',
      elementId: 'review',
      variables: { verdict: 'ok' },
    });
    expect(s6.state).toMatchObject({ status: 'completed', outcome: 'published' });
    expect(s6.state.variables.results).toEqual([
      { department: 'hr', verdict: 'ok' },
      { department: 'it', verdict: 'ok' },
      { department: 'risk', verdict: 'ok' },
    ]);
    expect(of(s6.effects, 'cancelTimer')).toEqual([{ type: 'cancelTimer', timerId: 'deadline' }]);
  });

  it('stops every open run when the deadline interrupts the subprocess', () => {
    const p = compile(reviews);
    const s1 = start(p, { departments: ['hr', 'it'] }, { now: T0 }).state;
    const s2 = send(p, rt(s1), {
      type: 'task.completed',
      scope: 'reviews#0',
      elementId: 'review',
      variables: { verdict: 'ok' },
    }).state;
    const s3 = send(p, rt(s2), { type: 'timer.fired', timerId: 'deadline', dueAt: '2026-12-11T00:00:00.000Z' });
    expect(s3.state).toMatchObject({ status: 'completed', outcome: 'late' });
    expect(of(s3.effects, 'cancelScope')).toEqual([{ type: 'cancelScope', scope: 'reviews#1' }]);
  });

  it('refuses an event for a run that is not there', () => {
    const p = compile(reviews);
    const s1 = start(p, { departments: ['hr'] }, { now: T0 }).state;
    expect(() =>
      send(p, s1, { type: 'task.completed', scope: 'reviews#5', elementId: 'review', variables: {} }),
    ).toThrowError(expect.objectContaining({ code: 'EVENT_NOT_ACCEPTED' }));
    expect(() =>
      send(p, s1, { type: 'task.completed', scope: 'reviews#0', elementId: 'correct', variables: {} }),
    ).toThrowError(expect.objectContaining({ code: 'ELEMENT_NOT_ACTIVE' }));
  });
});

describe('multi-instance on other tasks', () => {
  const looped = (task: object) => ({
    formatVersion: 1,
    key: 'looped',
    version: 1,
    name: 'Looped task',
    elements: [
      { id: 'start', type: 'startEvent' },
      { id: 'each', ...task },
      { id: 'end', type: 'endEvent' },
    ],
    flows: [
      { id: 'f0', source: 'start', target: 'each' },
      { id: 'f1', source: 'each', target: 'end' },
    ],
  });

  it('runs a script task once per item, collecting its output', () => {
    const p = compile(
      looped({
        type: 'scriptTask',
        set: { net: 'gross * 0.9' },
        multiInstance: {
          collection: 'amounts',
          elementVariable: 'gross',
          outputCollection: 'nets',
          outputElement: 'net',
        },
      }),
    );
    expect(start(p, { amounts: [100, 200] }).state).toMatchObject({
      status: 'completed',
      variables: { nets: [90, 180] },
    });
  });

  it('starts one job per item at once, each resumed by its own scope', () => {
    const p = compile(
      looped({
        type: 'serviceTask',
        taskType: 'send-payslip',
        multiInstance: {
          collection: 'employees',
          elementVariable: 'employee',
          outputCollection: 'receipts',
          outputElement: 'receipt',
        },
      }),
    );
    const s1 = start(p, { employees: ['Lan', 'Hùng'] });
    expect(of(s1.effects, 'startJob').map((e) => [e.scope, e.elementId, e.variables.employee])).toEqual([
      ['each#0', 'each__item', 'Lan'],
      ['each#1', 'each__item', 'Hùng'],
    ]);
    const s2 = send(p, rt(s1.state), {
      type: 'job.completed',
      scope: 'each#1',
      elementId: 'each__item',
      variables: { receipt: 'R-2' },
    });
    const s3 = send(p, rt(s2.state), {
      type: 'job.completed',
      scope: 'each#0',
      elementId: 'each__item',
      variables: { receipt: 'R-1' },
    });
    expect(s3.state).toMatchObject({ status: 'completed', variables: { receipts: ['R-1', 'R-2'] } });
  });
});
