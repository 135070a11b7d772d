/**
 * Who may send a message or broadcast a signal (issue 14, finding 4), through the API on a real
 * database (PGlite, and PostgreSQL when DATABASE_URL is set): a person's message reaches only an
 * element whose sendableBy names them (admins always; undeclared: nobody else), a signal only when
 * a process declares it public, and a refusal is FORBIDDEN naming who may, in the caller's language,
 * with nothing written — not even a buffered message. Buffering is no way round it; processes'
 * own messages are unaffected; what a message carries is capped (variables, time to live).
 */
import { and, count, eq } from 'drizzle-orm';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { auditEvents, messages, processInstances, subscriptions, users } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { messageLimits, readEnv } from '@/app/server/env';
import { DEFAULT_MESSAGE_LIMITS } from '@/app/server/message-limits';
import { publishProcess } from '@/app/server/services/definitions';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

const ADMIN = 'bao.ngo@senvang.example';
const DESIGNER = 'trang.hoang@senvang.example'; // data department

let handle: DatabaseHandle;
let tenantId: string;
const flow = (id: string, source: string, target: string) => ({ id, source, target });
const forms = [
  {
    key: 'hold-start',
    version: 1,
    title: 'Hóa đơn',
    schema: {
      type: 'object',
      required: ['invoiceNumber'],
      properties: { invoiceNumber: { type: 'string' }, amount: { type: 'number' } },
    },
  },
  {
    key: 'hold-decision',
    version: 1,
    title: 'Quyết định',
    schema: { type: 'object', properties: { decision: { type: 'string' } } },
  },
];
const publish = (definition: object) =>
  publishProcess(
    handle.db,
    tenantId,
    { definition: { formatVersion: 1, version: 1, startForm: 'hold-start', ...definition }, forms },
    null,
  );
const as = (email: string, locale: 'en' | 'vi' = 'en') => callerFor(handle.db, email, locale);
let n = 0;
/** Starts `key` as Ngọc (operations) with a new invoice number; returns the instance and the number. */
const startAsNgoc = async (key: string) => {
  const invoiceNumber = `HD-${++n}`;
  const { id } = await (
    await as(demo.ngoc)
  ).instance.start({ definitionKey: key, variables: { invoiceNumber, amount: 12_500_000 } });
  return { id, invoiceNumber };
};
const refusal = (call: Promise<unknown>) =>
  call.then(
    () => null,
    (e: unknown) => e as TRPCError,
  );

/** Everything a message or signal could change for an instance, and the company's message buffer. */
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
  const [buffered] = await handle.db.select({ n: count() }).from(messages).where(eq(messages.tenantId, tenantId));
  return { ...row!, waits: waits.map((w) => w.elementId).sort(), audit: audit!.n, messages: buffered!.n };
}

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  // Finding 4 as found: an invoice waits for its approval (a message) and for the books to close (a signal); neither says who may send.
  await publish({
    key: 'invoice-hold',
    name: { en: 'Invoice hold', vi: 'Giữ hóa đơn' },
    elements: [
      { id: 's', type: 'startEvent' },
      {
        id: 'approval',
        type: 'intermediateCatchEvent',
        name: { en: 'Approval', vi: 'Phê duyệt' },
        event: { kind: 'message', name: 'invoice-approved', correlationKey: 'invoiceNumber' },
      },
      { id: 'closing', type: 'intermediateCatchEvent', event: { kind: 'signal', name: 'books-closed' } },
      { id: 'e', type: 'endEvent' },
    ],
    flows: [flow('f1', 's', 'approval'), flow('f2', 'approval', 'closing'), flow('f3', 'closing', 'e')],
  });
  // The same, declared: accounting and designers approve, accounting closes the quarter, operations may recall the invoice during review.
  await publish({
    key: 'invoice-release',
    name: { en: 'Invoice release', vi: 'Giải phóng hóa đơn' },
    elements: [
      { id: 's', type: 'startEvent' },
      { id: 'review', type: 'userTask', formKey: 'hold-decision', candidateGroups: ['accounting'] },
      {
        id: 'recall',
        type: 'boundaryEvent',
        attachedTo: 'review',
        event: {
          kind: 'message',
          name: 'invoice-recalled',
          correlationKey: 'invoiceNumber',
          sendableBy: { groups: ['operations'] },
        },
      },
      {
        id: 'approval',
        type: 'receiveTask',
        name: { en: 'Approval', vi: 'Phê duyệt' },
        message: {
          name: 'release-approved',
          correlationKey: 'invoiceNumber',
          sendableBy: { groups: ['accounting'], roles: ['designer'] },
        },
      },
      {
        id: 'closing',
        type: 'intermediateCatchEvent',
        event: { kind: 'signal', name: 'quarter-closed', sendableBy: { groups: ['accounting'] } },
      },
      { id: 'e', type: 'endEvent' },
      { id: 'recalled', type: 'endEvent', outcome: 'recalled' },
    ],
    flows: [
      flow('f1', 's', 'review'),
      flow('f2', 'review', 'approval'),
      flow('f3', 'approval', 'closing'),
      flow('f4', 'closing', 'e'),
      flow('f5', 'recall', 'recalled'),
    ],
  });
});
afterAll(async () => handle?.close());

