import { json, keyRoute, readBody, readParams } from '../../../../../server/api/http';
import { completeJobRequest, finishedJobView, jobPath } from '../../../../../server/api/jobs';
import { completeExternalJob } from '../../../../../server/services/external-jobs';

/** Completes a job the worker holds: its instance moves on with the result. A retry by the same worker answers the same. */
export const POST = keyRoute<{ id: string }>('POST /api/v1/jobs/{id}/complete', async (request) => {
  const { id } = readParams(request, jobPath);
  const body = await readBody(request, completeJobRequest);
  return json(200, finishedJobView(await completeExternalJob(request.db, request.key, id, body)));
});
