/**
 * Files on forms: uploaded by a person for a task they may work or a process they may start,
 * stored in the database (bytea) or a configured folder behind one interface (AttachmentStore),
 * typed by what the bytes are (file-type's signatures; text when the bytes are UTF-8 text), never by
 * the name; limited per file and per form. A form's file field holds a reference
 * (engine/forms/attachments.ts); submitting the form checks each reference is one the submitter
 * may attach and links the file to the instance, whose readers alone may then download it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { and, eq, isNull, lt, sql } from 'drizzle-orm';
import { fileTypeFromBuffer } from 'file-type';
import { hasAttachmentField, type AttachmentRef } from '@/engine/forms/attachments';
import { localize } from '@/engine/model/definition';
import type { Executor } from '@/db/client';
import { attachments, memberships, processInstances, tasks, users } from '@/db/schema';
import { translator } from '../../_i18n/messages';
import type { Actor } from '../actor';
import { formatBytes } from '../body-limit';
import { AppError, isUuid } from '../errors';
import { appendAudit } from './audit';
import { formById, latestDefinition, mayStart } from './definitions';
import { mayReadInstanceById } from './instances';
import { rightToWork } from './tasks';

export interface AttachmentLimits {
  /** Largest file, in bytes (TRELLIS_MAX_FILE_BYTES). */
  fileBytes: number;
  /** Most bytes the files uploaded for one task, or for one person's start form, may take together (TRELLIS_MAX_FORM_FILES_BYTES). */
  formBytes: number;
}
export const DEFAULT_ATTACHMENT_LIMITS: AttachmentLimits = { fileBytes: 10 * 1024 * 1024, formBytes: 25 * 1024 * 1024 };

/** Where the bytes live: the row itself, or a folder (the row keeps the metadata). */
export interface AttachmentStore {
  readonly kind: 'database' | 'folder';
  /** Keeps the bytes; what the row's `content` holds (the bytes, or null when kept elsewhere). */
  put(id: string, bytes: Uint8Array): Promise<Uint8Array | null>;
  /** The bytes of a stored file (`content`: what put returned). */
  get(id: string, content: Uint8Array | null): Promise<Uint8Array>;
  /** Forgets the bytes of a file whose row is gone (or was never written). */
  remove(id: string): Promise<void>;
}

export const databaseStore: AttachmentStore = {
  kind: 'database',
  put: async (_id, bytes) => bytes,
  get: async (id, content) => {
    if (!content) throw new Error(`Attachment ${id} has no content in the database.`);
    return content;
  },
  remove: async () => {},
};

/** Files in a folder, named by their id (a uuid: never a path the uploader chose). */
export function folderStore(dir: string): AttachmentStore {
  const file = (id: string) => {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`Not an attachment id: ${id}`);
    return path.join(dir, id);
  };
  return {
    kind: 'folder',
    put: async (id, bytes) => {
      await mkdir(dir, { recursive: true });
      await writeFile(file(id), bytes, { flag: 'wx' });
      return null;
    },
    get: async (id) => new Uint8Array(await readFile(file(id))),
    remove: async (id) => rm(file(id), { force: true }),
  };
}

/** The media types Trellis keeps: documents, images, text, archives — what back-office forms attach. */
const ACCEPTED = new Set([
  'application/pdf',
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/heic',
  'image/heif',
  'image/tiff',
  'image/bmp',
  'text/plain',
  'application/zip',
  'application/x-cfb',
  'application/msword',
  'application/vnd.ms-excel',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
  'application/xml',
]);

/** What the bytes are: a known signature, else UTF-8 text without control characters, else unknown binary. */
export async function sniffMediaType(bytes: Uint8Array): Promise<string> {
  const found = await fileTypeFromBuffer(bytes);
  if (found) return found.mime;
  const head = bytes.subarray(0, 64 * 1024);
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(
      head.length < bytes.length ? trimPartial(head) : head,
    );
    // eslint-disable-next-line no-control-regex
    if (!/[\u0000-\u0008\u000e-\u001a\u001c-\u001f\u007f]/.test(text)) return 'text/plain';
  } catch {
    // not UTF-8
  }
  return 'application/octet-stream';
}

/** The head of a longer text without a multi-byte character cut at its end. */
function trimPartial(head: Uint8Array): Uint8Array {
  let end = head.length;
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const byte = head[end - back]!;
    if ((byte & 0xc0) === 0x80) continue;
    if (byte >= 0xc0) end -= back;
    break;
  }
  return head.subarray(0, end);
}

