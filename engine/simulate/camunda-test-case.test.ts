import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { importBpmn } from '../bpmn/import';
import { compile, type CompiledProcess } from '../compile/compile';
import { importDmn } from '../decisions/dmn';
import type { Decision } from '../decisions/model';
import type { ProcessDefinition } from '../model/definition';
import { parseCamundaTestCases, runCamundaTestCaseFile } from './camunda-test-case';
import { SimulatedHost } from './host';
import { scenarioSchema } from './scenario';
import { simulate } from './simulate';

const fixtures = path.join(import.meta.dirname, 'fixtures');
const readJson = (file: string): unknown => JSON.parse(readFileSync(path.join(fixtures, file), 'utf8'));
const processes = new Map<string, CompiledProcess>(
  ['charge-order', 'await-payment', 'review-deadline'].map((key) => [key, compile(readJson(`${key}.json`))]),
);

describe('Camunda Process Test JSON test cases', () => {
  it.each(['charge-order', 'await-payment', 'review-deadline'])('passes the hand-written test cases of %s', (key) => {
    // given the test cases written for the process, in Camunda's format
    const file = readJson(`${key}.test.json`);
    // when they run on the simulation
    const { errors, results } = runCamundaTestCaseFile(file, processes);
    // then every one passes
    expect(errors).toEqual([]);
    expect(results.length).toBeGreaterThan(1);
    for (const result of results)
      expect(result, result.name).toEqual({ name: result.name, passed: true, failures: [] });
  });

  it('fails test cases whose expectations do not hold, saying what was expected and what happened', () => {
    const { errors, results } = runCamundaTestCaseFile(readJson('charge-order.failing.test.json'), processes);
    expect(errors).toEqual([]);
    const failures = Object.fromEntries(results.map((r) => [r.name, r.passed ? null : r.failures]));
    expect(failures).toEqual({
      'expects approval before the charge': [
        'instruction #2 (ASSERT_ELEMENT_INSTANCES): expected ["approve"] to be active in process "charge-order", but "approve": never entered',
      ],
      'completes a task that is not open': [
        'instruction #2 (COMPLETE_USER_TASK): no open user task matches { elementId: "approve" } (open tasks: none)',
      ],
      'completes a job that does not exist': [
        'instruction #2 (COMPLETE_JOB): no open job matches { jobType: "refund" } (open jobs: charge (type "charge"))',
      ],
      'expects managers to approve': [
        'instruction #3 (ASSERT_USER_TASK): user task { elementId: "approve" }: assignee: expected "lan", got null; candidateGroups: expected ["managers"], got ["finance","sales"]',
      ],
      'expects a receipt nobody gave': [
        'instruction #3 (ASSERT_VARIABLES): variables of process "charge-order": missing variable "orderId"; receipt: expected "R-1", got "R-2"',
      ],
      'expects the order to be done already': [
        'instruction #2 (ASSERT_PROCESS_INSTANCE): process "charge-order": expected it to be completed, but it is active (waiting at charge)',
      ],
      'expects the wrong order': [
        'instruction #4 (ASSERT_ELEMENT_INSTANCES): expected ["approve", "charge"] to complete in this order in process "charge-order", but "charge" did not complete after the ones before it (completion order: [charge, approve])',
      ],
      'starts a process nobody gave': [
        'instruction #1 (CREATE_PROCESS_INSTANCE): no process "refund-order" was given to the test run (known: charge-order, await-payment, review-deadline)',
      ],
      'uses what Trellis cannot play': [
        'instruction #1 (MOCK_DMN_DECISION): not supported — decisions are part of the compiled process and cannot be replaced while it runs',
        'instruction #2 (CREATE_PROCESS_INSTANCE): not supported — startInstructions (starting before a chosen element); instances start at their start event',
        'instruction #3 (TELEPORT_TOKEN): not supported — not an instruction type of the cpt-test-cases format Trellis knows (check the spelling)',
      ],
    });
  });

  it('stops a test case at its first failing instruction and runs the next test case afresh', () => {
    const file = {
      testCases: [
        {
          name: 'fails early',
          instructions: [
            { type: 'CREATE_PROCESS_INSTANCE', processDefinitionSelector: { processDefinitionId: 'charge-order' } },
            {
              type: 'ASSERT_PROCESS_INSTANCE',
              processInstanceSelector: { processDefinitionId: 'charge-order' },
              state: 'IS_TERMINATED',
            },
            {
              type: 'ASSERT_PROCESS_INSTANCE',
              processInstanceSelector: { processDefinitionId: 'charge-order' },
              state: 'IS_COMPLETED',
            },
          ],
        },
        {
          name: 'starts with nothing',
          instructions: [
            {
              type: 'ASSERT_PROCESS_INSTANCE',
              processInstanceSelector: { processDefinitionId: 'charge-order' },
              state: 'IS_CREATED',
            },
          ],
        },
      ],
    };
    const { results } = runCamundaTestCaseFile(file, processes);
    expect(results[0]?.failures).toEqual([
      'instruction #2 (ASSERT_PROCESS_INSTANCE): process "charge-order": expected it to be terminated, but it is active (waiting at charge)',
    ]);
    expect(results[1]?.failures).toEqual([
      'instruction #1 (ASSERT_PROCESS_INSTANCE): no instance of process "charge-order" was created (instances: none)',
    ]);
  });

  it('counts element instances exactly with ASSERT_ELEMENT_INSTANCE amount', () => {
    const assertion = (amount: number) => ({
      type: 'ASSERT_ELEMENT_INSTANCE',
      processInstanceSelector: { processDefinitionId: 'charge-order' },
      elementSelector: { elementId: 'charge' },
      state: 'IS_ACTIVE',
      amount,
    });
    const file = {
      testCases: [
        {
          name: 'one charge',
          instructions: [
            { type: 'CREATE_PROCESS_INSTANCE', processDefinitionSelector: { processDefinitionId: 'charge-order' } },
            assertion(1),
            assertion(2),
          ],
        },
      ],
    };
    expect(runCamundaTestCaseFile(file, processes).results[0]?.failures).toEqual([
      'instruction #3 (ASSERT_ELEMENT_INSTANCE): expected 2 active instances of "charge" in process "charge-order", found 1 (1 active)',
    ]);
  });

  it('completes the jobs of a multi-instance service task by its element id, one run at a time', () => {
    const looped = compile({
      formatVersion: 1,
      key: 'payslips',
      version: 1,
      name: 'Send payslips',
      elements: [
        { id: 'start', type: 'startEvent' },
        {
          id: 'send',
          type: 'serviceTask',
          taskType: 'send-payslip',
          multiInstance: {
            collection: 'employees',
            elementVariable: 'employee',
            outputCollection: 'receipts',
            outputElement: 'receipt',
          },
        },
        { id: 'end', type: 'endEvent' },
      ],
      flows: [
        { id: 'f0', source: 'start', target: 'send' },
        { id: 'f1', source: 'send', target: 'end' },
      ],
    });
    const selector = { processDefinitionId: 'payslips' };
    const file = {
      testCases: [
        {
          name: 'two payslips',
          instructions: [
            {
              type: 'CREATE_PROCESS_INSTANCE',
              processDefinitionSelector: selector,
              variables: { employees: ['Lan', 'Hùng'] },
            },
            {
              type: 'ASSERT_ELEMENT_INSTANCE',
              processInstanceSelector: selector,
              elementSelector: { elementId: 'send' },
              state: 'IS_ACTIVE',
            },
            { type: 'COMPLETE_JOB', jobSelector: { elementId: 'send' }, variables: { receipt: 'R-1' } },
            { type: 'COMPLETE_JOB', jobSelector: { jobType: 'send-payslip' }, variables: { receipt: 'R-2' } },
            { type: 'ASSERT_PROCESS_INSTANCE', processInstanceSelector: selector, state: 'IS_COMPLETED' },
            { type: 'ASSERT_VARIABLES', processInstanceSelector: selector, variables: { receipts: ['R-1', 'R-2'] } },
          ],
        },
      ],
    };
    expect(runCamundaTestCaseFile(file, new Map([['payslips', looped]])).results[0]).toEqual({
      name: 'two payslips',
      passed: true,
      failures: [],
    });
  });

  it('turns a refused step into a failure, never an exception', () => {
    const file = {
      testCases: [
        {
          name: 'time that is not a time',
          instructions: [
            {
              type: 'CREATE_PROCESS_INSTANCE',
              processDefinitionSelector: { processDefinitionId: 'await-payment' },
              variables: { orderId: 'A-1' },
            },
            { type: 'INCREASE_TIME', duration: 'two days' },
          ],
        },
        {
          name: 'a message nobody waits for cannot be correlated',
          instructions: [
            {
              type: 'CREATE_PROCESS_INSTANCE',
              processDefinitionSelector: { processDefinitionId: 'await-payment' },
              variables: { orderId: 'A-1' },
            },
            { type: 'CORRELATE_MESSAGE', name: 'payment-received', correlationKey: 'B-2' },
          ],
        },
      ],
    };
    expect(runCamundaTestCaseFile(file, processes).results.map((r) => r.failures)).toEqual([
      ['instruction #2 (INCREASE_TIME): "two days" is not an ISO 8601 duration such as PT1H or P2D'],
      ['instruction #2 (CORRELATE_MESSAGE): No instance is waiting for message "payment-received".'],
    ]);
  });
});

