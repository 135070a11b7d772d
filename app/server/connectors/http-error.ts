import { ConnectorError } from './connector-error';

/**
 * A technical failure of the http connector: the runtime retries it with backoff, then raises an
 * incident. (A 4xx answer is not one of these: it is a ConnectorBusinessError the process may
 * catch.) `code` says what happened; compare by it, not by class. `retryable` says whether sending
 * again can help — false for settings mistakes and refused addresses, which need a person.
 */
export type HttpFailureCode =
  | 'INVALID_SETTINGS'
  | 'ADDRESS_DENIED'
  | 'TIMEOUT'
  | 'NETWORK'
  | 'RESPONSE_TOO_LARGE'
  | 'TOO_MANY_REDIRECTS'
  | 'UNSUPPORTED_ENCODING'
  /** `HTTP_503`, `HTTP_429`, ...: an answer the receiver may give differently later. */
  | `HTTP_${number}`;

export class HttpConnectorError extends ConnectorError<HttpFailureCode> {
  override readonly name = 'HttpConnectorError';
}
