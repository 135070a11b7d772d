import { describe, expect, it } from 'vitest';
import { checkExpression, evaluateExpression, evaluateUnaryTest } from './feel';

describe('the FEEL profile', () => {
  it('accepts what back-office conditions look like', () => {
    for (const ok of [
      'amount > 50000000',
      'decision = "reject"',
      'count(approvals[item = "approve"]) >= 2',
      'for x in 1..12 return x * 2',
      'some a in approvals satisfies a = "reject"',
      'string length(vendor) > 2',
      'date(dueDate) > date("2026-01-01")',
    ]) {
      expect(checkExpression(ok), ok).toBeNull();
    }
  });

  it.each([
    ['amount >', /syntax error/],
    ['function(a) a + 1', /defining functions/],
    ['{ f: function(x) x }.f(1)', /defining functions/],
    ['now() > deadline', /no clock/],
    ['today()', /no clock/],
    ['for x in 1..100000000 return x', /range/],
    ['every x in 1..n satisfies x > 0', /range/],
    ['x'.repeat(2001), /2001 characters/],
    [`${'('.repeat(40)}a${')'.repeat(40)}`, /nested more than 32/],
    ['for i in 1..3000, j in 1..3000 return 0', /one list or range only/],
    ['for x in xs return for y in xs return x', /one list or range only/],
  ])('refuses %s', (expression, why) => {
    expect(checkExpression(expression)?.message).toMatch(why);
  });

  it('evaluates with Vietnamese text and refuses to reach prototypes', () => {
    expect(evaluateExpression('vendor = "Công ty TNHH Hòa Bình"', { vendor: 'Công ty TNHH Hòa Bình' }).value).toBe(
      true,
    );
    expect(evaluateExpression('constructor', {}).value).toBeNull();
    expect(evaluateExpression('x.__proto__', { x: {} }).value).toBeNull();
    expect(evaluateExpression('now()', {}).warnings[0]).toMatch(/no clock/);
  });

  it('lets feelin read variable names the fast path would misread', () => {
    expect(evaluateExpression('a-b > 6', { 'a-b': 5, a: 10, b: 3 }).value).toBe(false);
    expect(evaluateExpression('a-b > 6', { a: 10, b: 3 }).value).toBe(true);
  });

  it('holds decision table entries to the same profile', () => {
    expect(evaluateUnaryTest('matches(?, "^(a+)+$")', 'aaaa', {})).toEqual({ matches: true });
    expect(evaluateUnaryTest('(function(x) x)(?) = 1', 1, {}).problem).toMatch(/defining functions/);
  });

  it('tests decision table entries against a value', () => {
    expect(evaluateUnaryTest('[250..1000]', 500, {})).toEqual({ matches: true });
    expect(evaluateUnaryTest('"Misc", "Travel Expenses"', 'Travel Expenses', {})).toEqual({ matches: true });
    expect(evaluateUnaryTest('-', 'anything', {})).toEqual({ matches: true });
    expect(evaluateUnaryTest('< limit', 5, { limit: 3 })).toEqual({ matches: false });
    expect(evaluateUnaryTest('<', 5, {}).problem).toMatch(/FEEL syntax error/);
  });
});

