/**
 * The form designer's server side, on the embedded database (and on PostgreSQL when DATABASE_URL
 * is set): a company's form opens as the designer's model and publishes again as the next version,
 * rendering as it did; a form built in the designer (an expense claim with a table of lines and a
 * reason asked for only above 10,000,000 ₫) publishes as version 1 and checks submissions as
 * designed; a publish over a version that moved, a key taken, a broken or oversized design are
 * refused in the caller's language, naming the field, and nothing is written.
 */
import { TRPCError } from '@trpc/server';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { forms } from '@/db/schema';
import { formatDateTime } from '@/app/_i18n/format';
import { validateSubmission } from '@/app/server/forms';
import { seedDemo } from '@/app/server/seed';
import { newField } from '@/engine/forms/authoring';
import { expenseClaim } from '@/engine/forms/fixtures/expense-claim';
import { localizeFormSchema, type FormDefinition } from '@/engine/forms/form';
import { callerFor } from '../support/callers';
import { createTestDatabase } from '../support/database';

const DESIGNER = 'trang.hoang@senvang.example';

let handle: DatabaseHandle;
let tenantId: string;
const as = (email: string, locale: 'en' | 'vi' = 'en') => callerFor(handle.db, email, locale);
const versions = async (key: string) =>
  (
    await handle.db
      .select()
      .from(forms)
      .where(and(eq(forms.tenantId, tenantId), eq(forms.key, key)))
  )
    .map((r) => r.version)
    .sort();
const refusal = async (call: Promise<unknown>) => {
  const error = await call.then(
    () => expect.fail('the call succeeded'),
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCError)) throw error;
  return { code: error.code, message: error.message };
};

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
});
afterAll(async () => handle?.close());

describe('a form of the company, in the designer', () => {
  it('opens as the model and publishes as the next version, rendering as before in both languages', async () => {
    const designer = await as(DESIGNER);
    const opened = await designer.form.design({ key: 'invoice-submission' });
    expect(opened.design.fields.map((f) => f.kind)).toEqual(['text', 'text', 'money', 'select', 'date', 'longText']);
    const before = (
      await handle.db
        .select()
        .from(forms)
        .where(and(eq(forms.tenantId, tenantId), eq(forms.key, 'invoice-submission')))
    )[0]!;
    const published = await designer.form.publish({ design: opened.design, baseVersion: opened.version });
    expect(published).toEqual({ key: 'invoice-submission', version: opened.version! + 1 });
    const after = (
      await handle.db
        .select()
        .from(forms)
        .where(
          and(eq(forms.tenantId, tenantId), eq(forms.key, 'invoice-submission'), eq(forms.version, published.version)),
        )
    )[0]!;
    for (const locale of ['en', 'vi']) {
      const sorted = (f: { schema: unknown; i18n: unknown }) =>
        JSON.parse(
          JSON.stringify(localizeFormSchema(f as FormDefinition, locale), (k, v: unknown) =>
            k === 'required' && Array.isArray(v) ? [...v].sort() : v,
          ),
        );
      expect(sorted(after)).toEqual(sorted(before));
    }
  });

  it('over a version that moved since it was opened is a conflict naming the version now there, in the caller’s language; nothing is written', async () => {
    const designer = await as(DESIGNER, 'vi');
    const opened = await designer.form.design({ key: 'invoice-decision' });
    await designer.form.publish({ design: opened.design, baseVersion: opened.version });
    const had = await versions('invoice-decision');
    const latest = (
      await handle.db
        .select()
        .from(forms)
        .where(
          and(eq(forms.tenantId, tenantId), eq(forms.key, 'invoice-decision'), eq(forms.version, opened.version! + 1)),
        )
    )[0]!;
    expect(await refusal(designer.form.publish({ design: opened.design, baseVersion: opened.version }))).toEqual({
      code: 'CONFLICT',
      message: `Biểu mẫu “invoice-decision” nay đã ở phiên bản ${opened.version! + 1} (xuất bản ${formatDateTime(latest.publishedAt, 'vi')}); hãy mở lại để xuất bản tiếp trên đó.`,
    });
    expect(await versions('invoice-decision')).toEqual(had);
    // a form the company does not have does not open
    expect(await refusal(designer.form.design({ key: 'khong-co' }))).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Công ty không có biểu mẫu “khong-co”.',
    });
  });
});

