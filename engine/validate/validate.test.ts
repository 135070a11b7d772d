import { describe, expect, it } from 'vitest';
import invoice from '../../definitions/accounting/invoice-approval/process.json';
import danglingFlow from './fixtures/dangling-flow.json';
import gatewayWithoutDefault from './fixtures/gateway-without-default.json';
import missingStart from './fixtures/missing-start.json';
import { validateDefinition } from './validate';

function errors(input: unknown) {
  const result = validateDefinition(input);
  expect(result.ok).toBe(false);
  return result.diagnostics.filter((d) => d.severity === 'error');
}

describe('validateDefinition', () => {
  it('accepts the invoice approval template', () => {
    const result = validateDefinition(invoice);
    expect(result.diagnostics).toEqual([]);
    expect(result.ok).toBe(true);
  });

  it('reports a missing start event', () => {
    expect(errors(missingStart)).toContainEqual(expect.objectContaining({ ruleId: 'start-end-events', message: expect.stringContaining('no start event') }));
  });

  it('names the dangling flow and the missing element', () => {
    const found = errors(danglingFlow);
    expect(found).toContainEqual(
      expect.objectContaining({ ruleId: 'flow-references', elementId: 'f2', message: 'Sequence flow "f2" has target "archive", which is not an element of the same process or subprocess (flows cannot cross a subprocess border).' }),
    );
  });

  it('names a gateway without default whose conditions can all be false', () => {
    expect(errors(gatewayWithoutDefault)).toContainEqual(
      expect.objectContaining({
        ruleId: 'exclusive-gateway',
        elementId: 'bigAmount',
        message: 'Exclusive gateway "bigAmount" has no default flow and its conditions can all be false; add a default flow.',
      }),
    );
  });

  it('names the element whose structure is wrong', () => {
    const bad = structuredClone(invoice) as { elements: Record<string, unknown>[] };
    bad.elements[2] = { ...bad.elements[2], candidateGroups: [] };
    expect(errors(bad)).toContainEqual(expect.objectContaining({ ruleId: 'schema', elementId: 'accountingApproval', path: 'elements[2].candidateGroups' }));
  });

  it('rejects FEEL syntax errors and clock functions, naming the flow', () => {
    const bad = structuredClone(invoice) as { flows: Record<string, unknown>[]; elements: Record<string, unknown>[] };
    bad.flows[3] = { ...bad.flows[3], condition: 'decision = ' };
    bad.elements[2] = { ...bad.elements[2], dueDate: 'today() + duration("P2D")' };
    const found = errors(bad);
    expect(found).toContainEqual(expect.objectContaining({ ruleId: 'expressions', elementId: 'accountingRejected', message: expect.stringContaining('FEEL syntax error') }));
    expect(found).toContainEqual(expect.objectContaining({ ruleId: 'expressions', elementId: 'accountingApproval', message: expect.stringContaining('no clock') }));
  });

  it('finds elements that cannot be reached or cannot finish', () => {
    const found = errors({
      formatVersion: 1, key: 'loops', version: 1, name: 'Loops',
      elements: [
        { id: 'start', type: 'startEvent' },
        { id: 'a', type: 'userTask', formKey: 'f', candidateGroups: ['hr'] },
        { id: 'b', type: 'userTask', formKey: 'f', candidateGroups: ['hr'] },
        { id: 'orphan', type: 'userTask', formKey: 'f', candidateGroups: ['hr'] },
        { id: 'end', type: 'endEvent' },
      ],
      flows: [
        { id: 'f1', source: 'start', target: 'a' },
        { id: 'f2', source: 'a', target: 'b' },
        { id: 'f3', source: 'b', target: 'a' },
        { id: 'f4', source: 'orphan', target: 'end' },
      ],
    });
    expect(found.map((d) => [d.ruleId, d.elementId])).toEqual(
      expect.arrayContaining([['reachability', 'a'], ['reachability', 'b'], ['reachability', 'orphan']]),
    );
  });

  it('rejects duplicate ids and conditions outside gateways', () => {
    const found = errors({
      formatVersion: 1, key: 'dupes', version: 1, name: 'Dupes',
      elements: [{ id: 'start', type: 'startEvent' }, { id: 'end', type: 'endEvent' }],
      flows: [{ id: 'start', source: 'start', target: 'end', condition: 'true' }],
    });
    expect(found.map((d) => d.ruleId)).toEqual(expect.arrayContaining(['unique-ids', 'outgoing-flows']));
  });
});
