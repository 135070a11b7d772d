/**
 * Comments on a case (an instance), written from one of its tasks or from the instance page: who
 * may open the case (instances.ts mayReadInstance) reads them and, but for auditors, writes them.
 * A comment names the colleagues it @mentions by id (the page picks them from mentionable); each
 * must be able to open the case — a mention of someone who cannot would notify them of something
 * they cannot see — and each is notified once. The text is plain text, rendered as text. A post
 * sent with an idempotency key (one per comment composed: the page keeps it across retries) posts
 * once however often it is sent; each comment leaves a `comment.added` row in the case's audit
 * chain.
 *
 * Who may open the case is asked of the database in one statement for many people at once
 * (mayOpenCaseSql), the same rule as instances.ts mayReadInstance asks for one reader: the
 * mention picker filters the company's members by it, the post checks its mentions by it.
 */
import { and, asc, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { foldForSearch, localize, searchWords } from '@/engine';
import type { Executor } from '@/db/client';
import {
  comments,
  delegations,
  groupMembers,
  groups,
  memberships,
  processDefinitions,
  processInstances,
  tasks,
  users,
} from '@/db/schema';
import type { Actor } from '../actor';
import { AppError } from '../errors';
import { translator } from '../../_i18n/messages';
import { mayReadInstanceById } from './instances';
import { instanceAttachments } from './attachments';
import { appendAudit } from './audit';
import { withIdempotency } from './idempotency';
import { notify } from './notifications';

export const MAX_COMMENT_LENGTH = 4_000;
export const MAX_MENTIONS = 20;
/** How much of a comment a notification quotes. */
const EXCERPT = 140;
/** Comments one page shows (the newest; older ones page by `before`). */
export const COMMENTS_PAGE = 50;
export const MAX_COMMENTS_PAGE = 200;
/** Colleagues the mention picker offers for what was typed. */
export const MENTION_SUGGESTIONS = 20;

export interface NewComment {
  /** The task the comment is written on (its case is the task's instance); or… */
  taskId?: string;
  /** …the case itself. */
  instanceId?: string;
  body: string;
  mentions?: string[];
  /** One per comment composed: a retry with the same key returns the first post's result and posts nothing more. */
  idempotencyKey?: string;
}

/** The case (and task) a comment is for, checked: in the caller's company, and one the caller may open. */
async function caseOf(db: Executor, actor: Actor, input: { taskId?: string; instanceId?: string }) {
  const t = translator(actor.locale);
  let instanceId = input.instanceId;
  let task: { id: string; name: unknown; elementId: string } | null = null;
  if (input.taskId) {
    const [row] = await db
      .select({ id: tasks.id, name: tasks.name, elementId: tasks.elementId, instanceId: tasks.instanceId })
      .from(tasks)
      .where(and(eq(tasks.tenantId, actor.tenantId), eq(tasks.id, input.taskId)));
    if (!row) throw new AppError('NOT_FOUND', t('notFound'));
    instanceId = row.instanceId;
    task = row;
  }
  if (!instanceId) throw new AppError('BAD_REQUEST', t('errCommentNotYours'));
  const [instance] = await db
    .select({ id: processInstances.id })
    .from(processInstances)
    .where(and(eq(processInstances.tenantId, actor.tenantId), eq(processInstances.id, instanceId)));
  if (!instance) throw new AppError('NOT_FOUND', t('notFound'));
  if (!(await mayReadInstanceById(db, actor, instanceId))) throw new AppError('FORBIDDEN', t('errCommentNotYours'));
  return { instanceId, task };
}

/**
 * SQL: the member `userId` (a column) with company role `role` may open instance `instanceId`:
 * admins and auditors; the managers of the department whose process it is (its version's
 * category); its initiator; whoever holds, held or completed one of its tasks or was offered one
 * (assigned, named, member — or manager, for a manager task — of a candidate department); the
 * delegate, now, of the assignee of a task offered to nobody in particular (who reads its summary).
 * The rule of instances.ts mayReadInstance, asked for many people in one statement; the
 * collaboration test compares the two for every member.
 */
function mayOpenCaseSql(tenantId: string, instanceId: string, userId: SQL, role: SQL): SQL {
  const tenant = sql`${tenantId}::uuid`;
  const instance = sql`${instanceId}::uuid`;
  const inDepartment = (
    keys: SQL,
    managerOnly: SQL,
  ) => sql`exists (select 1 from ${groupMembers} gm join ${groups} g on g.id = gm.group_id
      where gm.tenant_id = ${tenant} and gm.user_id = ${userId} and g.key = any(${keys}) and (${managerOnly} or gm.role = 'manager'))`;
  return sql`(${role} in ('admin', 'auditor')
    or exists (select 1 from ${processInstances} i join ${processDefinitions} d on d.id = i.definition_id where i.tenant_id = ${tenant} and i.id = ${instance}
      and (i.initiator_id = ${userId}::text or (d.category is not null and ${inDepartment(sql`array[d.category]`, sql`false`)})))
    or exists (select 1 from ${tasks} t where t.tenant_id = ${tenant} and t.instance_id = ${instance} and (
      t.completed_by = ${userId} or t.assignee_id = ${userId} or ${userId} = any(t.candidate_user_ids)
      or ${inDepartment(sql`t.candidate_groups`, sql`t.candidate_role = 'member'`)}
      or (cardinality(t.candidate_groups) = 0 and cardinality(t.candidate_user_ids) = 0 and exists (select 1 from ${delegations} dl
            join ${memberships} dm on dm.tenant_id = dl.tenant_id and dm.user_id = dl.delegator_id
            where dl.tenant_id = ${tenant} and dl.delegator_id = t.assignee_id and dl.delegate_id = ${userId} and dl.revoked_at is null and dl.starts_at <= now() and dl.ends_at > now())))))`;
}

/** Latin letters with diacritics (Vietnamese's among them, both cases) and the plain letter foldForSearch makes of each. */
const FOLDS = (() => {
  const [from, to] = [[] as string[], [] as string[]];
  for (const [first, last] of [
    [0xc0, 0x24f],
    [0x1e00, 0x1eff],
  ] as const) {
    for (let cp = first; cp <= last; cp++) {
      const ch = String.fromCodePoint(cp);
      const folded = foldForSearch(ch);
      if (folded.length === 1 && /[a-z]/.test(folded)) {
        from.push(ch);
        to.push(folded);
      }
    }
  }
  return { from: from.join(''), to: to.join('') };
})();

/** SQL: a text folded as foldForSearch folds it (accents off, đ as d, lowercase), on any database locale. */
function folded(text: SQL): SQL {
  return sql`lower(translate(${text}, ${FOLDS.from}, ${FOLDS.to}))`;
}

/** Posts a comment and notifies the colleagues it mentions (once per idempotency key). */
export async function addComment(db: Executor, actor: Actor, input: NewComment) {
  const { idempotencyKey, ...comment } = input;
  return withIdempotency(db, actor, idempotencyKey, 'comment.add', comment, async (tx) => {
    const added = await postComment(tx, actor, comment);
    return { id: added.id, instanceId: added.instanceId, createdAt: added.createdAt.toISOString() };
  });
}

async function postComment(db: Executor, actor: Actor, input: Omit<NewComment, 'idempotencyKey'>) {
  const t = translator(actor.locale);
  if (actor.role === 'auditor') throw new AppError('FORBIDDEN', t('errCommentReadOnly'));
  const body = input.body.replace(/\r\n?/g, '\n').trim();
  if (body === '')
    throw new AppError('BAD_REQUEST', t('errCommentEmpty'), [
      { field: 'body', label: t('commentLabel'), message: t('errCommentEmpty') },
    ]);
  if (body.length > MAX_COMMENT_LENGTH)
    throw new AppError('BAD_REQUEST', t('errCommentTooLong', { max: MAX_COMMENT_LENGTH, count: body.length }), [
      {
        field: 'body',
        label: t('commentLabel'),
        message: t('errCommentTooLong', { max: MAX_COMMENT_LENGTH, count: body.length }),
      },
    ]);
  const mentions = [...new Set(input.mentions ?? [])].filter((id) => id !== actor.userId);
  if (mentions.length > MAX_MENTIONS)
    throw new AppError('BAD_REQUEST', t('errCommentTooManyMentions', { max: MAX_MENTIONS }));
  return db.transaction(async (tx) => {
    const { instanceId, task } = await caseOf(tx, actor, input);
    if (mentions.length > 0) {
      // One statement for every mention: the company's members among them, and whether each may open the case.
      const members = await tx
        .select({
          id: users.id,
          name: users.displayName,
          mayOpen: sql<boolean>`${mayOpenCaseSql(actor.tenantId, instanceId, sql`${memberships.userId}`, sql`${memberships.role}`)}`,
        })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.tenantId, actor.tenantId), inArray(memberships.userId, mentions)));
      if (members.length !== mentions.length) throw new AppError('BAD_REQUEST', t('errCommentMentionUnknown'));
      const blind = members.find((m) => !m.mayOpen);
      if (blind) throw new AppError('BAD_REQUEST', t('errCommentMentionCannotSee', { name: blind.name }));
    }
    const [row] = await tx
      .insert(comments)
      .values({
        tenantId: actor.tenantId,
        instanceId,
        taskId: task?.id ?? null,
        authorId: actor.userId,
        body,
        mentions,
      })
      .returning({ id: comments.id, createdAt: comments.createdAt });
    // The case's history keeps who wrote on it when, and whom they mentioned (the text stays in comments).
    await appendAudit(tx, [
      {
        tenantId: actor.tenantId,
        instanceId,
        taskId: task?.id ?? null,
        actorId: actor.userId,
        type: 'comment.added',
        elementId: task?.elementId ?? null,
        data: { commentId: row!.id, mentions },
      },
    ]);
    const excerpt = body.length > EXCERPT ? `${body.slice(0, EXCERPT - 1)}…` : body;
    await notify(
      tx,
      mentions.map((userId) => ({
        tenantId: actor.tenantId,
        userId,
        kind: 'mentioned' as const,
        key: `mention:${row!.id}`,
        taskId: task?.id ?? null,
        instanceId,
        actorId: actor.userId,
        data: { task: task?.name ?? null, excerpt },
      })),
    );
    return { id: row!.id, createdAt: row!.createdAt, instanceId };
  });
}

