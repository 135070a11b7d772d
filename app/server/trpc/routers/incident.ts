import { z } from 'zod';
import { keySchema } from '@/engine';
import { listIncidents, retryIncident, terminateInstance } from '../../services/incidents';
import { adminProcedure, router } from '../init';

/** Incidents show every instance's errors and data, and resolving one changes a run: admins only. */
const adminOnly = adminProcedure('action_resolveIncidents');

/** Variables an admin sets to fix an instance before retrying it: named, and small. */
const variablesSchema = z
  .record(z.string().min(1).max(200), z.unknown())
  .refine((v) => JSON.stringify(v).length <= 64_000, {
    message: 'The variables are larger than 64 kB; set fewer or smaller values.',
  });

export const incidentRouter = router({
  /** Open incidents of the company across instances: failed jobs and instances the engine stopped. */
  list: adminOnly
    .input(z.object({ processKey: keySchema.optional() }).default({}))
    .query(({ ctx, input }) => listIncidents(ctx.db, ctx.actor, input)),
  /**
   * Retries one: `job` — the failed job runs again from its first attempt; `instance` — the
   * element the engine stopped at is tried again, after `variables` (the fix) are set.
   */
  retry: adminOnly
    .input(
      z.discriminatedUnion('kind', [
        z.object({ kind: z.literal('job'), id: z.uuid() }),
        z.object({ kind: z.literal('instance'), id: z.uuid(), variables: variablesSchema.optional() }),
      ]),
    )
    .mutation(({ ctx, input }) => retryIncident(ctx.db, ctx.actor, input)),
  /** Resolves an instance's incidents by ending it (terminated), with a reason for the history. */
  resolve: adminOnly
    .input(z.object({ instanceId: z.uuid(), reason: z.string().trim().min(1).max(1_000) }))
    .mutation(({ ctx, input }) => terminateInstance(ctx.db, ctx.actor, input)),
});