/** A name to show and to download as: its last path segment, without control characters, at most 255 characters. */
export function cleanFileName(name: string): string {
  const last = name.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = last
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '')
    .trim();
  // By characters, not UTF-16 units: a name is never cut inside an emoji.
  return Array.from(clean).slice(0, 255).join('');
}

export interface UploadInput {
  /** The task whose form the file is for, or */
  taskId?: string;
  /** the process whose start form it is for. */
  definitionKey?: string;
  name: string;
  bytes: Uint8Array;
}

/**
 * Stores a file a person uploads for a task they may work (open) or a process they may start,
 * within the limits; the reference a form's file field holds. Unlinked files of theirs older than
 * a week (forms never sent) are removed on the way.
 */
export async function uploadAttachment(
  db: Executor,
  actor: Actor,
  input: UploadInput,
  limits: AttachmentLimits,
  store: AttachmentStore,
): Promise<AttachmentRef> {
  const t = translator(actor.locale);
  const name = cleanFileName(input.name);
  if (!name)
    throw new AppError('BAD_REQUEST', t('fileErrNameMissing'), [
      { field: 'name', label: 'name', message: t('fileErrNameMissing') },
    ]);
  if (input.bytes.length === 0) throw new AppError('BAD_REQUEST', t('fileErrEmpty', { name }));
  if (input.bytes.length > limits.fileBytes)
    throw new AppError('BAD_REQUEST', t('fileErrTooLarge', { name, limit: formatBytes(limits.fileBytes) }), undefined, {
      details: { httpStatus: 413 },
    });
  if (actor.role === 'auditor')
    throw new AppError('FORBIDDEN', t('fileErrTaskNotYours', { id: input.taskId ?? input.definitionKey ?? '' }));

  if (input.taskId === undefined && input.definitionKey === undefined)
    throw new AppError('BAD_REQUEST', t('fileErrContext'));
  const type = await sniffMediaType(input.bytes);
  if (!ACCEPTED.has(type))
    throw new AppError('BAD_REQUEST', t('fileErrType', { name, type }), undefined, { details: { httpStatus: 415 } });

  const id = randomUUID();
  const content = await store.put(id, input.bytes);
  try {
    // One transaction, the task (or the uploader's membership) locked: two uploads at once cannot both fit the last of the form's room.
    await db.transaction(async (tx) => {
      let used: number;
      if (input.taskId !== undefined) {
        if (!isUuid(input.taskId)) throw new AppError('NOT_FOUND', `Task "${input.taskId}" was not found.`);
        const [task] = await tx
          .select()
          .from(tasks)
          .where(and(eq(tasks.tenantId, actor.tenantId), eq(tasks.id, input.taskId)))
          .for('update');
        if (!task) throw new AppError('NOT_FOUND', `Task "${input.taskId}" was not found.`);
        if (task.status !== 'open') throw new AppError('CONFLICT', t('fileErrTaskClosed', { id: task.id }));
        // Whoever may complete it — its assignee, a candidate, a delegate — may add its files.
        if (!(await rightToWork(tx, actor, task)).ok)
          throw new AppError('FORBIDDEN', t('fileErrTaskNotYours', { id: task.id }));
        if (!task.formId || !hasAttachmentField((await formById(tx, actor.tenantId, task.formId)).schema))
          throw new AppError(
            'BAD_REQUEST',
            t('fileErrNoFileField', {
              name: (task.name ? localize(task.name, actor.locale) : undefined) ?? task.elementId,
            }),
          );
        used = await usedBytes(tx, and(eq(attachments.tenantId, actor.tenantId), eq(attachments.taskId, task.id)));
      } else {
        const def = await latestDefinition(tx, actor.tenantId, input.definitionKey!);
        if (!mayStart(actor, def.definition))
          throw new AppError('FORBIDDEN', t('fileErrStartRefused', { key: def.key }));
        const startForm = def.definition.startForm ? def.formIds[def.definition.startForm] : undefined;
        if (!startForm || !hasAttachmentField((await formById(tx, actor.tenantId, startForm)).schema))
          throw new AppError('BAD_REQUEST', t('fileErrNoFileField', { name: def.key }));
        await tx
          .select({ id: memberships.userId })
          .from(memberships)
          .where(and(eq(memberships.tenantId, actor.tenantId), eq(memberships.userId, actor.userId)))
          .for('update');
        used = await usedBytes(
          tx,
          and(
            eq(attachments.tenantId, actor.tenantId),
            eq(attachments.uploadedBy, actor.userId),
            eq(attachments.definitionKey, def.key),
            isNull(attachments.instanceId),
          ),
        );
      }
      if (used + input.bytes.length > limits.formBytes)
        throw new AppError('BAD_REQUEST', t('fileErrTaskFull', { limit: formatBytes(limits.formBytes) }), undefined, {
          details: { httpStatus: 413 },
        });
      await tx.insert(attachments).values({
        id,
        tenantId: actor.tenantId,
        uploadedBy: actor.userId,
        name,
        mediaType: type,
        size: input.bytes.length,
        sha256: createHash('sha256').update(input.bytes).digest('hex'),
        storage: store.kind,
        content,
        taskId: input.taskId ?? null,
        definitionKey: input.taskId === undefined ? (input.definitionKey ?? null) : null,
      });
    });
  } catch (error) {
    await store.remove(id);
    throw error;
  }
  // Files of theirs never sent with a form, a week on: gone (their bytes too).
  const stale = await db
    .delete(attachments)
    .where(
      and(
        eq(attachments.tenantId, actor.tenantId),
        eq(attachments.uploadedBy, actor.userId),
        isNull(attachments.instanceId),
        lt(attachments.createdAt, sql`now() - interval '7 days'`),
      ),
    )
    .returning({ id: attachments.id, storage: attachments.storage });
  for (const old of stale) if (old.storage === store.kind) await store.remove(old.id);
  return { id, name, size: input.bytes.length, type };
}

