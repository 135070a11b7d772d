import { describe, expect, it } from 'vitest';
import { checkDesignForm, fromFormDefinition, newField, toFormDefinition, type DesignForm } from './authoring';
import { attachmentRefs, replaceRefs } from './attachments';
import { computeFormValues, hasComputedFields, MAX_COMPUTED_ROWS } from './compute';
import { expenseClaim } from './fixtures/expense-claim';
import type { JsonSchema } from './form';

/** An invoice: lines of quantity × unit price, each line's amount worked out, and the invoice's total of the amounts. */
function invoice(): DesignForm {
  const lines = { ...newField('rows', 'lines', { en: 'Lines', vi: 'Các dòng' }), min: 1 };
  lines.columns = [
    newField('text', 'item', { en: 'Item', vi: 'Hàng hóa' }),
    { ...newField('number', 'quantity', { en: 'Quantity', vi: 'Số lượng' }), min: 0 },
    newField('money', 'price', { en: 'Unit price', vi: 'Đơn giá' }),
    { ...newField('money', 'amount', { en: 'Amount', vi: 'Thành tiền' }), compute: { product: ['quantity', 'price'] } },
  ];
  const total = { ...newField('money', 'total', { en: 'Total', vi: 'Tổng cộng' }), compute: { sum: 'lines.amount' } };
  return { key: 'invoice', version: 1, title: { en: 'Invoice', vi: 'Hóa đơn' }, fields: [lines, total] };
}
const runnable = () => true;

describe('computed fields', () => {
  const schema = toFormDefinition(invoice()).schema as JsonSchema;

  it('works out each line’s amount and the total, whatever the client sent for them', () => {
    const sent = {
      lines: [
        { item: 'Giấy A4', quantity: 3, price: 75_000, amount: 1 },
        { item: 'Mực in', quantity: 2, price: 1_250_000 },
      ],
      total: 999,
    };
    expect(computeFormValues(schema, sent)).toEqual({
      lines: [
        { item: 'Giấy A4', quantity: 3, price: 75_000, amount: 225_000 },
        { item: 'Mực in', quantity: 2, price: 1_250_000, amount: 2_500_000 },
      ],
      total: 2_725_000,
    });
    expect(sent.total).toBe(999);
  });

  it('leaves a line’s amount empty while a factor is missing, rounds money to whole dong, and totals nothing as 0', () => {
    expect(computeFormValues(schema, { lines: [{ quantity: 1.5, price: 33_333 }, { quantity: 2 }] })).toEqual({
      lines: [{ quantity: 1.5, price: 33_333, amount: 50_000 }, { quantity: 2 }],
      total: 50_000,
    });
    expect(computeFormValues(schema, { lines: [] })).toEqual({ lines: [], total: 0 });
    expect(computeFormValues(schema, {})).toEqual({ total: 0 });
  });

  it('survives hostile values: strings, nulls, huge numbers, rows that are not objects, a huge table', () => {
    const odd = computeFormValues(schema, {
      lines: [null, 'x', { quantity: '3', price: 10 }, { quantity: 1e308, price: 1e308 }],
      total: 'lots',
    }) as Record<string, unknown>;
    expect(odd.total).toBe(0);
    expect((odd.lines as unknown[])[3]).toEqual({ quantity: 1e308, price: 1e308 });
    const many = Array.from({ length: MAX_COMPUTED_ROWS + 10 }, () => ({ quantity: 1, price: 1 }));
    expect((computeFormValues(schema, { lines: many }) as { total: number }).total).toBe(MAX_COMPUTED_ROWS);
    expect(computeFormValues(schema, 'not an object')).toBe('not an object');
  });

  it('works out a total shown only when a condition holds, as the designer writes it (in the condition’s then)', () => {
    const form = invoice();
    form.fields.unshift(newField('yesNo', 'itemised', { en: 'Itemised?', vi: 'Chi tiết?' }));
    form.fields[2] = { ...form.fields[2]!, showWhen: { field: 'itemised', is: 'yes' } };
    const conditional = toFormDefinition(form).schema as JsonSchema;
    expect((conditional.properties as Record<string, unknown>).total).toBeUndefined();
    expect(computeFormValues(conditional, { itemised: true, lines: [{ quantity: 2, price: 10 }], total: 5 })).toEqual({
      itemised: true,
      lines: [{ quantity: 2, price: 10, amount: 20 }],
      total: 20,
    });
    expect(hasComputedFields(conditional)).toBe(true);
  });

  it('reads back in the designer as built, and is read-only in the form', () => {
    const definition = toFormDefinition(invoice());
    expect(fromFormDefinition(definition)).toEqual(invoice());
    const properties = definition.schema.properties as Record<string, JsonSchema>;
    expect(properties.total).toMatchObject({ readOnly: true, 'x-compute': { sum: 'lines.amount' } });
    expect(hasComputedFields(definition.schema as JsonSchema)).toBe(true);
    expect(
      hasComputedFields(
        toFormDefinition({ ...invoice(), fields: [newField('text', 'a', { en: 'A', vi: 'A' })] }).schema as JsonSchema,
      ),
    ).toBe(false);
  });

  it('is refused when it reads what it cannot: an unknown table or column, text, itself, a sum inside a table', () => {
    expect(checkDesignForm(invoice(), runnable)).toEqual([]);
    const form = invoice();
    const [lines, total] = form.fields as [(typeof form.fields)[0], (typeof form.fields)[0]];
    const broken: DesignForm = {
      ...form,
      fields: [
        {
          ...lines,
          columns: [
            ...lines.columns!.slice(0, 3),
            { ...lines.columns![3]!, compute: { product: ['item', 'price'] } },
            { ...newField('money', 'self', { en: 'Self', vi: 'Tự' }), compute: { product: ['self'] } },
            { ...newField('money', 'inner', { en: 'Inner', vi: 'Trong' }), compute: { sum: 'lines.price' } },
          ],
        },
        { ...total, compute: { sum: 'lines.item' } },
        { ...newField('money', 'other', { en: 'Other', vi: 'Khác' }), compute: { sum: 'nothing.amount' } },
        { ...newField('text', 'words', { en: 'Words', vi: 'Chữ' }), compute: { sum: 'lines.price' } },
        { ...newField('money', 'outer', { en: 'Outer', vi: 'Ngoài' }), compute: { product: ['total'] } },
      ],
    };
    expect(checkDesignForm(broken, runnable)).toEqual([
      { field: 'lines.amount', code: 'computeWrong' },
      { field: 'lines.self', code: 'computeWrong' },
      { field: 'lines.inner', code: 'computeWrong' },
      { field: 'total', code: 'computeWrong' },
      { field: 'other', code: 'computeWrong' },
      { field: 'words', code: 'computeWrong' },
      { field: 'outer', code: 'computeWrong' },
    ]);
  });
});

