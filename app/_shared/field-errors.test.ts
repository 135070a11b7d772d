import { describe, expect, it } from 'vitest';
import type { RJSFSchema } from '@rjsf/utils';
import { localizeFormSchema, type JsonSchema } from '@/engine/forms/form';
import { toFormDefinition } from '@/engine/forms/authoring';
import { expenseClaim } from '@/engine/forms/fixtures/expense-claim';
import invoiceSubmission from '@/definitions/accounting/invoice-approval/forms/invoice-submission.form.json';
import { validateSubmission } from '../server/forms';
import { formValidator } from '../_components/form-validator';
import type { Locale } from '../_i18n/messages';
import { inPeoplesWords, moneyPreview } from './field-errors';

const invoice = { ...invoiceSubmission, id: 'invoice-submission-v1' } as unknown as Parameters<
  typeof validateSubmission
>[0] & { uiSchema: Record<string, unknown> };
const claim = (() => {
  const definition = toFormDefinition(expenseClaim());
  return { ...definition, id: 'expense-claim-v1' } as unknown as typeof invoice;
})();

/** What the server refuses `data` with: the field errors' messages by field, and the summary. */
function serverSays(form: typeof invoice, data: Record<string, unknown>, locale: Locale) {
  try {
    validateSubmission(form, data, locale);
  } catch (error) {
    const { message, fields } = error as {
      message: string;
      fields: { field: string; label: string; message: string }[];
    };
    return { message, fields: Object.fromEntries(fields.map((f) => [f.field, f.message])) };
  }
  throw new Error('the server took it');
}

/** What the browser's form shows under each field for `data` (RJSF's validator, then transformErrors). */
function browserSays(form: typeof invoice, data: Record<string, unknown>, locale: Locale) {
  const schema = localizeFormSchema(form, locale);
  const { errors } = formValidator.validateFormData(data, schema as RJSFSchema);
  const worded = inPeoplesWords(errors, schema as JsonSchema, form.uiSchema, locale);
  return Object.fromEntries(worded.map((e) => [(e.property ?? '').replace(/^\./, ''), e.message]));
}

const nbsp = (text: string) => text.replace(/ (?=₫)/g, '\u00a0');

