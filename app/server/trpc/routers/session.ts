import { z } from 'zod';
import { listCompanies, switchCompany } from '../../services/accounts';
import { AppError } from '../../errors';
import { memberProcedure, publicProcedure, router } from '../init';

export const sessionRouter = router({
  /** Who is signed in (user, active company, role), or null. */
  me: publicProcedure.query(({ ctx }) => ctx.actor),
  /** The companies the caller belongs to, for the company switcher. */
  companies: memberProcedure.query(({ ctx }) => listCompanies(ctx.db, ctx.actor.userId)),
  /** Makes another of the caller's companies the session's active one; NOT_FOUND for any other id. */
  switchCompany: memberProcedure.input(z.object({ tenantId: z.uuid() })).mutation(({ ctx, input }) => {
    if (!ctx.sessionId)
      throw new AppError('PRECONDITION_FAILED', 'Switching company needs a signed-in browser session.');
    return switchCompany(ctx.db, {
      sessionId: ctx.sessionId,
      userId: ctx.actor.userId,
      tenantId: input.tenantId,
      locale: ctx.locale,
    });
  }),
});
