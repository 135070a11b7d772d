/**
 * The REST API for systems (app/api/v1) through its route handlers, on a real database (PGlite,
 * and PostgreSQL when DATABASE_URL is set), with the app's own database handle (database.ts keeps
 * it on globalThis; this file puts the test database there). Refused keys — none, garbled,
 * unknown, revoked a moment ago, expired — get one 401 body; failures past the limit a 429. A key
 * starts only what its scope names, through the app's own start: no initiator, audited as the key,
 * the start form checked as a person's start is; it reads its company's instances only with the
 * scope to, and another company's are not found. Idempotent starts answer the first start; a
 * request that does not match the document is a 400 naming the field, in English and Vietnamese.
 * The OpenAPI document describes every route handler, its references resolve, its components are
 * JSON Schema that the real answers satisfy.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { and, count, eq, isNull, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { apiKeys, attachments, auditEvents, groups, memberships, processInstances, tenants, users } from '@/db/schema';
import { attachmentSchema } from '@/engine/forms/attachments';
import { resolveActor, type Actor } from '@/app/server/actor';
import { seedDemo } from '@/app/server/seed';
import { createApiKey, revokeApiKey, type NewApiKey } from '@/app/server/services/api-keys';
import { databaseStore, DEFAULT_ATTACHMENT_LIMITS, uploadAttachment } from '@/app/server/services/attachments';
import { verifyAudit } from '@/app/server/services/audit';
import { publishProcess } from '@/app/server/services/definitions';
import { KEY_FAILURES } from '@/app/server/api/http';
import { API_BASE, operations } from '@/app/server/api/openapi';
import { GET as getDocument } from '@/app/api/v1/openapi.json/route';
import { POST as postInstance } from '@/app/api/v1/instances/route';
import { GET as getInstance } from '@/app/api/v1/instances/[id]/route';
import { createTestDatabase } from '../support/database';

const ADMIN = 'bao.ngo@senvang.example';
const BASE = `http://localhost:3000${API_BASE}`;

const app = globalThis as unknown as { __trellisDb?: Promise<DatabaseHandle> };

let handle: DatabaseHandle;
let tenantId: string;
let admin: Actor;
/** Tokens: may start invoice-approval and read instances; may only start it; the other company's. */
let reader: { id: string; token: string };
let starter: { id: string; token: string };
let theirs: { token: string; instanceId: string };

async function key(actor: Actor, scopes: NewApiKey['scopes'], name = `Key ${randomUUID().slice(0, 6)}`) {
  const created = await createApiKey(handle.db, actor, { name, scopes, expiresInDays: 30 });
  return { id: created.id, token: created.token };
}

const invoice = (invoiceNumber = `HD-${randomUUID().slice(0, 8)}`) => ({
  vendor: 'Công ty TNHH Thương mại Hòa Bình',
  invoiceNumber,
  amount: 12_000_000,
  category: 'office-supplies',
  dueDate: '2026-12-15',
});

type Body = Record<string, unknown>;

