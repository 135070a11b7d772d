import { z } from 'zod';
import { keySchema } from '@/engine';
import { getInstance, startInstance } from '../../services/instances';
import { memberProcedure, router, workerProcedure } from '../init';

export const instanceRouter = router({
  start: workerProcedure
    .input(z.object({ definitionKey: keySchema, variables: z.record(z.string(), z.unknown()).default({}) }))
    .mutation(({ ctx, input }) => startInstance(ctx.db, ctx.actor, input)),
  get: memberProcedure.input(z.object({ id: z.uuid() })).query(({ ctx, input }) => getInstance(ctx.db, ctx.actor, input.id)),
});
