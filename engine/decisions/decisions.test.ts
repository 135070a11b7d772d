import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile';
import { send, start } from '../runtime/step';
import { importDmn } from './dmn';
import { evaluateDecision } from './evaluate';
import { decisionSchema, type Decision, type DecisionInput } from './model';
import invoiceV2 from './fixtures/camunda7-invoice/invoice-v2.json';

const dmnText = readFileSync(path.join(__dirname, 'fixtures/camunda7-invoice/invoiceBusinessDecisions.dmn'), 'utf8');
const table = (input: DecisionInput) => new Map([[input.id, decisionSchema.parse(input)]]);

describe('the Camunda invoice decisions (DMN import)', async () => {
  const decisions = await importDmn(dmnText);
  const byId = new Map(decisions.map((d) => [d.id, d]));

  it('reads both decisions and their requirement', () => {
    expect(decisions.map((d) => [d.id, d.hitPolicy, d.requires])).toEqual([
      ['invoiceClassification', 'UNIQUE', []],
      ['invoice-assign-approver', 'COLLECT', ['invoiceClassification']],
    ]);
  });

  // Expected answers as the example's documentation gives them (test/fixtures/corpus/backoffice/README.md).
  it.each([
    [100, 'Misc', 'day-to-day expense', ['accounting', 'sales']],
    [250, 'Misc', 'budget', ['management']],
    [1000, 'Misc', 'budget', ['management']],
    [1001, 'Misc', 'exceptional', ['management']],
    [300, 'Travel Expenses', 'day-to-day expense', ['accounting', 'sales']],
    [9999, 'Software License Costs', 'budget', ['management']],
  ])('amount %d, %s → %s → %j', (amount, invoiceCategory, classification, groups) => {
    const c = evaluateDecision(byId, 'invoiceClassification', { amount, invoiceCategory });
    expect(c).toEqual({ ok: true, outputs: [{ invoiceClassification: classification }] });
    const a = evaluateDecision(byId, 'invoice-assign-approver', { amount, invoiceCategory });
    expect(a.ok && a.outputs.map((o) => o.result)).toEqual(groups);
  });

  it('refuses DMN with a DOCTYPE or entities', async () => {
    const hostile = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>${dmnText.slice(dmnText.indexOf('<definitions'))}`;
    await expect(importDmn(hostile)).rejects.toThrow(/DOCTYPE/);
  });
});

describe('hit policies', () => {
  const base = {
    id: 'discount',
    inputs: [{ expression: 'amount' }],
    outputs: [{ name: 'rate', values: ['0.1', '0.05', '0'] }],
    rules: [
      { inputEntries: ['>= 100'], outputEntries: ['0.05'] },
      { inputEntries: ['>= 1000'], outputEntries: ['0.1'] },
      { inputEntries: ['-'], outputEntries: ['0'] },
    ],
  };
  const rates = (hitPolicy: Decision['hitPolicy'], amount: number, aggregation?: Decision['aggregation']) => {
    const r = evaluateDecision(table({ ...base, hitPolicy, aggregation }), 'discount', { amount });
    return r.ok ? (r.aggregate !== undefined ? r.aggregate : r.outputs.map((o) => o.rate)) : r.message;
  };

  it('FIRST takes the first match, RULE ORDER all in rule order', () => {
    expect(rates('FIRST', 5000)).toEqual([0.05]);
    expect(rates('RULE ORDER', 5000)).toEqual([0.05, 0.1, 0]);
  });

  it('PRIORITY and OUTPUT ORDER follow the output values order', () => {
    expect(rates('PRIORITY', 5000)).toEqual([0.1]);
    expect(rates('OUTPUT ORDER', 5000)).toEqual([0.1, 0.05, 0]);
  });

  it('UNIQUE fails on overlapping rules, naming them', () => {
    expect(rates('UNIQUE', 50)).toEqual([0]);
    expect(rates('UNIQUE', 5000)).toBe('Decision "discount" has hit policy UNIQUE but rules 1, 2, 3 all match.');
  });

  it('ANY accepts matches with equal outputs only', () => {
    expect(rates('ANY', 50)).toEqual([0]);
    expect(rates('ANY', 500)).toMatch(/hit policy ANY but the matching rules 1, 3 give different outputs/);
  });

  it('COLLECT lists, or aggregates with SUM, MIN, MAX and COUNT', () => {
    expect(rates('COLLECT', 5000)).toEqual([0.05, 0.1, 0]);
    expect(rates('COLLECT', 5000, 'SUM')).toBeCloseTo(0.15);
    expect(rates('COLLECT', 5000, 'MIN')).toBe(0);
    expect(rates('COLLECT', 5000, 'MAX')).toBe(0.1);
    expect(rates('COLLECT', 5000, 'COUNT')).toBe(3);
    expect(rates('COLLECT', 5, 'COUNT')).toBe(1);
  });

  it('matches Vietnamese text entries exactly, diacritics included', () => {
    const d = table({
      id: 'dept',
      inputs: [{ expression: 'category' }],
      outputs: [{ name: 'group' }],
      hitPolicy: 'FIRST',
      rules: [
        { inputEntries: ['"Công tác"'], outputEntries: ['"hr"'] },
        { inputEntries: ['"Cong tac"'], outputEntries: ['"it"'] },
      ],
    });
    expect(evaluateDecision(d, 'dept', { category: 'Công tác' })).toEqual({ ok: true, outputs: [{ group: 'hr' }] });
  });
});

describe('business rule task', async () => {
  const decisions = await importDmn(dmnText);
  const process = compile(invoiceV2, { decisions });

  it('offers the approval to the groups the decision picked (Camunda InvoiceTestCase happy path)', () => {
    const s1 = start(process, {
      amount: 300,
      invoiceCategory: 'Travel Expenses',
      creditor: 'Great Pizza for Everyone Inc.',
      invoiceNumber: 'GPFE-23232323',
    });
    expect(s1.state.variables.approverGroups).toEqual(['accounting', 'sales']);
    expect(s1.effects).toContainEqual(
      expect.objectContaining({
        type: 'createTask',
        elementId: 'approveInvoice',
        candidateGroups: ['accounting', 'sales'],
      }),
    );
    const s2 = send(process, s1.state, {
      type: 'task.completed',
      elementId: 'approveInvoice',
      variables: { approved: true },
    });
    expect(s2.state.active).toEqual(['prepareBankTransfer']);
    const s3 = send(process, s2.state, { type: 'task.completed', elementId: 'prepareBankTransfer', variables: {} });
    expect(s3.effects).toContainEqual(expect.objectContaining({ type: 'startJob', taskType: 'archive-invoice' }));
    expect(
      send(process, s3.state, { type: 'job.completed', elementId: 'ServiceTask_1', variables: {} }).state.outcome,
    ).toBe('processed');
  });

  it('raises an incident when the decision fails', () => {
    const broken = decisions.map((d) =>
      d.id === 'invoiceClassification' ? { ...d, rules: [...d.rules, d.rules[0]!] } : d,
    );
    const p = compile(invoiceV2, { decisions: broken });
    const { state } = start(p, { amount: 100, invoiceCategory: 'Misc' });
    expect(state).toMatchObject({
      status: 'incident',
      incident: { elementId: 'assignApprover', code: 'DECISION_FAILED', message: expect.stringContaining('UNIQUE') },
    });
  });

  it('refuses a business rule task whose decision is missing', () => {
    expect(() => compile(invoiceV2, { decisions: [] })).toThrow(
      /calls decision "invoice-assign-approver", which is not among the decisions given/,
    );
  });
});
