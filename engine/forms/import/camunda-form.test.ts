import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createSchemaUtils, type RJSFSchema } from '@rjsf/utils';
import rjsfValidator from '@rjsf/validator-ajv8';
import Ajv from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { formDefinitionSchema, type JsonSchema } from '../form';
import { importCamundaForm } from './camunda-form';

const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures/camunda7-examples', name), 'utf8');

// The server's ajv (app/server/forms.ts: draft 2019-09, formats, additionalProperties added) and
// plain `ajv` (draft-07): the imported schemas must mean the same to both.
const server = new Ajv2019({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false });
addFormats(server);
const draft07 = new Ajv({ allErrors: true, strict: false });
addFormats(draft07);

function validatorFor(schema: JsonSchema): (data: unknown) => boolean {
  const closed = { ...schema, additionalProperties: false };
  const a = server.compile(closed);
  const b = draft07.compile(closed);
  return (data) => {
    const accepted = a(data);
    expect(b(data), `draft-07 ajv disagrees on ${JSON.stringify(data)}`).toBe(accepted);
    return accepted;
  };
}

/**
 * form-js' rules for a text field, restated from its documentation and Validator: a required
 * field refuses a missing or empty value; a pattern is tested unanchored (`RegExp.test`) and only
 * on a non-empty value.
 */
function formJsAccepts(rules: { required?: boolean; pattern?: string }, value: string | undefined): boolean {
  if (rules.required && (value === undefined || value === '')) return false;
  if (rules.pattern && value && !new RegExp(rules.pattern).test(value)) return false;
  return true;
}

