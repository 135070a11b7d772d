/**
 * Regular expressions that run in linear time, for FEEL's `matches`, `replace` and `split` and for
 * form `pattern`s: patterns are written as before (JavaScript syntax with the `u` flag, what feelin
 * and ajv used) and run on RE2 (re2js, pure JavaScript, so it runs in the browser too). RE2 looks at
 * each character a bounded number of times: no pattern can make a search backtrack. Patterns RE2
 * cannot run (backreferences, lookaround) are refused, naming the pattern.
 *
 * Owns: the JavaScript → RE2 translation, the compiled-pattern cache, the limits on pattern, text
 * and search work, and the FEEL semantics of the three functions (feelin's: JavaScript's
 * `test`, global `replace` with `$0` for the whole match, and `split`). Never runs a JavaScript
 * RegExp on a pattern it did not write itself.
 */
import { RE2JS } from 're2js';

export interface RegexLimits {
  /** Longest pattern accepted, in characters. */
  maxPatternLength: number;
  /** Longest text searched, in characters (FEEL's text argument, a form field's value). */
  maxInputLength: number;
  /**
   * Search work one expression evaluation (or one form value) may do: characters searched times
   * the pattern's program size. RE2's time is linear in both, but `replace` and `split` search
   * again after each match and may look ahead to the end each time, so they are charged the rest
   * of the text per search.
   */
  maxWork: number;
}

export const DEFAULT_REGEX_LIMITS: Readonly<RegexLimits> = Object.freeze({
  maxPatternLength: 1_000,
  maxInputLength: 100_000,
  maxWork: 10_000_000,
});

/** A pattern compiled for RE2, or why it cannot be. */
export type CompiledPattern = Runnable | { problem: string };
/** A pattern RE2 runs: its program size (the cost of each character searched) and, when it is a plain string, that string. */
export type Runnable = { re: RE2JS; size: number; literal: string | null };

/** Whitespace as JavaScript's `\s` has it (RE2's `\s` is ASCII only). */
const SPACE = '\\t-\\r \\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}\\x{feff}';
/** What JavaScript's `.` matches without the `s` flag: all but its line terminators. */
const NOT_LINE_END = '[^\\n\\r\\x{2028}\\x{2029}]';
const METACHARACTERS = /[\\^$.|?*+()[\]{}]/;

const cache = new Map<string, CompiledPattern>();
const MAX_CACHED = 500;

/**
 * Compiles `pattern` (JavaScript syntax) with FEEL's `flags` (`i`, `m`, `s`) for RE2. Throws for
 * the `x` flag, which FEEL has and Trellis (like feelin) does not implement.
 */
export function compilePattern(
  pattern: string,
  flags = '',
  limits: RegexLimits = DEFAULT_REGEX_LIMITS,
): CompiledPattern {
  if (flags.includes('x'))
    throw new Error('the "x" flag of regular expressions is not implemented; write the pattern without it');
  if (pattern.length > limits.maxPatternLength) {
    return { problem: `the pattern is ${pattern.length} characters long; the limit is ${limits.maxPatternLength}` };
  }
  const key = `${flags}/${pattern}`;
  let compiled = cache.get(key);
  if (!compiled) {
    compiled = compileUncached(pattern, flags);
    if (cache.size >= MAX_CACHED) cache.clear();
    cache.set(key, compiled);
  }
  return compiled;
}

