import { describe, expect, it } from 'vitest';
import { compileFormSchema, validateSubmission } from './forms';

describe('form patterns on the server', () => {
  const form = (pattern: string) => ({ id: `form-${pattern}`, key: 'vendor', i18n: {}, schema: { type: 'object', properties: { taxCode: { type: 'string', pattern } } } });

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
