'use client';

/**
 * Who a user task goes to, by when, and how urgent: a react-hook-form form whose zod schema is
 * the engine's own for those fields (userTaskSchema's assignee, dueDate and priority) with the
 * engine's FEEL checker for expressions. The assignee is picked from the company's members, or
 * given as FEEL (the FEEL editor, with the variables in scope). Written into the diagram as the
 * `trellis:` attributes when a field loses focus.
 */
import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect, useId, useMemo } from 'react';
import { useForm } from 'react-hook-form';
import { z } from 'zod';
import { checkExpression } from '@/engine/expressions/feel';
import { looksLikeDueDateLiteral } from '@/engine/model/due-date';
import { userTaskSchema } from '@/engine/model/definition';
import { translator, type Locale, type Translate } from '../../_i18n/messages';
import { FeelField, type FeelVariable } from './feel-field';
import type { DiagramElement, ModelerServices } from './modeler';

/** An ISO 8601 duration (P3D, PT4H) or date (2026-12-31, with a time or not): a value, not an expression (the engine's own test). */
const ISO_VALUE = { test: looksLikeDueDateLiteral };

/**
 * A due date is a FEEL expression (trellis:dueDate): a duration or date typed as such is written
 * as a FEEL string ("P3D"), not read as the name of a variable P3D; `=` before an expression is
 * dropped, as in Camunda 8.
 */
export function dueDateWritten(typed: string): string {
  const value = typed.trim();
  if (ISO_VALUE.test(value)) return JSON.stringify(value);
  return value.startsWith('=') ? value.slice(1).trim() : value;
}

/** The due date as the field shows it: a quoted duration or date without its quotes. */
export function dueDateShown(feel: string): string {
  const quoted = /^"([^"\\]*)"$/.exec(feel.trim());
  return quoted && ISO_VALUE.test(quoted[1]!) ? quoted[1]! : feel;
}

export interface Person {
  email: string;
  name: string;
  title: string | null;
}

/** The form's schema: each field as typed (text), checked by the engine's schema for the value it is written as. */
export function assignmentSchema(t: Translate) {
  const feel = (text: string, ctx: z.RefinementCtx) => {
    const problem = checkExpression(text);
    if (problem) ctx.addIssue({ code: 'custom', message: t('propsConditionInvalid', { message: problem.message }) });
  };
  return z.object({
    dueDate: z.string().superRefine((typed, ctx) => {
      if (typed.trim() === '') return;
      const written = dueDateWritten(typed);
      if (!userTaskSchema.shape.dueDate.safeParse(written).success)
        ctx.addIssue({ code: 'custom', message: t('propsDueDateInvalid') });
      else feel(written, ctx);
    }),
    priority: z.string().superRefine((typed, ctx) => {
      const value = typed.trim();
      if (value === '') return;
      if (!userTaskSchema.shape.priority.safeParse(/^\d+$/.test(value) ? Number(value) : value).success)
        ctx.addIssue({ code: 'custom', message: t('propsPriorityInvalid') });
      else if (value.startsWith('=')) feel(value.slice(1), ctx);
    }),
  });
}

const EXPRESSION = '=';

