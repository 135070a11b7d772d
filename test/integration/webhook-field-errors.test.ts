/**
 * A refused webhook names the field it is about, in the error's `fields` as the browser receives
 * them (the tRPC fetch handler's JSON, the same wire format /api/trpc answers), so the admin page
 * can show the message beside the URL input or the event checkboxes.
 */
import { eq } from 'drizzle-orm';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { users, webhooks } from '@/db/schema';
import { resolveActor } from '@/app/server/actor';
import { seedDemo } from '@/app/server/seed';
import { createWebhook } from '@/app/server/services/webhooks';
import { createContextInner } from '@/app/server/trpc/init';
import { appRouter } from '@/app/server/trpc/root';
import { createTestDatabase } from '../support/database';

let handle: DatabaseHandle;
let adminId: string;

beforeAll(async () => {
  handle = await createTestDatabase();
  await seedDemo(handle.db);
  const [admin] = await handle.db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, 'bao.ngo@senvang.example'));
  adminId = admin!.id;
});
afterAll(async () => {
  await handle?.close();
});

/** webhook.create as the browser sends it (a batched POST), answered by the real router. */
async function createOverHttp(input: unknown) {
  const req = new Request('http://trellis.test/api/trpc/webhook.create?batch=1', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ 0: input }),
  });
  const res = await fetchRequestHandler({
    endpoint: '/api/trpc',
    req,
    router: appRouter,
    createContext: () => createContextInner({ db: handle.db, userId: adminId, locale: 'vi' }),
  });
  const [answer] = (await res.json()) as [
    {
      error?: {
        message: string;
        data: { code: string; fields: { field: string; label: string; message: string }[] | null };
      };
    },
  ];
  return { status: res.status, error: answer.error };
}

describe('webhook refusals name their field', () => {
  it.each([
    ['<script>alert(1)</script>', /is not an absolute URL/],
    ['ftp://files.example/hook', /only https: \(or http:\)/],
    ['https://user:pw@hooks.example/in', /carries credentials/],
    ['https://hooks.example/in#part', /#fragment/],
  ])('URL %j: the refusal carries field "url" with the message', async (url, message) => {
    const { status, error } = await createOverHttp({ url, events: ['task.created'] });
    expect(status).toBe(400);
    expect(error!.data.code).toBe('BAD_REQUEST');
    expect(error!.message).toMatch(message);
    expect(error!.data.fields).toEqual([{ field: 'url', label: 'URL', message: error!.message }]);
  });

  it('no known event: the refusal carries field "events", labelled in the caller\'s language; nothing is stored', async () => {
    const actor = (await resolveActor(handle.db, adminId, 'vi'))!;
    const failure = await createWebhook(handle.db, actor, { url: 'https://hooks.example/in', events: [] }).catch(
      (e: unknown) => e,
    );
    expect(failure).toMatchObject({
      code: 'BAD_REQUEST',
      fields: [{ field: 'events', label: 'Sự kiện', message: expect.stringContaining('Choose at least one event') }],
    });
    expect(await handle.db.select({ id: webhooks.id }).from(webhooks)).toEqual([]);
  });

  it('a valid webhook is still created, with its secret in the answer', async () => {
    const { status, error } = await createOverHttp({ url: 'https://hooks.example/in', events: ['task.created'] });
    expect(error).toBeUndefined();
    expect(status).toBe(200);
  });
});
