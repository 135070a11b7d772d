/**
 * Inbound webhooks (issue 21) through their route handler, on a real database (PGlite, and
 * PostgreSQL when DATABASE_URL is set), with the app's own database handle. A POST signed over
 * "<delivery id>.<timestamp>.<body>" (signInboundHook, the README's recipe) starts a process at its message
 * start event, or moves the instance waiting at a message catch event by the correlation key the
 * hook computes from the body — audited as the hook, no person. Every request not signed for an
 * active hook gets one 401 (wrong signature, wrong or rotated secret, unknown, deactivated,
 * another company's hook, a replay under a new delivery id), 429 past the count — per address, and
 * per hook only for a hook that exists — and changes nothing; a timestamp out of tolerance
 * either way is refused saying so; headers and hostile bodies are refused naming what is wrong; a
 * replayed delivery id acts once; a failed delivery records nothing, so its retry acts. Management
 * is for admins, refused to others and field by field in the caller's language. Housekeeping
 * forgets delivery ids past their window and rate limit counts past theirs.
 */
import { execFileSync } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { and, count, eq, sql } from 'drizzle-orm';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import {
  auditEvents,
  inboundDeliveries,
  inboundWebhooks,
  memberships,
  processInstances,
  rateLimits,
  tenants,
  users,
} from '@/db/schema';
import { resolveActor, type Actor } from '@/app/server/actor';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { verifyAudit } from '@/app/server/services/audit';
import {
  createInboundHook,
  deactivateInboundHook,
  DELIVERY_ID_KEPT_SECONDS,
  MAX_TOLERANCE_SECONDS,
  pruneInboundDeliveries,
  signInboundHook,
  SIGNATURE_FAILURES,
  type NewInboundHook,
} from '@/app/server/services/inbound-hooks';
import { consumeRateLimit, MAX_RATE_WINDOW_SECONDS, pruneRateLimits } from '@/app/server/rate-limit';
import { signWebhook } from '@/app/server/services/webhooks';
import { operations } from '@/app/server/api/openapi';
import { POST } from '@/app/api/v1/hooks/[id]/route';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

const ADMIN = 'bao.ngo@senvang.example';
const app = globalThis as unknown as { __trellisDb?: Promise<DatabaseHandle> };

let handle: DatabaseHandle;
let tenantId: string;
let admin: Actor;
/** The other company's admin, who has a hook publishing the same message name. */
let otherAdmin: Actor;

const flow = (id: string, source: string, target: string) => ({ id, source, target });

type Body = Record<string, unknown>;
interface Sent {
  status: number;
  body: Body;
  headers: Headers;
}

/** A POST to hook `id`: the body signed with `secret` at `timestamp` (now) unless headers say otherwise. */
async function deliver(
  id: string,
  secret: string,
  body: unknown,
  options: { timestamp?: number; delivery?: string | null; headers?: Record<string, string>; locale?: string } = {},
): Promise<Sent> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const delivery = options.delivery === undefined ? randomUUID() : options.delivery;
  const res = await POST(
    new Request(`http://localhost:3000/api/v1/hooks/${id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-trellis-timestamp': String(timestamp),
        'x-trellis-signature': signInboundHook(secret, delivery ?? '', timestamp, raw),
        ...(delivery === null ? {} : { 'x-trellis-delivery': delivery }),
        ...(options.locale ? { 'accept-language': options.locale } : {}),
        ...options.headers,
      },
      body: raw,
    }),
    { params: Promise.resolve({ id }) },
  );
  return { status: res.status, body: (await res.json()) as Body, headers: res.headers };
}

/** A POST of `raw` to hook `id` with exactly these headers (a captured request, sent again). */
async function resend(id: string, headers: Record<string, string>, raw: string): Promise<Sent> {
  const res = await POST(
    new Request(`http://localhost:3000/api/v1/hooks/${id}`, { method: 'POST', headers, body: raw }),
    { params: Promise.resolve({ id }) },
  );
  return { status: res.status, body: (await res.json()) as Body, headers: res.headers };
}

async function rateLimitRows(): Promise<number> {
  const [row] = await handle.db.select({ n: count() }).from(rateLimits);
  return row!.n;
}

/** Runs `body` with X-Forwarded-For believed, so each request can come from an address of its own. */
async function behindProxy(body: () => Promise<void>): Promise<void> {
  const saved = process.env.TRELLIS_TRUSTED_PROXY;
  process.env.TRELLIS_TRUSTED_PROXY = '1';
  try {
    await body();
  } finally {
    if (saved === undefined) delete process.env.TRELLIS_TRUSTED_PROXY;
    else process.env.TRELLIS_TRUSTED_PROXY = saved;
  }
}

