/**
 * Inbound webhooks: how a system that only knows how to POST starts or moves a company's
 * processes. Each hook publishes one message (its name fixed by the admin who made it) into the
 * company, as a process's own message is published: it starts a process at its message start
 * event, or moves the instance waiting at a message catch event, matched by a correlation key the
 * hook computes from the body. Owns the inbound_webhooks and inbound_deliveries tables.
 *
 * A request is authenticated by its signature alone — there is no API key. The headers are the
 * outgoing webhooks' names; the signed content is Standard Webhooks' (`id.timestamp.body`), so the
 * delivery id is signed too and a captured request cannot be replayed under a new id:
 *
 *   X-Trellis-Timestamp: <unix seconds when signed>
 *   X-Trellis-Delivery:  <the sender's id of this delivery, the same on every retry>
 *   X-Trellis-Signature: sha256=<hex HMAC-SHA256(secret, "<delivery id>.<timestamp>.<raw body>")>
 *
 * The HMAC covers the body's bytes as sent (before any parsing), the timestamp and the delivery id
 * as sent (signInboundHook); the key is the secret's text (64 hex characters). Comparison is in
 * constant time, and a request for an unknown or deactivated hook computes an HMAC too, so neither
 * the answer nor its timing tells which part was wrong: one 401 for all, past which it is a 429.
 * Failures are counted per client address, and for a hook that exists per hook id as well
 * (SIGNATURE_FAILURES) — never per id that names no hook, which would let anyone write a row per
 * random UUID. A valid signature is never refused by those counts, so someone who knows a hook's
 * address cannot lock its real sender out by sending garbage.
 *
 * Once the signature holds, the sender holds the secret, and refusals say exactly what to fix:
 * a timestamp further than the hook's tolerance from the server's clock (either way), a body that
 * is not a JSON object within the limits, a correlation key expression that gives no key.
 *
 * Replays: the delivery id is recorded in the same transaction as the message it publishes, unique
 * per hook. A delivery id seen before is answered with the first delivery's outcome
 * (`duplicate: true`) and does nothing; a delivery that failed recorded nothing, so its retry acts
 * once. Ids are kept while a replay could still carry a timestamp within tolerance: a request
 * signed at t is accepted until t + tolerance, and t itself may be up to tolerance ahead of the
 * clock when it first arrived — hence two tolerances, plus a margin (pruneInboundDeliveries).
 * Since the id is signed, a replay under a new id fails the signature.
 *
 * No time to live: the message is published with none (a hook has no column for one; adding it
 * needs a migration). A message that finds no instance waiting and no process starting on it is
 * dropped, not kept, and its delivery id is then handled (`dropped`, then `duplicate: true`): to
 * deliver it once the instance waits, the sender sends it again under a new delivery id.
 *
 * The body's fields become the message's variables, as POST /messages' `variables` do (a process
 * reads `invoice.number`), except `initiator`, which only the server sets (initiator.ts): a body's
 * is dropped, as a key's start drops a forged one. The message is delivered as a process's own:
 * no person is its sender, so no `sendableBy` rule applies — the hook's secret is the right to
 * send it, given by an admin. What it does is audited as the hook (actorId null, the hook named).
 *
 * Never logs, audits or lists a secret: only the answers of create and rotate carry one.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Executor } from '@/db/client';
import { inboundDeliveries, inboundWebhooks, processDefinitions, users } from '@/db/schema';
import { checkExpression, evaluateExpression, type Variables } from '@/engine';
import { messagesHeard } from '@/engine/model/senders';
import { withoutInitiator } from './initiator';
import { translator, type Locale, type Translate } from '../../_i18n/messages';
import type { Actor } from '../actor';
import { parseJsonBody } from '../api/json-body';
import { AppError, isUuid, type FieldError } from '../errors';
import { driveFollowUps, publish, type FollowUp } from '../host/effects';
import { hinted } from '../host/job-signal';
import type { MessageLimits } from '../message-limits';
import { consumeRateLimit, type RateRule } from '../rate-limit';
import { appendAudit, type AuditInsert } from './audit';

// ——— Limits ———

export const MIN_TOLERANCE_SECONDS = 30;
/** An hour: a delivery id is kept twice this long (plus a margin), so the bound keeps the table small. */
export const MAX_TOLERANCE_SECONDS = 3_600;
export const DEFAULT_TOLERANCE_SECONDS = 300;
export const MAX_HOOK_NAME_LENGTH = 100;
/** As message.publish's names. */
export const MAX_MESSAGE_NAME_LENGTH = 200;
export const MAX_CORRELATION_EXPRESSION_LENGTH = 500;
/** As message.publish's correlation keys. */
export const MAX_CORRELATION_KEY_LENGTH = 500;
export const MAX_DELIVERY_ID_LENGTH = 200;
/**
 * Requests with a bad signature (or for no active hook) allowed per client address, and per hook id
 * for a hook that exists, before the rest of the minute answers 429.
 */
