import { describe, expect, it } from 'vitest';
import { compile } from '@/engine/compile/compile';
import { simulate, replay } from '@/engine/simulate/simulate';
import { durationBetween, fileSafe, scenarioOf } from './test-run';

/** Leave request: more than 5 days → the manager, otherwise HR; a reminder 2 days into the manager's approval. */
const leave = {
  formatVersion: 1,
  key: 'leave-request',
  version: 1,
  name: { en: 'Leave request', vi: 'Đơn xin nghỉ phép' },
  elements: [
    { id: 'start', type: 'startEvent' },
    { id: 'long', type: 'exclusiveGateway', default: 'short' },
    { id: 'manager', type: 'userTask', candidateGroups: ['hr'] },
    {
      id: 'remind',
      type: 'boundaryEvent',
      attachedTo: 'manager',
      cancelActivity: false,
      event: { kind: 'timer', duration: 'P2D' },
    },
    { id: 'reminded', type: 'endEvent' },
    { id: 'hr', type: 'userTask', candidateGroups: ['hr'] },
    { id: 'end', type: 'endEvent' },
  ],
  flows: [
    { id: 'f1', source: 'start', target: 'long' },
    { id: 'more', source: 'long', target: 'manager', condition: 'days > 5' },
    { id: 'short', source: 'long', target: 'hr' },
    { id: 'f2', source: 'manager', target: 'end' },
    { id: 'f3', source: 'hr', target: 'end' },
    { id: 'f4', source: 'remind', target: 'reminded' },
  ],
};

describe('a test run', () => {
  it('is a scenario grown a step at a time: the timer it shows is fired by moving the clock to it, and the saved scenario passes as it is', () => {
    const process = compile(leave);
    const script = { variables: { days: 7 }, steps: [] as ReturnType<typeof scenarioOf>['steps'] };
    let run = replay(process, scenarioOf('leave-request', script));
    expect(run.result.active).toEqual(['manager']);
    const [timer] = run.host.pendingTimers();
    expect(timer).toMatchObject({ elementId: 'remind', dueAt: '2026-01-03T00:00:00.000Z' });
    // fire it as the page does: advance from the clock to when it is due
    script.steps.push({ advance: durationBetween(run.host.clock, timer!.dueAt) });
    run = replay(process, scenarioOf('leave-request', script));
    expect(run.result.path).toContain('reminded');
    expect(run.host.pendingTimers()).toEqual([]);
    script.steps.push({ complete: 'manager', variables: { approved: true } });
    run = replay(process, scenarioOf('leave-request', script));
    expect(run.result.status).toBe('completed');
    // saved: the steps and what the run ended with, as an expectation; it passes unchanged
    const saved = scenarioOf('leave-request', script, 'Nghỉ 7 ngày', run.result);
    expect(saved).toMatchObject({
      description: 'Nghỉ 7 ngày',
      definition: 'leave-request.json',
      jobs: 'wait',
      variables: { days: 7 },
    });
    expect(saved.steps.at(-1)).toEqual({ expect: { status: 'completed', path: run.result.path } });
    expect(simulate(process, saved)).toMatchObject({ status: 'completed', failures: [] });
    // and fails when the process no longer goes that way
    const changed = compile({
      ...leave,
      flows: leave.flows.map((f) => (f.id === 'more' ? { ...f, condition: 'days > 10' } : f)),
    });
    expect(simulate(changed, saved).failures.length).toBeGreaterThan(0);
  });

  it('names files safely, Vietnamese included, and counts durations in seconds', () => {
    expect(fileSafe('Nghỉ dài: trưởng phòng duyệt')).toBe('nghi-dai-truong-phong-duyet');
    expect(fileSafe('Đơn ../../etc')).toBe('don-etc');
    expect(fileSafe('***')).toBe('scenario');
    expect(durationBetween('2026-01-01T00:00:00.000Z', '2026-01-03T00:00:00.000Z')).toBe('PT172800S');
    expect(durationBetween('2026-01-03T00:00:00.000Z', '2026-01-01T00:00:00.000Z')).toBe('PT0S');
  });
});
