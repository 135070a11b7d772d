import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { canonicalDefinition, canonicalJson } from '../model/canonical';
import {
  processDefinitionSchema,
  type Element,
  type ProcessDefinitionInput,
  type SequenceFlow,
} from '../model/definition';
import { diffDefinitions } from '../model/diff';
import { validateDefinition } from '../validate/validate';
import { exportBpmn } from './export';
import { importBpmn } from './import';

/** Canonical definitions are input-typed (defaults left out); their elements read as elements. */
const els = (d: { elements: unknown[] }) => d.elements as Element[];
const flows = (d: { flows: unknown[] }) => d.flows as SequenceFlow[];
/** A definition without its diagrams (a file without DI gets one laid out by its first export). */
const semantic = ({ diagrams: _, ...rest }: ProcessDefinitionInput) => rest as ProcessDefinitionInput;
const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', name), 'utf8');
const invoiceApproval = JSON.parse(
  readFileSync(path.resolve(__dirname, '../runtime/fixtures/invoice-approval.json'), 'utf8'),
) as ProcessDefinitionInput;

describe('Camunda 8 (zeebe) import', () => {
  it('translates job types, io mappings, headers, assignment, forms, FEEL, called elements, multi-instance and subscriptions', async () => {
    // given a Camunda 8 model
    const { definition, report } = await importBpmn(fixture('camunda8-order.bpmn'));
    const byId = Object.fromEntries(els(definition).map((e) => [e.id, e]));
    // then it keeps ids and maps every zeebe extension onto the definition
    expect(definition.key).toBe('order-fulfilment');
    expect(definition.processId).toBe('OrderFulfilment');
    expect(byId.charge).toEqual({
      id: 'charge',
      type: 'serviceTask',
      name: 'Charge card',
      taskType: 'payment-service',
      retries: 5,
      inputs: { cents: 'total * 100' },
      set: { receiptId: 'receipt.id' },
      settings: { currency: 'VND' },
    });
    expect(byId.approve).toMatchObject({
      type: 'userTask',
      formKey: 'approve-order',
      candidateGroups: ['finance', 'sales'],
      assignee: '=owner',
      // "two days from now": Trellis FEEL has no clock, the duration counts from the task's creation
      dueDate: '"P2D"',
      multiInstance: {
        collection: 'approvers',
        elementVariable: 'approver',
        outputCollection: 'decisions',
        outputElement: 'decision',
      },
    });
    expect(byId.paid).toMatchObject({
      event: { kind: 'message', name: 'payment-received', correlationKey: 'orderId' },
    });
    expect(byId.ship).toMatchObject({
      calledElement: 'shipping',
      inputs: { to: 'address' },
      outputs: { tracking: 'trackingNumber' },
    });
    expect(byId.score).toMatchObject({ type: 'scriptTask', set: { points: 'total / 1000' } });
    expect(byId.big).toMatchObject({ default: 'small' });
    expect(flows(definition).find((f) => f.id === 'large')?.condition).toBe('total > 50000000');
    // and nothing was left untranslated
    expect(report.unsupported).toEqual([]);
    expect(definition.importIssues).toBeUndefined();
  });

  it('maps the io mappings of user and business rule tasks, and reports what it cannot run, by element', async () => {
    // given a model with a Camunda 8 feature on every kind of element
    const { definition, report } = await importBpmn(fixture('camunda8-features.bpmn'));
    const byId = Object.fromEntries(els(definition).map((e) => [e.id, e]));
    // then the user task keeps its inputs and outputs, form, assignment, schedule and priority
    expect(byId.fill).toMatchObject({
      formKey: 'fill-order',
      assignee: '=owner',
      candidateUsers: ['lan@example.com', 'minh@example.com'],
      dueDate: '"2026-12-31T17:00:00Z"',
      priority: '=urgency',
      inputs: { owner: 'order.owner' },
      outputs: { total: 'quantity * price' },
    });
    expect(byId.classify).toMatchObject({
      decisionRef: 'order-class',
      resultVariable: 'classResult',
      inputs: { amount: 'total' },
      outputs: { orderClass: 'classResult' },
    });
    expect(byId.ship).toMatchObject({ calledElement: 'shipping', inputs: {}, outputs: {} });
    expect(definition.startForm).toBe('order-form');
    // and what it cannot run is named with its element: a draft for the unknown feature only
    const named = (elementId: string, what: string) =>
      expect.objectContaining({ elementId, what: expect.stringContaining(what) });
    expect(report.unsupported).toEqual([
      named('c8-features', 'A zeebe executionListener (on "start") runs job type "audit-start"'),
      named('fill', 'The follow-up date "=now() + duration("P1D")" is not kept'),
      named('fill', 'The task headers "layout" are not kept'),
      named('fill', 'A zeebe taskListener (on "completing") runs job type "notify-sales"'),
      named('classify', 'The output mapping target "order.class" is not a variable name'),
      named('confirm', 'zeebe:linkedResources is not run by Trellis'),
    ]);
    expect((definition.importIssues ?? []).map((i) => i.elementId).sort()).toEqual([
      'c8-features',
      'classify',
      'confirm',
      'fill',
    ]);
    expect(report.extensions).toContainEqual({
      elementId: 'fill',
      name: 'zeebe:taskSchedule@followUpDate',
      outcome: 'not-run',
    });
    expect(report.extensions).toContainEqual({
      elementId: 'classify',
      name: 'zeebe:calledDecision@bindingType',
      outcome: 'ignored',
    });
  });
});

