import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createSchemaUtils, type RJSFSchema } from '@rjsf/utils';
import rjsfValidator from '@rjsf/validator-ajv8';
import { describe, expect, it } from 'vitest';
import { formDefinitionSchema } from '../form';
import { FormImportError, MAX_FORM_FILE_BYTES, importFormFile } from './index';

const fixtures = path.join(__dirname, 'fixtures');
const corpus = readdirSync(fixtures, { recursive: true, encoding: 'utf8' })
  .filter((f) => /\.(form|html)$/.test(f))
  .sort();

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as FormImportError).code;
  }
  return undefined;
}

describe('importFormFile', () => {
  it('recognises every corpus file by its content and produces a valid form', () => {
    const formats = corpus.map((f) => {
      const result = importFormFile(path.basename(f), readFileSync(path.join(fixtures, f), 'utf8'));
      expect(formDefinitionSchema.parse(result.form), f).toEqual(result.form);
      return [f, result.format];
    });
    expect(formats).toEqual([
      ['camunda7-examples/start-form.form', 'camunda-form'],
      ['camunda7-examples/task-form.form', 'camunda-form'],
      ['camunda7-invoice/approve-invoice.html', 'camunda-html'],
      ['camunda7-invoice/assign-reviewer.html', 'camunda-html'],
      ['camunda7-invoice/prepare-bank-transfer.html', 'camunda-html'],
      ['camunda7-invoice/review-invoice.html', 'camunda-html'],
      ['camunda7-invoice/start-form.html', 'camunda-html'],
      ['flowable/form-advreview.form', 'flowable-form'],
      ['flowable/form-loanin.form', 'flowable-form'],
      ['flowable/form-loanreview.form', 'flowable-form'],
      ['flowable/form-name.form', 'flowable-form'],
    ]);
  });

  it('produces schemas RJSF can resolve and validate', () => {
    for (const f of corpus) {
      const { form } = importFormFile(path.basename(f), readFileSync(path.join(fixtures, f), 'utf8'));
      const schema = form.schema as RJSFSchema;
      const utils = createSchemaUtils(rjsfValidator, schema);
      const data = utils.getDefaultFormState(schema, {});
      expect(() => utils.retrieveSchema(schema, data), f).not.toThrow();
      expect(
        rjsfValidator.validateFormData(data, schema).errors.every((e) => e.name === 'required'),
        f,
      ).toBe(true);
    }
  });

  it('tolerates a byte-order mark and leading white space', () => {
    expect(importFormFile('a.form', '\ufeff \n{"components": []}').format).toBe('camunda-form');
    expect(importFormFile('a.html', '\ufeff\n  <form></form>').format).toBe('camunda-html');
  });

  describe('refuses what is not a form, with a message naming the file', () => {
    it.each([
      [
        'oversize JSON',
        'big.form',
        `{"components": [], "pad": "${'x'.repeat(MAX_FORM_FILE_BYTES)}"}`,
        'TOO_LARGE',
        /Form file "big.form" is \d+ bytes; the limit is 1000000/,
      ],
      [
        'oversize HTML',
        'big.html',
        `<form>${' '.repeat(MAX_FORM_FILE_BYTES)}</form>`,
        'TOO_LARGE',
        /Form file "big.html" is \d+ bytes/,
      ],
      [
        'invalid JSON',
        'broken.form',
        '{\n  "components": [\n    {"type": "textfield",, }\n  ]\n}',
        'INVALID_JSON',
        /Form file "broken.form" is not valid JSON: .+ \(line 3, column \d+\)/,
      ],
      [
        'JSON of another kind',
        'package.json',
        '{"name": "x", "version": "1.0.0"}',
        'NOT_A_FORM',
        /Form file "package.json" is JSON but not a form Trellis knows: it has neither "components" .* nor "fields"/,
      ],
      ['components that are not a list', 'odd.form', '{"components": {"a": 1}}', 'NOT_A_FORM', /neither "components"/],
      ['a JSON list', 'list.form', '[1, 2]', 'NOT_A_FORM', /neither "components"/],
      ['plain text', 'notes.txt', 'hello', 'NOT_A_FORM', /Form file "notes.txt" is neither JSON nor HTML/],
      [
        'too many fields',
        'many.form',
        JSON.stringify({ components: Array.from({ length: 1_001 }, (_, i) => ({ type: 'textfield', key: `f${i}` })) }),
        'TOO_MANY_FIELDS',
        /Form file "many.form" has more than 1000 components/,
      ],
    ])('%s', (_, fileName, text, code, message) => {
      expect(codeOf(() => importFormFile(fileName, text))).toBe(code);
      expect(() => importFormFile(fileName, text)).toThrow(message);
    });
  });

  it('reports unknown component types and goes on', () => {
    const result = importFormFile(
      'x.form',
      JSON.stringify({
        components: [
          { type: 'signature-pad', key: 'sig', label: 'Sign' },
          { type: 'textfield', key: 'name', label: 'Name' },
        ],
      }),
    );
    expect(result.report.unsupported).toEqual([
      { elementId: 'sig', what: 'component type "signature-pad"', hint: expect.stringContaining('form designer') },
    ]);
    expect(Object.keys(result.form.schema.properties as object)).toEqual(['name']);
  });

  it('keeps a label with a <script> as text in every format', () => {
    const label = '<script>alert(document.cookie)</script>Amount';
    const camunda = importFormFile(
      'x.form',
      JSON.stringify({ components: [{ type: 'number', key: 'amount', label }] }),
    );
    const flowable = importFormFile(
      'x.form',
      JSON.stringify({ key: 'x', fields: [{ fieldType: 'FormField', id: 'amount', name: label, type: 'integer' }] }),
    );
    const html = importFormFile(
      'x.html',
      `<label for="a">&lt;script&gt;alert(document.cookie)&lt;/script&gt;Amount</label><input id="a" cam-variable-name="amount" cam-variable-type="Double">`,
    );
    for (const result of [camunda, flowable, html]) {
      expect((result.form.schema.properties as Record<string, { title: string }>).amount!.title).toBe(label);
      expect(formDefinitionSchema.parse(result.form)).toBeTruthy();
    }
  });

  it('survives hostile structure: deep nesting, huge names, prototype keys', () => {
    const deepGroups = JSON.stringify({
      components: [
        JSON.parse(
          `${'{"type":"group","components":['.repeat(200)}{"type":"textfield","key":"deep"}${']}'.repeat(200)}`,
        ),
      ],
    });
    expect(importFormFile('deep.form', deepGroups).report.unsupported).toEqual([
      expect.objectContaining({ what: expect.stringContaining('nested more than 20 levels') }),
    ]);
    // JSON.parse takes 100 000 levels; JSON.stringify would not, so the text is written out.
    const deepRows = `{"key":"x","fields":[{"type":"container","id":"c","fields":${'['.repeat(100_000)}${']'.repeat(100_000)}}]}`;
    expect(importFormFile('rows.form', deepRows).report.unsupported).toEqual([
      expect.objectContaining({ what: expect.stringContaining('nested more than 20 levels') }),
    ]);
    const longKey = 'k'.repeat(100_000);
    const long = importFormFile(
      'long.form',
      JSON.stringify({
        components: [{ type: 'textfield', key: longKey, conditional: { hide: `=${'x'.repeat(100_000)}` } }],
      }),
    );
    expect(long.report.unsupported[0]!.elementId.length).toBeLessThanOrEqual(201);
    expect(long.report.unsupported[0]!.what).toMatch(/longer than 200 characters/);
    const proto = importFormFile(
      'proto.form',
      '{"components":[{"type":"textfield","key":"__proto__.polluted"},{"type":"__proto__","key":"a"},{"type":"toString","key":"b"}]}',
    );
    expect(proto.report.unsupported.map((u) => u.elementId)).toEqual(['__proto__.polluted', 'a', 'b']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
