import { z } from 'zod';
import { publishInputShape, publishMessage } from '../../services/messages';
import { router, workerProcedure } from '../init';

export const messageRouter = router({
  /**
   * Correlates to the instance waiting for it (name + correlation key) if its element lets the
   * caller send (sendableBy; else FORBIDDEN), or buffers it for its time to live. Variables and
   * time to live are capped by the service (TRELLIS_MAX_MESSAGE_BYTES, TRELLIS_MAX_MESSAGE_TTL_SECONDS).
   */
  publish: workerProcedure
    .input(z.object(publishInputShape))
    .mutation(({ ctx, input }) => publishMessage(ctx.db, ctx.actor, input)),
});
