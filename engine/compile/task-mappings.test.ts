/** Input and output mappings of user tasks and business rule tasks (Camunda 8's io mapping). */
import { describe, expect, it } from 'vitest';
import { decisionSchema } from '../decisions/model';
import type { ProcessDefinitionInput } from '../model/definition';
import { send, start } from '../runtime/step';
import type { Effect } from '../runtime/types';
import { validateDefinition } from '../validate/validate';
import { compile } from './compile';

const createTask = (effects: Effect[]) =>
  effects.filter((e): e is Extract<Effect, { type: 'createTask' }> => e.type === 'createTask');

/** start → the elements, in a row → end. */
function process(elements: ({ id: string } & Record<string, unknown>)[]): ProcessDefinitionInput {
  const ids = elements.map((e) => e.id);
  const chain = ['start', ...ids, 'end'];
  return {
    formatVersion: 1,
    key: 'mapped',
    version: 1,
    name: 'Mapped',
    elements: [
      { id: 'start', type: 'startEvent' },
      ...elements,
      { id: 'end', type: 'endEvent' },
    ] as ProcessDefinitionInput['elements'],
    flows: chain.slice(1).map((target, i) => ({ id: `f${i}`, source: chain[i]!, target })),
  };
}

const review = { id: 'review', type: 'userTask', candidateGroups: ['managers'] };
const level = decisionSchema.parse({
  id: 'level',
  hitPolicy: 'FIRST',
  inputs: [{ expression: 'amount' }],
  outputs: [{ name: 'level' }],
  rules: [
    { inputEntries: ['<= 100'], outputEntries: ['"auto"'] },
    { inputEntries: ['-'], outputEntries: ['"manager"'] },
  ],
});

describe('user task mappings', () => {
  it('gives the task its inputs (evaluated on entry, before its assignment) and keeps them out of the process', () => {
    // given
    const p = compile(
      process([
        {
          ...review,
          candidateGroups: undefined,
          assignee: '=owner',
          inputs: { owner: 'expense.manager', total: 'expense.amount * 2' },
        },
      ]),
    );
    // when
    const { state, effects } = start(p, { expense: { manager: 'lan@example.com', amount: 21 } });
    // then
    expect(createTask(effects)).toEqual([
      expect.objectContaining({ assignee: 'lan@example.com', inputs: { owner: 'lan@example.com', total: 42 } }),
    ]);
    expect(state.variables).toEqual({ expense: { manager: 'lan@example.com', amount: 21 } });
  });

  it('with outputs, writes only them: the submission stays the task’s own', () => {
    // given
    const p = compile(
      process([
        {
          ...review,
          inputs: { amount: 'expense.amount' },
          outputs: { managerReviewOutcome: 'reviewOutcome', reviewed: 'amount' },
        },
      ]),
    );
    const started = start(p, { expense: { amount: 450 } });
    // when
    const { state } = send(p, started.state, {
      type: 'task.completed',
      elementId: 'review',
      variables: { reviewOutcome: 'approved', comment: 'fine' },
    });
    // then
    expect(state).toMatchObject({
      status: 'completed',
      variables: { expense: { amount: 450 }, managerReviewOutcome: 'approved', reviewed: 450 },
    });
    expect(Object.keys(state.variables).sort()).toEqual(['expense', 'managerReviewOutcome', 'reviewed']);
  });

  it('without outputs, merges the submission as before, and still keeps the inputs out', () => {
    // given
    const p = compile(process([{ ...review, inputs: { amount: 'expense.amount' } }]));
    // when
    const { state } = send(p, start(p, { expense: { amount: 450 } }).state, {
      type: 'task.completed',
      elementId: 'review',
      variables: { reviewOutcome: 'approved' },
    });
    // then
    expect(state.variables).toEqual({ expense: { amount: 450 }, reviewOutcome: 'approved' });
  });

  it('writes each run’s outputs of a multi-instance task as the run completes', () => {
    // given one run per approver; each run sees its item and its inputs
    const multiInstance = { collection: 'approvers', elementVariable: 'approver', outputCollection: 'decisions' };
    const p = compile(
      process([
        { ...review, multiInstance, inputs: { who: 'approver' }, outputs: { lastDecision: 'who + ": " + decision' } },
      ]),
    );
    const s1 = start(p, { approvers: ['lan', 'minh'] });
    expect(createTask(s1.effects).map((e) => e.inputs)).toEqual([{ who: 'lan' }, { who: 'minh' }]);
    // when
    const s2 = send(p, s1.state, {
      type: 'task.completed',
      elementId: 'review',
      loopIndex: 1,
      variables: { decision: 'yes' },
    });
    const s3 = send(p, s2.state, {
      type: 'task.completed',
      elementId: 'review',
      loopIndex: 0,
      variables: { decision: 'no' },
    });
    // then
    expect(s2.state.variables).toMatchObject({ lastDecision: 'minh: yes' });
    expect(s3.state).toMatchObject({
      status: 'completed',
      variables: { lastDecision: 'lan: no', decisions: [{ decision: 'no' }, { decision: 'yes' }] },
    });
    expect(s3.state.variables).not.toHaveProperty('who');
  });
});

describe('business rule task mappings', () => {
  const task = {
    id: 'decide',
    type: 'businessRuleTask',
    decisionRef: 'level',
    resultVariable: 'levelResult',
    mapDecisionResult: 'singleEntry',
  };

  it('lets the decision see its inputs, and with outputs writes only them (the result variable stays the task’s own)', () => {
    // given
    const p = compile(
      process([
        {
          ...task,
          inputs: { amount: 'expense.amount' },
          outputs: { approvalLevel: 'levelResult', checkedAmount: 'amount' },
        },
      ]),
      { decisions: [level] },
    );
    // when
    const { state } = start(p, { expense: { amount: 80 } });
    // then
    expect(state).toMatchObject({ status: 'completed' });
    expect(state.variables).toEqual({ expense: { amount: 80 }, approvalLevel: 'auto', checkedAmount: 80 });
  });

  it('without outputs, stores the result in the result variable, and keeps the inputs out', () => {
    // given
    const p = compile(process([{ ...task, inputs: { amount: 'expense.amount' } }]), { decisions: [level] });
    // when
    const { state } = start(p, { expense: { amount: 450 } });
    // then
    expect(state.variables).toEqual({ expense: { amount: 450 }, levelResult: 'manager' });
  });

  it('records what it wrote in the audit', () => {
    const p = compile(
      process([{ ...task, inputs: { amount: 'expense.amount' }, outputs: { approvalLevel: 'levelResult' } }]),
      { decisions: [level] },
    );
    const { effects } = start(p, { expense: { amount: 450 } });
    expect(effects).toContainEqual(
      expect.objectContaining({ type: 'audit', elementId: 'decide', data: { approvalLevel: 'manager' } }),
    );
  });
});

describe('validation of the mappings', () => {
  it('names an input or output mapping that is not FEEL, with the task and the variable', () => {
    // given
    const definition = process([
      { ...review, inputs: { amount: 'expense.amount +' }, outputs: { outcome: 'reviewOutcome ==' } },
    ]);
    // when
    const result = validateDefinition(definition);
    // then
    const messages = result.diagnostics.filter((d) => d.ruleId === 'expressions').map((d) => d.message);
    expect(messages).toEqual([
      expect.stringContaining('Input mapping "amount" of "review"'),
      expect.stringContaining('Output mapping "outcome" of "review"'),
    ]);
  });
});
