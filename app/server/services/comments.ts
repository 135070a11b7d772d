/**
 * Comments on a case (an instance), written from one of its tasks or from the instance page: who
 * may open the case (instances.ts mayReadInstance) reads them and, but for auditors, writes them.
 * A comment names the colleagues it @mentions by id (the page picks them from the company's
 * members); each must be able to open the case — a mention of someone who cannot would notify them
 * of something they cannot see — and each is notified once. The text is plain text, rendered as
 * text; a retried post (same idempotency key, see the router) does not post twice.
 */
import { and, asc, eq, inArray } from 'drizzle-orm';
import { localize } from '@/engine';
import type { Executor } from '@/db/client';
import { comments, memberships, processInstances, tasks, users } from '@/db/schema';
import { resolveActor, type Actor } from '../actor';
import { AppError } from '../errors';
import { translator } from '../../_i18n/messages';
import { mayReadInstanceById } from './instances';
import { instanceAttachments } from './attachments';
import { notify } from './notifications';

export const MAX_COMMENT_LENGTH = 4_000;
export const MAX_MENTIONS = 20;
/** How much of a comment a notification quotes. */
const EXCERPT = 140;

export interface NewComment {
  /** The task the comment is written on (its case is the task's instance); or… */
  taskId?: string;
  /** …the case itself. */
  instanceId?: string;
  body: string;
  mentions?: string[];
}

/** The case (and task) a comment is for, checked: in the caller's company, and one the caller may open. */
async function caseOf(db: Executor, actor: Actor, input: { taskId?: string; instanceId?: string }) {
  const t = translator(actor.locale);
  let instanceId = input.instanceId;
  let task: { id: string; name: unknown; elementId: string } | null = null;
  if (input.taskId) {
    const [row] = await db.select({ id: tasks.id, name: tasks.name, elementId: tasks.elementId, instanceId: tasks.instanceId }).from(tasks).where(and(eq(tasks.tenantId, actor.tenantId), eq(tasks.id, input.taskId)));
    if (!row) throw new AppError('NOT_FOUND', t('notFound'));
    instanceId = row.instanceId;
    task = row;
  }
  if (!instanceId) throw new AppError('BAD_REQUEST', t('errCommentNotYours'));
  const [instance] = await db.select({ id: processInstances.id }).from(processInstances).where(and(eq(processInstances.tenantId, actor.tenantId), eq(processInstances.id, instanceId)));
  if (!instance) throw new AppError('NOT_FOUND', t('notFound'));
  if (!(await mayReadInstanceById(db, actor, instanceId))) throw new AppError('FORBIDDEN', t('errCommentNotYours'));
  return { instanceId, task };
}

