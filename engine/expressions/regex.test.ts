import { evaluate } from 'feelin';
import { describe, expect, it } from 'vitest';
import { evaluateExpression } from './feel';
import { compilePattern, toRe2Syntax } from './regex';

// feelin ran these on JavaScript's RegExp: on ordinary patterns RE2 must give what it gave.
const SAME_AS_FEELIN = [
  'matches("Công ty TNHH Hòa Bình", "^công ty", "i")',
  'matches("abc\\ndef", "^def$", "m")',
  'matches("abc\\ndef", "^def$")',
  'matches("a\\nb", "a.b", "s")',
  'matches("a\\nb", "a.b")',
  'matches("a\\rb", "a.b")',
  'matches("hóa đơn 123/2024", "\\d+/\\d{4}")',
  'matches("ĐÔNG", "đông", "i")',
  'matches("😀", "^.$")',
  'matches("x", "[^]")',
  'matches("x", "[]")',
  'matches("a[b", "[[]")',
  'matches("é", "\\u00e9")',
  'matches("😀", "\\u{1F600}")',
  'matches("😀", "^\\uD83D\\uDE00$")',
  'matches("Hòa", "^\\p{L}+$")',
  'matches("Hòa", "^\\p{Script=Latin}+$")',
  'matches("a b", "a\\sb")',
  'matches("a\u00a0b", "a\\sb")',
  'matches("a\u00a0b", "a\\Sb")',
  'matches("word", "\\bword\\b")',
  'matches("a/b", "a\\/b")',
  'matches("a", "(")',
  'matches("a", "a", "q")',
  'matches(input: "abc", pattern: "B", flags: "i")',
  'matches(1, "a")',
  'matches("a", null)',
  'matches(["abc"], "b")',
  'replace("abcd", "(ab)|(a)", "[$1|$2]")',
  'replace("John Doe", "(\\w+)\\s(\\w+)", "$2, $1")',
  'replace("abc", "b", "$0$0")',
  'replace("abc", "b", "$$")',
  'replace("abc", "b", "$`$\'")',
  'replace("abc", "(b)", "$10")',
  'replace("abc", "(b)", "$01$00$9")',
  'replace("abc", "b", "$1")',
  'replace("a.b.c", "\\.", "-")',
  'replace("a.b.c", ".", "-")',
  'replace("aaa", "a*", "X")',
  'replace("baaac", "a*", "X")',
  'replace("x", "", "-")',
  'replace("😀😀", "", "-")',
  'replace("2024-05", "(?<y>\\d+)-(?<m>\\d+)", "$<m>/$<y>/$<z>")',
  'replace("2024-05", "(\\d+)-(\\d+)", "$<m>")',
  'replace("Hòa   Bình", "\\s+", " ")',
  'replace("ABC", "b", "x", "i")',
  'replace("a1b2", "\\d", "#")',
  'replace("abc", "x", "y")',
  'split("John Doe", "\\s")',
  'split("a;b;c;;", ";")',
  'split("a1b22c", "\\d+")',
  'split("a1b", "(\\d)")',
  'split("a1b", "(\\d)|(x)")',
  'split("abc", "")',
  'split("", ",")',
  'split("", "")',
  'split("", "x*")',
  'split(",a,", ",")',
  'split("a, b,c", ",\\s*")',
  'split("😀x😀", "")',
  'split("aXbxc", "x")',
  'split("abc", "x*")',
  'split("abc", "b*")',
  'split("ab", "^")',
  'split("a\\nb", "$")',
];

describe('FEEL regular expressions on RE2', () => {
  it.each(SAME_AS_FEELIN)('%s gives what feelin gave', (expression) => {
    // As JSON: the engine hands out JSON data (an unmatched group in a split is null, not undefined).
    const expected = JSON.parse(JSON.stringify(evaluate(expression, {}).value ?? null));
    expect(evaluateExpression(expression, {}).value).toEqual(expected);
  });

  it('refuses the x flag as feelin does, naming it', () => {
    expect(evaluateExpression('matches("a", "a", "x")', {}).warnings.join()).toMatch(/"x" flag/);
  });

  it("keeps JavaScript's meaning of \\s, ., \\u and named groups in RE2 syntax", () => {
    expect(toRe2Syntax(String.raw`(?<year>\d+)\s.[\s\b]\u00e9`, false)).toBe(
      String.raw`(?P<year>\d+)[\t-\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}]` +
        String.raw`[^\n\r\x{2028}\x{2029}][\t-\r \x{a0}\x{1680}\x{2000}-\x{200a}\x{2028}\x{2029}\x{202f}\x{205f}\x{3000}\x{feff}\x{8}]\x{00e9}`,
    );
    expect(toRe2Syntax('a.b', true)).toBe('a.b');
  });

  it('refuses what cannot run in linear time and over-long patterns, saying why', () => {
    for (const pattern of [
      String.raw`(a)\1`,
      String.raw`(?<x>a)\k<x>`,
      'a(?=b)',
      'a(?!b)',
      '(?<=a)b',
      '(?<!a)b',
      'a{1001}',
    ]) {
      const compiled = compilePattern(pattern);
      expect('problem' in compiled && compiled.problem, pattern).toMatch(/cannot run in linear time/);
    }
    expect(compilePattern('a'.repeat(1_001))).toEqual({
      problem: 'the pattern is 1001 characters long; the limit is 1000',
    });
    expect(
      compilePattern('a'.repeat(1_001), '', { maxPatternLength: 2_000, maxInputLength: 1, maxWork: 1 }),
    ).toHaveProperty('re');
  });
});
