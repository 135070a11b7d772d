import { z } from 'zod';
import {
  createInboundHook,
  deactivateInboundHook,
  heardMessageNames,
  listInboundHooks,
  rotateInboundHookSecret,
} from '../../services/inbound-hooks';
import { adminProcedure, router } from '../init';

/** An inbound webhook lets an outside system publish messages into the company's processes: admins only. */
const adminOnly = adminProcedure('action_manageInboundHooks');

const byId = z.object({ id: z.uuid() });

/**
 * Inbound webhooks (services/inbound-hooks.ts). Inputs are loosely typed on purpose: the service
 * checks each field and refuses naming it in the caller's language, which a zod refusal here could not.
 */
export const inboundHookRouter = router({
  /** Makes a hook. The answer carries its signing secret: the only time it is shown, with rotateSecret's. */
  create: adminOnly
    .input(
      z.object({
        name: z.string().max(1_000),
        messageName: z.string().max(1_000),
        correlationKey: z.string().max(5_000).nullish(),
        toleranceSeconds: z.number().optional(),
      }),
    )
    .mutation(({ ctx, input }) => createInboundHook(ctx.db, ctx.actor, input)),
  /** The company's hooks, newest first, without their secrets. */
  list: adminOnly.query(({ ctx }) => listInboundHooks(ctx.db, ctx.actor)),
  /** The message names the company's published processes start on or wait for: what the create form offers. */
  messageNames: adminOnly.query(({ ctx }) => heardMessageNames(ctx.db, ctx.actor)),
  /** A new signing secret, shown once; the old one stops working at once. */
  rotateSecret: adminOnly
    .input(byId)
    .mutation(({ ctx, input }) => rotateInboundHookSecret(ctx.db, ctx.actor, input.id)),
  /** Refuses every request to the hook from now on, for good. */
  deactivate: adminOnly.input(byId).mutation(({ ctx, input }) => deactivateInboundHook(ctx.db, ctx.actor, input.id)),
});