describe('refused values in people’s words', () => {
  const bad = { invoiceNumber: 'HD 1', amount: 0, category: 'food', dueDate: '15/12/2026' };

  it('names each field by its label, in English: not ajv’s “must have required property”', () => {
    expect(serverSays(invoice, bad, 'en').fields).toEqual({
      vendor: 'Vendor is required',
      invoiceNumber: 'Invoice number is not in the expected format',
      amount: 'Amount (VND) must be at least ₫1',
      category: 'Category must be one of its options',
      dueDate: 'Payment due date must be a date',
    });
    expect(serverSays(invoice, bad, 'en').message).toBe(
      'The form “Submit an invoice” was not accepted: Vendor is required; Invoice number is not in the expected format; Amount (VND) must be at least ₫1; Category must be one of its options; Payment due date must be a date.',
    );
  });

  it('and in Vietnamese, with the form’s Vietnamese labels', () => {
    expect(serverSays(invoice, bad, 'vi').fields).toEqual({
      vendor: 'Nhà cung cấp là trường bắt buộc',
      invoiceNumber: 'Số hóa đơn không đúng định dạng',
      amount: nbsp('Số tiền (VND) phải từ 1 ₫ trở lên'),
      category: 'Loại chi phí phải là một trong các lựa chọn',
      dueDate: 'Hạn thanh toán phải là một ngày hợp lệ',
    });
    expect(serverSays(invoice, bad, 'vi').message).toMatch(
      /^Biểu mẫu “Gửi hóa đơn” chưa được chấp nhận: Nhà cung cấp là trường bắt buộc; /,
    );
  });

  it.each(['en', 'vi'] as const)('the browser says what the server says (%s)', (locale) => {
    expect(browserSays(invoice, bad, locale)).toEqual(serverSays(invoice, bad, locale).fields);
    // (the browser sends no field the form lacks: RJSF omits extra data)
    const typed = { vendor: 'A', invoiceNumber: 'HD-1', amount: 1.5, category: 'travel', dueDate: '2026-12-15' };
    expect(browserSays(invoice, typed, locale)).toEqual(serverSays(invoice, typed, locale).fields);
  });

  it('words lengths, fractions of a đồng and unknown fields', () => {
    const typed = {
      vendor: 'A',
      invoiceNumber: 'HD-1',
      amount: 1.5,
      category: 'travel',
      dueDate: '2026-12-15',
      surprise: true,
    };
    expect(serverSays(invoice, typed, 'en').fields).toEqual({
      vendor: 'Vendor must be at least 2 characters long',
      amount: 'Amount (VND) must be a whole number of đồng: VND has no smaller unit',
      surprise: 'surprise is not a field of this form',
    });
    expect(serverSays(invoice, typed, 'vi').fields).toMatchObject({
      vendor: 'Nhà cung cấp cần ít nhất 2 ký tự',
      amount: 'Số tiền (VND) phải là số đồng chẵn: tiền đồng không có đơn vị lẻ',
    });
  });

  it('names a table’s cell by its column, row and table', () => {
    const data = {
      employee: 'lan.nguyen@senvang.example',
      lines: [{ date: '2026-12-01', amount: 100_000 }, { date: '2026-12-02' }, { date: '2026-12-03', amount: -5 }],
      total: 100_000,
    };
    expect(serverSays(claim, data, 'en').fields).toEqual({
      'lines.1.amount': 'Amount (row 2 of Expense lines) is required',
      'lines.2.amount': 'Amount (row 3 of Expense lines) cannot be negative',
    });
    expect(serverSays(claim, data, 'vi').fields).toEqual({
      'lines.1.amount': 'Số tiền (dòng 2 của Các khoản chi) là trường bắt buộc',
      'lines.2.amount': 'Số tiền (dòng 3 của Các khoản chi) không được là số âm',
    });
    expect(serverSays(claim, { employee: 'lan.nguyen@senvang.example', lines: [] }, 'en').fields).toEqual({
      lines: 'Expense lines needs at least one row',
    });
  });
});

describe('the VND preview as an amount is typed', () => {
  const amount = (invoice.schema.properties as Record<string, JsonSchema>).amount!;

  it('formats a valid amount by locale, with no decimals', () => {
    expect(moneyPreview(1_500_000, amount, 'Amount', 'vi')).toEqual({ valid: true, text: '1.500.000\u00a0₫' });
    expect(moneyPreview(1_500_000, amount, 'Amount', 'en')).toEqual({ valid: true, text: '₫1,500,000' });
  });

  it('shows why a fraction or an amount out of bounds is refused, never a rounded or negative amount', () => {
    expect(moneyPreview(1.5, amount, 'Amount', 'en')).toEqual({
      valid: false,
      text: 'Amount must be a whole number of đồng: VND has no smaller unit',
    });
    expect(moneyPreview(0, amount, 'Số tiền', 'vi')).toEqual({
      valid: false,
      text: nbsp('Số tiền phải từ 1 ₫ trở lên'),
    });
    expect(moneyPreview(-5, { type: 'integer', minimum: 0 }, 'Amount', 'en')).toEqual({
      valid: false,
      text: 'Amount cannot be negative',
    });
    expect(moneyPreview(2_000_000_000_000, amount, 'Amount', 'en')).toEqual({
      valid: false,
      text: 'Amount must be at most ₫1,000,000,000,000',
    });
    expect(moneyPreview(1_500, { type: 'integer', multipleOf: 1000 }, 'Amount', 'en')).toEqual({
      valid: false,
      text: 'Amount must be a multiple of ₫1,000',
    });
  });

  it('shows nothing before a number is typed', () => {
    expect(moneyPreview(undefined, amount, 'Amount', 'en')).toBeNull();
    expect(moneyPreview(Number.NaN, amount, 'Amount', 'en')).toBeNull();
  });
});
