import { signedIn } from '../../../server/attachment-http';
import { liveFeed } from '../../../server/live-stream';

/**
 * The inbox's live feed (server-sent events; app/server/live-stream.ts): `changed` when the
 * company's tasks may have changed, `evicted` when the person opened too many. Signed-in members
 * only; each reconnection checks the session and membership again.
 */
export const dynamic = 'force-dynamic';

export async function GET(req: Request): Promise<Response> {
  const who = await signedIn();
  if ('refusal' in who) return who.refusal;
  const body = liveFeed(who.actor, req.signal);
  if (!body) return new Response(null, { status: 503, headers: { 'Retry-After': '60', 'Cache-Control': 'no-store' } });
  return new Response(body, {
    status: 200,
    headers: {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    },
  });
}