export interface CommentsInput {
  taskId?: string;
  instanceId?: string;
  /** The id of the oldest comment shown: the page before it ("Show older"). */
  before?: string;
  limit?: number;
}

/**
 * A page of the case's comments: the newest `limit` (before the comment `before`, when given),
 * oldest first, with their authors, the task each was written on, and whom they mention. A page
 * as long as the limit may have older ones: ask again with `before` set to its first comment's id.
 */
export async function listComments(db: Executor, actor: Actor, input: CommentsInput) {
  const { instanceId } = await caseOf(db, actor, input);
  const limit = Math.min(Math.max(1, Math.trunc(input.limit ?? COMMENTS_PAGE)), MAX_COMMENTS_PAGE);
  const here = and(eq(comments.tenantId, actor.tenantId), eq(comments.instanceId, instanceId));
  // Keyset on (created_at, id), continued from the row itself: the cursor is the comment's id, checked to be this case's.
  const before = input.before
    ? sql`(${comments.createdAt}, ${comments.id}) < (select c.created_at, c.id from ${comments} c where c.tenant_id = ${actor.tenantId}::uuid and c.instance_id = ${instanceId}::uuid and c.id = ${input.before}::uuid)`
    : undefined;
  const rows = await db
    .select({
      id: comments.id,
      body: comments.body,
      createdAt: comments.createdAt,
      author: users.displayName,
      authorId: comments.authorId,
      taskId: comments.taskId,
      taskName: tasks.name,
      mentions: comments.mentions,
    })
    .from(comments)
    .innerJoin(users, eq(users.id, comments.authorId))
    .leftJoin(tasks, eq(tasks.id, comments.taskId))
    .where(and(here, before))
    .orderBy(desc(comments.createdAt), desc(comments.id))
    .limit(limit);
  rows.reverse();
  const mentioned = [...new Set(rows.flatMap((r) => r.mentions))];
  const names =
    mentioned.length === 0
      ? new Map<string, string>()
      : new Map(
          (
            await db.select({ id: users.id, name: users.displayName }).from(users).where(inArray(users.id, mentioned))
          ).map((u) => [u.id, u.name]),
        );
  return rows.map(({ mentions, taskName, ...r }) => ({
    ...r,
    task: taskName ? (localize(taskName as never, actor.locale) ?? null) : null,
    mentions: mentions.map((id) => ({ id, name: names.get(id) ?? '—' })),
  }));
}

