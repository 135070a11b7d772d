import { apiLocale, errorResponse, json } from '../../../../server/api/http';
import type { hookAnswer } from '../../../../server/api/hooks';
import { clientAddress } from '../../../../server/auth';
import { limitRequest } from '../../../../server/body-limit';
import { getDatabase } from '../../../../server/database';
import { ipAddressOptions, messageLimits, readEnv, requestLimits } from '../../../../server/env';
import { receive } from '../../../../server/services/inbound-hooks';
import type { z } from 'zod';

const WHERE = 'POST /api/v1/hooks/{id}';

/**
 * A delivery to an inbound webhook. No API key: the signature is the authentication, checked by
 * the service over the body's bytes exactly as they arrived — read here within the request limits
 * (413 past them), never parsed before the signature holds.
 */
export async function POST(req: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  const locale = apiLocale(req.headers.get('accept-language'));
  try {
    const env = readEnv();
    const limits = requestLimits(env);
    const limited = await limitRequest(req, limits, locale, { format: 'plain' });
    if (limited instanceof Response) return limited;
    const { id } = await context.params;
    const body = new Uint8Array(await limited.arrayBuffer());
    const { db } = await getDatabase();
    const result = await receive(db, id, limited.headers, body, {
      locale,
      maxJsonDepth: limits.maxJsonDepth,
      messageLimits: messageLimits(env),
      clientAddress: clientAddress(req, { advanced: { ipAddress: ipAddressOptions(env) } }),
    });
    if (result.kind === 'limited')
      return json(
        429,
        { code: 'TOO_MANY_REQUESTS', message: result.message },
        { 'Retry-After': String(result.retryAfter) },
      );
    const answer: z.input<typeof hookAnswer> = { ...result.answer };
    return json(200, answer);
  } catch (error) {
    return errorResponse(error, locale, WHERE);
  }
}
