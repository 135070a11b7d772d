/**
 * API keys on a real database (PGlite, and PostgreSQL when DATABASE_URL is set): an admin creates a
 * key and sees its token once (the table keeps only its hash); the token opens the key until it is
 * revoked or expires, and every refusal looks the same; last use is written at most once a minute;
 * only the company's admins manage its keys, in their language, and each refusal of what they sent
 * names its field; what a key does is audited as the key, never as a person. The admin procedures
 * (apiKeys.*) pass those refusals on unchanged, and offer the form the company's published processes
 * and the messages they wait for.
 */
import { createHash } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { apiKeys, auditEvents, memberships, tenants, users } from '@/db/schema';
import { resolveActor, type Actor, type Locale } from '@/app/server/actor';
import type { KeyCaller } from '@/app/server/caller';
import { isAppError } from '@/app/server/errors';
import { seedDemo } from '@/app/server/seed';
import { appendAudit } from '@/app/server/services/audit';
import {
  auditAsKey,
  authenticateApiKey,
  createApiKey,
  keyMayBroadcast,
  keyMayReadInstances,
  keyMaySend,
  keyMayStart,
  keyMayWork,
  listApiKeys,
  readApiKeyScopes,
  revokeApiKey,
  type NewApiKey,
} from '@/app/server/services/api-keys';
import { createContextInner } from '@/app/server/trpc/init';
import { createCaller } from '@/app/server/trpc/root';
import { rowsOf, createTestDatabase } from '../support/database';

const ADMIN = 'bao.ngo@senvang.example';
const STAFF = 'ngoc.bui@senvang.example';
const OTHER_ADMIN = 'giam.doc@hoa-sen-keys.example';

let handle: DatabaseHandle;
let tenantId: string;

async function actorFor(email: string, locale: Locale = 'en'): Promise<Actor> {
  const [user] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, email));
  const actor = await resolveActor(handle.db, user!.id, locale);
  if (!actor) throw new Error(`${email} is no member of any company`);
  return actor;
}

/** The AppError a call was refused with, as a caller sees it. */
async function refusal(call: Promise<unknown>) {
  try {
    await call;
  } catch (error) {
    if (!isAppError(error)) throw error;
    return { code: error.code, message: error.message, fields: error.fields ?? [] };
  }
  throw new Error('expected the call to be refused, but it succeeded');
}

const invoiceKey: NewApiKey = {
  name: 'ERP invoices',
  scopes: { start: ['invoice-approval'], messages: ['payment-received'], jobTypes: ['erp-post'] },
  expiresInDays: 30,
};

async function rowOf(id: string) {
  const [row] = await handle.db.select().from(apiKeys).where(eq(apiKeys.id, id));
  return row!;
}

async function auditOf(keyId: string) {
  return handle.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.tenantId, tenantId), sql`${auditEvents.data}->>'apiKeyId' = ${keyId}`))
    .orderBy(auditEvents.id);
}

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  // Another company with an admin of its own.
  const [other] = await handle.db
    .insert(tenants)
    .values({ slug: 'hoa-sen-keys', name: 'Công ty Hoa Sen' })
    .returning({ id: tenants.id });
  const [boss] = await handle.db
    .insert(users)
    .values({ email: OTHER_ADMIN, displayName: 'Trịnh Giám Đốc' })
    .returning({ id: users.id });
  await handle.db.insert(memberships).values({ tenantId: other!.id, userId: boss!.id, role: 'admin' });
});

afterAll(async () => {
  await handle?.close();
});

