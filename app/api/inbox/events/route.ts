import { signedIn } from '../../../server/attachment-http';
import { MAX_LIVE_PER_USER, onInboxChange } from '../../../server/services/inbox-signal';

/**
 * The inbox's live feed (server-sent events): `event: changed` whenever the caller's company's
 * tasks changed, at most every LIVE_INTERVAL_MS (changes in between are coalesced into one), and a
 * comment line every HEARTBEAT_MS to keep proxies from closing it. The event says nothing of what
 * changed: the page reads its lists again through the same scoped queries (inbox-signal.ts).
 */
export const dynamic = 'force-dynamic';

const LIVE_INTERVAL_MS = 500;
const HEARTBEAT_MS = 25_000;

const shared = globalThis as typeof globalThis & { __trellisLiveStreams?: Map<string, Set<() => void>> };
const streams = (shared.__trellisLiveStreams ??= new Map());

export async function GET(req: Request): Promise<Response> {
  const who = await signedIn();
  if ('refusal' in who) return who.refusal;
  const { tenantId, userId } = who.actor;
  const encoder = new TextEncoder();
  let close = () => {};
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      let closed = false;
      let timer: ReturnType<typeof setTimeout> | null = null;
      let last = 0;
      const send = (text: string) => {
        if (closed) return;
        try {
          controller.enqueue(encoder.encode(text));
        } catch {
          close();
        }
      };
      const changed = () => {
        if (timer) return;
        const wait = Math.max(0, last + LIVE_INTERVAL_MS - Date.now());
        timer = setTimeout(() => {
          timer = null;
          last = Date.now();
          send('event: changed\ndata: {}\n\n');
        }, wait);
      };
      const unsubscribe = onInboxChange(tenantId, changed);
      const heartbeat = setInterval(() => send(': keep-alive\n\n'), HEARTBEAT_MS);
      // A person's oldest feed closes when they open more than MAX_LIVE_PER_USER.
      const key = `${tenantId}:${userId}`;
      let mine = streams.get(key);
      if (!mine) streams.set(key, (mine = new Set()));
      close = () => {
        if (closed) return;
        closed = true;
        unsubscribe();
        clearInterval(heartbeat);
        if (timer) clearTimeout(timer);
        mine.delete(close);
        if (mine.size === 0) streams.delete(key);
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      mine.add(close);
      while (mine.size > MAX_LIVE_PER_USER) [...mine][0]!();
      send('retry: 5000\nevent: ready\ndata: {}\n\n');
      req.signal.addEventListener('abort', () => close(), { once: true });
    },
    cancel() {
      close();
    },
  });
  return new Response(body, {
    status: 200,
    headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' },
  });
}