describe('reading a test-case file', () => {
  it('names the test case, the instruction and the field of every problem, and runs nothing', () => {
    const { errors, results } = runCamundaTestCaseFile(readJson('malformed.test.json'), processes);
    expect(results).toEqual([]);
    expect(errors).toEqual([
      'test case #1 "broken instructions", instruction #1 (CREATE_PROCESS_INSTANCE): processDefinitionSelector.processDefinitionId: missing (expected string)',
      'test case #1 "broken instructions", instruction #2 (COMPLETE_JOB): jobSelector: needs at least one of jobType, elementId, processDefinitionId',
      'test case #1 "broken instructions", instruction #3 (ASSERT_ELEMENT_INSTANCES): elementSelectors[0]: unknown field "elementID"',
      'test case #1 "broken instructions", instruction #3 (ASSERT_ELEMENT_INSTANCES): elementSelectors[0]: needs at least one of elementId, elementName',
      'test case #1 "broken instructions", instruction #3 (ASSERT_ELEMENT_INSTANCES): state: must be one of "IS_ACTIVE", "IS_COMPLETED", "IS_TERMINATED", "IS_NOT_ACTIVE", "IS_NOT_ACTIVATED", "IS_ACTIVE_EXACTLY", "IS_COMPLETED_IN_ORDER"',
      'test case #1 "broken instructions", instruction #4: needs a "type" naming the instruction, e.g. "COMPLETE_USER_TASK"',
      'test case #1 "broken instructions", instruction #5: must be an object with a "type"',
      'test case #2: name: missing (expected string)',
      'test case #2: instructions: missing (expected array)',
    ]);
  });

  it.each([
    [[], '(root): Invalid input: expected object, received array'],
    [{}, 'testCases: missing (expected array)'],
    [{ testCases: {} }, 'testCases: Invalid input: expected array, received object'],
  ])('refuses a file that is not a test-case file: %j', (json, error) => {
    expect(parseCamundaTestCases(json)).toEqual({ ok: false, errors: [error] });
  });

  it("accepts Web Modeler's additions (processId, metadata) and keeps unsupported instructions for the runner", () => {
    const parsed = parseCamundaTestCases({
      $schema: 'https://camunda.com/json-schema/cpt-test-cases/8.9/schema.json',
      processId: 'charge-order',
      testCases: [
        {
          name: 't',
          instructions: [{ type: 'RESOLVE_INCIDENT', incidentSelector: { elementId: 'x' } }],
          metadata: { coveredFlowNodes: [] },
        },
      ],
    });
    expect(parsed).toEqual({
      ok: true,
      file: {
        processId: 'charge-order',
        testCases: [
          {
            name: 't',
            instructions: [
              {
                supported: false,
                type: 'RESOLVE_INCIDENT',
                reason: 'Trellis incidents are business outcomes with no retry',
              },
            ],
          },
        ],
      },
    });
  });
});

