import { z } from 'zod';
import { fieldsUnder, json, keyRoute, readBody, readHeaders } from '../../../server/api/http';
import { API_BASE } from '../../../server/api/openapi';
import { startedInstance, startHeaders, startInstanceRequest } from '../../../server/api/schemas';
import { withIdempotency } from '../../../server/services/idempotency';
import { startInstance } from '../../../server/services/instances';

/**
 * Starts an instance for the key: the app's own start (instances.ts), refused unless the key's
 * `start` scope names the process; with an Idempotency-Key, a retry answers the first start.
 */
export const POST = keyRoute('POST /api/v1/instances', async (request) => {
  const { 'Idempotency-Key': idempotencyKey } = readHeaders(request, startHeaders);
  const { definitionKey, variables } = await readBody(request, startInstanceRequest);
  const input = { definitionKey, variables };
  const started = await fieldsUnder('variables', () =>
    withIdempotency(request.db, request.key, idempotencyKey, 'instance.start', input, async (tx) => {
      const { id, status } = await startInstance(tx, request.key, input);
      return { id, status } satisfies z.input<typeof startedInstance>;
    }),
  );
  return json(201, started, { Location: `${API_BASE}/instances/${started.id}` });
});
