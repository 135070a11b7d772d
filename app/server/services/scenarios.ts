/**
 * The designer's test runs kept with a process: scenarios in the format `trellis test` runs
 * (engine/simulate/scenario.ts), by name, per process and company; and the company's forms a test
 * run fills (the latest published version of each form the draft names), so the page runs the
 * draft with the same forms the inbox will show.
 */
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { scenarioSchema, type Decision } from '@/engine';
import type { Executor } from '@/db/client';
import { localizeFormTitle } from '@/engine/forms/form';
import { decisions, forms, memberships, processDefinitions, processDrafts, processScenarios, users } from '@/db/schema';
import { translator } from '../../_i18n/messages';
import type { Actor, Locale } from '../actor';
import { AppError } from '../errors';
import { jsonBytes } from './drafts';

/** Largest scenario kept, as UTF-8 JSON. */
export const MAX_SCENARIO_BYTES = 256_000;
/** Scenarios one process keeps. */
export const MAX_SCENARIOS_PER_PROCESS = 100;

export interface SavedScenario {
  name: string;
  content: Record<string, unknown>;
  updatedAt: Date;
  updatedBy: { name: string; email: string } | null;
}

/** The scenarios kept with a process, by name. NOT_FOUND when the company has no such process. */
export async function listScenarios(
  db: Executor,
  tenantId: string,
  key: string,
  locale: Locale,
): Promise<SavedScenario[]> {
  await processExists(db, tenantId, key, locale);
  const rows = await db
    .select({
      name: processScenarios.name,
      content: processScenarios.content,
      updatedAt: processScenarios.updatedAt,
      by: users.displayName,
      email: users.email,
    })
    .from(processScenarios)
    .leftJoin(users, eq(users.id, processScenarios.updatedBy))
    .where(and(eq(processScenarios.tenantId, tenantId), eq(processScenarios.processKey, key)))
    .orderBy(asc(processScenarios.name));
  return rows.map((r) => ({
    name: r.name,
    content: r.content,
    updatedAt: r.updatedAt,
    updatedBy: r.by ? { name: r.by, email: r.email ?? '' } : null,
  }));
}

/**
 * Keeps a scenario under its name (one saved again under the same name replaces it, so a retried
 * save acts once). The content must be a scenario `trellis test` runs: refused naming the field.
 */
export async function saveScenario(
  db: Executor,
  actor: Actor,
  input: { key: string; name: string; content: Record<string, unknown> },
): Promise<{ name: string; updatedAt: Date }> {
  const t = translator(actor.locale);
  // Another company's caller learns nothing about the content from the answer: the process first.
  await processExists(db, actor.tenantId, input.key, actor.locale);
  const name = input.name.trim();
  if (!name)
    throw new AppError('BAD_REQUEST', t('scenarioNameMissing'), [
      { field: 'name', label: t('scenarioName'), message: t('scenarioNameMissing') },
    ]);
  if (jsonBytes(input.content) > MAX_SCENARIO_BYTES)
    throw new AppError('BAD_REQUEST', t('scenarioTooLarge'), [
      { field: 'content', label: name, message: t('scenarioTooLarge') },
    ]);
  const parsed = scenarioSchema.safeParse(input.content);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.') || '(root)';
    throw new AppError('BAD_REQUEST', t('scenarioInvalid', { where, why: issue.message }), [
      { field: `content.${where}`, label: where, message: issue.message },
    ]);
  }
  return db.transaction(async (tx) => {
    const existing = await tx
      .select({ name: processScenarios.name })
      .from(processScenarios)
      .where(and(eq(processScenarios.tenantId, actor.tenantId), eq(processScenarios.processKey, input.key)));
    if (existing.length >= MAX_SCENARIOS_PER_PROCESS && !existing.some((e) => e.name === name)) {
      throw new AppError('BAD_REQUEST', t('scenarioTooMany', { count: MAX_SCENARIOS_PER_PROCESS }));
    }
    const [row] = await tx
      .insert(processScenarios)
      .values({
        tenantId: actor.tenantId,
        processKey: input.key,
        name,
        content: input.content,
        updatedBy: actor.userId,
      })
      .onConflictDoUpdate({
        target: [processScenarios.tenantId, processScenarios.processKey, processScenarios.name],
        set: { content: input.content, updatedBy: actor.userId, updatedAt: new Date() },
      })
      .returning({ name: processScenarios.name, updatedAt: processScenarios.updatedAt });
    return row!;
  });
}

