/**
 * Technical and access failures of the server layer, mapped to tRPC codes in one place
 * (trpc/init.ts). Compare by `code`, never by class, across boundaries.
 */
export type AppErrorCode =
  | 'UNAUTHORIZED'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'CONFLICT'
  | 'BAD_REQUEST'
  | 'PRECONDITION_FAILED'
  | 'SERVICE_UNAVAILABLE';

export interface FieldError {
  /** Path of the field in the submitted data, e.g. "amount" or "items.2.price". */
  field: string;
  /** The field's label in the caller's language. */
  label: string;
  message: string;
}

/**
 * Facts a client acts on beyond the message, as plain JSON (sent as is): e.g. a stale save's
 * current revision and who saved it when. Never internals: the caller sees every field.
 */
export type ErrorDetails = Readonly<
  Record<string, string | number | boolean | null | Readonly<Record<string, string>>>
>;

export class AppError extends Error {
  override readonly name = 'AppError';
  /** True when the same request may succeed if sent again (with the same idempotency key). */
  readonly retryable: boolean;
  readonly details?: ErrorDetails;
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly fields?: FieldError[],
    options: { retryable?: boolean; cause?: unknown; details?: ErrorDetails } = {},
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable ?? false;
    if (options.details) this.details = options.details;
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof Error && error.name === 'AppError' && typeof (error as AppError).code === 'string';
}

/**
 * The code of a driver or database error: postgres.js's own (`CONNECTION_CLOSED`, …), Node's
 * socket codes, or PostgreSQL's SQLSTATE. Looks through wrappers (drizzle's DrizzleQueryError
 * keeps the driver's error as `cause`).
 */
export function databaseErrorCode(error: unknown): string | undefined {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/**
 * A prepared statement PostgreSQL refused because a migration changed what it reads ("cached plan
 * must not change result type"). Outside a transaction the driver prepares it again by itself;
 * inside one the transaction is lost, and the command, sent again, runs with a fresh statement.
 */
export function isStalePlan(error: unknown): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const { code, routine } = e as { code?: unknown; routine?: unknown };
    if (code === '0A000' && routine === 'RevalidateCachedQuery') return true;
  }
  return false;
}

const connectionLostCodes = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

/**
 * A lost database connection as a retryable AppError, or null for any other error. Covers
 * postgres.js's connection codes, Node's socket codes, PostgreSQL's shutdown codes (57P01
 * admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now) and class 08 (connection
 * exception). The transaction was rolled back by the server — unless the connection dropped
 * during COMMIT, when the outcome is unknown: hence the advice to retry with the same key.
 */
export function connectionLost(error: unknown): AppError | null {
  const code = databaseErrorCode(error);
  if (!code || !(connectionLostCodes.has(code) || /^57P0[123]$/.test(code) || /^08[0-9A-Z]{3}$/.test(code)))
    return null;
  return new AppError(
    'SERVICE_UNAVAILABLE',
    `The connection to the database was lost (${code}) before the command finished; try again, sending the same idempotency key so it cannot run twice.`,
    undefined,
    {
      retryable: true,
      cause: error,
    },
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether a value is a uuid: ids that cannot be one name nothing (no query is made for them). */
export function isUuid(value: string | null | undefined): value is string {
  return typeof value === 'string' && UUID.test(value);
}
