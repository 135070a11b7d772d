import { describe, expect, it } from 'vitest';
import type { RJSFSchema } from '@rjsf/utils';
import { formValidator } from './form-validator';

// RJSF's validator as the browser runs it: a hostile pattern must not freeze the page.
describe('the browser form validator', () => {
  const schema: RJSFSchema = { type: 'object', properties: { code: { type: 'string', pattern: '^(a|a)*$' } } };

  it('checks patterns in linear time', () => {
    const hostile = formValidator.validateFormData({ code: 'a'.repeat(100_000) + '!' }, schema);
    expect(hostile.errors.map((e) => e.name)).toEqual(['pattern']);
    expect(formValidator.validateFormData({ code: 'aaaa' }, schema).errors).toEqual([]);
  });

  it('runs patterns on RE2, as the server does', () => {
    // JavaScript's RegExp would accept "aa" for this backreference; RE2 cannot compile it.
    const result = formValidator.validateFormData(
      { code: 'aa' },
      { type: 'object', properties: { code: { type: 'string', pattern: String.raw`^(a)\1$` } } },
    );
    expect(result.errors.map((e) => e.stack).join()).toMatch(/cannot run in linear time/);
  });
});