describe('Camunda 7 and Flowable import', () => {
  it('keeps vendor code out and the definition a draft, naming each element', async () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="d" targetNamespace="t">
  <process id="Pay" isExecutable="true">
    <startEvent id="s" camunda:formKey="embedded:app:forms/start.html"/>
    <serviceTask id="java" camunda:class="com.acme.PayService"/>
    <scriptTask id="js" scriptFormat="javascript"><script>execution.setVariable('x', 1)</script></scriptTask>
    <userTask id="review" camunda:candidateGroups="accounting, Sales Team" camunda:assignee="\${reviewer}">
      <extensionElements><camunda:executionListener event="end" class="com.acme.Audit"/></extensionElements>
    </userTask>
    <exclusiveGateway id="ok" />
    <endEvent id="e1"/><endEvent id="e2"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="java"/>
    <sequenceFlow id="f2" sourceRef="java" targetRef="js"/>
    <sequenceFlow id="f3" sourceRef="js" targetRef="review"/>
    <sequenceFlow id="f4" sourceRef="review" targetRef="ok"/>
    <sequenceFlow id="yes" sourceRef="ok" targetRef="e1"><conditionExpression xsi:type="tFormalExpression">\${amount &gt; 1000 &amp;&amp; approved}</conditionExpression></sequenceFlow>
    <sequenceFlow id="no" sourceRef="ok" targetRef="e2"><conditionExpression xsi:type="tFormalExpression">\${execution.getVariable('approved') == false}</conditionExpression></sequenceFlow>
  </process>
</definitions>`;
    const { definition, report } = await importBpmn(xml);
    const byId = Object.fromEntries(els(definition).map((e) => [e.id, e]));
    expect(definition.startForm).toBe('start');
    expect(byId.java).toMatchObject({ type: 'serviceTask', taskType: 'pay-service' });
    expect(byId.review).toMatchObject({ candidateGroups: ['accounting', 'sales-team'], assignee: '=reviewer' });
    expect(flows(definition).find((f) => f.id === 'yes')?.condition).toBe('amount > 1000 and approved');
    // the method call is not translated: the flow has no condition, and the import says why
    expect(flows(definition).find((f) => f.id === 'no')?.condition).toBeUndefined();
    expect(report.unsupported.map((u) => u.elementId).sort()).toEqual(['java', 'js', 'no', 'review']);
    expect(report.unsupported.find((u) => u.elementId === 'no')?.what).toMatch(/getVariable/);
    // a draft: it validates for simulation, but publishing names every issue
    const draft = validateDefinition(definition);
    expect(draft.diagnostics.filter((d) => d.ruleId === 'publishable')).toEqual([]);
    const publishing = validateDefinition(definition, { publishing: true });
    expect(publishing.ok).toBe(false);
    expect(
      publishing.diagnostics
        .filter((d) => d.ruleId === 'publishable')
        .map((d) => d.elementId)
        .sort(),
    ).toEqual(['java', 'js', 'no', 'review', 'review']);
  });

  it('maps Camunda 7 input/output parameters of user and business rule tasks, the initiator and the starter groups', async () => {
    // given a model with a Camunda 7 feature on every kind of element
    const { definition, report } = await importBpmn(fixture('camunda7-features.bpmn'));
    const byId = Object.fromEntries(els(definition).map((e) => [e.id, e]));
    // then
    expect(byId.approve).toMatchObject({
      assignee: '=initiator.email',
      candidateGroups: ['management', 'sales'],
      dueDate: '"P2D"',
      priority: 60,
      formKey: 'approve-order',
      inputs: { total: 'amount * 2' },
      outputs: { approved: 'decision = "yes"' },
    });
    expect(byId.classify).toMatchObject({
      decisionRef: 'order-class',
      resultVariable: 'classResult',
      mapDecisionResult: 'singleEntry',
      inputs: { amount: 'order.amount' },
      outputs: { orderClass: 'classResult' },
    });
    expect(byId.charge).toMatchObject({ taskType: 'charge-card', inputs: { card: 'order.card' } });
    expect(byId.ship).toEqual(expect.objectContaining({ inputs: { to: 'address' } }));
    expect(byId.ship).not.toHaveProperty('outputs');
    expect(definition).toMatchObject({ startForm: 'start-order', startableBy: { groups: ['accounting', 'sales'] } });
    // Camunda 7 would also write the submission: the import says so
    expect(report.translated).toContainEqual({
      elementId: 'approve',
      what: expect.stringContaining('Camunda 7 also writes the submitted variables to the process'),
    });
    expect(report.unsupported.map((u) => u.elementId)).toEqual([
      'c7-features',
      'approve',
      'approve',
      'approve',
      'charge',
      'ship',
      'f4',
      'declined',
    ]);
  });

  it('reads Flowable\'s initiator as Trellis\'s, and initiator-can-complete="false" as Trellis does', async () => {
    const xml = readFileSync(
      path.resolve(process.cwd(), 'test', 'fixtures', 'corpus', 'backoffice', 'flowable', 'loan.bpmn'),
      'utf8',
    );
    const { definition, report } = await importBpmn(xml);
    expect(
      els(definition)
        .filter((e) => e.type === 'userTask')
        .map((e) => (e as { assignee?: string }).assignee),
    ).toEqual(Array(5).fill('=initiator.email'));
    expect(
      report.extensions.filter((x) => x.name === 'flowableModeler:initiator-can-complete').map((x) => x.outcome),
    ).toEqual(Array(5).fill('translated'));
  });

  it('reads Flowable form outcomes in conditions', async () => {
    const xml = readFileSync(
      path.resolve(process.cwd(), 'test', 'fixtures', 'corpus', 'backoffice', 'flowable', 'loan.bpmn'),
      'utf8',
    );
    const { definition } = await importBpmn(xml);
    expect(
      flows(definition)
        .map((f) => f.condition)
        .filter(Boolean),
    ).toContain('form_loanreview_outcome = "Accept"');
  });
});

describe('expressions are trimmed once, at import', () => {
  const gateway = (
    conditions: string[],
  ) => `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="t">
    <process id="p" isExecutable="true"><startEvent id="s"/><exclusiveGateway id="g" default="other"/><endEvent id="e"/>
      <sequenceFlow id="f0" sourceRef="s" targetRef="g"/>
      ${conditions.map((c, i) => `<sequenceFlow id="c${i}" sourceRef="g" targetRef="e"><conditionExpression xsi:type="tFormalExpression"><![CDATA[${c}]]></conditionExpression></sequenceFlow>`).join('\n')}
      <sequenceFlow id="other" sourceRef="g" targetRef="e"/></process></definitions>`;

  it('a Camunda 8 condition written "= approved " imports as "approved", and import → export → import is identical', async () => {
    const conditions = ['= approved ', '=  amount > 100\n', '${ approved }', '  not(approved)  '];
    const first = await importBpmn(gateway(conditions));
    expect(
      flows(first.definition)
        .filter((f) => f.id.startsWith('c'))
        .map((f) => f.condition),
    ).toEqual(['approved', 'amount > 100', 'approved', 'not(approved)']);
    // The file has no diagram, so the first export lays one out: the rest is identical, and from then on all of it.
    const again = await importBpmn(await exportBpmn(first.definition));
    expect(canonicalJson(semantic(again.definition))).toBe(canonicalJson(first.definition));
    const third = await importBpmn(await exportBpmn(again.definition));
    expect(canonicalJson(third.definition)).toBe(canonicalJson(again.definition));
  });

  it("a FEEL condition that does not parse is kept as written, and the validator names the flow (a designer's typo is never lost)", async () => {
    const { definition, report } = await importBpmn(gateway(['= days > ']));
    expect(flows(definition).find((f) => f.id === 'c0')?.condition).toBe('days >');
    expect(report.unsupported.filter((u) => u.elementId === 'c0')).toEqual([]);
    expect(validateDefinition(definition).diagnostics).toContainEqual(
      expect.objectContaining({
        severity: 'error',
        elementId: 'c0',
        message: expect.stringMatching(/^Condition of "c0": FEEL syntax error/),
      }),
    );
    const again = await importBpmn(await exportBpmn(definition));
    expect(flows(again.definition).find((f) => f.id === 'c0')?.condition).toBe('days >');
  });

  it('an expression that is only "=" is reported as empty, naming the flow', async () => {
    const { definition, report } = await importBpmn(gateway(['=  ']));
    expect(flows(definition).find((f) => f.id === 'c0')?.condition).toBeUndefined();
    expect(report.unsupported).toContainEqual(
      expect.objectContaining({ elementId: 'c0', what: expect.stringContaining('the expression is empty') }),
    );
  });
});

describe("a process's own inputs and outputs", () => {
  it('are kept with their data associations and drawn again by the export (MIWG C.8.0)', async () => {
    const xml = readFileSync(path.resolve(process.cwd(), 'test', 'fixtures', 'corpus', 'miwg', 'C.8.0.bpmn'), 'utf8');
    const { definition } = await importBpmn(xml);
    const artifacts = (definition.artifacts ?? []) as { type: string; id: string; name?: unknown; data?: string }[];
    expect(
      artifacts
        .filter((a) => a.type === 'dataInput')
        .map((a) => a.name)
        .sort(),
    ).toEqual(['Employee Badge Number', 'From', 'To']);
    expect(
      artifacts
        .filter((a) => a.type === 'dataOutput')
        .map((a) => a.name)
        .sort(),
    ).toEqual(['Reason', 'Vacation Approval']);
    const io = new Set(artifacts.filter((a) => a.type === 'dataInput' || a.type === 'dataOutput').map((a) => a.id));
    expect(artifacts.filter((a) => a.type === 'dataAssociation' && io.has(a.data!))).toHaveLength(5);
    const out = await exportBpmn(definition);
    for (const id of io) expect(out).toContain(`bpmnElement="${id}"`);
    expect(canonicalJson((await importBpmn(out)).definition)).toBe(canonicalJson(definition));
  });
});

describe('cancel boundary events', () => {
  it('are kept, and named for what they are: cancel events belong to transactions, which are not run', async () => {
    const xml = `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t"><process id="booking" isExecutable="true">
      <startEvent id="s"/><transaction id="book"><startEvent id="ts"/><userTask id="reserve"/><endEvent id="te"/>
        <sequenceFlow id="t1" sourceRef="ts" targetRef="reserve"/><sequenceFlow id="t2" sourceRef="reserve" targetRef="te"/></transaction>
      <boundaryEvent id="cancelled" attachedToRef="book"><cancelEventDefinition/></boundaryEvent>
      <endEvent id="done"/><endEvent id="undone"/>
      <sequenceFlow id="f1" sourceRef="s" targetRef="book"/><sequenceFlow id="f2" sourceRef="book" targetRef="done"/><sequenceFlow id="f3" sourceRef="cancelled" targetRef="undone"/></process></definitions>`;
    const { definition, report } = await importBpmn(xml);
    expect(els(definition).find((e) => e.id === 'cancelled')).toMatchObject({
      type: 'boundaryEvent',
      attachedTo: 'book',
      event: { kind: 'cancel' },
    });
    const onBoundary = report.unsupported.filter((u) => u.elementId === 'cancelled');
    expect(onBoundary.map((u) => u.what)).toEqual(['A cancel boundary event']);
    expect(onBoundary[0]!.hint).toContain('Cancel events belong to transactions, which Trellis does not run');
    const diagnostics = validateDefinition(definition).diagnostics.filter((d) => d.elementId === 'cancelled');
    expect(diagnostics.map((d) => d.message)).toEqual([
      'boundaryEvent "cancelled" cannot run in Trellis yet: a cancel event belongs to a transaction, and Trellis does not run transactions (one imports as a plain subprocess, which is never cancelled); model the cancellation with an error end event and an error boundary event.',
    ]);
    expect(JSON.stringify(validateDefinition(definition).diagnostics)).not.toContain('does not say what it waits for');
    const again = await importBpmn(await exportBpmn(definition));
    expect(canonicalJson(semantic(again.definition))).toBe(canonicalJson(definition));
  });
});

describe('a boundary event whose event could not be kept', () => {
  it("is named with the import's reason, not as one that does not say what it waits for", async () => {
    const xml = `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t"><process id="refund" isExecutable="true">
      <startEvent id="s"/><userTask id="charge"/><boundaryEvent id="undo" attachedToRef="charge"><compensateEventDefinition/></boundaryEvent><endEvent id="e"/>
      <sequenceFlow id="f1" sourceRef="s" targetRef="charge"/><sequenceFlow id="f2" sourceRef="charge" targetRef="e"/></process></definitions>`;
    const { definition } = await importBpmn(xml);
    const messages = validateDefinition(definition)
      .diagnostics.filter((d) => d.elementId === 'undo')
      .map((d) => d.message);
    expect(messages).toContain(
      'Boundary event "undo" cannot run: A compensate event definition on a BoundaryEvent. Compensation events are not supported; model the undo steps explicitly.',
    );
    expect(messages.join()).not.toContain('does not say what it waits for');
  });
});

describe('names and documentation with markup are data', () => {
  it('keeps them as text through import and export', async () => {
    const xml = `<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="t"><process id="p" isExecutable="true">
      <startEvent id="s" name="&lt;img src=x onerror=alert(1)&gt;"><documentation>&lt;script&gt;alert(2)&lt;/script&gt;</documentation></startEvent>
      <endEvent id="e" name="Đã xong &amp; lưu"/><sequenceFlow id="f" sourceRef="s" targetRef="e"/></process></definitions>`;
    const { definition } = await importBpmn(xml);
    expect(els(definition).find((e) => e.id === 's')).toMatchObject({
      name: '<img src=x onerror=alert(1)>',
      documentation: '<script>alert(2)</script>',
    });
    const out = await exportBpmn(definition);
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<script>');
    const again = await importBpmn(out);
    expect(els(again.definition).find((e) => e.id === 'e')?.name).toBe('Đã xong & lưu');
  });
});

describe('JSON → BPMN → JSON', () => {
  it('round-trips the invoice-approval template, bilingual names included, and lays out its diagram', async () => {
    const xml = await exportBpmn(invoiceApproval);
    const { definition, report } = await importBpmn(xml);
    const { diagrams, ...semantic } = definition;
    expect(semantic).toEqual(canonicalDefinition(invoiceApproval));
    expect(report.unsupported).toEqual([]);
    // every element and flow is drawn
    const drawn = new Set(Object.keys({ ...diagrams![0]!.shapes, ...diagrams![0]!.edges }));
    for (const item of [...els(invoiceApproval), ...flows(invoiceApproval)])
      expect(drawn.has(item.id), item.id).toBe(true);
  });
});

describe('user and business rule task mappings through BPMN', () => {
  it('come back from an export as they went in, empty outputs included', async () => {
    // given
    const definition: ProcessDefinitionInput = {
      formatVersion: 1,
      key: 'mapped',
      version: 1,
      name: 'Mapped',
      elements: [
        { id: 'start', type: 'startEvent' },
        {
          id: 'decide',
          type: 'businessRuleTask',
          decisionRef: 'level',
          resultVariable: 'levelResult',
          inputs: { amount: 'expense.amount' },
          outputs: { approvalLevel: 'levelResult' },
        },
        {
          id: 'review',
          type: 'userTask',
          formKey: 'review',
          candidateGroups: ['managers'],
          inputs: { b: 'x', a: 'b + 1' },
          outputs: { managerReviewOutcome: 'reviewOutcome' },
        },
        { id: 'ack', type: 'userTask', formKey: 'ack', candidateGroups: ['managers'], outputs: {} },
        { id: 'end', type: 'endEvent' },
      ],
      flows: [
        { id: 'f1', source: 'start', target: 'decide' },
        { id: 'f2', source: 'decide', target: 'review' },
        { id: 'f3', source: 'review', target: 'ack' },
        { id: 'f4', source: 'ack', target: 'end' },
      ],
    };
    // when
    const { definition: again, report } = await importBpmn(await exportBpmn(definition));
    // then (inputs keep their order: each sees the ones before it)
    const { diagrams: _, ...semantic } = again;
    expect(semantic).toEqual(canonicalDefinition(definition));
    expect(Object.keys((els(again).find((e) => e.id === 'review') as { inputs: object }).inputs)).toEqual(['b', 'a']);
    expect(report.unsupported).toEqual([]);
  });
});

describe('canonical JSON', () => {
  it('is the same text whatever the order of elements, flows, keys and set-like lists', () => {
    const shuffled = JSON.parse(JSON.stringify(invoiceApproval)) as ProcessDefinitionInput & Record<string, unknown>;
    shuffled.elements = [...els(shuffled)].reverse().map((e) => Object.fromEntries(Object.entries(e).reverse()));
    shuffled.flows = [...shuffled.flows].reverse();
    const reordered = Object.fromEntries(Object.entries(shuffled).reverse());
    expect(canonicalJson(reordered)).toBe(canonicalJson(invoiceApproval));
    expect(
      canonicalJson({
        ...invoiceApproval,
        startableBy: { roles: ['staff', 'designer'], groups: ['sales', 'accounting', 'sales'] },
      }),
    ).toBe(
      canonicalJson({
        ...invoiceApproval,
        startableBy: { groups: ['accounting', 'sales'], roles: ['designer', 'staff'] },
      }),
    );
  });

  it('leaves defaults out and keeps the order of assignments', () => {
    const text = canonicalJson(invoiceApproval);
    expect(text).not.toContain('"candidateRole": "member"');
    const assess = processDefinitionSchema.parse(JSON.parse(text)).elements.find((e) => e.id === 'assess');
    expect(Object.keys((assess as { set: object }).set)).toEqual(['approvalThreshold', 'needsOperationsApproval']);
  });
});

describe('semantic diff', () => {
  it('names elements added, removed and changed, with the changed properties, and what only moved', async () => {
    const before = (await importBpmn(await exportBpmn(invoiceApproval))).definition;
    const after = JSON.parse(JSON.stringify(before)) as typeof before;
    const task = els(after).find((e) => e.id === 'accountingApproval') as { candidateGroups: string[]; name: unknown };
    task.candidateGroups = ['accounting', 'finance'];
    task.name = { en: 'Accounting check', vi: 'Kế toán kiểm tra' };
    after.elements = els(after).filter((e) => e.id !== 'rejected');
    after.flows = flows(after).filter((f) => f.target !== 'rejected');
    after.elements.push({ id: 'archive', type: 'manualTask', name: 'Archive' });
    after.diagrams![0]!.shapes.assess!.x += 40;
    after.name = { en: 'Invoice approval (v2)', vi: 'Phê duyệt hóa đơn (v2)' };

    const diff = diffDefinitions(before, after);
    expect(diff.added).toEqual([{ id: 'archive', type: 'manualTask', scope: 'process' }]);
    expect(diff.removed.map((r) => r.id)).toContain('rejected');
    expect(diff.changed).toEqual([
      {
        id: 'accountingApproval',
        type: 'userTask',
        changes: [
          { path: 'name.en', before: 'Accounting approval', after: 'Accounting check' },
          { path: 'name.vi', before: 'Kế toán phê duyệt', after: 'Kế toán kiểm tra' },
          { path: 'candidateGroups', before: ['accounting'], after: ['accounting', 'finance'] },
        ],
      },
    ]);
    expect(diff.process.map((c) => c.path)).toEqual(['name.en', 'name.vi']);
    expect(diff.moved).toEqual(['assess']);
    expect(diffDefinitions(before, before)).toEqual({ added: [], removed: [], changed: [], process: [], moved: [] });
  });
});