async function hook(input: Partial<NewInboundHook> = {}, actor: Actor = admin) {
  const created = await createInboundHook(handle.db, actor, {
    name: `Ngân hàng báo có ${randomUUID().slice(0, 4)}`,
    messageName: 'bank-credit',
    ...input,
  });
  return { id: created.id, secret: created.secret };
}

/** What a refused request could have changed: instances, deliveries recorded, audit rows. */
async function footprint() {
  const [instances] = await handle.db.select({ n: count() }).from(processInstances);
  const [deliveries] = await handle.db.select({ n: count() }).from(inboundDeliveries);
  const [audit] = await handle.db.select({ n: count() }).from(auditEvents);
  return { instances: instances!.n, deliveries: deliveries!.n, audit: audit!.n };
}

async function instance(id: string) {
  const [row] = await handle.db
    .select({ status: processInstances.status, state: processInstances.state, tenantId: processInstances.tenantId })
    .from(processInstances)
    .where(eq(processInstances.id, id));
  return row!;
}

/** Starts an invoice payment that waits for "invoice-paid" with its number as the key. */
async function waitingInvoice(invoiceNumber: string): Promise<string> {
  const caller = await callerFor(handle.db, ADMIN);
  const { id } = await caller.instance.start({ definitionKey: 'supplier-invoice', variables: { invoiceNumber } });
  return id;
}

const refusal = (call: Promise<unknown>) =>
  call.then(
    () => null,
    (e: unknown) => e as TRPCError & { cause?: { fields?: { field: string; label: string; message: string }[] } },
  );

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  app.__trellisDb = Promise.resolve(handle);
  const [user] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, ADMIN));
  admin = (await resolveActor(handle.db, user!.id, 'en'))!;

  // A bank's credit notice starts a reconciliation.
  await publishProcess(
    handle.db,
    tenantId,
    {
      definition: {
        formatVersion: 1,
        key: 'bank-credit',
        version: 1,
        name: { en: 'Bank credit', vi: 'Báo có ngân hàng' },
        elements: [
          { id: 's', type: 'startEvent', event: { kind: 'message', name: 'bank-credit' } },
          { id: 'reconcile', type: 'userTask', formKey: 'reconcile', candidateGroups: ['accounting'] },
          { id: 'e', type: 'endEvent' },
        ],
        flows: [flow('f1', 's', 'reconcile'), flow('f2', 'reconcile', 'e')],
      },
      forms: [{ key: 'reconcile', version: 1, title: 'Đối chiếu', schema: { type: 'object', properties: {} } }],
    },
    null,
  );
  // An invoice waits for its payment, matched by its number.
  await publishProcess(
    handle.db,
    tenantId,
    {
      definition: {
        formatVersion: 1,
        key: 'supplier-invoice',
        version: 1,
        name: { en: 'Invoice payment', vi: 'Thanh toán hóa đơn' },
        startForm: 'invoice-start',
        elements: [
          { id: 's', type: 'startEvent' },
          {
            id: 'paid',
            type: 'intermediateCatchEvent',
            event: { kind: 'message', name: 'invoice-paid', correlationKey: 'invoiceNumber' },
          },
          { id: 'e', type: 'endEvent' },
        ],
        flows: [flow('f1', 's', 'paid'), flow('f2', 'paid', 'e')],
      },
      forms: [
        {
          key: 'invoice-start',
          version: 1,
          title: 'Hóa đơn',
          schema: { type: 'object', required: ['invoiceNumber'], properties: { invoiceNumber: { type: 'string' } } },
        },
      ],
    },
    null,
  );

  // Another company, with an admin of its own and no process of these names.
  const [other] = await handle.db
    .insert(tenants)
    .values({ slug: 'hoa-sen-hooks', name: 'Công ty Hoa Sen' })
    .returning();
  const [boss] = await handle.db
    .insert(users)
    .values({ email: 'hoa@hoasen-hooks.example', displayName: 'Trịnh Thị Hoa' })
    .returning();
  await handle.db.insert(memberships).values({ tenantId: other!.id, userId: boss!.id, role: 'admin' });
  otherAdmin = (await resolveActor(handle.db, boss!.id, 'en', other!.id))!;
});

afterAll(async () => {
  delete app.__trellisDb;
  await handle?.close();
});

