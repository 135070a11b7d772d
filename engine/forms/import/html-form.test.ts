import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { formDefinitionSchema, type JsonSchema } from '../form';
import { importCamundaHtmlForm } from './html-form';
import { importFormFiles } from './index';
import { MAX_FORM_FILE_BYTES } from './input';

const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures/camunda7-invoice', name), 'utf8');
const importFixture = (name: string, variableTypes?: Record<string, string>) =>
  importCamundaHtmlForm(fixture(name), { fileName: name, variableTypes });

const ajv = new Ajv2019({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false });
addFormats(ajv);

describe('Camunda 7 embedded forms of the invoice example', () => {
  const names = [
    'start-form.html',
    'approve-invoice.html',
    'assign-reviewer.html',
    'review-invoice.html',
    'prepare-bank-transfer.html',
  ];
  const results = Object.fromEntries(names.map((n) => [n, importFixture(n)]));

  it('give the variables the corpus README lists (the ones each form declares a type for)', () => {
    const declared = (name: string) =>
      results[name]!.fields.filter((f) => f.typeSource === 'declared').map((f) => `${f.name} ${f.type}`);
    expect(declared('start-form.html')).toEqual([
      'invoiceDocument File',
      'creditor String',
      'amount Double',
      'invoiceCategory String',
      'invoiceNumber String',
    ]);
    expect(declared('approve-invoice.html')).toEqual(['approved Boolean']);
    expect(declared('assign-reviewer.html')).toEqual(['reviewer String']);
    expect(declared('review-invoice.html')).toEqual(['clarified Boolean']);
    expect(declared('prepare-bank-transfer.html')).toEqual([]);
  });

  it('list every bound control with its label, required flag and options', () => {
    expect(results['start-form.html']!.fields).toEqual([
      {
        name: 'invoiceDocument',
        type: 'File',
        typeSource: 'declared',
        label: 'Upload your Invoice Document',
        required: false,
        readOnly: false,
        control: 'input',
        inputType: 'file',
      },
      {
        name: 'creditor',
        type: 'String',
        typeSource: 'declared',
        label: 'Creditor',
        required: true,
        readOnly: false,
        control: 'input',
        inputType: 'text',
      },
      {
        name: 'amount',
        type: 'Double',
        typeSource: 'declared',
        label: 'Amount',
        required: true,
        readOnly: false,
        control: 'input',
        inputType: 'text',
      },
      // its <label for="amount"> points at the wrong input upstream; the label right before it is used
      {
        name: 'invoiceCategory',
        type: 'String',
        typeSource: 'declared',
        label: 'Invoice Category',
        required: false,
        readOnly: false,
        control: 'select',
        options: [
          { value: 'Travel Expenses', label: 'Travel Expenses' },
          { value: 'Misc', label: 'Misc' },
          { value: 'Software License Costs', label: 'Software License Costs' },
        ],
      },
      {
        name: 'invoiceNumber',
        type: 'String',
        typeSource: 'declared',
        label: 'Invoice Number',
        required: true,
        readOnly: false,
        control: 'input',
        inputType: 'text',
      },
    ]);
    expect(results['assign-reviewer.html']!.fields.at(-1)).toEqual({
      name: 'reviewer',
      type: 'String',
      typeSource: 'declared',
      label: 'Reviewer',
      required: true,
      readOnly: false,
      control: 'select',
      options: [
        { value: 'demo', label: 'Demo' },
        { value: 'john', label: 'John' },
        { value: 'peter', label: 'Peter' },
        { value: 'mary', label: 'Mary' },
      ],
    });
    expect(results['approve-invoice.html']!.fields.map((f) => [f.name, f.label, f.readOnly])).toEqual([
      ['creditor', 'Creditor', true],
      ['amount', 'Amount', true],
      ['invoiceCategory', 'Invoice Category', true],
      ['invoiceNumber', 'Invoice Number', true],
      ['approved', 'Do you approve?', false], // the <label> around the checkbox
    ]);
    expect(results['review-invoice.html']!.fields.map((f) => [f.name, f.readOnly])).toEqual([
      ['creditor', false],
      ['amount', false],
      ['invoiceCategory', false],
      ['invoiceNumber', false],
      ['clarified', false],
    ]);
    expect(results['prepare-bank-transfer.html']!.fields.map((f) => [f.name, f.label])).toEqual([
      ['creditor', 'Creditor'],
      ['amount', 'Amount'],
      ['invoiceNumber', 'Invoice Number'],
      ['approver', 'Approved by'],
    ]);
  });

  it('build draft forms that are valid Trellis forms', () => {
    for (const [name, result] of Object.entries(results))
      expect(formDefinitionSchema.parse(result.form), name).toEqual(result.form);
    expect(results['start-form.html']!.form).toMatchObject({ key: 'start-form', title: 'Start form' });
  });

  it('the start form draft validates like the HTML form', () => {
    const start = results['start-form.html']!;
    const p = start.form.schema.properties as Record<string, JsonSchema>;
    expect(Object.keys(p)).toEqual(['creditor', 'amount', 'invoiceCategory', 'invoiceNumber']);
    expect(p.amount).toEqual({ type: 'number', title: 'Amount' });
    const valid = ajv.compile({ ...start.form.schema, additionalProperties: false });
    expect(
      valid({
        creditor: 'Great Pizza for Everyone Inc.',
        amount: 30,
        invoiceCategory: 'Travel Expenses',
        invoiceNumber: 'I-12345',
      }),
    ).toBe(true);
    expect(valid({ creditor: 'Pizza', amount: '30.00', invoiceNumber: 'I-1' })).toBe(false); // a Double, not text
    expect(valid({ creditor: '', amount: 30, invoiceNumber: 'I-1' })).toBe(false);
    expect(valid({ creditor: 'Pizza', amount: 30, invoiceNumber: 'I-1', invoiceCategory: 'Food' })).toBe(false);
    expect(valid({ amount: 30, invoiceNumber: 'I-1' })).toBe(false);
  });

  it('reports the file upload, the form script and the file download links', () => {
    expect(results['start-form.html']!.report.unsupported.map((u) => u.elementId)).toEqual([
      'cam-script',
      'invoiceDocument',
    ]);
    expect(results['approve-invoice.html']!.report.unsupported).toEqual([
      expect.objectContaining({ elementId: 'invoiceDocument', what: expect.stringContaining('cam-file-download') }),
    ]);
  });

  it('types the variables a form only shows from the types the caller knows', () => {
    const known = Object.fromEntries(results['start-form.html']!.fields.map((f) => [f.name, f.type]));
    const approve = importFixture('approve-invoice.html', known);
    expect(approve.fields.map((f) => [f.name, f.type, f.typeSource])).toEqual([
      ['creditor', 'String', 'known'],
      ['amount', 'Double', 'known'],
      ['invoiceCategory', 'String', 'known'],
      ['invoiceNumber', 'String', 'known'],
      ['approved', 'Boolean', 'declared'],
    ]);
    expect((approve.form.schema.properties as Record<string, JsonSchema>).amount).toEqual({
      type: 'number',
      title: 'Amount',
    });
    expect(approve.form.uiSchema.amount).toEqual({ 'ui:readonly': true });
    expect((approve.form.schema.properties as Record<string, JsonSchema>).approved).toEqual({
      type: 'boolean',
      title: 'Do you approve?',
      default: false,
    });
  });
});

