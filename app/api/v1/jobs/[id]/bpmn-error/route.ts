import { json, keyRoute, readBody, readParams } from '../../../../../server/api/http';
import { bpmnErrorRequest, finishedJobView, jobPath } from '../../../../../server/api/jobs';
import { throwExternalJobError } from '../../../../../server/services/external-jobs';

/** Raises a BPMN error at the service task of a job the worker holds. A retry by the same worker answers the same. */
export const POST = keyRoute<{ id: string }>('POST /api/v1/jobs/{id}/bpmn-error', async (request) => {
  const { id } = readParams(request, jobPath);
  const body = await readBody(request, bpmnErrorRequest);
  return json(200, finishedJobView(await throwExternalJobError(request.db, request.key, id, body)));
});