describe('finding 4: a staff member who may not read an instance', () => {
  it('cannot push { approved: true } into it: FORBIDDEN, and the instance, its variables and the buffer are unchanged', async () => {
    const { id, invoiceNumber } = await startAsNgoc('invoice-hold');
    const tuan = await as(demo.tuan); // IT: no task in it, did not start it
    expect(await refusal(tuan.instance.get({ id }))).toMatchObject({ code: 'FORBIDDEN' });
    const before = await footprint(id);
    expect(before).toMatchObject({
      status: 'active',
      waits: ['approval'],
      state: { active: ['approval'], variables: { invoiceNumber, amount: 12_500_000 } },
    });

    const error = await refusal(
      tuan.message.publish({ name: 'invoice-approved', correlationKey: invoiceNumber, variables: { approved: true } }),
    );
    expect(error).toMatchObject({
      code: 'FORBIDDEN',
      message:
        'You may not send message "invoice-approved" to "Approval" of process "Invoice hold": the process does not say who may send it (sendableBy), so only admins may.',
    });
    // a time to live does not turn the refusal into a buffered message
    expect(
      await refusal(
        tuan.message.publish({
          name: 'invoice-approved',
          correlationKey: invoiceNumber,
          variables: { approved: true },
          timeToLive: 3_600,
          messageId: 'tuan-1',
        }),
      ),
    ).toMatchObject({ code: 'FORBIDDEN' });
    expect(await footprint(id)).toEqual(before);
  });

  it('cannot complete it with a signal either: the signal is not public', async () => {
    const { id } = await startAsNgoc('invoice-hold');
    const before = await footprint(id);
    const error = await refusal(
      (await as(demo.tuan)).signal.broadcast({ name: 'books-closed', variables: { approved: true } }),
    );
    expect(error).toMatchObject({
      code: 'FORBIDDEN',
      message:
        'Signal "books-closed" is not public: no process says who may broadcast it (sendableBy), so only admins may.',
    });
    expect(await footprint(id)).toEqual(before);
  });

  it("nor can the invoice's own submitter: without a declaration only admins send", async () => {
    const { id, invoiceNumber } = await startAsNgoc('invoice-hold');
    const before = await footprint(id);
    expect(
      await refusal(
        (await as(demo.ngoc)).message.publish({
          name: 'invoice-approved',
          correlationKey: invoiceNumber,
          variables: { approved: true },
        }),
      ),
    ).toMatchObject({ code: 'FORBIDDEN' });
    expect(await footprint(id)).toEqual(before);
  });

  it('an admin may send both; the history says who', async () => {
    const { id, invoiceNumber } = await startAsNgoc('invoice-hold');
    const admin = await as(ADMIN);
    expect(
      await admin.message.publish({
        name: 'invoice-approved',
        correlationKey: invoiceNumber,
        variables: { approved: true },
      }),
    ).toEqual({ correlated: 'instance', instanceId: id });
    expect(await admin.signal.broadcast({ name: 'books-closed' })).toMatchObject({
      delivered: expect.arrayContaining([id]),
    });
    const after = await footprint(id);
    expect(after).toMatchObject({ status: 'completed', state: { variables: { invoiceNumber, approved: true } } });
    const [bao] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, ADMIN));
    const received = await handle.db
      .select({ type: auditEvents.type, actorId: auditEvents.actorId })
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, id), eq(auditEvents.actorId, bao!.id)));
    expect(received.map((r) => r.type)).toEqual(expect.arrayContaining(['message.received', 'signal.received']));
  });
});

