/**
 * The form designer's side of the server: a form of the company as the designer's model (any form,
 * written by hand, imported or designed), and publishing a designed form as its next version. The
 * model is checked by the same rules the designer shows as it is edited (engine/forms/authoring.ts),
 * then written as a form definition ajv compiles, in one transaction; a publish on top of a version
 * that moved since the designer opened it is a conflict, and nothing is written.
 */
import { and, asc, desc, eq } from 'drizzle-orm';
import type { Executor } from '@/db/client';
import { formDrafts, forms, users } from '@/db/schema';
import {
  checkDesignForm,
  designFormSchema,
  fromFormDefinition,
  toFormDefinition,
  type DesignForm,
} from '@/engine/forms/authoring';
import { formDefinitionSchema } from '@/engine/forms/form';
import { isRunnablePattern } from '@/engine/forms/patterns';
import { formatDateTime } from '../../_i18n/format';
import { translator, type MessageKey } from '../../_i18n/messages';
import type { Actor, Locale } from '../actor';
import { AppError } from '../errors';
import { compileFormSchema } from '../forms';
import { upsertForm } from './definitions';
import { jsonBytes } from './drafts';

/** Largest designed form, as JSON: forms hold fields and texts, not data. */
export const MAX_FORM_DESIGN_BYTES = 512_000;

export interface FormDesign {
  design: DesignForm;
  /** The latest published version (null: a new form, only drafted so far). */
  version: number | null;
  publishedAt: Date | null;
  /** The draft the design is, when there is one: its revision, and who saved it when. */
  draft: { revision: number; updatedAt: Date; updatedBy: string | null } | null;
}

async function draftOf(db: Executor, tenantId: string, key: string) {
  const [row] = await db
    .select({
      id: formDrafts.id,
      design: formDrafts.design,
      revision: formDrafts.revision,
      updatedAt: formDrafts.updatedAt,
      updatedBy: users.displayName,
    })
    .from(formDrafts)
    .leftJoin(users, eq(users.id, formDrafts.updatedBy))
    .where(and(eq(formDrafts.tenantId, tenantId), eq(formDrafts.key, key)))
    .limit(1);
  return row;
}

async function latestForm(db: Executor, tenantId: string, key: string) {
  const [row] = await db
    .select()
    .from(forms)
    .where(and(eq(forms.tenantId, tenantId), eq(forms.key, key)))
    .orderBy(desc(forms.version))
    .limit(1);
  return row;
}

/**
 * A form of the company as the designer's model: its draft when there is one (saved valid or not),
 * else its latest version. NOT_FOUND when the company has neither by that key.
 */
export async function getFormDesign(db: Executor, actor: Actor, key: string): Promise<FormDesign> {
  const row = await latestForm(db, actor.tenantId, key);
  const draft = await draftOf(db, actor.tenantId, key);
  if (!row && !draft) throw new AppError('NOT_FOUND', translator(actor.locale)('formNotFound', { key }));
  const published = row
    ? fromFormDefinition(
        formDefinitionSchema.parse({
          key: row.key,
          version: row.version,
          title: row.title,
          schema: row.schema,
          uiSchema: row.uiSchema,
          i18n: row.i18n,
        }),
      )
    : null;
  // A draft saved by an older designer that no longer reads is opened from the published version.
  const drafted = draft ? designFormSchema.safeParse(draft.design) : null;
  const design = drafted?.success ? (drafted.data as DesignForm) : published;
  if (!design) throw new AppError('NOT_FOUND', translator(actor.locale)('formNotFound', { key }));
  return {
    design,
    version: row?.version ?? null,
    publishedAt: row?.publishedAt ?? null,
    draft: draft ? { revision: draft.revision, updatedAt: draft.updatedAt, updatedBy: draft.updatedBy ?? null } : null,
  };
}

/** The company's form drafts: key, title, revision, when and by whom, and whether a version is published. */
export async function listFormDrafts(
  db: Executor,
  tenantId: string,
  locale: Locale,
): Promise<{ key: string; title: string; revision: number; updatedAt: Date; updatedBy: string | null }[]> {
  const rows = await db
    .select({
      key: formDrafts.key,
      design: formDrafts.design,
      revision: formDrafts.revision,
      updatedAt: formDrafts.updatedAt,
      updatedBy: users.displayName,
    })
    .from(formDrafts)
    .leftJoin(users, eq(users.id, formDrafts.updatedBy))
    .where(eq(formDrafts.tenantId, tenantId))
    .orderBy(asc(formDrafts.key))
    .limit(1_000);
  return rows.map((r) => {
    const title = (r.design as { title?: { en?: unknown; vi?: unknown } }).title;
    const text = (locale === 'vi' ? title?.vi || title?.en : title?.en || title?.vi) as string | undefined;
    return {
      key: r.key,
      title: typeof text === 'string' && text ? text : r.key,
      revision: r.revision,
      updatedAt: r.updatedAt,
      updatedBy: r.updatedBy ?? null,
    };
  });
}

/** The designer's model as a browser sent it: its shape and size checked (not its problems), naming the field. */
function readDesign(input: unknown): DesignForm {
  const parsed = designFormSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.join('.') || 'design';
    throw new AppError('BAD_REQUEST', `The form design is invalid at ${at}: ${issue.message}`, [
      { field: `design.${at}`, label: at, message: issue.message },
    ]);
  }
  if (jsonBytes(parsed.data) > MAX_FORM_DESIGN_BYTES)
    throw new AppError(
      'BAD_REQUEST',
      `The form design is larger than ${MAX_FORM_DESIGN_BYTES / 1000} kB as JSON; split the form.`,
    );
  return parsed.data as DesignForm;
}

