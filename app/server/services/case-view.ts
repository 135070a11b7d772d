/**
 * What a reader is shown of a case beyond its own task: the summary fields that sum it up, the
 * departments its version names (for "what happens next"), and — for a reader who may not see its
 * data (instances.ts mayReadInstance: a delegate) — its history without the data. Pure: the
 * instance service reads the rows and decides who sees what; this module only shapes them.
 */
import { caseSummary, fieldTitles } from '@/engine';
import { flatten } from '@/engine/model/scopes';
import type { ProcessDefinition } from '@/engine/model/definition';

type TitledForm = Parameters<typeof fieldTitles>[0];

/** The summary variables with their values now and the label the forms give them (the variable's name when none does). */
export function caseSummaryFields(
  names: string[] | undefined,
  variables: Record<string, unknown>,
  forms: TitledForm[],
  locale: string,
) {
  const values = caseSummary(names, variables) ?? {};
  // The earliest form that names a field names it (the start form before the tasks' forms).
  const titles = Object.assign({}, ...forms.map((f) => fieldTitles(f, locale)).reverse()) as Record<string, string>;
  return Object.entries(values).map(([name, value]) => ({ name, label: titles[name] ?? name, value }));
}

/** The departments (group keys) the version's user tasks are offered to by name, in every scope; `=FEEL` lists are known only at run time. */
export function declaredDepartments(definition: Pick<ProcessDefinition, 'elements' | 'flows'>): string[] {
  const keys = new Set<string>();
  for (const e of flatten(definition).elements)
    if (e.type === 'userTask' && Array.isArray(e.candidateGroups)) for (const k of e.candidateGroups) keys.add(k);
  return [...keys];
}

/**
 * The fields of an audit event's data that the history (app/_components/history-text.ts) shows
 * and that are not the case's data: who a task was for, who acted on whose behalf, the flow a
 * gateway took, an outcome, an incident's or a cancellation's words, an e-mail's subject.
 */
const SHOWN_WITHOUT_DATA = [
  'candidateGroups',
  'candidateRole',
  'assignee',
  'candidateUsers',
  'onBehalfOfName',
  'fromName',
  'toName',
  'memberRemoved',
  'flowId',
  'elementType',
  'outcome',
  'message',
  'reason',
  'by',
  'subject',
  'status',
  'error',
] as const;

/**
 * An audit event as a reader who may not see the case's data gets it: the sentence the history
 * makes of it stays the same, but the start's variables and a task's submission are left out — all
 * but the decision a submission took, which the history names ("— Approve") as the step's outcome.
 */
export function historyWithoutData<E extends { data: Record<string, unknown> }>(event: E): E {
  const data: Record<string, unknown> = {};
  for (const key of SHOWN_WITHOUT_DATA) if (Object.hasOwn(event.data, key)) data[key] = event.data[key];
  const submission = event.data.submission;
  if (
    submission !== null &&
    typeof submission === 'object' &&
    typeof (submission as Record<string, unknown>).decision === 'string'
  ) {
    data.submission = { decision: (submission as Record<string, unknown>).decision };
  }
  return { ...event, data };
}