describe('a signed POST publishes the hook’s message', () => {
  it('starts a process at its message start event, with the body as its variables, audited as the hook', async () => {
    const { id, secret } = await hook({ name: 'Vietcombank báo có' });
    const body = { amount: 25_000_000, reference: 'VCB-2026-0001', payer: 'Công ty Bình Minh' };
    const sent = await deliver(id, secret, body);
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ correlated: 'started', instanceId: expect.any(String) });
    const started = await instance(sent.body.instanceId as string);
    expect(started.tenantId).toBe(tenantId);
    expect(started.state.variables).toMatchObject(body);

    const rows = await handle.db
      .select({ type: auditEvents.type, actorId: auditEvents.actorId, data: auditEvents.data })
      .from(auditEvents)
      .where(eq(auditEvents.instanceId, sent.body.instanceId as string));
    expect(rows.map((r) => r.type)).toContain('inboundhook.received');
    for (const row of rows) expect(row.actorId).toBeNull();
    expect(rows.find((r) => r.type === 'inboundhook.received')!.data).toMatchObject({
      name: 'bank-credit',
      correlated: 'started',
      inboundHook: { id, name: 'Vietcombank báo có' },
    });
    expect((await verifyAudit(handle.db, { tenantId })).problems).toEqual([]);
    const [row] = await handle.db
      .select({ last: inboundWebhooks.lastDeliveryAt })
      .from(inboundWebhooks)
      .where(eq(inboundWebhooks.id, id));
    expect(row!.last).toBeInstanceOf(Date);
  });

  it('moves the instance waiting for it by the correlation key computed from the body, and no other', async () => {
    const { id, secret } = await hook({ messageName: 'invoice-paid', correlationKey: 'invoice.number' });
    const waiting = await waitingInvoice('HD-0042');
    const other = await waitingInvoice('HD-0043');
    const sent = await deliver(id, secret, { invoice: { number: 'HD-0042' }, paidOn: '2026-03-01' });
    expect(sent.body).toEqual({ correlated: 'instance', instanceId: waiting });
    const moved = await instance(waiting);
    expect(moved.status).toBe('completed');
    expect(moved.state.variables).toMatchObject({ invoiceNumber: 'HD-0042', paidOn: '2026-03-01' });
    expect((await instance(other)).status).toBe('active');
    const [received] = await handle.db
      .select({ actorId: auditEvents.actorId, data: auditEvents.data })
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, waiting), eq(auditEvents.type, 'message.received')));
    expect(received).toMatchObject({
      actorId: null,
      data: { name: 'invoice-paid', correlationKey: 'HD-0042', inboundHook: { id } },
    });
    // A number is a key too, as text.
    const numbered = await waitingInvoice('77');
    expect((await deliver(id, secret, { invoice: { number: 77 } })).body).toEqual({
      correlated: 'instance',
      instanceId: numbered,
    });
  });

  it('answers `dropped` when nothing waits for the message, and a body’s `initiator` is dropped, not forged', async () => {
    const { id, secret } = await hook({ messageName: 'invoice-paid', correlationKey: 'invoice.number' });
    expect((await deliver(id, secret, { invoice: { number: 'HD-none' } })).body).toEqual({ correlated: 'dropped' });
    const started = await hook();
    const sent = await deliver(started.id, started.secret, { initiator: { email: 'ke.gia.mao@example.com' }, a: 1 });
    expect((await instance(sent.body.instanceId as string)).state.variables).not.toHaveProperty('initiator');
  });
});