describe('regular expressions and the clock, however they are reached', () => {
  const as = (n: number, tail: string) => 'a'.repeat(n) + tail;
  // RE2 cannot run a backreference: a null for it proves which engine ran.
  const BACKREFERENCE_TEXT = String.raw`(a)\1`;
  const BACKREFERENCE = JSON.stringify(BACKREFERENCE_TEXT);

  // Each row: an expression that escaped the publish check or backtracked, what it must give now.
  it.each([
    ['split(s, "^(a+)+$")', { s: as(10_000, 'b') }, [as(10_000, 'b')]],
    ['matches(s, "^(a|a)*$")', { s: as(10_000, '!') }, false],
    ['(matches)(s, "^(a|a)*$")', { s: as(10_000, '!') }, false],
    ['{ f: matches }.f(s, "^(a|a)*$")', { s: as(10_000, '!') }, false],
    ['replace(s, "(a|aa)+$", "x")', { s: as(10_000, '!') }, as(10_000, '!')],
    // The pattern comes from data, so only the evaluator can tell: RE2 refuses it, JavaScript ran it.
    ['(matches)("aa", p)', { p: BACKREFERENCE_TEXT }, null],
    ['{ f: matches }.f("aa", p)', { p: BACKREFERENCE_TEXT }, null],
    ['{ f: replace }.f("aa", p, "")', { p: BACKREFERENCE_TEXT }, null],
    ['for x in ["aa"] return matches(x, p)', { p: BACKREFERENCE_TEXT }, [null]],
    ['some x in ["aa"] satisfies (split)(x, p) = null', { p: BACKREFERENCE_TEXT }, true],
    ['{ g: { f: split } }.g.f("aa", p)', { p: BACKREFERENCE_TEXT }, null],
  ])('%s', (expression, variables, expected) => {
    expect(evaluateExpression(expression, variables).value).toEqual(expected);
  });

  it('names the pattern RE2 cannot run', () => {
    const { value, warnings } = evaluateExpression(`{ f: matches }.f("aa", ${BACKREFERENCE})`, {});
    expect(value).toBeNull();
    expect(warnings.join('\n')).toMatch(/matches\(\): the pattern "\(a\)\\\\1" cannot run in linear time/);
  });

  it.each(['(now)()', '{ f: now }.f()', '{ f: today }.f()', '(today)()', 'for x in [1] return now()'])(
    'refuses %s',
    (expression) => {
      const { value, warnings } = evaluateExpression(expression, {});
      expect(value).toBeNull();
      expect(warnings.join('\n')).toMatch(/(now|today)\(\) is not available: the engine has no clock/);
    },
  );

  it('lets a process variable named like a clock function be read', () => {
    expect(evaluateExpression('today > "2026-01-01"', { today: '2026-05-01' }).value).toBe(true);
  });

  it.each([
    'matches.constructor',
    'matches.constructor("return process")',
    '(string length).constructor("return process")()',
    '(string length).fn.constructor("return process")()',
    'now.caller',
    '{}.constructor',
    'x.constructor.constructor("return process")()',
    'date("2026-01-01").value.constructor',
  ])('reaches no constructor or prototype through %s', (expression) => {
    expect(evaluateExpression(expression, { x: { a: 1 } }).value).toBeNull();
  });

  it('bounds the text a regular expression searches and the work it may do', () => {
    expect(evaluateExpression('matches(s, "a")', { s: 'a'.repeat(100_001) }).warnings.join()).toMatch(
      /100001 characters long; the limit is 100000/,
    );
    // Each search after a match may look ahead to the end: quadratic, so it is charged as such.
    const greedy = evaluateExpression('replace(s, "a(.*b)?", "")', { s: 'a'.repeat(100_000) });
    expect(greedy.value).toBeNull();
    expect(greedy.warnings.join()).toMatch(/needs more work than one evaluation may do/);
    expect(evaluateExpression('replace(s, "a(.*b)?", "")', { s: 'a'.repeat(1_000) })).toEqual({
      value: '',
      warnings: [],
    });
    expect(
      evaluateExpression('replace(s, "a(.*b)?", "")', { s: 'a'.repeat(1_000) }, { regex: { maxWork: 1_000 } }).value,
    ).toBeNull();
    // A plain-string pattern is searched by the text's own linear search.
    expect(evaluateExpression('string length(replace(s, ",", ";"))', { s: ','.repeat(100_000) }).value).toBe(100_000);
  });

  it('refuses at publish a literal pattern RE2 cannot run, naming it, and accepts the rest', () => {
    expect(checkExpression(`matches(vendor, ${BACKREFERENCE})`)?.message).toMatch(
      /"\(a\)\\\\1" cannot run in linear time/,
    );
    expect(checkExpression('replace(vendor, "a(?=b)", "")')?.message).toMatch(
      /replace\(\): the pattern "a\(\?=b\)" cannot run/,
    );
    expect(checkExpression('split(vendor, "(?<=,)")')?.message).toMatch(/split\(\)/);
    expect(checkExpression('matches(input: vendor, pattern: "(", flags: "i")')?.message).toMatch(
      /not a valid regular expression/,
    );
    expect(checkExpression('matches(vendor, "a", "x")')?.message).toMatch(/"x" flag/);
    expect(checkExpression('(now)() > deadline')?.message).toMatch(/no clock/);
    for (const ok of [
      'matches(vendor, "^[A-Z][a-z]+$", "i")',
      'replace(vendor, "\\s+", " ")',
      'split(list, ",\\s*")',
      'matches(vendor, pattern)',
    ]) {
      expect(checkExpression(ok), ok).toBeNull();
    }
  });

  it('holds decision table entries to the same engine', () => {
    expect(evaluateUnaryTest('matches(?, "^(a|a)*$")', as(10_000, '!'), {})).toEqual({ matches: false });
    expect(evaluateUnaryTest(`(matches)(?, ${BACKREFERENCE})`, 'aa', {}).problem).toMatch(/cannot run in linear time/);
    expect(evaluateUnaryTest('{ f: now }.f() > ?', '2026-01-01', {}).problem).toMatch(/no clock/);
  });
});
