/**
 * Accounts and sessions: better-auth over our own tables (users, sessions, accounts,
 * verifications) through its drizzle adapter, on PGlite and PostgreSQL alike. Email + password,
 * hashed with argon2id (passwords.ts); sessions in the database behind an httpOnly, SameSite=Lax
 * cookie (Secure in production); password reset links through the outbox (system-mail.ts), their
 * tokens stored only as SHA-256 hashes. Links in emails point at BETTER_AUTH_URL (required in
 * production); redirectTo must be a path on it.
 *
 * Accounts are made only by our sign-up (sign-up.ts: the account and its company, whole or not at
 * all): better-auth's public /sign-up/email route is switched off.
 *
 * Limits, counted in the database so every app process shares them (rate-limit.ts), in hooks that
 * run for the HTTP routes and for the server actions' auth.api calls alike:
 * - sign-in: 5 attempts a minute per client address and email, and 20 per 15 minutes per email
 *   from any address; an attempt is counted BEFORE the password is checked (so parallel requests
 *   cannot all pass) and given back when it succeeds;
 * - password reset requests: 3 per 15 minutes per email, 10 per 15 minutes per address;
 * - sign-ups: 10 an hour per address;
 * - better-auth's own per-address limits on its HTTP routes.
 * The client address comes from X-Forwarded-For only when TRELLIS_TRUSTED_PROXY says a proxy sets
 * it (env.ts); otherwise every client is one unknown address.
 *
 * CSRF: better-auth checks Origin (and Fetch Metadata) on its HTTP routes — on in tests too,
 * where it is off by default; tRPC mutations are checked in app/api/trpc (csrf.ts).
 */
import { betterAuth } from 'better-auth';
import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { APIError, createAuthMiddleware, getIP, isAPIError } from 'better-auth/api';
import { nextCookies } from 'better-auth/next-js';
import type { Executor } from '@/db/client';
import { accounts, sessions, users, verifications } from '@/db/schema';
import { translator, type Locale } from '../_i18n/messages';
import { authBaseURL, authSecret, emailSettings, ipAddressOptions, readEnv, type EmailSettings } from './env';
import { hashPassword, verifyPassword } from './passwords';
import { clearRateLimit, consumeRateLimit, refundRateLimit, type RateRule } from './rate-limit';
import { queueSystemEmail, sendSystemEmail } from './services/system-mail';

/** Sign-in attempts allowed per client address and email before the rest of the minute is refused. */
export const SIGN_IN_FAILURES: RateRule = { window: 60, max: 5 };
/** Failed sign-ins allowed per email from all addresses together (rotating addresses does not help). */
export const SIGN_IN_FAILURES_PER_EMAIL: RateRule = { window: 15 * 60, max: 20 };
/** Password reset requests per email, and per client address. */
export const RESET_REQUESTS_PER_EMAIL: RateRule = { window: 15 * 60, max: 3 };
export const RESET_REQUESTS_PER_ADDRESS: RateRule = { window: 15 * 60, max: 10 };
/** Sign-ups per client address. */
export const SIGN_UPS_PER_ADDRESS: RateRule = { window: 60 * 60, max: 10 };
/** How long a password reset link works. */
export const RESET_TOKEN_SECONDS = 60 * 60;
export const SESSION_SECONDS = 60 * 60 * 24 * 7;

export interface AuthOptions {
  /** Default: BETTER_AUTH_SECRET (or the development fallback). */
  secret?: string;
  /** Default: BETTER_AUTH_URL (required in production), else each request's own origin. */
  baseURL?: string;
  /** Default: TRELLIS_TRUSTED_PROXY (see env.ts). */
  trustedProxy?: string;
  /** Where reset emails go out; default: the environment's SMTP settings. */
  email?: EmailSettings;
}