describe('replays', () => {
  it('a delivery id handled before answers the first outcome with duplicate: true, and does nothing', async () => {
    const { id, secret } = await hook();
    const delivery = `erp-${randomUUID()}`;
    const first = await deliver(id, secret, { amount: 1 }, { delivery });
    const before = await footprint();
    // A replay a moment later, signed afresh (as a retrying sender does) or byte for byte the same.
    const again = await deliver(id, secret, { amount: 1 }, { delivery });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, duplicate: true });
    expect(await footprint()).toEqual(before);
  });

  it('a captured request sent again under a new delivery id is refused: the id is signed', async () => {
    const { id, secret } = await hook();
    const raw = JSON.stringify({ amount: 3, bankRef: 'VCB-replay' });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const captured = {
      'content-type': 'application/json',
      'x-trellis-timestamp': timestamp,
      'x-trellis-delivery': 'vcb-0001',
      'x-trellis-signature': signInboundHook(secret, 'vcb-0001', timestamp, raw),
    };
    expect((await resend(id, captured, raw)).body).toMatchObject({ correlated: 'started' });
    const before = await footprint();
    const replayed = await resend(id, { ...captured, 'x-trellis-delivery': 'vcb-0002' }, raw);
    expect(replayed.status).toBe(401);
    expect(replayed.body.code).toBe('UNAUTHORIZED');
    // Signed the old way (timestamp and body only), even the first delivery is refused.
    const unsigned = await resend(
      id,
      { ...captured, 'x-trellis-delivery': 'vcb-0003', 'x-trellis-signature': signWebhook(secret, +timestamp, raw) },
      raw,
    );
    expect(unsigned.status).toBe(401);
    expect(await footprint()).toEqual(before);
    // The same id, byte for byte: the first outcome, nothing done.
    expect((await resend(id, captured, raw)).body).toMatchObject({ correlated: 'started', duplicate: true });
  });

  it('a message no instance waits for yet is dropped, not kept: its id is handled; a new id reaches the instance', async () => {
    const { id, secret } = await hook({ messageName: 'invoice-paid', correlationKey: 'invoice.number' });
    const body = { invoice: { number: 'HD-early' } };
    const delivery = randomUUID();
    expect((await deliver(id, secret, body, { delivery })).body).toEqual({ correlated: 'dropped' });
    const waiting = await waitingInvoice('HD-early');
    expect((await deliver(id, secret, body, { delivery })).body).toEqual({ correlated: 'dropped', duplicate: true });
    expect((await instance(waiting)).status).toBe('active');
    expect((await deliver(id, secret, body)).body).toEqual({ correlated: 'instance', instanceId: waiting });
  });

  it('two deliveries of the same id at once act once', async () => {
    const { id, secret } = await hook();
    const delivery = randomUUID();
    const before = await footprint();
    const answers = await Promise.all([1, 2, 3].map(() => deliver(id, secret, { amount: 2 }, { delivery })));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(answers.filter((a) => a.body.duplicate === true)).toHaveLength(2);
    expect(new Set(answers.map((a) => a.body.instanceId)).size).toBe(1);
    expect((await footprint()).instances).toBe(before.instances + 1);
  });

  it('a delivery that failed recorded nothing: its retry, fixed, acts once', async () => {
    const { id, secret } = await hook({ messageName: 'invoice-paid', correlationKey: 'invoice.number' });
    const waiting = await waitingInvoice('HD-retry');
    const delivery = randomUUID();
    const before = await footprint();
    expect((await deliver(id, secret, { invoiceNo: 'HD-retry' }, { delivery })).status).toBe(400);
    expect(await footprint()).toEqual(before);
    const retried = await deliver(id, secret, { invoice: { number: 'HD-retry' } }, { delivery });
    expect(retried.body).toEqual({ correlated: 'instance', instanceId: waiting });
  });
});