export function AssignmentFields({
  element,
  services,
  locale,
  people,
  variables,
}: {
  element: DiagramElement;
  services: ModelerServices;
  locale: Locale;
  people: Person[];
  variables: FeelVariable[];
}) {
  const t = translator(locale);
  const id = useId();
  const bo = element.businessObject;
  const attr = (name: string) => String(bo.get(`trellis:${name}`) ?? '');
  const set = (name: string, value: string) =>
    services.modeling.updateProperties(element, {
      [`trellis:${name}`]: value.trim() === '' ? undefined : value.trim(),
    });

  const assignee = attr('assignee');
  const byExpression = assignee.startsWith('=');
  const known = people.some((p) => p.email === assignee);
  const stored = { dueDate: dueDateShown(attr('dueDate')), priority: attr('priority') };
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const schema = useMemo(() => assignmentSchema(t), [locale]);
  const { register, formState, getValues, reset, trigger } = useForm<{ dueDate: string; priority: string }>({
    defaultValues: stored,
    mode: 'onChange',
    resolver: zodResolver(schema),
  });
  // An undo or redo changes the task under the form: show what it holds now, and what is wrong with it.
  const storedKey = JSON.stringify(stored);
  useEffect(() => {
    const now = getValues();
    if (now.dueDate !== stored.dueDate || now.priority !== stored.priority) reset(stored);
    void trigger();
    // storedKey stands for stored.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [storedKey]);

  const commitDueDate = () => {
    const typed = getValues('dueDate');
    if (typed !== stored.dueDate) set('dueDate', dueDateWritten(typed));
  };
  const commitPriority = () => {
    const typed = getValues('priority');
    if (typed !== stored.priority) set('priority', typed);
  };
  const note = (field: 'dueDate' | 'priority', hint?: string) => {
    const error = formState.errors[field]?.message;
    if (!error && !hint) return null;
    return (
      <span
        id={`${id}-${field}-note`}
        className={error ? 'field-error' : 'muted small'}
        role={error ? 'alert' : undefined}
      >
        {error ?? hint}
      </span>
    );
  };

  return (
    <>
      <label htmlFor={`${id}-assignee`} className="props-field">
        {t('propsAssignee')}
        <select
          id={`${id}-assignee`}
          value={byExpression ? EXPRESSION : assignee}
          onChange={(e) => set('assignee', e.target.value === EXPRESSION ? '=initiator' : e.target.value)}
          aria-describedby={`${id}-assignee-note`}
          data-testid="prop-assignee"
        >
          <option value="">{t('propsAssigneeNobody')}</option>
          {assignee !== '' && !byExpression && !known && <option value={assignee}>{assignee} ?</option>}
          {people.map((p) => (
            <option key={p.email} value={p.email}>
              {p.name}
              {p.title ? ` · ${p.title}` : ''} ({p.email})
            </option>
          ))}
          <option value={EXPRESSION}>{t('propsAssigneeExpression')}</option>
        </select>
        <span id={`${id}-assignee-note`} className="muted small">
          {t('propsAssigneeHint')}
        </span>
      </label>
      {byExpression && (
        <FeelField
          label={t('propsAssigneeFeel')}
          value={assignee.slice(1)}
          onCommit={(v) => set('assignee', v.trim() ? `=${v.trim()}` : '')}
          variables={
            variables.some((v) => v.name === 'initiator')
              ? variables
              : [{ name: 'initiator', detail: t('propsInitiatorDetail') }, ...variables]
          }
          invalidMessage={(message) => t('propsConditionInvalid', { message })}
          placeholder="initiator.manager"
          testId="prop-assignee-feel"
        />
      )}
      <label htmlFor={`${id}-dueDate`} className="props-field">
        {t('propsDueDate')}
        <input
          id={`${id}-dueDate`}
          {...register('dueDate', { onBlur: commitDueDate })}
          onKeyDown={(e) => e.key === 'Enter' && commitDueDate()}
          placeholder="P3D"
          autoComplete="off"
          aria-invalid={formState.errors.dueDate ? true : undefined}
          aria-describedby={`${id}-dueDate-note`}
          data-testid="prop-due-date"
        />
        {note('dueDate', t('propsDueDateHint'))}
      </label>
      <label htmlFor={`${id}-priority`} className="props-field">
        {t('propsPriority')}
        <input
          id={`${id}-priority`}
          {...register('priority', { onBlur: commitPriority })}
          onKeyDown={(e) => e.key === 'Enter' && commitPriority()}
          placeholder="50"
          autoComplete="off"
          aria-invalid={formState.errors.priority ? true : undefined}
          aria-describedby={formState.errors.priority ? `${id}-priority-note` : undefined}
          data-testid="prop-priority"
        />
        {note('priority')}
      </label>
    </>
  );
}
