import { z } from 'zod';
import { keySchema } from '@/engine';
import { getStartable, listStartable } from '../../services/definitions';
import { memberProcedure, router } from '../init';

export const definitionRouter = router({
  /** Processes the caller may start (latest version of each). */
  list: memberProcedure.query(({ ctx }) => listStartable(ctx.db, ctx.actor)),
  /** The latest version of one process the caller may start, with its start form. */
  get: memberProcedure.input(z.object({ key: keySchema })).query(({ ctx, input }) => getStartable(ctx.db, ctx.actor, input.key)),
});
