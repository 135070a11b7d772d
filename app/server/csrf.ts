/**
 * Cross-site request refusal for our own state-changing endpoints (tRPC mutations). The session
 * cookie is SameSite=Lax, which already keeps it off cross-site POSTs in current browsers; this
 * is the second wall: a POST whose Fetch Metadata says another site sent it, or whose Origin is
 * not this server's, is refused before any handler runs. Requests without either header (curl,
 * server-to-server) carry no browser cookies by accident and pass.
 */
export function crossSiteRefusal(req: Request, trustedOrigins: readonly string[] = []): Response | null {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return null;
  const site = req.headers.get('sec-fetch-site');
  if (site && site !== 'same-origin' && site !== 'none') return refuse(`cross-site request (Sec-Fetch-Site: ${site})`);
  const origin = req.headers.get('origin');
  if (origin !== null) {
    const own = ownOrigins(req);
    if (origin === 'null' || (!own.has(origin) && !trustedOrigins.includes(origin)))
      return refuse('request from another origin');
  }
  return null;
}

/** This server's origins: the request URL's, and the Host header's (behind a proxy they differ). */
function ownOrigins(req: Request): Set<string> {
  const url = new URL(req.url);
  const own = new Set([url.origin]);
  const host = req.headers.get('x-forwarded-host') ?? req.headers.get('host');
  const proto = req.headers.get('x-forwarded-proto') ?? url.protocol.replace(':', '');
  if (host) own.add(`${proto}://${host}`);
  return own;
}

function refuse(why: string): Response {
  return Response.json(
    { error: { message: `Refused: ${why}. Use Trellis from its own pages.`, code: 'FORBIDDEN' } },
    { status: 403 },
  );
}
