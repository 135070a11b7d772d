/**
 * System email (PGlite, and PostgreSQL when DATABASE_URL is set): account mail and invitations go
 * through the outbox with no job or instance; a tenant's show in its admin outbox, account mail
 * in none; with an SMTP server (a real one on 127.0.0.1) they are sent once.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { emailOutbox } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { callerFor } from '@/test/support/callers';
import { createTestDatabase } from '@/test/support/database';
import { startTestSmtp, type TestSmtp } from '@/test/support/smtp';
import { queueSystemEmail, sendSystemEmail } from './system-mail';

const ADMIN = 'bao.ngo@senvang.example';
let handle: DatabaseHandle;
let tenantId: string;
let smtp: TestSmtp;

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  smtp = await startTestSmtp();
});
afterAll(async () => {
  await handle?.close();
  await smtp?.close();
});

describe('queueSystemEmail', () => {
  it('holds account mail with no tenant, job or instance, and no admin sees it', async () => {
    // when
    const { id } = await queueSystemEmail(handle.db, {
      tenantId: null,
      to: 'Nguyễn Thị Hà <ha.nguyen@example.vn>',
      subject: 'Đặt lại mật khẩu',
      text: 'Mở liên kết: https://trellis.example/reset-password?token=abc',
    });
    // then
    const [row] = await handle.db.select().from(emailOutbox).where(eq(emailOutbox.id, id));
    expect(row).toMatchObject({
      tenantId: null,
      jobId: null,
      instanceId: null,
      elementId: null,
      status: 'outbox',
      subject: 'Đặt lại mật khẩu',
      to: ['Nguyễn Thị Hà <ha.nguyen@example.vn>'],
    });
    const admin = await callerFor(handle.db, ADMIN);
    const listed = await admin.outbox.list({});
    expect(listed.items.map((e) => e.id)).not.toContain(id);
  });

  it("lists a tenant's system email in that company's outbox, without a process", async () => {
    const { id } = await queueSystemEmail(handle.db, {
      tenantId,
      to: 'minh.le@example.vn',
      subject: 'Invitation to Sen Vàng',
      text: 'Join us.',
    });
    const admin = await callerFor(handle.db, ADMIN);
    const listed = await admin.outbox.list({});
    const email = listed.items.find((e) => e.id === id);
    expect(email).toMatchObject({
      status: 'outbox',
      instanceId: null,
      processName: null,
      subject: 'Invitation to Sen Vàng',
    });
  });

  it('refuses a recipient that is not one address, and records nothing', async () => {
    const before = await handle.db.$count(emailOutbox);
    await expect(
      queueSystemEmail(handle.db, { tenantId: null, to: 'a@example.vn, b@example.vn', subject: 'x', text: 'y' }),
    ).rejects.toThrow(/recipient must be one address/);
    expect(await handle.db.$count(emailOutbox)).toBe(before);
  });

  it('a row with a job but no instance is refused by the database', async () => {
    await expect(
      handle.db.insert(emailOutbox).values({
        tenantId: null,
        elementId: 'x',
        to: ['a@example.vn'],
        subject: 's',
        body: 'b',
        messageId: '<m@example.vn>',
      }),
    ).rejects.toThrow();
  });
});

describe('sendSystemEmail', () => {
  it('holds the email when no SMTP server is configured', async () => {
    const { id } = await queueSystemEmail(handle.db, {
      tenantId: null,
      to: 'ha@example.vn',
      subject: 'Held',
      text: 'x',
    });
    expect(await sendSystemEmail(handle.db, id, {})).toBe('outbox');
  });

  it('sends it once through the SMTP server, with the server sender', async () => {
    const { id } = await queueSystemEmail(handle.db, {
      tenantId: null,
      to: 'ha@example.vn',
      subject: 'Mật khẩu',
      text: 'Liên kết đặt lại',
    });
    const settings = { smtpUrl: smtp.url, from: 'Trellis <no-reply@trellis.example>' };
    // when: sent twice
    const first = await sendSystemEmail(handle.db, id, settings);
    const second = await sendSystemEmail(handle.db, id, settings);
    // then: one email arrived
    expect([first, second]).toEqual(['sent', 'outbox']);
    const arrived = smtp.received.filter((m) => m.raw.includes(`<${id}@example.vn>`));
    expect(arrived).toHaveLength(1);
    expect(arrived[0]!.recipients).toEqual(['ha@example.vn']);
    const [row] = await handle.db.select().from(emailOutbox).where(eq(emailOutbox.id, id));
    expect(row).toMatchObject({ status: 'sent', from: 'Trellis <no-reply@trellis.example>' });
  });
});
