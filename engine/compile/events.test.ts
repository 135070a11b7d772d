import { describe, expect, it } from 'vitest';
import { send, start } from '../runtime/step';
import type { Effect, InstanceState } from '../runtime/types';
import { validateDefinition } from '../validate/validate';
import { compile } from './compile';
import bankTransfer from './fixtures/bank-transfer-job.json';
import invoicePayment from './fixtures/invoice-payment.json';
import paymentWait from './fixtures/payment-wait.json';
import reminder from './fixtures/reminder-approval.json';

const T0 = '2026-12-01T02:00:00.000Z';
const roundTrip = (s: InstanceState) => JSON.parse(JSON.stringify(s)) as InstanceState;
const of = <K extends Effect['type']>(effects: Effect[], type: K) =>
  effects.filter((e): e is Extract<Effect, { type: K }> => e.type === type);

describe('timer boundary events', () => {
  const p = compile(reminder);

  it('schedules a reminder cycle and a deadline when the task starts', () => {
    const { effects } = start(p, { invoiceNumber: 'HD-7' }, { now: T0 });
    expect(of(effects, 'scheduleTimer')).toEqual([
      { type: 'scheduleTimer', timerId: 'every2Days', elementId: 'every2Days', dueAt: '2026-12-03T02:00:00.000Z' },
      { type: 'scheduleTimer', timerId: 'after7Days', elementId: 'after7Days', dueAt: '2026-12-08T02:00:00.000Z' },
    ]);
  });

  it('sends a reminder every 2 days while the task waits, without interrupting it', () => {
    // given the approval waits
    const s1 = start(p, { invoiceNumber: 'HD-7' }, { now: T0 }).state;
    // when the reminder timer fires twice
    const s2 = send(
      p,
      roundTrip(s1),
      { type: 'timer.fired', timerId: 'every2Days', dueAt: '2026-12-03T02:00:00.000Z' },
      { now: '2026-12-03T02:00:01Z' },
    );
    expect(s2.state.active).toEqual(['approve']);
    expect(of(s2.effects, 'sendMessage')).toEqual([
      { type: 'sendMessage', elementId: 'remind', name: 'task-reminder', payload: { invoice: 'HD-7' } },
    ]);
    expect(of(s2.effects, 'scheduleTimer')).toEqual([
      { type: 'scheduleTimer', timerId: 'every2Days', elementId: 'every2Days', dueAt: '2026-12-05T02:00:00.000Z' },
    ]);
    expect(of(s2.effects, 'cancelTask')).toEqual([]);
    const s3 = send(p, roundTrip(s2.state), {
      type: 'timer.fired',
      timerId: 'every2Days',
      dueAt: '2026-12-05T02:00:00.000Z',
    });
    expect(of(s3.effects, 'scheduleTimer')[0]?.dueAt).toBe('2026-12-07T02:00:00.000Z');
    // then completing the task stops both timers
    const s4 = send(p, roundTrip(s3.state), { type: 'task.completed', elementId: 'approve', variables: {} });
    expect(s4.state).toMatchObject({ status: 'completed', outcome: 'decided' });
    expect(
      of(s4.effects, 'cancelTimer')
        .map((e) => e.timerId)
        .sort(),
    ).toEqual(['after7Days', 'every2Days']);
  });

  it('escalates after 7 days, cancelling the task and the reminders', () => {
    const s1 = start(p, {}, { now: T0 }).state;
    const s2 = send(p, roundTrip(s1), {
      type: 'timer.fired',
      timerId: 'after7Days',
      dueAt: '2026-12-08T02:00:00.000Z',
    });
    expect(s2.state.active).toEqual(['escalate']);
    expect(of(s2.effects, 'cancelTask')).toEqual([{ type: 'cancelTask', elementId: 'approve' }]);
    expect(of(s2.effects, 'cancelTimer')).toEqual([{ type: 'cancelTimer', timerId: 'every2Days' }]);
    expect(of(s2.effects, 'createTask')[0]).toMatchObject({ elementId: 'escalate', candidateRole: 'manager' });
    // and a late reminder for the cancelled task is refused
    expect(() =>
      send(p, s2.state, { type: 'timer.fired', timerId: 'every2Days', dueAt: '2026-12-09T02:00:00.000Z' }),
    ).toThrowError(expect.objectContaining({ code: 'EVENT_NOT_ACCEPTED' }));
  });

  it('raises an incident when no time is given to schedule a timer', () => {
    const { state } = start(p, {});
    expect(state).toMatchObject({
      status: 'incident',
      incident: { code: 'INVALID_TIMER', message: expect.stringContaining('pass `now`') },
    });
  });
});

