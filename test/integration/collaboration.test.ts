/**
 * Working together on a case (issue 19): comments with @mentions and who may post or be
 * mentioned; the bell's notifications (assigned, mentioned, due tomorrow, overdue), each once, and
 * their e-mails per person's settings; the live inbox signal after a command. Through the routers,
 * on a real database.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { auditEvents, comments, emailOutbox, memberships, notifications, tasks, tenants, users } from '@/db/schema';
import { addComment, listComments } from '@/app/server/services/comments';
import { mayReadInstanceById } from '@/app/server/services/instances';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { notifyDueTasks, sweepNotificationEmails } from '@/app/server/services/notifications';
import {
  databaseStore,
  readAttachment,
  uploadCaseFile,
  type AttachmentLimits,
} from '@/app/server/services/attachments';
import { resolveActor } from '@/app/server/actor';
import { onInboxChange } from '@/app/server/services/inbox-signal';
import { createContextInner } from '@/app/server/trpc/init';
import { createCaller } from '@/app/server/trpc/root';
import { demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

let handle: DatabaseHandle;
let ours: string;
const ADMIN = 'bao.ngo@senvang.example';
const flow = (id: string, source: string, target: string) => ({ id, source, target });

async function idOf(email: string) {
  return (await handle.db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
}
async function as(email: string, locale: 'en' | 'vi' = 'en') {
  return createCaller(await createContextInner({ db: handle.db, userId: await idOf(email), tenantId: ours, locale }));
}
const notificationsOf = async (email: string) =>
  handle.db
    .select({
      kind: notifications.kind,
      key: notifications.key,
      data: notifications.data,
      readAt: notifications.readAt,
    })
    .from(notifications)
    .where(eq(notifications.userId, await idOf(email)));

let taskId: string;
let instanceId: string;

beforeAll(async () => {
  handle = await createTestDatabase();
  ours = await seedDemo(handle.db);
  // A review offered to accounting, then a sign-off assigned by the process to Lan by address.
  await publishProcess(
    handle.db,
    ours,
    {
      definition: {
        formatVersion: 1,
        key: 'review',
        version: 1,
        name: { en: 'Contract review', vi: 'Rà soát hợp đồng' },
        startForm: 'review-start',
        businessKey: 'reference',
        elements: [
          { id: 's', type: 'startEvent' },
          {
            id: 'check',
            type: 'userTask',
            name: { en: 'Check the contract', vi: 'Kiểm tra hợp đồng' },
            formKey: 'review-done',
            candidateGroups: ['accounting'],
          },
          {
            id: 'signOff',
            type: 'userTask',
            name: { en: 'Sign off', vi: 'Ký duyệt' },
            formKey: 'review-done',
            assignee: 'lan.nguyen@senvang.example',
            dueDate: 'due',
          },
          { id: 'e', type: 'endEvent' },
        ],
        flows: [flow('f1', 's', 'check'), flow('f2', 'check', 'signOff'), flow('f3', 'signOff', 'e')],
      },
      forms: [
        {
          key: 'review-start',
          version: 1,
          title: 'Start',
          schema: { type: 'object', properties: { reference: { type: 'string' }, due: { type: 'string' } } },
        },
        {
          key: 'review-done',
          version: 1,
          title: 'Done',
          schema: { type: 'object', properties: { ok: { type: 'boolean' } } },
        },
      ],
    },
    null,
  );
  const started = await (
    await as(demo.ngoc)
  ).instance.start({ definitionKey: 'review', variables: { reference: 'HĐ-2026-07', due: '2020-01-01' } });
  instanceId = started.id;
  taskId = started.taskIds[0]!;
});
afterAll(async () => handle?.close());

describe('comments and mentions', () => {
  it('posts a comment mentioning a colleague of the case, who gets one notification', async () => {
    const hung = await as(demo.hung);
    const people = await hung.collab.mentionable({ taskId });
    // Who may open the case: accounting (offered), the requester, the admin; not IT.
    expect(people.map((p) => p.name)).toEqual(
      expect.arrayContaining(['Nguyễn Thị Lan', 'Bùi Thị Ngọc', 'Ngô Quốc Bảo']),
    );
    expect(people.map((p) => p.name)).not.toContain('Phạm Minh Tuấn');
    const key = '0f3a5c2e-9d1b-4e6a-8c7d-2b1f0e9a8d7c';
    const body = '@Nguyễn Thị Lan chị xem giúp điều khoản thanh toán <img src=x onerror=alert(1)>';
    const first = await hung.collab.comment({ taskId, body, mentions: [await idOf(demo.lan)], idempotencyKey: key });
    const again = await hung.collab.comment({ taskId, body, mentions: [await idOf(demo.lan)], idempotencyKey: key });
    expect(again.id).toBe(first.id);
    expect(await handle.db.select().from(comments).where(eq(comments.instanceId, instanceId))).toHaveLength(1);
    const lan = await as(demo.lan);
    expect(await lan.collab.unread()).toBe(1);
    const bell = await lan.collab.bell();
    expect(bell.items[0]).toMatchObject({
      text: expect.stringContaining('Trần Văn Hùng mentioned you on “Check the contract”: @Nguyễn Thị Lan chị xem'),
      href: `/tasks/${taskId}`,
      unread: true,
    });
    // The requester reads it (she may open her case), as stored: text, not markup.
    const list = await (await as(demo.ngoc)).collab.comments({ instanceId });
    expect(list).toEqual([
      expect.objectContaining({
        body,
        author: 'Trần Văn Hùng',
        mentions: [{ id: await idOf(demo.lan), name: 'Nguyễn Thị Lan' }],
      }),
    ]);
    await lan.collab.markRead({ ids: 'all' });
    expect(await lan.collab.unread()).toBe(0);
  });

  it('offers as mentionable exactly the members who may open the case, filtered by what was typed without accents, at most 20', async () => {
    const hung = await as(demo.hung);
    const everyone = await handle.db
      .select({ id: memberships.userId })
      .from(memberships)
      .where(eq(memberships.tenantId, ours));
    const actorOf = async (id: string) => (await resolveActor(handle.db, id, 'en', ours))!;
    const expected: string[] = [];
    for (const m of everyone)
      if (m.id !== (await idOf(demo.hung)) && (await mayReadInstanceById(handle.db, await actorOf(m.id), instanceId)))
        expected.push(m.id);
    expect((await hung.collab.mentionable({ taskId })).map((p) => p.id).sort()).toEqual(expected.sort());
    // "@lan", "@nguyen th", "@ngoc" without accents; an e-mail's start; nobody for IT's Tuấn, who may not open it.
    expect((await hung.collab.mentionable({ taskId, q: 'lan' })).map((p) => p.name)).toEqual(['Nguyễn Thị Lan']);
    expect((await hung.collab.mentionable({ taskId, q: 'nguyen th' })).map((p) => p.name)).toEqual(['Nguyễn Thị Lan']);
    expect((await hung.collab.mentionable({ taskId, q: 'NGOC' })).map((p) => p.name)).toEqual(['Bùi Thị Ngọc']);
    expect((await hung.collab.mentionable({ taskId, q: 'bao.ngo' })).map((p) => p.name)).toEqual(['Ngô Quốc Bảo']);
    expect(await hung.collab.mentionable({ taskId, q: 'tuan' })).toEqual([]);
    expect(await hung.collab.mentionable({ taskId, q: '%' })).toHaveLength(
      (await hung.collab.mentionable({ taskId })).length,
    );
  });

  it('refuses a mention of someone who cannot open the case, naming them, and posts nothing', async () => {
    const hung = await as(demo.hung, 'vi');
    await expect(
      hung.collab.comment({ taskId, body: '@Phạm Minh Tuấn xem giúp', mentions: [await idOf(demo.tuan)] }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('Phạm Minh Tuấn không mở được hồ sơ này'),
    });
    expect(await handle.db.select().from(comments).where(eq(comments.instanceId, instanceId))).toHaveLength(1);
    expect(await notificationsOf(demo.tuan)).toEqual([]);
  });

  it('refuses empty, oversized, outsiders’ and other companies’ comments', async () => {
    const hung = await as(demo.hung);
    await expect(hung.collab.comment({ taskId, body: '   ' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'Write something before posting the comment.',
    });
    await expect(hung.collab.comment({ taskId, body: 'x'.repeat(4_001) })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('at most 4000 characters'),
    });
    // IT may not open the case at all.
    await expect((await as(demo.tuan)).collab.comment({ taskId, body: 'hello' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect((await as(demo.tuan)).collab.comments({ taskId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // Another company's member sees nothing of ours.
    const [other] = await handle.db.insert(tenants).values({ slug: 'hoa-sen', name: 'Công ty Hoa Sen' }).returning();
    const [stranger] = await handle.db
      .insert(users)
      .values({ email: 'sen@hoasen.example', displayName: 'Lý Văn Sen' })
      .returning();
    await handle.db.insert(memberships).values({ tenantId: other!.id, userId: stranger!.id, role: 'admin' });
    const theirs = createCaller(
      await createContextInner({ db: handle.db, userId: stranger!.id, tenantId: other!.id, locale: 'en' }),
    );
    await expect(theirs.collab.comments({ taskId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(theirs.collab.comment({ instanceId, body: 'hi' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('pages of comments, their audit and their retries', () => {
  it('returns the newest page oldest first, and the page before a comment on asking', async () => {
    const lan = (await resolveActor(handle.db, await idOf(demo.lan), 'en', ours))!;
    const started = await (
      await as(demo.ngoc)
    ).instance.start({ definitionKey: 'review', variables: { reference: 'HĐ-PAGES', due: '2099-01-01' } });
    for (let i = 1; i <= 7; i++) await addComment(handle.db, lan, { instanceId: started.id, body: `ý kiến ${i}` });
    const bodies = (page: { body: string }[]) => page.map((c) => c.body);
    const newest = await listComments(handle.db, lan, { instanceId: started.id, limit: 3 });
    expect(bodies(newest)).toEqual(['ý kiến 5', 'ý kiến 6', 'ý kiến 7']);
    const before = await listComments(handle.db, lan, { instanceId: started.id, limit: 3, before: newest[0]!.id });
    expect(bodies(before)).toEqual(['ý kiến 2', 'ý kiến 3', 'ý kiến 4']);
    expect(
      bodies(await listComments(handle.db, lan, { instanceId: started.id, limit: 3, before: before[0]!.id })),
    ).toEqual(['ý kiến 1']);
    // Through the router too; a comment of another case as the cursor gives nothing of this one.
    expect(
      bodies(await (await as(demo.lan)).collab.comments({ instanceId: started.id, before: newest[0]!.id })),
    ).toEqual(['ý kiến 1', 'ý kiến 2', 'ý kiến 3', 'ý kiến 4']);
    const [elsewhere] = await handle.db
      .select({ id: comments.id })
      .from(comments)
      .where(eq(comments.instanceId, instanceId))
      .limit(1);
    expect(await listComments(handle.db, lan, { instanceId: started.id, before: elsewhere!.id })).toEqual([]);
  });

  it('posts once per idempotency key, and writes each comment into the case’s audit chain', async () => {
    const hung = (await resolveActor(handle.db, await idOf(demo.hung), 'en', ours))!;
    const started = await (
      await as(demo.ngoc)
    ).instance.start({ definitionKey: 'review', variables: { reference: 'HĐ-AUDIT', due: '2099-01-01' } });
    const key = 'comment-7c1d2e3f-retry';
    const first = await addComment(handle.db, hung, {
      taskId: started.taskIds[0]!,
      body: 'đã kiểm tra',
      mentions: [await idOf(demo.lan)],
      idempotencyKey: key,
    });
    const again = await addComment(handle.db, hung, {
      taskId: started.taskIds[0]!,
      body: 'đã kiểm tra',
      mentions: [await idOf(demo.lan)],
      idempotencyKey: key,
    });
    expect(again).toEqual(first);
    expect(await handle.db.select().from(comments).where(eq(comments.instanceId, started.id))).toHaveLength(1);
    const audit = await handle.db
      .select({
        type: auditEvents.type,
        taskId: auditEvents.taskId,
        actorId: auditEvents.actorId,
        data: auditEvents.data,
        hash: auditEvents.hash,
      })
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, started.id), eq(auditEvents.type, 'comment.added')));
    expect(audit).toEqual([
      {
        type: 'comment.added',
        taskId: started.taskIds[0]!,
        actorId: hung.userId,
        data: { commentId: first.id, mentions: [await idOf(demo.lan)] },
        hash: expect.any(String),
      },
    ]);
  });
});

describe('files attached to the case', () => {
  const LIMITS: AttachmentLimits = { fileBytes: 1_024, formBytes: 2_048 };
  const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n');
  const actorOf = async (email: string) => (await resolveActor(handle.db, await idOf(email), 'en', ours))!;

  it('lets whoever may open the case attach a file its readers download; not IT, not auditors, not past the case’s room', async () => {
    const hung = await actorOf(demo.hung);
    const file = await uploadCaseFile(
      handle.db,
      hung,
      { instanceId, name: '<img src=x onerror=alert(1)>.pdf', bytes: PDF },
      LIMITS,
      databaseStore,
    );
    expect(file).toMatchObject({ name: '<img src=x onerror=alert(1)>.pdf', type: 'application/pdf' });
    const listed = await (await as(demo.ngoc)).collab.files({ instanceId });
    expect(listed.files).toEqual([
      expect.objectContaining({ id: file.id, uploadedBy: 'Trần Văn Hùng', viaForm: false }),
    ]);
    expect((await readAttachment(handle.db, await actorOf(demo.lan), file.id, databaseStore)).bytes.length).toBe(
      PDF.length,
    );
    await expect(readAttachment(handle.db, await actorOf(demo.tuan), file.id, databaseStore)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      uploadCaseFile(
        handle.db,
        await actorOf(demo.tuan),
        { instanceId, name: 'x.pdf', bytes: PDF },
        LIMITS,
        databaseStore,
      ),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect((await as(demo.tuan)).collab.files({ instanceId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // ten files at the largest fill the case
    const big = new Uint8Array(1_024);
    big.set(PDF);
    for (let i = 0; i < 9; i++)
      await uploadCaseFile(
        handle.db,
        hung,
        { instanceId, name: `phu-luc-${i}.pdf`, bytes: big },
        LIMITS,
        databaseStore,
      );
    await expect(
      uploadCaseFile(handle.db, hung, { instanceId, name: 'one-more.pdf', bytes: big }, LIMITS, databaseStore),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('more than') });
  });
});

describe('notifications', () => {
  it('tells the person a process assigns a task to, once; not the person who caused it', async () => {
    const hung = await as(demo.hung);
    await hung.task.complete({ id: taskId, data: { ok: true } });
    const lan = await notificationsOf(demo.lan);
    expect(lan.filter((n) => n.kind === 'assigned')).toEqual([
      expect.objectContaining({ data: { task: { en: 'Sign off', vi: 'Ký duyệt' } } }),
    ]);
    expect((await notificationsOf(demo.hung)).filter((n) => n.kind === 'assigned')).toEqual([]);
    const bell = await (await as(demo.lan, 'vi')).collab.bell();
    expect(bell.items.map((i) => i.text)).toContain('Trần Văn Hùng đã giao “Ký duyệt” cho bạn.');
  });

  it('tells an admin’s reassignee, and each reassignment once', async () => {
    const [signOff] = await handle.db
      .select({ id: tasks.id, version: tasks.version })
      .from(tasks)
      .where(and(eq(tasks.instanceId, instanceId), eq(tasks.elementId, 'signOff')));
    const admin = await as(ADMIN);
    await admin.task.reassign({ id: signOff!.id, assigneeId: await idOf(demo.hung) });
    expect((await notificationsOf(demo.hung)).filter((n) => n.kind === 'assigned')).toHaveLength(1);
    await admin.task.reassign({ id: signOff!.id, assigneeId: await idOf(demo.lan) });
    expect((await notificationsOf(demo.lan)).filter((n) => n.kind === 'assigned')).toHaveLength(2);
  });

  it('tells assignees of a task due tomorrow, and of an overdue task once, within a week of its due date, however often the worker looks', async () => {
    // Lan's sign-off was due 2020-01-01 (Vietnam's calendar).
    const at = (day: string) => new Date(`${day}T03:00:00Z`);
    const lans = async (kind: string) => (await notificationsOf(demo.lan)).filter((n) => n.kind === kind);
    await notifyDueTasks(handle.db, at('2020-01-20'));
    expect(await lans('overdue')).toHaveLength(0); // long overdue: not announced now (the inbox shows it)
    await notifyDueTasks(handle.db, at('2020-01-01'));
    expect(await lans('overdue')).toHaveLength(0); // due today: not overdue yet
    await notifyDueTasks(handle.db, at('2019-12-31'));
    expect(await lans('due-tomorrow')).toHaveLength(1);
    // no worker ran on the 2nd: the notice still comes on the 4th, once
    expect(await notifyDueTasks(handle.db, at('2020-01-04'))).toBeGreaterThanOrEqual(1);
    await notifyDueTasks(handle.db, at('2020-01-04'));
    await notifyDueTasks(handle.db, at('2020-01-05'));
    expect(await lans('overdue')).toHaveLength(1);
  });

  it('e-mails notifications once, except the kinds a person turned off', async () => {
    const lan = await as(demo.lan);
    const settings = await lan.collab.notificationSettings();
    expect(settings).toContainEqual({ kind: 'overdue', app: true, email: true });
    await lan.collab.setNotificationSettings({
      settings: settings.map((s) => (s.kind === 'overdue' ? { ...s, email: false, app: false } : s)),
    });
    await handle.db.delete(emailOutbox);
    await sweepNotificationEmails(handle.db, 'https://trellis.example');
    await sweepNotificationEmails(handle.db, 'https://trellis.example');
    const mail = await handle.db
      .select({ to: emailOutbox.to, subject: emailOutbox.subject, body: emailOutbox.body })
      .from(emailOutbox);
    const lans = mail.filter((m) => m.to.some((to) => to.includes('lan.nguyen')));
    expect(lans.length).toBeGreaterThanOrEqual(2); // mentioned, assigned (twice), not overdue
    expect(lans.some((m) => m.subject.includes('quá hạn') || m.subject.includes('overdue'))).toBe(false);
    expect(lans.some((m) => m.body.includes(`https://trellis.example/tasks/${taskId}`))).toBe(true);
    // The bell leaves out what she turned off in the app.
    expect((await lan.collab.bell()).items.some((i) => i.text.includes('overdue'))).toBe(false);
  });

  it('notifies and e-mails nobody who has left the company', async () => {
    // A sign-off left with someone who is no longer a member (of this company: Sen is Hoa Sen's).
    const started = await (
      await as(demo.ngoc)
    ).instance.start({ definitionKey: 'review', variables: { reference: 'HĐ-LEFT', due: '2021-03-01' } });
    await (await as(demo.hung)).task.complete({ id: started.taskIds[0]!, data: { ok: true } });
    const [sen] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, 'sen@hoasen.example'));
    await handle.db
      .update(tasks)
      .set({ assigneeId: sen!.id })
      .where(and(eq(tasks.instanceId, started.id), eq(tasks.elementId, 'signOff')));
    await notifyDueTasks(handle.db, new Date('2021-03-02T03:00:00Z'));
    expect(await handle.db.select().from(notifications).where(eq(notifications.userId, sen!.id))).toEqual([]);
    // A notification written while they were a member is marked handled, and not e-mailed.
    const [row] = await handle.db
      .insert(notifications)
      .values({
        tenantId: ours,
        userId: sen!.id,
        kind: 'mentioned',
        key: 'mention:left',
        data: { excerpt: 'xin chào' },
      })
      .returning({ id: notifications.id });
    await handle.db.delete(emailOutbox);
    await sweepNotificationEmails(handle.db, 'https://trellis.example', 500);
    const mail = await handle.db.select({ to: emailOutbox.to }).from(emailOutbox);
    expect(mail.some((m) => m.to.some((to) => to.includes('hoasen')))).toBe(false);
    expect(
      (
        await handle.db
          .select({ emailedAt: notifications.emailedAt })
          .from(notifications)
          .where(eq(notifications.id, row!.id))
      )[0]!.emailedAt,
    ).toBeInstanceOf(Date);
  });
});

describe('live inboxes', () => {
  it('signals the company after a command that succeeded, and only that company', async () => {
    let ourEvents = 0;
    let otherEvents = 0;
    const stop = onInboxChange(ours, () => ourEvents++);
    const stopOther = onInboxChange('00000000-0000-0000-0000-000000000001', () => otherEvents++);
    const started = await (
      await as(demo.ngoc)
    ).instance.start({ definitionKey: 'review', variables: { reference: 'HĐ-LIVE', due: '2099-01-01' } });
    await (await as(demo.hung)).task.claim({ id: started.taskIds[0]! });
    await (await as(demo.tuan)).task.claim({ id: started.taskIds[0]! }).catch(() => null); // refused: no signal
    stop();
    stopOther();
    expect(ourEvents).toBe(2);
    expect(otherEvents).toBe(0);
  });
});
