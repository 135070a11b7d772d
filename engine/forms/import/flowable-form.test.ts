import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { formDefinitionSchema, type JsonSchema } from '../form';
import { importFlowableForm } from './flowable-form';

const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures/flowable', name), 'utf8');

const ajv = new Ajv2019({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false });
addFormats(ajv);
const validatorFor = (schema: JsonSchema) => ajv.compile({ ...schema, additionalProperties: false });

/** name: [type, required, read-only] per field, in order. */
type Shape = Record<string, [string, boolean, boolean]>;
function shapeOf(schema: JsonSchema, uiSchema: Record<string, unknown>): Shape {
  const properties = schema.properties as Record<string, JsonSchema>;
  const required = (schema.required as string[] | undefined) ?? [];
  return Object.fromEntries(
    Object.entries(properties).map(([name, p]) => [
      name,
      [
        String(p.type),
        required.includes(name),
        (uiSchema[name] as Record<string, unknown> | undefined)?.['ui:readonly'] === true,
      ],
    ]),
  );
}

describe('Flowable forms from the loan demo (flowable-examples)', () => {
  const forms = Object.fromEntries(
    ['form-name', 'form-loanin', 'form-loanreview', 'form-advreview'].map((n) => [
      n,
      importFlowableForm(fixture(`${n}.form`), { fileName: `${n}.form` }),
    ]),
  );

  it('all four convert into valid Trellis forms with nothing left over', () => {
    for (const [name, result] of Object.entries(forms)) {
      expect(formDefinitionSchema.parse(result.form), name).toEqual(result.form);
      expect(result.report.unsupported, name).toEqual([]);
    }
    expect(Object.values(forms).map((r) => [r.form.key, r.form.title, r.flowableKey])).toEqual([
      ['name', 'Get name', 'name'],
      ['loanin', 'Loan Application', 'loanin'],
      ['loanreview', 'Loan review', 'loanreview'],
      ['advreview', 'Advanced review', 'advreview'],
    ]);
  });

  it('keeps fields, types, required and read-only flags', () => {
    expect(shapeOf(forms['form-name']!.form.schema, forms['form-name']!.form.uiSchema)).toEqual({
      fullname: ['string', true, false],
    });
    expect(shapeOf(forms['form-loanin']!.form.schema, forms['form-loanin']!.form.uiSchema)).toEqual({
      fullname: ['string', false, true],
      loan: ['integer', true, false],
      home: ['string', true, false],
      age: ['integer', true, false],
      nationality: ['string', true, false],
      income: ['integer', true, false],
    });
    const review = {
      fullname: ['string', false, true],
      loan: ['integer', false, true],
      age: ['integer', false, true],
      nationality: ['string', false, true],
      income: ['integer', false, true],
      home: ['string', false, true],
    };
    expect(shapeOf(forms['form-advreview']!.form.schema, forms['form-advreview']!.form.uiSchema)).toEqual({
      ...review,
      outcome: ['string', true, false],
    });
    expect(shapeOf(forms['form-loanreview']!.form.schema, forms['form-loanreview']!.form.uiSchema)).toEqual({
      ...review,
      guidance: ['string', false, true],
      outcome: ['string', true, false],
    });
  });

  it('turns options into choices, without the "Please choose" placeholder, and keeps labels and defaults', () => {
    const p = forms['form-loanin']!.form.schema.properties as Record<string, JsonSchema>;
    expect(p.fullname!.title).toBe('Fullname'); // "Fullname:" without its colon
    expect(p.home).toMatchObject({
      default: 'Rented',
      oneOf: [
        { const: 'Rented', title: 'Rented' },
        { const: 'Mortgaged', title: 'Mortgaged' },
        { const: 'Owned', title: 'Owned' },
      ],
    });
    expect((p.nationality!.oneOf as { const: string }[]).map((o) => o.const)).toEqual([
      'Belgian',
      'Dutch',
      'French',
      'German',
      'Italian',
      'Spanish',
      'UK',
      'Other',
    ]);
    expect(p.nationality!.default).toBeUndefined();
    expect(forms['form-loanin']!.form.uiSchema).toMatchObject({
      home: { 'ui:widget': 'radio' },
      loan: { 'ui:placeholder': 'Loan amount requested...' },
    });
  });

  it('turns outcomes into a required choice and names the variable Flowable stores it in', () => {
    expect(forms['form-loanreview']!.outcome).toEqual({
      property: 'outcome',
      variable: 'form_loanreview_outcome',
      values: ['Reject', 'Consider', 'Accept'],
    });
    expect(forms['form-advreview']!.outcome).toEqual({
      property: 'outcome',
      variable: 'form_advreview_outcome',
      values: ['Reject', 'Accept'],
    });
    expect(forms['form-loanin']!.outcome).toBeUndefined();
    expect(forms['form-name']!.outcome).toBeUndefined();
    // the names loan.bpmn compares with: ${form_loanreview_outcome == "Accept"}, "Consider", "Reject"
    const outcome = (forms['form-loanreview']!.form.schema.properties as Record<string, JsonSchema>).outcome!;
    expect(outcome.oneOf).toEqual([
      { const: 'Reject', title: 'Reject' },
      { const: 'Consider', title: 'Consider' },
      { const: 'Accept', title: 'Accept' },
    ]);
  });

  it('validates submissions as the forms say', () => {
    const loanin = validatorFor(forms['form-loanin']!.form.schema);
    const application = { loan: 25_000, home: 'Owned', age: 42, nationality: 'Belgian', income: 60_000 };
    expect(loanin(application)).toBe(true);
    expect(loanin({ ...application, nationality: 'Please choose one...' })).toBe(false);
    expect(loanin({ ...application, home: 'Castle' })).toBe(false);
    expect(loanin({ ...application, loan: 2.5 })).toBe(false);
    const { age: _, ...withoutAge } = application;
    expect(loanin(withoutAge)).toBe(false);

    const review = validatorFor(forms['form-loanreview']!.form.schema);
    expect(review({ outcome: 'Consider' })).toBe(true);
    expect(review({})).toBe(false);
    expect(review({ outcome: 'Maybe' })).toBe(false);

    const name = validatorFor(forms['form-name']!.form.schema);
    expect(name({ fullname: 'Nguyễn Văn An' })).toBe(true);
    expect(name({ fullname: '' })).toBe(false);
    expect(name({})).toBe(false);
  });
});

