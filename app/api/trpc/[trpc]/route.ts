import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { requestContext } from '../../../server/request';
import { appRouter } from '../../../server/trpc/root';

const handler = (req: Request) => fetchRequestHandler({ endpoint: '/api/trpc', req, router: appRouter, createContext: requestContext });

export { handler as GET, handler as POST };