describe('creating a key', () => {
  it('shows the token once and keeps only its hash', async () => {
    // given an admin
    const admin = await actorFor(ADMIN);
    // when they create a key
    const created = await createApiKey(handle.db, admin, invoiceKey);
    // then the answer carries the token, with the prefix as its public part
    expect(created.token).toMatch(/^trk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/);
    expect(created.token.startsWith(`trk_${created.prefix}_`)).toBe(true);
    expect(created.scopes).toEqual({
      start: ['invoice-approval'],
      messages: ['payment-received'],
      signals: [],
      jobTypes: ['erp-post'],
      readInstances: false,
    });
    // the table has the token's sha256 and nothing of its secret
    const row = await rowOf(created.id);
    expect(row.tokenHash).toBe(createHash('sha256').update(created.token).digest('hex'));
    expect(row.tokenHash).not.toBe(created.token);
    const secret = created.token.slice(`trk_${created.prefix}_`.length);
    expect(JSON.stringify(row)).not.toContain(secret);
    // and the list never shows the token or the hash
    const listed = (await listApiKeys(handle.db, admin)).find((k) => k.id === created.id)!;
    expect(listed).toMatchObject({ name: 'ERP invoices', prefix: created.prefix, status: 'active', lastUsedAt: null });
    expect(listed.createdBy).toEqual({ id: admin.userId, name: admin.displayName });
    expect(Object.keys(listed)).not.toContain('token');
    expect(Object.keys(listed)).not.toContain('tokenHash');
    expect(JSON.stringify(listed)).not.toContain(secret);
    expect(JSON.stringify(listed)).not.toContain(row.tokenHash);
  });

  it('sets the expiry on the database clock', async () => {
    const admin = await actorFor(ADMIN);
    const [{ now }] = rowsOf<{ now: string | Date }>(await handle.db.execute(sql`select now() as now`)) as [
      { now: string | Date },
    ];
    const created = await createApiKey(handle.db, admin, { ...invoiceKey, expiresInDays: 366 });
    const expected = new Date(now).getTime() + 366 * 86_400_000;
    expect(Math.abs(created.expiresAt.getTime() - expected)).toBeLessThan(60_000);
  });

  it('keeps a Vietnamese name as written', async () => {
    const admin = await actorFor(ADMIN, 'vi');
    // Typed in decomposed form (as some keyboards send it) with spaces around: stored composed and trimmed.
    const created = await createApiKey(handle.db, admin, {
      ...invoiceKey,
      name: '  Kết nối ERP kế toán '.normalize('NFD'),
    });
    expect(created.name).toBe('Kết nối ERP kế toán');
    expect((await rowOf(created.id)).name).toBe('Kết nối ERP kế toán');
    expect((await listApiKeys(handle.db, admin)).find((k) => k.id === created.id)!.name).toBe('Kết nối ERP kế toán');
    expect((await authenticateApiKey(handle.db, created.token))!.name).toBe('Kết nối ERP kế toán');
  });

  it('is audited as the admin, without the token or its hash', async () => {
    const admin = await actorFor(ADMIN);
    const created = await createApiKey(handle.db, admin, invoiceKey);
    const rows = await auditOf(created.id);
    expect(rows.map((r) => r.type)).toEqual(['apikey.created']);
    expect(rows[0]).toMatchObject({ actorId: admin.userId, instanceId: null });
    expect(rows[0]!.data).toEqual({
      apiKeyId: created.id,
      name: 'ERP invoices',
      prefix: created.prefix,
      scopes: created.scopes,
      expiresAt: created.expiresAt.toISOString(),
    });
    const text = JSON.stringify(rows);
    expect(text).not.toContain(created.token.slice(-43));
    expect(text).not.toContain((await rowOf(created.id)).tokenHash);
  });
});

