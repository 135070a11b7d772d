import { z } from 'zod';
import { broadcastInputShape, broadcastSignal } from '../../services/messages';
import { router, workerProcedure } from '../init';

export const signalRouter = router({
  /**
   * For a signal some process declares public (sendableBy; else FORBIDDEN): reaches the instances
   * waiting for it at an element that lets the caller, and starts the processes with a signal start
   * event of that name they may start. Variables are capped (TRELLIS_MAX_MESSAGE_BYTES).
   */
  broadcast: workerProcedure
    .input(z.object(broadcastInputShape))
    .mutation(({ ctx, input }) => broadcastSignal(ctx.db, ctx.actor, input)),
});
