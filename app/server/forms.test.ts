import { describe, expect, it } from 'vitest';
import { compileFormSchema, validateSubmission } from './forms';

describe('form patterns on the server', () => {
  const form = (pattern: string) => ({
    id: `form-${pattern}`,
    key: 'vendor',
    i18n: {},
    schema: { type: 'object', properties: { taxCode: { type: 'string', pattern } } },
  });

  it('checks a hostile pattern against a long value in linear time', () => {
    expect(() => validateSubmission(form('^(a|a)*$'), { taxCode: 'a'.repeat(100_000) + '!' }, 'en')).toThrow(/taxCode/);
    expect(validateSubmission(form('^(a|a)*$'), { taxCode: 'aaa' }, 'en')).toEqual({ taxCode: 'aaa' });
  });

  it('refuses a form whose pattern cannot run in linear time, naming the field', () => {
    let error: unknown;
    try {
      compileFormSchema(form(String.raw`^(\d)\1$`).schema, 'vendor');
    } catch (e) {
      error = e;
    }
    expect(error).toMatchObject({ code: 'BAD_REQUEST', fields: [{ field: 'taxCode' }] });
    expect((error as Error).message).toMatch(/Form "vendor" has patterns that cannot run in linear time: taxCode/);
  });
});

describe('submissions the server must not trip over', () => {
  const vendor = {
    id: 'form-constructor',
    key: 'vendor',
    i18n: {},
    schema: {
      type: 'object',
      properties: { constructor: { type: 'string', title: 'Builder' }, name: { type: 'string' } },
      required: ['name'],
    },
  };

  it('takes a field named "constructor" as the form\'s own, never as an inherited function', () => {
    // without ownProperties, ajv read Object.prototype.constructor and refused every submission lacking the field
    expect(validateSubmission(vendor, { name: 'Minh Phát' }, 'en')).toEqual({ name: 'Minh Phát' });
    expect(validateSubmission(vendor, { name: 'Minh Phát', constructor: 'Lan' }, 'en')).toEqual({
      name: 'Minh Phát',
      constructor: 'Lan',
    });
    expect(() => validateSubmission(vendor, { name: 'x', constructor: 5 }, 'en')).toThrow('Builder must be text');
  });

  it('refuses data nested past the limit, naming where, before anything recursive reads it', () => {
    const open = { id: 'form-open', key: 'notes', i18n: {}, schema: { type: 'object', additionalProperties: true } };
    const deep = JSON.parse(`${'['.repeat(5_000)}1${']'.repeat(5_000)}`) as unknown;
    expect(() => validateSubmission(open, { x: deep }, 'en')).toThrow(/nested deeper than 64 levels \(at "x\.0\.0/);
  });
});
