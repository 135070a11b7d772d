import { json, keyRoute, readBody, readParams } from '../../../../../server/api/http';
import { extendLockRequest, jobPath } from '../../../../../server/api/jobs';
import { extendExternalLock } from '../../../../../server/services/external-jobs';

/** Extends the lease of a job the worker holds. */
export const POST = keyRoute<{ id: string }>('POST /api/v1/jobs/{id}/extend-lock', async (request) => {
  const { id } = readParams(request, jobPath);
  const body = await readBody(request, extendLockRequest);
  const { lockedUntil } = await extendExternalLock(request.db, request.key, id, body);
  return json(200, { id, lockedUntil: lockedUntil.toISOString() });
});
