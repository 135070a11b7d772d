/**
 * Sending from the outbox (PGlite, and PostgreSQL when DATABASE_URL is set): an admin's
 * `outbox.send` for held and failed emails, and the worker's held-mail sweep, against a real SMTP
 * server (smtp-server on 127.0.0.1, an ephemeral port, no authentication) that records what it
 * receives, refuses the mailboxes a test tells it to (550 for good, 451 for now) and can be made
 * slow, so that two clicks overlap a send in progress.
 */
import type { AddressInfo } from 'node:net';
import { and, eq, sql } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import {
  auditEvents,
  emailOutbox,
  groups,
  jobs,
  memberships,
  processInstances,
  tenants,
  users,
  type EmailOutboxRow,
} from '@/db/schema';
import type { EmailSettings } from '@/app/server/env';
import { defaultConnectors } from '@/app/server/connectors';
import { createMailer } from '@/app/server/connectors/email-smtp';
import { seedDemo } from '@/app/server/seed';
import { verifyAudit } from '@/app/server/services/audit';
import { publishProcess } from '@/app/server/services/definitions';
import { createContextInner } from '@/app/server/trpc/init';
import { createCaller } from '@/app/server/trpc/root';
import { createWorker, startWorkerLoop } from '@/app/server/host/worker';
import { callerFor, demo } from '@/test/support/callers';
import { createTestDatabase } from '@/test/support/database';
import { startTestSmtp, type TestSmtp } from '@/test/support/smtp';
import { sendHeldEmails } from './outbox';

interface Received {
  from: string;
  recipients: string[];
  messageId: string;
  subject: string;
}

let handle: DatabaseHandle;
let tenantId: string;
let smtp: TestSmtp;
let smtpUrl: string;
/** What the server received: envelope, Message-ID and subject. */
const received = (): Received[] =>
  smtp.received.map((m) => {
    const header = (name: string) =>
      new RegExp(`^${name}: *(.*)$`, 'im').exec(m.raw.slice(0, m.raw.indexOf('\r\n\r\n')))?.[1]?.trim() ?? '';
    return { from: m.from, recipients: m.recipients, messageId: header('Message-ID'), subject: header('Subject') };
  });
/** Mailboxes the server refuses, with the code it answers. */
const refusing = new Map<string, 550 | 451>();
/** How long the server takes to accept a message. */
let slowMs = 0;
const SENDER = 'Trellis Sen Vàng <no-reply@senvang.example>';
const ADMIN = 'bao.ngo@senvang.example';

beforeAll(async () => {
  smtp = await startTestSmtp({ refuse: (address) => refusing.get(address), delayMs: () => slowMs });
  smtpUrl = smtp.url;

  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  await publishNotice(tenantId);
});
afterAll(async () => {
  await handle?.close();
  await smtp?.close();
});

/** start → email to `=approverEmail` → end. */
async function publishNotice(tenant: string) {
  await publishProcess(
    handle.db,
    tenant,
    {
      definition: {
        formatVersion: 1,
        key: 'payment-notice',
        version: 1,
        name: 'Payment notice',
        startForm: 'notice-start',
        elements: [
          { id: 's', type: 'startEvent' },
          {
            id: 'notify',
            type: 'serviceTask',
            name: 'Báo kế toán',
            taskType: 'email',
            settings: {
              to: '=approverEmail',
              subject: '="Hóa đơn " + invoiceNumber + " đã được duyệt"',
              body: '="Hóa đơn " + invoiceNumber + " chờ thanh toán."',
            },
          },
          { id: 'e', type: 'endEvent' },
        ],
        flows: [
          { id: 'f1', source: 's', target: 'notify' },
          { id: 'f2', source: 'notify', target: 'e' },
        ],
      },
      forms: [
        {
          key: 'notice-start',
          version: 1,
          title: 'Payment notice',
          schema: {
            type: 'object',
            properties: { invoiceNumber: { type: 'string' }, approverEmail: { type: 'string' } },
          },
        },
      ],
    },
    null,
  );
}

