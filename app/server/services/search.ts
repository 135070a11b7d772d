/**
 * What search finds tasks and instances by (engine/model/search.ts folds the text: no accents, so
 * "hoa don" finds "Hóa đơn"), as the SQL the writers store: a `simple` full-text document.
 */
import { sql, type SQL } from 'drizzle-orm';
import { caseSummary, searchDocument, type Effect, type ProcessDefinition } from '@/engine';

type CreateTask = Extract<Effect, { type: 'createTask' }>;

/** A task's document: its name in every language and its summary values. */
export function taskSearchText(e: CreateTask): string {
  return searchDocument([e.name, ...Object.values(e.summary ?? {})]);
}

/** An instance's document: its business key and the process's summary values at the start. */
export function instanceSearchText(
  definition: Pick<ProcessDefinition, 'summary'>,
  businessKey: string | null,
  variables: Record<string, unknown>,
): string {
  return searchDocument([businessKey, ...Object.values(caseSummary(definition.summary, variables) ?? {})]);
}

/** The document of a folded text, for drizzle's insert and update. */
export function searchVector(text: string): SQL {
  return sql`to_tsvector('simple', ${text})`;
}
