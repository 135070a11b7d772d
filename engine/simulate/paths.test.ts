import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile';
import type { ProcessDefinitionInput } from '../model/definition';
import { scenarioSchema } from './scenario';
import { simulate } from './simulate';
import { coverage, enumeratePaths } from './paths';

/** A review with a reminder every day (non-interrupting), an escalation after five days (interrupting) and one rework loop. */
const review: ProcessDefinitionInput = {
  formatVersion: 1,
  key: 'review',
  version: 1,
  name: 'Review',
  elements: [
    { id: 'start', type: 'startEvent' },
    { id: 'draft', type: 'userTask', formKey: 'f', candidateGroups: ['hr'] },
    { id: 'check', type: 'userTask', formKey: 'f', candidateGroups: ['hr'] },
    {
      id: 'remind',
      type: 'boundaryEvent',
      attachedTo: 'check',
      cancelActivity: false,
      event: { kind: 'timer', cycle: 'R2/P1D' },
    },
    { id: 'mail', type: 'serviceTask', set: { reminded: 'true' } },
    { id: 'reminded', type: 'endEvent' },
    { id: 'late', type: 'boundaryEvent', attachedTo: 'check', event: { kind: 'timer', duration: 'P5D' } },
    { id: 'escalate', type: 'userTask', formKey: 'f', candidateGroups: ['hr'], candidateRole: 'manager' },
    { id: 'outcome', type: 'exclusiveGateway', default: 'ok' },
    { id: 'done', type: 'endEvent' },
  ],
  flows: [
    { id: 'f1', source: 'start', target: 'draft' },
    { id: 'f2', source: 'draft', target: 'check' },
    { id: 'f3', source: 'check', target: 'outcome' },
    { id: 'rework', source: 'outcome', target: 'draft', condition: 'verdict = "rework"' },
    { id: 'ok', source: 'outcome', target: 'done' },
    { id: 'f4', source: 'remind', target: 'mail' },
    { id: 'f5', source: 'mail', target: 'reminded' },
    { id: 'f6', source: 'late', target: 'escalate' },
    { id: 'f7', source: 'escalate', target: 'done' },
  ],
};

function run(steps: unknown[]): string[] {
  const result = simulate(compile(review), scenarioSchema.parse({ steps }));
  expect(result.failures).toEqual([]);
  return result.path;
}

describe('the paths through a process, and which runs cover them', () => {
  it('lists each way start to end once: a loop once round, an escalation without the activity it cut short, no walk the loop bound stops midway', () => {
    const { paths, truncated } = enumeratePaths(compile(review));
    expect(truncated).toBe(false);
    expect(paths.map((p) => p.join(' '))).toEqual([
      'start draft check outcome draft check outcome done',
      'start draft check outcome draft late escalate done',
      'start draft check outcome done',
      'start draft late escalate done',
    ]);
  });

  it('a run covers the path it completed — an escalated one too — and a reminder on the way does not hide it', () => {
    const process = compile(review);
    const straight = run([{ complete: 'draft' }, { complete: 'check', variables: { verdict: 'ok' } }]);
    const reminded = run([
      { complete: 'draft' },
      { advance: 'P1D' },
      { advance: 'P1D' },
      { complete: 'check', variables: { verdict: 'ok' } },
    ]);
    expect(reminded.filter((id) => id === 'remind')).toHaveLength(2);
    const escalated = run([{ complete: 'draft' }, { advance: 'P5D' }, { complete: 'escalate' }]);
    expect(escalated).not.toContain('check');
    expect(coverage(process, [straight]).covered).toEqual([false, false, true, false]);
    expect(coverage(process, [reminded]).covered).toEqual([false, false, true, false]);
    expect(coverage(process, [escalated]).covered).toEqual([false, false, false, true]);
    const reworked = run([
      { complete: 'draft' },
      { complete: 'check', variables: { verdict: 'rework' } },
      { complete: 'draft' },
      { advance: 'P5D' },
      { complete: 'escalate' },
    ]);
    expect(coverage(process, [straight, reminded, escalated, reworked]).covered).toEqual([false, true, true, true]);
  });

  it('a run in which a non-interrupting event subprocess fired (a deadline alert) covers the path it ran beside', () => {
    const alerted: ProcessDefinitionInput = {
      formatVersion: 1,
      key: 'alerted',
      version: 1,
      name: 'Alerted',
      elements: [
        { id: 'start', type: 'startEvent' },
        { id: 'sign', type: 'userTask', formKey: 'f', candidateGroups: ['data'] },
        { id: 'done', type: 'endEvent' },
        {
          id: 'deadline',
          type: 'subProcess',
          triggeredByEvent: true,
          elements: [
            { id: 'deadlineStart', type: 'startEvent', interrupting: false, event: { kind: 'timer', duration: 'P1D' } },
            { id: 'alert', type: 'serviceTask', set: { alerted: 'true' } },
            { id: 'alertEnd', type: 'endEvent' },
          ],
          flows: [
            { id: 'd1', source: 'deadlineStart', target: 'alert' },
            { id: 'd2', source: 'alert', target: 'alertEnd' },
          ],
        },
      ],
      flows: [
        { id: 'f1', source: 'start', target: 'sign' },
        { id: 'f2', source: 'sign', target: 'done' },
      ],
    };
    const process = compile(alerted);
    const result = simulate(process, scenarioSchema.parse({ steps: [{ advance: 'P2D' }, { complete: 'sign' }] }));
    expect(result.failures).toEqual([]);
    expect(result.path).toContain('alert');
    expect(coverage(process, [result.path]).covered).toEqual([true]);
  });
});
