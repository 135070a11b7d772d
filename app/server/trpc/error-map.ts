/**
 * What a caller is told when a procedure fails (used by trpc/init.ts, in one middleware and in the
 * error formatter): the answers every transport gives (error-answers.ts) as TRPCErrors. Refusals a
 * procedure throws as TRPCError on purpose (input validation, access) pass unchanged; anything else
 * is an internal error, logged once under a reference and answered with the reference only.
 */
import { TRPCError, type TRPC_ERROR_CODE_KEY } from '@trpc/server';
import type { Locale } from '@/app/_i18n/messages';
import { internalAnswer, knownAnswer, type AnswerCode } from '../error-answers';

export { ENGINE_ERROR_CODES } from '../error-answers';

/** Every answer code is a tRPC code of the same name (the HTTP API answers with the same names). */
const trpcCode = (code: AnswerCode): TRPC_ERROR_CODE_KEY => code satisfies TRPC_ERROR_CODE_KEY;

/** Internal errors already logged and answered with a reference (the formatter must not log them again). */
const reported = new WeakSet<TRPCError>();

/** The error a caller sees for a failed procedure: `error` itself when it is already fit to be seen. */
export function toCallerError(error: TRPCError, locale: Locale, path?: string): TRPCError {
  const answer = knownAnswer(error.cause, locale);
  if (answer) return new TRPCError({ code: trpcCode(answer.code), message: answer.message, cause: answer.cause });
  // Refusals thrown as TRPCError on purpose (input validation, access) are already fit to be seen; an engine INTERNAL is not.
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
  const original = error.cause ?? error;
  const { message } = internalAnswer(original, locale, path);
  const answer = new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message, cause: original });
  reported.add(answer);
  return answer;
}
