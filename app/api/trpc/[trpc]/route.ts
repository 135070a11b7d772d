import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { crossSiteRefusal } from '../../../server/csrf';
import { readEnv } from '../../../server/env';
import { requestContext } from '../../../server/request';
import { appRouter } from '../../../server/trpc/root';

/** tRPC over fetch; a mutation sent from another site is refused before any context is made. */
async function handler(req: Request): Promise<Response> {
  const env = readEnv();
  const refused = crossSiteRefusal(req, env.BETTER_AUTH_URL ? [new URL(env.BETTER_AUTH_URL).origin] : []);
  if (refused) return refused;
  return fetchRequestHandler({ endpoint: '/api/trpc', req, router: appRouter, createContext: requestContext });
}

export { handler as GET, handler as POST };