describe('scanning HTML without a parser', () => {
  it('ignores controls inside scripts and comments and keeps labels as plain text', () => {
    const html = `
      <!-- <input cam-variable-name="commented" cam-variable-type="String"> -->
      <script>var s = '<input cam-variable-name="evil" cam-variable-type="String">';</script>
      <label for="n">Name &lt;script&gt;alert(1)&lt;/script&gt; <b>bold</b>:</label>
      <input id="n" cam-variable-name="name" cam-variable-type="String" required ng-show="a > b">
      <label><input type="radio" cam-variable-name="size" cam-variable-type="String" value="s"> Small</label>
      <label><input type="radio" cam-variable-name="size" value="l"> Large</label>
      <textarea cam-variable-name="note" cam-variable-type="String" readonly></textarea>
      <input cam-variable-name="count" cam-variable-type="Integer" required="false">
      <input cam-variable-name="data" cam-variable-type="Json">
      <select cam-variable-name="pick" cam-choices="choices"></select>
      <STYLE>input { color: red }</STYLE>`;
    const result = importCamundaHtmlForm(html, { fileName: 'mixed.html' });
    expect(result.fields.map((f) => f.name)).toEqual(['name', 'size', 'note', 'count', 'data', 'pick']);
    expect(result.fields[0]).toMatchObject({ label: 'Name <script>alert(1)</script> bold', required: true });
    expect(result.fields[1]).toMatchObject({
      options: [
        { value: 's', label: 'Small' },
        { value: 'l', label: 'Large' },
      ],
    });
    expect(result.fields[3]).toMatchObject({ required: false });
    const p = result.form.schema.properties as Record<string, JsonSchema>;
    expect(p.name!.title).toBe('Name <script>alert(1)</script> bold');
    expect(p.size).toMatchObject({
      oneOf: [
        { const: 's', title: 'Small' },
        { const: 'l', title: 'Large' },
      ],
    });
    expect(p.count).toEqual({ type: 'integer', title: 'Count', minimum: -2_147_483_648, maximum: 2_147_483_647 });
    expect(result.form.uiSchema).toMatchObject({
      size: { 'ui:widget': 'radio' },
      note: { 'ui:widget': 'textarea', 'ui:readonly': true },
    });
    expect(result.report.unsupported.map((u) => u.elementId)).toEqual(['script', 'pick', 'data']);
    expect(formDefinitionSchema.parse(result.form)).toBeTruthy();
  });

  it('refuses a file over 1 MB, naming it', () => {
    const big = `<form>${'<p>x</p>'.repeat(MAX_FORM_FILE_BYTES / 8 + 1)}</form>`;
    expect(() => importCamundaHtmlForm(big, { fileName: 'big.html' })).toThrow(
      /Form file "big.html" is \d+ bytes; the limit is 1000000/,
    );
    // counted in UTF-8 bytes, not characters
    const wide = `<p>${'ệ'.repeat(MAX_FORM_FILE_BYTES / 3 + 10)}</p>`;
    expect(wide.length).toBeLessThan(MAX_FORM_FILE_BYTES);
    expect(() => importCamundaHtmlForm(wide)).toThrow(/The form file is \d+ bytes/);
  });

  it('stays fast on input built to make regular expressions backtrack', () => {
    const limit = MAX_FORM_FILE_BYTES - 100;
    const hostile = [
      '<input '.repeat(limit / 7),
      `<input a="${'x'.repeat(limit - 20)}`,
      `<label>${'<label '.repeat(limit / 8)}`,
      `<select cam-variable-name="s">${'<option '.repeat(limit / 9)}`,
      '<!--'.repeat(limit / 4),
      '<script '.repeat(limit / 8),
      `<input cam-variable-name="x" ${"'".repeat(limit / 2)}>`,
      `<label>${'&#x1;&amp'.repeat(limit / 10)}</label>`,
    ];
    for (const html of hostile) {
      const started = performance.now();
      importCamundaHtmlForm(html);
      expect(performance.now() - started, html.slice(0, 20)).toBeLessThan(2_000);
    }
  });

  it('refuses a file with more controls than a form can have', () => {
    expect(() =>
      importCamundaHtmlForm('<input cam-variable-name="a">'.repeat(1_001), { fileName: 'many.html' }),
    ).toThrow(/Form file "many.html" has more than 1000 form controls/);
  });
});

describe('forms of one process imported together', () => {
  it('type a read-only copy by what another form declares (the approval form shows the amount as a number)', () => {
    // given the Camunda invoice forms: the start form declares amount Double, the approval form only shows it
    const names = ['start-form.html', 'approve-invoice.html'];
    // when they are imported together
    const [, approve] = importFormFiles(names.map((fileName) => ({ fileName, text: fixture(fileName) })));
    // then the approval form's amount is a read-only number, as the variable it shows
    const amount = (approve!.form.schema.properties as Record<string, { type?: string }>).amount;
    expect(amount?.type).toBe('number');
    expect((approve!.form.uiSchema as Record<string, Record<string, unknown>>).amount?.['ui:readonly']).toBe(true);
    // and alone it is the text its <input> suggests
    const alone = importFormFiles([{ fileName: 'approve-invoice.html', text: fixture('approve-invoice.html') }]);
    expect((alone[0]!.form.schema.properties as Record<string, { type?: string }>).amount?.type).toBe('string');
  });
});
