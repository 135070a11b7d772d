/**
 * Form `pattern`s on the linear-time engine (expressions/regex.ts), for ajv on the server and RJSF
 * in the browser alike: the regular-expression engine both are given (ajv's `code.regExp`), the
 * `regex` format, and the check that names each field whose pattern cannot run. Pure.
 */
import { compilePattern, DEFAULT_REGEX_LIMITS, type RegexLimits } from '../expressions/regex';

export interface PatternProblem {
  /** Where in the schema: `properties.taxCode.pattern`. */
  path: string;
  /** The form field it constrains, as a dotted data path (`taxCode`, `lines.amount`), or '' for the form. */
  field: string;
  message: string;
}

/** What ajv calls a regular-expression engine: `(pattern, flags) => { test }`, with a name for generated code. */
export interface PatternEngine {
  (pattern: string, flags: string): { test(value: string): boolean };
  code: string;
}

/**
 * A regular-expression engine for ajv: patterns compiled for RE2 (a pattern it cannot run throws,
 * so the schema does not compile), values tested in linear time. A value longer than
 * `maxInputLength`, or one whose search would cost more than `maxWork`, does not match: a form
 * field with a pattern holds a code or a number, not a document.
 */
export function re2PatternEngine(limits: Partial<RegexLimits> = {}): PatternEngine {
  const l = { ...DEFAULT_REGEX_LIMITS, ...limits };
  const engine = (pattern: string) => {
    const compiled = compilePattern(pattern, '', l);
    if ('problem' in compiled) throw new Error(compiled.problem);
    return {
      test: (value: string) =>
        value.length <= l.maxInputLength && (value.length + 1) * compiled.size <= l.maxWork && compiled.re.test(value),
      toString: () => `/${pattern}/u`,
    };
  };
  return Object.assign(engine, { code: 're2PatternEngine' });
}

/** The `regex` format: a value Trellis can run as a pattern. */
export function isRunnablePattern(value: string): boolean {
  return !('problem' in compilePattern(value));
}

/**
 * Every `pattern` and `patternProperties` key in `schema` that the linear-time engine cannot run,
 * with the field it belongs to, so publishing can name it.
 */
export function formPatternProblems(schema: unknown, limits: Partial<RegexLimits> = {}): PatternProblem[] {
  const l = { ...DEFAULT_REGEX_LIMITS, ...limits };
  const problems: PatternProblem[] = [];
  const check = (pattern: string, path: string[], field: string[]) => {
    const compiled = compilePattern(pattern, '', l);
    if ('problem' in compiled)
      problems.push({ path: path.join('.'), field: field.join('.'), message: compiled.problem });
  };
  const walk = (node: unknown, path: string[], field: string[], depth: number) => {
    if (depth > 64 || node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) {
      node.forEach((item, i) => walk(item, [...path, String(i)], field, depth + 1));
      return;
    }
    for (const [key, value] of Object.entries(node)) {
      if (key === 'pattern' && typeof value === 'string') check(value, [...path, key], field);
      else if (key === 'patternProperties' && value !== null && typeof value === 'object') {
        for (const [pattern, sub] of Object.entries(value)) {
          check(pattern, [...path, key, pattern], field);
          walk(sub, [...path, key, pattern], [...field, pattern], depth + 1);
        }
      } else if (key === 'properties' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
        for (const [name, sub] of Object.entries(value)) walk(sub, [...path, key, name], [...field, name], depth + 1);
      } else walk(value, [...path, key], field, depth + 1);
    }
  };
  walk(schema, [], [], 0);
  return problems;
}
