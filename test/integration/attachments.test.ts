/**
 * Files on forms, on the embedded database (and on PostgreSQL when DATABASE_URL is set): an
 * expense claim made in the form designer (a table of lines, each with a receipt file, and a total
 * worked out from them) on a user task. A receipt is typed by its bytes, not its name; refused past
 * the limits per file and per form, and when it is no file Trellis keeps; uploaded only for a task
 * the uploader may work or a process they may start. A submission's references are checked (the
 * uploader's own, for this very form) and rewritten from what was stored; the file then belongs to
 * the instance: its readers download it, the manager who approves included; a colleague with no
 * part in it is refused, and another company does not find it. The same through a folder store.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TRPCError } from '@trpc/server';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { attachments, memberships, tasks, tenants, users } from '@/db/schema';
import { resolveActor, type Actor } from '@/app/server/actor';
import { AppError } from '@/app/server/errors';
import { seedDemo } from '@/app/server/seed';
import {
  cleanFileName,
  databaseStore,
  folderStore,
  readAttachment,
  removeAttachment,
  sniffMediaType,
  uploadAttachment,
  type AttachmentLimits,
} from '@/app/server/services/attachments';
import { contentDisposition } from '@/app/server/attachment-http';
import { newField } from '@/engine/forms/authoring';
import { expenseClaim } from '@/engine/forms/fixtures/expense-claim';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

const DESIGNER = 'trang.hoang@senvang.example';
const LIMITS: AttachmentLimits = { fileBytes: 64 * 1024, formBytes: 100 * 1024 };
const PDF = new TextEncoder().encode('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n');
const PNG = Uint8Array.from([
  0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 6, 0,
  0, 0, 0x1f, 0x15, 0xc4, 0x89,
]);
const EXE = Uint8Array.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0, ...new Array(64).fill(0)]);

let handle: DatabaseHandle;
let tenantId: string;
const actorOf = async (email: string, locale: 'en' | 'vi' = 'en', tenant?: string): Promise<Actor> => {
  const [user] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, email));
  return (await resolveActor(handle.db, user!.id, locale, tenant))!;
};
const failure = async (call: Promise<unknown>) => {
  const error = await call.then(
    () => expect.fail('the call succeeded'),
    (e: unknown) => e,
  );
  if (error instanceof AppError)
    return { code: error.code, message: error.message, status: error.details?.httpStatus, fields: error.fields };
  if (error instanceof TRPCError)
    return {
      code: error.code,
      message: error.message,
      status: undefined,
      fields: (error.cause as AppError | undefined)?.fields,
    };
  throw error;
};

/** start → Ngọc fills the claim (her task) → her manager approves → end. */
const claimProcess = {
  formatVersion: 1,
  key: 'expense-claim-process',
  version: 1,
  name: 'Expense claim',
  elements: [
    { id: 'start', type: 'startEvent' },
    { id: 'fill', type: 'userTask', name: 'Fill in the claim', assignee: '=initiator.email', formKey: 'expense-claim' },
    {
      id: 'approve',
      type: 'userTask',
      name: 'Approve the claim',
      assignee: '=initiator.manager',
      formKey: 'invoice-decision',
    },
    { id: 'end', type: 'endEvent' },
  ],
  flows: [
    { id: 'f1', source: 'start', target: 'fill' },
    { id: 'f2', source: 'fill', target: 'approve' },
    { id: 'f3', source: 'approve', target: 'end' },
  ],
};

let fillTask: string;
let instanceId: string;

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  const designer = await callerFor(handle.db, DESIGNER);
  await designer.form.publish({ design: expenseClaim() as never, baseVersion: null });
  await designer.definition.publish({ definition: claimProcess } as never);
  const started = await (
    await callerFor(handle.db, demo.ngoc)
  ).instance.start({ definitionKey: claimProcess.key, variables: {} });
  instanceId = started.id;
  fillTask = started.taskIds[0]!;
});
afterAll(async () => handle?.close());

