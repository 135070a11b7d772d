/**
 * API keys: how an outside system (an ERP, a script, a job worker) acts on a company, as itself and
 * never as a person. A company's admins create them with a name, an expiry and scopes — the exact
 * processes it may start, messages it may send, signals it may broadcast, job types it may work,
 * and whether it may read instances — and revoke them. Owns the api_keys table.
 *
 * The token is `trk_<prefix>_<secret>`: 8 random hex characters that lists show, so an admin can
 * tell keys apart, then 32 random bytes (base64url). It is shown once, in createApiKey's answer;
 * the table keeps only its sha256, so reading the database does not let anyone call the API.
 *
 * authenticateApiKey is on every API request's path: one lookup by the hash's unique index, the
 * expiry checked on the database clock, and last use written at most once a minute. It answers
 * null for every refusal alike (malformed, unknown, revoked, expired): the caller answers 401
 * without saying which, so a guesser learns nothing.
 *
 * What a key does is audited as the key (auditAsKey): no person's id as the actor, the key named
 * in the event's data, which the instance's hash chain covers.
 *
 * Never stores, logs or audits a token or its hash.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Executor } from '@/db/client';
import { apiKeys, users, type ApiKeyScopes } from '@/db/schema';
import { translator, type Translate } from '../../_i18n/messages';
import type { Actor } from '../actor';
import type { KeyCall, KeyCaller } from '../caller';
import { AppError, isUuid, type FieldError } from '../errors';
import { appendAudit, type AuditInsert } from './audit';

export type { ApiKeyScopes, KeyCaller };

/** Longest a key may live: a year (a leap one too), so every key is renewed, and its scopes looked at, yearly. */
export const MAX_API_KEY_DAYS = 366;
/** Names one scope may list. */
export const MAX_SCOPE_ENTRIES = 100;
/** Characters of one name in a scope: as long as the engine's message and signal names may be. */
export const MAX_SCOPE_NAME_LENGTH = 200;
/** Characters of a key's name. */
export const MAX_API_KEY_NAME_LENGTH = 100;
/** How often last use is written for a key in use: a busy key costs one write a minute, not one per request. */
const LAST_USED_EVERY = sql.raw(`interval '60 seconds'`);

const TOKEN_PATTERN = /^trk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/;
/** Tries at a fresh prefix when one is taken (a 1 in 4 billion chance per key already issued). */
const PREFIX_TRIES = 5;

const lists = ['start', 'messages', 'signals', 'jobTypes'] as const;
type ScopeList = (typeof lists)[number];

/** Why an entry of a list is refused beyond its type and length (a custom issue's params). */
type EntryProblem = { kind: 'duplicate'; first: number } | { kind: 'spaces' } | { kind: 'wildcard' };

const scopeList = z
  .array(z.string().min(1).max(MAX_SCOPE_NAME_LENGTH))
  .max(MAX_SCOPE_ENTRIES)
  .superRefine((names, ctx) => {
    const seen = new Map<string, number>();
    names.forEach((name, i) => {
      const problem: EntryProblem | null = seen.has(name)
        ? { kind: 'duplicate', first: seen.get(name)! }
        : name.trim() !== name
          ? { kind: 'spaces' }
          : name.includes('*')
            ? { kind: 'wildcard' }
            : null;
      if (!seen.has(name)) seen.set(name, i);
      if (problem) ctx.addIssue({ code: 'custom', path: [i], message: problem.kind, params: problem });
    });
  })
  // A list left out grants nothing: the safe reading of silence.
  .default([]);

/**
 * A key's scopes as sent (an omitted list is empty, an omitted readInstances false) and as stored.
 * Names are matched exactly, case included: "*" is refused rather than read as a wildcard, and so is
 * a name with spaces around it, which would match nothing. Unknown scopes are refused, not dropped:
 * a misspelt "jobtypes" would otherwise make a key that silently cannot work its jobs.
 *
 * The REST API and the admin procedures take this schema as their input; readApiKeyScopes gives
 * its refusals in the caller's language, each naming its field.
 */
