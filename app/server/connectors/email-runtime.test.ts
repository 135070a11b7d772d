/**
 * The email connector in the durable runtime (PGlite, and PostgreSQL when DATABASE_URL is set):
 * a published process with an `email` service task, run by a worker, against a real SMTP server
 * (smtp-server on 127.0.0.1, an ephemeral port, no authentication) that records what it receives
 * and refuses some mailboxes the way real servers do (550 for good, 451 for now).
 */
import type { AddressInfo } from 'node:net';
import { and, eq, sql } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { auditEvents, emailOutbox, groups, jobs, memberships, processInstances, tenants, users } from '@/db/schema';
import { emailSettings, readEnv } from '@/app/server/env';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import type { Connector } from '@/app/server/connectors/contract';
import { createWorker } from '@/app/server/host/worker';
import { callerFor, demo } from '@/test/support/callers';
import { createTestDatabase } from '@/test/support/database';
import { startTestSmtp, type TestSmtp } from '@/test/support/smtp';
import { defaultConnectors } from './index';

interface Received {
  from: string;
  recipients: string[];
  headers: Map<string, string>;
  body: string;
}

let handle: DatabaseHandle;
let smtp: TestSmtp;
let smtpUrl: string;
const SENDER = 'Trellis Sen Vàng <no-reply@senvang.example>';
/** What the server received, parsed. */
const received = (): Received[] =>
  smtp.received.map((m) => ({ from: m.from, recipients: m.recipients, ...parseMessage(m.raw) }));

beforeAll(async () => {
  smtp = await startTestSmtp({
    refuse: (address) =>
      address.startsWith('khong-ton-tai@') ? 550 : address.startsWith('hop-thu-day@') ? 451 : undefined,
  });
  smtpUrl = smtp.url;

  handle = await createTestDatabase();
  const tenantId = await seedDemo(handle.db);
  await publishNotice(tenantId);
});
afterAll(async () => {
  await handle?.close();
  await smtp?.close();
});

const startForm = {
  key: 'notice-start',
  version: 1,
  title: 'Payment notice',
  schema: {
    type: 'object',
    properties: {
      invoiceNumber: { type: 'string' },
      vendor: { type: 'string' },
      amount: { type: 'number' },
      approverEmail: { type: 'string' },
      cc: { type: 'string' },
      bcc: { type: 'string' },
    },
  },
};

/** start → email (FEEL recipients, subject and body in Vietnamese) → end. */
async function publishNotice(tenantId: string) {
  const notify = {
    id: 'notify',
    type: 'serviceTask',
    name: 'Báo kế toán',
    taskType: 'email',
    settings: {
      to: '=approverEmail',
      cc: '=cc',
      bcc: '=bcc',
      replyTo: 'Phòng Vận hành <van-hanh@senvang.example>',
      subject: '="Hóa đơn " + invoiceNumber + " của " + vendor + " đã được duyệt"',
      body: '="Kính gửi anh/chị,\\nHóa đơn " + invoiceNumber + " (" + vendor + ") số tiền " + string(amount) + " đồng đã được duyệt và chờ thanh toán.\\nTrân trọng,\\nPhòng Vận hành"',
    },
  };
  await publishProcess(
    handle.db,
    tenantId,
    {
      definition: {
        formatVersion: 1,
        key: 'payment-notice',
        version: 1,
        name: 'Payment notice',
        startForm: 'notice-start',
        elements: [{ id: 's', type: 'startEvent' }, notify, { id: 'e', type: 'endEvent' }],
        flows: [
          { id: 'f1', source: 's', target: 'notify' },
          { id: 'f2', source: 'notify', target: 'e' },
        ],
      },
      forms: [startForm],
    },
    null,
  );
}