describe('declared senders (sendableBy)', () => {
  it('a member of a named department sends; others are refused, naming who may, in their language', async () => {
    const { id, invoiceNumber } = await startAsNgoc('invoice-release');
    // during review, operations may recall it, accounting may not
    const recall = { name: 'invoice-recalled', correlationKey: invoiceNumber, variables: { reason: 'trùng' } };
    const before = await footprint(id);
    expect(await refusal((await as(demo.hung)).message.publish(recall))).toMatchObject({
      code: 'FORBIDDEN',
      message:
        'You may not send message "invoice-recalled" to "recall" of process "Invoice release": only members of Operations or admins may.',
    });
    expect(await refusal((await as(demo.hung, 'vi')).message.publish(recall))).toMatchObject({
      code: 'FORBIDDEN',
      message:
        'Bạn không được gửi thông điệp "invoice-recalled" tới "recall" của quy trình "Giải phóng hóa đơn": chỉ thành viên phòng Vận hành hoặc quản trị viên mới được gửi.',
    });
    expect(await footprint(id)).toEqual(before);
    expect(await (await as(demo.quan)).message.publish(recall)).toEqual({ correlated: 'instance', instanceId: id });
    expect(await footprint(id)).toMatchObject({
      status: 'completed',
      state: { outcome: 'recalled', variables: { reason: 'trùng' } },
    });
  });

  it('a named role sends; the department list and the roles are both named to whoever is refused', async () => {
    const { id, invoiceNumber } = await startAsNgoc('invoice-release');
    const lan = await as(demo.lan);
    const [task] = (await lan.task.list()).filter((t) => t.instanceId === id);
    await lan.task.complete({ id: task!.id, data: { decision: 'ok' } });
    const approve = { name: 'release-approved', correlationKey: invoiceNumber, variables: { approved: true } };
    const before = await footprint(id);
    expect(before.waits).toEqual(['approval']);
    expect(await refusal((await as(demo.tuan)).message.publish(approve))).toMatchObject({
      code: 'FORBIDDEN',
      message:
        'You may not send message "release-approved" to "Approval" of process "Invoice release": only members of Accounting, designers or admins may.',
    });
    expect(await refusal((await as(demo.tuan, 'vi')).message.publish(approve))).toMatchObject({
      message:
        'Bạn không được gửi thông điệp "release-approved" tới "Phê duyệt" của quy trình "Giải phóng hóa đơn": chỉ thành viên phòng Kế toán, người thiết kế quy trình hoặc quản trị viên mới được gửi.',
    });
    expect(await footprint(id)).toEqual(before);
    // Trang is a designer (data department): the role lets her
    expect(await (await as(DESIGNER)).message.publish(approve)).toEqual({ correlated: 'instance', instanceId: id });
    expect((await footprint(id)).waits).toEqual(['closing']);
  });

  it('a public signal: refused to those it does not name; for accounting it reaches only the elements that let them', async () => {
    const declared = await startAsNgoc('invoice-release');
    const lan = await as(demo.lan);
    const [task] = (await lan.task.list()).filter((t) => t.instanceId === declared.id);
    await lan.task.complete({ id: task!.id, data: { decision: 'ok' } });
    await lan.message.publish({ name: 'release-approved', correlationKey: declared.invoiceNumber });
    // an instance waiting for the same signal name at an element that declares nothing
    await publish({
      key: 'quarter-watch',
      name: 'Quarter watch',
      elements: [
        { id: 's', type: 'startEvent' },
        { id: 'closing', type: 'intermediateCatchEvent', event: { kind: 'signal', name: 'quarter-closed' } },
        { id: 'e', type: 'endEvent' },
      ],
      flows: [flow('f1', 's', 'closing'), flow('f2', 'closing', 'e')],
    });
    const undeclared = await startAsNgoc('quarter-watch');
    const [before, beforeOther] = [await footprint(declared.id), await footprint(undeclared.id)];

    expect(await refusal((await as(demo.ngoc)).signal.broadcast({ name: 'quarter-closed' }))).toMatchObject({
      code: 'FORBIDDEN',
      message: 'You may not broadcast signal "quarter-closed": only members of Accounting or admins may.',
    });
    expect(await refusal((await as(demo.ngoc, 'vi')).signal.broadcast({ name: 'quarter-closed' }))).toMatchObject({
      message:
        'Bạn không được phát tín hiệu "quarter-closed": chỉ thành viên phòng Kế toán hoặc quản trị viên mới được phát.',
    });
    expect([await footprint(declared.id), await footprint(undeclared.id)]).toEqual([before, beforeOther]);

    const result = await (await as(demo.hung)).signal.broadcast({ name: 'quarter-closed' });
    expect(result.delivered).toContain(declared.id);
    expect(result.delivered).not.toContain(undeclared.id);
    expect((await footprint(declared.id)).status).toBe('completed');
    expect(await footprint(undeclared.id)).toEqual(beforeOther);
    // an admin's reaches it
    expect((await (await as(ADMIN)).signal.broadcast({ name: 'quarter-closed' })).delivered).toContain(undeclared.id);
    expect((await footprint(undeclared.id)).status).toBe('completed');
  });

  it('a message start event that declares senders: startableBy and sendableBy must both let the sender', async () => {
    await publish({
      key: 'expense-intake',
      name: 'Expense intake',
      startForm: undefined,
      elements: [
        {
          id: 'mailed',
          type: 'startEvent',
          event: { kind: 'message', name: 'expense-mailed', sendableBy: { groups: ['accounting'] } },
        },
        { id: 'e', type: 'endEvent' },
      ],
      flows: [flow('f1', 'mailed', 'e')],
    });
    expect(
      await refusal((await as(demo.ngoc)).message.publish({ name: 'expense-mailed', messageId: 'mail-ngoc' })),
    ).toMatchObject({
      code: 'FORBIDDEN',
      message:
        'You may not start "Expense intake" by sending message "expense-mailed": only members of Accounting or admins may.',
    });
    expect(await handle.db.select().from(messages).where(eq(messages.messageId, 'mail-ngoc'))).toEqual([]);
    expect(
      await (await as(demo.hung)).message.publish({ name: 'expense-mailed', messageId: 'mail-hung' }),
    ).toMatchObject({ correlated: 'started' });
  });
});

