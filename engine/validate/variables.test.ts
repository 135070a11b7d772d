import { describe, expect, it } from 'vitest';
import { processDefinitionSchema } from '../model/definition';
import { checkVariables, namesRead, variablesAt } from './variables';

const leaveForm = {
  type: 'object',
  properties: {
    days: { type: 'integer' },
    from: { type: 'string', format: 'date' },
    to: { type: 'string', format: 'date' },
    reason: { type: 'string' },
  },
};
const decisionForm = {
  type: 'object',
  properties: { decision: { type: 'string', enum: ['approve', 'reject'] }, comment: { type: 'string' } },
};
const forms = { 'leave-request': leaveForm, 'leave-decision': decisionForm };

/** Leave request: start form → gateway on days → manager or HR approves → end on the decision. */
function leave(overrides: { condition?: string; after?: string; startForm?: string | null } = {}) {
  return processDefinitionSchema.parse({
    formatVersion: 1,
    key: 'leave-request',
    version: 1,
    name: 'Leave request',
    ...(overrides.startForm === null ? {} : { startForm: overrides.startForm ?? 'leave-request' }),
    elements: [
      { id: 'start', type: 'startEvent' },
      { id: 'long', type: 'exclusiveGateway', default: 'short' },
      { id: 'manager', type: 'userTask', formKey: 'leave-decision', candidateGroups: ['hr'] },
      { id: 'hr', type: 'userTask', formKey: 'leave-decision', candidateGroups: ['hr'] },
      { id: 'join', type: 'exclusiveGateway' },
      { id: 'decided', type: 'exclusiveGateway', default: 'rejected' },
      { id: 'approvedEnd', type: 'endEvent' },
      { id: 'rejectedEnd', type: 'endEvent' },
    ],
    flows: [
      { id: 'f1', source: 'start', target: 'long' },
      { id: 'moreThan5', source: 'long', target: 'manager', condition: overrides.condition ?? 'days > 5' },
      { id: 'short', source: 'long', target: 'hr' },
      { id: 'f2', source: 'manager', target: 'join' },
      { id: 'f3', source: 'hr', target: 'join' },
      { id: 'f4', source: 'join', target: 'decided' },
      {
        id: 'approved',
        source: 'decided',
        target: 'approvedEnd',
        condition: overrides.after ?? 'decision = "approve"',
      },
      { id: 'rejected', source: 'decided', target: 'rejectedEnd' },
    ],
  });
}

describe('typed variables', () => {
  it('accepts reads of what the start form and earlier task forms write, with the right types', () => {
    expect(checkVariables(leave(), forms)).toEqual([]);
  });

  it('flags a variable no earlier step writes (a typo), naming the flow and the variable', () => {
    const found = checkVariables(leave({ condition: 'dayz > 5' }), forms);
    expect(found).toEqual([
      expect.objectContaining({
        elementId: 'moreThan5',
        severity: 'warning',
        message: expect.stringContaining('reads "dayz", which no earlier step writes'),
      }),
    ]);
  });

  it('flags a variable read before the step that writes it: the decision is not known at the first gateway', () => {
    const found = checkVariables(leave({ condition: 'decision = "approve"' }), forms);
    expect(found.map((d) => [d.elementId, d.message.match(/reads "(\w+)"/)?.[1]])).toEqual([['moreThan5', 'decision']]);
  });

  it('flags a comparison with a literal of another type, as an error naming the variable, its type and the fix', () => {
    const found = checkVariables(leave({ condition: 'days > "5"' }), forms);
    expect(found).toEqual([
      expect.objectContaining({
        elementId: 'moreThan5',
        severity: 'error',
        message: expect.stringContaining('compares "days", a number, with the text "5"'),
      }),
    ]);
    expect(found[0]!.message).toContain('Write 5 (without quotes)');
    expect(checkVariables(leave({ after: 'decision = 1' }), forms)[0]).toMatchObject({
      elementId: 'approved',
      severity: 'error',
      message: expect.stringContaining('"decision", a string, with the number 1'),
    });
  });

  it('flags nothing unknown where anything may have been written: no start form, or a form it does not know', () => {
    expect(checkVariables(leave({ condition: 'dayz > 5', startForm: null }), forms)).toEqual([]);
    expect(checkVariables(leave({ after: 'verdict = "approve"' }), { 'leave-request': leaveForm })).toEqual([]);
    // types are still checked where they are known
    expect(checkVariables(leave({ condition: 'days > "5"', startForm: null }), forms)).toEqual([]);
    expect(
      checkVariables(leave({ after: 'decision = 1' }), { 'leave-request': leaveForm, 'leave-decision': decisionForm })
        .length,
    ).toBe(1);
  });

  it('lists what an element or a flow can read, with types, for the FEEL editor to complete', () => {
    expect(variablesAt(leave(), forms, 'moreThan5')).toEqual({
      all: false,
      variables: [
        { name: 'days', type: 'number' },
        { name: 'from', type: 'string' },
        { name: 'reason', type: 'string' },
        { name: 'to', type: 'string' },
      ],
    });
    expect(variablesAt(leave(), forms, 'approved').variables.map((v) => v.name)).toEqual([
      'comment',
      'days',
      'decision',
      'from',
      'reason',
      'to',
    ]);
    expect(variablesAt(leave({ startForm: null }), forms, 'moreThan5')).toEqual({ all: true, variables: [] });
  });

  it('reads names, not functions, iteration names, context keys or fields inside filters', () => {
    expect(namesRead('count(items[amount > 5]) > limit').names.sort()).toEqual(['items', 'limit']);
    expect(namesRead('some v in vals satisfies v > floor').names.sort()).toEqual(['floor', 'vals']);
    expect(namesRead('{a: x, b: a}.b').names).toEqual(['x']);
    expect(namesRead('string length(name) > 3').names).toEqual(['name']);
    expect(namesRead('items[amount > "5"]').comparisons).toEqual([]);
    expect(namesRead('((').names).toEqual([]);
  });
});

