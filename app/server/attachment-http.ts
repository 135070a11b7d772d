/**
 * The HTTP side of files on forms (app/api/attachments): who is calling, the limits and store the
 * environment sets, and errors as `{ code, message, fields }` (as body-limit.ts's plain refusals) with the status they mean.
 */
import 'server-only';
import { readEnv } from './env';
import { isAppError } from './errors';
import type { Actor } from './actor';
import { requestContext } from './request';
import type { Context } from './trpc/init';
import {
  databaseStore,
  DEFAULT_ATTACHMENT_LIMITS,
  folderStore,
  type AttachmentLimits,
  type AttachmentStore,
} from './services/attachments';
import { translator } from '../_i18n/messages';
import { HTTP_STATUS, type AnswerCode } from './error-answers';

export function attachmentSettings(): { limits: AttachmentLimits; store: AttachmentStore } {
  const env = readEnv();
  return {
    limits: {
      fileBytes: env.TRELLIS_MAX_FILE_BYTES ?? DEFAULT_ATTACHMENT_LIMITS.fileBytes,
      formBytes: env.TRELLIS_MAX_FORM_FILES_BYTES ?? DEFAULT_ATTACHMENT_LIMITS.formBytes,
    },
    store: env.TRELLIS_ATTACHMENTS_DIR ? folderStore(env.TRELLIS_ATTACHMENTS_DIR) : databaseStore,
  };
}

export function errorResponse(code: AnswerCode, message: string, status?: number, fields?: unknown): Response {
  return Response.json(
    { code, message, ...(fields ? { fields } : {}) },
    { status: status ?? HTTP_STATUS[code], headers: { 'Cache-Control': 'no-store' } },
  );
}

/** The caller's actor, or the 401 to answer (in their language). */
export async function signedIn(): Promise<{ refusal: Response } | { ctx: Context; actor: Actor }> {
  const ctx = await requestContext();
  if (!ctx.actor) return { refusal: errorResponse('UNAUTHORIZED', translator(ctx.locale)('accessSignIn')) };
  return { ctx, actor: ctx.actor };
}

/** An error thrown by a service, as the answer it means; anything else is rethrown. */
export function answerError(error: unknown): Response {
  if (!isAppError(error)) throw error;
  const status = typeof error.details?.httpStatus === 'number' ? error.details.httpStatus : undefined;
  return errorResponse(error.code, error.message, status, error.fields);
}

/** `attachment; filename="…"` with an ASCII stand-in and the exact name in RFC 5987 form. */
export function contentDisposition(name: string): string {
  const ascii = name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, (d) => (d === 'đ' ? 'd' : 'D'))
    .replace(/[^\x20-\x7e]|["\\%;]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