function compileUncached(pattern: string, flags: string): CompiledPattern {
  if (/[^ims]/.test(flags)) return { problem: `"${flags}" are not regular expression flags; use i, m or s` };
  try {
    // Only JavaScript's syntax check (never run): a pattern feelin or ajv refused stays refused.
    new RegExp(pattern, `u${flags}`);
  } catch (error) {
    return { problem: `${quote(pattern)} is not a valid regular expression: ${(error as Error).message}` };
  }
  let re: RE2JS;
  try {
    const bits =
      (flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0) |
      (flags.includes('m') ? RE2JS.MULTILINE : 0) |
      (flags.includes('s') ? RE2JS.DOTALL : 0);
    re = RE2JS.compile(toRe2Syntax(pattern, flags.includes('s')), bits);
  } catch (error) {
    const why = (error as { getDescription?: () => string }).getDescription?.() ?? (error as Error).message;
    const without = 'Trellis runs regular expressions without backreferences, lookahead or lookbehind';
    return { problem: `the pattern ${quote(pattern)} cannot run in linear time (${why}); ${without}` };
  }
  const literal = pattern !== '' && flags === '' && !METACHARACTERS.test(pattern) ? pattern : null;
  return { re, size: Math.max(1, re.programSize()), literal };
}

/**
 * Rewrites a valid JavaScript (`u` flag) pattern in RE2 syntax with JavaScript's meaning: `\s` and
 * `.` as JavaScript has them, `\uXXXX` and `\u{…}` as `\x{…}`, `(?<name>` as `(?P<name>`, `[^]` and
 * `[]`, a `[` inside a class as a literal. What RE2 does not have (`\1`, `\k<name>`, `(?=`, `(?<=`)
 * is copied, so RE2 refuses it. Known differences: `^` and `$` with the `m` flag see only `\n` as a
 * line end (JavaScript also `\r`, U+2028, U+2029); `\S` inside a class is ASCII.
 */