export const SIGNATURE_FAILURES: RateRule = { window: 60, max: 30 };
/**
 * How long a delivery id is kept (pruneInboundDeliveries): twice the largest tolerance, for a
 * request signed up to a tolerance ahead stays acceptable a tolerance after that, plus a margin.
 */
export const DELIVERY_ID_KEPT_SECONDS = 2 * MAX_TOLERANCE_SECONDS + 600;
/** How often last delivery is written for a hook in use. */
const LAST_DELIVERY_EVERY = sql.raw(`interval '60 seconds'`);

/** The headers a sender signs with: the outgoing webhooks' names. */
export const HOOK_HEADERS = {
  timestamp: 'X-Trellis-Timestamp',
  signature: 'X-Trellis-Signature',
  delivery: 'X-Trellis-Delivery',
} as const;

export const TIMESTAMP_PATTERN = /^\d{1,12}$/;
export const SIGNATURE_PATTERN = /^sha256=[0-9a-fA-F]{64}$/;
/** Visible ASCII, no spaces: a UUID, a ULID, an ERP's document number. */
export const DELIVERY_ID_PATTERN = new RegExp(`^[\\x21-\\x7e]{1,${MAX_DELIVERY_ID_LENGTH}}$`);

// ——— Signing ———

/**
 * The X-Trellis-Signature of a delivery: `sha256=<hex HMAC-SHA256(secret, "<deliveryId>.<timestamp>.<body>")>`,
 * over the body's bytes as sent (a body that is not UTF-8 is still signed as sent). What a sender
 * computes (README, "Inbound webhooks") and what receive checks. The three cannot be re-split into
 * another valid request: the timestamp is digits only, and a body that began with "<digits>." would
 * not be the JSON object a hook accepts.
 */
export function signInboundHook(
  secret: string,
  deliveryId: string,
  timestamp: string | number,
  body: string | Uint8Array,
): string {
  const hmac = createHmac('sha256', secret).update(`${deliveryId}.${timestamp}.`).update(body);
  return `sha256=${hmac.digest('hex')}`;
}