describe('the Camunda 7 invoice example, as imported', () => {
  const dir = path.join(fixtures, 'camunda7-invoice');
  const invoiceProcesses = new Map<string, CompiledProcess>();
  const testFile = JSON.parse(readFileSync(path.join(dir, 'invoice.test.json'), 'utf8')) as {
    testCases: { name: string; instructions: Record<string, unknown>[] }[];
  };

  beforeAll(async () => {
    const decisions = await importDmn(readFileSync(path.join(dir, 'invoiceBusinessDecisions.dmn'), 'utf8'));
    for (const file of ['invoice.v2.bpmn', 'reviewInvoice.bpmn']) {
      const imported = await importBpmn(readFileSync(path.join(dir, file), 'utf8'));
      const processId = imported.processes.find((p) => p.executable)?.id ?? imported.definition.key;
      invoiceProcesses.set(processId, compile(imported.definition, { decisions }));
    }
  });

  it('passes the upstream InvoiceTestCase happy path and rejection path', () => {
    // given invoice.v2.bpmn and reviewInvoice.bpmn keyed by their BPMN process ids ("invoice", "ReviewInvoice")
    expect([...invoiceProcesses.keys()]).toEqual(['invoice', 'ReviewInvoice']);
    // when the test cases run
    const { errors, results } = runCamundaTestCaseFile(testFile, invoiceProcesses);
    // then both pass
    expect(errors).toEqual([]);
    expect(results).toEqual([
      { name: 'happy path (InvoiceTestCase.testHappyPathV2)', passed: true, failures: [] },
      { name: 'rejection path (InvoiceTestCase.testNonSuccessfulPath)', passed: true, failures: [] },
    ]);
  });

  it('fails when the approvers are not the ones the decision table gives', () => {
    const changed = structuredClone(testFile);
    const assertion = changed.testCases[0]!.instructions.find((i) => i.type === 'ASSERT_USER_TASK')!;
    assertion.candidateGroups = ['management'];
    const [happy] = runCamundaTestCaseFile(changed, invoiceProcesses).results;
    expect(happy?.failures).toEqual([
      'instruction #3 (ASSERT_USER_TASK): user task { elementId: "approveInvoice" }: candidateGroups: expected ["management"], got ["accounting","sales"]',
    ]);
  });

  it('fails the rejection path when the called process is missing', () => {
    const onlyInvoice = new Map([['invoice', invoiceProcesses.get('invoice')!]]);
    const [, rejection] = runCamundaTestCaseFile(testFile, onlyInvoice).results;
    expect(rejection?.failures).toEqual([
      'instruction #3 (COMPLETE_USER_TASK): Call activity "reviewInvoice" calls process "review-invoice", which was not found (put its definition beside this one, or name it with --with).',
    ]);
  });
});

