import { listStartable } from '../../services/definitions';
import { memberProcedure, router } from '../init';

export const definitionRouter = router({
  /** Processes the caller may start (latest version of each). */
  list: memberProcedure.query(({ ctx }) => listStartable(ctx.db, ctx.actor)),
});