/** A POST /api/v1/instances: `body` as JSON (a string is sent as it is). */
async function start(
  token: string | null,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Body; headers: Headers }> {
  const res = await postInstance(
    new Request(`${BASE}/instances`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
  return { status: res.status, body: (await res.json()) as Body, headers: res.headers };
}

async function read(token: string | null, id: string, headers: Record<string, string> = {}) {
  const res = await getInstance(
    new Request(`${BASE}/instances/${id}`, {
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    }),
    { params: Promise.resolve({ id }) },
  );
  return { status: res.status, body: (await res.json()) as Body, headers: res.headers };
}

/** The field paths a refusal names. */
const paths = (body: Body) => ((body.fields ?? []) as { path: string }[]).map((f) => f.path);

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  // The route handlers open the app's database through database.ts: this one.
  app.__trellisDb = Promise.resolve(handle);
  const [user] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, ADMIN));
  admin = (await resolveActor(handle.db, user!.id, 'en'))!;
  reader = await key(admin, { start: ['invoice-approval'], readInstances: true }, 'ERP invoices');
  starter = await key(admin, { start: ['invoice-approval'] });

  // Another company, with its own process, key and instance.
  const [other] = await handle.db.insert(tenants).values({ slug: 'hoa-sen-api', name: 'Công ty Hoa Sen' }).returning();
  const [boss] = await handle.db
    .insert(users)
    .values({ email: 'hoa@hoasen-api.example', displayName: 'Trịnh Thị Hoa' })
    .returning();
  await handle.db.insert(memberships).values({ tenantId: other!.id, userId: boss!.id, role: 'admin' });
  await handle.db.insert(groups).values({ tenantId: other!.id, key: 'ke-toan', name: 'Kế toán Hoa Sen' });
  await publishProcess(
    handle.db,
    other!.id,
    {
      definition: {
        formatVersion: 1,
        key: 'invoice-approval',
        version: 1,
        name: 'Duyệt hóa đơn Hoa Sen',
        elements: [
          { id: 's', type: 'startEvent' },
          { id: 'check', type: 'userTask', name: 'Kiểm tra', formKey: 'check', candidateGroups: ['ke-toan'] },
          { id: 'e', type: 'endEvent' },
        ],
        flows: [
          { id: 'f1', source: 's', target: 'check' },
          { id: 'f2', source: 'check', target: 'e' },
        ],
      },
      forms: [{ key: 'check', version: 1, title: 'Kiểm tra', schema: { type: 'object', properties: {} } }],
    },
    boss!.id,
  );
  const theirAdmin = (await resolveActor(handle.db, boss!.id, 'en', other!.id))!;
  const theirKey = await key(theirAdmin, { start: ['invoice-approval'], readInstances: true });
  const started = await start(theirKey.token, { definitionKey: 'invoice-approval' });
  expect(started.status).toBe(201);
  theirs = { token: theirKey.token, instanceId: started.body.id as string };
});

afterAll(async () => {
  app.__trellisDb = undefined;
  await handle?.close();
});

describe('refused keys', () => {
  it('no key, a garbled one, another scheme, an unknown token, a revoked key (at once) and an expired one: one 401 body', async () => {
    const doomed = await key(admin, { readInstances: true });
    const old = await key(admin, { readInstances: true });
    // Used a moment ago, then revoked: refused from the very next request.
    expect((await read(doomed.token, theirs.instanceId)).status).toBe(404);
    await revokeApiKey(handle.db, admin, doomed.id);
    await handle.db
      .update(apiKeys)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(apiKeys.id, old.id));
    const unknown = `trk_${'0'.repeat(8)}_${'A'.repeat(43)}`;

    const answers = [
      await read(null, theirs.instanceId),
      await read('garbled', theirs.instanceId),
      await read(null, theirs.instanceId, { authorization: `Basic ${reader.token}` }),
      await read(unknown, theirs.instanceId),
      await read(doomed.token, theirs.instanceId),
      await read(old.token, theirs.instanceId),
      await start(doomed.token, { definitionKey: 'invoice-approval', variables: invoice() }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer\b/);
      expect(answer.body).toEqual({
        code: 'UNAUTHORIZED',
        message: 'Send a valid API key in the Authorization header: "Bearer <token>".',
      });
    }
    expect((await read('garbled', theirs.instanceId, { 'accept-language': 'vi-VN,vi;q=0.9' })).body).toEqual({
      code: 'UNAUTHORIZED',
      message: 'Hãy gửi một khóa API hợp lệ trong tiêu đề Authorization: "Bearer <token>".',
    });
  });

  it(`past ${KEY_FAILURES.max} requests without a valid key a minute from one address: 429 with Retry-After; valid keys still pass`, async () => {
    const saved = process.env.TRELLIS_TRUSTED_PROXY;
    process.env.TRELLIS_TRUSTED_PROXY = '1';
    try {
      const from = (address: string) => ({ 'x-forwarded-for': address });
      for (let i = 0; i < KEY_FAILURES.max; i++)
        expect((await read('garbled', theirs.instanceId, from('203.0.113.7'))).status).toBe(401);
      const refused = await read('garbled', theirs.instanceId, from('203.0.113.7'));
      expect(refused.status).toBe(429);
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.body.code).toBe('TOO_MANY_REQUESTS');
      // A key that opens is not a guess: never refused by the count (every client shares one address without a trusted proxy).
      expect((await read(reader.token, theirs.instanceId, from('203.0.113.7'))).status).toBe(404);
      expect((await read('garbled', theirs.instanceId, from('198.51.100.2'))).status).toBe(401);
    } finally {
      if (saved === undefined) delete process.env.TRELLIS_TRUSTED_PROXY;
      else process.env.TRELLIS_TRUSTED_PROXY = saved;
    }
  });
});

