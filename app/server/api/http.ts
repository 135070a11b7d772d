/**
 * The REST API's edge (app/api/v1): every route handler is made by keyRoute (or publicRoute for
 * the document), which reads the key, the caller's language and the body within the size limits,
 * and turns every failure into an answer. Answers are JSON; refusals are `{ code, message }` (plus
 * `fields`, `retryable`, `details` when they apply: schemas.ts `apiError`), worded in the language
 * Accept-Language asks for.
 *
 * - No valid key (missing, malformed, unknown, revoked, expired): 401 with `WWW-Authenticate`, one
 *   body for all, so a guesser learns nothing; counted per client address (KEY_FAILURES), past
 *   which it is a 429 with Retry-After. A valid key is never refused by that count: without
 *   TRELLIS_TRUSTED_PROXY every client shares one address, and a flood of bad tokens must not shut
 *   out the systems that hold good ones (a token is 256 random bits: guessing is no threat to count).
 * - A scope refusal: 403, saying nothing of which scope (services raise it: keyRefusal).
 * - A body past the limits: 413 (body-limit.ts, as the tRPC endpoint); not JSON: 400; not matching
 *   the schema: 400 naming each field by its path in the request.
 * - Everything else as the app's tRPC answers it (error-answers.ts): engine errors by their table,
 *   unique violations 409, retryable conflicts 409 with `retryable`, unknown errors 500 with a
 *   logged reference and nothing of the SQL.
 *
 * Cross-site checks (csrf.ts) do not apply: a key travels in a header no browser adds by itself.
 */
import 'server-only';
import { z } from 'zod';
import type { Executor } from '@/db/client';
import { translator, type Locale, type MessageKey, type Translate } from '../../_i18n/messages';
import { clientAddress } from '../auth';
import { limitRequest, type RequestLimits } from '../body-limit';
import { getDatabase } from '../database';
import { ipAddressOptions, readEnv, requestLimits } from '../env';
import { HTTP_STATUS, internalAnswer, knownAnswer } from '../error-answers';
import { AppError, isAppError, type FieldError } from '../errors';
import { consumeRateLimit, type RateRule } from '../rate-limit';
import { authenticateApiKey } from '../services/api-keys';
import type { KeyCall } from '../caller';
import { parseJsonBody } from './json-body';
import type { ApiErrorBody } from './schemas';

/** Requests without a valid key allowed per client address before the rest of the minute answers 429. */
export const KEY_FAILURES: RateRule = { window: 60, max: 30 };

/** Field refusals reported at most per answer. */
const MAX_FIELD_ERRORS = 20;

/** One request of a key, as a handler gets it: its body already read within the limits. */
export interface KeyRequest<P> {
  req: Request;
  db: Executor;
  key: KeyCall;
  params: P;
  limits: RequestLimits;
}

/** A route handler as Next calls it (tests call it with the request alone for a route without parameters). */
export type RouteHandler<P> = (req: Request, context?: { params: Promise<P> }) => Promise<Response>;

/**
 * A handler for requests made with an API key. `where` names the route in the server's log when
 * an internal error is answered with a reference.
 */
export function keyRoute<P extends Record<string, string> = Record<string, never>>(
  where: string,
  handle: (request: KeyRequest<P>) => Promise<Response>,
): RouteHandler<P> {
  return async (req, context) => {
    const locale = apiLocale(req.headers.get('accept-language'));
    try {
      const { db } = await getDatabase();
      const caller = await authenticateApiKey(db, bearerToken(req.headers.get('authorization')));
      if (!caller) return await unauthenticated(db, req, locale);
      const limits = requestLimits(readEnv());
      const limited = await limitRequest(req, limits, locale, { format: 'plain' });
      if (limited instanceof Response) return limited;
      const params = ((await context?.params) ?? {}) as P;
      return await handle({ req: limited, db, key: { ...caller, locale }, params, limits });
    } catch (error) {
      return errorResponse(error, locale, where);
    }
  };
}

