/**
 * The address a sender POSTs to for an inbound webhook: the app's public origin, the REST API's
 * base and the hook's id. Shared by the admin page (server) and its secret panel (client).
 */
export function inboundHookAddress(origin: string, id: string): string {
  return `${origin.replace(/\/+$/, '')}/api/v1/hooks/${id}`;
}
