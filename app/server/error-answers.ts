/**
 * What a caller is told when a command fails, whatever carries the answer: tRPC for the app
 * (trpc/error-map.ts) and JSON over HTTP for outside systems (api/http.ts) answer the same failure
 * with the same code and message. AppErrors keep their code and message; engine errors map by code
 * through one table; a lost database connection is a retryable SERVICE_UNAVAILABLE; a unique
 * violation a CONFLICT, a serialization failure or deadlock a retryable one. Anything else is an
 * internal error: logged here in full under a short reference and answered with that reference only.
 * No SQL, stack or driver message ever reaches a caller. Knows no transport.
 */
import { translator, type Locale } from '@/app/_i18n/messages';
import { AppError, connectionLost, databaseErrorCode, isAppError, isStalePlan, type AppErrorCode } from './errors';

/** The codes a caller may be answered with: AppError's, and those only the mapping gives. tRPC's names, so both transports speak alike. */
export type AnswerCode = AppErrorCode | 'PAYLOAD_TOO_LARGE' | 'TOO_MANY_REQUESTS' | 'INTERNAL_SERVER_ERROR';

/** The HTTP status of each code (tRPC's own, getHTTPStatusCodeFromError, agrees). */
export const HTTP_STATUS: Readonly<Record<AnswerCode, number>> = {
  BAD_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PRECONDITION_FAILED: 412,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
  INTERNAL_SERVER_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

/**
 * The code of each engine error code, compared as strings so the engine may add codes without this
 * file knowing them first (UNKNOWN_ENGINE_ERROR applies until it does). Engine messages name the
 * element or event and carry no internals, so they are passed on, except INTERNAL's.
 */
export const ENGINE_ERROR_CODES: Readonly<Record<string, AnswerCode>> = {
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
const UNKNOWN_ENGINE_ERROR: AnswerCode = 'BAD_REQUEST';

/** PostgreSQL's unique_violation: a row someone else wrote at the same moment. */
const UNIQUE_VIOLATION = '23505';
/** serialization_failure and deadlock_detected: the transaction was rolled back whole; sending the command again is safe. */
const RETRYABLE_CONFLICTS: ReadonlySet<string> = new Set(['40001', '40P01']);

/**
 * A failure as the caller is told it. `cause` is what a transport reads fields, retryable and
 * details from: the AppError (made here for a database conflict or a lost connection) or the
 * engine's error.
 */
export interface Answer {
  code: AnswerCode;
  message: string;
  cause: AppError | EngineLikeError;
}

/** An EngineError by its name and code (never by class: the engine may be bundled twice). */
export type EngineLikeError = Error & { code: string };

/**
 * The answer to a failure the server recognises — an AppError, a lost connection, an engine
 * refusal, a database conflict — or null for anything else, which is internal (internalAnswer).
 * `locale`: the caller's language, for the messages worded here.
 */
export function knownAnswer(error: unknown, locale: Locale): Answer | null {
  const appError = isAppError(error) ? error : connectionLost(error);
  if (appError) return fromAppError(appError);
  if (isEngineError(error)) {
    const code = ENGINE_ERROR_CODES[error.code] ?? UNKNOWN_ENGINE_ERROR;
    return code === 'INTERNAL_SERVER_ERROR' ? null : { code, message: error.message, cause: error };
  }
  const t = translator(locale);
  const sqlState = databaseErrorCode(error);
  if (sqlState === UNIQUE_VIOLATION)
    return fromAppError(new AppError('CONFLICT', t('errConcurrentChange'), undefined, { cause: error }));
  if ((sqlState && RETRYABLE_CONFLICTS.has(sqlState)) || isStalePlan(error))
    return fromAppError(
      new AppError('CONFLICT', t('errConcurrentRetry'), undefined, { retryable: true, cause: error }),
    );
  return null;
}

/**
 * An internal error's answer: `error` is logged in full under a fresh reference (`where`, e.g. the
 * procedure's path or the route, says where it happened), and the caller gets the reference only.
 */
export function internalAnswer(
  error: unknown,
  locale: Locale,
  where?: string,
): { code: 'INTERNAL_SERVER_ERROR'; message: string; reference: string } {
  const reference = globalThis.crypto.randomUUID().slice(0, 8);
  console.error(`Server error ${reference}${where ? ` in ${where}` : ''}:`, error);
  return { code: 'INTERNAL_SERVER_ERROR', message: translator(locale)('errServer', { reference }), reference };
}

function fromAppError(error: AppError): Answer {
  return { code: error.code, message: error.message, cause: error };
}

function isEngineError(error: unknown): error is EngineLikeError {
  return (
    error instanceof Error && error.name === 'EngineError' && typeof (error as { code?: unknown }).code === 'string'
  );
}
