import type { z } from 'zod';
import { json, keyRoute, readParams } from '../../../../server/api/http';
import { instancePath, type instanceView } from '../../../../server/api/schemas';
import { readInstanceByKey } from '../../../../server/services/instances';

/** An instance of the key's company, for a key that may read instances; another company's is not found. */
export const GET = keyRoute<{ id: string }>('GET /api/v1/instances/{id}', async (request) => {
  const { id } = readParams(request, instancePath);
  const instance = await readInstanceByKey(request.db, request.key, id);
  const body: z.input<typeof instanceView> = {
    ...instance,
    startedAt: instance.startedAt.toISOString(),
    endedAt: instance.endedAt?.toISOString() ?? null,
  };
  return json(200, body);
});
