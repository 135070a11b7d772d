import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  checkDesignForm,
  designFormSchema,
  fromFormDefinition,
  keyFromLabel,
  newField,
  toFormDefinition,
  type DesignForm,
} from './authoring';
import { expenseClaim } from './fixtures/expense-claim';
import {
  formDefinitionSchema,
  localizeFormSchema,
  patternMessageAt,
  type FormDefinition,
  type JsonSchema,
} from './form';

const root = process.cwd();
/** Every form of the template library, and the RJSF playground samples of the corpus (copied into fixtures). */
function forms(): [string, FormDefinition][] {
  const found: [string, FormDefinition][] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith('.form.json'))
        found.push([path.relative(root, file), formDefinitionSchema.parse(JSON.parse(readFileSync(file, 'utf8')))]);
    }
  };
  walk(path.join(root, 'definitions'));
  const corpus = path.join(root, 'test', 'fixtures', 'corpus', 'forms');
  for (const name of readdirSync(corpus).filter((n) => n.endsWith('.json'))) {
    const sample = JSON.parse(readFileSync(path.join(corpus, name), 'utf8')) as {
      schema: JsonSchema;
      uiSchema?: Record<string, unknown>;
    };
    found.push([
      `corpus/forms/${name}`,
      formDefinitionSchema.parse({
        key: name.replace(/\.json$/, ''),
        version: 1,
        title: name,
        schema: sample.schema,
        uiSchema: sample.uiSchema ?? {},
      }),
    ]);
  }
  return found;
}

/** What a renderer sees of a form in a locale: the localized schema (required lists as sets) and the uiSchema, without the order list. */
function rendered(form: FormDefinition, locale: string) {
  const sortRequired = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sortRequired);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        k === 'required' && Array.isArray(v) ? [...v].sort() : sortRequired(v),
      ]),
    );
  };
  const { 'ui:order': _order, ...ui } = form.uiSchema as Record<string, unknown>;
  return { schema: sortRequired(localizeFormSchema(form, locale)), ui };
}

describe('the form designer’s model', () => {
  const all = forms();
  it('reads every form of definitions/ and of the corpus', () => {
    expect(all.length).toBeGreaterThanOrEqual(8);
  });

  it.each(all)('%s opens in the designer and, written back, renders the same in English and Vietnamese', (_, form) => {
    const model = fromFormDefinition(form);
    // what the designer sends back to publish: within the model's bounds
    expect(designFormSchema.safeParse(model).success).toBe(true);
    const written = toFormDefinition(model);
    expect(formDefinitionSchema.safeParse(written).success).toBe(true);
    for (const locale of ['en', 'vi']) expect(rendered(written, locale)).toEqual(rendered(form, locale));
    // and reads back as the same model: nothing drifts on a second save
    expect(fromFormDefinition(written)).toEqual(model);
  });

  it('understands the invoice form’s fields by kind, with both languages', () => {
    const invoice = all.find(([name]) => name.endsWith('invoice-submission.form.json'))![1];
    const model = fromFormDefinition(invoice);
    expect(model.fields.map((f) => [f.key, f.kind])).toEqual([
      ['vendor', 'text'],
      ['invoiceNumber', 'text'],
      ['amount', 'money'],
      ['category', 'select'],
      ['dueDate', 'date'],
      ['description', 'longText'],
    ]);
    expect(model.fields.find((f) => f.key === 'category')!.options![0]).toEqual({
      value: 'office-supplies',
      label: { en: 'Office supplies', vi: expect.any(String) },
    });
    expect(model.title).toEqual({ en: 'Submit an invoice', vi: 'Gửi hóa đơn' });
  });
});

