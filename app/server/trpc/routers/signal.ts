import { z } from 'zod';
import { broadcastSignal } from '../../services/messages';
import { router, workerProcedure } from '../init';

export const signalRouter = router({
  /** Reaches every instance waiting for the signal and starts every process with a signal start event of that name. */
  broadcast: workerProcedure
    .input(z.object({ name: z.string().min(1).max(200), variables: z.record(z.string(), z.unknown()).default({}) }))
    .mutation(({ ctx, input }) => broadcastSignal(ctx.db, ctx.actor, input)),
});