async function usedBytes(db: Executor, where: ReturnType<typeof and>): Promise<number> {
  const [row] = await db
    .select({ total: sql<string | number | null>`coalesce(sum(${attachments.size}), 0)` })
    .from(attachments)
    .where(where);
  return Number(row?.total ?? 0);
}

/**
 * A file to download: another company's is not found; one not yet sent with a form is its
 * uploader's alone; one sent is readable by whoever may read its instance (instances.ts).
 */
export async function readAttachment(db: Executor, actor: Actor, id: string, store: AttachmentStore) {
  const t = translator(actor.locale);
  if (!isUuid(id)) throw new AppError('NOT_FOUND', t('fileErrNotFound', { id }));
  const [row] = await db
    .select()
    .from(attachments)
    .where(and(eq(attachments.tenantId, actor.tenantId), eq(attachments.id, id)));
  if (!row) throw new AppError('NOT_FOUND', t('fileErrNotFound', { id }));
  const allowed =
    row.instanceId === null ? row.uploadedBy === actor.userId : await mayReadInstanceById(db, actor, row.instanceId);
  if (!allowed) throw new AppError('FORBIDDEN', t('fileErrNotYours', { id }));
  // The file is where it was stored, whatever the store is now.
  const from = row.storage === 'database' ? databaseStore : store.kind === row.storage ? store : null;
  if (!from)
    throw new AppError(
      'SERVICE_UNAVAILABLE',
      `File "${id}" is kept in a folder the server is not configured with (TRELLIS_ATTACHMENTS_DIR).`,
    );
  return { name: row.name, mediaType: row.mediaType, size: row.size, bytes: await from.get(row.id, row.content) };
}

/** Removes a file its uploader has not sent with a form yet (they chose another); else not found. */
export async function removeAttachment(
  db: Executor,
  actor: Actor,
  id: string,
  store: AttachmentStore = databaseStore,
): Promise<void> {
  const t = translator(actor.locale);
  const removed = isUuid(id)
    ? await db
        .delete(attachments)
        .where(
          and(
            eq(attachments.tenantId, actor.tenantId),
            eq(attachments.id, id),
            eq(attachments.uploadedBy, actor.userId),
            isNull(attachments.instanceId),
          ),
        )
        .returning({ id: attachments.id, storage: attachments.storage })
    : [];
  if (removed.length === 0) throw new AppError('NOT_FOUND', t('fileErrNotFound', { id }));
  if (removed[0]!.storage === store.kind) await store.remove(id);
}

