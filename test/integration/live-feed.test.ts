/**
 * The inbox's live feed (app/server/live-stream.ts) and which commands reach it: a person's
 * sixth tab evicts the oldest with an `evicted` event (not a reconnect loop), a feed ends after its
 * lifetime, a server's cap answers null (503), and only commands that may change a list signal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { DatabaseHandle } from '@/db/client';
import { users } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { liveFeed, openFeeds } from '@/app/server/live-stream';
import { changesInboxes, inboxChanged, MAX_LIVE_PER_USER, onInboxChange } from '@/app/server/services/inbox-signal';
import { createContextInner } from '@/app/server/trpc/init';
import { appRouter, createCaller } from '@/app/server/trpc/root';
import { demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

const TENANT = '00000000-0000-0000-0000-00000000feed';
const decoder = new TextDecoder();

/** Collects what a feed sends, as it comes; `done` once it closed. */
function collect(stream: ReadableStream<Uint8Array>) {
  const got = { text: '', done: false };
  void (async () => {
    const reader = stream.getReader();
    for (;;) {
      const next = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (next.done) break;
      got.text += decoder.decode(next.value);
    }
    got.done = true;
  })();
  return got;
}
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the live feed', () => {
  it('evicts the oldest of a person’s tabs beyond the budget, telling it so', async () => {
    const before = openFeeds();
    const aborts = Array.from({ length: MAX_LIVE_PER_USER + 1 }, () => new AbortController());
    const feeds = aborts.map((a) =>
      collect(liveFeed({ tenantId: TENANT, userId: 'u1' }, a.signal, { intervalMs: 10 })!),
    );
    await pause(50);
    expect(feeds[0]!.text).toContain('event: ready');
    expect(feeds[0]!.text).toContain('event: evicted');
    expect(feeds[0]!.done).toBe(true);
    for (const feed of feeds.slice(1)) expect(feed.text).not.toContain('evicted');
    expect(openFeeds()).toBe(before + MAX_LIVE_PER_USER);
    // another person's tabs are theirs
    const other = new AbortController();
    const otherFeed = collect(liveFeed({ tenantId: TENANT, userId: 'u2' }, other.signal)!);
    await pause(50);
    expect(otherFeed.text).toContain('event: ready');
    expect(otherFeed.text).not.toContain('evicted');
    // a change reaches the open ones, coalesced
    inboxChanged(TENANT);
    inboxChanged(TENANT);
    await pause(150);
    expect(feeds[1]!.text.match(/event: changed/g)?.length).toBe(1);
    expect(feeds[0]!.text).not.toContain('changed');
    for (const a of [...aborts, other]) a.abort();
    expect(openFeeds()).toBe(before);
  });

  it('ends after its lifetime, with a retry hint so the browser reconnects and is checked again', async () => {
    const read = collect(
      liveFeed({ tenantId: TENANT, userId: 'u3' }, new AbortController().signal, { lifetimeMs: 50 })!,
    );
    await pause(300);
    expect(read.text).toContain('retry: 5000');
    expect(read.done).toBe(true);
  });
});

describe('which commands signal', () => {
  let handle: DatabaseHandle;
  let ours: string;
  const as = async (email: string) => {
    const [user] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, email));
    return createCaller(await createContextInner({ db: handle.db, userId: user!.id, tenantId: ours, locale: 'en' }));
  };
  beforeAll(async () => {
    handle = await createTestDatabase();
    ours = await seedDemo(handle.db);
  });
  afterAll(async () => handle?.close());

  it('task, instance, delegation and membership commands do; comments and preferences do not', async () => {
    // every path named here is a real procedure of the router (a misspelt one would prove nothing)
    const procedures = new Set(Object.keys(appRouter._def.procedures));
    const changing = [
      'task.claim',
      'task.claimMany',
      'instance.start',
      'delegation.create',
      'message.publish',
      'invitation.accept',
    ];
    const neutral = ['collab.comment', 'collab.markRead', 'task.saveView', 'task.deleteView', 'runner.requests'];
    for (const path of [...changing, ...neutral]) expect(procedures.has(path), path).toBe(true);
    expect(changing.filter((path) => !changesInboxes(path))).toEqual([]);
    expect(neutral.filter(changesInboxes)).toEqual([]);
    let events = 0;
    const stop = onInboxChange(ours, () => events++);
    try {
      const ngoc = await as(demo.ngoc);
      const started = await ngoc.instance.start({
        definitionKey: 'invoice-approval',
        variables: {
          vendor: 'Công ty Live',
          amount: 1_000_000,
          invoiceNumber: 'HD-LIVE-FEED',
          category: 'office-supplies',
          dueDate: '2099-01-01',
        },
      });
      expect(events).toBe(1);
      await (await as(demo.hung)).collab.comment({ taskId: started.taskIds[0]!, body: 'Xin chào' });
      expect(events).toBe(1);
    } finally {
      stop();
    }
  });
});