describe('a form built in the designer', () => {
  const definition = toFormDefinition(expenseClaim());

  it('is a form definition, and reads back as built', () => {
    expect(formDefinitionSchema.parse(definition)).toBeTruthy();
    expect(fromFormDefinition(definition)).toEqual(expenseClaim());
  });

  it('has a file column holding a reference to an upload, and a total summing the lines, read-only', () => {
    const properties = definition.schema.properties as Record<string, JsonSchema>;
    const columns = (properties.lines!.items as JsonSchema).properties as Record<string, JsonSchema>;
    expect(columns.receipt).toMatchObject({
      type: 'object',
      'x-attachment': true,
      required: ['id', 'name'],
      additionalProperties: false,
    });
    expect(properties.total).toMatchObject({ type: 'integer', readOnly: true, 'x-compute': { sum: 'lines.amount' } });
  });

  it('speaks Vietnamese: field, column, option and conditional field texts', () => {
    const vi = localizeFormSchema(definition, 'vi');
    const properties = vi.properties as Record<string, JsonSchema>;
    expect(properties.employee!.title).toBe('Nhân viên');
    const columns = (properties.lines!.items as JsonSchema).properties as Record<string, JsonSchema>;
    expect(columns.amount!.title).toBe('Số tiền');
    expect(columns.category!.oneOf).toEqual([
      { const: 'travel', title: 'Công tác' },
      { const: 'meals', title: 'Ăn uống' },
    ]);
    const condition = (vi.allOf as JsonSchema[])[0]!;
    expect(((condition.then as JsonSchema).properties as Record<string, JsonSchema>).reason!.title).toBe(
      'Lý do ngoại lệ',
    );
    expect(definition.uiSchema).toMatchObject({
      'ui:order': ['employee', 'department', 'lines', 'total', 'reason'],
      employee: { 'ui:widget': 'person' },
      total: { 'ui:widget': 'vnd' },
      lines: {
        items: {
          amount: { 'ui:widget': 'vnd' },
          'ui:order': ['date', 'category', 'amount', 'receipt'],
          receipt: { 'ui:field': 'attachment' },
        },
      },
    });
  });
});

