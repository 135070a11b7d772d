import { z } from 'zod';
import { hinted } from '../../services/job-signal';
import { retryJob } from '../../services/jobs';
import { adminProcedure, router } from '../init';

export const jobRouter = router({
  /** Resolves an incident: the failed job runs again from its first attempt. Admins only. */
  retry: adminProcedure('action_retryJob').input(z.object({ id: z.uuid() })).mutation(async ({ ctx, input }) => {
    // One transaction: the job made due and its audit row commit together.
    await hinted(ctx.db.transaction((tx) => retryJob(tx, ctx.actor.tenantId, input.id, ctx.actor.userId)));
    return { id: input.id, status: 'pending' as const };
  }),
});
