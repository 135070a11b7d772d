import { describe, expect, it } from 'vitest';
import { send, start } from '../runtime/step';
import type { Effect, InstanceState } from '../runtime/types';
import { compile } from './compile';
import purchase from './fixtures/purchase-request.json';

const T0 = '2026-12-01T01:00:00.000Z';
const rt = (s: InstanceState) => JSON.parse(JSON.stringify(s)) as InstanceState;
const of = <K extends Effect['type']>(effects: Effect[], type: K) =>
  effects.filter((e): e is Extract<Effect, { type: K }> => e.type === type);
const complete = (elementId: string, variables: Record<string, unknown> = {}) => ({
  type: 'task.completed' as const,
  elementId,
  variables,
});
const vars = { requestNumber: 'PR-77', item: 'Máy in laser' };

describe('start events, links, event-based gateway and event subprocesses', () => {
  const p = compile(purchase);

  it('starts from the start event the host says fired', () => {
    const byForm = start(p, vars, { now: T0 });
    const byEmail = start(p, vars, { now: T0, startEvent: 'emailStart' });
    expect(byForm.effects.find((e) => e.type === 'audit')).toMatchObject({ elementId: 'formStart' });
    expect(byEmail.effects.find((e) => e.type === 'audit')).toMatchObject({ elementId: 'emailStart' });
    expect(byEmail.state.active).toEqual(['approve']);
    expect(() => start(p, vars, { startEvent: 'approve' })).toThrow(/not a start event/);
  });

  it('listens for its event subprocess triggers while it runs', () => {
    const { effects } = start(p, vars, { now: T0 });
    expect(of(effects, 'openSubscription')).toContainEqual({
      type: 'openSubscription',
      elementId: 'cancelRequested',
      kind: 'message',
      name: 'cancel-purchase',
      correlationKey: 'PR-77',
    });
    expect(of(effects, 'scheduleTimer')).toEqual([
      { type: 'scheduleTimer', timerId: 'everyDay', elementId: 'everyDay', dueAt: '2026-12-02T01:00:00.000Z' },
    ]);
  });

  it('loops back through a link to fix the request', () => {
    const s1 = start(p, vars, { now: T0 }).state;
    const s2 = send(p, rt(s1), complete('approve', { decision: 'revise' }));
    expect(s2.state.active).toEqual(['fixRequest']);
    expect(of(s2.effects, 'audit').map((e) => e.elementId)).toEqual(['approve', 'afterApproval', 'toRevise', 'revise']);
    expect(send(p, rt(s2.state), complete('fixRequest')).state.active).toEqual(['approve']);
  });

  it('waits for delivery or two weeks, whichever comes first', () => {
    const s1 = start(p, vars, { now: T0 }).state;
    const s2 = send(p, rt(s1), complete('approve', { decision: 'approve' }), { now: T0 });
    expect(s2.state.active).toEqual(['waitDelivery']);
    expect(of(s2.effects, 'sendMessage')).toEqual([
      { type: 'sendMessage', elementId: 'placeOrder', name: 'purchase-order', payload: { item: 'Máy in laser' } },
    ]);
    expect(of(s2.effects, 'scheduleTimer')).toEqual([
      { type: 'scheduleTimer', timerId: 'twoWeeks', elementId: 'twoWeeks', dueAt: '2026-12-15T01:00:00.000Z' },
    ]);

    const delivered = send(p, rt(s2.state), {
      type: 'message.received',
      name: 'goods-delivered',
      correlationKey: 'PR-77',
      variables: { deliveryNote: 'PX-1' },
    });
    expect(delivered.state).toMatchObject({
      status: 'completed',
      outcome: 'received',
      variables: { deliveryNote: 'PX-1' },
    });
    expect(of(delivered.effects, 'cancelTimer')).toContainEqual({ type: 'cancelTimer', timerId: 'twoWeeks' });

    const timedOut = send(p, rt(s2.state), {
      type: 'timer.fired',
      timerId: 'twoWeeks',
      dueAt: '2026-12-15T01:00:00.000Z',
    });
    expect(timedOut.state).toMatchObject({ status: 'completed', outcome: 'not-delivered' });
    expect(of(timedOut.effects, 'closeSubscription')).toContainEqual({
      type: 'closeSubscription',
      elementId: 'delivered',
    });
  });

  it('sends the daily digest twice without interrupting, and cancels on request', () => {
    const s1 = start(p, vars, { now: T0 }).state;
    const s2 = send(p, rt(s1), { type: 'timer.fired', timerId: 'everyDay', dueAt: '2026-12-02T01:00:00.000Z' });
    expect(s2.state.active).toEqual(['approve']);
    expect(of(s2.effects, 'sendMessage').map((e) => e.name)).toEqual(['open-purchase-digest']);
    expect(of(s2.effects, 'scheduleTimer')).toEqual([
      { type: 'scheduleTimer', timerId: 'everyDay', elementId: 'everyDay', dueAt: '2026-12-03T01:00:00.000Z' },
    ]);
    const s3 = send(p, rt(s2.state), { type: 'timer.fired', timerId: 'everyDay', dueAt: '2026-12-03T01:00:00.000Z' });
    expect(of(s3.effects, 'scheduleTimer')).toEqual([]); // R2: two digests in all

    const cancelled = send(p, rt(s3.state), {
      type: 'message.received',
      name: 'cancel-purchase',
      correlationKey: 'PR-77',
    });
    expect(cancelled.state).toMatchObject({ status: 'completed', outcome: 'cancelled' });
    expect(of(cancelled.effects, 'cancelTask')).toEqual([{ type: 'cancelTask', elementId: 'approve' }]);
  });
});
