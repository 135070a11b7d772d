/**
 * The form designer's side of the server: a form of the company as the designer's model (any form,
 * written by hand, imported or designed), and publishing a designed form as its next version. The
 * model is checked by the same rules the designer shows as it is edited (engine/forms/authoring.ts),
 * then written as a form definition ajv compiles, in one transaction; a publish on top of a version
 * that moved since the designer opened it is a conflict, and nothing is written.
 */
import { and, desc, eq } from 'drizzle-orm';
import type { Executor } from '@/db/client';
import { forms } from '@/db/schema';
import { checkDesignForm, designFormSchema, fromFormDefinition, toFormDefinition, type DesignForm } from '@/engine/forms/authoring';
import { formDefinitionSchema } from '@/engine/forms/form';
import { isRunnablePattern } from '@/engine/forms/patterns';
import { formatDateTime } from '../../_i18n/format';
import { translator, type MessageKey } from '../../_i18n/messages';
import type { Actor } from '../actor';
import { AppError } from '../errors';
import { compileFormSchema } from '../forms';
import { upsertForm } from './definitions';
import { jsonBytes } from './drafts';

/** Largest designed form, as JSON: forms hold fields and texts, not data. */
export const MAX_FORM_DESIGN_BYTES = 512_000;

export interface FormDesign {
  design: DesignForm;
  version: number;
  publishedAt: Date;
}

async function latestForm(db: Executor, tenantId: string, key: string) {
  const [row] = await db.select().from(forms).where(and(eq(forms.tenantId, tenantId), eq(forms.key, key))).orderBy(desc(forms.version)).limit(1);
  return row;
}

/** The latest version of a form of the company, as the designer's model. NOT_FOUND when the company has none by that key. */
export async function getFormDesign(db: Executor, actor: Actor, key: string): Promise<FormDesign> {
  const row = await latestForm(db, actor.tenantId, key);
  if (!row) throw new AppError('NOT_FOUND', translator(actor.locale)('formNotFound', { key }));
  const definition = formDefinitionSchema.parse({ key: row.key, version: row.version, title: row.title, schema: row.schema, uiSchema: row.uiSchema, i18n: row.i18n });
  return { design: fromFormDefinition(definition), version: row.version, publishedAt: row.publishedAt };
}

/**
 * Publishes a designed form as the next version of its key (version 1 for a new key).
 * `baseVersion` is the version the designer opened (null for a new form): when the form has moved
 * since, the publish is a conflict naming the version now there, and nothing is written.
 */
export async function publishFormDesign(db: Executor, actor: Actor, input: { design: unknown; baseVersion: number | null }): Promise<{ key: string; version: number }> {
  const t = translator(actor.locale);
  const parsed = designFormSchema.safeParse(input.design);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.join('.') || 'design';
    throw new AppError('BAD_REQUEST', `The form design is invalid at ${at}: ${issue.message}`, [{ field: `design.${at}`, label: at, message: issue.message }]);
  }
  if (jsonBytes(parsed.data) > MAX_FORM_DESIGN_BYTES) throw new AppError('BAD_REQUEST', `The form design is larger than ${MAX_FORM_DESIGN_BYTES / 1000} kB as JSON; split the form.`);
  const design = parsed.data as DesignForm;
  const problems = checkDesignForm(design, isRunnablePattern);
  if (problems.length > 0) {
    const fields = problems.map((p) => ({ field: p.field ? `design.fields.${p.field}` : 'design.title', label: p.field ?? design.key, message: t(`formProblem_${p.code}` as MessageKey, { field: p.field ?? '' }) }));
    throw new AppError('BAD_REQUEST', t('formProblems', { list: fields.map((f) => f.message).join('; ') }), fields);
  }
  return db.transaction(async (tx) => {
    const latest = await latestForm(tx, actor.tenantId, design.key);
    if (input.baseVersion === null && latest) throw new AppError('CONFLICT', t('formExists', { key: design.key }));
    if (input.baseVersion !== null && latest?.version !== input.baseVersion) {
      if (!latest) throw new AppError('NOT_FOUND', t('formNotFound', { key: design.key }));
      throw new AppError('CONFLICT', t('formVersionMoved', { key: design.key, version: latest.version, date: formatDateTime(latest.publishedAt, actor.locale) }));
    }
    const version = (latest?.version ?? 0) + 1;
    const definition = formDefinitionSchema.parse(toFormDefinition({ ...design, version }));
    // What ajv cannot compile (a kept keyword gone wrong) is refused here, naming the form.
    compileFormSchema(definition.schema, definition.key);
    await upsertForm(tx, actor.tenantId, definition);
    return { key: definition.key, version };
  });
}