let invoices = 0;
/** Starts an instance and runs its email job: held (no SMTP server; `from` as TRELLIS_MAIL_FROM, or none), or through the test server. */
async function email(approverEmail: string, options: { as?: string; through?: 'none' | 'smtp'; from?: string } = {}) {
  invoices++;
  const invoiceNumber = `HD-2026/${String(invoices).padStart(4, '0')}`;
  const { id } = await (
    await callerFor(handle.db, options.as ?? demo.ngoc)
  ).instance.start({ definitionKey: 'payment-notice', variables: { invoiceNumber, approverEmail } });
  const [job] = await handle.db.select().from(jobs).where(eq(jobs.instanceId, id));
  const settings = options.through === 'smtp' ? { smtpUrl, from: SENDER } : options.from ? { from: options.from } : {};
  await createWorker(handle.db, { connectors: defaultConnectors({ email: { db: handle.db, ...settings } }) }).tick();
  return { instanceId: id, jobId: job!.id, invoiceNumber, row: (await outboxRow(job!.id))! };
}
const outboxRow = async (jobId: string) =>
  (await handle.db.select().from(emailOutbox).where(eq(emailOutbox.jobId, jobId)))[0];
const rowById = async (id: string) => (await handle.db.select().from(emailOutbox).where(eq(emailOutbox.id, id)))[0]!;
const jobById = async (id: string) => (await handle.db.select().from(jobs).where(eq(jobs.id, id)))[0]!;
const resent = (instanceId: string) =>
  handle.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.instanceId, instanceId), eq(auditEvents.type, 'email.resent')))
    .orderBy(auditEvents.id);

/** A caller whose app server has `email` as its SMTP settings (the environment's are not read). */
async function callerWith(address: string, settings: EmailSettings) {
  const [user] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, address));
  return createCaller(await createContextInner({ db: handle.db, userId: user!.id, locale: 'en', email: settings }));
}
const withSmtp: EmailSettings = {
  get smtpUrl() {
    return smtpUrl;
  },
  from: SENDER,
};
const admin = () => callerWith(ADMIN, withSmtp);

