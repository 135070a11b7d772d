/**
 * What a caller is told when a procedure fails (used by trpc/init.ts, in one middleware and in the
 * error formatter). AppErrors keep their code and message; engine errors map by code through a
 * table; database conflicts become CONFLICT; anything else is an internal error: logged here in
 * full under a short reference, and answered with that reference only. No SQL, stack or driver
 * message ever reaches a caller.
 */
import { TRPCError, type TRPC_ERROR_CODE_KEY } from '@trpc/server';
import { translator, type Locale } from '@/app/_i18n/messages';
import { AppError, connectionLost, databaseErrorCode, isAppError, isStalePlan } from '../errors';

/**
 * The tRPC code of each engine error code, compared as strings so the engine may add codes
 * without this file knowing them first (UNKNOWN_ENGINE_ERROR applies until it does). Engine
 * messages name the element or event and carry no internals, so they are passed on, except INTERNAL's.
 */
export const ENGINE_ERROR_CODES: Readonly<Record<string, TRPC_ERROR_CODE_KEY>> = {
  // The instance moved on (another command got there first): reload and decide again.
  ELEMENT_NOT_ACTIVE: 'CONFLICT',
  EVENT_NOT_ACCEPTED: 'CONFLICT',
  INSTANCE_NOT_ACTIVE: 'CONFLICT',
  DEFINITION_MISMATCH: 'CONFLICT',
  // What was sent cannot run: fix it and send it again.
  INVALID_DEFINITION: 'BAD_REQUEST',
  INVALID_STATE: 'BAD_REQUEST',
  BUDGET_EXCEEDED: 'BAD_REQUEST',
  CALL_DEPTH_EXCEEDED: 'BAD_REQUEST',
  VARIABLES_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
};

/** Engine errors are refusals of what a command asked for; a code not in the table yet is one too. */
const UNKNOWN_ENGINE_ERROR: TRPC_ERROR_CODE_KEY = 'BAD_REQUEST';

/** PostgreSQL's unique_violation: a row someone else wrote at the same moment. */
const UNIQUE_VIOLATION = '23505';
/** serialization_failure and deadlock_detected: the transaction was rolled back whole; sending the command again is safe. */
const RETRYABLE_CONFLICTS: ReadonlySet<string> = new Set(['40001', '40P01']);

/** Internal errors already logged and answered with a reference (the formatter must not log them again). */
const reported = new WeakSet<TRPCError>();

/** The error a caller sees for a failed procedure: `error` itself when it is already fit to be seen. */
export function toCallerError(error: TRPCError, locale: Locale, path?: string): TRPCError {
  const cause = error.cause;
  const appError = isAppError(cause) ? cause : connectionLost(cause);
  if (appError) return new TRPCError({ code: appError.code, message: appError.message, cause: appError });
  if (isEngineError(cause)) {
    const code = ENGINE_ERROR_CODES[cause.code] ?? UNKNOWN_ENGINE_ERROR;
    return code === 'INTERNAL_SERVER_ERROR'
      ? internal(error, locale, path)
      : new TRPCError({ code, message: cause.message, cause });
  }
  const t = translator(locale);
  const sqlState = databaseErrorCode(cause);
  if (sqlState === UNIQUE_VIOLATION)
    return fromAppError(new AppError('CONFLICT', t('errConcurrentChange'), undefined, { cause }));
  if ((sqlState && RETRYABLE_CONFLICTS.has(sqlState)) || isStalePlan(cause)) {
    return fromAppError(new AppError('CONFLICT', t('errConcurrentRetry'), undefined, { retryable: true, cause }));
  }
  // Refusals thrown as TRPCError on purpose (input validation, access) are already fit to be seen.
  if (error.code !== 'INTERNAL_SERVER_ERROR') return error;
  return internal(error, locale, path);
}

/**
 * For the error formatter, the last wall (errors raised outside any procedure, e.g. while making
 * the context): the message to send for `error`, generic with a reference for an internal error
 * that no procedure reported yet.
 */
export function callerMessage(error: TRPCError, locale: Locale, path?: string): string {
  if (error.code !== 'INTERNAL_SERVER_ERROR' || reported.has(error)) return error.message;
  return internal(error, locale, path).message;
}

function internal(error: TRPCError, locale: Locale, path?: string): TRPCError {
  const reference = globalThis.crypto.randomUUID().slice(0, 8);
  const original = error.cause ?? error;
  console.error(`Server error ${reference}${path ? ` in ${path}` : ''}:`, original);
  const message = translator(locale)('errServer', { reference });
  const answer = new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message, cause: original });
  reported.add(answer);
  return answer;
}

function fromAppError(appError: AppError): TRPCError {
  return new TRPCError({ code: appError.code, message: appError.message, cause: appError });
}

/** An EngineError by its name and code (never by class: the engine may be bundled twice). */
function isEngineError(error: unknown): error is Error & { code: string } {
  return (
    error instanceof Error && error.name === 'EngineError' && typeof (error as { code?: unknown }).code === 'string'
  );
}