describe('uploading a file for a form', () => {
  it('types the file by its bytes, not its name, and keeps a clean name', async () => {
    const ngoc = await actorOf(demo.ngoc);
    const pdf = await uploadAttachment(
      handle.db,
      ngoc,
      { taskId: fillTask, name: 'C:\\Users\\ngoc\\Hóa đơn taxi.pdf', bytes: PDF },
      LIMITS,
      databaseStore,
    );
    expect(pdf).toMatchObject({ name: 'Hóa đơn taxi.pdf', size: PDF.length, type: 'application/pdf' });
    const png = await uploadAttachment(
      handle.db,
      ngoc,
      { taskId: fillTask, name: '../../receipt.pdf', bytes: PNG },
      LIMITS,
      databaseStore,
    );
    expect(png).toMatchObject({ name: 'receipt.pdf', type: 'image/png' });
    expect(await sniffMediaType(new TextEncoder().encode('Ngày,Số tiền\n2026-12-01,75.000\n'))).toBe('text/plain');
    expect(cleanFileName('a\u0000b\u202e.txt\n')).toBe('ab.txt');
    const [row] = await handle.db.select().from(attachments).where(eq(attachments.id, pdf.id));
    expect(row).toMatchObject({
      tenantId,
      taskId: fillTask,
      instanceId: null,
      storage: 'database',
      mediaType: 'application/pdf',
    });
    expect(row!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(Buffer.from(row!.content!).equals(Buffer.from(PDF))).toBe(true);
  });

  it('refuses a program dressed as a PDF, an empty file, a file past the limit and a form past its total, in the caller’s language', async () => {
    const vi = await actorOf(demo.ngoc, 'vi');
    const exe = await failure(
      uploadAttachment(handle.db, vi, { taskId: fillTask, name: 'hoa-don.pdf', bytes: EXE }, LIMITS, databaseStore),
    );
    expect(exe).toMatchObject({ code: 'BAD_REQUEST', status: 415 });
    expect(exe.message).toBe(
      'Tệp "hoa-don.pdf" là application/x-msdownload, loại tệp Trellis không lưu; hãy tải lên PDF, hình ảnh, tài liệu văn phòng, văn bản hoặc tệp zip.',
    );
    expect(
      (
        await failure(
          uploadAttachment(
            handle.db,
            vi,
            { taskId: fillTask, name: 'rong.pdf', bytes: new Uint8Array() },
            LIMITS,
            databaseStore,
          ),
        )
      ).message,
    ).toBe('Tệp "rong.pdf" trống.');
    const big = new Uint8Array(LIMITS.fileBytes + 1).fill(0x41);
    expect(
      await failure(
        uploadAttachment(handle.db, vi, { taskId: fillTask, name: 'lon.txt', bytes: big }, LIMITS, databaseStore),
      ),
    ).toMatchObject({ status: 413, message: expect.stringContaining('lớn hơn 64 KiB') });
    const en = await actorOf(demo.ngoc);
    const before = (await handle.db.select().from(attachments)).length;
    const chunk = new Uint8Array(60 * 1024).fill(0x42);
    await uploadAttachment(handle.db, en, { taskId: fillTask, name: 'one.txt', bytes: chunk }, LIMITS, databaseStore);
    expect(
      await failure(
        uploadAttachment(handle.db, en, { taskId: fillTask, name: 'two.txt', bytes: chunk }, LIMITS, databaseStore),
      ),
    ).toMatchObject({ status: 413, message: expect.stringContaining('more than 100 KiB together') });
    expect((await handle.db.select().from(attachments)).length).toBe(before + 1);
  });

  it('fits the form’s room even when two uploads race for the last of it', async () => {
    const started = await (
      await callerFor(handle.db, demo.ngoc)
    ).instance.start({ definitionKey: claimProcess.key, variables: {} });
    const chunk = new Uint8Array(60 * 1024).fill(0x43);
    const ngoc = await actorOf(demo.ngoc);
    const results = await Promise.allSettled(
      [1, 2].map((n) =>
        uploadAttachment(
          handle.db,
          ngoc,
          { taskId: started.taskIds[0]!, name: `race-${n}.txt`, bytes: chunk },
          LIMITS,
          databaseStore,
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(
      ((results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as AppError).details,
    ).toEqual({ httpStatus: 413 });
  });

  it('is only for a task the uploader may work, or a process they may start', async () => {
    expect(
      (
        await failure(
          uploadAttachment(
            handle.db,
            await actorOf(demo.hung),
            { taskId: fillTask, name: 'x.pdf', bytes: PDF },
            LIMITS,
            databaseStore,
          ),
        )
      ).code,
    ).toBe('FORBIDDEN');
    expect(
      (
        await failure(
          uploadAttachment(
            handle.db,
            await actorOf(demo.ngoc),
            { taskId: '00000000-0000-4000-8000-000000000000', name: 'x.pdf', bytes: PDF },
            LIMITS,
            databaseStore,
          ),
        )
      ).code,
    ).toBe('NOT_FOUND');
    expect(
      (
        await failure(
          uploadAttachment(handle.db, await actorOf(demo.ngoc), { name: 'x.pdf', bytes: PDF }, LIMITS, databaseStore),
        )
      ).code,
    ).toBe('BAD_REQUEST');
    expect(
      (
        await failure(
          uploadAttachment(
            handle.db,
            await actorOf(demo.ngoc),
            { definitionKey: 'khong-co', name: 'x.pdf', bytes: PDF },
            LIMITS,
            databaseStore,
          ),
        )
      ).code,
    ).toBe('NOT_FOUND');
    // a form without a file field takes no files: the claim's start (no start form)
    expect(
      await failure(
        uploadAttachment(
          handle.db,
          await actorOf(demo.ngoc),
          { definitionKey: claimProcess.key, name: 'x.pdf', bytes: PDF },
          LIMITS,
          databaseStore,
        ),
      ),
    ).toMatchObject({
      code: 'BAD_REQUEST',
      message: 'The form of "expense-claim-process" has no file field, so it takes no files.',
    });
  });
});

describe('sending files with a form, and who may download them', () => {
  it('refuses a reference to a file that is someone else’s, for another form, or none at all; nothing is written', async () => {
    const ngoc = await callerFor(handle.db, demo.ngoc);
    // her own upload, but for the same form on another claim
    const second = await ngoc.instance.start({ definitionKey: claimProcess.key, variables: {} });
    const otherFile = await uploadAttachment(
      handle.db,
      await actorOf(demo.ngoc),
      { taskId: second.taskIds[0]!, name: 'other.pdf', bytes: PDF },
      LIMITS,
      databaseStore,
    );
    const line = (receipt: unknown) => ({
      employee: demo.ngoc,
      lines: [{ date: '2026-12-01', category: 'travel', amount: 350_000, receipt }],
      total: 350_000,
    });
    const other = await failure(ngoc.task.complete({ id: fillTask, data: line(otherFile) }));
    expect(other.code).toBe('BAD_REQUEST');
    expect(other.message).toContain('The file in "Expense lines" was uploaded by someone else or for another form');
    const none = await failure(
      ngoc.task.complete({ id: fillTask, data: line({ id: '00000000-0000-4000-8000-000000000001', name: 'x.pdf' }) }),
    );
    expect(none.message).toContain('The file in "Expense lines" was not found');
    // more file references than a form may send: refused before any is looked up
    const many = Array.from({ length: 1_001 }, (_, i) => ({
      date: '2026-12-01',
      amount: 1,
      receipt: { id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, name: 'x.pdf' },
    }));
    expect(
      (await failure(ngoc.task.complete({ id: fillTask, data: { employee: demo.ngoc, lines: many } }))).message,
    ).toContain('more than 1000 files');
    const [task] = await handle.db.select().from(tasks).where(eq(tasks.id, fillTask));
    expect(task!.status).toBe('open');
  });

  it('checks and rewrites the references, works out the total, and links the files to the instance', async () => {
    const ngoc = await actorOf(demo.ngoc);
    const taxi = await uploadAttachment(
      handle.db,
      ngoc,
      { taskId: fillTask, name: 'Hóa đơn taxi.pdf', bytes: PDF },
      LIMITS,
      databaseStore,
    );
    const hotel = await uploadAttachment(
      handle.db,
      ngoc,
      { taskId: fillTask, name: 'khách sạn.png', bytes: PNG },
      LIMITS,
      databaseStore,
    );
    const caller = await callerFor(handle.db, demo.ngoc, 'vi');
    const lines = [
      {
        date: '2026-12-01',
        category: 'travel',
        amount: 350_000,
        receipt: { ...taxi, name: 'forged.exe', size: 1, type: 'text/html' },
      },
      { date: '2026-12-02', category: 'meals', amount: 11_000_000, receipt: hotel },
    ];
    // Above 10,000,000 ₫ the reason is asked for: the server works the total out, whatever was sent.
    const refused = await failure(
      caller.task.complete({ id: fillTask, data: { employee: demo.ngoc, lines, total: 1 } }),
    );
    expect(refused.message).toContain('Lý do ngoại lệ');
    await caller.task.complete({
      id: fillTask,
      data: { employee: demo.ngoc, lines, total: 1, reason: 'Hội nghị khách hàng ở Đà Nẵng' },
    });
    const [done] = await handle.db.select().from(tasks).where(eq(tasks.id, fillTask));
    const data = done!.data as { total: number; lines: { receipt: { name: string; size: number; type: string } }[] };
    expect(data.total).toBe(11_350_000);
    expect(data.lines[0]!.receipt).toEqual({
      id: taxi.id,
      name: 'Hóa đơn taxi.pdf',
      size: PDF.length,
      type: 'application/pdf',
    });
    const linked = await handle.db
      .select({ id: attachments.id, instanceId: attachments.instanceId })
      .from(attachments)
      .where(and(eq(attachments.tenantId, tenantId), eq(attachments.instanceId, instanceId)));
    expect(linked.map((l) => l.id).sort()).toEqual([taxi.id, hotel.id].sort());
    // A linked file is no longer its uploader's to remove.
    expect((await failure(removeAttachment(handle.db, ngoc, taxi.id))).code).toBe('NOT_FOUND');
  });

  it('downloads to the instance’s readers — the approving manager, the initiator, an admin — not to a colleague with no part in it, and not to another company', async () => {
    const [file] = await handle.db
      .select()
      .from(attachments)
      .where(and(eq(attachments.instanceId, instanceId), eq(attachments.name, 'Hóa đơn taxi.pdf')));
    for (const reader of [demo.quan, demo.ngoc, 'bao.ngo@senvang.example']) {
      const got = await readAttachment(handle.db, await actorOf(reader), file!.id, databaseStore);
      expect(got).toMatchObject({ name: 'Hóa đơn taxi.pdf', mediaType: 'application/pdf', size: PDF.length });
      expect(Buffer.from(got.bytes).equals(Buffer.from(PDF))).toBe(true);
    }
    expect(
      await failure(readAttachment(handle.db, await actorOf(demo.lan, 'vi'), file!.id, databaseStore)),
    ).toMatchObject({
      code: 'FORBIDDEN',
      message: `Bạn không được xem tệp "${file!.id}": nó thuộc một quy trình bạn không được đọc.`,
    });
    const [other] = await handle.db
      .insert(tenants)
      .values({ slug: 'hoa-sen-files', name: 'Công ty Hoa Sen' })
      .returning();
    const [boss] = await handle.db
      .insert(users)
      .values({ email: 'hoa@hoasen-files.example', displayName: 'Trần Thị Hoa' })
      .returning();
    await handle.db.insert(memberships).values({ tenantId: other!.id, userId: boss!.id, role: 'admin' });
    const theirs = (await resolveActor(handle.db, boss!.id, 'en', other!.id))!;
    expect(await failure(readAttachment(handle.db, theirs, file!.id, databaseStore))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect((await failure(readAttachment(handle.db, theirs, 'not-a-uuid', databaseStore))).code).toBe('NOT_FOUND');
  });

  it('an unsent file is its uploader’s alone, and theirs to remove', async () => {
    const started = await (
      await callerFor(handle.db, demo.ngoc)
    ).instance.start({ definitionKey: claimProcess.key, variables: {} });
    const file = await uploadAttachment(
      handle.db,
      await actorOf(demo.ngoc),
      { taskId: started.taskIds[0]!, name: 'draft.pdf', bytes: PDF },
      LIMITS,
      databaseStore,
    );
    expect((await failure(readAttachment(handle.db, await actorOf(demo.quan), file.id, databaseStore))).code).toBe(
      'FORBIDDEN',
    );
    expect((await failure(removeAttachment(handle.db, await actorOf(demo.quan), file.id))).code).toBe('NOT_FOUND');
    await removeAttachment(handle.db, await actorOf(demo.ngoc), file.id);
    expect((await failure(readAttachment(handle.db, await actorOf(demo.ngoc), file.id, databaseStore))).code).toBe(
      'NOT_FOUND',
    );
  });
});

describe('a file on a start form', () => {
  it('is uploaded for the process, sent with the start, and linked to the new instance; another person cannot send it', async () => {
    const designer = await callerFor(handle.db, DESIGNER);
    const form = {
      key: 'contract-start',
      version: 1,
      title: { en: 'Contract', vi: 'Hợp đồng' },
      fields: [
        { ...newField('text', 'vendor', { en: 'Vendor', vi: 'Nhà cung cấp' }), required: true },
        { ...newField('file', 'contract', { en: 'Signed contract', vi: 'Hợp đồng đã ký' }), required: true },
      ],
    };
    await designer.form.publish({ design: form as never, baseVersion: null });
    await designer.definition.publish({
      definition: {
        formatVersion: 1,
        key: 'contract-review',
        version: 1,
        name: 'Contract review',
        startForm: 'contract-start',
        elements: [
          { id: 'start', type: 'startEvent' },
          { id: 'review', type: 'userTask', candidateGroups: ['accounting'], formKey: 'invoice-decision' },
          { id: 'end', type: 'endEvent' },
        ],
        flows: [
          { id: 'f1', source: 'start', target: 'review' },
          { id: 'f2', source: 'review', target: 'end' },
        ],
      },
    } as never);
    const file = await uploadAttachment(
      handle.db,
      await actorOf(demo.ngoc),
      { definitionKey: 'contract-review', name: 'Hợp đồng Minh Phát.pdf', bytes: PDF },
      LIMITS,
      databaseStore,
    );
    // Hưng may start it too, but not with Ngọc's file
    const stolen = await failure(
      (await callerFor(handle.db, demo.hung)).instance.start({
        definitionKey: 'contract-review',
        variables: { vendor: 'Minh Phát', contract: file },
      }),
    );
    expect(stolen.message).toContain('The file in "Signed contract" was uploaded by someone else or for another form');
    const started = await (
      await callerFor(handle.db, demo.ngoc)
    ).instance.start({
      definitionKey: 'contract-review',
      variables: { vendor: 'Minh Phát', contract: { ...file, name: 'renamed.exe' } },
    });
    const [row] = await handle.db.select().from(attachments).where(eq(attachments.id, file.id));
    expect(row!.instanceId).toBe(started.id);
    // the accountant the review is offered to reads it; the same reference cannot start a second instance
    expect((await readAttachment(handle.db, await actorOf(demo.hung), file.id, databaseStore)).name).toBe(
      'Hợp đồng Minh Phát.pdf',
    );
    expect(
      (
        await failure(
          (await callerFor(handle.db, demo.ngoc)).instance.start({
            definitionKey: 'contract-review',
            variables: { vendor: 'Minh Phát', contract: file },
          }),
        )
      ).code,
    ).toBe('BAD_REQUEST');
  });
});

describe('the folder store and the download’s headers', () => {
  it('keeps the bytes in the folder, named by the id, and reads them back', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'trellis-files-'));
    try {
      const started = await (
        await callerFor(handle.db, demo.ngoc)
      ).instance.start({ definitionKey: claimProcess.key, variables: {} });
      const store = folderStore(dir);
      const ref = await uploadAttachment(
        handle.db,
        await actorOf(demo.ngoc),
        { taskId: started.taskIds[0]!, name: 'biên lai.pdf', bytes: PDF },
        LIMITS,
        store,
      );
      expect(await readdir(dir)).toEqual([ref.id]);
      const [row] = await handle.db.select().from(attachments).where(eq(attachments.id, ref.id));
      expect(row).toMatchObject({ storage: 'folder', content: null });
      expect(
        Buffer.from((await readAttachment(handle.db, await actorOf(demo.ngoc), ref.id, store)).bytes).equals(
          Buffer.from(PDF),
        ),
      ).toBe(true);
      // read from the folder it was kept in, whatever the store is now: without the folder configured, a clear 503
      expect((await failure(readAttachment(handle.db, await actorOf(demo.ngoc), ref.id, databaseStore))).code).toBe(
        'SERVICE_UNAVAILABLE',
      );
      // a refused upload leaves nothing in the folder; a removed file's bytes go with it
      await failure(
        uploadAttachment(
          handle.db,
          await actorOf(demo.hung),
          { taskId: started.taskIds[0]!, name: 'not-his.pdf', bytes: PDF },
          LIMITS,
          store,
        ),
      );
      expect(await readdir(dir)).toEqual([ref.id]);
      await removeAttachment(handle.db, await actorOf(demo.ngoc), ref.id, store);
      expect(await readdir(dir)).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('names a Vietnamese file exactly, with an ASCII stand-in, and nothing a header could be split by', () => {
    expect(contentDisposition('Hóa đơn "taxi"; tháng 12.pdf')).toBe(
      `attachment; filename="Hoa don _taxi__ thang 12.pdf"; filename*=UTF-8''H%C3%B3a%20%C4%91%C6%A1n%20%22taxi%22%3B%20th%C3%A1ng%2012.pdf`,
    );
  });
});