export function toRe2Syntax(pattern: string, dotAll: boolean): string {
  let out = '';
  let inClass = false;
  let i = 0;
  while (i < pattern.length) {
    const c = pattern[i]!;
    if (c === '\\') {
      const [text, width] = escape(pattern, i, inClass);
      out += text;
      i += width;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      out += c === '[' ? '\\[' : c;
      i++;
      continue;
    }
    if (pattern.startsWith('[^]', i)) {
      out += '[\\x{0}-\\x{10ffff}]';
      i += 3;
    } else if (pattern.startsWith('[]', i)) {
      out += '[^\\x{0}-\\x{10ffff}]';
      i += 2;
    } else if (c === '[') {
      inClass = true;
      out += '[';
      i++;
      if (pattern[i] === '^') {
        out += '^';
        i++;
      }
    } else if (c === '.' && !dotAll) {
      out += NOT_LINE_END;
      i++;
    } else if (pattern.startsWith('(?<', i) && pattern[i + 3] !== '=' && pattern[i + 3] !== '!') {
      out += '(?P<';
      i += 3;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const HEX = /^[0-9a-fA-F]+$/;

/** One escape at `pattern[i] === '\\'`: its RE2 text and how many characters it took. */
function escape(pattern: string, i: number, inClass: boolean): [string, number] {
  const d = pattern[i + 1] ?? '';
  switch (d) {
    case 's':
      return [inClass ? SPACE : `[${SPACE}]`, 2];
    case 'S':
      return [inClass ? '\\S' : `[^${SPACE}]`, 2];
    case 'b':
      // Inside a class JavaScript's \b is a backspace.
      return [inClass ? '\\x{8}' : '\\b', 2];
    case '0':
      return ['\\x{0}', 2];
    case 'c':
      return [`\\x{${((pattern.charCodeAt(i + 2) || 0) % 32).toString(16)}}`, 3];
    case 'x':
      return [`\\x{${pattern.slice(i + 2, i + 4)}}`, 4];
    case 'u': {
      if (pattern[i + 2] === '{') {
        const end = pattern.indexOf('}', i + 3);
        return [`\\x{${pattern.slice(i + 3, end)}}`, end - i + 1];
      }
      const unit = pattern.slice(i + 2, i + 6);
      const high = parseInt(unit, 16);
      const next = pattern.slice(i + 6, i + 8) === '\\u' ? pattern.slice(i + 8, i + 12) : '';
      // With the u flag a surrogate pair written as two escapes is one character.
      if (high >= 0xd800 && high <= 0xdbff && HEX.test(next) && next.length === 4) {
        const low = parseInt(next, 16);
        const code = (high - 0xd800) * 0x400 + (low - 0xdc00) + 0x10000;
        if (low >= 0xdc00 && low <= 0xdfff) return [`\\x{${code.toString(16)}}`, 12];
      }
      return [`\\x{${unit}}`, 6];
    }
    case 'p':
    case 'P': {
      const end = pattern.indexOf('}', i + 3);
      const name = pattern.slice(i + 3, end).replace(/^(?:General_Category|gc|Script|sc)=/, '');
      return [`\\${d}{${name}}`, end - i + 1];
    }
    default: {
      const width = d.length === 0 ? 1 : String.fromCodePoint(d.codePointAt(0)!).length;
      return [`\\${pattern.slice(i + 1, i + 1 + width)}`, 1 + width];
    }
  }
}

function quote(pattern: string): string {
  return JSON.stringify(pattern.length > 100 ? `${pattern.slice(0, 100)}…` : pattern);
}

/** Search work done so far, shared by the regular-expression calls of one evaluation. */
export interface RegexMeter {
  limits: RegexLimits;
  work: number;
  warnings: string[];
}

export function regexMeter(limits: Partial<RegexLimits> = {}, warnings: string[] = []): RegexMeter {
  return { limits: { ...DEFAULT_REGEX_LIMITS, ...limits }, work: 0, warnings };
}

/** Charges `work`; false (with a warning) when the evaluation's budget does not cover it. */
function charge(meter: RegexMeter, fn: string, pattern: string, text: string, work: number): boolean {
  if (meter.work + work <= meter.limits.maxWork) {
    meter.work += work;
    return true;
  }
  meter.warnings.push(
    `${fn}(): searching ${quote(pattern)} in ${text.length} characters needs more work than one evaluation may do ` +
      `(${meter.limits.maxWork} character steps); shorten the text or simplify the pattern`,
  );
  return false;
}

/** The compiled pattern, or null with a warning naming the function and the pattern. */
function prepare(meter: RegexMeter, fn: string, text: string, pattern: string, flags: string): Runnable | null {
  if (text.length > meter.limits.maxInputLength) {
    meter.warnings.push(
      `${fn}(): the text is ${text.length} characters long; the limit is ${meter.limits.maxInputLength}`,
    );
    return null;
  }
  const compiled = compilePattern(pattern, flags, meter.limits);
  if ('problem' in compiled) {
    meter.warnings.push(`${fn}(): ${compiled.problem}`);
    return null;
  }
  return compiled;
}

/** FEEL `matches(input, pattern, flags?)`: whether `pattern` matches anywhere in `input`. */
export function regexMatches(meter: RegexMeter, input: string, pattern: string, flags = ''): boolean | null {
  const compiled = prepare(meter, 'matches', input, pattern, flags);
  if (!compiled) return null;
  if (!charge(meter, 'matches', pattern, input, (input.length + 1) * compiled.size)) return null;
  return compiled.re.test(input);
}

/**
 * FEEL `replace(input, pattern, replacement, flags?)`: every match replaced, the replacement
 * expanded as JavaScript's `String.prototype.replace` does (`$1`, `$<name>`, `$&`, `$$`), with
 * `$0` for the whole match.
 */
export function regexReplace(
  meter: RegexMeter,
  input: string,
  pattern: string,
  replacement: string,
  flags = '',
): string | null {
  const compiled = prepare(meter, 'replace', input, pattern, flags);
  if (!compiled) return null;
  const template = replacement.replace(/\$0/g, '$$&');
  if (compiled.literal !== null) {
    // A literal pattern: the text's own linear search, with the same expansion.
    if (!charge(meter, 'replace', pattern, input, input.length + 1)) return null;
    return input.replaceAll(compiled.literal, template);
  }
  const m = compiled.re.matcher(input);
  const names = Object.entries(compiled.re.namedGroups());
  let out = '';
  let last = 0;
  let at = 0;
  while (at <= input.length) {
    if (!charge(meter, 'replace', pattern, input, (input.length - at + 1) * compiled.size)) return null;
    if (!m.find(at)) break;
    const start = m.start();
    const end = m.end();
    out += input.slice(last, start) + expand(template, m, names, input, start, end);
    last = end;
    at = end > start ? end : advance(input, end);
  }
  return out + input.slice(last);
}

/**
 * FEEL `split(string, delimiter)`: the parts between the delimiter's matches, with its capture
 * groups spliced in, as JavaScript's `String.prototype.split` with a RegExp.
 */
export function regexSplit(meter: RegexMeter, input: string, pattern: string): (string | null)[] | null {
  const compiled = prepare(meter, 'split', input, pattern, '');
  if (!compiled) return null;
  if (compiled.literal !== null) {
    if (!charge(meter, 'split', pattern, input, input.length + 1)) return null;
    return input.split(compiled.literal);
  }
  const m = compiled.re.matcher(input);
  const size = input.length;
  if (size === 0) {
    if (!charge(meter, 'split', pattern, input, compiled.size)) return null;
    return m.find(0) ? [] : [input];
  }
  const parts: (string | null)[] = [];
  let p = 0;
  let q = 0;
  while (q < size) {
    if (!charge(meter, 'split', pattern, input, (size - q + 1) * compiled.size)) return null;
    if (!m.find(q) || m.start() >= size) break;
    const start = m.start();
    const end = Math.min(m.end(), size);
    if (end === p) {
      q = advance(input, start);
      continue;
    }
    parts.push(input.slice(p, start));
    for (let g = 1; g <= m.groupCount(); g++) parts.push(m.group(g));
    p = end;
    q = p;
  }
  parts.push(input.slice(p));
  return parts;
}

/** The next position after `at`, stepping over a whole surrogate pair (the `u` flag's way). */
function advance(text: string, at: number): number {
  const code = text.charCodeAt(at);
  return code >= 0xd800 && code <= 0xdbff && at + 1 < text.length ? at + 2 : at + 1;
}

type Match = { group(g: number): string | null; groupCount(): number };

/** ECMAScript's GetSubstitution: a replacement template expanded for one match. */
function expand(
  template: string,
  m: Match,
  names: [string, number][],
  input: string,
  start: number,
  end: number,
): string {
  if (!template.includes('$')) return template;
  const groups = m.groupCount();
  let out = '';
  let i = 0;
  while (i < template.length) {
    const c = template[i]!;
    const d = template[i + 1];
    if (c !== '$' || d === undefined) {
      out += c;
      i++;
    } else if (d === '$') {
      out += '$';
      i += 2;
    } else if (d === '&') {
      out += input.slice(start, end);
      i += 2;
    } else if (d === '`') {
      out += input.slice(0, start);
      i += 2;
    } else if (d === "'") {
      out += input.slice(end);
      i += 2;
    } else if (d >= '0' && d <= '9') {
      const two = Number(template.slice(i + 1, i + 3));
      const one = Number(d);
      if (/^[0-9]{2}$/.test(template.slice(i + 1, i + 3)) && two >= 1 && two <= groups) {
        out += m.group(two) ?? '';
        i += 3;
      } else if (one >= 1 && one <= groups) {
        out += m.group(one) ?? '';
        i += 2;
      } else {
        out += '$';
        i++;
      }
    } else if (d === '<' && names.length > 0 && template.indexOf('>', i + 2) !== -1) {
      const close = template.indexOf('>', i + 2);
      const index = names.find(([name]) => name === template.slice(i + 2, close))?.[1];
      out += index === undefined ? '' : (m.group(index) ?? '');
      i = close + 1;
    } else {
      out += '$';
      i++;
    }
  }
  return out;
}