describe('starting as a key', () => {
  it('starts what its scope names: 201, no initiator, started_by its creator, every audit row names the key and no person', async () => {
    const sent = invoice();
    const answer = await start(starter.token, { definitionKey: 'invoice-approval', variables: sent });
    expect(answer.status).toBe(201);
    expect(answer.body).toEqual({ id: expect.any(String), status: 'active' });
    expect(answer.headers.get('location')).toBe(`${API_BASE}/instances/${answer.body.id}`);

    const [row] = await handle.db
      .select()
      .from(processInstances)
      .where(eq(processInstances.id, answer.body.id as string));
    expect(row!.initiatorId).toBeNull();
    expect(row!.startedBy).toBe(admin.userId);
    expect(row!.businessKey).toBe(sent.invoiceNumber);
    expect(row!.state.variables).toMatchObject(sent);
    expect(row!.state.variables).not.toHaveProperty('initiator');

    const audit = await handle.db.select().from(auditEvents).where(eq(auditEvents.instanceId, row!.id));
    expect(audit.map((a) => a.type)).toContain('instance.started');
    expect(audit.map((a) => a.type)).toContain('task.created');
    for (const event of audit) {
      expect(event.actorId).toBeNull();
      expect(event.data.apiKey).toEqual({
        id: starter.id,
        name: expect.any(String),
        prefix: starter.token.slice(4, 12),
      });
    }
    expect((await verifyAudit(handle.db, { tenantId })).problems).toEqual([]);
  });

  it('a process its scope does not name, or one that does not exist: 403 alike, nothing started', async () => {
    const [before] = await handle.db.select({ n: count() }).from(processInstances);
    const other = await start(starter.token, { definitionKey: 'leave-application', variables: {} });
    const none = await start(starter.token, { definitionKey: 'no-such-process' }, { 'accept-language': 'vi' });
    expect(other.status).toBe(403);
    expect(other.body).toEqual({ code: 'FORBIDDEN', message: 'This key may not do that.' });
    expect(none.status).toBe(403);
    expect(none.body).toEqual({ code: 'FORBIDDEN', message: 'Khóa này không được phép làm việc đó.' });
    expect((await handle.db.select({ n: count() }).from(processInstances))[0]).toEqual(before);
  });

  it('the start form is checked as for a person: each refused variable named under `variables`, in the caller’s language', async () => {
    const { vendor: _vendor, ...withoutVendor } = invoice();
    const en = await start(reader.token, {
      definitionKey: 'invoice-approval',
      variables: { ...withoutVendor, amount: 'lots' },
    });
    expect(en.status).toBe(400);
    expect(en.body.code).toBe('BAD_REQUEST');
    expect(paths(en.body)).toEqual(expect.arrayContaining(['variables.vendor', 'variables.amount']));
    const vi = await start(
      reader.token,
      { definitionKey: 'invoice-approval', variables: { ...withoutVendor, amount: 'lots' } },
      { 'accept-language': 'vi' },
    );
    expect(paths(vi.body)).toEqual(paths(en.body));
    expect(vi.body.message).not.toBe(en.body.message);
  });

  it('a file its creator uploaded for the start form is not the key’s: refused naming the field, as for anyone but the uploader', async () => {
    await publishProcess(
      handle.db,
      tenantId,
      {
        definition: {
          formatVersion: 1,
          key: 'receipt-intake',
          version: 1,
          name: 'Receipt intake',
          startForm: 'receipt-intake-start',
          elements: [
            { id: 's', type: 'startEvent' },
            {
              id: 'file',
              type: 'userTask',
              name: 'File it',
              formKey: 'receipt-intake-start',
              candidateGroups: ['accounting'],
            },
            { id: 'e', type: 'endEvent' },
          ],
          flows: [
            { id: 'f1', source: 's', target: 'file' },
            { id: 'f2', source: 'file', target: 'e' },
          ],
        },
        forms: [
          {
            key: 'receipt-intake-start',
            version: 1,
            title: 'Receipt',
            schema: { type: 'object', properties: { receipt: { ...attachmentSchema(), title: 'Receipt' } } },
          },
        ],
      },
      admin.userId,
    );
    const pdf = new TextEncoder().encode('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n');
    const receipt = await uploadAttachment(
      handle.db,
      admin,
      { definitionKey: 'receipt-intake', name: 'receipt.pdf', bytes: pdf },
      DEFAULT_ATTACHMENT_LIMITS,
      databaseStore,
    );
    const intake = await key(admin, { start: ['receipt-intake'] });
    const answer = await start(intake.token, { definitionKey: 'receipt-intake', variables: { receipt } });
    expect(answer.status).toBe(400);
    expect(paths(answer.body)).toEqual(['variables.receipt']);
    // The uploader may still send it.
    const [{ n }] = (await handle.db
      .select({ n: count() })
      .from(attachments)
      .where(and(eq(attachments.id, receipt.id), isNull(attachments.instanceId)))) as [{ n: number }];
    expect(n).toBe(1);
  });
  it('an `initiator` it sends (a start form that allows fields it does not name) is dropped: the server alone sets it', async () => {
    await publishProcess(
      handle.db,
      tenantId,
      {
        definition: {
          formatVersion: 1,
          key: 'open-intake',
          version: 1,
          name: 'Open intake',
          startForm: 'open-intake-start',
          elements: [
            { id: 's', type: 'startEvent' },
            { id: 'look', type: 'userTask', formKey: 'open-intake-start', candidateGroups: ['accounting'] },
            { id: 'e', type: 'endEvent' },
          ],
          flows: [
            { id: 'f1', source: 's', target: 'look' },
            { id: 'f2', source: 'look', target: 'e' },
          ],
        },
        forms: [
          {
            key: 'open-intake-start',
            version: 1,
            title: 'Intake',
            schema: { type: 'object', additionalProperties: true, properties: { note: { type: 'string' } } },
          },
        ],
      },
      admin.userId,
    );
    const intake = await key(admin, { start: ['open-intake'] });
    const forged = {
      email: 'lan.nguyen@senvang.example',
      name: 'Lan',
      manager: 'someone@evil.example',
      departments: [],
    };
    const answer = await start(intake.token, {
      definitionKey: 'open-intake',
      variables: { note: 'từ ERP', initiator: forged },
    });
    expect(answer.status).toBe(201);
    const [row] = await handle.db
      .select({ state: processInstances.state, initiatorId: processInstances.initiatorId })
      .from(processInstances)
      .where(eq(processInstances.id, answer.body.id as string));
    expect(row!.state.variables).toEqual({ note: 'từ ERP' });
    expect(row!.initiatorId).toBeNull();
  });
});

