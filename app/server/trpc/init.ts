/**
 * tRPC set-up: the context (database + actor, resolved before any handler), the procedures
 * the routers may use, and the one place where server errors become tRPC errors.
 */
import { initTRPC, TRPCError } from '@trpc/server';
import type { Executor } from '@/db/client';
import type { MemberRole } from '@/db/schema';
import type { AccessAction } from '@/app/_i18n/messages-access';
import { translator } from '@/app/_i18n/messages';
import { resolveActor, type Actor, type Locale } from '../actor';
import type { EmailSettings } from '../env';
import { AppError, isAppError, isUuid, type ErrorDetails, type FieldError } from '../errors';
import { reservedKeyPath } from '../input-keys';
import { changesInboxes, inboxChanged } from '../services/inbox-signal';
import { callerMessage, toCallerError } from './error-map';

export interface Context {
  db: Executor;
  actor: Actor | null;
  /** The signed-in account, whether or not it belongs to a company (`actor` is its membership in the active one). */
  userId?: string;
  /** The signed-in browser session (better-auth's session id); unset for callers built in tests. */
  sessionId?: string;
  locale: Locale;
  /** The SMTP server commands send through (outbox.send); unset: the environment's (TRELLIS_SMTP_URL, TRELLIS_MAIL_FROM). */
  email?: EmailSettings;
}

/** Builds a context without a request, so tests call routers through createCaller. */
/**
 * `locale`: the language asked for (the switch's cookie), which wins; else the actor's remembered
 * choice (users.locale); else `fallbackLocale` (the browser's Accept-Language); else Vietnamese.
 */
export async function createContextInner(opts: {
  db: Executor;
  userId: string | null;
  tenantId?: string | null;
  locale?: Locale;
  fallbackLocale?: Locale;
  email?: EmailSettings;
  sessionId?: string;
}): Promise<Context> {
  const tenantId = opts.tenantId && isUuid(opts.tenantId) ? opts.tenantId : null;
  // A tenant id that is not a uuid names no company the user belongs to: nobody.
  const actor =
    opts.userId && isUuid(opts.userId) && (opts.tenantId == null || tenantId)
      ? await resolveActor(opts.db, opts.userId, opts.locale, tenantId, opts.fallbackLocale)
      : null;
  const userId = opts.userId && isUuid(opts.userId) ? opts.userId : null;
  return {
    db: opts.db,
    actor,
    ...(userId ? { userId } : {}),
    locale: opts.locale ?? actor?.locale ?? opts.fallbackLocale ?? 'vi',
    ...(opts.email ? { email: opts.email } : {}),
    ...(opts.sessionId ? { sessionId: opts.sessionId } : {}),
  };
}

/**
 * Who may call a procedure. Every procedure declares one: the builders below set it as the
 * procedure's meta, and `authorize` enforces it before any handler runs, so the declaration and
 * the check cannot drift apart. The access matrix test (test/integration/access-matrix.test.ts)
 * reads it from the router. Per-record rules (a task offered to the caller, an instance they
 * started) are the services' — checked after the procedure's access.
 */
export type Access =
  /** Anyone, signed in or not. */
  | 'public'
  /** Signed in, a member of any company or of none (accepting an invitation). */
  | 'account'
  /** Any member of the active company, read-only auditors included. */
  | 'member'
  /** Members who do work: everyone but auditors. */
  | 'worker'
  /** Designers (processes, forms, templates) and admins. */
  | 'designer'
  /** Company admins only (members, settings). */
  | 'admin';

export interface Meta {
  access: Access;
  /** For `designer` and `admin`: the action "Only an admin may …" names, in the caller's language. */
  action?: AccessAction;
}

/** Whether a member with `role` passes `access` (signed in; the company is the actor's). */
export function allows(access: Access, role: MemberRole): boolean {
  switch (access) {
    case 'public':
    case 'account':
    case 'member':
      return true;
    case 'worker':
      return role !== 'auditor';
    case 'designer':
      return role === 'designer' || role === 'admin';
    case 'admin':
      return role === 'admin';
  }
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    errorFormatter({ shape, error, ctx, path }) {
      const cause = error.cause as { fields?: FieldError[]; retryable?: boolean } | undefined;
      // An internal error no procedure reported (e.g. while making the context) is logged and answered with a reference.
      const message = callerMessage(error, ctx?.locale ?? 'vi', path);
      // Details only from an AppError, which words them for the caller (another error's `details` could be anything).
      const details: ErrorDetails | null = isAppError(error.cause) ? (error.cause.details ?? null) : null;
      return {
        ...shape,
        message,
        data: {
          ...shape.data,
          stack: undefined,
          fields: cause?.fields ?? null,
          retryable: cause?.retryable ?? false,
          details,
        },
      };
    },
  });

