import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importBpmn } from '../bpmn/import';
import { compile, type CompiledProcess } from '../compile/compile';
import { importDmn } from '../decisions/dmn';
import chargeOrder from './fixtures/charge-order.json';
import { scenarioSchema } from './scenario';
import { simulate } from './simulate';
import { validateDefinition } from '../validate/validate';

const fixtures = path.join(import.meta.dirname, 'fixtures');

describe('scenario: open tasks in expectations', () => {
  const dir = path.join(fixtures, 'camunda7-invoice');
  let invoice: CompiledProcess;
  const library = new Map<string, CompiledProcess>();
  const variables = {
    creditor: 'Great Pizza for Everyone Inc.',
    amount: 300,
    invoiceCategory: 'Travel Expenses',
    invoiceNumber: 'GPFE-23232323',
  };
  const run = (steps: unknown[]) => simulate(invoice, scenarioSchema.parse({ variables, steps }), { library });

  beforeAll(async () => {
    const decisions = await importDmn(readFileSync(path.join(dir, 'invoiceBusinessDecisions.dmn'), 'utf8'));
    invoice = compile((await importBpmn(readFileSync(path.join(dir, 'invoice.v2.bpmn'), 'utf8'))).definition, {
      decisions,
    });
    const review = compile((await importBpmn(readFileSync(path.join(dir, 'reviewInvoice.bpmn'), 'utf8'))).definition);
    library.set(review.definition.key, review);
  });

  it('waits at approveInvoice with candidate groups exactly {accounting, sales}, in any order (InvoiceTestCase L81-95)', () => {
    const result = run([
      {
        expect: {
          tasks: [
            { element: 'approveInvoice', candidateGroups: ['sales', 'accounting'], candidateUsers: [], assignee: null },
          ],
        },
      },
    ]);
    expect(result.failures).toEqual([]);
  });

  it('says which groups differ, and which open task was not expected', () => {
    const result = run([
      {
        expect: {
          tasks: [{ element: 'approveInvoice', candidateGroups: ['accounting'] }, { element: 'prepareBankTransfer' }],
        },
      },
    ]);
    expect(result.failures).toEqual([
      'step 1 (expect):\n  - tasks.approveInvoice.candidateGroups: expected ["accounting"], got ["accounting","sales"]\n  - tasks: expected an open task at "prepareBankTransfer", but none is open there (open: none)',
    ]);
    const unexpected = run([{ expect: { tasks: [] } }]);
    expect(unexpected.failures).toEqual(['step 1 (expect):\n  - tasks: unexpected open task at "approveInvoice"']);
  });

  it('sees the open tasks of called processes, with their assignees', () => {
    const result = run([
      { complete: 'approveInvoice', variables: { approved: false } },
      { expect: { tasks: [{ element: 'assignReviewer', assignee: 'demo', candidateGroups: [] }] } },
      { complete: 'assignReviewer', variables: { reviewer: 'peter' } },
      { expect: { tasks: [{ element: 'reviewInvoice', assignee: 'mary' }] } },
    ]);
    expect(result.failures).toEqual([
      'step 4 (expect):\n  - tasks.reviewInvoice.assignee: expected "mary", got "peter"',
    ]);
  });
});

describe('scenario: jobs completed as steps', () => {
  const process = compile(chargeOrder);
  const run = (scenario: unknown) => simulate(process, scenarioSchema.parse(scenario));

  it('leaves jobs open with "jobs": "wait" until a completeJob step, by task type or element id', () => {
    const result = run({
      jobs: 'wait',
      steps: [
        { expect: { active: ['charge'] } },
        { completeJob: 'charge', variables: { receipt: 'R-1' } },
        {
          expect: {
            active: ['approve'],
            variables: { receipt: 'R-1' },
            tasks: [{ element: 'approve', candidateGroups: ['finance', 'sales'] }],
          },
        },
      ],
    });
    expect(result.failures).toEqual([]);
  });

  it('throws a business error from an open job', () => {
    const result = run({
      jobs: 'wait',
      steps: [
        { throwError: 'charge', code: 'CARD_DECLINED', message: 'insufficient funds' },
        { expect: { active: ['callCustomer'] } },
      ],
    });
    expect(result.failures).toEqual([]);
    expect(result.path).toEqual(['received', 'declined']);
  });

  it('still completes unmocked jobs at once by default, so completeJob finds nothing open', () => {
    const result = run({ steps: [{ expect: { active: ['approve'] } }, { completeJob: 'charge' }] });
    expect(result.failures).toEqual([
      'step 2: No job is open at "charge" (open jobs: none). Jobs stay open only with "jobs": "wait"; otherwise they complete at once.',
    ]);
  });
});

describe('an exclusive gateway with a flow that has no condition (Camunda 7, Flowable)', () => {
  const model = (
    flows: string,
  ) => `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
    <process id="route" isExecutable="true"><startEvent id="s"/><exclusiveGateway id="g"/><endEvent id="big"/><endEvent id="small"/>
      <sequenceFlow id="f0" sourceRef="s" targetRef="g"/>${flows}</process></definitions>`;
  const conditioned =
    '<sequenceFlow id="toBig" sourceRef="g" targetRef="big"><conditionExpression xsi:type="tFormalExpression">${amount > 100}</conditionExpression></sequenceFlow>';
  const bare = '<sequenceFlow id="toSmall" sourceRef="g" targetRef="small"/>';
  const run = (process: CompiledProcess, amount: number) =>
    simulate(process, scenarioSchema.parse({ variables: { amount } })).path.at(-1);

  it("is the gateway's otherwise: its default flow, taken when no condition holds, as those engines take it last", async () => {
    const { definition, report } = await importBpmn(model(conditioned + bare));
    expect((definition.elements as { id: string }[]).find((e) => e.id === 'g')).toMatchObject({ default: 'toSmall' });
    expect(
      (definition.flows as { id: string; condition?: string }[]).find((f) => f.id === 'toSmall')?.condition,
    ).toBeUndefined();
    expect(report.translated).toContainEqual({
      elementId: 'toSmall',
      what: 'a flow without a condition leaving exclusive gateway "g" is its default flow, taken when no condition holds',
    });
    const result = validateDefinition(definition);
    expect(result.ok).toBe(true);
    expect(result.diagnostics).toEqual([]);
    const process = compile(definition);
    expect(run(process, 500)).toBe('big');
    expect(run(process, 5)).toBe('small');
  });

  it('says so when the file lists conditions after it, which Camunda 7 would then not try', async () => {
    const { definition, report } = await importBpmn(model(bare + conditioned));
    expect((definition.elements as { id: string }[]).find((e) => e.id === 'g')).toMatchObject({ default: 'toSmall' });
    expect(report.translated).toContainEqual({
      elementId: 'toSmall',
      what: expect.stringContaining(
        '(the file lists "toBig" after it, which Camunda 7 and Flowable would then not try; Trellis tries every condition first)',
      ),
    });
    expect(run(compile(definition), 500)).toBe('big');
  });

  it('two of them stay as they are, and validation names each', async () => {
    const { definition } = await importBpmn(
      model(bare + bare.replaceAll('toSmall', 'toSmaller').replace('targetRef="small"', 'targetRef="big"')),
    );
    const result = validateDefinition(definition);
    expect(result.ok).toBe(false);
    expect(result.diagnostics.filter((d) => d.severity === 'error').map((d) => d.elementId)).toEqual([
      'toSmall',
      'toSmaller',
    ]);
  });
});
