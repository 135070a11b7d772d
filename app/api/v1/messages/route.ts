import type { z } from 'zod';
import { json, keyRoute, readBody, readHeaders } from '../../../server/api/http';
import { publishMessageRequest, sendHeaders, type publishedMessage } from '../../../server/api/messages';
import { withIdempotency } from '../../../server/services/idempotency';
import { publishMessage } from '../../../server/services/messages';

/**
 * Publishes a message for the key: the app's own publish (services/messages.ts), refused unless the
 * key's `messages` scope names it; with an Idempotency-Key, a retry answers the first publish.
 * Every outcome is a 200 (`correlated` tells them apart): one success status for one operation.
 */
export const POST = keyRoute('POST /api/v1/messages', async (request) => {
  const { 'Idempotency-Key': idempotencyKey } = readHeaders(request, sendHeaders);
  const input = await readBody(request, publishMessageRequest);
  const answer = await withIdempotency(
    request.db,
    request.key,
    idempotencyKey,
    'message.publish',
    input,
    async (tx) => {
      const { correlated, instanceId } = await publishMessage(tx, request.key, input);
      // Without an instance, no `instanceId` at all: the answer is stored as JSON for retries.
      const published: { correlated: typeof correlated } | { correlated: typeof correlated; instanceId: string } =
        instanceId ? { correlated, instanceId } : { correlated };
      return published satisfies z.input<typeof publishedMessage>;
    },
  );
  return json(200, answer);
});