/** Whether `signature` is the hook's, compared in constant time (both are 32 bytes once decoded). */
function signatureHolds(secret: string, signed: SignedHeaders, body: Uint8Array): boolean {
  const { deliveryId, timestamp, signature } = signed;
  const expected = Buffer.from(signInboundHook(secret, deliveryId, timestamp, body).slice('sha256='.length), 'hex');
  const given = Buffer.from(signature.slice('sha256='.length).toLowerCase(), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** What a request for no active hook is checked against, so it costs the time a real check does. */
const NO_SECRET = randomBytes(32).toString('hex');

function newSecret(): string {
  return randomBytes(32).toString('hex');
}

// ——— Managing hooks (admins) ———

export interface NewInboundHook {
  /** Which system calls it, e.g. "Ngân hàng báo có": 1–100 characters. */
  name: string;
  /** The message it publishes: the name a message start or catch event waits for. */
  messageName: string;
  /** A sandboxed expression over the body giving the correlation key (`invoice.number`); empty or absent: none. */
  correlationKey?: string | null;
  /** 30–3600 seconds; 300 when absent. */
  toleranceSeconds?: number;
}

/** A hook as its admin sees it: never the secret (only create's and rotate's answers carry it). */
const listed = {
  id: inboundWebhooks.id,
  name: inboundWebhooks.name,
  messageName: inboundWebhooks.messageName,
  correlationKey: inboundWebhooks.correlationKey,
  toleranceSeconds: inboundWebhooks.toleranceSeconds,
  createdAt: inboundWebhooks.createdAt,
  deactivatedAt: inboundWebhooks.deactivatedAt,
  lastDeliveryAt: inboundWebhooks.lastDeliveryAt,
};

/** Only the company's admins manage its hooks: a hook lets an outside system act on the company's processes. */
function requireAdmin(actor: Actor): void {
  if (actor.role === 'admin') return;
  const t = translator(actor.locale);
  throw new AppError('FORBIDDEN', t('accessAdminOnly', { action: t('action_manageInboundHooks') }));
}

/** Trimmed and in NFC, so a Vietnamese name typed in decomposed form is stored and listed as it reads. */
function nameOf(value: unknown, t: Translate): string | FieldError {
  const refused = (message: string): FieldError => ({ field: 'name', label: t('inboundHookName'), message });
  const name = typeof value === 'string' ? value.normalize('NFC').trim() : '';
  if (name === '') return refused(t('inboundHookErrNameRequired'));
  const length = [...name].length;
  if (length > MAX_HOOK_NAME_LENGTH)
    return refused(t('inboundHookErrNameTooLong', { length, max: MAX_HOOK_NAME_LENGTH }));
  if (/\p{Cc}/u.test(name)) return refused(t('inboundHookErrNameControl'));
  return name;
}

/** Exactly as the process's event names it: a name with spaces around it would match nothing. */
function messageNameOf(value: unknown, t: Translate): string | FieldError {
  const refused = (message: string): FieldError => ({
    field: 'messageName',
    label: t('inboundHookMessage'),
    message,
  });
  const name = typeof value === 'string' ? value : '';
  if (name.trim() === '') return refused(t('inboundHookErrMessageRequired'));
  if (name.length > MAX_MESSAGE_NAME_LENGTH)
    return refused(t('inboundHookErrMessageTooLong', { length: name.length, max: MAX_MESSAGE_NAME_LENGTH }));
  if (name.trim() !== name || /[\p{Cc}\s]/u.test(name))
    return refused(t('inboundHookErrMessageSpaces', { name: name.trim().slice(0, 100) }));
  return name;
}

/** Checked now by the sandbox's own rules, so a typo is refused here rather than on every delivery. */
function correlationOf(value: unknown, t: Translate): string | null | FieldError {
  const refused = (message: string): FieldError => ({
    field: 'correlationKey',
    label: t('inboundHookCorrelation'),
    message,
  });
  if (value === undefined || value === null) return null;
  const expression = typeof value === 'string' ? value.trim() : '';
  if (expression === '') return null;
  if (expression.length > MAX_CORRELATION_EXPRESSION_LENGTH)
    return refused(
      t('inboundHookErrCorrelationTooLong', { length: expression.length, max: MAX_CORRELATION_EXPRESSION_LENGTH }),
    );
  const problem = checkExpression(expression);
  if (problem) return refused(t('inboundHookErrCorrelation', { expression, problem: problem.message }));
  return expression;
}

function toleranceOf(value: unknown, t: Translate): number | FieldError {
  if (value === undefined || value === null) return DEFAULT_TOLERANCE_SECONDS;
  if (
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= MIN_TOLERANCE_SECONDS &&
    value <= MAX_TOLERANCE_SECONDS
  )
    return value;
  const message = t('inboundHookErrTolerance', {
    min: MIN_TOLERANCE_SECONDS,
    max: MAX_TOLERANCE_SECONDS,
    value: String(value).slice(0, 40),
  });
  return { field: 'toleranceSeconds', label: t('inboundHookTolerance'), message };
}

const isField = (value: unknown): value is FieldError =>
  typeof value === 'object' && value !== null && 'field' in value && 'message' in value;

/**
 * Creates a hook for the admin's company, audited as `inboundhook.created` (never the secret).
 * Refused, naming each field in the admin's language: a name empty or over 100 characters, a
 * message name empty or not written exactly, a correlation expression the sandbox refuses, a
 * tolerance outside 30–3600 whole seconds.
 */
export async function createInboundHook(db: Executor, actor: Actor, input: NewInboundHook) {
  requireAdmin(actor);
  const t = translator(actor.locale);
  const name = nameOf(input.name, t);
  const messageName = messageNameOf(input.messageName, t);
  const correlationKey = correlationOf(input.correlationKey, t);
  const toleranceSeconds = toleranceOf(input.toleranceSeconds, t);
  const refused = [name, messageName, correlationKey, toleranceSeconds].filter(isField);
  if (refused.length > 0) throw new AppError('BAD_REQUEST', refused[0]!.message, refused);

  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(inboundWebhooks)
      .values({
        tenantId: actor.tenantId,
        name: name as string,
        messageName: messageName as string,
        correlationKey: correlationKey as string | null,
        toleranceSeconds: toleranceSeconds as number,
        secret: newSecret(),
        createdBy: actor.userId,
      })
      .returning({ ...listed, secret: inboundWebhooks.secret });
    await appendAudit(tx, [
      {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        type: 'inboundhook.created',
        data: {
          inboundHookId: row!.id,
          name: row!.name,
          messageName: row!.messageName,
          correlationKey: row!.correlationKey,
          toleranceSeconds: row!.toleranceSeconds,
        },
      },
    ]);
    return row!;
  });
}