describe('what processes send', () => {
  it("a process's message reaches an instance that declares no senders, whoever started the sending process", async () => {
    const { id, invoiceNumber } = await startAsNgoc('invoice-hold');
    await publish({
      key: 'auto-approve',
      name: 'Auto approve',
      elements: [
        { id: 's', type: 'startEvent' },
        {
          id: 'send',
          type: 'sendTask',
          message: { name: 'invoice-approved', payload: { correlationKey: 'invoiceNumber', approvedBy: '"rule"' } },
        },
        { id: 'e', type: 'endEvent' },
      ],
      flows: [flow('f1', 's', 'send'), flow('f2', 'send', 'e')],
    });
    await (await as(demo.ngoc)).instance.start({ definitionKey: 'auto-approve', variables: { invoiceNumber } });
    expect(await footprint(id)).toMatchObject({ waits: ['closing'], state: { variables: { approvedBy: 'rule' } } });
  });
});

describe('what a person sends', () => {
  it('cannot set `initiator`: the server alone does, so `=initiator.manager` assignments stay the starter’s', async () => {
    const { id, invoiceNumber } = await startAsNgoc('invoice-hold');
    const own = (await footprint(id)).state.variables.initiator;
    expect(own).toMatchObject({ email: demo.ngoc });
    const forged = { email: demo.lan, manager: 'evil@evil.example', departments: [] };
    await (
      await as(ADMIN)
    ).message.publish({ name: 'invoice-approved', correlationKey: invoiceNumber, variables: { initiator: forged } });
    await (await as(ADMIN)).signal.broadcast({ name: 'books-closed', variables: { initiator: forged } });
    const after = await footprint(id);
    expect(after.status).toBe('completed');
    expect(after.state.variables.initiator).toEqual(own);
  });
});