describe('requests not signed for an active hook: one 401, nothing happens', () => {
  it('a wrong signature, a wrong secret, an unknown hook and a deactivated one read alike', async () => {
    const { id, secret } = await hook();
    const gone = await hook();
    await deactivateInboundHook(handle.db, admin, gone.id);
    const before = await footprint();
    const timestamp = Math.floor(Date.now() / 1000);
    const delivery = randomUUID();
    const tampered = await deliver(
      id,
      secret,
      { amount: 999_999_999 },
      {
        headers: { 'x-trellis-signature': signInboundHook(secret, delivery, timestamp, '{"amount":1}') },
        timestamp,
        delivery,
      },
    );
    const wrongSecret = await deliver(id, 'a'.repeat(64), { amount: 1 });
    const unknown = await deliver(randomUUID(), secret, { amount: 1 });
    const notAnId = await deliver('not-a-hook', secret, { amount: 1 });
    const deactivated = await deliver(gone.id, gone.secret, { amount: 1 });
    for (const answer of [tampered, wrongSecret, unknown, notAnId, deactivated]) {
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(tampered.body);
    }
    expect(tampered.body).toEqual({
      code: 'UNAUTHORIZED',
      message: expect.stringContaining('not signed for an active inbound webhook'),
    });
    expect((await deliver(gone.id, gone.secret, {}, { locale: 'vi' })).body.message).toMatch(
      /^Yêu cầu này không được ký cho một webhook nhận vào đang hoạt động/,
    );
    expect(await footprint()).toEqual(before);
  });

  it('a rotated secret refuses the old one at once, and the new one works', async () => {
    const { id, secret } = await hook();
    const caller = await callerFor(handle.db, ADMIN);
    const { secret: fresh } = await caller.inboundHook.rotateSecret({ id });
    expect(fresh).toMatch(/^[0-9a-f]{64}$/);
    expect(fresh).not.toBe(secret);
    expect((await deliver(id, secret, { amount: 1 })).status).toBe(401);
    expect((await deliver(id, fresh, { amount: 1 })).status).toBe(200);
  });

  it('another company’s hook is reached only with its own secret, and publishes into its own company only', async () => {
    const ours = await hook();
    const theirs = await hook({ name: 'Hoa Sen ERP' }, otherAdmin);
    const before = await footprint();
    // Our hook's address signed with their secret, and theirs with ours: refused alike.
    expect((await deliver(ours.id, theirs.secret, { amount: 1 })).status).toBe(401);
    expect((await deliver(theirs.id, ours.secret, { amount: 1 })).status).toBe(401);
    // Their own, properly signed: "bank-credit" starts nothing of ours (they have no such process).
    expect((await deliver(theirs.id, theirs.secret, { amount: 1 })).body).toEqual({ correlated: 'dropped' });
    expect((await footprint()).instances).toBe(before.instances);
    // And our admin cannot see, rotate or deactivate it.
    const caller = await callerFor(handle.db, ADMIN);
    expect((await caller.inboundHook.list()).map((h) => h.id)).not.toContain(theirs.id);
    expect((await refusal(caller.inboundHook.rotateSecret({ id: theirs.id })))?.code).toBe('NOT_FOUND');
    expect((await refusal(caller.inboundHook.deactivate({ id: theirs.id })))?.code).toBe('NOT_FOUND');
  });

  it(`past ${SIGNATURE_FAILURES.max} bad requests a minute for a hook, 429 with Retry-After; a valid signature still passes`, async () => {
    await handle.db.delete(rateLimits).where(sql`true`);
    const { id, secret } = await hook();
    const answers: number[] = [];
    for (let i = 0; i < SIGNATURE_FAILURES.max + 1; i++)
      answers.push((await deliver(id, 'b'.repeat(64), { amount: i })).status);
    expect(answers.slice(0, SIGNATURE_FAILURES.max).every((s) => s === 401)).toBe(true);
    const limited = await deliver(id, 'b'.repeat(64), { amount: 0 }, { locale: 'vi' });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.body).toEqual({ code: 'TOO_MANY_REQUESTS', message: expect.stringMatching(/^Quá nhiều yêu cầu/) });
    expect((await deliver(id, secret, { amount: 1 })).status).toBe(200);
    await handle.db.delete(rateLimits).where(sql`true`);
  });

  it('random hook ids are counted per address, not per id: 20 of them from one address leave at most one row', async () => {
    await handle.db.delete(rateLimits).where(sql`true`);
    await behindProxy(async () => {
      const before = await rateLimitRows();
      const from = { 'x-forwarded-for': '203.0.113.7' };
      for (let i = 0; i < 20; i++)
        expect((await deliver(randomUUID(), 'c'.repeat(64), { amount: i }, { headers: from })).status).toBe(401);
      expect((await deliver('not-a-hook', 'c'.repeat(64), { amount: 0 }, { headers: from })).status).toBe(401);
      expect(await rateLimitRows()).toBeLessThanOrEqual(before + 1);
    });
    await handle.db.delete(rateLimits).where(sql`true`);
  });

  it('an address past the count is refused alike for unknown and existing hooks; a hook’s own count spans addresses', async () => {
    await handle.db.delete(rateLimits).where(sql`true`);
    const { id, secret } = await hook();
    await behindProxy(async () => {
      const guesser = { 'x-forwarded-for': '198.51.100.1' };
      for (let i = 0; i < SIGNATURE_FAILURES.max; i++)
        await deliver(randomUUID(), 'd'.repeat(64), { amount: i }, { headers: guesser });
      const unknown = await deliver(randomUUID(), 'd'.repeat(64), { amount: 0 }, { headers: guesser });
      const existing = await deliver(id, 'd'.repeat(64), { amount: 0 }, { headers: guesser });
      for (const answer of [unknown, existing]) {
        expect(answer.status).toBe(429);
        expect(answer.body).toEqual({ code: 'TOO_MANY_REQUESTS', message: expect.stringMatching(/^Too many/) });
      }
      // Another address is not limited by the guesser's count...
      expect(
        (await deliver(randomUUID(), 'd'.repeat(64), {}, { headers: { 'x-forwarded-for': '198.51.100.2' } })).status,
      ).toBe(401);
      // ...but one hook's failures add up whichever address sends them (the guesser's last one included).
      const answers: number[] = [];
      for (let i = 0; i < SIGNATURE_FAILURES.max; i++)
        answers.push(
          (await deliver(id, 'e'.repeat(64), { amount: i }, { headers: { 'x-forwarded-for': `192.0.2.${i + 1}` } }))
            .status,
        );
      expect(answers.at(-1)).toBe(429);
      expect(answers.filter((s) => s === 401)).toHaveLength(SIGNATURE_FAILURES.max - 1);
      // A valid signature is never refused by either count.
      expect((await deliver(id, secret, { amount: 1 }, { headers: guesser })).status).toBe(200);
    });
    await handle.db.delete(rateLimits).where(sql`true`);
  });
});