/** The company's hooks, newest first, with who made them; never a secret. */
export async function listInboundHooks(db: Executor, actor: Actor) {
  requireAdmin(actor);
  return db
    .select({ ...listed, createdBy: { id: users.id, name: users.displayName } })
    .from(inboundWebhooks)
    .innerJoin(users, eq(users.id, inboundWebhooks.createdBy))
    .where(eq(inboundWebhooks.tenantId, actor.tenantId))
    .orderBy(desc(inboundWebhooks.createdAt), desc(inboundWebhooks.id));
}

/**
 * The message names the company's processes (the newest published version of each) start on or
 * wait for, sorted: what a hook can usefully publish, offered by the create form. A name not in
 * it is still accepted (the process may be published later).
 */
export async function heardMessageNames(db: Executor, actor: Actor): Promise<string[]> {
  requireAdmin(actor);
  const latest = await db
    .selectDistinctOn([processDefinitions.key], { definition: processDefinitions.definition })
    .from(processDefinitions)
    .where(eq(processDefinitions.tenantId, actor.tenantId))
    .orderBy(processDefinitions.key, desc(processDefinitions.version));
  const heard = new Set<string>();
  for (const row of latest) for (const name of messagesHeard(row.definition)) heard.add(name);
  return [...heard].sort();
}

const notFound = (actor: Actor, id: string) =>
  new AppError('NOT_FOUND', translator(actor.locale)('inboundHookErrNotFound', { id: String(id).slice(0, 100) }));

/**
 * A new secret, returned once; requests signed with the old one are refused from now on (no
 * overlap: a sender is given the new one and the address together). A deactivated hook, another
 * company's, or an id that is none: NOT_FOUND alike.
 */
export async function rotateInboundHookSecret(db: Executor, actor: Actor, id: string) {
  requireAdmin(actor);
  if (!isUuid(id)) throw notFound(actor, id);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(inboundWebhooks)
      .set({ secret: newSecret() })
      .where(
        and(
          eq(inboundWebhooks.tenantId, actor.tenantId),
          eq(inboundWebhooks.id, id),
          isNull(inboundWebhooks.deactivatedAt),
        ),
      )
      .returning({ id: inboundWebhooks.id, name: inboundWebhooks.name, secret: inboundWebhooks.secret });
    if (!row) throw notFound(actor, id);
    await appendAudit(tx, [
      {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        type: 'inboundhook.secret-rotated',
        data: { inboundHookId: row.id, name: row.name },
      },
    ]);
    return row;
  });
}

/**
 * Deactivates a hook for good: every request to it is refused from the next one on. Audited as
 * `inboundhook.deactivated`; deactivating it again answers as the first time did and changes
 * nothing. Kept, for the audit trail that names it.
 */
export async function deactivateInboundHook(
  db: Executor,
  actor: Actor,
  id: string,
): Promise<{ id: string; deactivatedAt: Date }> {
  requireAdmin(actor);
  if (!isUuid(id)) throw notFound(actor, id);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ id: inboundWebhooks.id, name: inboundWebhooks.name, deactivatedAt: inboundWebhooks.deactivatedAt })
      .from(inboundWebhooks)
      .where(and(eq(inboundWebhooks.tenantId, actor.tenantId), eq(inboundWebhooks.id, id)))
      .for('update');
    if (!row) throw notFound(actor, id);
    if (row.deactivatedAt) return { id: row.id, deactivatedAt: row.deactivatedAt };
    const [done] = await tx
      .update(inboundWebhooks)
      .set({ deactivatedAt: sql`now()`, deactivatedBy: actor.userId })
      .where(eq(inboundWebhooks.id, row.id))
      .returning({ id: inboundWebhooks.id, deactivatedAt: inboundWebhooks.deactivatedAt });
    await appendAudit(tx, [
      {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        type: 'inboundhook.deactivated',
        data: { inboundHookId: row.id, name: row.name },
      },
    ]);
    return { id: done!.id, deactivatedAt: done!.deactivatedAt! };
  });
}

