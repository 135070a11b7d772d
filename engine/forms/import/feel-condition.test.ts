import Ajv2019 from 'ajv/dist/2019';
import { unaryTest } from 'feelin';
import { describe, expect, it } from 'vitest';
import { translateHideCondition, type FieldType } from './feel-condition';

const ajv = new Ajv2019({ strict: false });

const types: Record<string, FieldType> = {
  approved: 'boolean',
  amount: 'number',
  country: 'string',
  'customer.kind': 'string',
  customer: 'object',
};
const typeOf = (path: string[]) => types[path.join('.')];

// Every combination of (valid) values, with "missing" for each field.
const values: Record<string, unknown[]> = {
  approved: [undefined, true, false],
  amount: [undefined, 0, 500, 1000, 1001],
  country: [undefined, 'VN', 'XX', ''],
  customer: [undefined, {}, { kind: 'vip' }, { kind: 'other' }],
};
const samples: Record<string, unknown>[] = [{}];
for (const [name, options] of Object.entries(values)) {
  const next: Record<string, unknown>[] = [];
  for (const sample of samples) for (const v of options) next.push(v === undefined ? sample : { ...sample, [name]: v });
  samples.splice(0, samples.length, ...next);
}

/** form-js hides a field when its condition, run as a FEEL unary test, is true. */
const formJsHides = (expression: string, data: Record<string, unknown>) => unaryTest(expression, data).value === true;

describe('hide conditions → JSON Schema', () => {
  it.each([
    'approved = true',
    'approved',
    'approved = false',
    'not(approved)',
    '(not(approved))',
    'approved != true',
    'amount > 1000',
    'amount <= 1000',
    'amount = 1000',
    'not(amount > 1000)',
    'amount >= 1000 and approved',
    'amount < 500 or country = "VN"',
    'not(country = "VN" and amount > 100)',
    'country != "VN"',
    'country = ""',
    'country = null',
    'country != null',
    'approved = "yes"',
    'country = 5',
    'amount > 100 and (country = "VN" or not(approved))',
    'customer.kind = "vip"',
    'customer.kind != "vip" and amount > 0',
  ])('%s hides exactly when form-js (feelin unaryTest) hides', (expression) => {
    const t = translateHideCondition(expression, typeOf);
    if (!t.ok) throw new Error(t.reason);
    const validate = ajv.compile(t.hiddenWhen);
    for (const data of samples)
      expect(validate(data), `${expression} on ${JSON.stringify(data)}`).toBe(formJsHides(expression, data));
  });

  it('gives the readable schema for the common case', () => {
    expect(translateHideCondition('approved = true', typeOf)).toEqual({
      ok: true,
      hiddenWhen: { required: ['approved'], properties: { approved: { const: true } } },
      paths: [['approved']],
    });
  });

  it.each([
    ['amount > limit', /comparing two fields/],
    ['contains(country, "V")', /not part of the FEEL subset|expected/],
    ['amount in [1, 2]', /not part of the FEEL subset/],
    ['other = 1', /"other", which is not a field of this form/],
    ['country > "A"', /can only compare numbers/],
    ['', /empty/],
    ['approved = ', /ends too early/],
    ['(approved', /"\)" is missing/],
    ['approved approved', /unexpected/],
    [`${'('.repeat(40)}approved${')'.repeat(40)}`, /nested more than/],
    [`approved = "${'x'.repeat(600)}"`, /longer than/],
  ])('refuses %s with a reason', (expression, reason) => {
    const t = translateHideCondition(expression, (p) => (p.join('.') === 'limit' ? 'number' : typeOf(p)));
    expect(t.ok).toBe(false);
    if (!t.ok) expect(t.reason).toMatch(reason);
  });
});
