/**
 * Technical and access failures of the server layer, mapped to tRPC codes in one place
 * (trpc/init.ts). Compare by `code`, never by class, across boundaries.
 */
export type AppErrorCode = 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'BAD_REQUEST';

export interface FieldError {
  /** Path of the field in the submitted data, e.g. "amount" or "items.2.price". */
  field: string;
  /** The field's label in the caller's language. */
  label: string;
  message: string;
}

export class AppError extends Error {
  override readonly name = 'AppError';
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly fields?: FieldError[],
  ) {
    super(message);
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof Error && error.name === 'AppError' && typeof (error as AppError).code === 'string';
}
