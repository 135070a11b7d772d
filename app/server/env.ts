/** Environment, parsed once. */
import { z } from 'zod';
import type { EngineLimits, TimerLimits } from '@/engine';
import { DEFAULT_REQUEST_LIMITS, type RequestLimits } from './body-limit';
import { DEFAULT_MESSAGE_LIMITS, type MessageLimits } from './message-limits';

/** A whole number above zero, or unset (empty counts as unset). */
const positiveInteger = z.preprocess((v) => (v === '' ? undefined : v), z.coerce.number().int().positive().optional());

const schema = z.object({
  /** postgres://… to use PostgreSQL; unset for embedded PGlite. */
  DATABASE_URL: z.string().url().optional(),
  /** PGlite data folder (default .data/pglite). */
  PGLITE_DATA_DIR: z.string().optional(),
  /**
   * "demo" seeds the demo company (whose people share a published password) on first start, "off"
   * skips it. Default: "demo" in development, "off" in production (NODE_ENV=production), where the
   * demo data comes only when asked for explicitly.
   */
  TRELLIS_SEED: z.enum(['demo', 'off']).optional(),
  /** "off" when separate `trellis worker` processes run the jobs (scale-out); by default the app runs one. */
  TRELLIS_WORKER: z.enum(['on', 'off']).default('on'),
  /** Private addresses the HTTP connector and webhook deliveries may reach (IPs, CIDR ranges, host names), comma-separated; none by default. */
  TRELLIS_HTTP_ALLOW: z.string().default(''),
  /** smtp://user:pass@host:587 (or smtps://…:465) to send the email connector's mail; unset: it stays in the outbox. */
  TRELLIS_SMTP_URL: z.string().optional(),
  /** The sender of emails whose task names none, e.g. "Trellis <no-reply@example.com>". */
  TRELLIS_MAIL_FROM: z.string().optional(),
  /** "1": with TRELLIS_SMTP_URL set, the worker sends emails held in the outbox (20 a minute, those older than 10 minutes). */
  TRELLIS_SEND_HELD_MAIL: z.enum(['0', '1', '']).default('0'),
  /**
   * Signs and encrypts session cookies and tokens: at least 32 random characters
   * (`openssl rand -base64 32`). Required in production; development falls back to a fixed,
   * public value with a warning.
   */
  BETTER_AUTH_SECRET: z.string().min(32, 'must be at least 32 characters (openssl rand -base64 32)').optional(),
  /**
   * The app's public URL (https://trellis.example.com): links in account and invitation emails,
   * trusted origin. Required in production; development falls back to each request's origin.
   */
  BETTER_AUTH_URL: z.string().url().optional(),
  /**
   * Who may tell the app the client's address (for the per-address rate limits) in X-Forwarded-For:
   * unset: nobody (the header is ignored, every client counts as one unknown address); "1": the
   * header holds one address, set by a reverse proxy that replaces any client value; else the
   * proxies' addresses or CIDR ranges, comma-separated (the chain is read from the right).
   */
  TRELLIS_TRUSTED_PROXY: z.string().default(''),
  /** Instances the start timers of one process version may start within a minute (default 60); past it, the timer's schedule stops as an incident. */
  TRELLIS_MAX_TIMER_STARTS_PER_MINUTE: positiveInteger,
  /** Shortest interval of any timer cycle a publish accepts, in seconds (default 1; never zero). */
  TRELLIS_MIN_TIMER_CYCLE_SECONDS: positiveInteger,
  /** Shortest cycle interval of a timer start event a publish accepts, in seconds (default 60). */
  TRELLIS_MIN_START_TIMER_CYCLE_SECONDS: positiveInteger,
  /** Shortest interval of a timer cycle that repeats inside an instance (non-interrupting), in seconds (default 60). */
  TRELLIS_MIN_REPEATING_TIMER_CYCLE_SECONDS: positiveInteger,
  /** Most repetitions a repeating timer cycle may count, R<n>/… (default 1,000; R/… is unbounded). */
  TRELLIS_MAX_TIMER_REPETITIONS: positiveInteger,
  /** Largest request body in bytes the API, sign-in and language endpoints read (default 1 MiB); larger: 413. */
  TRELLIS_MAX_BODY_BYTES: positiveInteger,
  /** Deepest nesting of arrays and objects in a request's JSON (default 64); deeper: 400. */
  TRELLIS_MAX_JSON_DEPTH: positiveInteger,
  /** Longest request URL in characters (default 16,384; batched API queries carry their input in it); longer: 414. */
  TRELLIS_MAX_URL_LENGTH: positiveInteger,
  /** Elements one engine command may pass before it must wait (default 10,000); past it, an incident. */
  TRELLIS_MAX_STEP_ELEMENTS: positiveInteger,
  /** Expressions one engine command may evaluate (default 100,000). */
  TRELLIS_MAX_STEP_EVALUATIONS: positiveInteger,
  /** How deep call activities may nest (default 10). */
  TRELLIS_MAX_CALL_DEPTH: positiveInteger,
  /** Bytes an instance's state (its variables) may take as JSON (default 1 MiB). */
  TRELLIS_MAX_INSTANCE_BYTES: positiveInteger,
  /** Work one engine command's expressions may do in built-in functions: characters, items, regex steps (default 50,000,000). */
  TRELLIS_MAX_STEP_WORK: positiveInteger,
  /** Largest variables of a message or signal a person sends, as JSON bytes (default 65,536); larger: 400 naming `variables`. */
  TRELLIS_MAX_MESSAGE_BYTES: positiveInteger,
  /** Largest file a form's file field accepts, in bytes (default 10 MiB); larger: 413. */
  TRELLIS_MAX_FILE_BYTES: positiveInteger,
  /** Most bytes the files of one task's form (or one person's start form) may take together (default 25 MiB). */
  TRELLIS_MAX_FORM_FILES_BYTES: positiveInteger,
  /** A folder to keep uploaded files in (one file per upload, named by its id); unset: in the database. */
  TRELLIS_ATTACHMENTS_DIR: z.string().optional(),
  /** Longest time to live of a published message, in seconds (default 604,800: 7 days); longer: 400 naming `timeToLive`. */
  TRELLIS_MAX_MESSAGE_TTL_SECONDS: positiveInteger,
});