export const apiKeyScopesSchema = z
  .strictObject({
    start: scopeList,
    messages: scopeList,
    signals: scopeList,
    jobTypes: scopeList,
    readInstances: z.boolean().default(false),
  })
  .superRefine((scopes, ctx) => {
    if (!hasAnyRight(scopes))
      ctx.addIssue({ code: 'custom', path: [], message: 'no rights', params: { kind: 'none' } });
  }) satisfies z.ZodType<ApiKeyScopes>;

export type ApiKeyScopesInput = z.input<typeof apiKeyScopesSchema>;

function hasAnyRight(scopes: ApiKeyScopes): boolean {
  return scopes.readInstances || lists.some((list) => scopes[list].length > 0);
}

/** Refusals reported at most per call: a list of a hundred bad names need not answer with a hundred fields. */
const MAX_FIELD_ERRORS = 20;

/** The scopes, checked; else a BAD_REQUEST naming each wrong field (`scopes.jobTypes.2`) in `locale`. */
export function readApiKeyScopes(value: unknown, locale: Actor['locale']): ApiKeyScopes {
  const scopes = scopeFieldErrors(value, translator(locale));
  if ('errors' in scopes) throw refusal(scopes.errors);
  return scopes;
}

/** The scopes, or the field errors of what is wrong with them. */
function scopeFieldErrors(value: unknown, t: Translate): ApiKeyScopes | { errors: FieldError[] } {
  const parsed = apiKeyScopesSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const errors: FieldError[] = [];
  for (const issue of parsed.error.issues) {
    errors.push(...scopeIssueErrors(issue, value, t));
    if (errors.length >= MAX_FIELD_ERRORS) break;
  }
  return { errors: errors.slice(0, MAX_FIELD_ERRORS) };
}

function scopeIssueErrors(issue: z.core.$ZodIssue, value: unknown, t: Translate): FieldError[] {
  const [scope, index] = issue.path as [string | undefined, number | undefined];
  const error = (field: string, label: string, message: string): FieldError => ({ field, label, message });
  if (scope === undefined) {
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((given) => {
        const key = given.slice(0, MAX_SCOPE_NAME_LENGTH);
        return error(`scopes.${key}`, key, t('apiKeyErrScopeUnknown', { name: key }));
      });
    if (issue.code === 'custom') return [error('scopes', t('apiKeyScopes'), t('apiKeyErrNoRights'))];
    return [error('scopes', t('apiKeyScopes'), t('apiKeyErrScopesShape'))];
  }
  if (scope !== 'readInstances' && !lists.includes(scope as ScopeList))
    return [error('scopes', t('apiKeyScopes'), t('apiKeyErrScopesShape'))];
  const label = t(`apiKeyScope_${scope as ScopeList | 'readInstances'}`);
  if (scope === 'readInstances')
    return [error('scopes.readInstances', label, t('apiKeyErrScopeBoolean', { scope: label }))];
  if (index === undefined) {
    const field = `scopes.${scope}`;
    if (issue.code === 'too_big') {
      const count = (value as Record<string, unknown[]>)[scope]!.length;
      return [error(field, label, t('apiKeyErrScopeTooMany', { scope: label, count, max: MAX_SCOPE_ENTRIES }))];
    }
    return [error(field, label, t('apiKeyErrScopeList', { scope: label }))];
  }
  const field = `scopes.${scope}.${index}`;
  const name = String((value as Record<string, unknown[]>)[scope]![index]).slice(0, MAX_SCOPE_NAME_LENGTH);
  const n = index + 1;
  switch (issue.code) {
    case 'invalid_type':
      return [error(field, label, t('apiKeyErrScopeEntryText', { scope: label, n }))];
    case 'too_small':
      return [error(field, label, t('apiKeyErrScopeEntryEmpty', { scope: label, n }))];
    case 'too_big':
      return [error(field, label, t('apiKeyErrScopeEntryLong', { scope: label, n, max: MAX_SCOPE_NAME_LENGTH }))];
    case 'custom': {
      const problem = issue.params as EntryProblem;
      if (problem.kind === 'duplicate')
        return [error(field, label, t('apiKeyErrScopeDuplicate', { scope: label, name, first: problem.first + 1, n }))];
      const key = problem.kind === 'spaces' ? 'apiKeyErrScopeEntrySpaces' : 'apiKeyErrScopeWildcard';
      return [error(field, label, t(key, { scope: label, n, name }))];
    }
    default:
      return [error(field, label, t('apiKeyErrScopeEntryText', { scope: label, n }))];
  }
}