describe('authenticating a token', () => {
  it('opens the key it belongs to, as a caller of that company with its scopes', async () => {
    const admin = await actorFor(ADMIN);
    const created = await createApiKey(handle.db, admin, invoiceKey);
    const caller = await authenticateApiKey(handle.db, created.token);
    expect(caller).toEqual({
      kind: 'apiKey',
      keyId: created.id,
      tenantId,
      name: 'ERP invoices',
      prefix: created.prefix,
      scopes: created.scopes,
      createdBy: admin.userId,
    });
  });

  it('answers null alike for a wrong secret, a wrong prefix and a malformed token', async () => {
    const admin = await actorFor(ADMIN);
    const { token, prefix } = await createApiKey(handle.db, admin, invoiceKey);
    const secret = token.slice(-43);
    const otherChar = (c: string) => (c === 'A' ? 'B' : 'A');
    const otherPrefix = prefix.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    const refused = [
      `trk_${prefix}_${secret.slice(0, -1)}${otherChar(secret.slice(-1))}`, // one character of the secret
      `trk_${otherPrefix}_${secret}`, // another prefix, the right secret
      '',
      'trk_',
      token.toUpperCase(),
      `${token}x`,
      ` ${token}`,
      `Bearer ${token}`,
      secret,
      createHash('sha256').update(token).digest('hex'), // the stored hash is no token
      null,
      undefined,
    ];
    for (const candidate of refused)
      expect(await authenticateApiKey(handle.db, candidate), String(candidate)).toBe(null);
    expect(await authenticateApiKey(handle.db, token)).not.toBe(null);
  });

  it('refuses a revoked key at once', async () => {
    const admin = await actorFor(ADMIN);
    const created = await createApiKey(handle.db, admin, invoiceKey);
    expect(await authenticateApiKey(handle.db, created.token)).not.toBe(null);
    await revokeApiKey(handle.db, admin, created.id);
    expect(await authenticateApiKey(handle.db, created.token)).toBe(null);
    expect((await listApiKeys(handle.db, admin)).find((k) => k.id === created.id)!.status).toBe('revoked');
  });

  it('refuses an expired key, by the database clock', async () => {
    const admin = await actorFor(ADMIN);
    const created = await createApiKey(handle.db, admin, invoiceKey);
    await handle.db
      .update(apiKeys)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(apiKeys.id, created.id));
    expect(await authenticateApiKey(handle.db, created.token)).toBe(null);
    expect((await listApiKeys(handle.db, admin)).find((k) => k.id === created.id)!.status).toBe('expired');
  });

  it('records the last use at most once a minute', async () => {
    const admin = await actorFor(ADMIN);
    const created = await createApiKey(handle.db, admin, invoiceKey);
    expect((await rowOf(created.id)).lastUsedAt).toBe(null);

    // first use: written
    await authenticateApiKey(handle.db, created.token);
    const first = (await rowOf(created.id)).lastUsedAt;
    expect(first).toBeInstanceOf(Date);
    expect((await listApiKeys(handle.db, admin)).find((k) => k.id === created.id)!.lastUsedAt).toEqual(first);

    // a second use within the minute: not rewritten (the stamp is moved back a little, so a rewrite would show)
    const aMomentAgo = new Date(first!.getTime() - 5_000);
    await handle.db.update(apiKeys).set({ lastUsedAt: aMomentAgo }).where(eq(apiKeys.id, created.id));
    await authenticateApiKey(handle.db, created.token);
    expect((await rowOf(created.id)).lastUsedAt).toEqual(aMomentAgo);

    // a use more than a minute after the last one: written again
    const twoMinutesAgo = new Date(first!.getTime() - 120_000);
    await handle.db.update(apiKeys).set({ lastUsedAt: twoMinutesAgo }).where(eq(apiKeys.id, created.id));
    await authenticateApiKey(handle.db, created.token);
    expect((await rowOf(created.id)).lastUsedAt!.getTime()).toBeGreaterThan(twoMinutesAgo.getTime() + 60_000);
  });

  it('records no use for a refused token', async () => {
    const admin = await actorFor(ADMIN);
    const created = await createApiKey(handle.db, admin, invoiceKey);
    await revokeApiKey(handle.db, admin, created.id);
    await authenticateApiKey(handle.db, created.token);
    expect((await rowOf(created.id)).lastUsedAt).toBe(null);
  });
});

