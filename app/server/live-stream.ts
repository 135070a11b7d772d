/**
 * One inbox page's live feed (server-sent events), behind app/api/inbox/events: `event: changed`
 * whenever the caller's company's tasks may have changed (inbox-signal.ts), at most every
 * `intervalMs` (changes in between coalesce into one). The event says nothing of what changed: the
 * page reads its lists again through the same scoped queries as a reload.
 *
 * Budgets: a person keeps at most MAX_LIVE_PER_USER feeds (tabs); opening one more tells the oldest
 * `event: evicted` and closes it — the page then stops listening rather than reconnecting, so six
 * tabs do not evict one another for ever. An app server keeps at most MAX_LIVE_PER_PROCESS feeds
 * (beyond it: 503, the page works without live updates). A feed lives `lifetimeMs` at most and then
 * closes with a retry hint: the browser reconnects, and the route checks the session and the
 * membership again — a person removed from the company stops hearing it within that time.
 */
import { MAX_LIVE_PER_PROCESS, MAX_LIVE_PER_USER, onInboxChange } from './services/inbox-signal';

export interface LiveOptions {
  intervalMs?: number;
  heartbeatMs?: number;
  lifetimeMs?: number;
}

const shared = globalThis as typeof globalThis & {
  __trellisLiveStreams?: { byUser: Map<string, Set<() => void>>; count: number };
};
const streams = (shared.__trellisLiveStreams ??= { byUser: new Map(), count: 0 });

/** How many feeds this process has open (tests, limits). */
export function openFeeds(): number {
  return streams.count;
}

/** The feed of a signed-in member, or null when this server holds its most already. */
export function liveFeed(
  who: { tenantId: string; userId: string },
  abort: AbortSignal,
  options: LiveOptions = {},
): ReadableStream<Uint8Array> | null {
  if (streams.count >= MAX_LIVE_PER_PROCESS) return null;
  const { intervalMs = 500, heartbeatMs = 25_000, lifetimeMs = 10 * 60_000 } = options;
  const encoder = new TextEncoder();
  let close: (last?: string) => void = () => {};
  return new ReadableStream<Uint8Array>({
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
        const wait = Math.max(0, last + intervalMs - Date.now());
        timer = setTimeout(() => {
          timer = null;
          last = Date.now();
          send('event: changed\ndata: {}\n\n');
        }, wait);
      };
      const unsubscribe = onInboxChange(who.tenantId, changed);
      const heartbeat = setInterval(() => send(': keep-alive\n\n'), heartbeatMs);
      const lifetime = setTimeout(() => close(), lifetimeMs);
      const key = `${who.tenantId}:${who.userId}`;
      let mine = streams.byUser.get(key);
      if (!mine) streams.byUser.set(key, (mine = new Set()));
      const feeds = mine;
      streams.count++;
      const stop = () => close('event: evicted\ndata: {}\n\n');
      close = (lastWords?: string) => {
        if (closed) return;
        closed = true;
        if (lastWords) {
          try {
            controller.enqueue(encoder.encode(lastWords));
          } catch {
            // the client is gone already: nobody to tell
          }
        }
        streams.count--;
        unsubscribe();
        clearInterval(heartbeat);
        clearTimeout(lifetime);
        if (timer) clearTimeout(timer);
        feeds.delete(stop);
        if (feeds.size === 0 && streams.byUser.get(key) === feeds) streams.byUser.delete(key);
        try {
          controller.close();
        } catch {
          // already closed by the client
        }
      };
      feeds.add(stop);
      while (feeds.size > MAX_LIVE_PER_USER) [...feeds][0]!();
      send('retry: 5000\nevent: ready\ndata: {}\n\n');
      if (abort.aborted) close();
      else abort.addEventListener('abort', () => close(), { once: true });
    },
    cancel() {
      close();
    },
  });
}