/**
 * The key's name as stored, or its refusal: trimmed and in NFC, so a Vietnamese name typed in
 * decomposed form (as some keyboards send it) is stored, listed and compared as it reads.
 */
function nameOf(value: unknown, t: Translate): string | FieldError {
  const refused = (message: string): FieldError => ({ field: 'name', label: t('apiKeyName'), message });
  const name = typeof value === 'string' ? value.normalize('NFC').trim() : '';
  if (name === '') return refused(t('apiKeyErrNameRequired'));
  const length = [...name].length;
  if (length > MAX_API_KEY_NAME_LENGTH)
    return refused(t('apiKeyErrNameTooLong', { length, max: MAX_API_KEY_NAME_LENGTH }));
  if (/\p{Cc}/u.test(name)) return refused(t('apiKeyErrNameControl'));
  return name;
}

function daysOf(value: unknown, t: Translate): number | FieldError {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_API_KEY_DAYS) return value;
  const message = t('apiKeyErrExpiry', { max: MAX_API_KEY_DAYS, value: String(value).slice(0, 40) });
  return { field: 'expiresInDays', label: t('apiKeyExpiresInDays'), message };
}

/** One BAD_REQUEST for every field refused: its message is the first's, its fields all of them. */
function refusal(fields: FieldError[]): AppError {
  return new AppError('BAD_REQUEST', fields[0]!.message, fields);
}

/** Only the company's admins manage its keys: a key lets an outside system act on the company's processes. */
function requireAdmin(actor: Actor): void {
  if (actor.role === 'admin') return;
  const t = translator(actor.locale);
  throw new AppError('FORBIDDEN', t('accessAdminOnly', { action: t('action_manageApiKeys') }));
}

/** sha256 (hex) of a whole token: what the table stores and looks a key up by. */
export function hashApiKeyToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function newToken(): { prefix: string; token: string } {
  const prefix = randomBytes(4).toString('hex');
  return { prefix, token: `trk_${prefix}_${randomBytes(32).toString('base64url')}` };
}

export interface NewApiKey {
  /** What uses the key, e.g. "Kết nối ERP kế toán": 1–100 characters. */
  name: string;
  scopes: ApiKeyScopesInput;
  /** Whole days from now, 1–366, on the database clock. */
  expiresInDays: number;
}

export interface CreatedApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiKeyScopes;
  expiresAt: Date;
  /** The whole token: this answer is the only time it exists outside the caller's hands. */
  token: string;
}

/**
 * Creates a key for the admin's company, audited as `apikey.created` (its scopes and expiry, never
 * the token or its hash). Refused, naming each field: a name empty or over 100 characters, an
 * expiry that is not 1–366 whole days, scopes that are malformed or give no right at all.
 */