describe('buffered messages', () => {
  it('carry their sender and reach a receiver only if it lets that sender: a refused one stays buffered, a later allowed one is taken', async () => {
    const invoiceNumber = 'HD-BUF-1';
    // Tuấn (IT) buffers first, then Hùng (accounting); nobody waits yet
    const approve = { name: 'release-approved', correlationKey: invoiceNumber, timeToLive: 3_600 };
    expect(
      await (await as(demo.tuan)).message.publish({ ...approve, variables: { approved: true, by: 'tuan' } }),
    ).toEqual({ correlated: 'buffered' });
    expect(
      await (await as(demo.hung)).message.publish({ ...approve, variables: { approved: true, by: 'hung' } }),
    ).toEqual({ correlated: 'buffered' });
    const rows = await handle.db
      .select({ sentBy: messages.sentBy, variables: messages.variables })
      .from(messages)
      .where(eq(messages.correlationKey, invoiceNumber));
    expect(rows.map((r) => [r.variables.by, r.sentBy === null])).toEqual([
      ['tuan', false],
      ['hung', false],
    ]);
    // when an instance comes to wait for it, Hùng's reaches it; Tuấn's does not and stays buffered
    const { id } = await (
      await as(demo.ngoc)
    ).instance.start({ definitionKey: 'invoice-release', variables: { invoiceNumber } });
    const lan = await as(demo.lan);
    const [task] = (await lan.task.list()).filter((t) => t.instanceId === id);
    await lan.task.complete({ id: task!.id, data: { decision: 'ok' } });
    expect(await footprint(id)).toMatchObject({ waits: ['closing'], state: { variables: { by: 'hung' } } });
    const left = await handle.db
      .select({ variables: messages.variables, correlatedTo: messages.correlatedTo })
      .from(messages)
      .where(eq(messages.correlationKey, invoiceNumber));
    expect(left.map((r) => [r.variables.by, r.correlatedTo])).toEqual([
      ['tuan', null],
      ['hung', id],
    ]);
    // The history says Hùng sent what moved it — not Lan, whose completion opened the wait.
    const [hung] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, demo.hung));
    const received = await handle.db
      .select({ actorId: auditEvents.actorId, data: auditEvents.data })
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, id), eq(auditEvents.type, 'message.received')));
    expect(received).toEqual([
      {
        actorId: hung!.id,
        data: { name: 'release-approved', correlationKey: invoiceNumber, buffered: true },
      },
    ]);
  });

  it('a buffered message alone from someone the receiver does not let send leaves the instance waiting', async () => {
    const invoiceNumber = 'HD-BUF-2';
    await (
      await as(demo.tuan)
    ).message.publish({
      name: 'invoice-approved',
      correlationKey: invoiceNumber,
      variables: { approved: true },
      timeToLive: 3_600,
    });
    const { id } = await (
      await as(demo.ngoc)
    ).instance.start({ definitionKey: 'invoice-hold', variables: { invoiceNumber } });
    expect(await footprint(id)).toMatchObject({
      status: 'active',
      waits: ['approval'],
      state: { variables: { invoiceNumber } },
    });
    // an admin's buffered message would have been taken
    await (
      await as(ADMIN)
    ).message.publish({
      name: 'invoice-approved',
      correlationKey: 'HD-BUF-3',
      variables: { approved: true },
      timeToLive: 3_600,
    });
    const other = await (
      await as(demo.ngoc)
    ).instance.start({ definitionKey: 'invoice-hold', variables: { invoiceNumber: 'HD-BUF-3' } });
    expect(await footprint(other.id)).toMatchObject({ waits: ['closing'], state: { variables: { approved: true } } });
  });
});