/**
 * Maps AppError and EngineError codes to tRPC codes (a table, error-map.ts), a lost database
 * connection to a retryable SERVICE_UNAVAILABLE, database conflicts to CONFLICT; anything else is
 * an internal error, logged with a reference and answered with the reference only.
 */
const mapErrors = t.middleware(async ({ ctx, path, next }) => {
  const result = await next();
  if (!result.ok) {
    const error = toCallerError(result.error, ctx.locale, path);
    if (error !== result.error) throw error;
  }
  return result;
});

/** Refuses a `__proto__` field anywhere in the input (input-keys.ts) before a schema silently drops it. */
const refuseReservedKeys = t.middleware(async ({ ctx, getRawInput, next }) => {
  let raw: unknown;
  try {
    raw = await getRawInput();
  } catch {
    // Unreadable input (a body that is not JSON): the procedure's input parser refuses it, or it takes none.
    return next();
  }
  const field = reservedKeyPath(raw);
  if (field === null) return next();
  const message = translator(ctx.locale)('errReservedFieldName', { field });
  throw new AppError('BAD_REQUEST', message, [{ field, label: field, message }]);
});

/** The one place access is enforced, from the procedure's declared `meta.access`. */
const authorize = t.middleware(({ ctx, meta, next }) => {
  if (!meta?.access)
    throw new TRPCError({
      code: 'INTERNAL_SERVER_ERROR',
      message: 'This procedure declares no access; build it from the procedures of app/server/trpc/init.ts.',
    });
  if (meta.access === 'public') return next();
  if (meta.access === 'account') {
    if (!ctx.userId) throw signInFirst(ctx);
    return next();
  }
  if (!ctx.actor) throw signInFirst(ctx);
  if (!allows(meta.access, ctx.actor.role))
    throw new TRPCError({ code: 'FORBIDDEN', message: deniedMessage(meta, ctx) });
  return next();
});

/** The refusals speak the caller's language (ctx.locale), like the services' errors. */
function signInFirst(ctx: Context): TRPCError {
  return new TRPCError({ code: 'UNAUTHORIZED', message: translator(ctx.locale)('accessSignIn') });
}

function deniedMessage(meta: Meta, ctx: Context): string {
  const t = translator(ctx.locale);
  if (meta.access === 'worker') return t('accessAuditorReadOnly');
  // Every admin and designer builder takes an action; a meta without one is a wiring mistake, still refused.
  const action = meta.action ? t(meta.action) : '…';
  return t(meta.access === 'designer' ? 'accessDesignerOnly' : 'accessAdminOnly', { action });
}

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/**
 * After a command that succeeded and may have changed a list (changesInboxes: a task, an instance,
 * a delegation, a department's members…), the company's live inboxes look again (inbox-signal.ts).
 */
const liveInboxes = t.middleware(async ({ ctx, type, path, next }) => {
  const result = await next();
  if (type === 'mutation' && result.ok && ctx.actor && changesInboxes(path)) inboxChanged(ctx.actor.tenantId);
  return result;
});

// Not exported: every procedure starts from one of the builders below, each with its declaration.
const declared = t.procedure.use(mapErrors).use(authorize).use(refuseReservedKeys).use(liveInboxes);

/** Anyone, signed in or not. */
export const publicProcedure = declared.meta({ access: 'public' });

/** Signed in, whether or not a member of any company: `ctx.userId` is the account (invitation.accept). */
export const accountProcedure = declared.meta({ access: 'account' }).use(({ ctx, next }) => {
  if (!ctx.userId) throw signInFirst(ctx);
  return next({ ctx: { ...ctx, userId: ctx.userId } });
});

/** Narrows the context to a signed-in actor (authorize has checked already: a second wall). */
const signedIn = declared.use(({ ctx, next }) => {
  if (!ctx.actor) throw signInFirst(ctx);
  return next({ ctx: { ...ctx, actor: ctx.actor } });
});

/** Signed in and a member of the active company (auditors included). */
export const memberProcedure = signedIn.meta({ access: 'member' });

/** Company admins only (which also rules out auditors); `action` (a translation key) completes "Only an admin may …". */
export const adminProcedure = (action: AccessAction) => signedIn.meta({ access: 'admin', action });

/** Designers and admins (processes, forms, templates); `action` (a translation key) completes "Only a designer or an admin may …". */
export const designerProcedure = (action: AccessAction) => signedIn.meta({ access: 'designer', action });

/** Members who do work: everyone but read-only auditors. */
export const workerProcedure = signedIn.meta({ access: 'worker' });