describe('managing keys', () => {
  it('is for the company’s admins only, refused in the caller’s language', async () => {
    const admin = await actorFor(ADMIN);
    const created = await createApiKey(handle.db, admin, invoiceKey);
    const before = await handle.db.$count(apiKeys);
    for (const [locale, message] of [
      ['en', 'Only an admin may manage API keys.'],
      ['vi', 'Chỉ quản trị viên mới được quản lý khóa API.'],
    ] as const) {
      const staff = await actorFor(STAFF, locale);
      expect(await refusal(createApiKey(handle.db, staff, invoiceKey))).toMatchObject({ code: 'FORBIDDEN', message });
      expect(await refusal(listApiKeys(handle.db, staff))).toMatchObject({ code: 'FORBIDDEN', message });
      expect(await refusal(revokeApiKey(handle.db, staff, created.id))).toMatchObject({ code: 'FORBIDDEN', message });
    }
    expect(await handle.db.$count(apiKeys)).toBe(before);
    expect(await authenticateApiKey(handle.db, created.token)).not.toBe(null);
  });

  it('keeps each company’s keys to itself: another admin neither sees nor revokes them', async () => {
    const admin = await actorFor(ADMIN);
    const created = await createApiKey(handle.db, admin, invoiceKey);
    const other = await actorFor(OTHER_ADMIN, 'vi');
    expect(await listApiKeys(handle.db, other)).toEqual([]);
    const theirs = await refusal(revokeApiKey(handle.db, other, created.id));
    expect(theirs).toEqual({
      code: 'NOT_FOUND',
      message: `Không tìm thấy khóa API "${created.id}".`,
      fields: [],
    });
    // Refused just as a key that does not exist, or an id that names nothing.
    const none = '00000000-0000-4000-8000-000000000000';
    expect(await refusal(revokeApiKey(handle.db, other, none))).toMatchObject({
      code: 'NOT_FOUND',
      message: `Không tìm thấy khóa API "${none}".`,
    });
    expect(await refusal(revokeApiKey(handle.db, admin, 'not-a-key'))).toMatchObject({
      code: 'NOT_FOUND',
      message: 'API key "not-a-key" was not found.',
    });
    expect(await authenticateApiKey(handle.db, created.token)).not.toBe(null);
  });

  it('revokes once: revoking again changes nothing and is not audited again', async () => {
    const admin = await actorFor(ADMIN);
    const created = await createApiKey(handle.db, admin, invoiceKey);
    const first = await revokeApiKey(handle.db, admin, created.id);
    const again = await revokeApiKey(handle.db, admin, created.id);
    expect(again).toEqual(first);
    const row = await rowOf(created.id);
    expect(row).toMatchObject({ revokedAt: first.revokedAt, revokedBy: admin.userId });
    const audit = await auditOf(created.id);
    expect(audit.map((r) => r.type)).toEqual(['apikey.created', 'apikey.revoked']);
    expect(audit[1]).toMatchObject({
      actorId: admin.userId,
      data: { apiKeyId: created.id, name: 'ERP invoices', prefix: created.prefix },
    });
    const text = JSON.stringify(audit);
    expect(text).not.toContain(created.token.slice(-43));
    expect(text).not.toContain(row.tokenHash);
  });

  it('lists the company’s keys newest first, with their status', async () => {
    const admin = await actorFor(ADMIN);
    const older = await createApiKey(handle.db, admin, { ...invoiceKey, name: 'Older' });
    const newer = await createApiKey(handle.db, admin, { ...invoiceKey, name: 'Newer' });
    const listed = await listApiKeys(handle.db, admin);
    const ids = listed.map((k) => k.id);
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
    for (let i = 1; i < listed.length; i++)
      expect(listed[i - 1]!.createdAt.getTime()).toBeGreaterThanOrEqual(listed[i]!.createdAt.getTime());
    expect(new Set(listed.map((k) => k.status))).toEqual(new Set(['active', 'expired', 'revoked']));
  });
});