describe('what a message carries is capped', () => {
  const fieldOf = (error: TRPCError | null) =>
    (error?.cause as { fields?: { field: string }[] } | undefined)?.fields?.[0]?.field;

  it('variables larger than the limit (64 KiB as JSON by default) are refused naming `variables`; at the limit they pass', async () => {
    const admin = await as(ADMIN);
    // {"x":"…"} is 8 bytes around the text
    const at = { x: 'a'.repeat(DEFAULT_MESSAGE_LIMITS.maxBytes - 8) };
    expect(await admin.message.publish({ name: 'nobody-waits', variables: at })).toEqual({ correlated: 'dropped' });
    const over = { x: 'a'.repeat(DEFAULT_MESSAGE_LIMITS.maxBytes - 7) };
    const error = await refusal(admin.message.publish({ name: 'nobody-waits', variables: over, timeToLive: 60 }));
    expect(error).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('at most 65536 bytes as JSON; these take 65537'),
    });
    expect(fieldOf(error)).toBe('variables');
    // multi-byte text counts its UTF-8 bytes, and signals are capped alike
    const vietnamese = { x: 'ệ'.repeat(DEFAULT_MESSAGE_LIMITS.maxBytes / 3) };
    expect(fieldOf(await refusal(admin.signal.broadcast({ name: 'nobody-listens', variables: vietnamese })))).toBe(
      'variables',
    );
    expect(await handle.db.select().from(messages).where(eq(messages.name, 'nobody-waits'))).toEqual([]);
  });

  it('a time to live beyond the limit (7 days by default) is refused naming `timeToLive`', async () => {
    const admin = await as(ADMIN, 'vi');
    expect(
      await admin.message.publish({ name: 'nobody-waits', timeToLive: DEFAULT_MESSAGE_LIMITS.maxTtlSeconds }),
    ).toEqual({ correlated: 'buffered' });
    const error = await refusal(
      admin.message.publish({ name: 'nobody-waits', timeToLive: DEFAULT_MESSAGE_LIMITS.maxTtlSeconds + 1 }),
    );
    expect(error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('tối đa 604800 giây') });
    expect(fieldOf(error)).toBe('timeToLive');
    expect(fieldOf(await refusal(admin.message.publish({ name: 'nobody-waits', timeToLive: 30 * 24 * 3600 })))).toBe(
      'timeToLive',
    );
  });

  it('the limits come from TRELLIS_MAX_MESSAGE_BYTES and TRELLIS_MAX_MESSAGE_TTL_SECONDS', () => {
    expect(messageLimits(readEnv({}))).toEqual(DEFAULT_MESSAGE_LIMITS);
    expect(
      messageLimits(readEnv({ TRELLIS_MAX_MESSAGE_BYTES: '1024', TRELLIS_MAX_MESSAGE_TTL_SECONDS: '60' })),
    ).toEqual({ maxBytes: 1024, maxTtlSeconds: 60 });
    expect(() => readEnv({ TRELLIS_MAX_MESSAGE_BYTES: 'lots' })).toThrow(/TRELLIS_MAX_MESSAGE_BYTES/);
  });
});