/**
 * Colleagues the caller may mention on the case, for what they typed after "@" (`q`: the start of
 * a word of the name, or of the e-mail address, accents optional): the company's members who may
 * open it, by name, at most MENTION_SUGGESTIONS — one statement.
 */
export async function mentionable(
  db: Executor,
  actor: Actor,
  input: { taskId?: string; instanceId?: string; q?: string },
) {
  const { instanceId } = await caseOf(db, actor, input);
  const words = searchWords(input.q ?? '');
  const name = sql`(' ' || ${folded(sql`${users.displayName}`)})`;
  // Each typed word starts a word of the name ("lan ng" finds "Nguyễn Thị Lan"); one word may start the address.
  const typed = words.map(
    (w) =>
      sql`(${name} like ${`% ${likeEscaped(w)}%`} or ${words.length === 1 ? sql`lower(${users.email}) like ${`${likeEscaped(w)}%`}` : sql`false`})`,
  );
  return db
    .select({ id: users.id, name: users.displayName, title: memberships.title })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(
      and(
        eq(memberships.tenantId, actor.tenantId),
        sql`${memberships.userId} <> ${actor.userId}::uuid`,
        ...typed,
        mayOpenCaseSql(actor.tenantId, instanceId, sql`${memberships.userId}`, sql`${memberships.role}`),
      ),
    )
    .orderBy(asc(users.displayName), asc(users.id))
    .limit(MENTION_SUGGESTIONS);
}

/** A folded word as a LIKE pattern's literal part (searchWords leaves letters and digits only; this is for safety). */
function likeEscaped(word: string): string {
  return word.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** The case's files (sent with its forms, or attached beside its comments), to whoever may open it. */
export async function caseFiles(db: Executor, actor: Actor, input: { taskId?: string; instanceId?: string }) {
  const { instanceId } = await caseOf(db, actor, input);
  return { instanceId, files: await instanceAttachments(db, actor, instanceId) };
}