describe('Camunda forms (form-js) from camunda-bpm-examples', () => {
  const start = importCamundaForm(fixture('start-form.form'), { fileName: 'start-form.form' });
  const task = importCamundaForm(fixture('task-form.form'), { fileName: 'task-form.form' });

  it('become valid Trellis form definitions with every field translated', () => {
    for (const result of [start, task]) {
      expect(formDefinitionSchema.parse(result.form)).toEqual(result.form);
      expect(result.report.unsupported).toEqual([]);
    }
    expect(start.form.key).toBe('start-form');
    expect(start.form.title).toBe('Start form');
    expect(Object.keys(start.form.schema.properties as object)).toEqual(['creditor', 'amount', 'invoiceNumber']);
    expect(start.form.uiSchema['ui:order']).toEqual(['creditor', 'amount', 'invoiceNumber']);
    expect(Object.keys(task.form.schema.properties as object)).toEqual([
      'creditor',
      'amount',
      'invoiceNumber',
      'approved',
      'approvedBy',
    ]);
  });

  it('keeps labels, descriptions and patterns as written (form-js tests patterns unanchored, like JSON Schema)', () => {
    const p = task.form.schema.properties as Record<string, JsonSchema>;
    expect(p.invoiceNumber).toMatchObject({
      type: 'string',
      title: 'Invoice Number',
      description: 'An invoice number in the format: C-123.',
      pattern: '^C-[0-9]+$',
    });
    expect(p.amount).toMatchObject({ pattern: '^[0-9]+$' });
    expect(p.approved).toMatchObject({ title: 'Approved?', pattern: '(true|false)' });
    expect(task.form.schema.required).toEqual(['creditor', 'amount', 'approved']);
  });

  describe('start-form: creditor required; amount required, ^[0-9]+$; invoiceNumber ^C-[0-9]+$', () => {
    const valid = validatorFor(start.form.schema);
    const base = { creditor: 'Great Pizza for Everyone Inc.', amount: '30', invoiceNumber: 'C-123' };

    it.each([
      ['all fields', base],
      ['no invoice number (optional)', { creditor: 'Pizza', amount: '0' }],
      ['a long amount', { ...base, amount: '1234567890' }],
      ['a label-like creditor', { ...base, creditor: '<b>Pizza</b>' }],
    ])('accepts %s', (_, data) => {
      expect(valid(data)).toBe(true);
    });

    it.each([
      ['no creditor', { amount: '30' }],
      ['an empty creditor', { ...base, creditor: '' }],
      ['no amount', { creditor: 'Pizza' }],
      ['an empty amount', { ...base, amount: '' }],
      ['a decimal amount', { ...base, amount: '30.00' }],
      ['a negative amount', { ...base, amount: '-5' }],
      ['an amount with text after the digits', { ...base, amount: '30 EUR' }],
      ['an amount as a number, not text', { ...base, amount: 30 }],
      ['an invoice number in another format', { ...base, invoiceNumber: 'I-12345' }],
      ['an invoice number with a lower-case c', { ...base, invoiceNumber: 'c-123' }],
      ['an invoice number with text around it', { ...base, invoiceNumber: 'xC-123' }],
      ['a field the form does not have', { ...base, approved: 'true' }],
    ])('rejects %s', (_, data) => {
      expect(valid(data)).toBe(false);
    });
  });

  describe('task-form: approved required with pattern (true|false)', () => {
    const valid = validatorFor(task.form.schema);
    const base = { creditor: 'Pizza', amount: '30', invoiceNumber: 'C-1', approved: 'true', approvedBy: 'demo' };

    it('accepts "true" and "false" and rejects a missing, empty or other answer', () => {
      expect(valid(base)).toBe(true);
      expect(valid({ ...base, approved: 'false' })).toBe(true);
      const { approved: _, ...withoutApproved } = base;
      expect(valid(withoutApproved)).toBe(false);
      expect(valid({ ...base, approved: '' })).toBe(false);
      expect(valid({ ...base, approved: 'yes' })).toBe(false);
      expect(valid({ ...base, approved: 'TRUE' })).toBe(false);
      expect(valid({ ...base, approved: true })).toBe(false);
    });

    it('tests the pattern unanchored, exactly as form-js does ("untrue" passes in both)', () => {
      expect(new RegExp('(true|false)').test('untrue')).toBe(true);
      expect(valid({ ...base, approved: 'untrue' })).toBe(true);
    });
  });

  describe('agrees with form-js on every field for a range of values', () => {
    const samples = [
      undefined,
      '0',
      '300',
      ' 300',
      '30.00',
      'abc',
      'C-123',
      'C-',
      'c-1',
      'xC-1',
      'C-1x',
      'true',
      'false',
      'untrue',
      'TRUE',
      '<script>',
    ];
    const rules: Record<string, { required?: boolean; pattern?: string }> = {
      creditor: { required: true },
      amount: { required: true, pattern: '^[0-9]+$' },
      invoiceNumber: { pattern: '^C-[0-9]+$' },
      approved: { required: true, pattern: '(true|false)' },
      approvedBy: {},
    };
    const base: Record<string, string> = {
      creditor: 'Pizza',
      amount: '30',
      invoiceNumber: 'C-1',
      approved: 'true',
      approvedBy: 'demo',
    };
    const valid = validatorFor(task.form.schema);

    it.each(Object.keys(rules))('%s', (name) => {
      for (const value of [...samples, '']) {
        const data: Record<string, string> = { ...base };
        if (value === undefined) delete data[name];
        else data[name] = value;
        // Known difference: form-js skips the pattern of an empty optional text, a JSON Schema
        // pattern does not. RJSF never submits empty texts (it leaves the field out), so only
        // an API client can send one.
        const expected =
          value === '' && !rules[name]!.required && rules[name]!.pattern ? false : formJsAccepts(rules[name]!, value);
        expect(valid(data), `${name} = ${JSON.stringify(value)}`).toBe(expected);
      }
    });
  });
});