describe('outbox.send', () => {
  it('sends a held email once, with its Message-ID; a second click is refused and nothing more arrives', async () => {
    // given an email held while the server had a sender (TRELLIS_MAIL_FROM) but no SMTP server
    const held = await email('quan.do@senvang.example', { from: SENDER });
    expect(held.row).toMatchObject({
      status: 'outbox',
      from: SENDER,
      messageId: `<${held.jobId}@senvang.example>`,
      sentAt: null,
    });
    const before = received().length;

    // when the admin sends it now
    const result = await (await admin()).outbox.send({ id: held.row.id });

    // then it arrives once, from the sender, under the Message-ID the process was given
    expect(result).toMatchObject({
      id: held.row.id,
      status: 'sent',
      messageId: held.row.messageId,
      error: null,
      rejected: [],
      incidentOpen: false,
    });
    expect(result.sentAt).toBeInstanceOf(Date);
    expect(received().slice(before)).toEqual([
      {
        from: 'no-reply@senvang.example',
        recipients: ['quan.do@senvang.example'],
        messageId: held.row.messageId,
        subject: expect.any(String),
      },
    ]);
    const instance = (
      await handle.db.select().from(processInstances).where(eq(processInstances.id, held.instanceId))
    )[0]!;
    expect(instance.state.variables).toMatchObject({ emailStatus: 'outbox', emailMessageId: held.row.messageId });
    expect(await rowById(held.row.id)).toMatchObject({
      status: 'sent',
      from: SENDER,
      error: null,
      sentAt: result.sentAt,
    });

    // and a second click is refused, naming when it went out; nothing more is sent
    await expect((await admin()).outbox.send({ id: held.row.id })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(
        /^This email was already sent \(.+, Message-ID <[^>]+@senvang\.example>\); it is not sent twice\.$/,
      ),
    });
    expect(received().length - before).toBe(1);

    // the list no longer offers it; the admin's send is on the instance's trail, chained
    const listed = (await (await admin()).outbox.list({})).items.find((e) => e.id === held.row.id)!;
    expect(listed).toMatchObject({ status: 'sent', sendable: false });
    const [audit, ...more] = await resent(held.instanceId);
    expect(more).toEqual([]);
    const [bao] = await handle.db.select().from(users).where(eq(users.email, ADMIN));
    expect(audit).toMatchObject({
      tenantId,
      actorId: bao!.id,
      elementId: 'notify',
      data: {
        emailId: held.row.id,
        jobId: held.jobId,
        messageId: held.row.messageId,
        previousStatus: 'outbox',
        status: 'sent',
      },
    });
    expect(audit!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(audit!.prevHash).not.toBeNull();
    expect((await verifyAudit(handle.db, { tenantId })).problems).toEqual([]);
  });

  it('an email held with no sender at all goes out from the server’s sender (TRELLIS_MAIL_FROM), under the Message-ID it was recorded with', async () => {
    const held = await email('lan.nguyen@senvang.example');
    expect(held.row).toMatchObject({ status: 'outbox', from: null, messageId: `<${held.jobId}@trellis.invalid>` });
    const before = received().length;
    // no sender on either side: refused, naming the setting
    await expect((await callerWith(ADMIN, { smtpUrl })).outbox.send({ id: held.row.id })).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      message: expect.stringContaining('set TRELLIS_MAIL_FROM'),
    });
    expect(await rowById(held.row.id)).toMatchObject({ status: 'outbox', lockedUntil: null });

    expect(await (await admin()).outbox.send({ id: held.row.id })).toMatchObject({ status: 'sent' });
    expect(received().slice(before)).toEqual([
      expect.objectContaining({ from: 'no-reply@senvang.example', messageId: held.row.messageId }),
    ]);
    expect(await rowById(held.row.id)).toMatchObject({ status: 'sent', from: SENDER });
  });

  it('two concurrent clicks (and three more) send the email once', async () => {
    const held = await email('hung.tran@senvang.example', { from: SENDER });
    const before = received().length;
    // a slow server: every click lands while the first send is still in progress
    slowMs = 300;
    let results: PromiseSettledResult<unknown>[];
    try {
      const callers = await Promise.all(Array.from({ length: 5 }, () => admin()));
      results = await Promise.allSettled(callers.map((c) => c.outbox.send({ id: held.row.id })));
    } finally {
      slowMs = 0;
    }
    const sent = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ value: { status: 'sent' } });
    expect(refused).toHaveLength(4);
    for (const r of refused)
      expect(r.reason).toMatchObject({
        code: 'CONFLICT',
        message: expect.stringMatching(/being sent right now|already sent/),
      });
    expect(received().length - before).toBe(1);
    expect(await resent(held.instanceId)).toHaveLength(1);
  });

  it('without an SMTP server it refuses, naming TRELLIS_SMTP_URL, and the email stays held', async () => {
    const held = await email('quan.do@senvang.example');
    const before = received().length;
    await expect((await callerWith(ADMIN, {})).outbox.send({ id: held.row.id })).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      message:
        'No SMTP server is configured, so nothing can be sent: set TRELLIS_SMTP_URL (and TRELLIS_MAIL_FROM) on the app server and restart it. The email stays in the outbox.',
    });
    // in the admin's language
    const [bao] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, ADMIN));
    const vi = createCaller(await createContextInner({ db: handle.db, userId: bao!.id, locale: 'vi', email: {} }));
    await expect(vi.outbox.send({ id: held.row.id })).rejects.toMatchObject({
      code: 'PRECONDITION_FAILED',
      message: expect.stringMatching(/^Chưa cấu hình máy chủ SMTP nên chưa gửi được: hãy đặt TRELLIS_SMTP_URL/),
    });
    expect(await rowById(held.row.id)).toMatchObject({ status: 'outbox', lockedUntil: null, error: null });
    expect(received().length).toBe(before);
    expect(await resent(held.instanceId)).toEqual([]);
  });

  it('is for admins: staff are refused and nothing is sent', async () => {
    const held = await email('quan.do@senvang.example');
    const before = received().length;
    await expect((await callerWith(demo.ngoc, withSmtp)).outbox.send({ id: held.row.id })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'Only an admin may send email from the outbox.',
    });
    await expect((await callerWith(demo.lan, withSmtp)).outbox.send({ id: held.row.id })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await rowById(held.row.id)).toMatchObject({ status: 'outbox' });
    expect(received().length).toBe(before);
  });

  it('another company’s email is NOT_FOUND, and stays as it was', async () => {
    const [other] = await handle.db.insert(tenants).values({ slug: 'cong-ty-khac', name: 'Công ty Khác' }).returning();
    const [outsider] = await handle.db
      .insert(users)
      .values({ email: 'quan.tri@khac.example', displayName: 'Phan Văn Khác' })
      .returning();
    await handle.db.insert(memberships).values({ tenantId: other!.id, userId: outsider!.id, role: 'admin' });
    await handle.db.insert(groups).values({ tenantId: other!.id, key: 'operations', name: 'Operations' });
    await publishNotice(other!.id);
    const theirs = await email('ke.toan@khac.example', {
      as: 'quan.tri@khac.example',
      from: 'Khác <no-reply@khac.example>',
    });
    const before = received().length;

    await expect((await admin()).outbox.send({ id: theirs.row.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `Email "${theirs.row.id}" was not found.`,
    });
    expect(await rowById(theirs.row.id)).toMatchObject({ tenantId: other!.id, status: 'outbox', lockedUntil: null });
    expect(received().length).toBe(before);
    // an id that is no email at all reads the same
    await expect((await admin()).outbox.send({ id: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // their own admin may send it
    expect(
      await (await callerWith('quan.tri@khac.example', withSmtp)).outbox.send({ id: theirs.row.id }),
    ).toMatchObject({ status: 'sent' });
    expect(
      received()
        .slice(before)
        .map((m) => m.recipients),
    ).toEqual([['ke.toan@khac.example']]);
  });

  it('a failed email (550) is sent again once the server accepts it; the incident, retried, then finds it sent', async () => {
    // given an email the server refused for good: the row failed, the job an incident
    refusing.set('tam-khoa@senvang.example', 550);
    const failed = await email('tam-khoa@senvang.example', { through: 'smtp' });
    expect(failed.row).toMatchObject({ status: 'failed', error: expect.stringContaining('550 5.1.1') });
    expect(await jobById(failed.jobId)).toMatchObject({ status: 'failed' });
    const before = received().length;

    // sent again while the server still refuses: failed again, with the answer and the admin's advice
    const again = await (await admin()).outbox.send({ id: failed.row.id });
    expect(again).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(
        /refused the email for tam-khoa@senvang\.example: 550 5\.1\.1 .*fix the address or the server settings, then send it again\.$/,
      ),
      incidentOpen: true,
    });
    expect(await rowById(failed.row.id)).toMatchObject({ status: 'failed', error: again.error });
    expect(received().length).toBe(before);

    // when the mailbox exists again, the admin sends it: it arrives once
    refusing.delete('tam-khoa@senvang.example');
    const sent = await (await admin()).outbox.send({ id: failed.row.id });
    expect(sent).toMatchObject({ status: 'sent', error: null, incidentOpen: true });
    expect(received().slice(before)).toEqual([
      expect.objectContaining({ recipients: ['tam-khoa@senvang.example'], messageId: failed.row.messageId }),
    ]);
    expect(await rowById(failed.row.id)).toMatchObject({ status: 'sent', error: null });
    expect((await resent(failed.instanceId)).map((e) => [e.data.previousStatus, e.data.status])).toEqual([
      ['failed', 'failed'],
      ['failed', 'sent'],
    ]);

    // and retrying the incident moves the process on without sending it again
    await (await admin()).incident.retry({ kind: 'job', id: failed.jobId });
    await createWorker(handle.db, {
      connectors: defaultConnectors({ email: { db: handle.db, smtpUrl, from: SENDER } }),
    }).tick();
    expect(await jobById(failed.jobId)).toMatchObject({ status: 'done' });
    const instance = (
      await handle.db.select().from(processInstances).where(eq(processInstances.id, failed.instanceId))
    )[0]!;
    expect(instance).toMatchObject({
      status: 'completed',
      state: { variables: { emailStatus: 'sent', emailMessageId: failed.row.messageId } },
    });
    expect(received().length - before).toBe(1);
    expect((await verifyAudit(handle.db, { tenantId })).problems).toEqual([]);
  });

  it('a "try later" answer (451) leaves a held email held, with the answer; the admin may try again', async () => {
    const held = await email('hop-thu-day@senvang.example', { from: SENDER });
    refusing.set('hop-thu-day@senvang.example', 451);
    try {
      const result = await (await admin()).outbox.send({ id: held.row.id });
      expect(result).toMatchObject({
        status: 'outbox',
        error: expect.stringMatching(/answered 451 4\.2\.2 Mailbox full.*; try again later\.$/),
      });
      expect(await rowById(held.row.id)).toMatchObject({ status: 'outbox', error: result.error, sentAt: null });
    } finally {
      refusing.delete('hop-thu-day@senvang.example');
    }
    expect(await (await admin()).outbox.send({ id: held.row.id })).toMatchObject({ status: 'sent' });
  });

  it('an email another sender holds is refused while its claim lasts, and taken over once it ran out (the sender died)', async () => {
    const held = await email('quan.do@senvang.example', { from: SENDER });
    const before = received().length;
    await handle.db
      .update(emailOutbox)
      .set({ status: 'sending', lockedUntil: sql`now() + interval '1 minute'` })
      .where(eq(emailOutbox.id, held.row.id));
    await expect((await admin()).outbox.send({ id: held.row.id })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'This email is being sent right now; reload the page in a minute to see how it went.',
    });
    expect((await (await admin()).outbox.list({})).items.find((e) => e.id === held.row.id)).toMatchObject({
      status: 'sending',
      sendable: false,
    });
    expect(received().length).toBe(before);

    await handle.db
      .update(emailOutbox)
      .set({ lockedUntil: sql`now() - interval '1 second'` })
      .where(eq(emailOutbox.id, held.row.id));
    expect((await (await admin()).outbox.list({})).items.find((e) => e.id === held.row.id)).toMatchObject({
      sendable: true,
    });
    expect(await (await admin()).outbox.send({ id: held.row.id })).toMatchObject({ status: 'sent' });
    expect(received().length - before).toBe(1);
  });

  it('a job that finds its email being sent by an admin sends nothing and looks again later', async () => {
    // given an email whose job is waiting to retry (451), claimed by an admin's send in progress
    refusing.set('cho-thu-lai@senvang.example', 451);
    const pending = await email('cho-thu-lai@senvang.example', { through: 'smtp' });
    refusing.delete('cho-thu-lai@senvang.example');
    expect(await jobById(pending.jobId)).toMatchObject({ status: 'pending', attempts: 1 });
    await handle.db
      .update(emailOutbox)
      .set({ status: 'sending', lockedUntil: sql`now() + interval '1 minute'` })
      .where(eq(emailOutbox.id, pending.row.id));
    const before = received().length;

    // when the job's retry comes round
    await handle.db
      .update(jobs)
      .set({ dueAt: sql`now()` })
      .where(eq(jobs.id, pending.jobId));
    await createWorker(handle.db, {
      connectors: defaultConnectors({ email: { db: handle.db, smtpUrl, from: SENDER } }),
    }).tick();

    // then it sent nothing and will look again
    expect(received().length).toBe(before);
    const job = await jobById(pending.jobId);
    expect(job).toMatchObject({ status: 'pending', attempts: 2 });
    expect(job.lastError).toContain('being sent by someone else right now');
    expect(await rowById(pending.row.id)).toMatchObject({ status: 'sending' });

    // once the admin's send is done, the next retry finds the email sent and the process moves on
    await handle.db
      .update(emailOutbox)
      .set({ status: 'sent', sentAt: sql`now()` })
      .where(eq(emailOutbox.id, pending.row.id));
    await handle.db
      .update(jobs)
      .set({ dueAt: sql`now()` })
      .where(eq(jobs.id, pending.jobId));
    await createWorker(handle.db, {
      connectors: defaultConnectors({ email: { db: handle.db, smtpUrl, from: SENDER } }),
    }).tick();
    expect(await jobById(pending.jobId)).toMatchObject({ status: 'done' });
    expect(received().length).toBe(before);
  });
});

