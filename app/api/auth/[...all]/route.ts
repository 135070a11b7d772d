/** better-auth's HTTP endpoints (sign-in, sign-up, sign-out, session, password reset) under /api/auth. */
import { getAuth } from '../../../server/auth';
import { getDatabase } from '../../../server/database';

async function handler(req: Request): Promise<Response> {
  const { db } = await getDatabase();
  return getAuth(db).handler(req);
}

export { handler as GET, handler as POST };