describe('refusals of what an admin sent name the field', () => {
  const cases: [string, Omit<Partial<NewApiKey>, 'scopes'> & { scopes?: unknown }, string, RegExp][] = [
    ['an empty name', { name: '   ' }, 'name', /^Give the key a name/],
    ['a name over 100 characters', { name: 'x'.repeat(101) }, 'name', /has 101 characters; shorten it to at most 100/],
    ['a name on two lines', { name: 'ERP\nkế toán' }, 'name', /line break/],
    ['367 days', { expiresInDays: 367 }, 'expiresInDays', /from 1 to 366; 367 is not one/],
    ['0 days', { expiresInDays: 0 }, 'expiresInDays', /from 1 to 366/],
    ['1.5 days', { expiresInDays: 1.5 }, 'expiresInDays', /1\.5 is not one/],
    [
      'a job type listed twice',
      { scopes: { jobTypes: ['erp-post', 'erp-read', 'erp-post'] } },
      'scopes.jobTypes.2',
      /^Task types it may work on: "erp-post" is listed twice \(entries 1 and 3\)/,
    ],
    ['no rights at all', { scopes: { start: [], readInstances: false } }, 'scopes', /would have no rights/],
    [
      '101 processes to start',
      { scopes: { start: Array.from({ length: 101 }, (_, i) => `process-${i}`) } },
      'scopes.start',
      /101 names are listed; a key may list at most 100/,
    ],
    ['an empty name in a list', { scopes: { messages: ['paid', ''] } }, 'scopes.messages.1', /entry 2 is empty/],
    [
      'a name over 200 characters',
      { scopes: { signals: ['s'.repeat(201)] } },
      'scopes.signals.0',
      /longer than 200 characters/,
    ],
    ['a wildcard', { scopes: { start: ['invoice-*'] } }, 'scopes.start.0', /no wildcards/],
    [
      'spaces around a name',
      { scopes: { start: [' invoice-approval'] } },
      'scopes.start.0',
      /starts or ends with a space/,
    ],
    ['a name that is no text', { scopes: { jobTypes: ['erp', 7] } }, 'scopes.jobTypes.1', /entry 2 is not text/],
    ['a misspelt scope', { scopes: { jobtypes: ['erp-post'] } }, 'scopes.jobtypes', /"jobtypes" is not a right/],
    ['a list that is no list', { scopes: { start: 'invoice-approval' } }, 'scopes.start', /give a list of exact names/],
    ['readInstances as text', { scopes: { readInstances: 'yes' } }, 'scopes.readInstances', /true or false/],
    ['scopes that are no object', { scopes: ['start'] }, 'scopes', /must be an object/],
  ];

  it.each(cases)('%s', async (_, change, field, message) => {
    const admin = await actorFor(ADMIN);
    const before = await handle.db.$count(apiKeys);
    const refused = await refusal(createApiKey(handle.db, admin, { ...invoiceKey, ...change } as NewApiKey));
    expect(refused.code).toBe('BAD_REQUEST');
    expect(refused.fields.map((f) => f.field)).toContain(field);
    expect(refused.fields.find((f) => f.field === field)!.message).toMatch(message);
    expect(refused.message).toBe(refused.fields[0]!.message);
    expect(await handle.db.$count(apiKeys)).toBe(before);
  });

  it('speaks Vietnamese to a Vietnamese admin, and reports every field at once', async () => {
    const admin = await actorFor(ADMIN, 'vi');
    const refused = await refusal(
      createApiKey(handle.db, admin, { name: '', expiresInDays: 400, scopes: { jobTypes: ['a', 'a'] } }),
    );
    expect(refused.fields).toEqual([
      {
        field: 'name',
        label: 'Tên',
        message: 'Hãy đặt tên cho khóa, nói rõ hệ thống nào dùng nó, ví dụ "Kết nối ERP kế toán".',
      },
      {
        field: 'expiresInDays',
        label: 'Hiệu lực (ngày)',
        message: 'Khóa có hiệu lực một số nguyên ngày, từ 1 đến 366; 400 không hợp lệ.',
      },
      {
        field: 'scopes.jobTypes.1',
        label: 'Loại công việc được xử lý',
        message: 'Loại công việc được xử lý: "a" bị liệt kê hai lần (mục 1 và 2); mỗi tên chỉ liệt kê một lần.',
      },
    ]);
  });

  it('checks scopes the same way for the callers that take them on their own', () => {
    expect(readApiKeyScopes({ readInstances: true }, 'en')).toEqual({
      start: [],
      messages: [],
      signals: [],
      jobTypes: [],
      readInstances: true,
    });
    expect(() => readApiKeyScopes({}, 'en')).toThrow(/would have no rights/);
  });
});

