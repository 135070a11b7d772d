import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ProcessDefinition } from '../model/definition';
import { validateDefinition } from '../validate/validate';
import { withPaymentStep } from './fixtures/payment-step';
import { applyUpgrade, planUpgrade } from './upgrade';

const v100 = (): ProcessDefinition => {
  const result = validateDefinition(JSON.parse(readFileSync('engine/runtime/fixtures/invoice-approval.json', 'utf8')));
  if (!result.ok) throw new Error('the template does not validate');
  return result.definition;
};

/** The company's edit: a lower threshold for the operations manager's approval. */
function lowerThreshold(d: ProcessDefinition): ProcessDefinition {
  const next = structuredClone(d) as unknown as { elements: { id: string; set?: Record<string, string> }[] };
  next.elements.find((e) => e.id === 'assess')!.set!.approvalThreshold = '30000000';
  return next as unknown as ProcessDefinition;
}

describe('upgrading a company’s copy of a template', () => {
  it('keeps the local edit and takes the new step', () => {
    const base = v100();
    const theirs = withPaymentStep(base);
    const ours = lowerThreshold(base);
    const plan = planUpgrade(base, theirs, ours);
    expect(plan.map((c) => [c.id, c.kind, c.conflict])).toEqual([
      ['preparePayment', 'added', false],
      ['belowThreshold', 'changed', false],
      ['operationsApproved', 'changed', false],
      ['toApproved', 'added', false],
    ]);
    const merged = applyUpgrade(base, theirs, ours);
    const result = validateDefinition(merged);
    expect(result.ok).toBe(true);
    const elements = merged.elements as unknown as { id: string; set?: Record<string, string> }[];
    expect(elements.find((e) => e.id === 'assess')!.set!.approvalThreshold).toBe('30000000');
    expect(elements.some((e) => e.id === 'preparePayment')).toBe(true);
    expect(merged.flows.find((f) => f.id === 'belowThreshold')!.target).toBe('preparePayment');
  });

  it('a change the company made to the same item is a conflict: kept unless the designer takes the template’s', () => {
    const base = v100();
    const theirs = withPaymentStep(base);
    const ours = structuredClone(base) as unknown as { flows: { id: string; target: string; name?: unknown }[] };
    ours.flows.find((f) => f.id === 'belowThreshold')!.name = { en: 'Small invoice', vi: 'Hóa đơn nhỏ' };
    const mine = ours as unknown as ProcessDefinition;
    const conflict = planUpgrade(base, theirs, mine).find((c) => c.id === 'belowThreshold')!;
    expect(conflict).toMatchObject({ kind: 'changed', conflict: true, local: 'changed' });
    expect(applyUpgrade(base, theirs, mine).flows.find((f) => f.id === 'belowThreshold')).toMatchObject({
      target: 'approved',
      name: { en: 'Small invoice' },
    });
    expect(
      applyUpgrade(base, theirs, mine, { belowThreshold: true }).flows.find((f) => f.id === 'belowThreshold')!.target,
    ).toBe('preparePayment');
    // skipping a change leaves the company's item as it is
    expect(
      applyUpgrade(base, theirs, mine, {
        preparePayment: false,
        toApproved: false,
        operationsApproved: false,
      }).elements.some((e) => e.id === 'preparePayment'),
    ).toBe(false);
  });

  it('a process setting the template changed is offered too; the same change made locally is no conflict', () => {
    const base = v100();
    const theirs = { ...base, description: { en: 'New text', vi: 'Nội dung mới' } } as ProcessDefinition;
    expect(planUpgrade(base, theirs, base)).toEqual([
      { id: 'process.description', kind: 'changed', type: 'setting', conflict: false, local: 'untouched' },
    ]);
    expect(planUpgrade(base, theirs, theirs)[0]).toMatchObject({ conflict: false, local: 'same' });
    expect(applyUpgrade(base, theirs, base).description).toEqual({ en: 'New text', vi: 'Nội dung mới' });
  });
});