describe('file fields', () => {
  const schema = toFormDefinition(expenseClaim()).schema as JsonSchema;
  const ref = (n: number) => ({
    id: `00000000-0000-4000-8000-00000000000${n}`,
    name: `hoa-don-${n}.pdf`,
    size: 10,
    type: 'application/pdf',
  });

  it('finds every file a submission references, at its path, in a table’s rows too', () => {
    const data = {
      employee: 'ngoc.bui@senvang.example',
      lines: [
        { date: '2026-12-01', amount: 1, receipt: ref(1) },
        { date: '2026-12-02', amount: 2 },
        { date: '2026-12-03', amount: 3, receipt: ref(2) },
      ],
      total: 6,
    };
    expect(attachmentRefs(schema, data)).toEqual([
      { path: ['lines', '0', 'receipt'], ref: ref(1) },
      { path: ['lines', '2', 'receipt'], ref: ref(2) },
    ]);
    const replaced = replaceRefs(data, [{ path: ['lines', '2', 'receipt'], ref: { ...ref(2), name: 'stored.pdf' } }]);
    expect((replaced.lines as { receipt?: { name: string } }[])[2]!.receipt!.name).toBe('stored.pdf');
    expect(data.lines[2]!.receipt!.name).toBe('hoa-don-2.pdf');
  });

  it('finds a top-level file field, and one shown only when a condition holds', () => {
    const form = toFormDefinition({
      key: 'f',
      version: 1,
      title: { en: 'F', vi: 'F' },
      fields: [
        newField('yesNo', 'hasContract', { en: 'Contract?', vi: 'Hợp đồng?' }),
        {
          ...newField('file', 'contract', { en: 'Contract', vi: 'Hợp đồng' }),
          showWhen: { field: 'hasContract', is: 'yes' },
        },
        newField('file', 'photo', { en: 'Photo', vi: 'Ảnh' }),
      ],
    });
    expect(
      attachmentRefs(form.schema as JsonSchema, { hasContract: true, contract: ref(3), photo: ref(4) }).map(
        (r) => r.path,
      ),
    ).toEqual([['photo'], ['contract']]);
    expect(fromFormDefinition(form).fields.map((f) => f.kind)).toEqual(['yesNo', 'file', 'file']);
  });
});
