import { describe, expect, it } from 'vitest';
import { checkExpression, evaluateExpression, evaluateUnaryTest } from './feel';

describe('the FEEL profile', () => {
  it('accepts what back-office conditions look like', () => {
    for (const ok of ['amount > 50000000', 'decision = "reject"', 'count(approvals[item = "approve"]) >= 2', 'for x in 1..12 return x * 2', 'some a in approvals satisfies a = "reject"', 'string length(vendor) > 2', 'date(dueDate) > date("2026-01-01")']) {
      expect(checkExpression(ok), ok).toBeNull();
    }
  });

  it.each([
    ['amount >', /syntax error/],
    ['function(a) a + 1', /defining functions/],
    ['{ f: function(x) x }.f(1)', /defining functions/],
    ['now() > deadline', /no clock/],
    ['today()', /no clock/],
    ['matches(vendor, "(a+)+$")', /regular expression/],
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
    expect(evaluateExpression('vendor = "Công ty TNHH Hòa Bình"', { vendor: 'Công ty TNHH Hòa Bình' }).value).toBe(true);
    expect(evaluateExpression('constructor', {}).value).toBeNull();
    expect(evaluateExpression('x.__proto__', { x: {} }).value).toBeNull();
    expect(evaluateExpression('now()', {}).warnings[0]).toMatch(/no clock/);
  });

  it('lets feelin read variable names the fast path would misread', () => {
    expect(evaluateExpression('a-b > 6', { 'a-b': 5, a: 10, b: 3 }).value).toBe(false);
    expect(evaluateExpression('a-b > 6', { a: 10, b: 3 }).value).toBe(true);
  });

  it('holds decision table entries to the same profile', () => {
    expect(evaluateUnaryTest('matches(?, "^(a+)+$")', 'aaaa', {}).problem).toMatch(/regular expression/);
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