/**
 * Saves the designer's model as the form's draft, valid or not (its problems are returned, in the
 * caller's language, and only publishing refuses them). `revision` is the draft's revision the
 * designer last saw (null: none yet): a draft someone saved meanwhile is a conflict naming them and
 * when, and nothing is overwritten.
 */
export async function saveFormDraft(
  db: Executor,
  actor: Actor,
  input: { design: unknown; revision: number | null },
): Promise<{ revision: number; problems: { field: string | null; message: string }[] }> {
  const t = translator(actor.locale);
  const design = readDesign(input.design);
  return db.transaction(async (tx) => {
    const current = await draftOf(tx, actor.tenantId, design.key);
    if (current && current.revision !== input.revision) {
      throw new AppError(
        'CONFLICT',
        t('draftConflict', {
          name: current.updatedBy ?? '—',
          time: formatDateTime(current.updatedAt, actor.locale),
          revision: current.revision,
        }),
      );
    }
    if (!current && input.revision !== null) {
      // The draft this designer was editing has been published (or discarded) meanwhile.
      const latest = await latestForm(tx, actor.tenantId, design.key);
      throw new AppError(
        'CONFLICT',
        latest
          ? t('formVersionMoved', {
              key: design.key,
              version: latest.version,
              date: formatDateTime(latest.publishedAt, actor.locale),
            })
          : t('formNotFound', { key: design.key }),
      );
    }
    let revision: number;
    if (current) {
      const [row] = await tx
        .update(formDrafts)
        .set({
          design: design as unknown as Record<string, unknown>,
          revision: current.revision + 1,
          updatedAt: new Date(),
          updatedBy: actor.userId,
        })
        .where(and(eq(formDrafts.id, current.id), eq(formDrafts.revision, current.revision)))
        .returning({ revision: formDrafts.revision });
      if (!row)
        throw new AppError(
          'CONFLICT',
          t('draftConflict', {
            name: current.updatedBy ?? '—',
            time: formatDateTime(current.updatedAt, actor.locale),
            revision: current.revision,
          }),
        );
      revision = row.revision;
    } else {
      const latest = await latestForm(tx, actor.tenantId, design.key);
      const [row] = await tx
        .insert(formDrafts)
        .values({
          tenantId: actor.tenantId,
          key: design.key,
          design: design as unknown as Record<string, unknown>,
          revision: 1,
          baseVersion: latest?.version ?? null,
          updatedBy: actor.userId,
        })
        .onConflictDoNothing()
        .returning({ revision: formDrafts.revision });
      if (!row) throw new AppError('CONFLICT', t('formDraftStarted', { key: design.key }));
      revision = row.revision;
    }
    const problems = checkDesignForm(design, isRunnablePattern).map((p) => ({
      field: p.field,
      message: t(`formProblem_${p.code}` as MessageKey, { field: p.field ?? '' }),
    }));
    return { revision, problems };
  });
}

/**
 * Publishes a designed form as the next version of its key (version 1 for a new key).
 * `baseVersion` is the version the designer opened (null for a new form): when the form has moved
 * since, the publish is a conflict naming the version now there, and nothing is written.
 */
export async function publishFormDesign(
  db: Executor,
  actor: Actor,
  input: { design: unknown; baseVersion: number | null },
): Promise<{ key: string; version: number }> {
  const t = translator(actor.locale);
  const design = readDesign(input.design);
  const problems = checkDesignForm(design, isRunnablePattern);
  if (problems.length > 0) {
    const fields = problems.map((p) => ({
      field: p.field ? `design.fields.${p.field}` : 'design.title',
      label: p.field ?? design.key,
      message: t(`formProblem_${p.code}` as MessageKey, { field: p.field ?? '' }),
    }));
    throw new AppError('BAD_REQUEST', t('formProblems', { list: fields.map((f) => f.message).join('; ') }), fields);
  }
  return db.transaction(async (tx) => {
    const latest = await latestForm(tx, actor.tenantId, design.key);
    if (input.baseVersion === null && latest) throw new AppError('CONFLICT', t('formExists', { key: design.key }));
    if (input.baseVersion !== null && latest?.version !== input.baseVersion) {
      if (!latest) throw new AppError('NOT_FOUND', t('formNotFound', { key: design.key }));
      throw new AppError(
        'CONFLICT',
        t('formVersionMoved', {
          key: design.key,
          version: latest.version,
          date: formatDateTime(latest.publishedAt, actor.locale),
        }),
      );
    }
    const version = (latest?.version ?? 0) + 1;
    const definition = formDefinitionSchema.parse(toFormDefinition({ ...design, version }));
    // What ajv cannot compile (a kept keyword gone wrong) is refused here, naming the form.
    compileFormSchema(definition.schema, definition.key);
    await upsertForm(tx, actor.tenantId, definition);
    // The draft is now this version.
    await tx.delete(formDrafts).where(and(eq(formDrafts.tenantId, actor.tenantId), eq(formDrafts.key, definition.key)));
    return { key: definition.key, version };
  });
}
