import { describe, expect, it } from 'vitest';
import { send, start } from '../runtime/step';
import type { InstanceState } from '../runtime/types';
import { validateDefinition } from '../validate/validate';
import { compile } from './compile';
import crossing from './fixtures/refused/crossing-branches.json';
import deadPath from './fixtures/refused/dead-path-join.json';
import inclusive from './fixtures/inclusive-checks.json';
import parallel from './fixtures/parallel-review.json';
import terminate from './fixtures/terminate.json';

const complete = (elementId: string, variables: Record<string, unknown> = {}) => ({
  type: 'task.completed' as const,
  elementId,
  variables,
});
const roundTrip = (s: InstanceState) => JSON.parse(JSON.stringify(s)) as InstanceState;

describe('parallel gateway', () => {
  const p = compile(parallel);

  it('splits into one task per branch and joins when both are done', () => {
    // given a contract review split to legal and finance
    const s1 = start(p, {});
    expect(s1.state.active.sort()).toEqual(['financeReview', 'legalReview']);
    expect(
      s1.effects
        .filter((e) => e.type === 'createTask')
        .map((e) => e.type === 'createTask' && e.elementId)
        .sort(),
    ).toEqual(['financeReview', 'legalReview']);

    // when legal finishes first, the join waits for finance (and the state survives JSON)
    const s2 = send(p, roundTrip(s1.state), complete('legalReview', { legalOk: true }));
    expect(s2.state).toMatchObject({ status: 'active', active: ['financeReview'] });
    expect(s2.state.positions?.sort()).toEqual(['@legalDone', 'financeReview']);
    expect(s2.effects.some((e) => e.type === 'audit' && e.elementId === 'join')).toBe(false);

    // then finance completes the join, exactly once
    const s3 = send(p, roundTrip(s2.state), complete('financeReview', { financeOk: true }));
    expect(s3.state).toMatchObject({ status: 'completed', variables: { bothApproved: true } });
    expect(s3.effects.filter((e) => e.type === 'audit' && e.elementId === 'join')).toHaveLength(1);
  });

  it('refuses to complete a branch twice', () => {
    const s1 = start(p, {}).state;
    const s2 = send(p, s1, complete('legalReview')).state;
    expect(() => send(p, s2, complete('legalReview'))).toThrowError(
      expect.objectContaining({ code: 'ELEMENT_NOT_ACTIVE' }),
    );
  });
});

describe('inclusive gateway', () => {
  const p = compile(inclusive);

  it('takes every flow whose condition is true and joins only those', () => {
    const s1 = start(p, { amount: 250_000_000, foreignVendor: true });
    expect(s1.state.active.sort()).toEqual(['cfoCheck', 'taxCheck']);
    expect(s1.state.positions).toContain('!toClerk');
    const s2 = send(p, roundTrip(s1.state), complete('taxCheck'));
    expect(s2.state.active).toEqual(['cfoCheck']);
    const s3 = send(p, roundTrip(s2.state), complete('cfoCheck'));
    expect(s3.state).toMatchObject({ status: 'completed', outcome: 'checked' });
  });

  it('takes the default flow when no condition is true', () => {
    const s1 = start(p, { amount: 1_000, foreignVendor: false });
    expect(s1.state.active).toEqual(['clerkCheck']);
    expect(send(p, s1.state, complete('clerkCheck')).state.status).toBe('completed');
  });

  it('raises an incident when a condition is not a boolean', () => {
    const s1 = start(p, { amount: 1_000 });
    expect(s1.state).toMatchObject({
      status: 'incident',
      incident: { elementId: 'which', code: 'CONDITION_NOT_BOOLEAN' },
    });
    expect(s1.effects.some((e) => e.type === 'createTask')).toBe(false);
  });
});

describe('terminate end event', () => {
  const p = compile(terminate);

  it('ends the instance at once and cancels the open task of the other branch', () => {
    const { state, effects } = start(p, { vendor: 'Blocked Ltd' });
    expect(state).toMatchObject({ status: 'completed', outcome: 'blocked' });
    expect(effects).toContainEqual({ type: 'cancelTask', elementId: 'approve' });
  });

  it('lets the other branch finish when it is not reached', () => {
    const s1 = start(p, { vendor: 'Công ty Minh Phát' });
    expect(s1.state).toMatchObject({
      status: 'active',
      active: ['approve'],
      positions: expect.arrayContaining(['screened']),
    });
    const s2 = send(p, roundTrip(s1.state), complete('approve'));
    expect(s2.state).toMatchObject({ status: 'completed', outcome: 'approved' });
    expect(s2.effects.some((e) => e.type === 'cancelTask')).toBe(false);
  });
});

describe('structures the engine refuses to run', () => {
  it('reports a parallel join fed by an exclusive choice as a deadlock', () => {
    const result = validateDefinition(deadPath);
    expect(result.ok).toBe(false);
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({ ruleId: 'deadlock', elementId: 'join', message: expect.stringContaining('deadlock') }),
    );
  });

  it('reports a branch that jumps into its sibling', () => {
    const result = validateDefinition(crossing);
    expect(result.ok).toBe(false);
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ ruleId: 'structure', elementId: 'fork' }));
  });

  it('reports a gateway that both joins and splits', () => {
    const mixed = structuredClone(parallel);
    mixed.flows = mixed.flows.map((f) => (f.id === 'f5' ? { ...f, target: 'legalReview' } : f));
    mixed.flows.push({ id: 'extra', source: 'join', target: 'end' });
    const result = validateDefinition(mixed);
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({
        ruleId: 'structure',
        elementId: 'join',
        message: expect.stringContaining('both joins'),
      }),
    );
  });
});
