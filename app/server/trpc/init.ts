/**
 * tRPC set-up: the context (database + actor, resolved before any handler), the procedures
 * the routers may use, and the one place where server errors become tRPC errors.
 */
import { initTRPC, TRPCError } from '@trpc/server';
import type { Executor } from '@/db/client';
import { EngineError } from '@/engine';
import { resolveActor, type Actor, type Locale } from '../actor';
import type { EmailSettings } from '../env';
import { connectionLost, isAppError, type FieldError } from '../errors';

export interface Context {
  db: Executor;
  actor: Actor | null;
  locale: Locale;
  /** The SMTP server commands send through (outbox.send); unset: the environment's (TRELLIS_SMTP_URL, TRELLIS_MAIL_FROM). */
  email?: EmailSettings;
}

/** Builds a context without a request, so tests call routers through createCaller. */
export async function createContextInner(opts: { db: Executor; userId: string | null; locale?: Locale; email?: EmailSettings }): Promise<Context> {
  const actor = opts.userId && isUuid(opts.userId) ? await resolveActor(opts.db, opts.userId, opts.locale) : null;
  return { db: opts.db, actor, locale: opts.locale ?? actor?.locale ?? 'vi', ...(opts.email ? { email: opts.email } : {}) };
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const cause = error.cause as { fields?: FieldError[]; retryable?: boolean } | undefined;
    return { ...shape, data: { ...shape.data, stack: undefined, fields: cause?.fields ?? null, retryable: cause?.retryable ?? false } };
  },
});

/**
 * Maps AppError and EngineError codes to tRPC codes, and a lost database connection to a
 * retryable SERVICE_UNAVAILABLE; anything else stays an internal error.
 */
const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    const appError = isAppError(cause) ? cause : connectionLost(cause);
    if (appError) throw new TRPCError({ code: appError.code, message: appError.message, cause: appError });
    if (cause instanceof EngineError) throw new TRPCError({ code: cause.code === 'ELEMENT_NOT_ACTIVE' ? 'CONFLICT' : 'INTERNAL_SERVER_ERROR', message: cause.message, cause });
  }
  return result;
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(mapErrors);

/** Signed in and a member of a company. */
export const memberProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.actor) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in to continue.' });
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});

/** Company admins only (which also rules out auditors); `action` completes "Only an admin may …". */
export const adminProcedure = (action: string) =>
  memberProcedure.use(({ ctx, next }) => {
    if (ctx.actor.role !== 'admin') throw new TRPCError({ code: 'FORBIDDEN', message: `Only an admin may ${action}.` });
    return next();
  });

/** Members who do work: everyone but read-only auditors. */
export const workerProcedure = memberProcedure.use(({ ctx, next }) => {
  if (ctx.actor.role === 'auditor') throw new TRPCError({ code: 'FORBIDDEN', message: 'Auditors have read-only access.' });
  return next();
});