describe('form-js components', () => {
  const form = (components: unknown[], extra: Record<string, unknown> = {}) =>
    importCamundaForm(JSON.stringify({ type: 'default', id: 'Form_test', components, ...extra }));

  it('maps each input type to a JSON Schema RJSF renders', () => {
    // given
    const result = form([
      {
        type: 'textfield',
        key: 'email',
        label: 'E-mail',
        validate: { validationType: 'email', minLength: 3, maxLength: 100 },
      },
      { type: 'textarea', key: 'note', label: 'Note', defaultValue: 'n/a', readonly: true },
      { type: 'number', key: 'count', label: 'Count', decimalDigits: 0, validate: { min: 1, max: 10 }, disabled: true },
      { type: 'checkbox', key: 'agree', label: 'I agree', validate: { required: true } },
      {
        type: 'radio',
        key: 'size',
        label: 'Size',
        values: [
          { label: 'Small', value: 's' },
          { label: 'Large', value: 'l' },
        ],
        defaultValue: 's',
      },
      {
        type: 'select',
        key: 'level',
        label: 'Level',
        values: [
          { label: 'One', value: 1 },
          { label: 'Two', value: 2 },
        ],
      },
      {
        type: 'checklist',
        key: 'tags',
        label: 'Tags',
        values: [
          { label: 'A', value: 'a' },
          { label: 'B', value: 'b' },
        ],
        validate: { required: true },
      },
      { type: 'taglist', key: 'more', label: 'More', values: [{ label: 'X', value: 'x' }] },
      { type: 'datetime', key: 'due', dateLabel: 'Due date', subtype: 'date' },
      { type: 'datetime', key: 'at', timeLabel: 'At', subtype: 'time' },
      { type: 'datetime', key: 'when', dateLabel: 'When', subtype: 'datetime' },
      { type: 'text', text: '## Please check\nthe **invoice**' },
      { type: 'button', action: 'submit', label: 'Send' },
      { type: 'separator' },
    ]);
    // then
    const p = result.form.schema.properties as Record<string, JsonSchema>;
    expect(p.email).toEqual({ type: 'string', title: 'E-mail', minLength: 3, maxLength: 100, format: 'email' });
    expect(p.note).toEqual({ type: 'string', title: 'Note', default: 'n/a' });
    expect(p.count).toEqual({ type: 'integer', title: 'Count', minimum: 1, maximum: 10 });
    expect(p.agree).toEqual({ type: 'boolean', title: 'I agree', default: false, enum: [true] });
    expect(p.size).toEqual({
      type: 'string',
      title: 'Size',
      oneOf: [
        { const: 's', title: 'Small' },
        { const: 'l', title: 'Large' },
      ],
      default: 's',
    });
    expect(p.level).toEqual({
      type: 'number',
      title: 'Level',
      oneOf: [
        { const: 1, title: 'One' },
        { const: 2, title: 'Two' },
      ],
    });
    expect(p.tags).toEqual({
      type: 'array',
      title: 'Tags',
      items: {
        type: 'string',
        oneOf: [
          { const: 'a', title: 'A' },
          { const: 'b', title: 'B' },
        ],
      },
      uniqueItems: true,
      minItems: 1,
    });
    expect(p.more).toMatchObject({ type: 'array', uniqueItems: true });
    expect(p.due).toEqual({ type: 'string', title: 'Due date', format: 'date' });
    expect(p.at).toMatchObject({ type: 'string', title: 'At' });
    expect(result.form.uiSchema).toMatchObject({
      note: { 'ui:widget': 'textarea', 'ui:readonly': true },
      count: { 'ui:disabled': true },
      size: { 'ui:widget': 'radio' },
      tags: { 'ui:widget': 'checkboxes' },
      'ui:description': '## Please check\nthe **invoice**',
    });
    expect(result.form.schema.required).toEqual(['agree', 'tags']);
    expect(result.report.unsupported).toEqual([]);
    expect(result.report.translated).toContain('components[12]: button ignored (RJSF has its own submit button)');

    // and the data form-js would submit validates the same way
    const valid = validatorFor(result.form.schema);
    const ok = {
      email: 'a@b.co',
      count: 3,
      agree: true,
      size: 'l',
      level: 2,
      tags: ['a'],
      due: '2026-03-31',
      at: '09:30+07:00',
      when: '2026-03-31T09:30Z',
    };
    expect(valid(ok)).toBe(true);
    expect(valid({ ...ok, agree: false })).toBe(false); // form-js: a required checkbox must be ticked
    expect(valid({ ...ok, tags: [] })).toBe(false); // form-js: a required checklist needs a choice
    expect(valid({ ...ok, count: 2.5 })).toBe(false); // decimalDigits 0
    expect(valid({ ...ok, count: 11 })).toBe(false);
    expect(valid({ ...ok, size: 'm' })).toBe(false);
    expect(valid({ ...ok, email: 'not an address' })).toBe(false);
    expect(valid({ ...ok, at: '9:30' })).toBe(false);
    expect(valid({ ...ok, when: '2026-03-31T09:30:00' })).toBe(false); // form-js stores no seconds
    expect(valid({ ...ok, due: '31/03/2026' })).toBe(false);
  });

  it('stores dotted keys and group paths as nested objects, and lists as arrays of objects', () => {
    const result = form([
      { type: 'textfield', key: 'customer.name', label: 'Name', validate: { required: true } },
      {
        type: 'group',
        label: 'Address',
        path: 'customer.address',
        components: [{ type: 'textfield', key: 'city', label: 'City', validate: { required: true } }],
      },
      { type: 'group', label: 'Flat group', components: [{ type: 'textfield', key: 'phone', label: 'Phone' }] },
      {
        type: 'dynamiclist',
        path: 'lines',
        label: 'Lines',
        allowAddRemove: false,
        components: [{ type: 'number', key: 'qty', label: 'Qty', validate: { required: true, min: 1 } }],
      },
    ]);
    const valid = validatorFor(result.form.schema);
    expect(valid({ customer: { name: 'Lan', address: { city: 'Hà Nội' } }, phone: '1', lines: [{ qty: 2 }] })).toBe(
      true,
    );
    expect(valid({ customer: { name: 'Lan', address: {} } })).toBe(false);
    expect(valid({ customer: { name: 'Lan', address: { city: 'Huế' }, extra: 1 } })).toBe(false);
    expect(valid({ customer: { name: 'Lan', address: { city: 'Huế' } }, lines: [{ qty: 0 }] })).toBe(false);
    expect(valid({ customer: { name: 'Lan', address: { city: 'Huế' } }, lines: [{}] })).toBe(false);
    expect(result.form.uiSchema).toMatchObject({
      lines: { 'ui:options': { addable: false, removable: false } },
      customer: { 'ui:order': ['name', 'address'] },
    });
    expect(formDefinitionSchema.parse(result.form)).toBeTruthy();
  });

  describe('conditional.hide', () => {
    const result = form([
      { type: 'checkbox', key: 'approved', label: 'Approved' },
      {
        type: 'textarea',
        key: 'reason',
        label: 'Reason for rejection',
        validate: { required: true },
        conditional: { hide: '=approved = true' },
      },
      { type: 'number', key: 'amount', label: 'Amount' },
      {
        type: 'group',
        label: 'Second approval',
        conditional: { hide: '=amount <= 1000' },
        components: [{ type: 'textfield', key: 'approver2', label: 'Second approver', validate: { required: true } }],
      },
      {
        type: 'textfield',
        key: 'vat',
        label: 'VAT id',
        validate: { required: true },
        conditional: { hide: '=country != "VN"' },
      },
      {
        type: 'textfield',
        key: 'legacy',
        label: 'Legacy',
        validate: { required: true },
        conditional: { hide: '=someProcessVariable = 1' },
      },
      {
        type: 'select',
        key: 'country',
        label: 'Country',
        values: [
          { label: 'Việt Nam', value: 'VN' },
          { label: 'Other', value: 'XX' },
        ],
      },
    ]);
    const valid = validatorFor(result.form.schema);

    it('requires a field only while form-js would show it', () => {
      // approved → no reason needed; not approved → reason required
      expect(valid({ approved: true, vat: 'x', legacy: 'x', country: 'VN' })).toBe(true);
      expect(valid({ approved: false, vat: 'x', legacy: 'x', country: 'VN' })).toBe(false);
      expect(valid({ approved: false, reason: 'wrong amount', vat: 'x', legacy: 'x', country: 'VN' })).toBe(true);
      // a group's condition covers its fields; a missing amount makes form-js' test null, which hides
      expect(valid({ approved: true, amount: 5000, vat: 'x', legacy: 'x', country: 'VN' })).toBe(false);
      expect(valid({ approved: true, amount: 5000, approver2: 'Minh', vat: 'x', legacy: 'x', country: 'VN' })).toBe(
        true,
      );
      expect(valid({ approved: true, amount: 500, vat: 'x', legacy: 'x', country: 'VN' })).toBe(true);
      // VAT id only for Việt Nam
      expect(valid({ approved: true, legacy: 'x', country: 'XX' })).toBe(true);
      expect(valid({ approved: true, legacy: 'x', country: 'VN' })).toBe(false);
    });

    it('reports what it cannot translate, and imports that field as optional', () => {
      expect(result.report.unsupported).toEqual([
        expect.objectContaining({
          elementId: 'legacy',
          what: expect.stringContaining('"someProcessVariable", which is not a field of this form'),
        }),
      ]);
      expect(valid({ approved: true, vat: 'x', country: 'VN' })).toBe(true);
      expect(result.report.translated).toContain(
        'reason: required unless "=approved = true" (an if/else rule; Trellis shows the field always)',
      );
    });

    it('is understood by RJSF: the rule resolves to a required field while it is visible', () => {
      const utils = createSchemaUtils(rjsfValidator, result.form.schema as RJSFSchema);
      const visible = utils.retrieveSchema(result.form.schema as RJSFSchema, { approved: false, country: 'XX' });
      const hidden = utils.retrieveSchema(result.form.schema as RJSFSchema, { approved: true, country: 'XX' });
      expect(visible.required).toContain('reason');
      expect(hidden.required ?? []).not.toContain('reason');
      expect(
        rjsfValidator.isValid(
          result.form.schema as RJSFSchema,
          { approved: false, country: 'XX' },
          result.form.schema as RJSFSchema,
        ),
      ).toBe(false);
    });
  });

  it('reports what it cannot translate, without failing', () => {
    const result = form([
      { type: 'textfield', key: 'phone', label: 'Phone', validate: { validationType: 'phone' } },
      { type: 'textfield', key: 'code', label: 'Code', validate: { pattern: '^[A-Z]\\-[0-9]$' } },
      { type: 'select', key: 'approver', label: 'Approver', valuesKey: 'approvers' },
      { type: 'number', key: 'price', label: 'Price', decimalDigits: 2, validate: { min: '=minPrice' } },
      { type: 'textfield', key: 'dynamic', label: '=concat("a", "b")' },
      { type: 'filepicker', key: 'file', label: 'Invoice' },
      { type: 'html', content: '<img src=x onerror=alert(1)>' },
      { type: 'expression', key: 'total', expression: '=price * 2' },
      { type: 'mystery-widget', key: 'm' },
      { type: 'textfield', label: 'No key' },
      { type: 'textfield', key: 'code', label: 'Duplicate' },
      'not an object',
      { type: 'textfield', key: '__proto__', label: 'Polluter' },
      { type: 'constructor', key: 'c' },
    ]);
    const ids = result.report.unsupported.map((u) => u.elementId);
    expect(ids).toEqual([
      'phone',
      'code',
      'approver',
      'price',
      'price',
      'dynamic',
      'file',
      'components[6]',
      'total',
      'm',
      'components[9]',
      'code',
      'components[11]',
      '__proto__',
      'c',
    ]);
    for (const u of result.report.unsupported) expect(u.hint.length).toBeGreaterThan(10);
    const p = result.form.schema.properties as Record<string, JsonSchema>;
    expect(p.code).toEqual({ type: 'string', title: 'Code' }); // the pattern ajv cannot compile is dropped, not kept broken
    expect(p.dynamic!.title).toBe('Dynamic');
    expect(Object.keys(p)).toEqual(['phone', 'code', 'approver', 'price', 'dynamic']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.stringify(result.form)).not.toContain('onerror');
    expect(formDefinitionSchema.parse(result.form)).toBeTruthy();
  });

  it('keeps a label with markup as plain text data', () => {
    const result = form([
      { type: 'textfield', key: 'name', label: '<script>alert("x")</script>Name', description: '<b>bold</b>' },
    ]);
    const name = (result.form.schema.properties as Record<string, JsonSchema>).name!;
    expect(name.title).toBe('<script>alert("x")</script>Name');
    expect(name.description).toBe('<b>bold</b>');
    expect(result.form.uiSchema.name).toBeUndefined(); // no widget that would render HTML
  });

  it('takes the key from the form id, or from the options', () => {
    expect(form([]).form.key).toBe('form-test');
    expect(importCamundaForm('{"components":[]}', { fileName: 'forms/Approve Invoice.form' }).form).toMatchObject({
      key: 'approve-invoice',
      title: 'Approve invoice',
    });
    expect(
      importCamundaForm('{"components":[]}', { key: 'invoice-check', title: 'Check the invoice' }).form,
    ).toMatchObject({ key: 'invoice-check', title: 'Check the invoice' });
  });
});
