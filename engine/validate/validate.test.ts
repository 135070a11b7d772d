import { describe, expect, it } from 'vitest';
import invoice from '../runtime/fixtures/invoice-approval.json';
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
    expect(errors(missingStart)).toContainEqual(
      expect.objectContaining({ ruleId: 'start-end-events', message: expect.stringContaining('no start event') }),
    );
  });

  it('names the dangling flow and the missing element', () => {
    const found = errors(danglingFlow);
    expect(found).toContainEqual(
      expect.objectContaining({
        ruleId: 'flow-references',
        elementId: 'f2',
        message:
          'Sequence flow "f2" has target "archive", which is not an element of the same process or subprocess (flows cannot cross a subprocess border).',
      }),
    );
  });

  it('accepts a gateway without default whose conditions can all be false, with a warning naming it (it runs: an incident when none holds)', () => {
    const result = validateDefinition(gatewayWithoutDefault);
    expect(result.ok).toBe(true);
    expect(result.diagnostics).toContainEqual({
      ruleId: 'exclusive-gateway',
      elementId: 'bigAmount',
      severity: 'warning',
      message:
        'Exclusive gateway "bigAmount" has no default flow: when none of its conditions is true, the instance stops there with an incident. Add a default flow if another path should be taken then.',
    });
  });

  it('names the element whose structure is wrong', () => {
    const bad = structuredClone(invoice) as { elements: Record<string, unknown>[] };
    bad.elements[2] = { ...bad.elements[2], candidateGroups: [] };
    expect(errors(bad)).toContainEqual(
      expect.objectContaining({
        ruleId: 'schema',
        elementId: 'accountingApproval',
        path: 'elements[2].candidateGroups',
      }),
    );
  });

  it('rejects FEEL syntax errors and clock functions, naming the flow', () => {
    const bad = structuredClone(invoice) as { flows: Record<string, unknown>[]; elements: Record<string, unknown>[] };
    bad.flows[3] = { ...bad.flows[3], condition: 'decision = ' };
    bad.elements[2] = { ...bad.elements[2], dueDate: 'today() + duration("P2D")' };
    const found = errors(bad);
    expect(found).toContainEqual(
      expect.objectContaining({
        ruleId: 'expressions',
        elementId: 'accountingRejected',
        message: expect.stringContaining('FEEL syntax error'),
      }),
    );
    expect(found).toContainEqual(
      expect.objectContaining({
        ruleId: 'expressions',
        elementId: 'accountingApproval',
        message: expect.stringContaining('no clock'),
      }),
    );
  });

  it('warns of elements that cannot be reached or cannot finish (they run as drawn: never entered, never done)', () => {
    const result = validateDefinition({
      formatVersion: 1,
      key: 'loops',
      version: 1,
      name: 'Loops',
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
    expect(result.ok).toBe(true);
    expect(result.diagnostics.map((d) => [d.ruleId, d.elementId, d.severity])).toEqual(
      expect.arrayContaining([
        ['reachability', 'a', 'warning'],
        ['reachability', 'b', 'warning'],
        ['reachability', 'orphan', 'warning'],
      ]),
    );
    expect(result.diagnostics.find((d) => d.elementId === 'orphan')?.message).toBe(
      'userTask "orphan" cannot be reached from a start event (start), so it never runs.',
    );
    expect(result.diagnostics.find((d) => d.elementId === 'a')?.message).toBe(
      'userTask "a" has no path to an end event: an instance that gets there never completes.',
    );
  });

  it('rejects duplicate ids and conditions outside gateways', () => {
    const found = errors({
      formatVersion: 1,
      key: 'dupes',
      version: 1,
      name: 'Dupes',
      elements: [
        { id: 'start', type: 'startEvent' },
        { id: 'end', type: 'endEvent' },
      ],
      flows: [{ id: 'start', source: 'start', target: 'end', condition: 'true' }],
    });
    expect(found.map((d) => d.ruleId)).toEqual(expect.arrayContaining(['unique-ids', 'outgoing-flows']));
  });
});