export type Env = Omit<z.infer<typeof schema>, 'TRELLIS_SEED'> & { TRELLIS_SEED: 'demo' | 'off' };

export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = schema.safeParse({
    ...source,
    DATABASE_URL: source.DATABASE_URL || undefined,
    BETTER_AUTH_SECRET: source.BETTER_AUTH_SECRET || undefined,
    BETTER_AUTH_URL: source.BETTER_AUTH_URL || undefined,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`Environment variable ${issue.path.join('.')} is invalid: ${issue.message}`);
  }
  return {
    ...parsed.data,
    TRELLIS_SEED: parsed.data.TRELLIS_SEED ?? (source.NODE_ENV === 'production' ? 'off' : 'demo'),
  };
}

/** The engine's budget per command (runtime/budget.ts) as the environment sets it; unset limits keep their defaults. */
export function engineLimits(env: Env): Partial<EngineLimits> {
  const limits: Partial<EngineLimits> = {};
  if (env.TRELLIS_MAX_STEP_ELEMENTS) limits.maxElementEntries = env.TRELLIS_MAX_STEP_ELEMENTS;
  if (env.TRELLIS_MAX_STEP_EVALUATIONS) limits.maxEvaluations = env.TRELLIS_MAX_STEP_EVALUATIONS;
  if (env.TRELLIS_MAX_CALL_DEPTH) limits.maxCallDepth = env.TRELLIS_MAX_CALL_DEPTH;
  if (env.TRELLIS_MAX_INSTANCE_BYTES) limits.maxVariableBytes = env.TRELLIS_MAX_INSTANCE_BYTES;
  if (env.TRELLIS_MAX_STEP_WORK) limits.maxWork = env.TRELLIS_MAX_STEP_WORK;
  return limits;
}

/** What a person's message or signal may carry (message-limits.ts) as the environment sets it; unset ones keep their defaults. */
export function messageLimits(env: Env): MessageLimits {
  return {
    maxBytes: env.TRELLIS_MAX_MESSAGE_BYTES ?? DEFAULT_MESSAGE_LIMITS.maxBytes,
    maxTtlSeconds: env.TRELLIS_MAX_MESSAGE_TTL_SECONDS ?? DEFAULT_MESSAGE_LIMITS.maxTtlSeconds,
  };
}

/** The request size limits (body-limit.ts) as the environment sets them; unset ones keep their defaults. */
export function requestLimits(env: Env): RequestLimits {
  return {
    maxBodyBytes: env.TRELLIS_MAX_BODY_BYTES ?? DEFAULT_REQUEST_LIMITS.maxBodyBytes,
    maxJsonDepth: env.TRELLIS_MAX_JSON_DEPTH ?? DEFAULT_REQUEST_LIMITS.maxJsonDepth,
    maxUrlLength: env.TRELLIS_MAX_URL_LENGTH ?? DEFAULT_REQUEST_LIMITS.maxUrlLength,
  };
}

