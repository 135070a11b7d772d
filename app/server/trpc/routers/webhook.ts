import { z } from 'zod';
import {
  createWebhook,
  deleteWebhook,
  listDeliveries,
  listWebhooks,
  redeliver,
  rotateWebhookSecret,
  setWebhookActive,
  webhookEvents,
} from '../../services/webhooks';
import { adminProcedure, router } from '../init';

/** Webhooks carry the company's events out and hold a signing secret: admins only. */
const adminOnly = adminProcedure('action_manageWebhooks');

const byId = z.object({ id: z.uuid() });

export const webhookRouter = router({
  /** Registers a URL for some events. The answer carries the signing secret: the only time it is shown. */
  create: adminOnly
    .input(
      z.object({
        url: z.string().min(1).max(2_000),
        events: z.array(z.enum(webhookEvents)).min(1).max(webhookEvents.length),
      }),
    )
    .mutation(({ ctx, input }) => createWebhook(ctx.db, ctx.actor, input)),
  /** The company's webhooks, without their secrets. */
  list: adminOnly.query(({ ctx }) => listWebhooks(ctx.db, ctx.actor)),
  /** Stops deliveries: pending ones are cancelled; `activate` turns it on again for new events. */
  deactivate: adminOnly.input(byId).mutation(({ ctx, input }) => setWebhookActive(ctx.db, ctx.actor, input.id, false)),
  activate: adminOnly.input(byId).mutation(({ ctx, input }) => setWebhookActive(ctx.db, ctx.actor, input.id, true)),
  delete: adminOnly.input(byId).mutation(({ ctx, input }) => deleteWebhook(ctx.db, ctx.actor, input.id)),
  /** A new signing secret, shown once; the old one stops working at once. */
  rotateSecret: adminOnly.input(byId).mutation(({ ctx, input }) => rotateWebhookSecret(ctx.db, ctx.actor, input.id)),
  /** Recent deliveries with their status, attempts and last error, newest first. */
  deliveries: adminOnly
    .input(z.object({ id: z.uuid(), limit: z.number().int().min(1).max(200).default(50) }))
    .query(({ ctx, input }) => listDeliveries(ctx.db, ctx.actor, input.id, input.limit)),
  /** A failed delivery is sent again (same delivery id), from its first attempt. */
  redeliver: adminOnly
    .input(z.object({ id: z.uuid(), deliveryId: z.uuid() }))
    .mutation(({ ctx, input }) => redeliver(ctx.db, ctx.actor, input.id, input.deliveryId)),
});