describe('once signed, refusals say what to fix', () => {
  it('a timestamp beyond the tolerance, behind or ahead, is refused saying which and by how much', async () => {
    const { id, secret } = await hook({ name: 'Sổ phụ', toleranceSeconds: 60 });
    const now = Math.floor(Date.now() / 1000);
    const before = await footprint();
    const old = await deliver(id, secret, { amount: 1 }, { timestamp: now - 600 });
    expect(old.status).toBe(401);
    expect(old.body.message).toMatch(/^X-Trellis-Timestamp is 6\d\d seconds behind .* “Sổ phụ” accepts at most 60\./);
    const future = await deliver(id, secret, { amount: 1 }, { timestamp: now + 600, locale: 'vi' });
    expect(future.status).toBe(401);
    expect(future.body.message).toMatch(/^X-Trellis-Timestamp nhanh (59\d|600) giây/);
    expect(await footprint()).toEqual(before);
    expect((await deliver(id, secret, { amount: 1 }, { timestamp: now - 30 })).status).toBe(200);
  });

  it('missing or malformed headers are a 400 naming each header, in the caller’s language', async () => {
    const { id, secret } = await hook();
    const before = await footprint();
    const missing = await deliver(id, secret, { amount: 1 }, { delivery: null });
    expect(missing.status).toBe(400);
    expect(missing.body.fields).toEqual([
      { path: 'X-Trellis-Delivery', label: 'X-Trellis-Delivery', message: expect.stringContaining('required') },
    ]);
    const garbled = await deliver(
      id,
      secret,
      { amount: 1 },
      {
        delivery: 'x'.repeat(201),
        headers: { 'x-trellis-signature': 'md5=abc', 'x-trellis-timestamp': 'hôm qua' },
        locale: 'vi',
      },
    );
    expect(garbled.status).toBe(400);
    expect((garbled.body.fields as { path: string }[]).map((f) => f.path)).toEqual([
      'X-Trellis-Timestamp',
      'X-Trellis-Signature',
      'X-Trellis-Delivery',
    ]);
    expect(garbled.body.message).toMatch(/^Thiếu hoặc sai X-Trellis-Timestamp/);
    expect(await footprint()).toEqual(before);
  });

  it('hostile bodies: too large 413, too deep, not JSON or not an object 400 — nothing happens', async () => {
    const { id, secret } = await hook();
    const before = await footprint();
    const huge = await deliver(id, secret, { blob: 'x'.repeat(1024 * 1024 + 10) });
    expect(huge.status).toBe(413);
    expect(huge.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('1 MiB') });
    const overMessage = await deliver(id, secret, { blob: 'x'.repeat(70 * 1024) });
    expect(overMessage.status).toBe(413);
    expect(overMessage.body).toMatchObject({
      message: expect.stringMatching(/^The body is \d+ bytes; .* at most 65536 bytes/),
      fields: [{ path: 'body' }],
    });
    const deep = await deliver(id, secret, `${'['.repeat(100)}${']'.repeat(100)}`);
    expect(deep.status).toBe(400);
    expect(deep.body.message).toMatch(/64/);
    // Sent as text: the depth check does not rely on the Content-Type.
    const deepText = await deliver(id, secret, `{"a":${'['.repeat(100)}${']'.repeat(100)}}`, {
      headers: { 'content-type': 'text/plain' },
    });
    expect(deepText.status).toBe(400);
    expect(deepText.body.fields).toEqual([{ path: 'body', label: 'Body', message: expect.stringMatching(/64/) }]);
    const list = await deliver(id, secret, [1, 2, 3]);
    expect(list.status).toBe(400);
    expect(list.body.message).toBe('The request body must be a JSON object.');
    const notJson = await deliver(id, secret, 'amount=1', { locale: 'vi' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.message).toMatch(/^Thân yêu cầu không phải JSON hợp lệ/);
    expect(await footprint()).toEqual(before);
  });

  it('a correlation key the expression cannot compute is refused naming the hook and the expression', async () => {
    const { id, secret } = await hook({
      name: 'Cổng thanh toán',
      messageName: 'invoice-paid',
      correlationKey: 'invoice.number',
    });
    const before = await footprint();
    const missing = await deliver(id, secret, { amount: 1 });
    expect(missing.status).toBe(400);
    expect(missing.body.message).toMatch(
      /^Inbound webhook “Cổng thanh toán” could not compute its correlation key with “invoice.number” from this body: /,
    );
    const list = await deliver(id, secret, { invoice: { number: [1, 2] } }, { locale: 'vi' });
    expect(list.body.message).toMatch(
      /^Webhook nhận vào “Cổng thanh toán” không tính được khóa tương quan bằng “invoice.number” .*một danh sách/,
    );
    expect(await footprint()).toEqual(before);
  });
});

