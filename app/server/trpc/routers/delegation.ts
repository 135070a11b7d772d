import { z } from 'zod';
import { idempotencyKeySchema, withIdempotency } from '../../services/idempotency';
import { createDelegation, delegationColleagues, listDelegations, revokeDelegation } from '../../services/delegations';
import { memberProcedure, router, workerProcedure } from '../init';

/** Out of office: delegating one's tasks to a colleague for a time range (services/delegations.ts). */
export const delegationRouter = router({
  /** Delegates the caller's own tasks (auditors have none). */
  create: workerProcedure
    .input(
      z.object({
        delegateId: z.uuid(),
        startsAt: z.coerce.date(),
        endsAt: z.coerce.date(),
        reason: z.string().max(500).optional(),
        idempotencyKey: idempotencyKeySchema.optional(),
      }),
    )
    .mutation(({ ctx, input }) => {
      const { idempotencyKey, ...rest } = input;
      return withIdempotency(
        ctx.db,
        ctx.actor,
        idempotencyKey,
        'delegation.create',
        { ...rest, startsAt: rest.startsAt.toISOString(), endsAt: rest.endsAt.toISOString() },
        (tx) => createDelegation(tx, ctx.actor, rest),
      );
    }),
  /** The caller's delegations, given and received; an admin sees all of the company's. */
  list: memberProcedure.query(({ ctx }) => listDelegations(ctx.db, ctx.actor)),
  /** The delegator (or an admin) ends a delegation. */
  revoke: workerProcedure
    .input(z.object({ id: z.uuid() }))
    .mutation(({ ctx, input }) => revokeDelegation(ctx.db, ctx.actor, input.id)),
  /** Colleagues the caller may delegate to. */
  colleagues: workerProcedure.query(({ ctx }) => delegationColleagues(ctx.db, ctx.actor)),
});