describe('what a key may do', () => {
  const caller: KeyCaller = {
    kind: 'apiKey',
    keyId: '11111111-1111-4111-8111-111111111111',
    tenantId: '22222222-2222-4222-8222-222222222222',
    name: 'ERP',
    prefix: '0a1b2c3d',
    createdBy: '33333333-3333-4333-8333-333333333333',
    scopes: {
      start: ['invoice-approval'],
      messages: ['payment-received'],
      signals: ['month-closed'],
      jobTypes: ['erp-post'],
      readInstances: false,
    },
  };

  it('is exactly what its scopes name, nothing more', () => {
    expect(keyMayStart(caller, 'invoice-approval')).toBe(true);
    expect(keyMayStart(caller, 'leave-request')).toBe(false);
    expect(keyMayStart(caller, 'Invoice-Approval')).toBe(false);
    expect(keyMayStart(caller, 'invoice')).toBe(false);
    expect(keyMaySend(caller, 'payment-received')).toBe(true);
    expect(keyMaySend(caller, 'invoice-approval')).toBe(false);
    expect(keyMayBroadcast(caller, 'month-closed')).toBe(true);
    expect(keyMayBroadcast(caller, 'payment-received')).toBe(false);
    expect(keyMayWork(caller, 'erp-post')).toBe(true);
    expect(keyMayWork(caller, 'erp-read')).toBe(false);
    expect(keyMayReadInstances(caller)).toBe(false);
    expect(keyMayReadInstances({ ...caller, scopes: { ...caller.scopes, readInstances: true } })).toBe(true);
  });

  it('is audited as the key, never as a person', async () => {
    // given a real key
    const admin = await actorFor(ADMIN);
    const created = await createApiKey(handle.db, admin, invoiceKey);
    const key = (await authenticateApiKey(handle.db, created.token))!;
    // when something it did is audited, with data that claims to be another key
    const row = auditAsKey(key, {
      type: 'message.sent',
      data: { name: 'payment-received', apiKey: { id: 'forged', name: 'forged', prefix: 'forged' } },
    });
    await appendAudit(handle.db, [row]);
    // then the row has no actor and names the key that acted
    const [stored] = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.type, 'message.sent'), sql`${auditEvents.data}->'apiKey'->>'id' = ${created.id}`));
    expect(stored).toMatchObject({
      tenantId,
      actorId: null,
      data: { name: 'payment-received', apiKey: { id: created.id, name: 'ERP invoices', prefix: created.prefix } },
    });
    expect(JSON.stringify(stored)).not.toContain(created.token.slice(-43));
    const forged = await handle.db
      .select({ id: auditEvents.id })
      .from(auditEvents)
      .where(sql`${auditEvents.data}->'apiKey'->>'id' = 'forged'`);
    expect(forged).toEqual([]);
  });
});

describe('the admin procedures (apiKeys.*)', () => {
  async function adminCaller(locale: Locale) {
    return createCaller(
      await createContextInner({ db: handle.db, userId: (await actorFor(ADMIN)).userId, tenantId, locale }),
    );
  }

  it('keep the service’s refusals: every wrong field named, in the caller’s language', async () => {
    // given a Vietnamese admin
    const caller = await adminCaller('vi');
    // when they send an empty name, an expiry past the limit and a wildcard job type
    const refused = await caller.apiKeys
      .create({ name: '  ', expiresInDays: 400, scopes: { jobTypes: ['*'] } })
      .then(() => null)
      .catch((error: unknown) => error);
    // then one BAD_REQUEST names each field, in Vietnamese
    expect(refused).toBeInstanceOf(TRPCError);
    expect((refused as TRPCError).code).toBe('BAD_REQUEST');
    const fields = ((refused as TRPCError).cause as { fields?: { field: string; message: string }[] }).fields;
    expect(fields?.map((f) => f.field)).toEqual(['name', 'expiresInDays', 'scopes.jobTypes.0']);
    expect(fields?.[0]!.message).toBe(
      'Hãy đặt tên cho khóa, nói rõ hệ thống nào dùng nó, ví dụ "Kết nối ERP kế toán".',
    );
  });

  it('create, list and revoke: the token only in create’s answer', async () => {
    const caller = await adminCaller('en');
    const created = await caller.apiKeys.create({
      name: 'Kết nối ERP kế toán',
      expiresInDays: 90,
      scopes: { start: ['invoice-approval'], readInstances: true },
    });
    expect(created.token).toMatch(/^trk_/);
    const listed = (await caller.apiKeys.list()).find((k) => k.id === created.id)!;
    expect(listed).toMatchObject({ name: 'Kết nối ERP kế toán', prefix: created.prefix, status: 'active' });
    expect(JSON.stringify(await caller.apiKeys.list())).not.toContain(created.token.slice(-43));
    await caller.apiKeys.revoke({ id: created.id });
    expect((await caller.apiKeys.list()).find((k) => k.id === created.id)!.status).toBe('revoked');
    expect(await authenticateApiKey(handle.db, created.token)).toBeNull();
  });

  it('choices: the published processes by key and name, and the message names they wait for', async () => {
    const choices = await (await adminCaller('en')).apiKeys.choices();
    // the demo company's: each key once, by key; invoice payment starts on the message invoice approval sends
    const keys = choices.processes.map((p) => p.key);
    expect(keys).toEqual([...new Set(keys)].sort());
    expect(choices.processes).toContainEqual({
      key: 'invoice-approval',
      name: { en: 'Invoice approval', vi: 'Phê duyệt hóa đơn' },
    });
    expect(choices.messages).toEqual(['invoice-ready-for-payment']);
  });
});
