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
const versions = async (key: string) => (await handle.db.select().from(forms).where(and(eq(forms.tenantId, tenantId), eq(forms.key, key)))).map((r) => r.version).sort();
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
    const before = (await handle.db.select().from(forms).where(and(eq(forms.tenantId, tenantId), eq(forms.key, 'invoice-submission'))))[0]!;
    const published = await designer.form.publish({ design: opened.design, baseVersion: opened.version });
    expect(published).toEqual({ key: 'invoice-submission', version: opened.version + 1 });
    const after = (await handle.db.select().from(forms).where(and(eq(forms.tenantId, tenantId), eq(forms.key, 'invoice-submission'), eq(forms.version, published.version))))[0]!;
    for (const locale of ['en', 'vi']) {
      const sorted = (f: { schema: unknown; i18n: unknown }) => JSON.parse(JSON.stringify(localizeFormSchema(f as FormDefinition, locale), (k, v: unknown) => (k === 'required' && Array.isArray(v) ? [...v].sort() : v)));
      expect(sorted(after)).toEqual(sorted(before));
    }
  });

  it('over a version that moved since it was opened is a conflict naming the version now there, in the caller’s language; nothing is written', async () => {
    const designer = await as(DESIGNER, 'vi');
    const opened = await designer.form.design({ key: 'invoice-decision' });
    await designer.form.publish({ design: opened.design, baseVersion: opened.version });
    const had = await versions('invoice-decision');
    const latest = (await handle.db.select().from(forms).where(and(eq(forms.tenantId, tenantId), eq(forms.key, 'invoice-decision'), eq(forms.version, opened.version + 1))))[0]!;
    expect(await refusal(designer.form.publish({ design: opened.design, baseVersion: opened.version }))).toEqual({
      code: 'CONFLICT',
      message: `Biểu mẫu “invoice-decision” nay đã ở phiên bản ${opened.version + 1} (xuất bản ${formatDateTime(latest.publishedAt, 'vi')}); hãy mở lại để xuất bản tiếp trên đó.`,
    });
    expect(await versions('invoice-decision')).toEqual(had);
    // a form the company does not have does not open
    expect(await refusal(designer.form.design({ key: 'khong-co' }))).toMatchObject({ code: 'NOT_FOUND', message: 'Công ty không có biểu mẫu “khong-co”.' });
  });
});

describe('a form built in the designer', () => {
  it('publishes as version 1, and the server asks for the reason only above 10,000,000 ₫', async () => {
    const designer = await as(DESIGNER);
    expect(await designer.form.publish({ design: expenseClaim(), baseVersion: null })).toEqual({ key: 'expense-claim', version: 1 });
    // the same key again, as a new form: taken
    expect(await refusal(designer.form.publish({ design: expenseClaim(), baseVersion: null }))).toMatchObject({ code: 'CONFLICT', message: 'The company already has a form “expense-claim”; open it instead.' });
    const row = (await handle.db.select().from(forms).where(and(eq(forms.tenantId, tenantId), eq(forms.key, 'expense-claim'))))[0]!;
    const lines = [{ date: '2026-12-01', category: 'travel', amount: 12_000_000 }];
    expect(() => validateSubmission(row, { employee: 'lan.nguyen@senvang.example', lines, total: 12_000_000 }, 'vi')).toThrow(/Lý do ngoại lệ \(reason\)/);
    expect(validateSubmission(row, { employee: 'lan.nguyen@senvang.example', lines, total: 12_000_000, reason: 'Hội nghị khách hàng ở Đà Nẵng' }, 'vi')).toMatchObject({ reason: 'Hội nghị khách hàng ở Đà Nẵng' });
    // below the threshold the reason is no field of the form: a stale one is refused, not kept
    expect(() => validateSubmission(row, { employee: 'lan.nguyen@senvang.example', lines, total: 900_000, reason: 'cũ' }, 'en')).toThrow(/reason.*is not a field of this form/);
    expect(validateSubmission(row, { employee: 'lan.nguyen@senvang.example', lines, total: 900_000 }, 'en')).toMatchObject({ total: 900_000 });
  });

  it('with mistakes is refused naming each field, in the caller’s language; with hostile sizes, naming the limit; nothing is written', async () => {
    const designer = await as(DESIGNER, 'vi');
    const broken = { ...expenseClaim(), key: 'broken-form', fields: [{ ...newField('text', '__proto__', { en: 'Proto', vi: 'Proto' }) }, { ...newField('select', 'kind', { en: 'Kind', vi: 'Loại' }), options: [] }] };
    expect(await refusal(designer.form.publish({ design: broken, baseVersion: null }))).toEqual({
      code: 'BAD_REQUEST',
      message: 'Chưa thể xuất bản biểu mẫu: khóa “__proto__” là tên hệ thống giữ riêng; trường “kind” cần các lựa chọn, mỗi lựa chọn có một giá trị.',
    });
    const many = { ...expenseClaim(), key: 'huge-form', fields: Array.from({ length: 301 }, (_, i) => newField('text', `f${i}`, { en: `F${i}`, vi: `F${i}` })) };
    expect(await refusal(designer.form.publish({ design: many, baseVersion: null }))).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('fields') });
    const long = { ...expenseClaim(), key: 'long-form', title: { en: 'x'.repeat(501), vi: '' } };
    expect(await refusal(designer.form.publish({ design: long, baseVersion: null }))).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('title.en') });
    for (const key of ['broken-form', 'huge-form', 'long-form']) expect(await versions(key)).toEqual([]);
  });
});
