import { z } from 'zod';
import { idempotencyKeySchema, withIdempotency } from '../../services/idempotency';
import {
  claimMany,
  claimTask,
  completeTask,
  getTask,
  MAX_BULK_CLAIM,
  reassignTask,
  unclaimTask,
} from '../../services/tasks';
import {
  deleteView,
  inboxCounts,
  inboxFilterOptions,
  inboxPageSchema,
  inboxPage,
  listInbox,
  listInboxSchema,
  listSavedViews,
  savedViewInput,
  saveView,
} from '../../services/inbox';
import { adminProcedure, memberProcedure, router, workerProcedure } from '../init';

const byId = z.object({ id: z.uuid(), idempotencyKey: idempotencyKeySchema.optional() });

export const taskRouter = router({
  /**
   * The caller's inbox (the All list) as an array, for API clients; each row carries the `cursor`
   * that continues after it: send the last row's for the next page (optional: the first page).
   */
  list: memberProcedure.input(listInboxSchema).query(({ ctx, input }) => listInbox(ctx.db, ctx.actor, input)),
  /** One page of an inbox list (mine, departments, delegated, done) with filters, search and sort; `next` continues it. */
  inbox: memberProcedure.input(inboxPageSchema).query(({ ctx, input }) => inboxPage(ctx.db, ctx.actor, input)),
  /** The inbox navigation's counts. */
  counts: memberProcedure.query(({ ctx }) => inboxCounts(ctx.db, ctx.actor)),
  /** What the inbox filters offer (the company's processes). */
  filterOptions: memberProcedure.query(({ ctx }) => inboxFilterOptions(ctx.db, ctx.actor)),
  /** The caller's saved inbox views. */
  views: memberProcedure.query(({ ctx }) => listSavedViews(ctx.db, ctx.actor)),
  saveView: memberProcedure.input(savedViewInput).mutation(({ ctx, input }) => saveView(ctx.db, ctx.actor, input)),
  deleteView: memberProcedure
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => deleteView(ctx.db, ctx.actor, input.id)),
  /** Claims each selected task (each checked as one claim; the result says which were not). */
  claimMany: workerProcedure
    .input(z.object({ ids: z.array(z.uuid()).min(1).max(MAX_BULK_CLAIM) }))
    .mutation(({ ctx, input }) => claimMany(ctx.db, ctx.actor, input.ids)),
  get: memberProcedure
    .input(z.object({ id: z.uuid() }))
    .query(({ ctx, input }) => getTask(ctx.db, ctx.actor, input.id)),
  /** With an idempotencyKey, a retry returns the first completion's result instead of a conflict. */
  /** `version`: the task version the page showed; a task claimed or reassigned since is a conflict. */
  complete: workerProcedure
    .input(
      z.object({
        id: z.uuid(),
        data: z.record(z.string(), z.unknown()),
        version: z.number().int().min(1).optional(),
        idempotencyKey: idempotencyKeySchema.optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      withIdempotency(
        ctx.db,
        ctx.actor,
        input.idempotencyKey,
        'task.complete',
        { id: input.id, data: input.data },
        (tx) =>
          completeTask(tx, ctx.actor, {
            taskId: input.id,
            data: input.data,
            ...(input.version === undefined ? {} : { version: input.version }),
          }),
      ),
    ),
  /** A candidate takes an unassigned task (claiming one's own task again changes nothing). */
  claim: workerProcedure
    .input(byId)
    .mutation(({ ctx, input }) =>
      withIdempotency(ctx.db, ctx.actor, input.idempotencyKey, 'task.claim', { id: input.id }, (tx) =>
        claimTask(tx, ctx.actor, input.id),
      ),
    ),
  /** The assignee gives a department task back to its departments. */
  unclaim: workerProcedure
    .input(byId)
    .mutation(({ ctx, input }) =>
      withIdempotency(ctx.db, ctx.actor, input.idempotencyKey, 'task.unclaim', { id: input.id }, (tx) =>
        unclaimTask(tx, ctx.actor, input.id),
      ),
    ),
  /** An admin gives an open task to a member of the company who may work it. */
  reassign: adminProcedure('action_reassignTasks')
    .input(
      z.object({
        id: z.uuid(),
        assigneeId: z.uuid(),
        version: z.number().int().min(1).optional(),
        idempotencyKey: idempotencyKeySchema.optional(),
      }),
    )
    .mutation(({ ctx, input }) => {
      const { idempotencyKey, ...rest } = input;
      return withIdempotency(ctx.db, ctx.actor, idempotencyKey, 'task.reassign', rest, (tx) =>
        reassignTask(tx, ctx.actor, rest),
      );
    }),
});
