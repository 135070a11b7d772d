import Ajv2019 from 'ajv/dist/2019';
import { describe, expect, it } from 'vitest';
import { formPatternProblems, isRunnablePattern, re2PatternEngine } from './patterns';

const BACKREFERENCE = String.raw`^(a)\1$`;

describe('form patterns on the linear-time engine', () => {
  it('names every field whose pattern RE2 cannot run', () => {
    const schema = {
      type: 'object',
      properties: {
        taxCode: { type: 'string', pattern: BACKREFERENCE },
        phone: { type: 'string', pattern: '^[0-9 +]{8,15}$' },
        lines: {
          type: 'array',
          items: { type: 'object', properties: { code: { type: 'string', pattern: 'a(?=b)' } } },
        },
        pattern: { type: 'string' },
      },
      patternProperties: { '(?<=x)y': { type: 'string' } },
    };
    expect(formPatternProblems(schema).map(({ path, field }) => ({ path, field }))).toEqual([
      { path: 'properties.taxCode.pattern', field: 'taxCode' },
      { path: 'properties.lines.items.properties.code.pattern', field: 'lines.code' },
      { path: 'patternProperties.(?<=x)y', field: '' },
    ]);
    expect(formPatternProblems(schema)[0]!.message).toMatch(/cannot run in linear time/);
  });

  it('gives ajv a pattern engine that cannot backtrack', () => {
    const ajv = new Ajv2019({ allErrors: true, strict: false, code: { regExp: re2PatternEngine() } });
    const validate = ajv.compile({ type: 'object', properties: { x: { type: 'string', pattern: '^(a|a)*$' } } });
    expect(validate({ x: 'a'.repeat(100_000) + '!' })).toBe(false);
    expect(validate({ x: 'a'.repeat(100_000) })).toBe(true);
    // JavaScript's RegExp would have run the backreference; RE2 refuses to compile it.
    expect(() => ajv.compile({ type: 'string', pattern: BACKREFERENCE })).toThrow(/cannot run in linear time/);
  });

  it('fails values too long to search instead of searching them', () => {
    const ajv = new Ajv2019({ strict: false, code: { regExp: re2PatternEngine({ maxInputLength: 10 }) } });
    const validate = ajv.compile({ type: 'string', pattern: '^a+$' });
    expect([validate('a'.repeat(10)), validate('a'.repeat(11))]).toEqual([true, false]);
  });

  it('accepts as the regex format only what RE2 can run', () => {
    expect([isRunnablePattern('^[0-9]+$'), isRunnablePattern(BACKREFERENCE), isRunnablePattern('(')]).toEqual([
      true,
      false,
      false,
    ]);
  });
});
