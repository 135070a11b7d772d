import { z } from 'zod';
import { retryIncident } from '../../services/incidents';
import { adminProcedure, router } from '../init';

export const jobRouter = router({
  /** Resolves an incident: the failed job runs again from its first attempt. Admins only. */
  retry: adminProcedure('action_retryJob')
    .input(z.object({ id: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      // As the incident list's retry: one transaction (the job made due and its audit row), then the job hint.
      await retryIncident(ctx.db, ctx.actor, { kind: 'job', id: input.id });
      return { id: input.id, status: 'pending' as const };
    }),
});
