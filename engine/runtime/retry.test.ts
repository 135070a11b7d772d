import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile';
import bankTransfer from '../compile/fixtures/bank-transfer-job.json';
import reviews from '../compile/fixtures/department-reviews.json';
import reminder from '../compile/fixtures/reminder-approval.json';
import { send, start } from './step';
import type { Effect, InstanceState } from './types';

const T0 = '2026-12-01T02:00:00.000Z';
const roundTrip = (s: InstanceState) => JSON.parse(JSON.stringify(s)) as InstanceState;
const of = <K extends Effect['type']>(effects: Effect[], type: K) =>
  effects.filter((e): e is Extract<Effect, { type: K }> => e.type === type);
const retry = (elementId: string, variables?: Record<string, unknown>) => ({
  type: 'incident.retried' as const,
  elementId,
  ...(variables ? { variables } : {}),
});
const task = (id: string) => ({ id, type: 'userTask', formKey: 'f', candidateGroups: ['accounting'] });

describe('retrying an incident', () => {
  const routing = compile({
    formatVersion: 1,
    key: 'routing',
    version: 1,
    name: 'Route by amount',
    elements: [
      { id: 's', type: 'startEvent' },
      { id: 'size', type: 'exclusiveGateway', default: 'toSmall' },
      task('big'),
      task('small'),
      { id: 'e', type: 'endEvent' },
    ],
    flows: [
      { id: 'f0', source: 's', target: 'size' },
      { id: 'toBig', source: 'size', target: 'big', condition: 'amount > 1000' },
      { id: 'toSmall', source: 'size', target: 'small' },
      { id: 'f3', source: 'big', target: 'e' },
      { id: 'f4', source: 'small', target: 'e' },
    ],
  });

  it('decides a gateway again with the variables fixed, and moves on', () => {
    // given an instance stopped at a gateway whose conditions cannot be read (no amount)
    const stopped = start(routing, {}).state;
    expect(stopped).toMatchObject({ status: 'incident', incident: { elementId: 'size' } });
    // when it is retried with the amount set (after a JSON round trip, as a host stores it)
    const { state, effects } = send(routing, roundTrip(stopped), retry('size', { amount: 5_000 }));
    // then the gateway decides, the instance waits at the task, and the incident is gone
    expect(state).toMatchObject({ status: 'active', active: ['big'], variables: { amount: 5_000 } });
    expect(state.incident).toBeUndefined();
    expect(of(effects, 'audit')).toContainEqual(expect.objectContaining({ elementId: 'size', flowId: 'toBig' }));
    expect(of(effects, 'createTask').map((e) => e.elementId)).toEqual(['big']);
    expect(of(effects, 'raiseIncident')).toEqual([]);
  });

  it('stays in the incident, raised again, when the retry fails too', () => {
    const stopped = start(routing, {}).state;
    const { state, effects } = send(routing, stopped, retry('size', { currency: 'VND' }));
    expect(state).toMatchObject({
      status: 'incident',
      active: ['size'],
      incident: { elementId: 'size' },
      variables: { currency: 'VND' },
    });
    expect(of(effects, 'raiseIncident')).toHaveLength(1);
    expect(of(effects, 'createTask')).toEqual([]);
  });

  it('starts a job again after a business error nobody caught', () => {
    const p = compile(bankTransfer);
    const waiting = start(p, { amount: 5_000_000 }).state;
    const stopped = send(p, waiting, { type: 'error.thrown', elementId: 'transfer', code: 'ACCOUNT_CLOSED' }).state;
    expect(stopped).toMatchObject({ status: 'incident', incident: { code: 'UNHANDLED_ERROR', elementId: 'transfer' } });
    // retried: a new job for the same task, with the variables as they are now
    const retried = send(p, roundTrip(stopped), retry('transfer', { account: 'VCB-0071' }));
    expect(retried.state).toMatchObject({ status: 'active', active: ['transfer'] });
    expect(of(retried.effects, 'startJob')).toEqual([
      {
        type: 'startJob',
        elementId: 'transfer',
        taskType: 'bank-transfer',
        variables: { amount: 5_000_000, account: 'VCB-0071' },
      },
    ]);
    // and the new job's completion moves the instance on
    const done = send(p, retried.state, {
      type: 'job.completed',
      elementId: 'transfer',
      variables: { transferId: 'TX-9' },
    });
    expect(done.state).toMatchObject({ status: 'completed', outcome: 'paid' });
  });

  it('schedules the timers of an activity whose boundary timer could not be scheduled', () => {
    const p = compile(reminder);
    // given no time was given at the start, so the boundary timers could not be scheduled
    const stopped = start(p, { invoiceNumber: 'HD-7' }).state;
    expect(stopped).toMatchObject({ status: 'incident', incident: { code: 'INVALID_TIMER' } });
    expect(p.elements.get(stopped.incident!.elementId)?.type).toBe('boundaryEvent');
    // when retried with the time: the activity is entered again, its timers scheduled from now
    const { state, effects } = send(p, stopped, retry(stopped.incident!.elementId), { now: T0 });
    expect(state).toMatchObject({ status: 'active', active: ['approve'] });
    expect(
      of(effects, 'scheduleTimer')
        .map((e) => e.timerId)
        .sort(),
    ).toEqual(['after7Days', 'every2Days']);
    expect(of(effects, 'createTask').map((e) => e.elementId)).toEqual(['approve']);
  });

  it("retries inside the run of a parallel subprocess that is stuck, with that run's variables", () => {
    const p = compile(reviews);
    // given the second department's key is not a valid group: its run has nobody to work it
    const stopped = start(p, { departments: ['hr', 'Phòng Pháp chế', 'risk'] }, { now: T0 }).state;
    expect(stopped).toMatchObject({ status: 'incident', incident: { code: 'NO_CANDIDATES', elementId: 'review' } });
    expect(stopped.scopes?.['reviews#1']).toMatchObject({ status: 'incident' });
    // when retried with the run's department fixed
    const { state, effects } = send(p, roundTrip(stopped), retry('review', { department: 'compliance' }));
    // then that run creates its task, in its scope, and the instance runs again
    expect(state.status).toBe('active');
    expect(state.incident).toBeUndefined();
    expect(of(effects, 'createTask').map((e) => [e.scope, e.candidateGroups])).toEqual([['reviews#1', ['compliance']]]);
    expect(state.scopes?.['reviews#1']).toMatchObject({ status: 'active', active: ['review'] });
    expect(state.scopes?.['reviews#0']?.variables).not.toHaveProperty('department', 'compliance');
  });

  it("refuses a retry of an instance without an incident, or of another element than the incident's", () => {
    const stopped = start(routing, {}).state;
    expect(() => send(routing, stopped, retry('big'))).toThrowError(
      expect.objectContaining({ code: 'EVENT_NOT_ACCEPTED', message: expect.stringContaining('is at "size"') }),
    );
    const running = start(routing, { amount: 1 }).state;
    expect(() => send(routing, running, retry('size'))).toThrowError(
      expect.objectContaining({ code: 'EVENT_NOT_ACCEPTED', message: expect.stringContaining('nothing to retry') }),
    );
  });

  it("refuses to retry an incident on a path that has moved on (a non-interrupting event's inline path)", () => {
    const p = compile({
      formatVersion: 1,
      key: 'question',
      version: 1,
      name: 'A question while the review waits',
      elements: [
        { id: 's', type: 'startEvent' },
        task('review'),
        {
          id: 'asked',
          type: 'boundaryEvent',
          attachedTo: 'review',
          cancelActivity: false,
          event: { kind: 'message', name: 'question' },
        },
        { id: 'urgent', type: 'exclusiveGateway' },
        { id: 'e1', type: 'endEvent' },
        { id: 'e2', type: 'endEvent' },
        { id: 'e', type: 'endEvent' },
      ],
      flows: [
        { id: 'f0', source: 's', target: 'review' },
        { id: 'f1', source: 'review', target: 'e' },
        { id: 'f2', source: 'asked', target: 'urgent' },
        { id: 'yes', source: 'urgent', target: 'e1', condition: 'urgent' },
        { id: 'no', source: 'urgent', target: 'e2', condition: 'not(urgent)' },
      ],
    });
    const waiting = start(p, {}).state;
    const stopped = send(p, waiting, { type: 'message.received', name: 'question', variables: {} }).state;
    expect(stopped).toMatchObject({ status: 'incident', incident: { elementId: 'urgent' } });
    expect(() => send(p, stopped, retry('urgent', { urgent: true }))).toThrowError(
      expect.objectContaining({ code: 'EVENT_NOT_ACCEPTED', message: expect.stringContaining('moved on') }),
    );
  });
});
