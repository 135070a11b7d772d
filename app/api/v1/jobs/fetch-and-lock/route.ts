import { json, keyRoute, readBody } from '../../../../server/api/http';
import { fetchAndLockRequest, lockedJobView } from '../../../../server/api/jobs';
import { fetchAndLock } from '../../../../server/services/external-jobs';

/**
 * Locks due jobs of the key's job types for an external worker; with `waitSeconds`, waits for one
 * (long polling) until the client goes away (the request's signal).
 */
export const POST = keyRoute('POST /api/v1/jobs/fetch-and-lock', async (request) => {
  const body = await readBody(request, fetchAndLockRequest);
  const locked = await fetchAndLock(request.db, request.key, body, request.req.signal);
  return json(200, { jobs: locked.map(lockedJobView) });
});
