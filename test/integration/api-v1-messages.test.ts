/**
 * Messages and signals sent by outside systems over the REST API (POST /api/v1/messages and
 * /api/v1/signals) with an API key, through the route handlers on a real database (PGlite, and
 * PostgreSQL when DATABASE_URL is set). A key sends only the names its scopes list, and a refusal
 * leaves everything as it was; past its scope a key's message goes where a process's would
 * (sendableBy is about people): it moves the instance waiting for it by correlation key, starts an
 * instance at a message start event — nobody's, audited as the key, a forged `initiator` dropped —
 * or waits in the buffer, keeping the key's id, to be taken by an instance that comes to wait. A
 * message id or an Idempotency-Key makes a second send do nothing. A signal reaches every waiting
 * instance and starts processes. Nothing a key sends reaches another company. A revoked key is
 * refused at once; a body that does not match the document is a 400 naming the field; the OpenAPI
 * document describes both operations, and the real answers satisfy its components.
 */
import { randomUUID } from 'node:crypto';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { and, asc, count, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import {
  auditEvents,
  groups,
  memberships,
  messages,
  processInstances,
  subscriptions,
  tenants,
  users,
} from '@/db/schema';
import { resolveActor, type Actor } from '@/app/server/actor';
import { seedDemo } from '@/app/server/seed';
import { createApiKey, revokeApiKey, type NewApiKey } from '@/app/server/services/api-keys';
import { verifyAudit } from '@/app/server/services/audit';
import { publishProcess } from '@/app/server/services/definitions';
import { startInstance } from '@/app/server/services/instances';
import { API_BASE } from '@/app/server/api/openapi';
import { GET as getDocument } from '@/app/api/v1/openapi.json/route';
import { POST as postMessage } from '@/app/api/v1/messages/route';
import { POST as postSignal } from '@/app/api/v1/signals/route';
import { createTestDatabase } from '../support/database';

const ADMIN = 'bao.ngo@senvang.example';
const BASE = `http://localhost:3000${API_BASE}`;
const PAYMENT = 'api-payment-received';
const ORDER = 'api-order-received';
const CLOSED = 'api-books-closed';

const app = globalThis as unknown as { __trellisDb?: Promise<DatabaseHandle> };

let handle: DatabaseHandle;
let tenantId: string;
let admin: Actor;
/** The other company: its admin, and its instances waiting for the same message and signal names. */
let theirs: { tenantId: string; admin: Actor; paymentId: string; closingId: string };
/** Keys: may send PAYMENT and ORDER; may broadcast CLOSED only; may send PAYMENT only. */
let sender: { id: string; token: string };
let broadcaster: { id: string; token: string };
let payer: { id: string; token: string };

type Body = Record<string, unknown>;
type Answer = { status: number; body: Body };

async function key(actor: Actor, scopes: NewApiKey['scopes']) {
  const created = await createApiKey(handle.db, actor, {
    name: `ERP ${randomUUID().slice(0, 6)}`,
    scopes,
    expiresInDays: 30,
  });
  return { id: created.id, token: created.token, prefix: created.prefix };
}

async function call(
  route: (req: Request) => Promise<Response>,
  where: string,
  token: string | null,
  body: unknown,
  headers: Record<string, string>,
): Promise<Answer> {
  const res = await route(
    new Request(`${BASE}${where}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: JSON.stringify(body),
    }),
  );
  return { status: res.status, body: (await res.json()) as Body };
}

const message = (token: string | null, body: unknown, headers: Record<string, string> = {}) =>
  call(postMessage, '/messages', token, body, headers);
const signal = (token: string | null, body: unknown, headers: Record<string, string> = {}) =>
  call(postSignal, '/signals', token, body, headers);

/** The field paths a refusal names. */
const paths = (body: Body) => ((body.fields ?? []) as { path: string }[]).map((f) => f.path);

const flow = (id: string, source: string, target: string) => ({ id, source, target });
const forms = [
  {
    key: 'pay-start',
    version: 1,
    title: 'Hóa đơn',
    schema: { type: 'object', required: ['invoiceNumber'], properties: { invoiceNumber: { type: 'string' } } },
  },
  { key: 'look', version: 1, title: 'Xem', schema: { type: 'object', properties: {} } },
];
const look = (id: string) => ({ id, type: 'userTask', formKey: 'look', candidateGroups: ['accounting'] });

/** The processes both companies run: a payment awaited by invoice number, an order intake, a quarter closing and its report. */
async function publishAll(company: string, by: string) {
  const publish = (definition: Record<string, unknown>) =>
    publishProcess(
      handle.db,
      company,
      { definition: { formatVersion: 1, version: 1, name: definition.key, ...definition }, forms },
      by,
    );
  await publish({
    key: 'api-payment',
    startForm: 'pay-start',
    elements: [
      { id: 's', type: 'startEvent' },
      {
        id: 'paid',
        type: 'intermediateCatchEvent',
        // Names people: a key is none, and its scope is what lets it send.
        event: { kind: 'message', name: PAYMENT, correlationKey: 'invoiceNumber', sendableBy: { groups: ['it'] } },
      },
      look('book'),
      { id: 'e', type: 'endEvent' },
    ],
    flows: [flow('f1', 's', 'paid'), flow('f2', 'paid', 'book'), flow('f3', 'book', 'e')],
  });
  await publish({
    key: 'api-order',
    elements: [
      { id: 'received', type: 'startEvent', event: { kind: 'message', name: ORDER } },
      look('handle'),
      { id: 'e', type: 'endEvent' },
    ],
    flows: [flow('f1', 'received', 'handle'), flow('f2', 'handle', 'e')],
  });
  await publish({
    key: 'api-closing',
    elements: [
      { id: 's', type: 'startEvent' },
      { id: 'closed', type: 'intermediateCatchEvent', event: { kind: 'signal', name: CLOSED } },
      look('archive'),
      { id: 'e', type: 'endEvent' },
    ],
    flows: [flow('f1', 's', 'closed'), flow('f2', 'closed', 'archive'), flow('f3', 'archive', 'e')],
  });
  await publish({
    key: 'api-closing-report',
    elements: [
      { id: 'onClose', type: 'startEvent', event: { kind: 'signal', name: CLOSED } },
      look('report'),
      { id: 'e', type: 'endEvent' },
    ],
    flows: [flow('f1', 'onClose', 'report'), flow('f2', 'report', 'e')],
  });
}

/** An instance of api-payment, started by `by`, waiting for its payment. */
async function awaitingPayment(by: Actor, invoiceNumber = `HD-${randomUUID().slice(0, 8)}`) {
  const { id } = await startInstance(handle.db, by, { definitionKey: 'api-payment', variables: { invoiceNumber } });
  return { id, invoiceNumber };
}

async function awaitingClose(by: Actor) {
  return (await startInstance(handle.db, by, { definitionKey: 'api-closing', variables: {} })).id;
}

/** Everything a message or signal could change for an instance. */
async function footprint(instanceId: string) {
  const [row] = await handle.db
    .select({ status: processInstances.status, version: processInstances.version, state: processInstances.state })
    .from(processInstances)
    .where(eq(processInstances.id, instanceId));
  const waits = await handle.db
    .select({ elementId: subscriptions.elementId })
    .from(subscriptions)
    .where(eq(subscriptions.instanceId, instanceId));
  const [audit] = await handle.db
    .select({ n: count() })
    .from(auditEvents)
    .where(eq(auditEvents.instanceId, instanceId));
  return { ...row!, waits: waits.map((w) => w.elementId).sort(), audit: audit!.n };
}

/** What a company has: its instances and its messages, counted. */
async function totals(company: string) {
  const [instances] = await handle.db
    .select({ n: count() })
    .from(processInstances)
    .where(eq(processInstances.tenantId, company));
  const [kept] = await handle.db.select({ n: count() }).from(messages).where(eq(messages.tenantId, company));
  return { instances: instances!.n, messages: kept!.n };
}

async function auditOf(instanceId: string) {
  return handle.db
    .select({ type: auditEvents.type, actorId: auditEvents.actorId, data: auditEvents.data })
    .from(auditEvents)
    .where(eq(auditEvents.instanceId, instanceId))
    .orderBy(asc(auditEvents.id));
}

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  app.__trellisDb = Promise.resolve(handle);
  const [user] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, ADMIN));
  admin = (await resolveActor(handle.db, user!.id, 'en'))!;
  await publishAll(tenantId, admin.userId);
  sender = await key(admin, { messages: [PAYMENT, ORDER], start: ['api-order'] });
  broadcaster = await key(admin, { signals: [CLOSED], start: ['api-closing-report'] });
  payer = await key(admin, { messages: [PAYMENT] });

  // Another company running the same processes, with an instance waiting for each name.
  const [other] = await handle.db.insert(tenants).values({ slug: 'hoa-sen-msg', name: 'Công ty Hoa Sen' }).returning();
  const [boss] = await handle.db
    .insert(users)
    .values({ email: 'hoa@hoasen-msg.example', displayName: 'Trịnh Thị Hoa' })
    .returning();
  await handle.db.insert(memberships).values({ tenantId: other!.id, userId: boss!.id, role: 'admin' });
  await handle.db.insert(groups).values({ tenantId: other!.id, key: 'accounting', name: 'Kế toán Hoa Sen' });
  await publishAll(other!.id, boss!.id);
  const theirAdmin = (await resolveActor(handle.db, boss!.id, 'en', other!.id))!;
  theirs = {
    tenantId: other!.id,
    admin: theirAdmin,
    paymentId: (await awaitingPayment(theirAdmin, 'HD-SHARED')).id,
    closingId: await awaitingClose(theirAdmin),
  };
});

afterAll(async () => {
  app.__trellisDb = undefined;
  await handle?.close();
});

describe('scopes', () => {
  it('a key that may send one message cannot send another, nor a signal: 403 saying nothing of which, and nothing happens', async () => {
    const waiting = await awaitingPayment(admin);
    const closing = await awaitingClose(admin);
    const before = [await footprint(waiting.id), await footprint(closing), await totals(tenantId)];

    const refused = [
      // a message start event it may not use, with a time to live that would keep it
      await message(payer.token, { name: ORDER, variables: { orderNo: 'DH-1' }, timeToLive: 3_600 }),
      await message(payer.token, { name: 'no-such-message', correlationKey: waiting.invoiceNumber, timeToLive: 60 }),
      // its message scope is no signal scope, and the other way round
      await signal(payer.token, { name: PAYMENT }),
      await signal(payer.token, { name: CLOSED }),
      await message(broadcaster.token, { name: CLOSED, timeToLive: 60 }),
      await message(broadcaster.token, { name: PAYMENT, correlationKey: waiting.invoiceNumber }),
    ];
    for (const answer of refused) {
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual({ code: 'FORBIDDEN', message: 'This key may not do that.' });
    }
    expect((await message(payer.token, { name: ORDER }, { 'accept-language': 'vi' })).body).toEqual({
      code: 'FORBIDDEN',
      message: 'Khóa này không được phép làm việc đó.',
    });
    expect([await footprint(waiting.id), await footprint(closing), await totals(tenantId)]).toEqual(before);
  });

  it('its messages scope moves instances but starts no process its start scope does not name: 403, nothing started', async () => {
    const mover = await key(admin, { messages: [ORDER] });
    const before = await totals(tenantId);
    const refused = await message(mover.token, { name: ORDER, variables: { orderNo: 'DH-2' }, timeToLive: 600 });
    expect(refused).toEqual({ status: 403, body: { code: 'FORBIDDEN', message: 'This key may not do that.' } });
    expect(await totals(tenantId)).toEqual(before);
  });

  it('its signal reaches the waiting instances but starts only the processes its start scope names', async () => {
    const closer = await key(admin, { signals: [CLOSED] });
    const waiting = await awaitingClose(admin);
    const answer = await signal(closer.token, { name: CLOSED });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ delivered: expect.arrayContaining([waiting]), started: [] });
    expect((await footprint(waiting)).state.active).toEqual(['archive']);
  });

  it('a message id is its name’s: a key’s id does not make another name’s message a duplicate', async () => {
    const waiting = await awaitingPayment(admin);
    const id = `shared-${randomUUID()}`;
    expect((await message(sender.token, { name: ORDER, messageId: id })).body).toMatchObject({ correlated: 'started' });
    expect(
      (await message(payer.token, { name: PAYMENT, correlationKey: waiting.invoiceNumber, messageId: id })).body,
    ).toEqual({ correlated: 'instance', instanceId: waiting.id });
    expect((await message(payer.token, { name: PAYMENT, correlationKey: 'HD-none', messageId: id })).body).toEqual({
      correlated: 'duplicate',
    });
  });

  it('a revoked key is refused from its next request: 401, nothing sent', async () => {
    const doomed = await key(admin, { messages: [PAYMENT], signals: [CLOSED] });
    const waiting = await awaitingPayment(admin);
    expect((await message(doomed.token, { name: PAYMENT, correlationKey: 'HD-none' })).status).toBe(200);
    await revokeApiKey(handle.db, admin, doomed.id);
    const before = [await footprint(waiting.id), await totals(tenantId)];
    const answers = [
      await message(doomed.token, { name: PAYMENT, correlationKey: waiting.invoiceNumber }),
      await signal(doomed.token, { name: CLOSED }),
    ];
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe('UNAUTHORIZED');
    }
    expect([await footprint(waiting.id), await totals(tenantId)]).toEqual(before);
  });
});

describe('publishing a message as a key', () => {
  it('moves the instance waiting for it by correlation key (whatever its sendableBy says of people); audited as the key', async () => {
    const other = await awaitingPayment(admin);
    const waiting = await awaitingPayment(admin);
    const answer = await message(sender.token, {
      name: PAYMENT,
      correlationKey: waiting.invoiceNumber,
      variables: { paidAmount: 12_000_000, bank: 'Vietcombank' },
    });
    expect(answer).toEqual({ status: 200, body: { correlated: 'instance', instanceId: waiting.id } });
    const after = await footprint(waiting.id);
    expect(after.waits).toEqual([]);
    expect(after.state.active).toEqual(['book']);
    expect(after.state.variables).toMatchObject({ paidAmount: 12_000_000, bank: 'Vietcombank' });
    // The other invoice still waits.
    expect((await footprint(other.id)).waits).toEqual(['paid']);

    const trail = await auditOf(waiting.id);
    const received = trail.filter((a) => a.type === 'message.received');
    expect(received).toEqual([
      {
        type: 'message.received',
        actorId: null,
        data: {
          name: PAYMENT,
          correlationKey: waiting.invoiceNumber,
          apiKey: { id: sender.id, name: expect.any(String), prefix: sender.token.slice(4, 12) },
        },
      },
    ]);
    // Every row of the step it caused is the key's too: no person, the key named.
    const step = trail.slice(trail.findIndex((a) => a.type === 'message.received'));
    expect(step.map((a) => a.type)).toEqual(expect.arrayContaining(['element.completed', 'task.created']));
    for (const event of step) {
      expect(event.actorId, event.type).toBeNull();
      expect(event.data.apiKey, event.type).toMatchObject({ id: sender.id });
    }
    const [kept] = await handle.db
      .select({ sentBy: messages.sentBy, sentByKey: messages.sentByKey, correlatedTo: messages.correlatedTo })
      .from(messages)
      .where(and(eq(messages.tenantId, tenantId), eq(messages.correlatedTo, waiting.id)));
    // Recorded only when it has an id or a time to live: this one had neither.
    expect(kept).toBeUndefined();
    expect((await verifyAudit(handle.db, { tenantId })).problems).toEqual([]);
  });

  it('an `initiator` it carries is dropped: the instance’s own stays the server’s', async () => {
    const waiting = await awaitingPayment(admin);
    const own = (await footprint(waiting.id)).state.variables.initiator;
    expect(own).toMatchObject({ email: ADMIN });
    const forged = { email: 'lan.nguyen@senvang.example', name: 'Lan', manager: 'evil@evil.example', departments: [] };
    await message(sender.token, {
      name: PAYMENT,
      correlationKey: waiting.invoiceNumber,
      variables: { initiator: forged, note: 'từ ERP' },
    });
    const after = await footprint(waiting.id);
    expect(after.state.variables).toMatchObject({ note: 'từ ERP' });
    expect(after.state.variables.initiator).toEqual(own);
  });

  it('starts an instance at a message start event: nobody’s (no initiator, a forged one dropped), started_by the key’s creator, every row of its start names the key', async () => {
    const forged = { email: 'lan.nguyen@senvang.example', name: 'Lan', manager: null, departments: ['accounting'] };
    const answer = await message(sender.token, {
      name: ORDER,
      variables: { orderNo: 'DH-42', initiator: forged },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ correlated: 'started', instanceId: expect.any(String) });
    const [row] = await handle.db
      .select()
      .from(processInstances)
      .where(eq(processInstances.id, answer.body.instanceId as string));
    expect(row!.tenantId).toBe(tenantId);
    expect(row!.initiatorId).toBeNull();
    expect(row!.state.actors?.initiator).toBeUndefined();
    expect(row!.state.variables).toEqual({ orderNo: 'DH-42' });
    expect(row!.startedBy).toBe(admin.userId);

    const audit = await auditOf(row!.id);
    expect(audit.map((a) => a.type)).toEqual(expect.arrayContaining(['instance.started', 'task.created']));
    for (const event of audit) {
      expect(event.actorId).toBeNull();
      expect(event.data.apiKey).toEqual({ id: sender.id, name: expect.any(String), prefix: sender.token.slice(4, 12) });
    }
    expect(audit.find((a) => a.type === 'instance.started')!.data).toMatchObject({
      definitionKey: 'api-order',
      message: ORDER,
      variables: { orderNo: 'DH-42' },
    });
    expect((await verifyAudit(handle.db, { tenantId })).problems).toEqual([]);
  });

  it('nothing waiting: buffered (keeping the key’s id, no person’s), and taken by the instance that comes to wait for it', async () => {
    const invoiceNumber = `HD-${randomUUID().slice(0, 8)}`;
    const answer = await message(sender.token, {
      name: PAYMENT,
      correlationKey: invoiceNumber,
      variables: { paidAmount: 5_000_000 },
      timeToLive: 3_600,
    });
    expect(answer).toEqual({ status: 200, body: { correlated: 'buffered' } });
    const kept = () =>
      handle.db
        .select({
          sentBy: messages.sentBy,
          sentByKey: messages.sentByKey,
          correlatedTo: messages.correlatedTo,
        })
        .from(messages)
        .where(and(eq(messages.tenantId, tenantId), eq(messages.correlationKey, invoiceNumber)));
    expect(await kept()).toEqual([{ sentBy: null, sentByKey: sender.id, correlatedTo: null }]);

    // Started by a person later: the message waits for no one's leave (its element names people, the key is none).
    const waiting = await awaitingPayment(admin, invoiceNumber);
    const after = await footprint(waiting.id);
    expect(after.waits).toEqual([]);
    expect(after.state.active).toEqual(['book']);
    expect(after.state.variables).toMatchObject({ paidAmount: 5_000_000 });
    expect(await kept()).toEqual([{ sentBy: null, sentByKey: sender.id, correlatedTo: waiting.id }]);
    // Its history names the key that sent it, not only the person whose start took it.
    const received = (await auditOf(waiting.id)).filter((a) => a.type === 'message.received');
    expect(received).toEqual([
      {
        type: 'message.received',
        actorId: null,
        data: {
          name: PAYMENT,
          correlationKey: invoiceNumber,
          buffered: true,
          apiKey: { id: sender.id, name: expect.any(String), prefix: sender.token.slice(4, 12) },
        },
      },
    ]);
    expect((await verifyAudit(handle.db, { tenantId })).problems).toEqual([]);
  });

  it('no receiver and no time to live: dropped, nothing kept', async () => {
    const before = await totals(tenantId);
    expect(await message(sender.token, { name: PAYMENT, correlationKey: 'HD-nobody' })).toEqual({
      status: 200,
      body: { correlated: 'dropped' },
    });
    expect(await totals(tenantId)).toEqual(before);
  });

  it('a message id sent again does nothing: `duplicate`, the next waiting instance untouched', async () => {
    const invoiceNumber = `HD-${randomUUID().slice(0, 8)}`;
    const first = await awaitingPayment(admin, invoiceNumber);
    const second = await awaitingPayment(admin, invoiceNumber);
    const body = { name: PAYMENT, correlationKey: invoiceNumber, messageId: `erp-pay-${invoiceNumber}` };
    expect((await message(sender.token, body)).body).toEqual({ correlated: 'instance', instanceId: first.id });
    const before = [await footprint(second.id), await totals(tenantId)];
    expect(await message(sender.token, body)).toEqual({ status: 200, body: { correlated: 'duplicate' } });
    // Another key of the company sending the same id: the same message.
    expect((await message(payer.token, body)).body).toEqual({ correlated: 'duplicate' });
    expect([await footprint(second.id), await totals(tenantId)]).toEqual(before);
    expect((await footprint(second.id)).waits).toEqual(['paid']);
  });

  it('with an Idempotency-Key, a retry answers the first publish and sends nothing; another body under it is a 409', async () => {
    const invoiceNumber = `HD-${randomUUID().slice(0, 8)}`;
    const idempotency = { 'idempotency-key': `erp:${randomUUID()}` };
    const body = { name: PAYMENT, correlationKey: invoiceNumber, timeToLive: 600 };
    const first = await message(sender.token, body, idempotency);
    const again = await message(sender.token, body, idempotency);
    expect(first).toEqual({ status: 200, body: { correlated: 'buffered' } });
    expect(again).toEqual(first);
    const [{ n }] = (await handle.db
      .select({ n: count() })
      .from(messages)
      .where(and(eq(messages.tenantId, tenantId), eq(messages.correlationKey, invoiceNumber)))) as [{ n: number }];
    expect(n).toBe(1);
    const other = await message(sender.token, { ...body, timeToLive: 601 }, idempotency);
    expect(other.status).toBe(409);
    expect(other.body.code).toBe('CONFLICT');
    expect((await message(sender.token, body, { 'idempotency-key': 'short' })).body).toMatchObject({
      code: 'BAD_REQUEST',
      fields: [expect.objectContaining({ path: 'Idempotency-Key' })],
    });
  });
});

describe('broadcasting a signal as a key', () => {
  it('reaches every instance waiting for it and starts the processes that start at it, nobody’s; audited as the key', async () => {
    const [one, two] = [await awaitingClose(admin), await awaitingClose(admin)];
    const answer = await signal(broadcaster.token, { name: CLOSED, variables: { quarter: '2026-Q2' } });
    expect(answer.status).toBe(200);
    const { delivered, started } = answer.body as { delivered: string[]; started: string[] };
    expect(delivered).toEqual(expect.arrayContaining([one, two]));
    expect(started).toHaveLength(1);
    for (const id of [one, two]) {
      const after = await footprint(id);
      expect(after.state.active).toEqual(['archive']);
      expect(after.state.variables).toMatchObject({ quarter: '2026-Q2' });
      const received = (await auditOf(id)).filter((a) => a.type === 'signal.received');
      expect(received).toEqual([
        {
          type: 'signal.received',
          actorId: null,
          data: { name: CLOSED, apiKey: expect.objectContaining({ id: broadcaster.id }) },
        },
      ]);
    }
    const [report] = await handle.db.select().from(processInstances).where(eq(processInstances.id, started[0]!));
    expect(report!.tenantId).toBe(tenantId);
    expect(report!.initiatorId).toBeNull();
    expect(report!.state.variables).toEqual({ quarter: '2026-Q2' });
    for (const event of await auditOf(report!.id)) {
      expect(event.actorId).toBeNull();
      expect(event.data.apiKey).toMatchObject({ id: broadcaster.id });
    }
    // Delivered once: no longer waiting.
    expect((await signal(broadcaster.token, { name: CLOSED })).body.delivered).not.toContain(one);
    expect((await verifyAudit(handle.db, { tenantId })).problems).toEqual([]);
  });
});

describe('another company', () => {
  it('is never reached: its waiting instances stay, its processes do not start, its buffer stays empty', async () => {
    const before = [
      await footprint(theirs.paymentId),
      await footprint(theirs.closingId),
      await totals(theirs.tenantId),
    ];
    // Their invoice HD-SHARED waits for this very message; this company's key publishes it.
    expect((await message(sender.token, { name: PAYMENT, correlationKey: 'HD-SHARED' })).body).toEqual({
      correlated: 'dropped',
    });
    expect((await message(sender.token, { name: PAYMENT, correlationKey: 'HD-SHARED', timeToLive: 600 })).body).toEqual(
      { correlated: 'buffered' },
    );
    const ordered = await message(sender.token, { name: ORDER, variables: { orderNo: 'DH-7' } });
    const closed = await signal(broadcaster.token, { name: CLOSED });
    const reached = [
      ordered.body.instanceId as string,
      ...(closed.body.delivered as string[]),
      ...(closed.body.started as string[]),
    ];
    const owners = await handle.db
      .select({ tenantId: processInstances.tenantId })
      .from(processInstances)
      .where(inArray(processInstances.id, reached));
    expect(owners.length).toBeGreaterThan(0);
    expect(new Set(owners.map((o) => o.tenantId))).toEqual(new Set([tenantId]));
    expect([
      await footprint(theirs.paymentId),
      await footprint(theirs.closingId),
      await totals(theirs.tenantId),
    ]).toEqual(before);

    // The message this company buffered is not theirs to take either: their next invoice HD-SHARED still waits.
    const next = await awaitingPayment(theirs.admin, 'HD-SHARED');
    expect((await footprint(next.id)).waits).toEqual(['paid']);
  });
});

describe('requests that do not match the document: 400 naming the field', () => {
  it.each([
    ['name missing', { variables: {} }, 'name', '"name" is required.'],
    ['variables not an object', { name: PAYMENT, variables: 'paid=1' }, 'variables', '"variables" must be an object.'],
    [
      'a field the request has not',
      { name: PAYMENT, ttl: 60 },
      'ttl',
      '"ttl" is not a field of this request; see the API description.',
    ],
    ['a negative time to live', { name: PAYMENT, timeToLive: -1 }, 'timeToLive', '"timeToLive" is not valid.'],
    ['an empty name', { name: '' }, 'name', '"name" is shorter than 1 characters.'],
  ])('message: %s', async (_case, body, field, en) => {
    const answer = await message(sender.token, body);
    expect(answer.status).toBe(400);
    expect(answer.body.fields).toEqual([{ path: field, label: field, message: en }]);
  });

  it('signal: variables not an object, a field it has not', async () => {
    const bad = await signal(broadcaster.token, { name: CLOSED, variables: [1] }, { 'accept-language': 'vi' });
    expect(bad.status).toBe(400);
    expect(bad.body.fields).toEqual([
      { path: 'variables', label: 'variables', message: '"variables" phải là một đối tượng (object).' },
    ]);
    expect(paths((await signal(broadcaster.token, { name: CLOSED, correlationKey: 'x' })).body)).toEqual([
      'correlationKey',
    ]);
  });

  it('past the limits a person’s message has: variables over 64 KiB, a time to live over 7 days — named, in the caller’s language', async () => {
    const before = await totals(tenantId);
    const big = { note: 'đ'.repeat(40 * 1024) };
    const heavy = await message(sender.token, { name: PAYMENT, variables: big, timeToLive: 60 });
    expect(heavy.status).toBe(400);
    expect(paths(heavy.body)).toEqual(['variables']);
    const long = await message(sender.token, { name: PAYMENT, timeToLive: 8 * 24 * 3600 });
    expect(long.status).toBe(400);
    expect(paths(long.body)).toEqual(['timeToLive']);
    const longVi = await message(
      sender.token,
      { name: PAYMENT, timeToLive: 8 * 24 * 3600 },
      { 'accept-language': 'vi' },
    );
    expect(paths(longVi.body)).toEqual(['timeToLive']);
    expect(longVi.body.message).not.toBe(long.body.message);
    const loud = await signal(broadcaster.token, { name: CLOSED, variables: big });
    expect(loud.status).toBe(400);
    expect(paths(loud.body)).toEqual(['variables']);
    expect(await totals(tenantId)).toEqual(before);
  });
});

describe('the OpenAPI document', () => {
  it('describes both operations, with their refusals; its components validate the real answers', async () => {
    const res = await getDocument(new Request(`${BASE}/openapi.json`));
    const doc = (await res.json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown>; requestBody: unknown }>>;
      components: { schemas: Record<string, unknown> };
    };
    for (const [path, request, answer] of [
      ['/messages', 'PublishMessageRequest', 'PublishedMessage'],
      ['/signals', 'BroadcastSignalRequest', 'SignalBroadcast'],
    ] as const) {
      const op = doc.paths[path]!.post!;
      expect(op.requestBody).toMatchObject({
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${request}` } } },
      });
      expect(op.responses['200']).toMatchObject({
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${answer}` } } },
      });
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['400', '401', '403', '409', '413']));
    }
    const fields = (doc.components.schemas.PublishMessageRequest as { properties: Record<string, object> }).properties;
    for (const name of ['name', 'correlationKey', 'variables', 'timeToLive', 'messageId'])
      expect(fields[name], name).toHaveProperty('description');

    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema({ $id: 'https://trellis.invalid/openapi.json', ...doc });
    const expectValid = (name: string, value: unknown) => {
      const validate = ajv.getSchema(`https://trellis.invalid/openapi.json#/components/schemas/${name}`)!;
      expect(validate(value), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
    };
    const waiting = await awaitingPayment(admin);
    const sent = { name: PAYMENT, correlationKey: waiting.invoiceNumber, variables: { paid: true } };
    expectValid('PublishMessageRequest', sent);
    expectValid('PublishedMessage', (await message(sender.token, sent)).body);
    expectValid('PublishedMessage', (await message(sender.token, { name: ORDER })).body);
    expectValid('PublishedMessage', (await message(sender.token, { name: PAYMENT, timeToLive: 5 })).body);
    expectValid('BroadcastSignalRequest', { name: CLOSED });
    await awaitingClose(admin);
    expectValid('SignalBroadcast', (await signal(broadcaster.token, { name: CLOSED })).body);
    expectValid('Error', (await message(payer.token, { name: ORDER })).body);
    expectValid('Error', (await signal(broadcaster.token, { name: 1 })).body);
  });
});
