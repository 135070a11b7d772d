import { z } from 'zod';
import { completeTask, getTask, listInbox } from '../../services/tasks';
import { memberProcedure, router, workerProcedure } from '../init';

export const taskRouter = router({
  /** The caller's inbox: tasks assigned to them or offered to their departments. */
  list: memberProcedure.query(({ ctx }) => listInbox(ctx.db, ctx.actor)),
  get: memberProcedure.input(z.object({ id: z.uuid() })).query(({ ctx, input }) => getTask(ctx.db, ctx.actor, input.id)),
  complete: workerProcedure
    .input(z.object({ id: z.uuid(), data: z.record(z.string(), z.unknown()) }))
    .mutation(({ ctx, input }) => completeTask(ctx.db, ctx.actor, { taskId: input.id, data: input.data })),
});
