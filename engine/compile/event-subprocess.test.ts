import { describe, expect, it } from 'vitest';
import { send, start } from '../runtime/step';
import type { Effect } from '../runtime/types';
import { compile } from './compile';
import claims from './fixtures/claims-handling.json';

const of = <K extends Effect['type']>(effects: Effect[], type: K) =>
  effects.filter((e): e is Extract<Effect, { type: K }> => e.type === type);
const verify = (verdict: string) => ({ type: 'task.completed' as const, elementId: 'verify', variables: { verdict } });

describe('error and escalation event subprocesses, timer start, signal throw', () => {
  const p = compile(claims);

  it('starts from the timer start event when the host fires it', () => {
    const { effects, state } = start(p, {}, { startEvent: 'monthly' });
    expect(of(effects, 'audit')[0]).toMatchObject({ elementId: 'monthly' });
    expect(state.active).toEqual(['verify']);
  });

  it('an error end event in the subprocess starts the error event subprocess, interrupting the process', () => {
    const s = send(p, start(p, {}).state, verify('fraud'));
    expect(s.state.active).toEqual(['report']);
    expect(send(p, s.state, { type: 'task.completed', elementId: 'report', variables: {} }).state).toMatchObject({
      status: 'completed',
      outcome: 'reported',
    });
  });

  it('an escalation runs the non-interrupting event subprocess beside the flow, which goes on', () => {
    const s = send(p, start(p, {}).state, verify('over-limit'));
    expect(of(s.effects, 'sendMessage')).toEqual([
      { type: 'sendMessage', elementId: 'notifyManager', name: 'claim-over-limit', payload: {} },
    ]);
    expect(of(s.effects, 'broadcastSignal')).toEqual([
      { type: 'broadcastSignal', elementId: 'announce', name: 'claims-checked', payload: {} },
    ]);
    expect(s.state).toMatchObject({ status: 'completed', outcome: 'paid' });
  });
});
