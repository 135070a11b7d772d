/**
 * The REST API's inbound webhooks (/hooks/…): their requests, answers and operations as
 * openapi.ts describes them. A hook's request carries no API key: it is signed with the hook's
 * secret (services/inbound-hooks.ts), so the operation is `public` at the bearer level and
 * `signed`, its three signing headers described as parameters.
 */
import { z } from 'zod';
import {
  DELIVERY_ID_PATTERN,
  HOOK_HEADERS,
  MAX_DELIVERY_ID_LENGTH,
  SIGNATURE_PATTERN,
  TIMESTAMP_PATTERN,
} from '../services/inbound-hooks';
import type { Operation } from './operation';
import { described, requestRegistry, responseRegistry } from './schemas';

export const hookPath = z.strictObject({
  id: described(requestRegistry, z.uuid(), {
    description: 'The inbound webhook’s id: the last part of the address its admin gave the sender.',
  }),
});

/** The signing headers, as the document describes them (the service checks the same patterns, in the caller's language). */
export const hookHeaders = z.object({
  [HOOK_HEADERS.timestamp]: described(requestRegistry, z.string().regex(TIMESTAMP_PATTERN), {
    description:
      'When the request was signed, in whole seconds since 1970-01-01 UTC. Refused when further from the server’s clock than the hook’s tolerance (300 seconds unless its admin chose otherwise), either way.',
  }),
  [HOOK_HEADERS.signature]: described(requestRegistry, z.string().regex(SIGNATURE_PATTERN), {
    description:
      '`sha256=` and the hex HMAC-SHA256 of `<X-Trellis-Delivery>.<X-Trellis-Timestamp>.<raw body>` (the content Standard Webhooks signs), keyed with the hook’s secret (its 64 hex characters as text): the delivery id and the timestamp exactly as sent in their headers, the body’s bytes exactly as sent.',
  }),
  [HOOK_HEADERS.delivery]: described(
    requestRegistry,
    z.string().max(MAX_DELIVERY_ID_LENGTH).regex(DELIVERY_ID_PATTERN),
    {
      description:
        'Your id of this delivery (visible ASCII, no spaces), the same on every retry: a delivery id the hook has handled is answered with the first outcome and `duplicate: true`, and does nothing. It is signed (X-Trellis-Signature), so a captured request sent again under another id is refused (401).',
    },
  ),
});

export const hookBody = described(requestRegistry, z.record(z.string(), z.unknown()), {
  id: 'InboundHookBody',
  description:
    'Any JSON object: its fields become the variables of the message the hook publishes (an `initiator` is dropped), at most 64 KiB as JSON by default. The hook’s correlation key expression reads it (e.g. `invoice.number`).',
});

export const hookAnswer = described(
  responseRegistry,
  z.looseObject({
    correlated: described(responseRegistry, z.enum(['instance', 'started', 'dropped']), {
      description:
        '`instance`: it reached the instance waiting for it; `started`: it started a process at its message start event; `dropped`: nothing waits for it or starts on it.',
    }),
    instanceId: described(responseRegistry, z.uuid().optional(), {
      description: 'The instance it reached or started.',
    }),
    duplicate: described(responseRegistry, z.literal(true).optional(), {
      description:
        'Present when this delivery id was handled before: the answer is the first one’s, and nothing was done.',
    }),
  }),
  { id: 'InboundHookAnswer', description: 'Where the message the hook published went.' },
);

export const hookOperations: Operation[] = [
  {
    method: 'post',
    path: '/hooks/{id}',
    operationId: 'receiveInboundWebhook',
    summary: 'Deliver to an inbound webhook',
    description:
      'Publishes the hook’s message into its company, with the body as the message’s variables and the correlation key the hook computes from it: it moves the instance waiting at a message catch event, or starts a process at its message start event; with nothing waiting and nothing starting on it, the message is dropped (it has no time to live), and its delivery id answers `duplicate` from then on. Needs no API key: the request is signed with the hook’s secret (the headers below). Here 401 and 429 are about the signature, not an API key: a request not signed for an active hook — no such hook, a deactivated one, a wrong secret, a changed body, timestamp or delivery id — gets one 401 for all (no `WWW-Authenticate` challenge), and past 30 such requests a minute from one address or for one hook, 429 with Retry-After; a correctly signed request is never refused by that count. Once the signature holds, refusals say what to fix: a timestamp out of tolerance (401), a body that is not a JSON object within the limits (400, 413), a correlation key the expression cannot compute (400, naming the hook and the expression).',
    public: true,
    signed: true,
    pathParams: hookPath,
    headers: hookHeaders,
    body: hookBody,
    success: { status: 200, description: 'Published, or a replay answered.', schema: hookAnswer },
    // Refusals are named by code, each the document's shared response (openapi.ts REFUSALS), whose
    // 401 and 429 speak of API keys: the Operation type has no per-operation wording for them, so the
    // description above says what they mean for a signed request.
    refusals: [
      'BAD_REQUEST',
      'UNAUTHORIZED',
      'CONFLICT',
      'PAYLOAD_TOO_LARGE',
      'TOO_MANY_REQUESTS',
      'INTERNAL_SERVER_ERROR',
      'SERVICE_UNAVAILABLE',
    ],
  },
];