describe('idempotent starts', () => {
  it('a retry with the same Idempotency-Key and body answers the first start; one instance; the audit chain holds', async () => {
    const idempotency = { 'idempotency-key': `erp:${randomUUID()}` };
    const body = { definitionKey: 'invoice-approval', variables: invoice() };
    const first = await start(reader.token, body, idempotency);
    const again = await start(reader.token, body, idempotency);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    const [{ n }] = (await handle.db
      .select({ n: count() })
      .from(processInstances)
      .where(
        and(eq(processInstances.tenantId, tenantId), eq(processInstances.businessKey, body.variables.invoiceNumber)),
      )) as [{ n: number }];
    expect(n).toBe(1);
    const audit = await handle.db
      .select()
      .from(auditEvents)
      .where(eq(auditEvents.instanceId, first.body.id as string));
    for (const event of audit) expect(event.data.apiKey).toMatchObject({ id: reader.id });
    expect((await verifyAudit(handle.db, { tenantId })).problems).toEqual([]);
  });

  it('the same Idempotency-Key with another body, or by another key: 409, nothing started', async () => {
    const idempotency = { 'idempotency-key': `erp:${randomUUID()}` };
    expect(
      (await start(reader.token, { definitionKey: 'invoice-approval', variables: invoice() }, idempotency)).status,
    ).toBe(201);
    const [before] = await handle.db.select({ n: count() }).from(processInstances);
    const other = await start(reader.token, { definitionKey: 'invoice-approval', variables: invoice() }, idempotency);
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('CONFLICT');
    expect(other.body.message).toMatch(/different input/);
    const byAnother = await start(
      starter.token,
      { definitionKey: 'invoice-approval', variables: invoice() },
      idempotency,
    );
    expect(byAnother.status).toBe(409);
    expect((await handle.db.select({ n: count() }).from(processInstances))[0]).toEqual(before);
  });

  it('an Idempotency-Key that is not one: 400 naming the header', async () => {
    const answer = await start(
      reader.token,
      { definitionKey: 'invoice-approval', variables: invoice() },
      { 'idempotency-key': 'short' },
    );
    expect(answer.status).toBe(400);
    expect(paths(answer.body)).toEqual(['Idempotency-Key']);
  });
});