/** The engine's timer floors and caps (compile/timer-limits.ts) as the environment sets them; unset ones keep their defaults. */
export function timerLimitsOf(env: Env): Partial<TimerLimits> {
  const limits: Partial<TimerLimits> = {};
  if (env.TRELLIS_MIN_TIMER_CYCLE_SECONDS) limits.minCycleSeconds = env.TRELLIS_MIN_TIMER_CYCLE_SECONDS;
  if (env.TRELLIS_MIN_START_TIMER_CYCLE_SECONDS)
    limits.minStartCycleSeconds = env.TRELLIS_MIN_START_TIMER_CYCLE_SECONDS;
  if (env.TRELLIS_MIN_REPEATING_TIMER_CYCLE_SECONDS)
    limits.minRepeatingCycleSeconds = env.TRELLIS_MIN_REPEATING_TIMER_CYCLE_SECONDS;
  if (env.TRELLIS_MAX_TIMER_REPETITIONS) limits.maxRepetitions = env.TRELLIS_MAX_TIMER_REPETITIONS;
  return limits;
}

/** The HTTP connector's allow-list from the environment. */
export function httpAllowList(env: Env): string[] {
  return env.TRELLIS_HTTP_ALLOW.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** The SMTP server and default sender, as the email connector and outbox.send take them. */
export interface EmailSettings {
  smtpUrl?: string;
  from?: string;
}

/** The email connector's server settings from the environment (empty values count as unset). */
export function emailSettings(env: Env): EmailSettings {
  const smtpUrl = env.TRELLIS_SMTP_URL?.trim();
  const from = env.TRELLIS_MAIL_FROM?.trim();
  return { ...(smtpUrl ? { smtpUrl } : {}), ...(from ? { from } : {}) };
}

/** The held-mail sweep's server settings: set when TRELLIS_SEND_HELD_MAIL=1 and an SMTP server is configured. */
export function heldMailSettings(env: Env): (EmailSettings & { smtpUrl: string }) | null {
  const settings = emailSettings(env);
  return env.TRELLIS_SEND_HELD_MAIL === '1' && settings.smtpUrl ? { ...settings, smtpUrl: settings.smtpUrl } : null;
}

/** Published in the source: only ever used outside production, where it is announced once. */
const DEVELOPMENT_SECRET = 'trellis-development-secret-do-not-use-in-production';
let warnedAboutSecret = false;

/** The session secret: BETTER_AUTH_SECRET; in production its absence stops the server. */
export function authSecret(env: Env, nodeEnv: string | undefined = process.env.NODE_ENV): string {
  if (env.BETTER_AUTH_SECRET) return env.BETTER_AUTH_SECRET;
  if (nodeEnv === 'production')
    throw new Error(
      'BETTER_AUTH_SECRET is not set: a production server refuses to start without it. Set it to at least 32 random characters (openssl rand -base64 32).',
    );
  if (!warnedAboutSecret && nodeEnv !== 'test')
    console.warn(
      'BETTER_AUTH_SECRET is not set: using the public development secret. Sessions are not safe; set it before exposing this server.',
    );
  warnedAboutSecret = true;
  return DEVELOPMENT_SECRET;
}

/**
 * The app's public URL from BETTER_AUTH_URL; in production its absence stops the server (links in
 * emails must never be built from request headers, which a client chooses). Development: null,
 * and links use the request's own origin.
 */
export function authBaseURL(env: Env, nodeEnv: string | undefined = process.env.NODE_ENV): string | null {
  if (env.BETTER_AUTH_URL) return env.BETTER_AUTH_URL.replace(/\/+$/, '');
  if (nodeEnv === 'production')
    throw new Error(
      "BETTER_AUTH_URL is not set: a production server refuses to start without it. Set it to the app's public URL (https://trellis.example.com); links in emails use it.",
    );
  return null;
}

/** better-auth's client address options from TRELLIS_TRUSTED_PROXY (see the schema above). */
export function ipAddressOptions(env: Env): { ipAddressHeaders?: string[]; trustedProxies?: string[] } {
  const value = env.TRELLIS_TRUSTED_PROXY.trim();
  // No header is read: the address is unknown (and, in development, 127.0.0.1).
  if (!value || value === '0') return { ipAddressHeaders: [] };
  if (value === '1') return { ipAddressHeaders: ['x-forwarded-for'] };
  return {
    ipAddressHeaders: ['x-forwarded-for'],
    trustedProxies: value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  };
}
