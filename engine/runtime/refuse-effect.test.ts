/** A host that cannot carry out a task for the people named stops the instance as the engine would. */
import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile';
import { refuseEffect } from './refuse-effect';
import { send, start } from './step';
import type { Effect, Incident, InstanceState } from './types';

const rt = (state: InstanceState): InstanceState => JSON.parse(JSON.stringify(state)) as InstanceState;
const createTask = (effects: Effect[]) =>
  effects.find((e): e is Extract<Effect, { type: 'createTask' }> => e.type === 'createTask')!;
const nobody = (elementId: string): Incident => ({
  elementId,
  code: 'NO_CANDIDATES',
  message: `User task "${elementId}" names nobody in the company.`,
});

const review = compile({
  formatVersion: 1,
  key: 'review',
  version: 1,
  name: 'Review',
  elements: [
    { id: 's', type: 'startEvent' },
    { id: 'check', type: 'userTask', formKey: 'f', assignee: '=reviewer' },
    { id: 'e', type: 'endEvent' },
  ],
  flows: [
    { id: 'f1', source: 's', target: 'check' },
    { id: 'f2', source: 'check', target: 'e' },
  ],
});

describe('refuseEffect', () => {
  it('stops the instance at the task with the incident, and a retry asks for the task again', () => {
    // given a start whose task names someone the host cannot find
    const started = start(review, { reviewer: 'nobody@example.com' });
    const task = createTask(started.effects);
    // when the host refuses the task
    const { state, effects } = refuseEffect(started, task, nobody('check'));
    // then the instance waits at the task, stopped by the incident, and no task is asked for
    expect(state).toMatchObject({ status: 'incident', active: ['check'], incident: nobody('check') });
    expect(effects.filter((e) => e.type === 'createTask')).toEqual([]);
    expect(effects).toContainEqual({ type: 'raiseIncident', incident: nobody('check') });
    // and retrying it with the variable fixed enters the task again
    const retried = send(review, rt(state), {
      type: 'incident.retried',
      elementId: 'check',
      variables: { reviewer: 'lan@example.com' },
    });
    expect(retried.state.status).toBe('active');
    expect(createTask(retried.effects)).toMatchObject({ elementId: 'check', assignee: 'lan@example.com' });
  });

  it('stops the run of a scoped subprocess the task belongs to, and the retry reaches that run', () => {
    const runs = compile({
      formatVersion: 1,
      key: 'runs',
      version: 1,
      name: 'Runs',
      elements: [
        { id: 's', type: 'startEvent' },
        {
          id: 'reviews',
          type: 'subProcess',
          multiInstance: { sequential: false, collection: 'reviewers', elementVariable: 'reviewer' },
          elements: [
            { id: 'rs', type: 'startEvent' },
            { id: 'check', type: 'userTask', formKey: 'f', assignee: '=reviewer' },
            { id: 're', type: 'endEvent' },
          ],
          flows: [
            { id: 'r1', source: 'rs', target: 'check' },
            { id: 'r2', source: 'check', target: 're' },
          ],
        },
        { id: 'e', type: 'endEvent' },
      ],
      flows: [
        { id: 'f1', source: 's', target: 'reviews' },
        { id: 'f2', source: 'reviews', target: 'e' },
      ],
    });
    const started = start(runs, { reviewers: ['lan@example.com', 'nobody@example.com'] });
    const second = started.effects.find((e) => e.type === 'createTask' && e.scope === 'reviews#1')!;
    const { state, effects } = refuseEffect(started, second, nobody('check'));
    expect(state).toMatchObject({
      status: 'incident',
      incident: nobody('check'),
      scopes: { 'reviews#0': { status: 'active' }, 'reviews#1': { status: 'incident', incident: nobody('check') } },
    });
    expect(effects).toContainEqual({ type: 'raiseIncident', incident: nobody('check'), scope: 'reviews#1' });
    expect(effects.filter((e) => e.type === 'createTask').map((e) => e.scope)).toEqual(['reviews#0']);

    const retried = send(runs, rt(state), { type: 'incident.retried', elementId: 'check' });
    expect(retried.state.status).toBe('active');
    expect(retried.effects.filter((e) => e.type === 'createTask').map((e) => e.scope)).toEqual(['reviews#1']);
  });

  it('refuses an effect the step did not ask for', () => {
    const started = start(review, { reviewer: 'x@example.com' });
    const first = refuseEffect(started, createTask(started.effects), nobody('check'));
    expect(() => refuseEffect(first, createTask(started.effects), nobody('check'))).toThrow(
      /not one of this step's effects/,
    );
  });
});
