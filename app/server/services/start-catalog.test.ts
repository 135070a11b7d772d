/** The start page's grouping by department and its search without accents (start-catalog.ts), without a database. */
import { describe, expect, it } from 'vitest';
import type { LocalizedText } from '@/engine';
import { groupStartable, type StartableProcess } from './start-catalog';

const process = (
  key: string,
  category: string | null,
  en: string,
  vi: string,
  description: LocalizedText | null = null,
): StartableProcess => ({
  id: `id-${key}`,
  key,
  version: 1,
  name: { en, vi },
  category,
  description,
});

const catalogue = [
  process('invoice-approval', 'accounting', 'Invoice approval', 'Phê duyệt hóa đơn', {
    en: 'A supplier invoice is checked by Accounting.',
    vi: 'Kế toán kiểm tra hóa đơn của nhà cung cấp.',
  }),
  process('expense-reimbursement', 'accounting', 'Expense reimbursement', 'Hoàn trả chi phí cho nhân viên', {
    en: 'Receipts, line by line.',
    vi: 'Chứng từ từng dòng.',
  }),
  process('leave-application', 'hr', 'Leave application', 'Đơn xin nghỉ phép'),
  process('equipment-request', 'it', 'IT equipment request', 'Đề nghị cấp thiết bị CNTT'),
  process('ad-hoc', null, 'Ad-hoc request', 'Yêu cầu khác'),
  process('legacy', 'legal', 'Contract review', 'Rà soát hợp đồng'),
];

const departments = new Map<string, LocalizedText>([
  ['accounting', { en: 'Accounting', vi: 'Kế toán' }],
  ['hr', { en: 'Human resources', vi: 'Nhân sự' }],
  ['it', { en: 'IT', vi: 'Công nghệ thông tin' }],
]);

const shape = (groups: ReturnType<typeof groupStartable>) => groups.map((g) => [g.key, g.processes.map((p) => p.key)]);

describe('groupStartable', () => {
  it('groups by department, departments by name in the reader’s language, “Other” (no category) last', () => {
    // given the catalogue, in Vietnamese: Công nghệ thông tin < Kế toán < legal (no such department: its key) < Nhân sự
    // when grouped
    const groups = groupStartable(catalogue, departments, 'vi');
    // then
    expect(shape(groups)).toEqual([
      ['it', ['equipment-request']],
      ['accounting', ['expense-reimbursement', 'invoice-approval']],
      ['legal', ['legacy']],
      ['hr', ['leave-application']],
      [null, ['ad-hoc']],
    ]);
    expect(groups.map((g) => g.name)).toEqual([
      departments.get('it'),
      departments.get('accounting'),
      'legal',
      departments.get('hr'),
      null,
    ]);
  });

  it('orders by the English names in English', () => {
    expect(shape(groupStartable(catalogue, departments, 'en')).map(([key]) => key)).toEqual([
      'accounting',
      'hr',
      'it',
      'legal',
      null,
    ]);
    expect(groupStartable(catalogue, departments, 'en')[0]!.processes.map((p) => p.key)).toEqual([
      'expense-reimbursement',
      'invoice-approval',
    ]);
  });

  it('finds “hoa don” in “Phê duyệt hóa đơn”: accents and case aside, whole words and the last as typed so far', () => {
    expect(shape(groupStartable(catalogue, departments, 'vi', 'hoa don'))).toEqual([
      ['accounting', ['invoice-approval']],
    ]);
    expect(shape(groupStartable(catalogue, departments, 'vi', 'HÓA ĐƠN'))).toEqual([
      ['accounting', ['invoice-approval']],
    ]);
    expect(shape(groupStartable(catalogue, departments, 'vi', 'hoa do'))).toEqual([
      ['accounting', ['invoice-approval']],
    ]);
    // typed so far, "hoa" may still become "Hoàn" (expense reimbursement); followed by another word it is a whole word
    expect(shape(groupStartable(catalogue, departments, 'vi', 'hoa'))).toEqual([
      ['accounting', ['expense-reimbursement', 'invoice-approval']],
    ]);
    // the start of a word counts, its middle does not
    expect(groupStartable(catalogue, departments, 'vi', 'on')).toEqual([]);
  });

  it('searches the name in both languages and the description', () => {
    expect(shape(groupStartable(catalogue, departments, 'vi', 'invoice'))).toEqual([
      ['accounting', ['invoice-approval']],
    ]);
    expect(shape(groupStartable(catalogue, departments, 'en', 'nghi phep'))).toEqual([['hr', ['leave-application']]]);
    expect(shape(groupStartable(catalogue, departments, 'en', 'receipts'))).toEqual([
      ['accounting', ['expense-reimbursement']],
    ]);
    expect(shape(groupStartable(catalogue, departments, 'en', 'nha cung cap'))).toEqual([
      ['accounting', ['invoice-approval']],
    ]);
  });

  it('finds a department’s processes by its name', () => {
    expect(shape(groupStartable(catalogue, departments, 'vi', 'ke toan'))).toEqual([
      ['accounting', ['expense-reimbursement', 'invoice-approval']],
    ]);
  });

  it('leaves out empty groups and returns nothing when nothing matches; a blank search is no search', () => {
    expect(groupStartable(catalogue, departments, 'vi', 'không có gì như vậy')).toEqual([]);
    expect(shape(groupStartable(catalogue, departments, 'vi', '  ,. '))).toEqual(
      shape(groupStartable(catalogue, departments, 'vi')),
    );
    expect(groupStartable([], departments, 'vi')).toEqual([]);
  });
});
