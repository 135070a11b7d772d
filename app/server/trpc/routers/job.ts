import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { retryJob } from '../../services/jobs';
import { router, workerProcedure } from '../init';

export const jobRouter = router({
  /** Resolves an incident: the failed job runs again from its first attempt. Admins only. */
  retry: workerProcedure.input(z.object({ id: z.uuid() })).mutation(async ({ ctx, input }) => {
    if (ctx.actor.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: 'Only an admin may retry a failed job.' });
    await retryJob(ctx.db, ctx.actor.tenantId, input.id, ctx.actor.userId);
    return { id: input.id, status: 'pending' as const };
  }),
});