/** A handler that needs no key (the document): only failures are answered here. */
export function publicRoute(
  where: string,
  handle: (req: Request) => Response | Promise<Response>,
): RouteHandler<Record<string, never>> {
  return async (req) => {
    try {
      return await handle(req);
    } catch (error) {
      return errorResponse(error, apiLocale(req.headers.get('accept-language')), where);
    }
  };
}

/**
 * The language of the answer: the first of Accept-Language's languages (by weight, then order)
 * that is English or Vietnamese; else English. A system, unlike a browser, rarely says: English,
 * the language of the API's own description, is its default.
 */
export function apiLocale(header: string | null): Locale {
  if (!header) return 'en';
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, order) => {
      const [tag = '', ...options] = part.trim().split(';');
      const weight = options.map((o) => /^\s*q=([0-9.]+)\s*$/i.exec(o)?.[1]).find((q) => q !== undefined);
      return { language: tag.trim().toLowerCase().split('-')[0], q: weight === undefined ? 1 : Number(weight), order };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.order - b.order);
  const first = ranked.find((r) => r.language === 'en' || r.language === 'vi');
  return first?.language === 'vi' ? 'vi' : 'en';
}

/** The token of `Authorization: Bearer <token>`, or null (authenticateApiKey refuses null like any bad token). */
function bearerToken(header: string | null): string | null {
  return (header && /^Bearer +([^\s]+) *$/i.exec(header)?.[1]) || null;
}

async function unauthenticated(db: Executor, req: Request, locale: Locale): Promise<Response> {
  const t = translator(locale);
  const address = clientAddress(req, { advanced: { ipAddress: ipAddressOptions(readEnv()) } });
  const decision = await consumeRateLimit(db, `api-key-failed:${address}`, KEY_FAILURES);
  if (!decision.allowed) {
    const seconds = decision.retryAfter ?? KEY_FAILURES.window;
    return json(
      429,
      { code: 'TOO_MANY_REQUESTS', message: t('errTooManyRequests', { seconds }) },
      { 'Retry-After': String(seconds) },
    );
  }
  return json(
    401,
    { code: 'UNAUTHORIZED', message: t('apiUnauthorized') },
    { 'WWW-Authenticate': 'Bearer realm="trellis"' },
  );
}

/** A JSON answer, never cached. */
export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return Response.json(body, { status, headers: { 'Cache-Control': 'no-store', ...headers } });
}

/** A failure as its answer: what the app's tRPC endpoint would say, as HTTP (error-answers.ts). */
export function errorResponse(error: unknown, locale: Locale, where: string): Response {
  const known = knownAnswer(error, locale);
  if (!known) {
    const { code, message } = internalAnswer(error, locale, where);
    return json(HTTP_STATUS[code], { code, message } satisfies ApiErrorBody);
  }
  const app = isAppError(known.cause) ? known.cause : null;
  // A service may name a finer status (413, 415 for files), as the attachment endpoints answer it.
  const status = typeof app?.details?.httpStatus === 'number' ? app.details.httpStatus : HTTP_STATUS[known.code];
  const body: ApiErrorBody = {
    code: known.code,
    message: known.message,
    ...(app?.retryable ? { retryable: true as const } : {}),
    ...(app?.fields?.length
      ? { fields: app.fields.map((f) => ({ path: f.field, label: f.label, message: f.message })) }
      : {}),
    ...(app?.details ? { details: app.details } : {}),
  };
  return json(status, body);
}

/**
 * Runs a command whose field refusals name fields inside `prefix` of the request: a start form's
 * `amount` is the request's `variables.amount`.
 */
export async function fieldsUnder<T>(prefix: string, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (!isAppError(error) || !error.fields?.length) throw error;
    throw new AppError(
      error.code,
      error.message,
      error.fields.map((f) => ({ ...f, field: `${prefix}.${f.field}` })),
      { retryable: error.retryable, cause: error, ...(error.details ? { details: error.details } : {}) },
    );
  }
}

// ——— Reading a request against its schema ———

type Part = 'body' | 'path' | 'header';

