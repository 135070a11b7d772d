/** The connectors Trellis ships, by the `taskType` a service task names. */
import type { Connector } from '../services/jobs';
import { createHttpConnector, type HttpConnectorOptions } from './http';

export { createHttpConnector, DEFAULT_MAX_RESPONSE_BYTES, MAX_REDIRECTS } from './http';
export type { HttpConnectorOptions, HttpResult } from './http';
export { HttpConnectorError } from './http-error';
export type { HttpFailureCode } from './http-error';
export { createAddressPolicy } from './address-policy';
export type { AddressPolicy } from './address-policy';

export type DefaultConnectorOptions = HttpConnectorOptions;

/** `createWorker(db, { connectors: defaultConnectors({ allow: [...] }) })`. */
export function defaultConnectors(options: DefaultConnectorOptions = {}): Record<string, Connector> {
  return { http: createHttpConnector(options) };
}