describe('requests that do not match the document: 400 naming the field', () => {
  it.each([
    [
      'definitionKey missing',
      { variables: {} },
      'definitionKey',
      '"definitionKey" is required.',
      'Thiếu "definitionKey".',
    ],
    [
      'variables not an object',
      { definitionKey: 'invoice-approval', variables: 'amount=5' },
      'variables',
      '"variables" must be an object.',
      '"variables" phải là một đối tượng (object).',
    ],
    [
      'a key that is not one',
      { definitionKey: 'Invoice Approval' },
      'definitionKey',
      '"definitionKey" is not in the expected form: it must match ^[a-z0-9][a-z0-9-]{0,63}$.',
      '"definitionKey" không đúng định dạng: phải khớp với ^[a-z0-9][a-z0-9-]{0,63}$.',
    ],
    [
      'a field the request has not',
      { definitionKey: 'invoice-approval', variable: {} },
      'variable',
      '"variable" is not a field of this request; see the API description.',
      '"variable" không phải là trường của yêu cầu này; xem mô tả API.',
    ],
    [
      'a body that is no object',
      [],
      '',
      'The request body must be a JSON object.',
      'Thân yêu cầu phải là một đối tượng JSON.',
    ],
  ])('%s', async (_case, body, field, en, vi) => {
    const inEnglish = await start(reader.token, body);
    expect(inEnglish.status).toBe(400);
    expect(inEnglish.body.code).toBe('BAD_REQUEST');
    expect(inEnglish.body.fields).toEqual([{ path: field, label: field, message: en }]);
    expect(inEnglish.body.message).toBe(`The request does not match the API description (/api/v1/openapi.json): ${en}`);
    const inVietnamese = await start(reader.token, body, { 'accept-language': 'vi-VN, en;q=0.5' });
    expect(inVietnamese.body.fields).toEqual([{ path: field, label: field, message: vi }]);
  });

  it('a body that is not JSON: 400 saying so', async () => {
    const answer = await start(reader.token, '{"definitionKey": "invoice-approval",');
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      code: 'BAD_REQUEST',
      message: 'The request body is not valid JSON; send a JSON object with Content-Type: application/json.',
    });
  });

  it('an instance id that is not one: 400 naming `id`', async () => {
    const answer = await read(reader.token, 'not-an-id');
    expect(answer.status).toBe(400);
    expect(paths(answer.body)).toEqual(['id']);
  });

  it('a body past the limit: 413, unread past it', async () => {
    const note = 'x'.repeat(1024 * 1024 + 10);
    const answer = await start(reader.token, { definitionKey: 'invoice-approval', variables: { ...invoice(), note } });
    expect(answer.status).toBe(413);
    expect(answer.body.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('reading instances', () => {
  it('its own company’s, with readInstances: status and variables', async () => {
    const sent = invoice();
    const { body: started } = await start(reader.token, { definitionKey: 'invoice-approval', variables: sent });
    const answer = await read(reader.token, started.id as string);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      id: started.id,
      definitionKey: 'invoice-approval',
      definitionVersion: expect.any(Number),
      status: 'active',
      businessKey: sent.invoiceNumber,
      outcome: null,
      startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      endedAt: null,
      variables: expect.objectContaining(sent),
    });
  });

  it('without readInstances: 403, whether or not the instance exists', async () => {
    const { body: started } = await start(starter.token, { definitionKey: 'invoice-approval', variables: invoice() });
    const own = await read(starter.token, started.id as string);
    expect(own.status).toBe(403);
    expect(own.body).toEqual({ code: 'FORBIDDEN', message: 'This key may not do that.' });
    expect((await read(starter.token, randomUUID())).body).toEqual(own.body);
  });

  it('another company’s instance, or an id that names none: 404 alike', async () => {
    const theirsRead = await read(reader.token, theirs.instanceId);
    const none = await read(reader.token, '00000000-0000-4000-8000-000000000000');
    expect(theirsRead.status).toBe(404);
    expect(none.status).toBe(404);
    expect(theirsRead.body.message).toBe(`Process instance "${theirs.instanceId}" was not found.`);
    expect(theirsRead.body.message).not.toMatch(/Hoa Sen|Kiểm tra/);
    // Their own key reads it.
    expect((await read(theirs.token, theirs.instanceId)).status).toBe(200);
  });
});

describe('the OpenAPI document', () => {
  type Doc = {
    openapi: string;
    paths: Record<string, Record<string, Record<string, unknown>>>;
    components: Record<string, Record<string, unknown>>;
  };
  let doc: Doc;
  beforeAll(async () => {
    const res = await getDocument(new Request(`${BASE}/openapi.json`));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = (await res.json()) as Doc;
  });

  /** Every route handler file under app/api/v1, as OpenAPI paths (`[id]` → `{id}`), with the methods it exports. */
  async function routeHandlers() {
    const root = path.join(process.cwd(), 'app/api/v1');
    const found: { path: string; methods: string[] }[] = [];
    for (const entry of readdirSync(root, { recursive: true, encoding: 'utf8' })) {
      if (path.basename(entry) !== 'route.ts') continue;
      const folder = path
        .dirname(entry)
        .split(path.sep)
        .filter((s) => s !== '.');
      const module = (await import(path.join(root, entry))) as Record<string, unknown>;
      const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].filter((m) => typeof module[m] === 'function');
      found.push({ path: `/${folder.map((s) => s.replace(/^\[(.+)\]$/, '{$1}')).join('/')}`, methods });
    }
    return found;
  }

  it('is OpenAPI 3.1.0, and describes every route handler with each method it answers, and nothing else', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const handlers = await routeHandlers();
    expect(handlers.length).toBeGreaterThanOrEqual(3);
    const described = Object.entries(doc.paths).flatMap(([p, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`),
    );
    const served = handlers.flatMap((h) => h.methods.map((m) => `${m} ${h.path}`));
    expect(described.sort()).toEqual(served.sort());
    expect(described).toEqual(expect.arrayContaining(['POST /instances', 'GET /instances/{id}', 'GET /openapi.json']));
  });

  it('every operation has responses and a security requirement (none only for the public document)', () => {
    expect(doc.components.securitySchemes).toEqual({
      apiKey: expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    });
    for (const [p, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops)) {
        const name = `${method} ${p}`;
        expect(Object.keys(op.responses as object).length, name).toBeGreaterThan(0);
        const isPublic = operations.find((o) => o.path === p && o.method === method)?.public === true;
        expect(op.security, name).toEqual(isPublic ? [] : [{ apiKey: [] }]);
        if (!isPublic)
          expect(Object.keys(op.responses as object), name).toEqual(expect.arrayContaining(['401', '403']));
      }
  });

  it('bodies and answers are components, and every $ref resolves', () => {
    const start = doc.paths['/instances']!.post!;
    expect(start.requestBody).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/StartInstanceRequest' } } },
    });
    expect(start.responses).toMatchObject({
      '201': { content: { 'application/json': { schema: { $ref: '#/components/schemas/StartedInstance' } } } },
      '400': { $ref: '#/components/responses/BadRequest' },
    });
    expect(doc.paths['/instances/{id}']!.get!.responses).toMatchObject({
      '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Instance' } } } },
    });
    const refs: string[] = [];
    const walk = (value: unknown) => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object')
        for (const [k, v] of Object.entries(value)) k === '$ref' ? refs.push(v as string) : walk(v);
    };
    walk(doc);
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      expect(ref, ref).toMatch(/^#\//);
      const target = ref
        .slice(2)
        .split('/')
        .reduce<unknown>((at, step) => (at as Record<string, unknown> | undefined)?.[step], doc);
      expect(target, ref).toBeTypeOf('object');
    }
  });

  it('its components are JSON Schema (2020-12) that the API’s real answers satisfy', async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'https://trellis.invalid/openapi.json', ...doc });
    const validator = (name: string) =>
      ajv.getSchema(`https://trellis.invalid/openapi.json#/components/schemas/${name}`)!;
    const expectValid = (name: string, value: unknown) => {
      const validate = validator(name);
      expect(validate(value), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    };
    for (const name of Object.keys(doc.components.schemas!)) expect(validator(name), name).toBeTypeOf('function');

    const request = { definitionKey: 'invoice-approval', variables: invoice() };
    expectValid('StartInstanceRequest', request);
    expect(validator('StartInstanceRequest')({ variables: {} })).toBe(false);
    const started = await start(reader.token, request);
    expectValid('StartedInstance', started.body);
    expectValid('Instance', (await read(reader.token, started.body.id as string)).body);
    expectValid('Error', (await read(null, started.body.id as string)).body);
    expectValid('Error', (await start(reader.token, { variables: 1 })).body);
    expectValid('Error', (await read(starter.token, started.body.id as string)).body);
  });
});