describe('keys and checks', () => {
  it('makes a key from a Vietnamese or English label, unique and safe', () => {
    expect(keyFromLabel('Lý do ngoại lệ')).toBe('lyDoNgoaiLe');
    expect(keyFromLabel('Đơn vị')).toBe('donVi');
    expect(keyFromLabel('Amount (VND)')).toBe('amountVnd');
    expect(keyFromLabel('2 approvers')).toBe('field2Approvers');
    expect(keyFromLabel('constructor')).toBe('constructorField');
    expect(keyFromLabel('!!!')).toBe('field');
    expect(keyFromLabel('Amount', ['amount', 'amount2'])).toBe('amount3');
  });

  it('names every field a form cannot be published with, by code', () => {
    const form = expenseClaim();
    const runnable = (p: string) => !/\(\?<?[=!]|\\\d/.test(p);
    expect(checkDesignForm(form, runnable)).toEqual([]);
    const broken: DesignForm = {
      ...form,
      title: { en: '', vi: '' },
      fields: [
        { ...form.fields[0]!, key: '__proto__' },
        { ...form.fields[1]!, key: 'employee' },
        { ...form.fields[1]!, key: 'employee' },
        { ...newField('text', 'code', { en: 'Code', vi: 'Mã' }), pattern: '(a+)\\1', minLength: 5, maxLength: 2 },
        { ...newField('select', 'kind', { en: 'Kind', vi: 'Loại' }), options: [] },
        {
          ...newField('rows', 'lines', { en: 'Lines', vi: 'Dòng' }),
          columns: [{ ...newField('money', 'amount', { en: '', vi: '' }), min: 10, max: 1 }],
        },
        { ...newField('text', 'note', { en: 'Note', vi: 'Ghi chú' }), showWhen: { field: 'later', is: 'filled' } },
        { ...newField('text', 'why', { en: 'Why', vi: 'Vì sao' }), showWhen: { field: 'code', is: 'above', value: 3 } },
        { ...newField('text', 'later', { en: 'Later', vi: 'Sau' }) },
      ],
    };
    expect(checkDesignForm(broken, runnable)).toEqual([
      { field: null, code: 'titleMissing' },
      { field: '__proto__', code: 'keyReserved' },
      { field: 'employee', code: 'keyTaken' },
      { field: 'code', code: 'lengthInverted' },
      { field: 'code', code: 'patternInvalid' },
      { field: 'kind', code: 'optionsMissing' },
      { field: 'lines.amount', code: 'labelMissing' },
      { field: 'lines.amount', code: 'rangeInverted' },
      { field: 'note', code: 'showWhenLater' },
      { field: 'why', code: 'showWhenType' },
    ]);
  });

  it('takes a default value the field accepts, refuses one it would refuse, and publishes it as the schema’s default', () => {
    const f = (field: Partial<DesignForm['fields'][number]> & { kind: DesignForm['fields'][number]['kind'] }) => ({
      ...newField(field.kind, 'x', { en: 'X', vi: 'X' }),
      ...field,
    });
    const codes = (field: DesignForm['fields'][number]) =>
      checkDesignForm({ key: 'f', version: 1, title: { en: 'F', vi: 'F' }, fields: [field] }, () => true).map(
        (p) => p.code,
      );
    expect(codes(f({ kind: 'money', default: 5_000_000 }))).toEqual([]);
    expect(codes(f({ kind: 'money', default: 1.5 }))).toEqual(['defaultWrong']);
    expect(codes(f({ kind: 'number', default: 50, max: 10 }))).toEqual(['defaultWrong']);
    expect(codes(f({ kind: 'number', default: 'mười' }))).toEqual(['defaultWrong']);
    expect(codes(f({ kind: 'yesNo', default: true }))).toEqual([]);
    expect(codes(f({ kind: 'yesNo', default: 'yes' }))).toEqual(['defaultWrong']);
    expect(
      codes(
        f({
          kind: 'select',
          options: [{ value: 'travel', label: { en: 'Travel', vi: 'Công tác' } }],
          default: 'travel',
        }),
      ),
    ).toEqual([]);
    expect(
      codes(
        f({
          kind: 'select',
          options: [{ value: 'travel', label: { en: 'Travel', vi: 'Công tác' } }],
          default: 'office',
        }),
      ),
    ).toEqual(['defaultWrong']);
    expect(codes(f({ kind: 'date', default: '2026-12-31' }))).toEqual([]);
    expect(codes(f({ kind: 'date', default: '31/12/2026' }))).toEqual(['defaultWrong']);
    expect(codes(f({ kind: 'text', default: 'Hà Nội', maxLength: 3 }))).toEqual(['defaultWrong']);
    // a pattern's message, in both languages, travels with the field and reads back as written
    const taxCode = f({
      kind: 'text',
      pattern: '^[0-9]{10}([0-9]{3})?$',
      patternMessage: { en: 'Write the tax code as 10 or 13 digits', vi: 'Mã số thuế gồm 10 hoặc 13 chữ số' },
    });
    const withMessage = toFormDefinition({ key: 'f', version: 1, title: { en: 'F', vi: 'F' }, fields: [taxCode] });
    expect(localizeFormSchema(withMessage, 'vi').properties).toMatchObject({
      x: { pattern: '^[0-9]{10}([0-9]{3})?$', 'x-pattern-message': 'Mã số thuế gồm 10 hoặc 13 chữ số' },
    });
    expect(patternMessageAt(localizeFormSchema(withMessage, 'en'), '#/properties/x/pattern')).toBe(
      'Write the tax code as 10 or 13 digits',
    );
    expect(fromFormDefinition(withMessage).fields[0]).toEqual(taxCode);
    const published = toFormDefinition({
      key: 'f',
      version: 1,
      title: { en: 'F', vi: 'F' },
      fields: [f({ kind: 'money', default: 5_000_000 })],
    });
    expect(
      (published.schema as unknown as { properties: Record<string, { default?: unknown }> }).properties.x!.default,
    ).toBe(5_000_000);
  });
});