describe('the Camunda 8 expense review (user and business rule tasks with io mappings), as imported', () => {
  const dir = path.join(fixtures, 'camunda8-review');
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
  let definition: ProcessDefinition;
  let decisions: Decision[];
  const catalog = (d: ProcessDefinition) => new Map([['expense-review', compile(d, { decisions })]]);

  beforeAll(async () => {
    decisions = await importDmn(read('expense-approval-level.dmn'));
    const imported = await importBpmn(read('expense-review.bpmn'));
    // given a file the import translates whole: nothing reported, nothing left a draft
    expect(imported.report.unsupported).toEqual([]);
    expect(imported.report.extensions.filter((x) => x.outcome === 'not-run')).toEqual([]);
    definition = imported.definition as ProcessDefinition;
  });

  it('passes its Camunda Process Test cases, every path as Camunda runs them', () => {
    // when
    const { errors, results } = runCamundaTestCaseFile(
      JSON.parse(read('expense-review.test.json')),
      catalog(definition),
    );
    // then
    expect(errors).toEqual([]);
    expect(results.map((r) => r.name)).toHaveLength(4);
    for (const result of results)
      expect(result, result.name).toEqual({ name: result.name, passed: true, failures: [] });
  });

  it.each(['auto-approved', 'manager-approves', 'director-rejects'])(
    'runs %s.scenario.json, leaving only the mapped outputs in the process',
    (name) => {
      // given
      const scenario = scenarioSchema.parse(JSON.parse(read(`${name}.scenario.json`)));
      // when
      const result = simulate(compile(definition, { decisions }), scenario);
      // then the path is Camunda's, and the tasks' inputs, submission and decision result stayed theirs
      expect(result.failures).toEqual([]);
      expect(result.status).toBe('completed');
      for (const local of ['amount', 'category', 'employee', 'levelResult', 'reviewOutcome'])
        expect(result.variables).not.toHaveProperty(local);
    },
  );

  it("gives the review task its inputs, evaluated as it is entered, and not the process's", () => {
    // given
    const host = new SimulatedHost({ library: catalog(definition) });
    // when
    host.start(catalog(definition).get('expense-review')!, {
      expense: { employee: 'Lan', amount: 450, category: 'equipment' },
    });
    // then
    expect(host.tasks()).toEqual([
      expect.objectContaining({
        elementId: 'ReviewExpense',
        inputs: { employee: 'Lan', amount: 450 },
        candidateGroups: ['managers'],
        priority: 75,
      }),
    ]);
  });

  it('fails the approval path once the output mapping is removed: the gateway then always takes its default flow', () => {
    // given the review task without its outputs (what an import that drops them runs)
    const dropped = structuredClone(definition);
    const review = dropped.elements.find((e) => e.id === 'ReviewExpense') as Extract<
      ProcessDefinition['elements'][number],
      { type: 'userTask' }
    >;
    delete review.outputs;
    // when
    const { results } = runCamundaTestCaseFile(JSON.parse(read('expense-review.test.json')), catalog(dropped));
    // then the manager's approval ends at "Expense rejected", as the issue describes
    const approval = results.find((r) => r.name.startsWith('a manager approves'));
    expect(approval?.passed).toBe(false);
    expect(approval?.failures[0]).toContain('ExpenseApproved');
  });
});