let invoices = 0;
/** Copies for accounting, and a blind copy for the archive. */
const copies = {
  cc: 'Nguyễn Thị Lan <lan.nguyen@senvang.example>, hung.tran@senvang.example',
  bcc: 'luu-tru@senvang.example',
};
async function start(approverEmail: string, options: { as?: string; cc?: string; bcc?: string } = {}) {
  invoices++;
  const { as = demo.ngoc, ...more } = options;
  const { id } = await (
    await callerFor(handle.db, as)
  ).instance.start({
    definitionKey: 'payment-notice',
    variables: {
      invoiceNumber: `HD-2026/${String(invoices).padStart(4, '0')}`,
      vendor: 'Công ty TNHH Thương mại Hòa Bình',
      amount: 125_000_000,
      approverEmail,
      ...more,
    },
  });
  const [job] = await handle.db.select().from(jobs).where(eq(jobs.instanceId, id));
  return { id, job: job! };
}
const instance = async (id: string) =>
  (await handle.db.select().from(processInstances).where(eq(processInstances.id, id)))[0]!;
const outboxRow = async (jobId: string) =>
  (await handle.db.select().from(emailOutbox).where(eq(emailOutbox.jobId, jobId)))[0];
const job = async (id: string) => (await handle.db.select().from(jobs).where(eq(jobs.id, id)))[0]!;
const withSmtp = () => defaultConnectors({ email: { db: handle.db, smtpUrl, from: SENDER } });

describe('email service tasks without SMTP', () => {
  it('keeps the email in the outbox and the instance moves on: nothing is dropped, nothing sent', async () => {
    // given an instance waiting on its email task, and a worker with no SMTP server configured
    const { id, job: emailJob } = await start('quan.do@senvang.example', copies);
    expect(emailJob).toMatchObject({ kind: 'service', jobType: 'email', status: 'pending' });
    const before = received().length;
    // when the worker runs
    await createWorker(handle.db, { connectors: defaultConnectors({ email: { db: handle.db } }) }).tick();
    // then the email is recorded, held in the outbox, and the process carried on
    const row = await outboxRow(emailJob.id);
    expect(row).toMatchObject({
      status: 'outbox',
      from: null,
      to: ['quan.do@senvang.example'],
      cc: ['Nguyễn Thị Lan <lan.nguyen@senvang.example>', 'hung.tran@senvang.example'],
      bcc: ['luu-tru@senvang.example'],
      replyTo: 'Phòng Vận hành <van-hanh@senvang.example>',
      subject: 'Hóa đơn HD-2026/0001 của Công ty TNHH Thương mại Hòa Bình đã được duyệt',
      body: 'Kính gửi anh/chị,\nHóa đơn HD-2026/0001 (Công ty TNHH Thương mại Hòa Bình) số tiền 125000000 đồng đã được duyệt và chờ thanh toán.\nTrân trọng,\nPhòng Vận hành',
      messageId: `<${emailJob.id}@trellis.invalid>`,
      instanceId: id,
      elementId: 'notify',
      sentAt: null,
      error: null,
    });
    expect(received().length).toBe(before);
    const done = await instance(id);
    expect(done.status).toBe('completed');
    expect(done.state.variables).toMatchObject({ emailStatus: 'outbox', emailMessageId: row!.messageId });
    expect(await job(emailJob.id)).toMatchObject({ status: 'done', attempts: 1 });
  });
});

