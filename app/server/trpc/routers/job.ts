import { z } from 'zod';
import { retryJob } from '../../services/jobs';
import { adminProcedure, router } from '../init';

export const jobRouter = router({
  /** Resolves an incident: the failed job runs again from its first attempt. Admins only. */
  retry: adminProcedure('action_retryJob').input(z.object({ id: z.uuid() })).mutation(async ({ ctx, input }) => {
    await retryJob(ctx.db, ctx.actor.tenantId, input.id, ctx.actor.userId);
    return { id: input.id, status: 'pending' as const };
  }),
});
