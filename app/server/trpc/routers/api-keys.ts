/**
 * The admin side of API keys (app/admin/api-keys): list, create, revoke, and what the create form
 * offers. The keys themselves act only at /api/v1: a tRPC context is made from the browser
 * session alone (request.ts), so a request carrying nothing but a key's token is signed out here
 * (the access matrix asserts it for every procedure).
 */
import { z } from 'zod';
import { apiKeyChoices } from '../../services/api-key-choices';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyScopesInput } from '../../services/api-keys';
import { adminProcedure, router } from '../init';

/** A key lets an outside system act on the company's processes: admins only. */
const adminOnly = adminProcedure('action_manageApiKeys');

export const apiKeysRouter = router({
  /** The company's keys, newest first, with their status on the database clock; never a token or its hash. */
  list: adminOnly.query(({ ctx }) => listApiKeys(ctx.db, ctx.actor)),
  /**
   * Creates a key. The answer carries the token: the only time it exists outside the caller's hands.
   * The scopes pass through unparsed: the service checks them with apiKeyScopesSchema and names
   * each wrong entry (`scopes.jobTypes.2`) in the caller's language, which a parse here would
   * answer with zod's English instead. The name's and expiry's range are the service's for the
   * same reason; only their types are checked here.
   */
  create: adminOnly
    .input(
      z.object({
        name: z.string(),
        expiresInDays: z.number(),
        scopes: z.custom<ApiKeyScopesInput>(),
      }),
    )
    .mutation(({ ctx, input }) => createApiKey(ctx.db, ctx.actor, input)),
  /** Refused from its next request on; revoking again changes nothing. Another company's key is NOT_FOUND. */
  revoke: adminOnly
    .input(z.object({ id: z.string().max(200) }))
    .mutation(({ ctx, input }) => revokeApiKey(ctx.db, ctx.actor, input.id)),
  /** The published processes (key, name) and the message names they wait for: what the form offers to tick or pick. */
  choices: adminOnly.query(({ ctx }) => apiKeyChoices(ctx.db, ctx.actor.tenantId)),
});
