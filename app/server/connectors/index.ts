/** The connectors Trellis ships, by the `taskType` a service task names. */
import type { Connector } from './contract';
import { createEmailConnector, type EmailConnectorOptions } from './email';
import { createHttpConnector, type HttpConnectorOptions } from './http';

export { createHttpConnector, createHttpSender, DEFAULT_MAX_RESPONSE_BYTES, MAX_REDIRECTS } from './http';
export type { HttpConnectorOptions, HttpResult, HttpSender, OutboundAnswer, OutboundRequest } from './http';
export { HttpConnectorError } from './http-error';
export type { HttpFailureCode } from './http-error';
export { createAddressPolicy } from './address-policy';
export type { AddressPolicy } from './address-policy';

export { createEmailConnector, DEFAULT_SEND_TIMEOUT_MS } from './email';
export type { EmailConnectorOptions } from './email';
export { EmailConnectorError } from './email-error';
export type { EmailFailureCode } from './email-error';

export interface DefaultConnectorOptions extends HttpConnectorOptions {
  /** The email connector keeps its outbox in the database: without `email`, a worker runs no `email` jobs. */
  email?: EmailConnectorOptions;
}

/** `createWorker(db, { connectors: defaultConnectors({ allow: [...], email: { db, smtpUrl, from } }) })`. */
export function defaultConnectors(options: DefaultConnectorOptions = {}): Record<string, Connector> {
  return {
    http: createHttpConnector(options),
    ...(options.email ? { email: createEmailConnector(options.email) } : {}),
  };
}
