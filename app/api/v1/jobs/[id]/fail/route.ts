import { json, keyRoute, readBody, readParams } from '../../../../../server/api/http';
import { failJobRequest, jobPath } from '../../../../../server/api/jobs';
import { failExternalJob } from '../../../../../server/services/external-jobs';

/** Fails the current attempt of a job the worker holds: a retry after backoff, or an incident. */
export const POST = keyRoute<{ id: string }>('POST /api/v1/jobs/{id}/fail', async (request) => {
  const { id } = readParams(request, jobPath);
  const body = await readBody(request, failJobRequest);
  return json(200, await failExternalJob(request.db, request.key, id, body));
});
