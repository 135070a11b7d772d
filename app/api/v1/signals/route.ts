import type { z } from 'zod';
import { json, keyRoute, readBody, readHeaders } from '../../../server/api/http';
import { broadcastSignalRequest, sendHeaders, type signalBroadcast } from '../../../server/api/messages';
import { withIdempotency } from '../../../server/services/idempotency';
import { broadcastSignal } from '../../../server/services/messages';

/**
 * Broadcasts a signal for the key: the app's own broadcast (services/messages.ts), refused unless
 * the key's `signals` scope names it; with an Idempotency-Key, a retry answers the first broadcast.
 */
export const POST = keyRoute('POST /api/v1/signals', async (request) => {
  const { 'Idempotency-Key': idempotencyKey } = readHeaders(request, sendHeaders);
  const input = await readBody(request, broadcastSignalRequest);
  const answer = await withIdempotency(
    request.db,
    request.key,
    idempotencyKey,
    'signal.broadcast',
    input,
    async (tx) => {
      const { delivered, started } = await broadcastSignal(tx, request.key, input);
      return { delivered, started } satisfies z.input<typeof signalBroadcast>;
    },
  );
  return json(200, answer);
});
