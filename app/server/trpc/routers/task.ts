import { z } from 'zod';
import { idempotencyKeySchema, withIdempotency } from '../../services/idempotency';
import { completeTask, getTask, listInbox } from '../../services/tasks';
import { memberProcedure, router, workerProcedure } from '../init';

export const taskRouter = router({
  /** The caller's inbox: tasks assigned to them or offered to their departments. */
  list: memberProcedure.query(({ ctx }) => listInbox(ctx.db, ctx.actor)),
  get: memberProcedure.input(z.object({ id: z.uuid() })).query(({ ctx, input }) => getTask(ctx.db, ctx.actor, input.id)),
  /** With an idempotencyKey, a retry returns the first completion's result instead of a conflict. */
  complete: workerProcedure
    .input(z.object({ id: z.uuid(), data: z.record(z.string(), z.unknown()), idempotencyKey: idempotencyKeySchema.optional() }))
    .mutation(({ ctx, input }) =>
      withIdempotency(ctx.db, ctx.actor, input.idempotencyKey, 'task.complete', { id: input.id, data: input.data }, (tx) => completeTask(tx, ctx.actor, { taskId: input.id, data: input.data })),
    ),
});