describe('managing hooks', () => {
  it('only admins, refused to others in their language; fields named in the caller’s language', async () => {
    for (const [email, locale, text] of [
      [demo.hung, 'en', 'Only an admin may manage inbound webhooks.'],
      ['trang.hoang@senvang.example', 'vi', 'Chỉ quản trị viên mới được quản lý webhook nhận vào.'],
    ] as const) {
      const caller = await callerFor(handle.db, email, locale);
      for (const call of [
        caller.inboundHook.list(),
        caller.inboundHook.messageNames(),
        caller.inboundHook.create({ name: 'x', messageName: 'bank-credit' }),
      ]) {
        const error = await refusal(call);
        expect(error).toMatchObject({ code: 'FORBIDDEN', message: text });
      }
    }
    const vi = await callerFor(handle.db, ADMIN, 'vi');
    const error = await refusal(
      vi.inboundHook.create({
        name: '  ',
        messageName: ' bank credit',
        correlationKey: 'invoice.(',
        toleranceSeconds: 5,
      }),
    );
    expect(error?.code).toBe('BAD_REQUEST');
    expect(error?.cause?.fields?.map((f) => [f.field, f.label])).toEqual([
      ['name', 'Tên'],
      ['messageName', 'Thông điệp được gửi'],
      ['correlationKey', 'Khóa tương quan (không bắt buộc)'],
      ['toleranceSeconds', 'Độ lệch thời gian cho phép (giây)'],
    ]);
    expect(error?.message).toBe('Hãy đặt tên cho webhook, nói rõ hệ thống nào gọi tới, ví dụ “Ngân hàng báo có”.');
  });

  it('lists hooks without secrets, offers the messages the processes hear, and audits each change as the admin', async () => {
    const caller = await callerFor(handle.db, ADMIN);
    const created = await caller.inboundHook.create({
      name: 'Kế toán MISA',
      messageName: 'invoice-paid',
      correlationKey: 'invoice.number',
    });
    expect(created).toMatchObject({ name: 'Kế toán MISA', toleranceSeconds: 300, secret: expect.any(String) });
    const listed = (await caller.inboundHook.list()).find((h) => h.id === created.id)!;
    expect(listed).not.toHaveProperty('secret');
    expect(listed).toMatchObject({ messageName: 'invoice-paid', deactivatedAt: null, createdBy: { id: admin.userId } });
    expect(await caller.inboundHook.messageNames()).toEqual(expect.arrayContaining(['bank-credit', 'invoice-paid']));
    const first = await caller.inboundHook.deactivate({ id: created.id });
    expect(await caller.inboundHook.deactivate({ id: created.id })).toEqual(first);
    expect((await refusal(caller.inboundHook.rotateSecret({ id: created.id })))?.code).toBe('NOT_FOUND');
    const trail = await handle.db
      .select({ type: auditEvents.type, actorId: auditEvents.actorId, data: auditEvents.data })
      .from(auditEvents)
      .where(sql`${auditEvents.data}->>'inboundHookId' = ${created.id}`);
    expect(trail.map((r) => r.type)).toEqual(['inboundhook.created', 'inboundhook.deactivated']);
    for (const row of trail) {
      expect(row.actorId).toBe(admin.userId);
      expect(JSON.stringify(row.data)).not.toContain(created.secret);
    }
  });
});

