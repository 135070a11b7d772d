import { z } from 'zod';
import { analyticsOverview, overdueByDepartment, processAnalytics } from '../../services/analytics';
import { memberProcedure, router } from '../init';

/**
 * Loose shapes: the service reads them (services/analytics.ts), so a value it cannot take is a
 * BAD_REQUEST naming the field by its label in the caller's language, not a parser's message.
 */
const range = { startedFrom: z.string().max(40).optional(), startedTo: z.string().max(40).optional() };

/**
 * Process analytics: per process and version, and overdue tasks per department (services/analytics.ts).
 * Members may call; the service lets through whom the instances list does (admins, auditors,
 * department managers for their departments' processes) and refuses anyone else.
 */
export const analyticsRouter = router({
  /** Per process in the caller's scope, the headline counts of the period (default: the last 90 days). */
  overview: memberProcedure
    .input(z.strictObject(range).default({}))
    .query(({ ctx, input }) => analyticsOverview(ctx.db, ctx.actor, input)),
  /** One process, of one version or all: counts, cycle times, waits per element, and the diagram they are drawn on. */
  process: memberProcedure
    .input(z.strictObject({ key: z.string().max(200), version: z.number().optional(), ...range }))
    .query(({ ctx, input }) => processAnalytics(ctx.db, ctx.actor, input)),
  /** Open tasks past their due date per department, of the instances the caller may see. */
  overdue: memberProcedure.query(({ ctx }) => overdueByDepartment(ctx.db, ctx.actor)),
});
