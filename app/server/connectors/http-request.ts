/**
 * The http connector's reading of a job: the task's settings through the shared reader
 * (app/_connectors, which the designer runs too), its mistakes made this connector's
 * INVALID_SETTINGS failure (not retryable: a person must fix the setting), and the headers the
 * connector owns added to the designer's.
 */
import { readHttpSettings, type HttpSettings } from '@/app/_connectors/http-settings';
import { isSettingsError } from '@/app/_connectors/settings-error';
import type { ConnectorCall } from './contract';
import { HttpConnectorError } from './http-error';

export { DEFAULT_TIMEOUT_MS, MAX_TIMEOUT_MS, METHODS } from '@/app/_connectors/http-settings';
export type { HttpMethod } from '@/app/_connectors/http-settings';

export type HttpRequest = HttpSettings;

export function readHttpRequest(call: ConnectorCall): HttpRequest {
  let request: HttpSettings;
  try {
    request = readHttpSettings(call.settings, call.variables);
  } catch (error) {
    if (isSettingsError(error)) throw new HttpConnectorError('INVALID_SETTINGS', error.message, { retryable: false });
    throw error;
  }
  return {
    ...request,
    headers: {
      accept: 'application/json, text/plain;q=0.9, */*;q=0.8',
      'user-agent': 'Trellis-HTTP-Connector/1',
      ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...request.headers,
      'accept-encoding': 'gzip, deflate, br',
      // The job id, the same on every attempt: a receiver that saw it already can answer without acting again.
      'idempotency-key': call.job.id,
    },
  };
}