// ——— Receiving ———

/** Where the message went (effects.ts publish), and whether this was a replay of a delivery already handled. */
export interface HookAnswer {
  correlated: 'instance' | 'started' | 'dropped';
  instanceId?: string;
  duplicate?: true;
}

export type ReceiveResult =
  | { kind: 'received'; answer: HookAnswer }
  /** Too many bad signatures for this hook id this minute: answer 429 with Retry-After. */
  | { kind: 'limited'; retryAfter: number; message: string };

export interface ReceiveOptions {
  locale: Locale;
  /** Deepest nesting of the body (the request limits' maxJsonDepth). */
  maxJsonDepth: number;
  /** The body is the message's variables: capped as a message's are. */
  messageLimits: MessageLimits;
  /** The clock the timestamp is checked against, in milliseconds (tests move it). */
  now?: () => number;
  /** Who sent it, for counting failures (auth.ts clientAddress, as TRELLIS_TRUSTED_PROXY allows). */
  clientAddress: string;
}

/** The request's headers, by name; a Headers object reads them case-insensitively. */
export type HeaderSource = Pick<Headers, 'get'>;

/**
 * Handles one POST to hook `webhookId`: checks the signature, the timestamp and the delivery id,
 * then publishes the hook's message with the body as its variables, in one transaction with the
 * delivery's record. Throws AppError for refusals (401 unsigned, 400 naming what is wrong, 413
 * for a body over the message limit); a replay answers the first delivery's outcome.
 */