describe('email service tasks through SMTP', () => {
  it('sends once to the right recipients, with the Vietnamese subject and text intact, and marks the row sent', async () => {
    const { id, job: emailJob } = await start('Đỗ Minh Quân <quan.do@senvang.example>', copies);
    const before = received().length;
    await createWorker(handle.db, { connectors: withSmtp() }).tick();

    const mine = received().slice(before);
    expect(mine).toHaveLength(1);
    const mail = mine[0]!;
    // the envelope reaches to, cc and bcc; the headers show to and cc, never bcc
    expect(mail.from).toBe('no-reply@senvang.example');
    expect([...mail.recipients].sort()).toEqual([
      'hung.tran@senvang.example',
      'lan.nguyen@senvang.example',
      'luu-tru@senvang.example',
      'quan.do@senvang.example',
    ]);
    expect(mail.headers.get('to')).toBe('Đỗ Minh Quân <quan.do@senvang.example>');
    expect(mail.headers.get('cc')).toBe('Nguyễn Thị Lan <lan.nguyen@senvang.example>, hung.tran@senvang.example');
    expect(mail.headers.has('bcc')).toBe(false);
    expect(mail.headers.get('from')).toBe('Trellis Sen Vàng <no-reply@senvang.example>');
    expect(mail.headers.get('reply-to')).toBe('Phòng Vận hành <van-hanh@senvang.example>');
    expect(mail.headers.get('subject')).toBe('Hóa đơn HD-2026/0002 của Công ty TNHH Thương mại Hòa Bình đã được duyệt');
    expect(mail.headers.get('content-type')).toMatch(/^text\/plain; charset=utf-8/i);
    expect(mail.headers.get('auto-submitted')).toBe('auto-generated');
    expect(mail.body).toBe(
      'Kính gửi anh/chị,\nHóa đơn HD-2026/0002 (Công ty TNHH Thương mại Hòa Bình) số tiền 125000000 đồng đã được duyệt và chờ thanh toán.\nTrân trọng,\nPhòng Vận hành',
    );
    // the Message-ID is the job's: a resend would carry the same one
    expect(mail.headers.get('message-id')).toBe(`<${emailJob.id}@senvang.example>`);

    const row = await outboxRow(emailJob.id);
    expect(row).toMatchObject({
      status: 'sent',
      from: SENDER,
      to: ['Đỗ Minh Quân <quan.do@senvang.example>'],
      messageId: `<${emailJob.id}@senvang.example>`,
      error: null,
    });
    expect(row!.sentAt).toBeInstanceOf(Date);
    expect(await instance(id)).toMatchObject({
      status: 'completed',
      state: { variables: { emailStatus: 'sent', emailMessageId: `<${emailJob.id}@senvang.example>` } },
    });
  });

  it('a job run again (its lease ran out mid-send, another worker took it) finds its email sent and does not send it twice', async () => {
    // given a worker whose send succeeds but which loses its lease before it can complete the job
    const { id, job: emailJob } = await start('quan.do@senvang.example');
    const before = received().length;
    const email = withSmtp().email!;
    const other = createWorker(handle.db, { workerId: 'worker-b', connectors: withSmtp() });
    let tookOver = 0;
    const slow: Connector = async (call) => {
      const result = await email(call);
      // ... the lease runs out here, and worker B claims the job and runs it again
      await handle.db
        .update(jobs)
        .set({ lockedUntil: sql`now() - interval '1 second'` })
        .where(eq(jobs.id, call.job.id));
      tookOver = await other.tick();
      return result;
    };
    await createWorker(handle.db, { workerId: 'worker-a', connectors: { email: slow } }).tick();

    // then worker B ran the job (a second attempt) and completed it, and the server got one email
    expect(tookOver).toBe(1);
    expect(received().length - before).toBe(1);
    expect(await job(emailJob.id)).toMatchObject({ status: 'done', attempts: 2, lockedBy: null });
    expect(await outboxRow(emailJob.id)).toMatchObject({ status: 'sent' });
    expect(await instance(id)).toMatchObject({ status: 'completed' });
    const completions = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, id), eq(auditEvents.type, 'job.completed')));
    expect(completions).toHaveLength(1);
    // and the connector called yet again with the same job still sends nothing
    const [row] = await handle.db.select().from(jobs).where(eq(jobs.id, emailJob.id));
    expect(
      await email({
        job: { ...row!, instanceId: id },
        variables: row!.payload,
        settings: { to: 'quan.do@senvang.example', subject: 'x', body: 'y' },
      }),
    ).toEqual({ emailStatus: 'sent', emailMessageId: `<${emailJob.id}@senvang.example>` });
    expect(received().length - before).toBe(1);
    expect(await handle.db.select().from(emailOutbox).where(eq(emailOutbox.jobId, emailJob.id))).toHaveLength(1);
  });

  it('a recipient the server refuses for good (550) is an incident at once, and the row says failed, with the answer', async () => {
    const { id, job: emailJob } = await start('khong-ton-tai@senvang.example');
    const before = received().length;
    await createWorker(handle.db, { connectors: withSmtp() }).tick();

    expect(received().length).toBe(before);
    const failed = await job(emailJob.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.lastError).toContain(
      'refused the email for khong-ton-tai@senvang.example: 550 5.1.1 Hộp thư không tồn tại',
    );
    expect(await outboxRow(emailJob.id)).toMatchObject({ status: 'failed', sentAt: null, error: failed.lastError });
    expect(await instance(id)).toMatchObject({ status: 'active' });
    const incidents = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, id), eq(auditEvents.type, 'incident.raised')));
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.data).toMatchObject({ code: 'JOB_FAILED' });
  });

  it('a server that says "try later" (451) or cannot be reached is retried with backoff; the row stays in the outbox until the last attempt fails', async () => {
    // 451: the job goes back to pending, due later, the row keeps the answer
    const { id, job: emailJob } = await start('hop-thu-day@senvang.example');
    await createWorker(handle.db, { connectors: withSmtp() }).tick();
    let retried = await job(emailJob.id);
    expect(retried).toMatchObject({ status: 'pending', attempts: 1 });
    expect(retried.lastError).toContain('answered 451 4.2.2 Mailbox full');
    const [{ later }] = (await handle.db
      .select({ later: sql<boolean>`${jobs.dueAt} > now()` })
      .from(jobs)
      .where(eq(jobs.id, emailJob.id))) as [{ later: boolean }];
    expect(later).toBe(true);
    expect(await outboxRow(emailJob.id)).toMatchObject({ status: 'outbox', error: retried.lastError });

    // no server listening: also worth another try
    const closed = await new Promise<number>((resolve) => {
      const probe = new SMTPServer({ logger: false });
      probe.listen(0, '127.0.0.1', () => {
        const port = (probe.server.address() as AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    await handle.db
      .update(jobs)
      .set({ dueAt: sql`now()` })
      .where(eq(jobs.id, emailJob.id));
    await createWorker(handle.db, {
      connectors: defaultConnectors({ email: { db: handle.db, smtpUrl: `smtp://127.0.0.1:${closed}`, from: SENDER } }),
    }).tick();
    retried = await job(emailJob.id);
    expect(retried).toMatchObject({ status: 'pending', attempts: 2 });
    expect(retried.lastError).toMatch(
      /The SMTP server 127\.0\.0\.1:\d+ could not be reached \(E\w+\); the email will be tried again\./,
    );
    expect(await outboxRow(emailJob.id)).toMatchObject({ status: 'outbox' });

    // the last attempt (retries: 3 by default, so the fourth) fails too: an incident, and the row failed
    await handle.db
      .update(jobs)
      .set({ dueAt: sql`now()`, attempts: sql`${jobs.retries}` })
      .where(eq(jobs.id, emailJob.id));
    await createWorker(handle.db, { connectors: withSmtp() }).tick();
    expect(await job(emailJob.id)).toMatchObject({
      status: 'failed',
      attempts: 4,
      lastError: expect.stringContaining('answered 451'),
    });
    expect(await outboxRow(emailJob.id)).toMatchObject({ status: 'failed', sentAt: null });
    expect(await instance(id)).toMatchObject({ status: 'active' });
  });

  it('when only some recipients are refused, the others get the email and the row names who did not', async () => {
    const { id, job: emailJob } = await start('khong-ton-tai@senvang.example', { cc: 'quan.do@senvang.example' });
    const before = received().length;
    await createWorker(handle.db, { connectors: withSmtp() }).tick();
    expect(
      received()
        .slice(before)
        .map((m) => m.recipients.includes('quan.do@senvang.example')),
    ).toEqual([true]);
    expect(await outboxRow(emailJob.id)).toMatchObject({
      status: 'sent',
      error: 'Not delivered to khong-ton-tai@senvang.example: the SMTP server refused it.',
    });
    expect(await instance(id)).toMatchObject({
      status: 'completed',
      state: { variables: { emailStatus: 'sent', emailRejected: ['khong-ton-tai@senvang.example'] } },
    });
  });

  it('credentials never go out in clear text: a server without STARTTLS gets no login and no email, and the password is in no message', async () => {
    // the test server offers neither STARTTLS nor AUTH
    const { job: emailJob } = await start('quan.do@senvang.example');
    const before = received().length;
    const withPassword = smtpUrl.replace('smtp://', 'smtp://trellis:m%E1%BA%ADt-kh%E1%BA%A9u@');
    await createWorker(handle.db, {
      connectors: defaultConnectors({ email: { db: handle.db, smtpUrl: withPassword, from: SENDER } }),
    }).tick();
    expect(received().length).toBe(before);
    // the server answers STARTTLS with 500: retrying cannot help, so it is an incident at once
    const failed = await job(emailJob.id);
    expect(failed).toMatchObject({ status: 'failed', attempts: 1 });
    expect(failed.lastError).toMatch(
      /^127\.0\.0\.1:\d+ could not start TLS \(STARTTLS\), which sending the credentials in TRELLIS_SMTP_URL requires .*: 500 /,
    );
    expect(failed.lastError).not.toContain('mật-khẩu');
    expect(failed.lastError).not.toContain('m%E1');
    expect(await outboxRow(emailJob.id)).toMatchObject({ status: 'failed', error: failed.lastError });
  });

  it('bad settings are an incident at once, naming the setting; nothing is recorded or sent', async () => {
    const { job: emailJob } = await start('không phải địa chỉ');
    const before = received().length;
    await createWorker(handle.db, { connectors: withSmtp() }).tick();
    expect(await job(emailJob.id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: expect.stringContaining('The to setting has "không phải địa chỉ", which is not an email address'),
    });
    expect(await outboxRow(emailJob.id)).toBeUndefined();
    expect(received().length).toBe(before);
  });
});

describe('server settings', () => {
  it('a wrong TRELLIS_SMTP_URL or TRELLIS_MAIL_FROM stops the worker from starting, naming the variable; empty ones count as unset', () => {
    const email = (smtp: string | undefined, from?: string) => () =>
      defaultConnectors({ email: { db: handle.db, ...(smtp ? { smtpUrl: smtp } : {}), ...(from ? { from } : {}) } });
    expect(email('https://mail.example.com')).toThrow(
      'TRELLIS_SMTP_URL uses "https:"; write it as smtp://user:password@host:587',
    );
    expect(email('mail.example.com:587')).toThrow('TRELLIS_SMTP_URL');
    expect(email(undefined, 'no-reply')).toThrow('TRELLIS_MAIL_FROM');
    expect(email(undefined, 'a@senvang.example, b@senvang.example')).toThrow('TRELLIS_MAIL_FROM must be one address');
    expect(Object.keys(email(smtpUrl, SENDER)())).toEqual(['http', 'email']);
    expect(Object.keys(defaultConnectors())).toEqual(['http']);
    expect(emailSettings(readEnv({ TRELLIS_SMTP_URL: ' ', TRELLIS_MAIL_FROM: '' }))).toEqual({});
    expect(
      emailSettings(readEnv({ TRELLIS_SMTP_URL: 'smtp://mail.example.com:587', TRELLIS_MAIL_FROM: SENDER })),
    ).toEqual({ smtpUrl: 'smtp://mail.example.com:587', from: SENDER });
  });
});

describe('the outbox, as the admin reads it', () => {
  it("is for admins only, newest first, a page at a time, and never shows another company's mail", async () => {
    // given a second company with its own admin and one email of its own
    const [other] = await handle.db.insert(tenants).values({ slug: 'cong-ty-khac', name: 'Công ty Khác' }).returning();
    const [outsider] = await handle.db
      .insert(users)
      .values({ email: 'quan.tri@khac.example', displayName: 'Phan Văn Khác' })
      .returning();
    await handle.db.insert(memberships).values({ tenantId: other!.id, userId: outsider!.id, role: 'admin' });
    await handle.db.insert(groups).values({ tenantId: other!.id, key: 'operations', name: 'Operations' });
    await publishNotice(other!.id);
    const { job: otherJob } = await start('ke.toan@khac.example', { as: 'quan.tri@khac.example' });
    await createWorker(handle.db, { connectors: defaultConnectors({ email: { db: handle.db } }) }).tick();
    expect(await outboxRow(otherJob.id)).toMatchObject({ tenantId: other!.id, status: 'outbox' });

    // staff may not read it
    await expect((await callerFor(handle.db, demo.ngoc)).outbox.list({})).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'Only an admin may read the email outbox.',
    });

    // Sen Vàng's admin sees Sen Vàng's emails only, newest first
    const admin = await callerFor(handle.db, 'bao.ngo@senvang.example');
    const all = await admin.outbox.list({});
    const mine = await handle.db
      .select()
      .from(emailOutbox)
      .where(eq(emailOutbox.tenantId, await seedDemo(handle.db)));
    expect(all.items).toHaveLength(mine.length);
    expect(all.items.length).toBeGreaterThanOrEqual(5);
    expect(all.items.map((e) => e.id)).not.toContain((await outboxRow(otherJob.id))!.id);
    const times = all.items.map((e) => e.createdAt.getTime());
    expect([...times].sort((a, b) => b - a)).toEqual(times);
    expect(all.items[0]).toMatchObject({ processName: 'Payment notice', elementId: 'notify' });
    expect(all.next).toBeNull();

    // paged: two at a time, following `next`, gives the same list
    const paged: string[] = [];
    let after: string | undefined;
    do {
      const page = await admin.outbox.list({ limit: 2, ...(after ? { after } : {}) });
      expect(page.items.length).toBeLessThanOrEqual(2);
      paged.push(...page.items.map((e) => e.id));
      after = page.next ?? undefined;
    } while (after);
    expect(paged).toEqual(all.items.map((e) => e.id));
    // filtered by status
    const failed = await admin.outbox.list({ status: 'failed' });
    expect(failed.items.length).toBeGreaterThan(0);
    expect(failed.items.every((e) => e.status === 'failed')).toBe(true);

    // the other company's admin sees its one email; a cursor from Sen Vàng gives it nothing
    const outsiderCaller = await callerFor(handle.db, 'quan.tri@khac.example');
    expect((await outsiderCaller.outbox.list({})).items.map((e) => e.to)).toEqual([['ke.toan@khac.example']]);
    expect((await outsiderCaller.outbox.list({ after: all.items[0]!.id })).items).toEqual([]);
  });
});

/** Headers (unfolded, RFC 2047 words decoded, names lower-cased) and the decoded text body. */
function parseMessage(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    headers.set(line.slice(0, colon).trim().toLowerCase(), decodeWords(line.slice(colon + 1).trim()));
  }
  const encoded = raw.slice(split + 4);
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const bytes =
    encoding === 'base64'
      ? Buffer.from(encoded, 'base64')
      : encoding === 'quoted-printable'
        ? quotedPrintable(encoded)
        : Buffer.from(encoded, 'utf8');
  return { headers, body: bytes.toString('utf8').replace(/\r\n/g, '\n').replace(/\n$/, '') };
}

/** RFC 2047: a run of adjacent encoded words is decoded as one byte sequence (a character may span two). */
function decodeWords(value: string): string {
  return value.replace(/=\?[^?]+\?[BbQq]\?[^?]*\?=(?:\s+=\?[^?]+\?[BbQq]\?[^?]*\?=)*/g, (run) => {
    const words = [...run.matchAll(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g)];
    const bytes = words.map(([, charset, kind, text]) => {
      expect(charset!.toLowerCase()).toBe('utf-8');
      return kind!.toUpperCase() === 'B' ? Buffer.from(text!, 'base64') : quotedPrintable(text!.replace(/_/g, ' '));
    });
    return Buffer.concat(bytes).toString('utf8');
  });
}

function quotedPrintable(text: string): Buffer {
  const bytes: number[] = [];
  const soft = text.replace(/=\r?\n/g, '');
  for (let i = 0; i < soft.length; i++) {
    if (soft[i] === '=' && /^[0-9A-F]{2}$/i.test(soft.slice(i + 1, i + 3))) {
      bytes.push(parseInt(soft.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(...Buffer.from(soft[i]!, 'utf8'));
  }
  return Buffer.from(bytes);
}