/** The files of an instance (its readers see them with its data). */
export async function instanceAttachments(db: Executor, actor: Actor, instanceId: string) {
  return db
    .select({
      id: attachments.id,
      name: attachments.name,
      size: attachments.size,
      type: attachments.mediaType,
      uploadedBy: users.displayName,
      createdAt: attachments.createdAt,
      viaForm: sql<boolean>`${attachments.taskId} is not null or ${attachments.definitionKey} is not null`,
    })
    .from(attachments)
    .innerJoin(users, eq(users.id, attachments.uploadedBy))
    .where(and(eq(attachments.tenantId, actor.tenantId), eq(attachments.instanceId, instanceId)))
    .orderBy(attachments.createdAt);
}

/** Most bytes the files attached to one case (not through a form) may take together: ten files at the largest. */
export function caseBytes(limits: AttachmentLimits): number {
  return limits.fileBytes * 10;
}

/**
 * Attaches a file to a case (an instance), beside its comments rather than in a form's field:
 * whoever may open the case may add one (auditors read only), within the file limits and the case's
 * room. It is part of the case at once (its readers download it; readAttachment).
 */
export async function uploadCaseFile(
  db: Executor,
  actor: Actor,
  input: { instanceId: string; name: string; bytes: Uint8Array },
  limits: AttachmentLimits,
  store: AttachmentStore,
): Promise<AttachmentRef> {
  const t = translator(actor.locale);
  const name = cleanFileName(input.name);
  if (!name)
    throw new AppError('BAD_REQUEST', t('fileErrNameMissing'), [
      { field: 'name', label: 'name', message: t('fileErrNameMissing') },
    ]);
  if (input.bytes.length === 0) throw new AppError('BAD_REQUEST', t('fileErrEmpty', { name }));
  if (input.bytes.length > limits.fileBytes)
    throw new AppError('BAD_REQUEST', t('fileErrTooLarge', { name, limit: formatBytes(limits.fileBytes) }), undefined, {
      details: { httpStatus: 413 },
    });
  if (actor.role === 'auditor') throw new AppError('FORBIDDEN', t('fileErrCaseReadOnly'));
  if (!isUuid(input.instanceId)) throw new AppError('NOT_FOUND', t('notFound'));
  const type = await sniffMediaType(input.bytes);
  if (!ACCEPTED.has(type))
    throw new AppError('BAD_REQUEST', t('fileErrType', { name, type }), undefined, { details: { httpStatus: 415 } });
  // Nothing is stored for a case the caller may not open (checked again under the lock below).
  if (!(await mayReadInstanceById(db, actor, input.instanceId)))
    throw new AppError('FORBIDDEN', t('errCommentNotYours'));
  const id = randomUUID();
  const content = await store.put(id, input.bytes);
  try {
    await db.transaction(async (tx) => {
      // The instance locked: two uploads at once cannot both fit the last of the case's room.
      const [instance] = await tx
        .select({ id: processInstances.id })
        .from(processInstances)
        .where(and(eq(processInstances.tenantId, actor.tenantId), eq(processInstances.id, input.instanceId)))
        .for('update');
      if (!instance) throw new AppError('NOT_FOUND', t('notFound'));
      if (!(await mayReadInstanceById(tx, actor, input.instanceId)))
        throw new AppError('FORBIDDEN', t('errCommentNotYours'));
      const used = await usedBytes(
        tx,
        and(
          eq(attachments.tenantId, actor.tenantId),
          eq(attachments.instanceId, input.instanceId),
          isNull(attachments.taskId),
        ),
      );
      if (used + input.bytes.length > caseBytes(limits))
        throw new AppError('BAD_REQUEST', t('fileErrCaseFull', { limit: formatBytes(caseBytes(limits)) }), undefined, {
          details: { httpStatus: 413 },
        });
      await tx.insert(attachments).values({
        id,
        tenantId: actor.tenantId,
        uploadedBy: actor.userId,
        name,
        mediaType: type,
        size: input.bytes.length,
        sha256: createHash('sha256').update(input.bytes).digest('hex'),
        storage: store.kind,
        content,
        instanceId: input.instanceId,
        linkedAt: sql`now()`,
      });
      // The case's timeline says who attached what (history-text.ts: file.attached).
      await appendAudit(tx, [
        {
          tenantId: actor.tenantId,
          instanceId: input.instanceId,
          actorId: actor.userId,
          type: 'file.attached',
          data: { attachmentId: id, name, size: input.bytes.length, mediaType: type },
        },
      ]);
    });
  } catch (error) {
    await store.remove(id);
    throw error;
  }
  return { id, name, size: input.bytes.length, type };
}
