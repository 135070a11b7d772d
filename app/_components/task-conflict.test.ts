import { describe, expect, it } from 'vitest';
import { formatDateTime } from '../_i18n/format';
import { explainTaskConflict } from './task-conflict';

const task = {
  name: { en: 'Accounting approval', vi: 'Kế toán phê duyệt' },
  elementId: 'accountingApproval',
  completedBy: null,
  completedAt: null,
};

describe('a task completed meanwhile (another tab, a colleague)', () => {
  it('says by whom and when, naming the task by its name, in the reader’s language', () => {
    const done = {
      ...task,
      status: 'completed',
      completedBy: 'Trần Văn Hùng',
      completedAt: '2026-12-15T03:42:00.000Z',
    };
    expect(explainTaskConflict(done, 'vi')).toEqual({
      code: 'CONFLICT',
      title: 'Công việc này đã được xử lý trong lúc bạn mở trang',
      message: `“Kế toán phê duyệt” đã được Trần Văn Hùng hoàn thành lúc ${formatDateTime(done.completedAt, 'vi')}, có thể ở một thẻ khác. Lần gửi này không được lưu.`,
      fields: [],
    });
    expect(explainTaskConflict(done, 'en').message).toBe(
      `“Accounting approval” was already completed by Trần Văn Hùng at ${formatDateTime(done.completedAt, 'en')}, perhaps in another tab. Nothing was sent this time.`,
    );
  });

  it('says a task was withdrawn, changed hands, or is no longer the reader’s', () => {
    expect(explainTaskConflict({ ...task, status: 'cancelled' }, 'en').message).toBe(
      '“Accounting approval” is no longer open: the process moved on or was cancelled. Nothing was sent this time.',
    );
    expect(explainTaskConflict({ ...task, status: 'open' }, 'en').message).toMatch(
      /^“Accounting approval” changed after this page was opened/,
    );
    expect(explainTaskConflict(null, 'vi').message).toBe(
      'Bạn không còn hoàn thành được công việc này: người khác đã nhận hoặc hoàn thành nó sau khi trang được mở. Lần gửi này không được lưu.',
    );
  });
});