describe('Flowable field types', () => {
  const form = (fields: unknown[], outcomes: unknown[] = []) =>
    importFlowableForm(JSON.stringify({ name: 'Test', key: 'test', version: 0, fields, outcomes }));

  it('maps the standard types and reports the rest', () => {
    // given
    const result = form(
      [
        { fieldType: 'FormField', id: 'note', name: 'Note', type: 'multi-line-text', required: true },
        { fieldType: 'FormField', id: 'price', name: 'Price', type: 'decimal', value: '12.5' },
        { fieldType: 'FormField', id: 'urgent', name: 'Urgent', type: 'boolean', value: 'false' },
        { fieldType: 'FormField', id: 'due', name: 'Due', type: 'date' },
        { fieldType: 'FormField', id: 'owner', name: 'Owner', type: 'people' },
        {
          fieldType: 'OptionFormField',
          id: 'kind',
          name: 'Kind',
          type: 'dropdown',
          options: [
            { id: 'a', name: 'Alpha' },
            { id: 'b', name: 'Beta' },
          ],
        },
        {
          fieldType: 'ContainerFormField',
          id: 'box',
          type: 'container',
          fields: [[{ fieldType: 'FormField', id: 'inner', name: 'Inner', type: 'text' }]],
        },
        { fieldType: 'FormField', id: 'scan', name: 'Scan', type: 'upload' },
        {
          fieldType: 'ExpressionFormField',
          id: 'total',
          name: 'Total',
          type: 'expression',
          expression: '${price * 2}',
        },
        { fieldType: 'FormField', id: 'code', name: 'Code', type: 'text', params: { regexPattern: '[A-Z]+' } },
        { fieldType: 'FormField', id: 'odd', name: 'Odd', type: 'signature' },
        { fieldType: 'FormField', name: 'No id', type: 'text' },
        { fieldType: 'FormField', id: '<b>x</b>', name: '<script>alert(1)</script>', type: 'text' },
      ],
      [{ id: 'ok', name: 'Approve' }, { name: 'Reject' }],
    );
    // then
    const p = result.form.schema.properties as Record<string, JsonSchema>;
    expect(p.note).toEqual({ type: 'string', title: 'Note', minLength: 1 });
    expect(p.price).toEqual({ type: 'number', title: 'Price', default: 12.5 });
    expect(p.urgent).toEqual({ type: 'boolean', title: 'Urgent', default: false });
    expect(p.due).toEqual({ type: 'string', title: 'Due', format: 'date' });
    expect(p.kind!.oneOf).toEqual([
      { const: 'a', title: 'Alpha' },
      { const: 'b', title: 'Beta' },
    ]);
    expect(p.inner).toEqual({ type: 'string', title: 'Inner' });
    expect(p['<b>x</b>']!.title).toBe('<script>alert(1)</script>');
    expect(result.form.uiSchema.note).toEqual({ 'ui:widget': 'textarea' });
    expect(result.report.unsupported.map((u) => u.elementId)).toEqual(['scan', 'total', 'code', 'odd', 'fields[11]']);
    expect(result.outcome).toEqual({
      property: 'outcome',
      variable: 'form_test_outcome',
      values: ['Approve', 'Reject'],
    });
    expect(formDefinitionSchema.parse(result.form)).toBeTruthy();
  });

  it('gives the outcome another name when a field is called "outcome"', () => {
    const result = form([{ fieldType: 'FormField', id: 'outcome', name: 'Result', type: 'text' }], [{ name: 'Done' }]);
    expect(result.outcome?.property).toBe('formOutcome');
    expect(result.form.schema.required).toEqual(['formOutcome']);
  });

  it('refuses files that are not Flowable forms, naming the file', () => {
    expect(() => importFlowableForm('{"fields": 3}', { fileName: 'x.form' })).toThrow(
      /Form file "x.form" is not a Flowable form: "fields" is a number/,
    );
    expect(() => importFlowableForm('{"fields": [', { fileName: 'x.form' })).toThrow(
      /Form file "x.form" is not valid JSON/,
    );
  });
});