/** The JSON body, checked against `schema`: else a BAD_REQUEST saying it is not JSON, or naming each field that does not match. */
export async function readBody<S extends z.ZodType>(request: KeyRequest<unknown>, schema: S): Promise<z.output<S>> {
  const t = translator(request.key.locale);
  const bytes = new Uint8Array(await request.req.arrayBuffer());
  const value = parseJsonBody(bytes, request.limits.maxJsonDepth, t);
  return checked(schema, value, 'body', t);
}

/** The path parameters, checked against `schema`. */
export function readParams<S extends z.ZodType>(request: KeyRequest<Record<string, string>>, schema: S): z.output<S> {
  return checked(schema, request.params, 'path', translator(request.key.locale));
}

/** The headers `schema` names (by their names in it; HTTP compares them case-insensitively), checked against it. */
export function readHeaders<S extends z.ZodObject>(request: KeyRequest<unknown>, schema: S): z.output<S> {
  const sent = Object.fromEntries(
    Object.keys(schema.shape).map((name) => [name, request.req.headers.get(name) ?? undefined]),
  );
  return checked(schema, sent, 'header', translator(request.key.locale));
}

function checked<S extends z.ZodType>(schema: S, value: unknown, part: Part, t: Translate): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const fields: FieldError[] = [];
  for (const issue of parsed.error.issues) {
    fields.push(...issueFields(issue, value, part, t));
    if (fields.length >= MAX_FIELD_ERRORS) break;
  }
  const shown = fields.slice(0, MAX_FIELD_ERRORS);
  const problems = shown
    .slice(0, 3)
    .map((f) => f.message)
    .join(' ');
  throw new AppError('BAD_REQUEST', t('apiRequestInvalid', { problems }), shown);
}

function issueFields(issue: z.core.$ZodIssue, value: unknown, part: Part, t: Translate): FieldError[] {
  const field = (path: PropertyKey[], message: string): FieldError => {
    const name = path.map(String).join('.');
    return { field: name, label: name, message };
  };
  if (issue.code === 'unrecognized_keys')
    return issue.keys.slice(0, MAX_FIELD_ERRORS).map((key) => {
      const path = [...issue.path, key.slice(0, 100)];
      return field(path, t('apiFieldUnknown', { path: path.join('.') }));
    });
  const path = issue.path.map(String).join('.');
  if (path === '' && part === 'body') return [field([], t('apiBodyNotObject'))];
  const say = (key: MessageKey, values: Record<string, string | number> = {}) =>
    field(issue.path, t(key, { path, ...values }));
  switch (issue.code) {
    case 'invalid_type':
      if (valueAt(value, issue.path) === undefined) return [say('apiFieldRequired')];
      return [say('apiFieldType', { expected: typeName(issue.expected, t) })];
    case 'invalid_format':
      return issue.format === 'regex' && issue.pattern
        ? [say('apiFieldPattern', { pattern: issue.pattern.replace(/^\/|\/[a-z]*$/g, '') })]
        : [say('apiFieldFormat', { format: issue.format.toUpperCase() === 'UUID' ? 'UUID' : issue.format })];
    case 'too_big':
      return issue.origin === 'string'
        ? [say('apiFieldTooLong', { max: Number(issue.maximum) })]
        : [say('apiFieldInvalid')];
    case 'too_small':
      return issue.origin === 'string'
        ? [say('apiFieldTooShort', { min: Number(issue.minimum) })]
        : [say('apiFieldInvalid')];
    default:
      return [say('apiFieldInvalid')];
  }
}

/** The value at `path` of what was sent (own properties only), undefined where nothing is. */
function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at = value;
  for (const step of path) {
    if (at === null || typeof at !== 'object' || !Object.hasOwn(at, step)) return undefined;
    at = (at as Record<PropertyKey, unknown>)[step];
  }
  return at;
}

function typeName(expected: string, t: Translate): string {
  switch (expected) {
    case 'string':
      return t('apiType_string');
    case 'object':
    case 'record':
      return t('apiType_object');
    case 'array':
    case 'tuple':
      return t('apiType_array');
    case 'number':
    case 'int':
      return t('apiType_number');
    case 'boolean':
      return t('apiType_boolean');
    default:
      return expected;
  }
}
