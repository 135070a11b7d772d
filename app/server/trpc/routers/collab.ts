import { z } from 'zod';
import { notificationKinds } from '@/db/schema';
import { idempotencyKeySchema } from '../../services/idempotency';
import {
  addComment,
  caseFiles,
  listComments,
  MAX_COMMENT_LENGTH,
  MAX_COMMENTS_PAGE,
  MAX_MENTIONS,
  mentionable,
} from '../../services/comments';
import {
  listNotifications,
  markRead,
  notificationSettings,
  notificationText,
  setNotificationSettings,
  unreadCount,
} from '../../services/notifications';
import { formatDateTime } from '../../../_i18n/format';
import { memberProcedure, router } from '../init';

/** A case: by one of its tasks, or itself. */
const caseInput = z.union([z.object({ taskId: z.uuid() }), z.object({ instanceId: z.uuid() })]);
/** A page of a case's comments: the newest, or those before the comment `before` (the oldest one shown). */
const commentsInput = z.union([
  z.object({
    taskId: z.uuid(),
    before: z.uuid().optional(),
    limit: z.number().int().min(1).max(MAX_COMMENTS_PAGE).optional(),
  }),
  z.object({
    instanceId: z.uuid(),
    before: z.uuid().optional(),
    limit: z.number().int().min(1).max(MAX_COMMENTS_PAGE).optional(),
  }),
]);
/** What was typed after "@" (accents optional). */
const mentionInput = z.union([
  z.object({ taskId: z.uuid(), q: z.string().max(100).optional() }),
  z.object({ instanceId: z.uuid(), q: z.string().max(100).optional() }),
]);

export const collabRouter = router({
  /** The case's newest comments (or those before `before`), oldest first: a full page may have older ones. */
  comments: memberProcedure.input(commentsInput).query(({ ctx, input }) => listComments(ctx.db, ctx.actor, input)),
  /** The case's files. */
  files: memberProcedure.input(caseInput).query(({ ctx, input }) => caseFiles(ctx.db, ctx.actor, input)),
  /** Colleagues who may open the case, to @mention, for what was typed (`q`), at most 20. */
  mentionable: memberProcedure.input(mentionInput).query(({ ctx, input }) => mentionable(ctx.db, ctx.actor, input)),
  /** Posts a comment (auditors may not); a retry with the same key posts nothing more. */
  comment: memberProcedure
    .input(
      z.object({
        taskId: z.uuid().optional(),
        instanceId: z.uuid().optional(),
        // The service words a too-long comment in the caller's language; this only bounds the request.
        body: z.string().max(MAX_COMMENT_LENGTH * 2),
        mentions: z
          .array(z.uuid())
          .max(MAX_MENTIONS * 2)
          .optional(),
        idempotencyKey: idempotencyKeySchema.optional(),
      }),
    )
    .mutation(({ ctx, input }) => addComment(ctx.db, ctx.actor, input)),
  /** The bell: the newest notifications and the unread count. */
  notifications: memberProcedure.query(({ ctx }) => listNotifications(ctx.db, ctx.actor)),
  unread: memberProcedure.query(({ ctx }) => unreadCount(ctx.db, ctx.actor)),
  /** The bell's list, worded in the caller's language with links (notificationText). */
  bell: memberProcedure.query(async ({ ctx }) => {
    const { items, unread } = await listNotifications(ctx.db, ctx.actor);
    return {
      unread,
      items: items.map((n) => ({
        id: n.id,
        text: notificationText(ctx.actor.locale, { kind: n.kind, data: n.data, actor: n.actor }),
        href: n.taskId ? `/tasks/${n.taskId}` : n.instanceId ? `/instances/${n.instanceId}` : '/inbox',
        when: formatDateTime(n.createdAt, ctx.actor.locale),
        unread: n.readAt === null,
      })),
    };
  }),
  markRead: memberProcedure
    .input(z.object({ ids: z.union([z.array(z.uuid()).max(100), z.literal('all')]) }))
    .mutation(({ ctx, input }) => markRead(ctx.db, ctx.actor, input.ids)),
  notificationSettings: memberProcedure.query(({ ctx }) => notificationSettings(ctx.db, ctx.actor)),
  setNotificationSettings: memberProcedure
    .input(
      z.object({
        settings: z
          .array(z.object({ kind: z.enum(notificationKinds), app: z.boolean(), email: z.boolean() }))
          .max(notificationKinds.length),
      }),
    )
    .mutation(({ ctx, input }) => setNotificationSettings(ctx.db, ctx.actor, input.settings)),
});
