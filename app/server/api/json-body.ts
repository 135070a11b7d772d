/**
 * A request body's bytes read as JSON, the one way the REST edge reads them: a keyed request's body
 * (http.ts readBody) and an inbound webhook's (services/inbound-hooks.ts). Owns the order of the
 * checks — the nesting scanned before anything parses, then strict UTF-8, then JSON — and their
 * wording; what the value must be (an object, a schema) is the caller's to say. Never reads the
 * Content-Type: a body sent as text is held to the same limits.
 */
import type { Translate } from '../../_i18n/messages';
import { jsonDepthExceeds } from '../body-limit';
import { AppError } from '../errors';

/** How a caller words a refusal: a BAD_REQUEST with the message alone unless it names a field. */
export type Refuse = (message: string) => Error;

const badRequest: Refuse = (message) => new AppError('BAD_REQUEST', message);

/**
 * The JSON value of `bytes`. Refused, through `refuse`: nested deeper than `maxDepth`, or not
 * UTF-8 (no replacement characters slipped in), or not JSON.
 */
export function parseJsonBody(bytes: Uint8Array, maxDepth: number, t: Translate, refuse = badRequest): unknown {
  // Scanned before parsing: nothing recursive reads data nested past the limit.
  if (jsonDepthExceeds(bytes, maxDepth)) throw refuse(t('limitJsonTooDeep', { limit: maxDepth }));
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw refuse(t('apiBodyNotJson'));
  }
}