/** Removes a kept scenario; NOT_FOUND when there is none by that name. */
export async function deleteScenario(
  db: Executor,
  actor: Actor,
  input: { key: string; name: string },
): Promise<{ name: string }> {
  const deleted = await db
    .delete(processScenarios)
    .where(
      and(
        eq(processScenarios.tenantId, actor.tenantId),
        eq(processScenarios.processKey, input.key),
        eq(processScenarios.name, input.name),
      ),
    )
    .returning({ name: processScenarios.name });
  if (deleted.length === 0)
    throw new AppError('NOT_FOUND', translator(actor.locale)('scenarioNotFound', { name: input.name }));
  return { name: input.name };
}

/** The latest published version of each named form of the company (a key it does not have is left out). */
export async function latestForms(db: Executor, tenantId: string, keys: string[]) {
  if (keys.length === 0) return [];
  return db
    .selectDistinctOn([forms.key], {
      key: forms.key,
      version: forms.version,
      title: forms.title,
      schema: forms.schema,
      uiSchema: forms.uiSchema,
      i18n: forms.i18n,
    })
    .from(forms)
    .where(and(eq(forms.tenantId, tenantId), inArray(forms.key, keys)))
    .orderBy(forms.key, desc(forms.version));
}

/**
 * The latest version of the company's decision tables named, and of those they require (followed
 * to 100 tables at most): what a test run evaluates a draft's business rule tasks with, as a
 * publish would pin them.
 */
export async function latestDecisions(db: Executor, tenantId: string, keys: string[]): Promise<Decision[]> {
  const found = new Map<string, Decision>();
  let wanted = [...new Set(keys)];
  while (wanted.length > 0 && found.size < 100) {
    const rows = await db
      .selectDistinctOn([decisions.key], { key: decisions.key, content: decisions.content })
      .from(decisions)
      .where(and(eq(decisions.tenantId, tenantId), inArray(decisions.key, wanted.slice(0, 100 - found.size))))
      .orderBy(decisions.key, desc(decisions.version));
    for (const row of rows) found.set(row.key, row.content);
    wanted = [...new Set(rows.flatMap((r) => r.content.requires))].filter((k) => !found.has(k));
  }
  return [...found.values()];
}

/** The company's forms (the latest version of each) for the designer's pickers: key, title in the caller's language, version. */
export async function formCatalog(
  db: Executor,
  tenantId: string,
  locale: Locale,
): Promise<{ key: string; title: string; version: number }[]> {
  const rows = await db
    .selectDistinctOn([forms.key], { key: forms.key, version: forms.version, title: forms.title, i18n: forms.i18n })
    .from(forms)
    .where(eq(forms.tenantId, tenantId))
    .orderBy(forms.key, desc(forms.version))
    .limit(1_000);
  return rows.map((r) => ({
    key: r.key,
    version: r.version,
    title: localizeFormTitle({ title: r.title, i18n: r.i18n }, locale) || r.key,
  }));
}

/** The company's decision tables (the latest version of each): key, name, version, for a business rule task's picker. */
export async function decisionCatalog(
  db: Executor,
  tenantId: string,
): Promise<{ key: string; name: string; version: number }[]> {
  const rows = await db
    .selectDistinctOn([decisions.key], { key: decisions.key, version: decisions.version, name: decisions.name })
    .from(decisions)
    .where(eq(decisions.tenantId, tenantId))
    .orderBy(decisions.key, desc(decisions.version))
    .limit(1_000);
  return rows.map((r) => ({ key: r.key, version: r.version, name: r.name || r.key }));
}

/** The company's members (name, email, job title), for a user task's assignee picker: the company's own, sorted by name. */
export async function peopleCatalog(
  db: Executor,
  tenantId: string,
): Promise<{ email: string; name: string; title: string | null }[]> {
  const rows = await db
    .select({ email: users.email, name: users.displayName, title: memberships.title })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.tenantId, tenantId))
    .orderBy(asc(users.displayName), asc(users.email))
    .limit(2_000);
  return rows;
}

async function processExists(db: Executor, tenantId: string, key: string, locale: Locale): Promise<void> {
  const [draft] = await db
    .select({ key: processDrafts.key })
    .from(processDrafts)
    .where(and(eq(processDrafts.tenantId, tenantId), eq(processDrafts.key, key)));
  if (draft) return;
  const [version] = await db
    .select({ key: processDefinitions.key })
    .from(processDefinitions)
    .where(and(eq(processDefinitions.tenantId, tenantId), eq(processDefinitions.key, key)))
    .limit(1);
  if (!version) throw new AppError('NOT_FOUND', translator(locale)('draftNotFound', { key }));
}