export async function createApiKey(db: Executor, actor: Actor, input: NewApiKey): Promise<CreatedApiKey> {
  requireAdmin(actor);
  const t = translator(actor.locale);
  const name = nameOf(input.name, t);
  const days = daysOf(input.expiresInDays, t);
  const scopes = scopeFieldErrors(input.scopes, t);
  if (typeof name !== 'string' || typeof days !== 'number' || 'errors' in scopes) {
    const errors = [
      ...(typeof name === 'string' ? [] : [name]),
      ...(typeof days === 'number' ? [] : [days]),
      ...('errors' in scopes ? scopes.errors : []),
    ];
    throw refusal(errors.slice(0, MAX_FIELD_ERRORS));
  }

  return db.transaction(async (tx) => {
    for (let attempt = 1; ; attempt++) {
      const { prefix, token } = newToken();
      // A taken prefix skips the insert rather than failing it, which would abort the transaction.
      const [row] = await tx
        .insert(apiKeys)
        .values({
          tenantId: actor.tenantId,
          name,
          prefix,
          tokenHash: hashApiKeyToken(token),
          scopes,
          expiresAt: sql`now() + make_interval(days => ${days})`,
          createdBy: actor.userId,
        })
        .onConflictDoNothing()
        .returning({
          id: apiKeys.id,
          name: apiKeys.name,
          prefix: apiKeys.prefix,
          scopes: apiKeys.scopes,
          expiresAt: apiKeys.expiresAt,
        });
      if (!row) {
        if (attempt < PREFIX_TRIES) continue;
        throw new Error(`No free API key prefix after ${PREFIX_TRIES} tries: the random source is broken.`);
      }
      await appendAudit(tx, [
        {
          tenantId: actor.tenantId,
          actorId: actor.userId,
          type: 'apikey.created',
          data: {
            apiKeyId: row.id,
            name: row.name,
            prefix: row.prefix,
            scopes: row.scopes,
            expiresAt: row.expiresAt.toISOString(),
          },
        },
      ]);
      return { ...row, token };
    }
  });
}

export type ApiKeyStatus = 'active' | 'expired' | 'revoked';

/** A key's status on the database clock (the one authenticateApiKey checks expiry by). */
const statusOf = sql<ApiKeyStatus>`case
  when ${apiKeys.revokedAt} is not null then 'revoked'
  when ${apiKeys.expiresAt} <= now() then 'expired'
  else 'active' end`;

/** The company's keys, newest first, with their status on the database clock; never a hash or token. */
export async function listApiKeys(db: Executor, actor: Actor) {
  requireAdmin(actor);
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      scopes: apiKeys.scopes,
      status: statusOf,
      createdAt: apiKeys.createdAt,
      createdBy: { id: users.id, name: users.displayName },
      expiresAt: apiKeys.expiresAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.createdBy))
    .where(eq(apiKeys.tenantId, actor.tenantId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

/**
 * Revokes a key: refused from its next request on. Audited as `apikey.revoked`. Revoking a revoked
 * key answers as the first time did and changes nothing. Another company's key, or an id that is
 * none, is NOT_FOUND alike.
 */
export async function revokeApiKey(db: Executor, actor: Actor, id: string): Promise<{ id: string; revokedAt: Date }> {
  requireAdmin(actor);
  const notFound = () =>
    new AppError('NOT_FOUND', translator(actor.locale)('apiKeyErrNotFound', { id: String(id).slice(0, 100) }));
  if (!isUuid(id)) throw notFound();
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix, revokedAt: apiKeys.revokedAt })
      .from(apiKeys)
      .where(and(eq(apiKeys.tenantId, actor.tenantId), eq(apiKeys.id, id)))
      .for('update');
    if (!row) throw notFound();
    if (row.revokedAt) return { id: row.id, revokedAt: row.revokedAt };
    const [done] = await tx
      .update(apiKeys)
      .set({ revokedAt: sql`now()`, revokedBy: actor.userId })
      .where(eq(apiKeys.id, row.id))
      .returning({ id: apiKeys.id, revokedAt: apiKeys.revokedAt });
    await appendAudit(tx, [
      {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        type: 'apikey.revoked',
        data: { apiKeyId: row.id, name: row.name, prefix: row.prefix },
      },
    ]);
    return { id: done!.id, revokedAt: done!.revokedAt! };
  });
}