describe('typed variables on the invoice approval as shipped', () => {
  it('finds nothing to flag: every read is written before it, with its type', async () => {
    const { readFileSync } = await import('node:fs');
    const dir = 'definitions/accounting/invoice-approval';
    const definition = processDefinitionSchema.parse(JSON.parse(readFileSync(`${dir}/process.json`, 'utf8')));
    const form = (key: string) => JSON.parse(readFileSync(`${dir}/forms/${key}.form.json`, 'utf8')).schema;
    expect(
      checkVariables(definition, {
        'invoice-submission': form('invoice-submission'),
        'invoice-decision': form('invoice-decision'),
      }),
    ).toEqual([]);
    // and a slip in a threshold is caught (the template as of pack 1.0.0 set it in a service task)
    const v100 = processDefinitionSchema.parse(
      JSON.parse(readFileSync('engine/runtime/fixtures/invoice-approval.json', 'utf8')),
    );
    const slipped = {
      ...v100,
      elements: v100.elements.map((e) =>
        e.id === 'assess' && e.type === 'serviceTask'
          ? { ...e, set: { ...e.set, needsOperationsApproval: 'amount > "50000000"' } }
          : e,
      ),
    };
    expect(
      checkVariables(slipped, {
        'invoice-submission': form('invoice-submission'),
        'invoice-decision': form('invoice-decision'),
      }),
    ).toEqual([
      expect.objectContaining({
        elementId: 'assess',
        severity: 'error',
        message: expect.stringContaining('compares "amount", a number, with the text "50000000"'),
      }),
    ]);
  });
});

describe('typed variables in a multi-instance approval', () => {
  it('lets "done when two approve" read the decisions collected so far, and the runs their item', () => {
    const definition = processDefinitionSchema.parse({
      formatVersion: 1,
      key: 'board',
      version: 1,
      name: 'Board approval',
      startForm: 'board-start',
      elements: [
        { id: 'start', type: 'startEvent' },
        {
          id: 'vote',
          type: 'userTask',
          formKey: 'leave-decision',
          assignee: '=item',
          multiInstance: {
            collection: 'approvers',
            outputCollection: 'decisions',
            completionCondition: 'count(decisions[item.decision = "approve"]) >= 2',
          },
        },
        { id: 'end', type: 'endEvent' },
      ],
      flows: [
        { id: 'f1', source: 'start', target: 'vote' },
        { id: 'f2', source: 'vote', target: 'end' },
      ],
    });
    const schemas = {
      'board-start': { type: 'object', properties: { approvers: { type: 'array' } } },
      'leave-decision': decisionForm,
    };
    expect(checkVariables(definition, schemas)).toEqual([]);
    expect(variablesAt(definition, schemas, 'end').variables).toContainEqual({ name: 'decisions', type: 'list' });
  });
});

describe('variables the host gives a started instance', () => {
  it("are known from the start with their type (the server's initiator): read without a warning, offered to complete", () => {
    const definition = leave({ condition: 'days > 5 and initiator.manager != null' });
    expect(checkVariables(definition, forms).map((d) => d.message)).toEqual([
      expect.stringContaining('reads "initiator"'),
    ]);
    expect(checkVariables(definition, forms, { initiator: 'context' })).toEqual([]);
    expect(variablesAt(definition, forms, 'manager', { initiator: 'context' }).variables).toContainEqual({
      name: 'initiator',
      type: 'context',
    });
  });
});
