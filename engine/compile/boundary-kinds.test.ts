import { describe, expect, it } from 'vitest';
import { send, start } from '../runtime/step';
import type { Effect } from '../runtime/types';
import { compile } from './compile';
import supplier from './fixtures/supplier-onboarding.json';

const of = <K extends Effect['type']>(effects: Effect[], type: K) =>
  effects.filter((e): e is Extract<Effect, { type: K }> => e.type === type);
const vars = { supplierId: 'NCC-9', policyChanges: 0 };

describe('signal start, message and signal boundaries, non-interrupting escalation, message throw and end', () => {
  const p = compile(supplier);

  it('starts on the signal start event when the host says so', () => {
    expect(of(start(p, vars, { startEvent: 'registryUpdated' }).effects, 'audit')[0]).toMatchObject({
      elementId: 'registryUpdated',
    });
  });

  it('notes a policy change (signal, non-interrupting) and asks a senior (escalation, non-interrupting) while the task waits', () => {
    const s1 = start(p, vars).state;
    const s2 = send(p, s1, { type: 'signal.received', name: 'risk-policy-changed' });
    expect(s2.state).toMatchObject({ active: ['assess'], variables: { policyChanges: 1 } });
    const s3 = send(p, s2.state, { type: 'escalation.thrown', elementId: 'assess', code: 'SENIOR' });
    expect(of(s3.effects, 'sendMessage')).toEqual([
      { type: 'sendMessage', elementId: 'askSenior', name: 'senior-review-requested', payload: {} },
    ]);
    expect(s3.state.active).toEqual(['assess']);
    // and ends with the welcome message
    const s4 = send(p, s3.state, { type: 'task.completed', elementId: 'assess', variables: {} });
    expect(s4.state).toMatchObject({ status: 'completed', outcome: 'onboarded' });
    expect(of(s4.effects, 'sendMessage')).toEqual([
      { type: 'sendMessage', elementId: 'welcome', name: 'supplier-welcome', payload: {} },
    ]);
    expect(
      of(s4.effects, 'closeSubscription')
        .map((e) => e.elementId)
        .sort(),
    ).toEqual(['policyChanged', 'withdrawn']);
  });

  it('is withdrawn by a correlated message, interrupting the task', () => {
    const s1 = start(p, vars).state;
    expect(() =>
      send(p, s1, { type: 'message.received', name: 'supplier-withdrew', correlationKey: 'NCC-1' }),
    ).toThrowError(expect.objectContaining({ code: 'EVENT_NOT_ACCEPTED' }));
    const s2 = send(p, s1, { type: 'message.received', name: 'supplier-withdrew', correlationKey: 'NCC-9' });
    expect(s2.state).toMatchObject({ status: 'completed', outcome: 'withdrawn' });
    expect(of(s2.effects, 'cancelTask')).toEqual([{ type: 'cancelTask', elementId: 'assess' }]);
  });
});
