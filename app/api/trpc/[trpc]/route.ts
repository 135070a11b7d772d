import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { limitRequest } from '../../../server/body-limit';
import { crossSiteRefusal } from '../../../server/csrf';
import { readEnv, requestLimits } from '../../../server/env';
import { requestContext, requestLocale } from '../../../server/request';
import { appRouter } from '../../../server/trpc/root';
import { MAX_BATCH_SIZE } from '../../../_components/trpc-limits';

/**
 * tRPC over fetch; a mutation sent from another site is refused before any context is made, and
 * a body or URL past the size limits (body-limit.ts) before anything parses it.
 */
async function handler(req: Request): Promise<Response> {
  const env = readEnv();
  const refused = crossSiteRefusal(req, env.BETTER_AUTH_URL ? [new URL(env.BETTER_AUTH_URL).origin] : []);
  if (refused) return refused;
  const limited = await limitRequest(req, requestLimits(env), await requestLocale(), {
    format: 'trpc',
    jsonQueryParam: 'input',
  });
  if (limited instanceof Response) return limited;
  // A batch runs its calls at once: without a cap one request would be a thousand commands, each with its own budget.
  return fetchRequestHandler({
    endpoint: '/api/trpc',
    req: limited,
    router: appRouter,
    createContext: requestContext,
    maxBatchSize: MAX_BATCH_SIZE,
  });
}

export { handler as GET, handler as POST };