/** Posts a comment and notifies the colleagues it mentions. */
export async function addComment(db: Executor, actor: Actor, input: NewComment) {
  const t = translator(actor.locale);
  if (actor.role === 'auditor') throw new AppError('FORBIDDEN', t('errCommentReadOnly'));
  const body = input.body.replace(/\r\n?/g, '\n').trim();
  if (body === '') throw new AppError('BAD_REQUEST', t('errCommentEmpty'), [{ field: 'body', label: t('commentLabel'), message: t('errCommentEmpty') }]);
  if (body.length > MAX_COMMENT_LENGTH) throw new AppError('BAD_REQUEST', t('errCommentTooLong', { max: MAX_COMMENT_LENGTH, count: body.length }), [{ field: 'body', label: t('commentLabel'), message: t('errCommentTooLong', { max: MAX_COMMENT_LENGTH, count: body.length }) }]);
  const mentions = [...new Set(input.mentions ?? [])].filter((id) => id !== actor.userId);
  if (mentions.length > MAX_MENTIONS) throw new AppError('BAD_REQUEST', t('errCommentTooManyMentions', { max: MAX_MENTIONS }));
  return db.transaction(async (tx) => {
    const { instanceId, task } = await caseOf(tx, actor, input);
    if (mentions.length > 0) {
      const members = await tx.select({ id: users.id, name: users.displayName }).from(memberships).innerJoin(users, eq(users.id, memberships.userId)).where(and(eq(memberships.tenantId, actor.tenantId), inArray(memberships.userId, mentions)));
      if (members.length !== mentions.length) throw new AppError('BAD_REQUEST', t('errCommentMentionUnknown'));
      for (const member of members) {
        const them = await resolveActor(tx, member.id, actor.locale, actor.tenantId);
        if (!them || !(await mayReadInstanceById(tx, them, instanceId))) throw new AppError('BAD_REQUEST', t('errCommentMentionCannotSee', { name: member.name }));
      }
    }
    const [row] = await tx.insert(comments).values({ tenantId: actor.tenantId, instanceId, taskId: task?.id ?? null, authorId: actor.userId, body, mentions }).returning({ id: comments.id, createdAt: comments.createdAt });
    const excerpt = body.length > EXCERPT ? `${body.slice(0, EXCERPT - 1)}…` : body;
    await notify(
      tx,
      mentions.map((userId) => ({ tenantId: actor.tenantId, userId, kind: 'mentioned' as const, key: `mention:${row!.id}`, taskId: task?.id ?? null, instanceId, actorId: actor.userId, data: { task: task?.name ?? null, excerpt } })),
    );
    return { id: row!.id, createdAt: row!.createdAt, instanceId };
  });
}

/** The case's comments, oldest first, with their authors, the task each was written on, and whom they mention. */
export async function listComments(db: Executor, actor: Actor, input: { taskId?: string; instanceId?: string }) {
  const { instanceId } = await caseOf(db, actor, input);
  const rows = await db
    .select({ id: comments.id, body: comments.body, createdAt: comments.createdAt, author: users.displayName, authorId: comments.authorId, taskId: comments.taskId, taskName: tasks.name, mentions: comments.mentions })
    .from(comments)
    .innerJoin(users, eq(users.id, comments.authorId))
    .leftJoin(tasks, eq(tasks.id, comments.taskId))
    .where(and(eq(comments.tenantId, actor.tenantId), eq(comments.instanceId, instanceId)))
    .orderBy(asc(comments.createdAt), asc(comments.id))
    .limit(500);
  const mentioned = [...new Set(rows.flatMap((r) => r.mentions))];
  const names = mentioned.length === 0 ? new Map<string, string>() : new Map((await db.select({ id: users.id, name: users.displayName }).from(users).where(inArray(users.id, mentioned))).map((u) => [u.id, u.name]));
  return rows.map(({ mentions, taskName, ...r }) => ({ ...r, task: taskName ? (localize(taskName as never, actor.locale) ?? null) : null, mentions: mentions.map((id) => ({ id, name: names.get(id) ?? '—' })) }));
}

/** Colleagues the caller may mention on the case: the company's members who may open it, by name (at most 200 looked at). */
export async function mentionable(db: Executor, actor: Actor, input: { taskId?: string; instanceId?: string }) {
  const { instanceId } = await caseOf(db, actor, input);
  const members = await db
    .select({ id: users.id, name: users.displayName, title: memberships.title })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.tenantId, actor.tenantId))
    .orderBy(asc(users.displayName))
    .limit(200);
  const out: { id: string; name: string; title: string | null }[] = [];
  for (const m of members) {
    if (m.id === actor.userId) continue;
    const them = await resolveActor(db, m.id, actor.locale, actor.tenantId);
    if (them && (await mayReadInstanceById(db, them, instanceId))) out.push(m);
  }
  return out;
}

/** The case's files (sent with its forms, or attached beside its comments), to whoever may open it. */
export async function caseFiles(db: Executor, actor: Actor, input: { taskId?: string; instanceId?: string }) {
  const { instanceId } = await caseOf(db, actor, input);
  return { instanceId, files: await instanceAttachments(db, actor, instanceId) };
}
