import { describe, expect, it } from 'vitest';
import { translator } from '../../_i18n/messages';
import { assignmentSchema } from './assignment-fields';

const problems = (values: { dueDate: string; priority: string }, locale: 'en' | 'vi' = 'en') => {
  const result = assignmentSchema(translator(locale)).safeParse(values);
  return result.success ? {} : Object.fromEntries(result.error.issues.map((i) => [i.path.join('.'), i.message]));
};

describe('the assignment form’s schema: the engine’s userTaskSchema and FEEL checker on what is typed', () => {
  it.each([
    [{ dueDate: '', priority: '' }, {}],
    [{ dueDate: 'P3D', priority: '50' }, {}],
    [{ dueDate: 'invoiceDue', priority: '=if amount > 100000000 then 90 else 50' }, {}],
    [{ dueDate: '2026-12-31', priority: '0' }, {}],
    [{ dueDate: 'P3D', priority: '101' }, { priority: 'A whole number from 0 to 100, or = before FEEL.' }],
    [{ dueDate: 'P3D', priority: 'cao' }, { priority: 'A whole number from 0 to 100, or = before FEEL.' }],
    [{ dueDate: 'P3D', priority: '=amount >' }, { priority: expect.stringMatching(/^Not valid FEEL|FEEL/) }],
    [{ dueDate: 'date(', priority: '' }, { dueDate: expect.stringMatching(/FEEL/) }],
    [{ dueDate: 'x'.repeat(2_001), priority: '' }, { dueDate: expect.stringContaining('at most 2,000') }],
  ])('%j → %j', (values, expected) => {
    expect(problems(values)).toEqual(expected);
  });

  it('speaks the designer’s language', () => {
    expect(problems({ dueDate: '', priority: '101' }, 'vi')).toEqual({
      priority: 'Một số nguyên từ 0 đến 100, hoặc = trước FEEL.',
    });
  });
});
