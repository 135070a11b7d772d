/**
 * Files a form submission references: checked as the submitter's to attach, and linked to the
 * instance the form went to, in the command's transaction. Used by the commands that take forms
 * (starting an instance, completing a task); it knows nothing of who may open a task or case.
 */
import { and, eq, inArray, isNull, or, sql } from 'drizzle-orm';
import type { JsonSchema } from '@/engine';
import { attachmentRefs, MAX_ATTACHMENT_REFS, replaceRefs } from '@/engine/forms/attachments';
import type { Executor } from '@/db/client';
import { attachments } from '@/db/schema';
import { translator } from '../../_i18n/messages';
import type { Actor } from '../actor';
import { AppError, isUuid, type FieldError } from '../errors';

/** Where a submission comes from: a task's form, or a process's start form. */
export type SubmissionContext = { taskId: string; instanceId: string } | { definitionKey: string };

/**
 * Checks every file a submission references (by the form's schema) is one the submitter may
 * attach — uploaded by them for this very task or start form and not sent yet, or already part of
 * this instance — and writes each reference as stored (name, size, type from the row, not the
 * client). Returns the submission and the files to link once the instance is written. A submitter
 * without a user id (an API key: uploads need a person's session) has uploaded nothing, so every
 * file it names that is not already the instance's is refused as not its own.
 */
export async function checkAttachments(
  db: Executor,
  actor: Pick<Actor, 'tenantId' | 'locale'> & { userId?: string },
  schema: JsonSchema,
  data: Record<string, unknown>,
  context: SubmissionContext,
  titles: Record<string, string>,
): Promise<{ data: Record<string, unknown>; link: string[] }> {
  const refs = attachmentRefs(schema, data);
  if (refs.length === 0) return { data, link: [] };
  const t = translator(actor.locale);
  if (refs.length > MAX_ATTACHMENT_REFS)
    throw new AppError('BAD_REQUEST', t('fileErrTooMany', { limit: MAX_ATTACHMENT_REFS }));
  const ids = [...new Set(refs.map((r) => r.ref.id).filter(isUuid))];
  const rows =
    ids.length === 0
      ? []
      : await db
          .select({
            id: attachments.id,
            name: attachments.name,
            size: attachments.size,
            type: attachments.mediaType,
            uploadedBy: attachments.uploadedBy,
            taskId: attachments.taskId,
            definitionKey: attachments.definitionKey,
            instanceId: attachments.instanceId,
          })
          .from(attachments)
          .where(and(eq(attachments.tenantId, actor.tenantId), inArray(attachments.id, ids)));
  const byId = new Map(rows.map((r) => [r.id, r]));
  const errors: FieldError[] = [];
  const link = new Set<string>();
  const replaced = refs.map(({ path: at, ref }) => {
    const field = at.join('.');
    const label = titles[at[0]!] ?? field;
    const row = byId.get(ref.id);
    if (!row) {
      errors.push({ field, label, message: t('fileErrRefUnknown', { field: label }) });
      return { path: at, ref };
    }
    const own =
      row.uploadedBy === actor.userId &&
      row.instanceId === null &&
      ('taskId' in context
        ? row.taskId === context.taskId
        : row.definitionKey === context.definitionKey && row.taskId === null);
    const ofThisInstance = 'instanceId' in context && row.instanceId === context.instanceId;
    if (!own && !ofThisInstance) errors.push({ field, label, message: t('fileErrRefNotYours', { field: label }) });
    if (own) link.add(row.id);
    return { path: at, ref: { id: row.id, name: row.name, size: row.size, type: row.type } };
  });
  if (errors.length > 0) throw new AppError('BAD_REQUEST', errors.map((e) => e.message).join(' '), errors);
  return { data: replaceRefs(data, replaced), link: [...link] };
}

/** Links checked files to the instance their form was sent to (in the command's transaction): a file another command took meanwhile is a conflict. */
export async function linkAttachments(
  db: Executor,
  actor: Actor,
  ids: readonly string[],
  instanceId: string,
): Promise<void> {
  if (ids.length === 0) return;
  const linked = await db
    .update(attachments)
    .set({ instanceId, linkedAt: sql`now()` })
    .where(
      and(
        eq(attachments.tenantId, actor.tenantId),
        inArray(attachments.id, [...ids]),
        or(isNull(attachments.instanceId), eq(attachments.instanceId, instanceId)),
      ),
    )
    .returning({ id: attachments.id });
  if (linked.length !== ids.length) throw new AppError('CONFLICT', translator(actor.locale)('fileErrRefTaken'));
}
