/** Behaviour of the bpmn-elements / bpmn-engine fixtures (hand-translated; see engine-fixtures/README.md). */
import { describe, expect, it } from 'vitest';
import { compile, validateDefinition } from '@/engine';
import { simulate } from '@/engine/simulate/simulate';
import { scenarioSchema } from '@/engine/simulate/scenario';
import boundaryTimeout from './engine-fixtures/boundary-timeout.json';
import calledProcess from './engine-fixtures/called-process.json';
import callActivityMain from './engine-fixtures/call-activity-main.json';
import bpmnError from './engine-fixtures/bpmn-error.json';
import eventBasedGateway from './engine-fixtures/event-based-gateway.json';
import mispLoopback from './engine-fixtures/misp-loopback.json';

const run = (definition: unknown, scenario: unknown) => simulate(compile(definition), scenarioSchema.parse(scenario));
const count = (path: string[], id: string) => path.filter((p) => p === id).length;

describe('bpmn-elements errors-feature (bpmn-error.bpmn)', () => {
  it('amount 11: the error end event is caught on the sub-process and the run ends with the signal', () => {
    const result = run(bpmnError, { steps: [{ complete: 'order', variables: { amount: 11 } }] });
    expect(result.status).toBe('completed');
    expect(count(result.path, 'catchError')).toBe(1); // boundary taken 1
    expect(count(result.path, 'orderProcess')).toBe(0); // sub-process not completed (discarded)
    expect(count(result.path, 'endWithSignal')).toBe(1);
    expect(result.effects).toContainEqual({
      type: 'broadcastSignal',
      elementId: 'endWithSignal',
      name: 'scam',
      payload: {},
    });
  });

  it('amount 5: the order is placed and the run ends normally', () => {
    const result = run(bpmnError, { steps: [{ complete: 'order', variables: { amount: 5 } }] });
    expect(result).toMatchObject({ status: 'completed' });
    expect(result.path.slice(-3)).toEqual(['orderEnd', 'orderProcess', 'end']);
  });
});

describe('bpmn-elements sub-process-feature (misp-loopback.bpmn)', () => {
  it('cardinality 10, loopback true: completes, with the looped sub-process taken twice', () => {
    const result = run(mispLoopback, { variables: { cardinality: 10, loopback: true } });
    expect(result.status).toBe('completed');
    expect(count(result.path, 'sub')).toBe(2);
    expect(count(result.path, 'subsub')).toBe(20);
    expect(count(result.path, 'subscript')).toBe(100);
  });
});

describe('bpmn-elements call-activity-feature (call-activity-signal.bpmn)', () => {
  it('signalling the called task completes the run, with the call activity taken once', () => {
    const library = new Map([['called-process', compile(calledProcess)]]);
    const result = simulate(
      compile(callActivityMain),
      scenarioSchema.parse({ steps: [{ expect: { active: ['task'] } }, { complete: 'task' }] }),
      { library },
    );
    expect(result.status).toBe('completed');
    expect(count(result.path, 'call-activity')).toBe(1);
  });
});

describe('dead-path fixtures are deadlocks under BPMN 2.0, reported before anything runs', () => {
  it.each([
    ['boundary-timeout', boundaryTimeout],
    ['event-based-gateway', eventBasedGateway],
  ])('%s', (_name, definition) => {
    const result = validateDefinition(definition);
    expect(result.ok).toBe(false);
    expect(result.diagnostics).toContainEqual(expect.objectContaining({ ruleId: 'deadlock', elementId: 'join' }));
  });
});