/**
 * The key a token opens, or null when it opens none — malformed, unknown, revoked or expired, told
 * apart to no one. One read by the token hash's unique index; last use written at most once a
 * minute, by a conditional update that a concurrent request's write makes a no-op. The lookup is by
 * hash, so no secret is ever compared byte by byte (nothing to time).
 */
export async function authenticateApiKey(db: Executor, token: string | null | undefined): Promise<KeyCaller | null> {
  if (typeof token !== 'string' || !TOKEN_PATTERN.test(token)) return null;
  const [row] = await db
    .select({
      keyId: apiKeys.id,
      tenantId: apiKeys.tenantId,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      scopes: apiKeys.scopes,
      createdBy: apiKeys.createdBy,
      stale: sql<boolean>`${apiKeys.lastUsedAt} is null or ${apiKeys.lastUsedAt} <= now() - ${LAST_USED_EVERY}`,
    })
    .from(apiKeys)
    .where(
      and(eq(apiKeys.tokenHash, hashApiKeyToken(token)), isNull(apiKeys.revokedAt), sql`${apiKeys.expiresAt} > now()`),
    );
  if (!row) return null;
  const { stale, ...key } = row;
  if (stale)
    await db
      .update(apiKeys)
      .set({ lastUsedAt: sql`now()` })
      .where(
        and(
          eq(apiKeys.id, key.keyId),
          sql`(${apiKeys.lastUsedAt} is null or ${apiKeys.lastUsedAt} <= now() - ${LAST_USED_EVERY})`,
        ),
      );
  return { kind: 'apiKey', ...key };
}

// ——— What a key may do: exact names, nothing implied ———

/** The refusal of whatever a key's scopes do not allow: it says nothing of which scope, nor whether the thing exists. */
export function keyRefusal(key: KeyCall): AppError {
  return new AppError('FORBIDDEN', translator(key.locale)('apiForbidden'));
}

export function keyMayStart(caller: KeyCaller, definitionKey: string): boolean {
  return caller.scopes.start.includes(definitionKey);
}

export function keyMaySend(caller: KeyCaller, messageName: string): boolean {
  return caller.scopes.messages.includes(messageName);
}

export function keyMayBroadcast(caller: KeyCaller, signalName: string): boolean {
  return caller.scopes.signals.includes(signalName);
}

export function keyMayWork(caller: KeyCaller, jobType: string): boolean {
  return caller.scopes.jobTypes.includes(jobType);
}

export function keyMayReadInstances(caller: KeyCaller): boolean {
  return caller.scopes.readInstances;
}

// ——— Auditing what a key does ———

/** How an audit row names the key that acted: enough to find it in the list, nothing to call with. */
export interface ApiKeyRef {
  id: string;
  name: string;
  prefix: string;
}

/**
 * An event's data with the acting key in it (`apiKey: { id, name, prefix }`). Set last, so data
 * that carries an `apiKey` of its own (from a request body) cannot pass for another key.
 */
export function keyAuditData(caller: KeyCaller, data: Record<string, unknown> = {}): Record<string, unknown> {
  const apiKey: ApiKeyRef = { id: caller.keyId, name: caller.name, prefix: caller.prefix };
  return { ...data, apiKey };
}

/**
 * The convention for everything a key does: the audit row has no actor (`actorId` null — a key is
 * no person, and its creator did not do it) and names the key in its data, which an instance's
 * hash chain covers. Pass the result to appendAudit (or the command pipeline) like any row.
 */
export function auditAsKey(
  caller: KeyCaller,
  event: Pick<AuditInsert, 'type' | 'instanceId' | 'taskId' | 'elementId' | 'data'>,
): AuditInsert {
  return { ...event, tenantId: caller.tenantId, actorId: null, data: keyAuditData(caller, event.data) };
}