describe('a form built in the designer', () => {
  it('publishes as version 1, and the server asks for the reason only above 10,000,000 ₫', async () => {
    const designer = await as(DESIGNER);
    expect(await designer.form.publish({ design: expenseClaim(), baseVersion: null })).toEqual({
      key: 'expense-claim',
      version: 1,
    });
    // the same key again, as a new form: taken
    expect(await refusal(designer.form.publish({ design: expenseClaim(), baseVersion: null }))).toMatchObject({
      code: 'CONFLICT',
      message: 'The company already has a form “expense-claim”; open it instead.',
    });
    const row = (
      await handle.db
        .select()
        .from(forms)
        .where(and(eq(forms.tenantId, tenantId), eq(forms.key, 'expense-claim')))
    )[0]!;
    const lines = [{ date: '2026-12-01', category: 'travel', amount: 12_000_000 }];
    expect(() =>
      validateSubmission(row, { employee: 'lan.nguyen@senvang.example', lines, total: 12_000_000 }, 'vi'),
    ).toThrow('Lý do ngoại lệ là trường bắt buộc');
    expect(
      validateSubmission(
        row,
        { employee: 'lan.nguyen@senvang.example', lines, total: 12_000_000, reason: 'Hội nghị khách hàng ở Đà Nẵng' },
        'vi',
      ),
    ).toMatchObject({ reason: 'Hội nghị khách hàng ở Đà Nẵng' });
    // below the threshold the reason is no field of the form: a stale one is refused, not kept
    const small = [
      { date: '2026-12-01', category: 'travel', amount: 400_000 },
      { date: '2026-12-02', category: 'meals', amount: 500_000 },
    ];
    expect(() =>
      validateSubmission(
        row,
        { employee: 'lan.nguyen@senvang.example', lines: small, total: 900_000, reason: 'cũ' },
        'en',
      ),
    ).toThrow('Reason for exception is not a field of this form');
    expect(validateSubmission(row, { employee: 'lan.nguyen@senvang.example', lines: small }, 'en')).toMatchObject({
      total: 900_000,
    });
    // the total is the server's sum of the lines, whatever a client sends: a small total over large lines still asks for the reason
    expect(() => validateSubmission(row, { employee: 'lan.nguyen@senvang.example', lines, total: 1 }, 'en')).toThrow(
      'Reason for exception is required',
    );
  });

  it('is pinned by the process version published with it: a running task keeps its version after the designer publishes the next, a process published after takes the new one', async () => {
    const designer = await as(DESIGNER);
    const claim = (key: string) => ({
      formatVersion: 1,
      key,
      version: 1,
      name: 'Claim',
      elements: [
        { id: 'start', type: 'startEvent' },
        { id: 'fill', type: 'userTask', assignee: '=initiator.email', formKey: 'expense-claim' },
        { id: 'end', type: 'endEvent' },
      ],
      flows: [
        { id: 'f1', source: 'start', target: 'fill' },
        { id: 'f2', source: 'fill', target: 'end' },
      ],
    });
    await designer.definition.publish({ definition: claim('claim-before') } as never);
    const ngoc = await as('ngoc.bui@senvang.example');
    const running = await ngoc.instance.start({ definitionKey: 'claim-before', variables: {} });
    // the designer adds a project field and publishes version 2
    const next = expenseClaim();
    next.fields.splice(2, 0, { ...newField('text', 'project', { en: 'Project', vi: 'Dự án' }), required: true });
    expect(await designer.form.publish({ design: next, baseVersion: 1 })).toEqual({ key: 'expense-claim', version: 2 });
    await designer.definition.publish({ definition: claim('claim-after') } as never);
    const later = await ngoc.instance.start({ definitionKey: 'claim-after', variables: {} });
    const fields = async (taskId: string) =>
      Object.keys(((await ngoc.task.get({ id: taskId })).form.schema as { properties: object }).properties);
    expect((await ngoc.task.get({ id: running.taskIds[0]! })).form.version).toBe(1);
    expect(await fields(running.taskIds[0]!)).not.toContain('project');
    expect((await ngoc.task.get({ id: later.taskIds[0]! })).form.version).toBe(2);
    expect(await fields(later.taskIds[0]!)).toContain('project');
    const lines = [{ date: '2026-12-01', category: 'travel', amount: 400_000 }];
    // the running task takes what version 1 asks, and refuses version 2's field
    expect(
      (
        await refusal(
          ngoc.task.complete({
            id: running.taskIds[0]!,
            data: { employee: 'ngoc.bui@senvang.example', project: 'Đà Nẵng', lines },
          }),
        )
      ).message,
    ).toContain('project is not a field of this form');
    await ngoc.task.complete({ id: running.taskIds[0]!, data: { employee: 'ngoc.bui@senvang.example', lines } });
    expect(
      (
        await refusal(
          ngoc.task.complete({ id: later.taskIds[0]!, data: { employee: 'ngoc.bui@senvang.example', lines } }),
        )
      ).message,
    ).toContain('Project is required');
  });

  it('a person field takes a member of the company and a department field one of its departments; others are refused naming the field, in the caller’s language', async () => {
    const ngoc = await as('ngoc.bui@senvang.example', 'vi');
    const { taskIds } = await ngoc.instance.start({ definitionKey: 'claim-after', variables: {} });
    const lines = [{ date: '2026-12-01', category: 'travel', amount: 400_000 }];
    const refused = await refusal(
      ngoc.task.complete({
        id: taskIds[0]!,
        data: { employee: 'hoa@hoasen.example', department: 'marketing', project: 'Đà Nẵng', lines },
      }),
    );
    expect(refused.code).toBe('BAD_REQUEST');
    expect(refused.message).toContain('Nhân viên: “hoa@hoasen.example” không phải thành viên của công ty');
    expect(refused.message).toContain('Phòng ban: công ty không có phòng ban “marketing”');
    // the directory the form offers: the company's people and departments, to any member
    const directory = await ngoc.member.directory();
    expect(directory.people.map((p) => p.email)).toContain('lan.nguyen@senvang.example');
    expect(directory.departments.map((d) => d.key)).toContain('operations');
    await ngoc.task.complete({
      id: taskIds[0]!,
      data: { employee: 'LAN.NGUYEN@senvang.example', department: 'operations', project: 'Đà Nẵng', lines },
    });
  });

  it('keeps a draft, valid or not, saying what is wrong; two saves over one revision are a conflict naming who saved; publishing removes it', async () => {
    const designer = await as(DESIGNER, 'vi');
    const broken = {
      key: 'leave-request-form',
      version: 1,
      title: { en: '', vi: '' },
      fields: [
        newField('number', 'days', { en: 'Days', vi: 'Số ngày' }),
        newField('text', 'days', { en: 'Days again', vi: 'Lặp' }),
      ],
    };
    const first = await designer.form.saveDraft({ design: broken, revision: null });
    expect(first.revision).toBe(1);
    expect(first.problems.map((p) => p.field)).toEqual([null, 'days']);
    expect(first.problems[0]!.message).toMatch(/tiêu đề|title/i);
    // opened again, it is the draft (a form not published yet), and the forms page lists it
    const opened = await designer.form.design({ key: 'leave-request-form' });
    expect(opened).toMatchObject({ version: null, draft: { revision: 1, updatedBy: 'Hoàng Thu Trang' } });
    expect(opened.design.fields.map((f) => f.key)).toEqual(['days', 'days']);
    expect((await designer.form.drafts()).map((d) => d.key)).toContain('leave-request-form');
    // a second save over revision 1 goes; another over revision 1 again is a conflict naming Trang, nothing overwritten
    const fixed = { ...broken, title: { en: 'Leave request', vi: 'Đơn xin nghỉ phép' }, fields: [broken.fields[0]!] };
    expect(await designer.form.saveDraft({ design: fixed, revision: 1 })).toEqual({ revision: 2, problems: [] });
    const stale = await refusal(designer.form.saveDraft({ design: broken, revision: 1 }));
    expect(stale.code).toBe('CONFLICT');
    expect(stale.message).toMatch(/^Hoàng Thu Trang đã lưu bản nháp này lúc .* \(bản 2\)/);
    expect((await designer.form.design({ key: 'leave-request-form' })).design.title.vi).toBe('Đơn xin nghỉ phép');
    // publishing refuses a draft with problems; the fixed one publishes, and the draft is gone
    expect((await refusal(designer.form.publish({ design: broken, baseVersion: null }))).code).toBe('BAD_REQUEST');
    expect(await designer.form.publish({ design: fixed, baseVersion: null })).toEqual({
      key: 'leave-request-form',
      version: 1,
    });
    expect(await designer.form.design({ key: 'leave-request-form' })).toMatchObject({ version: 1, draft: null });
    expect((await designer.form.drafts()).map((d) => d.key)).not.toContain('leave-request-form');
    // a save from a tab still on the published draft is a conflict naming the version, and makes no draft
    expect((await refusal(designer.form.saveDraft({ design: fixed, revision: 2 }))).message).toMatch(
      /^Biểu mẫu “leave-request-form” hiện ở phiên bản 1|leave-request-form.*1/,
    );
    expect((await designer.form.drafts()).map((d) => d.key)).not.toContain('leave-request-form');
    // staff may not save drafts
    expect(
      (await refusal((await as('ngoc.bui@senvang.example')).form.saveDraft({ design: fixed, revision: null }))).code,
    ).toBe('FORBIDDEN');
  });

  it('a value that does not match a pattern is refused in the designer’s words, in the caller’s language', async () => {
    const design = {
      key: 'vendor-registration',
      version: 1,
      title: { en: 'Vendor registration', vi: 'Đăng ký nhà cung cấp' },
      fields: [
        {
          ...newField('text', 'taxCode', { en: 'Tax code', vi: 'Mã số thuế' }),
          required: true,
          pattern: '^[0-9]{10}([0-9]{3})?$',
          patternMessage: { en: 'Write the tax code as 10 or 13 digits', vi: 'Mã số thuế gồm 10 hoặc 13 chữ số' },
        },
      ],
    };
    expect(await (await as(DESIGNER)).form.publish({ design, baseVersion: null })).toEqual({
      key: 'vendor-registration',
      version: 1,
    });
    const row = (
      await handle.db
        .select()
        .from(forms)
        .where(and(eq(forms.tenantId, tenantId), eq(forms.key, 'vendor-registration')))
    )[0]!;
    expect(() => validateSubmission(row, { taxCode: '0312-ABC' }, 'vi')).toThrow(
      'Mã số thuế: Mã số thuế gồm 10 hoặc 13 chữ số',
    );
    expect(() => validateSubmission(row, { taxCode: '0312-ABC' }, 'en')).toThrow(
      'Tax code: Write the tax code as 10 or 13 digits',
    );
    expect(validateSubmission(row, { taxCode: '0312345678' }, 'vi')).toEqual({ taxCode: '0312345678' });
  });

  it('with mistakes is refused naming each field, in the caller’s language; with hostile sizes, naming the limit; nothing is written', async () => {
    const designer = await as(DESIGNER, 'vi');
    const broken = {
      ...expenseClaim(),
      key: 'broken-form',
      fields: [
        { ...newField('text', '__proto__', { en: 'Proto', vi: 'Proto' }) },
        { ...newField('select', 'kind', { en: 'Kind', vi: 'Loại' }), options: [] },
      ],
    };
    expect(await refusal(designer.form.publish({ design: broken, baseVersion: null }))).toEqual({
      code: 'BAD_REQUEST',
      message:
        'Chưa thể xuất bản biểu mẫu: khóa “__proto__” là tên hệ thống giữ riêng; trường “kind” cần các lựa chọn, mỗi lựa chọn có một giá trị.',
    });
    const many = {
      ...expenseClaim(),
      key: 'huge-form',
      fields: Array.from({ length: 301 }, (_, i) => newField('text', `f${i}`, { en: `F${i}`, vi: `F${i}` })),
    };
    expect(await refusal(designer.form.publish({ design: many, baseVersion: null }))).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('fields'),
    });
    const long = { ...expenseClaim(), key: 'long-form', title: { en: 'x'.repeat(501), vi: '' } };
    expect(await refusal(designer.form.publish({ design: long, baseVersion: null }))).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('title.en'),
    });
    for (const key of ['broken-form', 'huge-form', 'long-form']) expect(await versions(key)).toEqual([]);
  });
});
