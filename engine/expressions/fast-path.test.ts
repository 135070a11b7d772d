/** The fast path must give exactly what feelin gives, or step aside. */
import { evaluate } from 'feelin';
import { describe, expect, it } from 'vitest';
import { FALLBACK, fastPath } from './fast-path';

const expressions = [
  'amount > 50000000',
  'amount >= 100',
  'amount < limit',
  'amount <= 0',
  'amount = 100',
  'amount != 100',
  'decision = "reject"',
  'decision != "approve"',
  'approved',
  'not(approved)',
  'approved and clarified',
  'approved or clarified',
  'approved and amount > 100',
  'a + b',
  'a - b * c',
  '(a - b) * c',
  'a / b',
  '-a',
  'vendor + " – " + invoiceNumber',
  'x.y',
  'x.y.z',
  'x.missing',
  'missing',
  'missing = null',
  'missing != null',
  'null = null',
  'true',
  'false',
  'null',
  '42',
  '"text"',
  'a > "b"',
  'name = "Nguyễn Thị Lan"',
  'needsOperationsApproval',
  'score > 5',
  'amount > approvalThreshold',
];
const scopes: Record<string, unknown>[] = [
  {
    amount: 75000000,
    limit: 100,
    decision: 'reject',
    approved: true,
    clarified: false,
    a: 7,
    b: 2,
    c: 3,
    vendor: 'Minh Phát',
    invoiceNumber: 'HD-1',
    x: { y: 1 },
    name: 'Nguyễn Thị Lan',
    needsOperationsApproval: true,
    score: 9,
    approvalThreshold: 50000000,
  },
  {
    amount: 0,
    limit: 0,
    decision: 'approve',
    approved: false,
    clarified: true,
    a: 0,
    b: 0,
    c: 0,
    vendor: '',
    invoiceNumber: '',
    x: { y: { z: 'deep' } },
    name: 'Lan',
    score: 5,
  },
  {
    amount: null,
    decision: null,
    approved: null,
    clarified: 'yes',
    a: 'text',
    b: 1,
    c: null,
    x: null,
    vendor: null,
    invoiceNumber: 'HD-2',
    score: '9',
  },
  {},
];

describe('FEEL fast path', () => {
  it('agrees with feelin wherever it answers', () => {
    let answered = 0;
    for (const expression of expressions) {
      const fast = fastPath(expression);
      expect(fast, `${expression} should be in the subset`).not.toBeNull();
      for (const scope of scopes) {
        const mine = fast!({ scope, warnings: [] });
        if (mine === FALLBACK) continue;
        answered++;
        expect(mine, `${expression} with ${JSON.stringify(scope)}`).toEqual(evaluate(expression, scope).value ?? null);
      }
    }
    expect(answered).toBeGreaterThan(expressions.length * 3);
  });

  it('steps aside for the rest of FEEL', () => {
    for (const other of [
      'count(items) > 2',
      'if a then b else c',
      'for x in items return x',
      'a in [1, 2]',
      'date(d) > date("2026-01-01")',
      'string length(s)',
      'invoice number > 3',
      '"a\\"b"',
      '[1, 2]',
      '{a: 1}',
      'a ** 2',
    ]) {
      expect(fastPath(other), other).toBeNull();
    }
  });

  it('reports missing variables as feelin does', () => {
    const ctx = { scope: {}, warnings: [] as string[] };
    expect(fastPath('missing > 3')!(ctx)).toBeNull();
    expect(ctx.warnings).toEqual(["Variable 'missing' not found"]);
  });
});
