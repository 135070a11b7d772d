import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile';
import { start } from '../runtime/step';
import { checkVariables } from '../validate/variables';
import { validateDefinition } from '../validate/validate';
import type { ProcessDefinitionInput } from './definition';
import { dueDateLiteral } from './due-date';

const withDue = (dueDate: string): ProcessDefinitionInput => ({
  formatVersion: 1,
  key: 'due',
  version: 1,
  name: 'Due',
  elements: [
    { id: 'start', type: 'startEvent' },
    { id: 'review', type: 'userTask', formKey: 'f', candidateGroups: ['hr'], dueDate },
    { id: 'end', type: 'endEvent' },
  ],
  flows: [
    { id: 'f1', source: 'start', target: 'review' },
    { id: 'f2', source: 'review', target: 'end' },
  ],
});

const dueOf = (dueDate: string, variables: Record<string, unknown> = {}) => {
  const { effects } = start(compile(withDue(dueDate)), variables, { now: '2026-12-04T02:00:00.000Z' });
  return effects.flatMap((e) => (e.type === 'createTask' ? [e.dueDate] : []))[0];
};

describe('a user task’s due date', () => {
  it('takes a bare duration or date as itself, not as a FEEL name or a subtraction', () => {
    expect(dueDateLiteral('P3D')).toBe('P3D');
    expect(dueDateLiteral(' PT4H ')).toBe('PT4H');
    expect(dueDateLiteral('2026-12-31')).toBe('2026-12-31');
    expect(dueDateLiteral('P')).toBeNull();
    expect(dueDateLiteral('PT')).toBeNull();
    expect(dueDateLiteral('dueDate')).toBeNull();
    expect(dueOf('P3D')).toBe('2026-12-07T02:00:00.000Z');
    expect(dueOf('2026-12-31')).toBe('2026-12-31');
    // FEEL as before: a variable, a text built from one
    expect(dueOf('deadline', { deadline: '2027-01-15' })).toBe('2027-01-15');
    expect(dueOf('"P" + string(days) + "D"', { days: 2 })).toBe('2026-12-06T02:00:00.000Z');
  });

  it('is not reported as a variable nobody wrote, nor checked as FEEL', () => {
    const forms = {
      request: { type: 'object', properties: { reason: { type: 'string' } } },
      f: { type: 'object', properties: {} },
    };
    const checked = (dueDate: string) => {
      const result = validateDefinition({ ...withDue(dueDate), startForm: 'request' });
      if (!result.ok) return result.diagnostics;
      return [...result.diagnostics, ...checkVariables(result.definition, forms)];
    };
    expect(checked('P3D')).toEqual([]);
    expect(checked('2026-12-31')).toEqual([]);
    expect(checked('slaDays')).toEqual([
      expect.objectContaining({ elementId: 'review', message: expect.stringContaining('reads "slaDays"') }),
    ]);
    // a literal that is no date or duration is an error naming it, not a due date silently lost
    expect(checked('2026-02-30')).toEqual([
      expect.objectContaining({
        elementId: 'review',
        severity: 'error',
        message: 'Due date of "review": "2026-02-30" is not a real date: February 2026 has 28 days.',
      }),
    ]);
    expect(checked('P99999Y')).toEqual([
      expect.objectContaining({
        elementId: 'review',
        severity: 'error',
        message: 'Due date of "review": "P99999Y" is longer than 10,000 years.',
      }),
    ]);
  });
});