export async function receive(
  db: Executor,
  webhookId: string,
  headers: HeaderSource,
  rawBody: Uint8Array,
  options: ReceiveOptions,
): Promise<ReceiveResult> {
  const t = translator(options.locale);
  const signed = signedHeaders(headers, t);
  const { timestamp, deliveryId } = signed;

  const hook = isUuid(webhookId)
    ? (
        await db
          .select({
            id: inboundWebhooks.id,
            tenantId: inboundWebhooks.tenantId,
            name: inboundWebhooks.name,
            messageName: inboundWebhooks.messageName,
            correlationKey: inboundWebhooks.correlationKey,
            secret: inboundWebhooks.secret,
            toleranceSeconds: inboundWebhooks.toleranceSeconds,
            deactivatedAt: inboundWebhooks.deactivatedAt,
          })
          .from(inboundWebhooks)
          .where(eq(inboundWebhooks.id, webhookId))
      )[0]
    : undefined;
  const active = hook && !hook.deactivatedAt ? hook : undefined;
  const holds = signatureHolds(active?.secret ?? NO_SECRET, signed, rawBody);
  if (!active || !holds) {
    const seconds = await failureLimited(db, hook?.id ?? null, options.clientAddress);
    if (seconds !== null)
      return { kind: 'limited', retryAfter: seconds, message: t('errTooManyRequests', { seconds }) };
    throw new AppError('UNAUTHORIZED', t('hookUnauthorized'));
  }

  // Signed with the secret: from here on, every refusal says what to fix.
  const skew = Math.floor((options.now?.() ?? Date.now()) / 1000) - Number(timestamp);
  if (Math.abs(skew) > active.toleranceSeconds) {
    const values = { seconds: Math.abs(skew), name: active.name, tolerance: active.toleranceSeconds };
    throw new AppError('UNAUTHORIZED', t(skew > 0 ? 'hookTimestampOld' : 'hookTimestampFuture', values));
  }
  const variables = bodyOf(rawBody, options, t);
  const correlationKey = active.correlationKey ? correlationKeyOf(active, variables, t) : null;
  const hookRef = { id: active.id, name: active.name };

  return hinted(
    db.transaction(async (tx): Promise<ReceiveResult> => {
      // First, so a concurrent delivery of the same id waits here for this one to commit, then sees it.
      const [claimed] = await tx
        .insert(inboundDeliveries)
        .values({ tenantId: active.tenantId, webhookId: active.id, deliveryId, outcome: 'pending' })
        .onConflictDoNothing()
        .returning({ id: inboundDeliveries.id });
      if (!claimed) {
        const [first] = await tx
          .select({ outcome: inboundDeliveries.outcome, instanceId: inboundDeliveries.instanceId })
          .from(inboundDeliveries)
          .where(and(eq(inboundDeliveries.webhookId, active.id), eq(inboundDeliveries.deliveryId, deliveryId)));
        const answer: HookAnswer = {
          correlated: (first?.outcome ?? 'dropped') as HookAnswer['correlated'],
          ...(first?.instanceId ? { instanceId: first.instanceId } : {}),
          duplicate: true,
        };
        return { kind: 'received', answer };
      }

      const queue: FollowUp[] = [];
      const name = active.messageName;
      const result = await publish(tx, active.tenantId, { name, correlationKey, variables, ttlSeconds: 0 }, queue);
      const data = { name, correlationKey, deliveryId, inboundHook: hookRef };
      if (result.correlated === 'instance' && queue[0]) {
        // The instance's history reads as for any message, with the hook named as the sender.
        queue[0].audit = [asHook(active.tenantId, { type: 'message.received', instanceId: result.instanceId, data })];
        await driveFollowUps(tx, null, queue);
      } else {
        await driveFollowUps(tx, null, queue);
        const outcome = { ...data, correlated: result.correlated };
        await appendAudit(tx, [
          asHook(active.tenantId, {
            type: 'inboundhook.received',
            instanceId: result.instanceId ?? null,
            data: outcome,
          }),
        ]);
      }
      // With no time to live and no message id, publish neither buffers nor deduplicates: anything else went nowhere.
      const correlated =
        result.correlated === 'instance' || result.correlated === 'started' ? result.correlated : 'dropped';
      await tx
        .update(inboundDeliveries)
        .set({ outcome: correlated, instanceId: result.instanceId ?? null })
        .where(eq(inboundDeliveries.id, claimed.id));
      await tx
        .update(inboundWebhooks)
        .set({ lastDeliveryAt: sql`now()` })
        .where(
          and(
            eq(inboundWebhooks.id, active.id),
            sql`(${inboundWebhooks.lastDeliveryAt} is null or ${inboundWebhooks.lastDeliveryAt} <= now() - ${LAST_DELIVERY_EVERY})`,
          ),
        );
      return {
        kind: 'received',
        answer: { correlated, ...(result.instanceId ? { instanceId: result.instanceId } : {}) },
      };
    }),
  );
}

/**
 * Counts one refused request against the client's address, and against the hook's id when a hook
 * of that id exists (deactivated too): an id that names no hook gets no row of its own, so random
 * ids cost one row per address, not one per id. Both counts at once, so a request for an existing
 * hook takes about as long as one for none; a full address count refuses both alike. The seconds
 * to wait when a count is full, else null.
 */
async function failureLimited(db: Executor, hookId: string | null, address: string): Promise<number | null> {
  const keys = [`inbound-hook-address:${address}`, ...(hookId ? [`inbound-hook-signature:${hookId}`] : [])];
  const decisions = await Promise.all(keys.map((key) => consumeRateLimit(db, key, SIGNATURE_FAILURES)));
  const waits = decisions.filter((d) => !d.allowed).map((d) => d.retryAfter ?? SIGNATURE_FAILURES.window);
  return waits.length > 0 ? Math.max(...waits) : null;
}

/** An audit row written as the hook: no person acted; the hook is named in the data. */
function asHook(tenantId: string, event: Pick<AuditInsert, 'type' | 'instanceId' | 'data'>): AuditInsert {
  return { ...event, tenantId, actorId: null };
}

interface SignedHeaders {
  timestamp: string;
  signature: string;
  deliveryId: string;
}

