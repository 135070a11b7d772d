/**
 * Issue 19, polish found when tried as a new user would, through the routers on a real database:
 * the history speaks department names and option labels, not keys; a refused submission names each
 * field by its label, in the caller's language; an instance that is not the caller's is refused by
 * its process's name, not its id; and every page query maps to the status its page answers
 * (a mistyped key or id → 404, not the caller's → 403), by the one mapping the pages use.
 */
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { seedDemo } from '@/app/server/seed';
import { pageStatusOf } from '@/app/server/page-status';
import { describeEvent, historyNames } from '@/app/_components/history-text';
import { translator, type Locale } from '@/app/_i18n/messages';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
  await seedDemo(handle.db);
});
afterAll(async () => handle?.close());

const ADMIN = 'bao.ngo@senvang.example';
const invoice = (amount: number, invoiceNumber: string) => ({
  vendor: 'Công ty TNHH Thương mại Hòa Bình',
  invoiceNumber,
  amount,
  category: 'it-equipment',
  dueDate: '2026-12-15',
});

/** What the page's query answers, as the status the page would: the value, or 403/404/null (500). */
async function pageAnswer<T>(
  query: Promise<T>,
): Promise<{ status: 200; value: T } | { status: ReturnType<typeof pageStatusOf>; message: string }> {
  try {
    return { status: 200, value: await query };
  } catch (error) {
    return { status: pageStatusOf(error), message: (error as Error).message };
  }
}

/** An invoice above the threshold, approved by Accounting and by the operations manager. */
async function approvedInvoice(invoiceNumber: string) {
  const { id } = await (
    await callerFor(handle.db, demo.ngoc)
  ).instance.start({ definitionKey: 'invoice-approval', variables: invoice(75_000_000, invoiceNumber) });
  const hung = await callerFor(handle.db, demo.hung);
  await hung.task.complete({
    id: (await hung.task.list()).find((t) => t.instanceId === id)!.id,
    data: { decision: 'approve', comment: 'Đúng hợp đồng' },
  });
  const quan = await callerFor(handle.db, demo.quan);
  await quan.task.complete({
    id: (await quan.task.list()).find((t) => t.instanceId === id)!.id,
    data: { decision: 'approve' },
  });
  return id;
}

describe('the history on the instance page', () => {
  it('names departments and a decision’s option in the reader’s language, never their keys', async () => {
    // given an invoice approved by Accounting and the operations manager
    const id = await approvedInvoice('HD-2026/0501');

    for (const [locale, expected] of [
      [
        'vi',
        [
          'Tạo công việc “Kế toán phê duyệt” cho Kế toán',
          'Tạo công việc “Trưởng phòng Vận hành phê duyệt” cho trưởng phòng Vận hành',
          'Trần Văn Hùng đã hoàn thành “Kế toán phê duyệt” — Đồng ý',
        ],
      ],
      [
        'en',
        [
          'Task “Accounting approval” created for Accounting',
          'Task “Operations manager approval” created for managers of Operations',
          'Trần Văn Hùng completed “Accounting approval” — Approve',
        ],
      ],
    ] as const) {
      // when the initiator reads its history
      const view = await (await callerFor(handle.db, demo.ngoc, locale as Locale)).instance.get({ id });
      const names = historyNames(
        { names: view.names, departments: view.departments, people: view.people, forms: view.dataForms },
        locale,
      );
      const lines = view.history.map((e) => describeEvent(e, names, translator(locale)));
      // then it names Accounting and Operations, and the option chosen
      for (const line of expected) expect(lines).toContain(line);
      expect(lines.join('\n')).not.toMatch(/\b(accounting|operations)\b|— approve/);
    }
    expect((await (await callerFor(handle.db, demo.ngoc)).instance.get({ id })).departments).toEqual({
      accounting: { en: 'Accounting', vi: 'Kế toán' },
      operations: { en: 'Operations', vi: 'Vận hành' },
    });
  });
});

describe('a refused submission', () => {
  it('names each field by its label, in people’s words, in the caller’s language', async () => {
    const bad = { ...invoice(0, 'HD 7'), vendor: '' };
    type Refusal = TRPCError & { cause: { fields: { field: string; message: string }[] } };
    const refusal = async (locale: Locale): Promise<Refusal> =>
      (await callerFor(handle.db, demo.ngoc, locale)).instance
        .start({ definitionKey: 'invoice-approval', variables: bad })
        .then(
          () => expect.fail('the start was accepted'),
          (e: unknown) => e as Refusal,
        );
    const en = await refusal('en');
    expect(en).toMatchObject({ code: 'BAD_REQUEST' });
    expect(Object.fromEntries(en.cause.fields.map((f) => [f.field, f.message]))).toEqual({
      vendor: 'Vendor must be at least 2 characters long',
      invoiceNumber: 'Invoice number is not in the expected format',
      amount: 'Amount (VND) must be at least ₫1',
    });
    expect(en.message).not.toMatch(/must have required property|must be >=|must NOT/);
    const vi = await refusal('vi');
    expect(vi.message).toBe(
      'Biểu mẫu “Gửi hóa đơn” chưa được chấp nhận: Nhà cung cấp cần ít nhất 2 ký tự; Số hóa đơn không đúng định dạng; Số tiền (VND) phải từ 1\u00a0₫ trở lên.',
    );
  });
});

describe('what each page answers', () => {
  it('a mistyped process key, a task or instance id that is no id, and one that names nothing: 404', async () => {
    const ngoc = await callerFor(handle.db, demo.ngoc);
    expect(await pageAnswer(ngoc.definition.get({ key: 'Invoice Approval!' }))).toMatchObject({ status: 404 });
    expect(await pageAnswer(ngoc.definition.get({ key: 'invoice-aproval' }))).toMatchObject({ status: 404 });
    expect(await pageAnswer(ngoc.task.get({ id: 'abc' }))).toMatchObject({ status: 404 });
    expect(await pageAnswer(ngoc.task.get({ id: '00000000-0000-4000-8000-000000000000' }))).toMatchObject({
      status: 404,
    });
    expect(await pageAnswer(ngoc.instance.get({ id: 'abc' }))).toMatchObject({ status: 404 });
    expect(await pageAnswer(ngoc.definition.get({ key: 'invoice-approval' }))).toMatchObject({ status: 200 });
  });

  it('what is not the caller’s: 403, an instance named by its process, in the caller’s language', async () => {
    const id = await approvedInvoice('HD-2026/0502');
    // Tuấn (IT) neither started it nor had a task in it
    const refused = await pageAnswer((await callerFor(handle.db, demo.tuan, 'vi')).instance.get({ id }));
    expect(refused).toEqual({
      status: 403,
      message:
        'Bạn không được xem quy trình “Phê duyệt hóa đơn” này: bạn không khởi tạo nó và không có công việc nào của nó được giao cho bạn.',
    });
    expect((refused as { message: string }).message).not.toContain(id);
    // staff on the admins' and designers' pages
    const ngoc = await callerFor(handle.db, demo.ngoc);
    const adminsAndDesigners: Promise<unknown>[] = [
      ngoc.incident.list(),
      ngoc.outbox.list({}),
      ngoc.webhook.list(),
      ngoc.member.list(),
      ngoc.process.list(),
      ngoc.form.list(),
      ngoc.decision.list(),
      ngoc.template.library(),
    ];
    for (const query of adminsAndDesigners) {
      expect(await pageAnswer(query)).toMatchObject({ status: 403 });
    }
    expect(await pageAnswer((await callerFor(handle.db, ADMIN)).incident.list())).toMatchObject({ status: 200 });
  });
});
