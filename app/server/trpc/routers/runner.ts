import { z } from 'zod';
import { instanceFilterOptions, instancePageSchema, listInstances } from '../../services/instance-list';
import { myRequests, requestsPageSchema } from '../../services/requests';
import { startCatalog } from '../../services/start-catalog';
import { memberProcedure, router } from '../init';

/** The runner's lists: what one may start, what one started, and the company's instances. */
export const runnerRouter = router({
  /** The processes the caller may start, grouped by department, searched without accents when `q` is given. */
  startable: memberProcedure
    .input(z.strictObject({ q: z.string().max(200).optional() }).default({}))
    .query(({ ctx, input }) => startCatalog(ctx.db, ctx.actor, input.q)),
  /** My requests: the instances the caller started, newest first, with where each is now (keyset pages). */
  requests: memberProcedure
    .input(requestsPageSchema.default({ limit: 25 }))
    .query(({ ctx, input }) => myRequests(ctx.db, ctx.actor, input)),
  /**
   * The company's instances, filtered, newest first (keyset pages): admins and auditors see all,
   * department managers their departments' processes, anyone else is refused (instance-list.ts).
   */
  instances: memberProcedure
    .input(instancePageSchema.default({ limit: 50 }))
    .query(({ ctx, input }) => listInstances(ctx.db, ctx.actor, input)),
  /** What the instances list's filters offer the caller (the same rule as `instances`). */
  instanceFilters: memberProcedure.query(({ ctx }) => instanceFilterOptions(ctx.db, ctx.actor)),
});