describe('messages, signals and dates', () => {
  const p = compile(paymentWait);

  it('correlates the bank message by invoice number, waits until the due date, then for a signal', () => {
    const s1 = start(p, { invoiceNumber: 'HD-9', dueDate: '2026-12-20' }, { now: T0 });
    expect(of(s1.effects, 'openSubscription')).toEqual([
      {
        type: 'openSubscription',
        elementId: 'bankConfirmation',
        kind: 'message',
        name: 'payment-received',
        correlationKey: 'HD-9',
      },
    ]);

    expect(() =>
      send(p, s1.state, { type: 'message.received', name: 'payment-received', correlationKey: 'HD-10' }),
    ).toThrowError(expect.objectContaining({ code: 'EVENT_NOT_ACCEPTED' }));
    const s2 = send(
      p,
      roundTrip(s1.state),
      { type: 'message.received', name: 'payment-received', correlationKey: 'HD-9', variables: { bankRef: 'VCB-123' } },
      { now: T0 },
    );
    expect(s2.state).toMatchObject({ active: ['untilDue'], variables: { bankRef: 'VCB-123' } });
    expect(of(s2.effects, 'closeSubscription')).toEqual([{ type: 'closeSubscription', elementId: 'bankConfirmation' }]);
    expect(of(s2.effects, 'scheduleTimer')).toEqual([
      { type: 'scheduleTimer', timerId: 'untilDue', elementId: 'untilDue', dueAt: '2026-12-20T00:00:00.000Z' },
    ]);

    const s3 = send(p, roundTrip(s2.state), {
      type: 'timer.fired',
      timerId: 'untilDue',
      dueAt: '2026-12-20T00:00:00.000Z',
    });
    expect(s3.state.active).toEqual(['quarterClosed']);
    expect(of(s3.effects, 'cancelTimer')).toEqual([]);
    const s4 = send(p, roundTrip(s3.state), { type: 'signal.received', name: 'quarter-closed' });
    expect(s4.state.status).toBe('completed');
  });
});

describe('errors and escalations', () => {
  it('routes a business error thrown from a task form to the error boundary', () => {
    const p = compile(invoicePayment);
    const s1 = start(p, {}).state;
    const s2 = send(p, s1, {
      type: 'error.thrown',
      elementId: 'payInvoice',
      code: 'invoice-error',
      variables: { reason: 'Sai số tài khoản' },
    });
    expect(s2.state).toMatchObject({ active: ['archiveInvoice'], variables: { reason: 'Sai số tài khoản' } });
    expect(of(s2.effects, 'cancelTask')).toEqual([{ type: 'cancelTask', elementId: 'payInvoice' }]);
    expect(
      send(p, s2.state, { type: 'task.completed', elementId: 'archiveInvoice', variables: {} }).state.outcome,
    ).toBe('archived');

    const e2 = send(p, s1, { type: 'escalation.thrown', elementId: 'payInvoice', code: 'invoice-escalate' });
    expect(e2.state.active).toEqual(['informSupervisor']);
    expect(send(p, s1, { type: 'task.completed', elementId: 'payInvoice', variables: {} }).state.outcome).toBe('paid');
  });

  it('catches a job failure by code, and makes an uncaught one an incident', () => {
    const p = compile(bankTransfer);
    const s1 = start(p, { amount: 5_000_000 });
    expect(of(s1.effects, 'startJob')).toEqual([
      { type: 'startJob', elementId: 'transfer', taskType: 'bank-transfer', variables: { amount: 5_000_000 } },
    ]);
    const ok = send(p, s1.state, { type: 'job.completed', elementId: 'transfer', variables: { transferId: 'TX-1' } });
    expect(ok.state).toMatchObject({ status: 'completed', outcome: 'paid', variables: { paid: true } });
    const caught = send(p, s1.state, { type: 'error.thrown', elementId: 'transfer', code: 'INSUFFICIENT_FUNDS' });
    expect(caught.state).toMatchObject({ status: 'completed', outcome: 'on-hold' });
    expect(of(caught.effects, 'cancelJob')).toEqual([{ type: 'cancelJob', elementId: 'transfer' }]);
    const uncaught = send(p, s1.state, { type: 'error.thrown', elementId: 'transfer', code: 'ACCOUNT_CLOSED' });
    expect(uncaught.state).toMatchObject({
      status: 'incident',
      active: ['transfer'],
      incident: { code: 'UNHANDLED_ERROR', elementId: 'transfer' },
    });
  });
});

