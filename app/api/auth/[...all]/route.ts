/** better-auth's HTTP endpoints (sign-in, sign-up, sign-out, session, password reset) under /api/auth. */
import { getAuth } from '../../../server/auth';
import { limitRequest } from '../../../server/body-limit';
import { getDatabase } from '../../../server/database';
import { readEnv, requestLimits } from '../../../server/env';
import { requestLocale } from '../../../server/request';

async function handler(req: Request): Promise<Response> {
  // better-auth reads whole bodies with no limit of its own: the request size limits apply first.
  const limited = await limitRequest(req, requestLimits(readEnv()), await requestLocale(), { format: 'plain' });
  if (limited instanceof Response) return limited;
  const { db } = await getDatabase();
  return getAuth(db).handler(limited);
}

export { handler as GET, handler as POST };