describe('the held-mail sweep (TRELLIS_SEND_HELD_MAIL=1)', () => {
  const mailer = () => createMailer({ smtpUrl, from: SENDER });
  const heldIds = async () =>
    (await handle.db.select({ id: emailOutbox.id }).from(emailOutbox).where(eq(emailOutbox.status, 'outbox'))).map(
      (r) => r.id,
    );

  it('leaves young emails to their jobs, then sends the held ones a batch at a time, once each, audited on their instances', async () => {
    const mine = [
      await email('quan.do@senvang.example'),
      await email('lan.nguyen@senvang.example', { from: SENDER }),
      await email('hung.tran@senvang.example'),
    ];
    const before = received().length;

    // younger than the age limit: left alone
    expect(await sendHeldEmails(handle.db, mailer(), { olderThanMs: 60 * 60_000 })).toEqual({
      sent: 0,
      failed: 0,
      handedBack: 0,
    });
    expect(received().length).toBe(before);

    // a batch of two at a time, until none is held
    const held = (await heldIds()).length;
    expect(held).toBeGreaterThanOrEqual(3);
    let total = 0;
    for (let pass = 0; pass < held; pass++) {
      const counts = await sendHeldEmails(handle.db, mailer(), { olderThanMs: 0, limit: 2 });
      expect(counts.sent).toBeLessThanOrEqual(2);
      total += counts.sent;
      if (counts.sent === 0) break;
    }
    expect(total).toBe(held);
    expect(await heldIds()).toEqual([]);
    expect(received().length - before).toBe(held);
    for (const m of mine) {
      expect(received().filter((r) => r.messageId === m.row.messageId)).toHaveLength(1);
      expect(await rowById(m.row.id)).toMatchObject({ status: 'sent', from: SENDER });
      expect(await resent(m.instanceId)).toEqual([
        expect.objectContaining({
          actorId: null,
          data: expect.objectContaining({ by: 'held-mail', previousStatus: 'outbox', status: 'sent' }),
        }),
      ]);
    }
    // nothing is left to send twice
    expect(await sendHeldEmails(handle.db, mailer(), { olderThanMs: 0 })).toEqual({
      sent: 0,
      failed: 0,
      handedBack: 0,
    });
    expect(received().length - before).toBe(held);
    expect((await verifyAudit(handle.db)).problems).toEqual([]);
  });

  it('a server that cannot be reached ends the pass: nothing is lost, the rest are handed back held', async () => {
    const mine = [await email('quan.do@senvang.example'), await email('lan.nguyen@senvang.example')];
    const closed = await new Promise<number>((resolve) => {
      const probe = new SMTPServer({ logger: false });
      probe.listen(0, '127.0.0.1', () => {
        const port = (probe.server.address() as AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    const down = createMailer({ smtpUrl: `smtp://127.0.0.1:${closed}`, from: SENDER });
    expect(await sendHeldEmails(handle.db, down, { olderThanMs: 0 })).toEqual({ sent: 0, failed: 0, handedBack: 1 });
    const rows = await Promise.all(mine.map((m) => rowById(m.row.id)));
    expect(rows.map((r) => r.status)).toEqual(['outbox', 'outbox']);
    expect(rows.filter((r) => r.error?.includes('could not be reached'))).toHaveLength(1);
    // a failure that leaves the email held leaves no row on the trail
    for (const m of mine) expect(await resent(m.instanceId)).toEqual([]);

    // the one tried is tried last next time; both go out when the server is back
    expect(await sendHeldEmails(handle.db, mailer(), { olderThanMs: 0, limit: 1 })).toMatchObject({ sent: 1 });
    const firstSent = (await Promise.all(mine.map((m) => rowById(m.row.id)))).find((r) => r.status === 'sent')!;
    expect(firstSent.error).toBeNull();
    expect(rows.find((r) => r.id === firstSent.id)!.error).toBeNull();
    expect(await sendHeldEmails(handle.db, mailer(), { olderThanMs: 0 })).toMatchObject({ sent: 1 });
    expect(await heldIds()).toEqual([]);
  });

  it('an email with no sender stays held while the server has no TRELLIS_MAIL_FROM', async () => {
    const held = await email('quan.do@senvang.example');
    const before = received().length;
    expect(await sendHeldEmails(handle.db, createMailer({ smtpUrl }), { olderThanMs: 0 })).toEqual({
      sent: 0,
      failed: 0,
      handedBack: 0,
    });
    expect(await rowById(held.row.id)).toMatchObject({ status: 'outbox', lockedUntil: null });
    expect(received().length).toBe(before);
    expect(await sendHeldEmails(handle.db, mailer(), { olderThanMs: 0 })).toMatchObject({ sent: 1 });
  });

  it('the worker loop sends held mail beside its jobs when told to, and hands back what it claimed when it stops', async () => {
    const held = await email('quan.do@senvang.example', { from: SENDER });
    const loop = startWorkerLoop(handle.db, {
      intervalMs: 20,
      heldMail: { smtpUrl, from: SENDER, olderThanMs: 0, everyMs: 50 },
    });
    try {
      await expect
        .poll(async () => (await rowById(held.row.id)).status, { timeout: 10_000, interval: 50 })
        .toBe('sent');
    } finally {
      await loop.stop();
    }
    expect(received().filter((r) => r.messageId === held.row.messageId)).toHaveLength(1);
    const stillClaimed: EmailOutboxRow[] = await handle.db
      .select()
      .from(emailOutbox)
      .where(eq(emailOutbox.status, 'sending'));
    expect(stillClaimed).toEqual([]);
  });
});
