import { z } from 'zod';
import { emailStatuses } from '@/db/schema';
import { emailSettings, readEnv } from '../../env';
import { listOutbox, sendOutboxEmail } from '../../services/outbox';
import { adminProcedure, router } from '../init';

export const outboxRouter = router({
  /** The company's emails, newest first, a page at a time (`next` is the `after` of the next page). Admins only. */
  list: adminProcedure('action_readOutbox')
    .input(
      z
        .object({
          limit: z.number().int().min(1).max(100).optional(),
          after: z.uuid().optional(),
          status: z.enum(emailStatuses).optional(),
        })
        .default({}),
    )
    .query(({ ctx, input }) => listOutbox(ctx.db, ctx.actor.tenantId, input)),
  /**
   * Sends a held or failed email now through the server's SMTP server (TRELLIS_SMTP_URL on this
   * app server): once, however often it is clicked. Admins only; audited as `email.resent`.
   */
  send: adminProcedure('action_sendOutbox')
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => sendOutboxEmail(ctx.db, ctx.actor, input.id, ctx.email ?? emailSettings(readEnv()))),
});
