import { z } from 'zod';
import { idempotencyKeySchema, withIdempotency } from '../../services/idempotency';
import { cancelInstance, getInstance, startInputShape, startInstance } from '../../services/instances';
import { memberProcedure, router, workerProcedure } from '../init';

export const instanceRouter = router({
  /** With an idempotencyKey, a retry returns the first start's result instead of starting again. */
  start: workerProcedure
    .input(z.object({ ...startInputShape, idempotencyKey: idempotencyKeySchema.optional() }))
    .mutation(({ ctx, input: { idempotencyKey, ...input } }) =>
      withIdempotency(ctx.db, ctx.actor, idempotencyKey, 'instance.start', input, (tx) =>
        startInstance(tx, ctx.actor, input),
      ),
    ),
  /**
   * Admins and auditors read any of the company's, department managers their departments' processes' (as /instances lists them),
   * others those they started or have (had) a task in; a delegate reads it without its data (`variables: null`, `mayReadData: false`).
   */
  get: memberProcedure
    .input(z.object({ id: z.uuid() }))
    .query(({ ctx, input }) => getInstance(ctx.db, ctx.actor, input.id)),
  /** Ends a running instance with its tasks and jobs: an admin, or its initiator while it is active. A reason is required (audited). */
  cancel: workerProcedure
    .input(
      z.object({
        id: z.uuid(),
        reason: z.string().max(1_000) /* an empty reason is refused by cancelInstance, in the caller's language */,
        idempotencyKey: idempotencyKeySchema.optional(),
      }),
    )
    .mutation(({ ctx, input: { idempotencyKey, id, reason } }) =>
      withIdempotency(ctx.db, ctx.actor, idempotencyKey, 'instance.cancel', { id, reason }, (tx) =>
        cancelInstance(tx, ctx.actor, { instanceId: id, reason }),
      ),
    ),
});
