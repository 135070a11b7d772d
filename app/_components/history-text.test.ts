import { describe, expect, it } from 'vitest';
import invoiceDecision from '@/definitions/accounting/invoice-approval/forms/invoice-decision.form.json';
import { translator, type Locale } from '../_i18n/messages';
import { describeEvent, historyNames, type HistoryEvent, type HistorySources } from './history-text';

const sources: HistorySources = {
  names: {
    accountingApproval: { en: 'Accounting approval', vi: 'Kế toán phê duyệt' },
    operationsApproval: { en: 'Operations manager approval', vi: 'Trưởng phòng Vận hành phê duyệt' },
  },
  departments: { accounting: { en: 'Accounting', vi: 'Kế toán' }, operations: { en: 'Operations', vi: 'Vận hành' } },
  people: { 'lan.nguyen@senvang.example': 'Nguyễn Thị Lan' },
  forms: [invoiceDecision as unknown as NonNullable<HistorySources['forms']>[number]],
};
const event = (
  type: string,
  elementId: string | null,
  data: Record<string, unknown>,
  actor: string | null = null,
): HistoryEvent => ({ type, elementId, actor, data });
const say = (e: HistoryEvent, locale: Locale) => describeEvent(e, historyNames(sources, locale), translator(locale));

describe('the history speaks names, not keys', () => {
  it('names the departments a task was created for, and their managers', () => {
    const forAccounting = event('task.created', 'accountingApproval', {
      candidateGroups: ['accounting'],
      candidateRole: 'member',
    });
    const forManagers = event('task.created', 'operationsApproval', {
      candidateGroups: ['operations'],
      candidateRole: 'manager',
    });
    expect(say(forAccounting, 'vi')).toBe('Tạo công việc “Kế toán phê duyệt” cho Kế toán');
    expect(say(forManagers, 'vi')).toBe('Tạo công việc “Trưởng phòng Vận hành phê duyệt” cho trưởng phòng Vận hành');
    expect(say(forAccounting, 'en')).toBe('Task “Accounting approval” created for Accounting');
    expect(say(forManagers, 'en')).toBe('Task “Operations manager approval” created for managers of Operations');
  });

  it('names the people a process named by their address, and keeps what it cannot name', () => {
    const named = event('task.created', 'accountingApproval', {
      candidateGroups: ['legal'],
      candidateRole: 'member',
      assignee: 'Lan.Nguyen@senvang.example',
      candidateUsers: ['someone@elsewhere.example'],
    });
    expect(say(named, 'en')).toBe(
      'Task “Accounting approval” created for legal, Nguyễn Thị Lan, someone@elsewhere.example',
    );
  });

  it('gives a decision by its option’s label in the reader’s language', () => {
    const approved = event(
      'task.completed',
      'accountingApproval',
      { submission: { decision: 'approve', comment: 'OK' } },
      'Trần Văn Hùng',
    );
    expect(say(approved, 'vi')).toBe('Trần Văn Hùng đã hoàn thành “Kế toán phê duyệt” — Đồng ý');
    expect(say(approved, 'en')).toBe('Trần Văn Hùng completed “Accounting approval” — Approve');
    const rejected = event(
      'task.completed',
      'accountingApproval',
      { submission: { decision: 'reject' }, onBehalfOfName: 'Nguyễn Thị Lan' },
      'Trần Văn Hùng',
    );
    expect(say(rejected, 'vi')).toBe(
      'Trần Văn Hùng đã hoàn thành “Kế toán phê duyệt” thay cho Nguyễn Thị Lan — Từ chối',
    );
    // a value no form offers is shown as it was sent
    expect(
      say(event('task.completed', 'accountingApproval', { submission: { decision: 'escalate' } }, 'Lan'), 'en'),
    ).toBe('Lan completed “Accounting approval” — escalate');
  });
});