function createAuth(db: Executor, options: AuthOptions = {}) {
  const env = readEnv();
  const production = process.env.NODE_ENV === 'production';
  const email = options.email ?? emailSettings(env);
  const baseURL = options.baseURL ?? authBaseURL(env) ?? undefined;
  const ipAddress = ipAddressOptions(
    options.trustedProxy === undefined ? env : { ...env, TRELLIS_TRUSTED_PROXY: options.trustedProxy },
  );

  type HookContext = { request?: Request | undefined; headers?: Headers | undefined; body?: unknown };
  const address = (ctx: HookContext) => clientAddress(ctx.request ?? ctx.headers, { advanced: { ipAddress } });
  const emailOf = (ctx: HookContext) =>
    String((ctx.body as { email?: unknown } | undefined)?.email ?? '')
      .trim()
      .toLowerCase();
  const signInKeys = (ctx: HookContext) => ({
    pair: `sign-in-failed:${address(ctx)}:${emailOf(ctx)}`,
    email: `sign-in-failed-email:${emailOf(ctx)}`,
  });
  /** Counts one attempt against each key in turn; refused by one, the ones already counted are given back. */
  const consumeAll = async (limits: [string, RateRule][]) => {
    for (let i = 0; i < limits.length; i++) {
      const [key, rule] = limits[i]!;
      const decision = await consumeRateLimit(db, key, rule);
      if (!decision.allowed) {
        for (const [counted] of limits.slice(0, i)) await refundRateLimit(db, counted);
        return decision;
      }
    }
    return { allowed: true, retryAfter: null };
  };
  const tooMany = (code: string, what: string, retryAfter: number | null) =>
    new APIError(
      'TOO_MANY_REQUESTS',
      { code, message: `${what}: try again in ${retryAfter ?? 60} seconds.` },
      { 'Retry-After': String(retryAfter ?? 60) },
    );

  return betterAuth({
    appName: 'Trellis',
    secret: options.secret ?? authSecret(env),
    ...(baseURL ? { baseURL } : {}),
    // Accounts come only from sign-up.ts (which makes or joins a company): no public sign-up route.
    disabledPaths: ['/sign-up/email'],
    database: drizzleAdapter(db, {
      provider: 'pg',
      schema: { user: users, session: sessions, account: accounts, verification: verifications },
      transaction: true,
    }),
    user: {
      fields: { name: 'displayName' },
      additionalFields: { locale: { type: 'string', required: false, input: false } },
    },
    session: {
      expiresIn: SESSION_SECONDS,
      updateAge: 60 * 60 * 24,
      additionalFields: { activeTenantId: { type: 'string', required: false, input: false } },
    },
    // Reset tokens are kept as SHA-256 hashes: a copy of the verifications table opens no account.
    verification: { storeIdentifier: 'hashed' },
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      autoSignIn: true,
      password: { hash: hashPassword, verify: verifyPassword },
      resetPasswordTokenExpiresIn: RESET_TOKEN_SECONDS,
      revokeSessionsOnPasswordReset: true,
      async sendResetPassword({ user, token, url }) {
        const locale: Locale = (user as { locale?: string }).locale === 'en' ? 'en' : 'vi';
        const t = translator(locale);
        const link = `${appOrigin(url, baseURL)}/reset-password?token=${encodeURIComponent(token)}`;
        const { id } = await queueSystemEmail(db, {
          tenantId: null,
          to: user.email,
          subject: t('resetEmailSubject'),
          text: t('resetEmailText', { name: user.name, link, minutes: String(RESET_TOKEN_SECONDS / 60) }),
        });
        // Not awaited: how long the SMTP server takes must not tell whether the address has an account.
        void sendSystemEmail(db, id, email).catch((error: unknown) =>
          console.error('password reset email:', (error as Error).message),
        );
      },
    },
    rateLimit: {
      enabled: true,
      window: 60,
      max: 100,
      customRules: {
        '/sign-in/email': { window: 60, max: 20 },
        '/sign-up/email': { window: 60, max: 10 },
        '/request-password-reset': { window: 60, max: 5 },
        '/reset-password': { window: 60, max: 10 },
      },
      customStorage: { consume: (key, rule) => consumeRateLimit(db, `better-auth:${key}`, rule) },
    },
    advanced: {
      database: { generateId: 'uuid' },
      ipAddress,
      cookiePrefix: 'trellis',
      useSecureCookies: production,
      defaultCookieAttributes: { httpOnly: true, sameSite: 'lax', path: '/' },
      // better-auth turns its origin check off under test runners: we test it, so keep it on.
      disableOriginCheck: false,
      disableCSRFCheck: false,
    },
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path === '/sign-in/email') {
          const keys = signInKeys(ctx);
          const decision = await consumeAll([
            [keys.pair, SIGN_IN_FAILURES],
            [keys.email, SIGN_IN_FAILURES_PER_EMAIL],
          ]);
          if (!decision.allowed)
            throw tooMany('TOO_MANY_FAILED_SIGN_INS', 'Too many failed sign-ins', decision.retryAfter);
        } else if (ctx.path === '/request-password-reset') {
          const redirectTo = (ctx.body as { redirectTo?: unknown } | undefined)?.redirectTo;
          if (redirectTo !== undefined && !allowedRedirect(redirectTo, baseURL)) {
            throw new APIError('BAD_REQUEST', {
              code: 'INVALID_REDIRECT_URL',
              message: `redirectTo must be a path on ${baseURL ?? 'this app'}.`,
            });
          }
          const decision = await consumeAll([
            [`reset-request-address:${address(ctx)}`, RESET_REQUESTS_PER_ADDRESS],
            [`reset-request-email:${emailOf(ctx)}`, RESET_REQUESTS_PER_EMAIL],
          ]);
          if (!decision.allowed)
            throw tooMany('TOO_MANY_RESET_REQUESTS', 'Too many password reset requests', decision.retryAfter);
        } else if (ctx.path === '/sign-up/email') {
          const decision = await consumeRateLimit(db, `sign-up-address:${address(ctx)}`, SIGN_UPS_PER_ADDRESS);
          if (!decision.allowed) throw tooMany('TOO_MANY_SIGN_UPS', 'Too many sign-ups', decision.retryAfter);
        }
      }),
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== '/sign-in/email') return;
        const keys = signInKeys(ctx);
        const returned = ctx.context.returned;
        if (!isAPIError(returned)) {
          // Signed in: the attempt was no failure.
          await clearRateLimit(db, keys.pair);
          await refundRateLimit(db, keys.email);
        } else if (returned.statusCode !== 401 && returned.statusCode !== 429) {
          // Refused before the password was checked (a malformed request): not a guess either.
          await refundRateLimit(db, keys.pair);
          await refundRateLimit(db, keys.email);
        }
      }),
    },
    plugins: [nextCookies()],
    telemetry: { enabled: false },
  });
}

