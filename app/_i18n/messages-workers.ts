/**
 * External job workers over the REST API (/api/v1/jobs/…) and the worker client, in English and Vietnamese. Merged into messages.ts (every key exists in both, checked by the type).
 *
 * A refusal says what happened to the job and what the worker should do next: a lost lock is
 * the everyday case of a slow or restarted worker, not a fault, and its message says so.
 */
export const workersEn = {
  workersJobNotFound: 'Job "{id}" was not found.',
  workersLockLost:
    'Job "{id}" is no longer locked by worker "{worker}" of this key: its lease ran out, or another worker has fetched it since. Nothing was changed; fetch jobs again (the job id stays the same, so a side effect already done can be recognised by it).',
  workersJobEnded: 'Job "{id}" has already ended ({status}); nothing was changed.',
  workersJobStatus_done: 'completed',
  workersJobStatus_cancelled: 'cancelled',
  workersJobStatus_failed: 'failed, an incident',
  workersJobNotWaited:
    'Process instance "{instance}" no longer waits for job "{id}" (it moved on, or an incident stopped it): the job has ended and its result was not used.',
  workersTooManyWaiting:
    'Too many workers are waiting for jobs on this server; fetch again in a few seconds, or with a shorter waitSeconds.',
} as const;

export const workersVi: Record<keyof typeof workersEn, string> = {
  workersJobNotFound: 'Không tìm thấy công việc "{id}".',
  workersLockLost:
    'Công việc "{id}" không còn được khóa cho worker "{worker}" của khóa API này: thời hạn khóa đã hết, hoặc một worker khác đã lấy nó sau đó. Không có gì thay đổi; hãy lấy việc lại (mã công việc giữ nguyên, nên có thể dựa vào đó để nhận ra việc đã làm rồi).',
  workersJobEnded: 'Công việc "{id}" đã kết thúc ({status}); không có gì thay đổi.',
  workersJobStatus_done: 'đã hoàn thành',
  workersJobStatus_cancelled: 'đã hủy',
  workersJobStatus_failed: 'thất bại, thành sự cố',
  workersJobNotWaited:
    'Phiên quy trình "{instance}" không còn chờ công việc "{id}" (phiên đã đi tiếp, hoặc bị dừng vì sự cố): công việc đã kết thúc và kết quả không được dùng.',
  workersTooManyWaiting:
    'Có quá nhiều worker đang chờ việc trên máy chủ này; hãy lấy việc lại sau vài giây, hoặc với waitSeconds ngắn hơn.',
};
