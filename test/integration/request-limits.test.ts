/**
 * The tRPC endpoint itself (app/api/trpc/[trpc]/route.ts) with hostile requests, on a real
 * database (PGlite, and PostgreSQL when DATABASE_URL is set); only the session lookup is replaced
 * (it needs Next's request scope): a 50 MB body is a 413 before anything parses it, a 100,000-deep
 * body a 400 naming the limit (it was a 500), a database failure a 500 with a reference and no SQL,
 * a `__proto__` field a 400 naming it (it was dropped), each in tRPC's envelope, which its client reads.
 */
import { eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { users } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import type { Locale } from '@/app/server/actor';
import { createContextInner } from '@/app/server/trpc/init';
import { demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

// The signed-in caller, as the session cookie would give it.
const session = vi.hoisted(() => ({
  db: null as unknown,
  userId: null as string | null,
  tenantId: null as string | null,
  locale: 'en' as 'en' | 'vi',
}));
vi.mock('@/app/server/request', () => ({
  LOCALE_COOKIE: 'trellis_locale',
  requestLocale: async () => session.locale,
  requestContext: async () =>
    createContextInner({
      db: session.db as DatabaseHandle['db'],
      userId: session.userId,
      tenantId: session.tenantId,
      locale: session.locale as Locale,
    }),
  rememberLocale: async () => {},
}));
const { POST, GET } = await import('@/app/api/trpc/[trpc]/route');
const authRoute = await import('@/app/api/auth/[...all]/route');
const localeRoute = await import('@/app/api/locale/route');

let handle: DatabaseHandle;
let ngocId: string;
let quanId: string;
const MiB = 1024 * 1024;

beforeAll(async () => {
  handle = await createTestDatabase();
  session.tenantId = await seedDemo(handle.db);
  session.db = handle.db;
  const idOf = async (email: string) =>
    (await handle.db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
  ngocId = await idOf(demo.ngoc);
  quanId = await idOf(demo.quan);
  session.userId = ngocId;
  // A delegation whose reason is "explode" fails in the database with a message full of internals.
  await handle.db.execute(
    sql.raw(`CREATE FUNCTION test_explode() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.reason = 'explode' THEN RAISE EXCEPTION 'internal detail: select password_hash from accounts' USING ERRCODE = '22012'; END IF;
  RETURN NEW;
END $$`),
  );
  await handle.db.execute(
    sql.raw('CREATE TRIGGER test_explode BEFORE INSERT ON delegations FOR EACH ROW EXECUTE FUNCTION test_explode()'),
  );
});
afterAll(async () => handle?.close());
afterEach(() => {
  session.locale = 'en';
  vi.restoreAllMocks();
});

/** A POST to the endpoint, its body given whole or as a stream of `total` bytes (no length stated). */
function post(path: string, body: string | ReadableStream<Uint8Array>): Request {
  return new Request(`http://localhost:3000/api/trpc/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    duplex: 'half',
  } as RequestInit);
}

/** A JSON body streamed in 64 KiB chunks, `{"note":"xxxx…"}` of `total` bytes; counts what was pulled. */
function streamedJson(total: number) {
  const encoder = new TextEncoder();
  const head = encoder.encode('{"definitionKey":"invoice-approval","variables":{"note":"');
  const tail = encoder.encode('"}}');
  const filler = new Uint8Array(64 * 1024).fill(0x78);
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === 0) {
        sent += head.length;
        return controller.enqueue(head);
      }
      const left = total - sent - tail.length;
      if (left <= 0) {
        sent += tail.length;
        controller.enqueue(tail);
        return controller.close();
      }
      const chunk = filler.subarray(0, Math.min(filler.length, left));
      sent += chunk.length;
      controller.enqueue(chunk);
    },
  });
  return { stream, pulled: () => sent };
}

interface Envelope {
  error: {
    message: string;
    code: number;
    data: { code: string; httpStatus: number; fields: unknown; stack?: unknown };
  };
}

describe('the tRPC endpoint with hostile requests', () => {
  it('a 50 MB body: 413 in the caller’s language, after reading about 1 MiB of it', async () => {
    session.locale = 'vi';
    const { stream, pulled } = streamedJson(50 * MiB);
    const response = await POST(post('instance.start', stream));
    expect(response.status).toBe(413);
    const body = (await response.json()) as Envelope;
    expect(body.error.data.code).toBe('PAYLOAD_TOO_LARGE');
    expect(body.error.message).toContain('Yêu cầu lớn hơn mức máy chủ chấp nhận (1 MiB)');
    expect(pulled()).toBeLessThan(2 * MiB);
  });

  it('a 100,000-deep body: 400 naming the limit, not a 500', async () => {
    const deep = `{"definitionKey":"invoice-approval","variables":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`;
    const response = await POST(post('instance.start', deep));
    expect(response.status).toBe(400);
    const body = (await response.json()) as Envelope;
    expect(body.error.data.code).toBe('BAD_REQUEST');
    expect(body.error.message).toContain('more than 64 levels deep');
  });

  it('a batched GET: input nested past the limit is a 400, a URL past its limit a 414', async () => {
    const deepInput = encodeURIComponent(`{"0":{"id":${'['.repeat(100)}${']'.repeat(100)}}}`);
    const deep = await GET(new Request(`http://localhost:3000/api/trpc/task.get?batch=1&input=${deepInput}`));
    expect(deep.status).toBe(400);
    expect(((await deep.json()) as Envelope).error.message).toContain('more than 64 levels deep');
    const long = await GET(
      new Request(
        `http://localhost:3000/api/trpc/task.get?batch=1&input=${encodeURIComponent(JSON.stringify({ 0: { id: 'x'.repeat(20_000) } }))}`,
      ),
    );
    expect(long.status).toBe(414);
    expect(((await long.json()) as Envelope).error.data.code).toBe('BAD_REQUEST');
  });

  it('a batch of more calls than one request may carry is a 400: a batch runs its calls at once, each with its own budget', async () => {
    const paths = Array.from({ length: 21 }, () => 'session.me').join(',');
    const many = await GET(
      new Request(`http://localhost:3000/api/trpc/${paths}?batch=1&input=${encodeURIComponent('{}')}`),
    );
    expect(many.status).toBe(400);
    const twenty = await GET(
      new Request(
        `http://localhost:3000/api/trpc/${Array.from({ length: 20 }, () => 'session.me').join(',')}?batch=1&input=${encodeURIComponent('{}')}`,
      ),
    );
    expect(twenty.status).toBe(200);
  });

  it('a field named __proto__ in the JSON body: 400 naming it (it used to vanish)', async () => {
    const response = await POST(
      post(
        'instance.start',
        '{"definitionKey":"invoice-approval","variables":{"vendor":"Sen Vàng","__proto__":{"isAdmin":true}}}',
      ),
    );
    expect(response.status).toBe(400);
    const body = (await response.json()) as Envelope;
    expect(body.error.message).toBe(
      'The field "variables.__proto__" is named "__proto__", a name JavaScript reserves; rename the field.',
    );
    expect(body.error.data.fields).toEqual([
      { field: 'variables.__proto__', label: 'variables.__proto__', message: body.error.message },
    ]);
  });

  it('a database failure: 500 with a reference, no SQL, no stack; the details in the server log', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const startsAt = new Date(Date.now() + 3_600_000).toISOString();
    const endsAt = new Date(Date.now() + 90_000_000).toISOString();
    const response = await POST(
      post('delegation.create', JSON.stringify({ delegateId: quanId, startsAt, endsAt, reason: 'explode' })),
    );
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toMatch(/insert|delegations|password|select|query|\.ts:/i);
    const body = JSON.parse(text) as Envelope;
    expect(body.error.message).toMatch(/^Something went wrong on the server \(reference [0-9a-f]{8}\)/);
    expect(body.error.data.stack).toBeUndefined();
    expect(log).toHaveBeenCalledTimes(1);
  });

  it('a body that is not JSON: a 400, not a 500', async () => {
    const response = await POST(post('instance.start', '{"definitionKey": "invoice-approval", '));
    expect(response.status).toBe(400);
    expect(((await response.json()) as Envelope).error.data.code).toBe('BAD_REQUEST');
  });

  it('a request within the limits is served as before', async () => {
    const response = await POST(
      post(
        'instance.start',
        JSON.stringify({ definitionKey: 'no-such-process', variables: { note: 'x'.repeat(100_000) } }),
      ),
    );
    expect(response.status).toBe(404);
    const body = (await response.json()) as Envelope;
    expect(body.error.message).toBe('No process "no-such-process" is published in this company.');
  });
});

describe('the sign-in and language endpoints', () => {
  it('better-auth’s endpoint refuses a 50 MB body with 413 before better-auth reads it, as { code, message }', async () => {
    const { stream, pulled } = streamedJson(50 * MiB);
    const request = new Request('http://localhost:3000/api/auth/sign-in/email', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    const response = await authRoute.POST(request);
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('(1 MiB)') });
    expect(pulled()).toBeLessThan(2 * MiB);
  });

  it('the language switch refuses a 2 MB form with 413, and still switches with a small one', async () => {
    const form = (back: string) =>
      new Request('http://localhost:3000/api/locale', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ locale: 'en', back }).toString(),
      });
    expect((await localeRoute.POST(form(`/${'x'.repeat(2 * MiB)}`))).status).toBe(413);
    const switched = await localeRoute.POST(form('/inbox'));
    expect(switched.status).toBe(303);
    expect(switched.headers.get('location')).toBe('/inbox');
    expect(switched.headers.get('set-cookie')).toContain('trellis_locale=en');
  });
});