/**
 * Where links in account emails point: BETTER_AUTH_URL whenever it is set (always in production);
 * in development only, the origin of the page that asked (the absolute redirectTo the reset form
 * sends, which better-auth puts in `url` as callbackURL).
 */
function appOrigin(url: string, baseURL: string | undefined): string {
  if (baseURL) return new URL(baseURL).origin;
  const parsed = new URL(url, 'http://localhost:3000');
  const callback = parsed.searchParams.get('callbackURL');
  return callback && /^https?:\/\//.test(callback) ? new URL(callback).origin : parsed.origin;
}

/** A reset form's redirectTo: a path on this site, or an absolute URL on BETTER_AUTH_URL's origin (any http(s) URL in development without it). */
export function allowedRedirect(redirectTo: unknown, baseURL: string | undefined): boolean {
  if (typeof redirectTo !== 'string' || redirectTo.length > 2000 || /[\s\\]/.test(redirectTo)) return false;
  if (redirectTo.startsWith('/')) return !redirectTo.startsWith('//');
  let url: URL;
  try {
    url = new URL(redirectTo);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  return baseURL ? url.origin === new URL(baseURL).origin : true;
}

/** The client address of a request for rate limits: from X-Forwarded-For only as TRELLIS_TRUSTED_PROXY allows, else "unknown". */
export function clientAddress(source: Request | Headers | undefined, options: Parameters<typeof getIP>[1]): string {
  return (source && getIP(source, options)) || 'unknown';
}

export type Auth = ReturnType<typeof createAuth>;

/** The auth instance of a database handle (one per handle, made on first use). */
const instances = ((globalThis as unknown as { __trellisAuth?: WeakMap<object, Auth> }).__trellisAuth ??=
  new WeakMap());

export function getAuth(db: Executor, options?: AuthOptions): Auth {
  if (options) return createAuth(db, options);
  let auth = instances.get(db);
  if (!auth) {
    auth = createAuth(db);
    instances.set(db, auth);
  }
  return auth;
}

/**
 * Whether a password reset link's token would still be accepted (unused, unexpired), so the reset
 * page can say so when it opens instead of on submit. The same lookup better-auth's own
 * GET /reset-password/:token check makes (it hashes the token, as stored); resetPassword still
 * checks again when the form is sent (the link may expire in between).
 */
export async function resetTokenWorks(db: Executor, token: string): Promise<boolean> {
  if (!token || token.length > 200) return false;
  const context = await getAuth(db).$context;
  const verification = await context.internalAdapter.findVerificationValue(`reset-password:${token}`);
  return !!verification && verification.expiresAt > new Date();
}