describe('event validation', () => {
  const withElements = (extra: object[], flows: object[] = []) => ({
    ...structuredClone(reminder),
    elements: [...reminder.elements, ...extra],
    flows: [...reminder.flows, ...flows],
  });

  it('rejects a timer text that is not ISO 8601, naming the element', () => {
    const bad = structuredClone(reminder);
    (bad.elements[2] as { event: object }).event = { kind: 'timer', cycle: '0/5 0/1 * 1/1 * ?' };
    expect(validateDefinition(bad).diagnostics).toContainEqual(
      expect.objectContaining({
        ruleId: 'timers',
        elementId: 'every2Days',
        message: expect.stringContaining('cron expressions are not supported'),
      }),
    );
  });

  it('rejects a boundary on something that never waits, and a side path that merges into the main flow', () => {
    const bad = withElements(
      [
        { id: 'onStart', type: 'boundaryEvent', attachedTo: 'start', event: { kind: 'timer', duration: 'P1D' } },
        { id: 'late', type: 'endEvent' },
      ],
      [{ id: 'f9', source: 'onStart', target: 'late' }],
    );
    bad.flows = (bad.flows as { id: string; source: string; target: string }[]).map((f) =>
      f.id === 'f3' ? { ...f, target: 'escalate' } : f,
    );
    const found = validateDefinition(bad).diagnostics;
    expect(found).toContainEqual(
      expect.objectContaining({ elementId: 'onStart', message: expect.stringContaining('never waits') }),
    );
    expect(found).toContainEqual(
      expect.objectContaining({ elementId: 'f3', message: expect.stringContaining('back into the main flow') }),
    );
  });

  it('runs a non-interrupting path that waits beside the activity, each firing its own run', () => {
    const questions = {
      formatVersion: 1,
      key: 'questions',
      version: 1,
      name: 'Approval that vendors may ask questions about',
      elements: [
        { id: 'start', type: 'startEvent' },
        { id: 'approve', type: 'userTask', formKey: 'f', candidateGroups: ['accounting'] },
        {
          id: 'question',
          type: 'boundaryEvent',
          attachedTo: 'approve',
          cancelActivity: false,
          event: { kind: 'message', name: 'vendor-question', correlationKey: 'invoiceNumber' },
        },
        { id: 'answer', type: 'userTask', formKey: 'answer', candidateGroups: ['accounting'] },
        { id: 'answered', type: 'endEvent' },
        { id: 'done', type: 'endEvent', outcome: 'decided' },
      ],
      flows: [
        { id: 'f0', source: 'start', target: 'approve' },
        { id: 'f1', source: 'approve', target: 'done' },
        { id: 'f2', source: 'question', target: 'answer' },
        { id: 'f3', source: 'answer', target: 'answered' },
      ],
    };
    const p = compile(questions);
    const s1 = start(p, { invoiceNumber: 'HD-5' }).state;
    const q1 = send(p, roundTrip(s1), {
      type: 'message.received',
      name: 'vendor-question',
      correlationKey: 'HD-5',
      variables: { question: 'Khi nào thanh toán?' },
    });
    const q2 = send(p, roundTrip(q1.state), {
      type: 'message.received',
      name: 'vendor-question',
      correlationKey: 'HD-5',
    });
    expect(of(q1.effects, 'createTask')).toEqual([
      expect.objectContaining({ elementId: 'answer', scope: 'question#0' }),
    ]);
    expect(of(q2.effects, 'createTask')).toEqual([
      expect.objectContaining({ elementId: 'answer', scope: 'question#1' }),
    ]);
    expect(q2.state.active).toEqual(['approve']);

    // the main flow ends first: the instance waits for the open answer, then completes
    const d = send(p, roundTrip(q2.state), { type: 'task.completed', elementId: 'approve', variables: {} });
    expect(d.state).toMatchObject({ status: 'active', active: [], mainEnded: { outcome: 'decided' } });
    expect(of(d.effects, 'completeInstance')).toEqual([]);
    const a1 = send(p, roundTrip(d.state), {
      type: 'task.completed',
      scope: 'question#1',
      elementId: 'answer',
      variables: {},
    });
    expect(a1.state.status).toBe('active');
    const a0 = send(p, roundTrip(a1.state), {
      type: 'task.completed',
      scope: 'question#0',
      elementId: 'answer',
      variables: {},
    });
    expect(a0.state).toMatchObject({ status: 'completed', outcome: 'decided' });
    expect(of(a0.effects, 'completeInstance')).toEqual([{ type: 'completeInstance', outcome: 'decided' }]);
  });

  it('a terminate end event ends the runs still waiting on side paths, as BPMN says, instead of waiting for them', () => {
    const closing = {
      formatVersion: 1,
      key: 'closing',
      version: 1,
      name: 'Review that a question may hold up, closed by a terminate end',
      elements: [
        { id: 'start', type: 'startEvent' },
        { id: 'review', type: 'userTask', formKey: 'f', candidateGroups: ['risk'] },
        {
          id: 'question',
          type: 'boundaryEvent',
          attachedTo: 'review',
          cancelActivity: false,
          event: { kind: 'timer', duration: 'P2D' },
        },
        { id: 'followUp', type: 'userTask', formKey: 'f', candidateGroups: ['risk'], candidateRole: 'manager' },
        { id: 'followedUp', type: 'endEvent' },
        { id: 'closed', type: 'endEvent', outcome: 'closed', terminate: true },
      ],
      flows: [
        { id: 'f0', source: 'start', target: 'review' },
        { id: 'f1', source: 'review', target: 'closed' },
        { id: 'f2', source: 'question', target: 'followUp' },
        { id: 'f3', source: 'followUp', target: 'followedUp' },
      ],
    };
    const p = compile(closing);
    const s0 = start(p, {}, { now: T0 });
    const s1 = send(
      p,
      roundTrip(s0.state),
      { type: 'timer.fired', timerId: 'question', dueAt: '2026-12-03T02:00:00.000Z' },
      { now: '2026-12-03T02:00:01Z' },
    );
    expect(Object.keys(s1.state.scopes ?? {})).toEqual(['question#0']);
    const done = send(p, roundTrip(s1.state), { type: 'task.completed', elementId: 'review', variables: {} });
    expect(done.state).toMatchObject({ status: 'completed', outcome: 'closed' });
    expect(done.state.mainEnded).toBeUndefined();
    // the follow-up's run is cancelled before the instance completes
    const tail = done.effects.filter((e) => e.type === 'cancelScope' || e.type === 'completeInstance');
    expect(tail).toEqual([
      { type: 'cancelScope', scope: 'question#0' },
      { type: 'completeInstance', outcome: 'closed' },
    ]);
    // without terminate, the same end waits for the follow-up (the test above)
    const plain = compile({
      ...closing,
      elements: closing.elements.map((e) => (e.id === 'closed' ? { ...e, terminate: false } : e)),
    });
    const waiting = send(
      plain,
      roundTrip(
        send(
          plain,
          roundTrip(start(plain, {}, { now: T0 }).state),
          { type: 'timer.fired', timerId: 'question', dueAt: '2026-12-03T02:00:00.000Z' },
          { now: '2026-12-03T02:00:01Z' },
        ).state,
      ),
      { type: 'task.completed', elementId: 'review', variables: {} },
    );
    expect(waiting.state).toMatchObject({ status: 'active', mainEnded: { outcome: 'closed' } });
  });

  it('names elements Trellis does not run yet', () => {
    const bad = withElements([{ id: 'cg', type: 'complexGateway' }]);
    expect(validateDefinition(bad).diagnostics).toEqual([
      expect.objectContaining({
        ruleId: 'supported-elements',
        elementId: 'cg',
        message: expect.stringContaining('complexGateway "cg" cannot run'),
      }),
    ]);
  });
});
