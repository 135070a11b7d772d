import { z } from 'zod';
import { keySchema } from '@/engine';
import { idempotencyKeySchema, withIdempotency } from '../../services/idempotency';
import { getInstance, startInstance } from '../../services/instances';
import { memberProcedure, router, workerProcedure } from '../init';

export const instanceRouter = router({
  /** With an idempotencyKey, a retry returns the first start's result instead of starting again. */
  start: workerProcedure
    .input(z.object({ definitionKey: keySchema, variables: z.record(z.string(), z.unknown()).default({}), idempotencyKey: idempotencyKeySchema.optional() }))
    .mutation(({ ctx, input: { idempotencyKey, ...input } }) => withIdempotency(ctx.db, ctx.actor, idempotencyKey, 'instance.start', input, (tx) => startInstance(tx, ctx.actor, input))),
  get: memberProcedure.input(z.object({ id: z.uuid() })).query(({ ctx, input }) => getInstance(ctx.db, ctx.actor, input.id)),
});
