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
  workersAttemptOver:
    'Attempt {attempt} of job "{id}" is over: the job is on attempt {current} now (its lease ran out and it was fetched again, maybe by this same worker). Nothing was changed; the current attempt reports its own result.',
  workersJobEnded: 'Job "{id}" has already ended ({status}); nothing was changed.',
  workersJobStatus_done: 'completed',
  workersJobStatus_cancelled: 'cancelled',
  workersJobStatus_failed: 'failed, an incident',
  workersJobNotWaited:
    'Process instance "{instance}" no longer waits for job "{id}" (it moved on, or an incident stopped it): the job has ended and its result was not used.',
  workersInstanceBusy:
    'Process instance "{instance}" kept moving on another path while job "{id}" was being finished: nothing was changed, and the job is still locked by this worker. Send the same request again.',
  workersTooManyWaiting:
    'Too many workers are waiting for jobs on this server; fetch again in a few seconds, or with a shorter waitSeconds.',
  workersCompanyWaiting:
    'This company already has {max} fetches waiting for jobs on this server; fetch again in a few seconds, or with a shorter waitSeconds.',
  workersKeyWaiting:
    'This key already has {max} fetches waiting for jobs; run fewer fetches at once with it (one per worker is enough), or fetch again in a few seconds.',
} as const;

export const workersVi: Record<keyof typeof workersEn, string> = {
  workersJobNotFound: 'Không tìm thấy công việc "{id}".',
  workersLockLost:
    'Công việc "{id}" không còn được khóa cho worker "{worker}" của khóa API này: thời hạn khóa đã hết, hoặc một worker khác đã lấy nó sau đó. Không có gì thay đổi; hãy lấy việc lại (mã công việc giữ nguyên, nên có thể dựa vào đó để nhận ra việc đã làm rồi).',
  workersAttemptOver:
    'Lần thử {attempt} của công việc "{id}" đã kết thúc: công việc đang ở lần thử {current} (thời hạn khóa đã hết và nó đã được lấy lại, có thể bởi chính worker này). Không có gì thay đổi; lần thử hiện tại sẽ tự báo kết quả của nó.',
  workersJobEnded: 'Công việc "{id}" đã kết thúc ({status}); không có gì thay đổi.',
  workersJobStatus_done: 'đã hoàn thành',
  workersJobStatus_cancelled: 'đã hủy',
  workersJobStatus_failed: 'thất bại, thành sự cố',
  workersJobNotWaited:
    'Phiên quy trình "{instance}" không còn chờ công việc "{id}" (phiên đã đi tiếp, hoặc bị dừng vì sự cố): công việc đã kết thúc và kết quả không được dùng.',
  workersInstanceBusy:
    'Phiên quy trình "{instance}" liên tục đi tiếp ở một nhánh khác trong lúc công việc "{id}" đang được hoàn tất: không có gì thay đổi, và công việc vẫn được khóa cho worker này. Hãy gửi lại đúng yêu cầu đó.',
  workersTooManyWaiting:
    'Có quá nhiều worker đang chờ việc trên máy chủ này; hãy lấy việc lại sau vài giây, hoặc với waitSeconds ngắn hơn.',
  workersCompanyWaiting:
    'Công ty này đã có {max} yêu cầu đang chờ việc trên máy chủ này; hãy lấy việc lại sau vài giây, hoặc với waitSeconds ngắn hơn.',
  workersKeyWaiting:
    'Khóa API này đã có {max} yêu cầu đang chờ việc; hãy chạy ít yêu cầu cùng lúc hơn với khóa này (mỗi worker một yêu cầu là đủ), hoặc lấy việc lại sau vài giây.',
};