/** The three signing headers, each checked for form; else one BAD_REQUEST naming each one wrong. */
function signedHeaders(headers: HeaderSource, t: Translate): SignedHeaders {
  const timestamp = headers.get(HOOK_HEADERS.timestamp)?.trim() ?? '';
  const signature = headers.get(HOOK_HEADERS.signature)?.trim() ?? '';
  const deliveryId = headers.get(HOOK_HEADERS.delivery)?.trim() ?? '';
  const fields: FieldError[] = [];
  const wrong = (header: string, message: string) => fields.push({ field: header, label: header, message });
  if (!TIMESTAMP_PATTERN.test(timestamp)) wrong(HOOK_HEADERS.timestamp, t('hookHeaderTimestamp'));
  if (!SIGNATURE_PATTERN.test(signature)) wrong(HOOK_HEADERS.signature, t('hookHeaderSignature'));
  if (!DELIVERY_ID_PATTERN.test(deliveryId))
    wrong(HOOK_HEADERS.delivery, t('hookHeaderDelivery', { max: MAX_DELIVERY_ID_LENGTH }));
  if (fields.length > 0) throw new AppError('BAD_REQUEST', fields.map((f) => f.message).join(' '), fields);
  return { timestamp, signature, deliveryId };
}

/** The body as the message's variables: a JSON object within the depth and size limits, `initiator` dropped. */
function bodyOf(rawBody: Uint8Array, options: ReceiveOptions, t: Translate): Variables {
  const refused = (message: string, details?: { httpStatus: number }) =>
    new AppError('BAD_REQUEST', message, [{ field: 'body', label: t('hookFieldBody'), message }], {
      ...(details ? { details } : {}),
    });
  const value = parseJsonBody(rawBody, options.maxJsonDepth, t, (message) => refused(message));
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw refused(t('apiBodyNotObject'));
  const variables = withoutInitiator(value as Variables);
  const size = Buffer.byteLength(JSON.stringify(variables), 'utf8');
  if (size > options.messageLimits.maxBytes)
    throw refused(t('hookBodyTooLarge', { size, max: options.messageLimits.maxBytes }), { httpStatus: 413 });
  return variables;
}

/**
 * The correlation key the hook's expression gives for this body, in the sandbox (no eval; its
 * work metered as any expression's outside a command: evaluateExpression's own budget). Text or
 * a finite number (as text); anything else is refused naming the hook and the expression.
 */
function correlationKeyOf(
  hook: { name: string; correlationKey: string | null },
  variables: Variables,
  t: Translate,
): string {
  const expression = hook.correlationKey!;
  const { value, warnings } = evaluateExpression(expression, variables);
  let problem: string | null = null;
  let key: string | null = null;
  if (typeof value === 'string' && value !== '') key = value;
  else if (typeof value === 'number' && Number.isFinite(value)) key = String(value);
  else if (value === null || value === undefined || value === '')
    problem =
      warnings.length > 0
        ? t('hookCorrelationError', { detail: warnings[0]!.slice(0, 300) })
        : t('hookCorrelationMissing');
  else {
    const type = Array.isArray(value)
      ? t('apiType_array')
      : typeof value === 'object'
        ? t('apiType_object')
        : typeof value === 'boolean'
          ? t('apiType_boolean')
          : String(value);
    problem = t('hookCorrelationType', { type });
  }
  if (key !== null && key.length > MAX_CORRELATION_KEY_LENGTH) {
    problem = t('hookCorrelationLong', { length: key.length, max: MAX_CORRELATION_KEY_LENGTH });
    key = null;
  }
  if (key !== null) return key;
  throw new AppError('BAD_REQUEST', t('hookCorrelationFailed', { name: hook.name, expression, problem: problem! }));
}

// ——— Housekeeping ———

/**
 * Forgets delivery ids no replay can use any more: older than DELIVERY_ID_KEPT_SECONDS. The worker
 * loop calls it now and then; a small batch per call keeps each delete short.
 */
export async function pruneInboundDeliveries(db: Executor, batch = 1_000): Promise<number> {
  const old = db
    .select({ id: inboundDeliveries.id })
    .from(inboundDeliveries)
    .where(lt(inboundDeliveries.receivedAt, sql`now() - make_interval(secs => ${DELIVERY_ID_KEPT_SECONDS})`))
    .limit(batch);
  const deleted = await db
    .delete(inboundDeliveries)
    .where(sql`${inboundDeliveries.id} in ${old}`)
    .returning({ id: inboundDeliveries.id });
  return deleted.length;
}
