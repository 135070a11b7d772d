import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile';
import onboarding from '../compile/fixtures/onboarding-documents.json';
import twoOfThree from '../compile/fixtures/two-of-three.json';
import { parseDuration } from '../time/iso8601';
import { SimulatedHost, type ElementInstance } from './host';

const states = (history: readonly ElementInstance[]) => history.map((r) => `${r.elementId}:${r.state}`);

describe('element-instance history', () => {
  it('shows the subprocesses around a waiting task as active, and what an interrupting boundary ended as terminated', () => {
    // given onboarding waits at "review" inside the "checkDocuments" subprocess
    const host = new SimulatedHost();
    const { id } = host.start(compile(onboarding), { employee: 'An' });
    expect(states(host.elementInstances(id))).toEqual([
      'start:completed',
      'subStart:completed',
      'review:active',
      'checkDocuments:active',
    ]);
    // when its 3-day timer fires
    host.advance(parseDuration('P3D')!);
    // then the subprocess and the task in it were terminated, the boundary completed, and the task cancelled
    expect(states(host.elementInstances(id))).toEqual([
      'start:completed',
      'subStart:completed',
      'review:terminated',
      'checkDocuments:terminated',
      'tooSlow:completed',
      'escalateToManager:active',
    ]);
    expect(host.tasks().map((t) => `${t.elementId}:${t.state}`)).toEqual([
      'review:canceled',
      'escalateToManager:created',
    ]);
  });

  it('shows a multi-instance task as one element instance (its body), its runs as tasks', () => {
    const host = new SimulatedHost();
    const { id } = host.start(compile(twoOfThree), { approverGroups: ['accounting', 'compliance', 'risk'] });
    expect(states(host.elementInstances(id))).toEqual(['start:completed', 'approve:active']);
    expect(host.tasks().map((t) => `${t.loopIndex}:${t.candidateGroups.join()}:${t.state}`)).toEqual([
      '0:accounting:created',
      '1:compliance:created',
      '2:risk:created',
    ]);
    // two approvals meet the completion condition; the third run is cancelled
    for (const index of [2, 0])
      host.completeTask(
        host.tasks().find((t) => t.loopIndex === index)!,
        { decision: 'approve' },
      );
    expect(states(host.elementInstances(id))).toEqual(['start:completed', 'approve:completed', 'end:completed']);
    expect(host.instance(id)?.status).toBe('completed');
    expect(host.tasks().map((t) => `${t.loopIndex}:${t.state}`)).toEqual(['0:completed', '1:canceled', '2:completed']);
  });

  it('terminates the child of an interrupted call activity, with its open task', () => {
    const parent = compile({
      formatVersion: 1,
      key: 'parent',
      version: 1,
      name: 'Parent',
      elements: [
        { id: 'start', type: 'startEvent' },
        { id: 'call', type: 'callActivity', calledElement: 'child' },
        { id: 'late', type: 'boundaryEvent', attachedTo: 'call', event: { kind: 'timer', duration: 'P1D' } },
        { id: 'done', type: 'endEvent' },
        { id: 'gaveUp', type: 'endEvent' },
      ],
      flows: [
        { id: 'f1', source: 'start', target: 'call' },
        { id: 'f2', source: 'call', target: 'done' },
        { id: 'f3', source: 'late', target: 'gaveUp' },
      ],
    });
    const child = compile({
      formatVersion: 1,
      key: 'child',
      version: 1,
      name: 'Child',
      elements: [
        { id: 'start', type: 'startEvent' },
        { id: 'work', type: 'userTask', formKey: 'work', candidateGroups: ['staff'] },
        { id: 'end', type: 'endEvent' },
      ],
      flows: [
        { id: 'f1', source: 'start', target: 'work' },
        { id: 'f2', source: 'work', target: 'end' },
      ],
    });
    const host = new SimulatedHost({ library: new Map([['child', child]]) });
    host.start(parent, {});
    expect(host.instances().map((i) => [i.process.definition.key, i.status, i.parent?.elementId ?? null])).toEqual([
      ['parent', 'active', null],
      ['child', 'active', 'call'],
    ]);
    host.advance(parseDuration('P1D')!);
    expect(host.instances().map((i) => i.status)).toEqual(['completed', 'terminated']);
    expect(states(host.elementInstances(2))).toEqual(['start:completed', 'work:terminated']);
    expect(states(host.elementInstances(1))).toEqual([
      'start:completed',
      'call:terminated',
      'late:completed',
      'gaveUp:completed',
    ]);
    expect(host.tasks().map((t) => t.state)).toEqual(['canceled']);
  });
});