describe('housekeeping and the document', () => {
  it('prunes delivery ids no replay can use any more, and keeps recent ones', async () => {
    const { id, secret } = await hook();
    await deliver(id, secret, { amount: 1 }, { delivery: 'recent' });
    // A replay is acceptable up to twice the largest tolerance after its id was first seen: kept that long, plus a margin.
    expect(DELIVERY_ID_KEPT_SECONDS).toBeGreaterThan(2 * MAX_TOLERANCE_SECONDS);
    const aged = (deliveryId: string, seconds: number) => ({
      tenantId,
      webhookId: id,
      deliveryId,
      outcome: 'dropped',
      receivedAt: sql`now() - make_interval(secs => ${seconds})`,
    });
    await handle.db
      .insert(inboundDeliveries)
      .values([
        aged('old', 3 * 3600),
        aged('just-outside', DELIVERY_ID_KEPT_SECONDS + 60),
        aged('just-inside', DELIVERY_ID_KEPT_SECONDS - 60),
        aged('two-tolerances', 2 * MAX_TOLERANCE_SECONDS),
      ]);
    expect(await pruneInboundDeliveries(handle.db)).toBeGreaterThanOrEqual(2);
    const left = await handle.db
      .select({ deliveryId: inboundDeliveries.deliveryId })
      .from(inboundDeliveries)
      .where(eq(inboundDeliveries.webhookId, id));
    expect(left.map((r) => r.deliveryId).sort()).toEqual(['just-inside', 'recent', 'two-tolerances']);
  });

  it('prunes rate limit counts whose window has passed under every rule, and keeps live ones', async () => {
    await handle.db.delete(rateLimits).where(sql`true`);
    const started = (key: string, seconds: number) => ({
      key,
      count: 30,
      windowStart: sql`now() - make_interval(secs => ${seconds})`,
    });
    await handle.db
      .insert(rateLimits)
      .values([
        started('expired', MAX_RATE_WINDOW_SECONDS + 60),
        started('long-expired', 30 * 24 * 3600),
        started('inside-longest-window', MAX_RATE_WINDOW_SECONDS - 60),
        started('live', 5),
      ]);
    expect(await pruneRateLimits(handle.db)).toBe(2);
    const left = await handle.db.select({ key: rateLimits.key }).from(rateLimits);
    expect(left.map((r) => r.key).sort()).toEqual(['inside-longest-window', 'live']);
    // A rule whose window outlives the prune is refused where it is used, not silently cut short.
    await expect(
      consumeRateLimit(handle.db, 'too-long:x', { window: MAX_RATE_WINDOW_SECONDS + 1, max: 1 }),
    ).rejects.toThrow(/MAX_RATE_WINDOW_SECONDS/);
    await handle.db.delete(rateLimits).where(sql`true`);
  });

  it('describes POST /hooks/{id}: signed, not keyed, its signing headers as parameters', async () => {
    const { openApiDocument } = await import('@/app/server/api/openapi');
    const op = (openApiDocument().paths as Record<string, Record<string, Record<string, unknown>>>)['/hooks/{id}']!
      .post!;
    expect(op.security).toEqual([]);
    expect((op.parameters as { name?: string; $ref?: string }[]).map((p) => p.name ?? p.$ref)).toEqual([
      'id',
      'X-Trellis-Timestamp',
      'X-Trellis-Signature',
      'X-Trellis-Delivery',
      '#/components/parameters/AcceptLanguage',
    ]);
    expect(operations.find((o) => o.path === '/hooks/{id}')).toMatchObject({ public: true, signed: true });
  });

  it('says the signature, not an API key, is what its 401 and 429 are about, and that the delivery id is signed', async () => {
    const { openApiDocument } = await import('@/app/server/api/openapi');
    const op = (openApiDocument().paths as Record<string, Record<string, Record<string, unknown>>>)['/hooks/{id}']!
      .post!;
    // The shared responses speak of keys; the operation's own description says what they mean here.
    expect(op.description).toMatch(/401 and 429 are about the signature, not an API key/);
    const signature = (op.parameters as { name?: string; description?: string }[]).find(
      (p) => p.name === 'X-Trellis-Signature',
    );
    expect(signature?.description).toContain('`<X-Trellis-Delivery>.<X-Trellis-Timestamp>.<raw body>`');
  });

  it('the README’s recipes sign as the route checks: its openssl line and its Node line', async () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## Inbound webhooks'), readme.indexOf('## External job workers'));
    const sigLine = /^SIG=.*$/m.exec(section)![0];
    const nodeLine = "createHmac('sha256', secret).update(`${id}.${ts}.${body}`).digest('hex')";
    expect(section).toContain(nodeLine);

    const { id: hookId, secret } = await hook();
    const body = JSON.stringify({ invoice: { number: 'HD-2026-0042' }, amount: 12_000_000, note: 'Tiền hàng tháng 3' });
    for (const recipe of ['openssl', 'node'] as const) {
      const id = `readme-${recipe}-${randomUUID()}`;
      const ts = String(Math.floor(Date.now() / 1000));
      const signature =
        recipe === 'openssl'
          ? `sha256=${execFileSync('bash', ['-c', `${sigLine}\nprintf '%s' "$SIG"`], {
              env: { ...process.env, SECRET: secret, ID: id, TS: ts, BODY: body },
              encoding: 'utf8',
            })}`
          : `sha256=${createHmac('sha256', secret).update(`${id}.${ts}.${body}`).digest('hex')}`;
      expect(signature).toBe(signInboundHook(secret, id, ts, body));
      const headers = {
        'Content-Type': 'application/json',
        'X-Trellis-Delivery': id,
        'X-Trellis-Timestamp': ts,
        'X-Trellis-Signature': signature,
      };
      expect((await resend(hookId, headers, body)).body).toMatchObject({ correlated: 'started' });
    }
  });
});
