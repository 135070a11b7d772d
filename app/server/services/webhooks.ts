/**
 * Outgoing webhooks: a tenant's admins register URLs that receive its events (task created or
 * completed, instance completed or failed) as signed JSON POSTs.
 *
 * Owns three things. Which audit types are which webhook events (webhookEventOfAudit). How a
 * delivery is enqueued: as a `webhook` job inserted by the same statement that writes the audit
 * row (webhookJobsSql, a fragment appendAudit rides along as a CTE), so an event and its
 * deliveries commit or roll back together and cost no extra round trip. And how a delivery is
 * sent (runWebhookJob): through the HTTP connector's guarded sender (address policy, DNS
 * pinning, deadline), signed with HMAC-SHA256 over "<timestamp>.<body>".
 *
 * Delivery is at least once: a worker that dies after the POST, before marking the job done,
 * sends it again after the lease, with the same delivery id (X-Trellis-Delivery), which is the
 * receiver's idempotency key. Deliveries may arrive out of order; `occurredAt` orders them.
 *
 * A failed delivery is the webhook's problem, never the instance's: it must not raise an incident
 * (an incident is itself an event a webhook may receive — a failing receiver would feed itself).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { and, desc, eq, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Executor } from '@/db/client';
import { jobs, webhookEvents, webhooks, type Job, type WebhookEvent } from '@/db/schema';
import type { Actor } from '../actor';
import type { HttpSender } from '../connectors/http';
import { AppError } from '../errors';
import { appendAudit } from './audit';
import { retryDelaySeconds } from '../host/backoff';
import { hinted } from '../host/job-signal';

export { webhookEvents, type WebhookEvent };
export { webhookEventOf, webhookEventOfAudit, webhookJobsFrom, webhookJobsSql } from './webhook-events';
import type { WebhookJobPayload } from './webhook-events';
export type { WebhookEventBody, WebhookJobPayload, WebhookSourceEvent } from './webhook-events';

// ——— Sending ———

/** How long a receiver has to answer. */
export const DELIVERY_TIMEOUT_MS = 10_000;

/** `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`: the X-Trellis-Signature of a delivery. */
export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/** The JSON a delivery posts: `{ id, type, occurredAt, tenantId, instanceId, taskId?, elementId?, data }`. */
export function deliveryBody(job: Pick<Job, 'id' | 'payload'>): string {
  const { event } = job.payload as unknown as WebhookJobPayload;
  return JSON.stringify({
    id: job.id,
    type: event.type,
    occurredAt: event.occurredAt,
    tenantId: event.tenantId,
    instanceId: event.instanceId,
    ...(event.taskId ? { taskId: event.taskId } : {}),
    ...(event.elementId ? { elementId: event.elementId } : {}),
    data: event.data,
  });
}

export type WebhookOutcome = 'delivered' | 'retry' | 'failed' | 'cancelled' | 'lost';

/**
 * Sends one claimed delivery (outside any transaction), then settles the job if this worker still
 * holds it: 2xx → done; 408, 429, 5xx, network failures and timeouts → retried with the jobs'
 * backoff until the retries run out, then failed; any other answer (4xx, a redirect, which is not
 * followed) and a refused address → failed at once, since sending the same again cannot help.
 * A delivery whose webhook was deleted or deactivated meanwhile is cancelled, unsent.
 */
export async function runWebhookJob(
  db: Executor,
  job: Job,
  workerId: string,
  send: HttpSender,
  options: { timeoutMs?: number } = {},
): Promise<WebhookOutcome> {
  const { webhookId, event } = job.payload as unknown as WebhookJobPayload;
  const [hook] = await db
    .select({ url: webhooks.url, secret: webhooks.secret, active: webhooks.active })
    .from(webhooks)
    .where(and(eq(webhooks.tenantId, job.tenantId), eq(webhooks.id, webhookId)));
  if (!hook || !hook.active) {
    const why = `The webhook was ${hook ? 'deactivated' : 'deleted'} before this delivery was sent.`;
    return (await settle(db, job, workerId, { status: 'cancelled', lastError: why, completedAt: sql`now()` }))
      ? 'cancelled'
      : 'lost';
  }

  const url = new URL(hook.url);
  const body = deliveryBody(job);
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = {
    'content-type': 'application/json',
    'user-agent': 'Trellis-Webhooks/1',
    'x-trellis-event': event.type,
    'x-trellis-delivery': job.id,
    'x-trellis-timestamp': String(timestamp),
    'x-trellis-signature': signWebhook(hook.secret, timestamp, body),
  };
  let failure: { message: string; retryable: boolean } | null;
  try {
    const status = await send(
      {
        method: 'POST',
        url,
        headers,
        body,
        timeoutMs: options.timeoutMs ?? DELIVERY_TIMEOUT_MS,
        followRedirects: false,
      },
      async ({ response }) => {
        // Only the status counts; nothing of the body is read (nor kept: it is the receiver's text).
        response.destroy();
        return response.statusCode ?? 0;
      },
    );
    failure = answerFailure(status, url);
  } catch (error) {
    const e = error as { message?: string; retryable?: unknown };
    failure = {
      message: `Webhook delivery to ${url.host} failed: ${e.message ?? String(error)}`,
      retryable: e.retryable !== false,
    };
  }
  if (!failure)
    return (await settle(db, job, workerId, { status: 'done', completedAt: sql`now()` })) ? 'delivered' : 'lost';
  const exhausted = !failure.retryable || job.attempts > job.retries;
  const settled = await settle(db, job, workerId, {
    status: exhausted ? 'failed' : 'pending',
    lastError: failure.message.slice(0, 2_000),
    dueAt: exhausted ? undefined : sql`now() + make_interval(secs => ${retryDelaySeconds(job.attempts)})`,
  });
  if (!settled) return 'lost';
  return exhausted ? 'failed' : 'retry';
}

/** Null for a 2xx; else why, and whether sending again may help. The standard reason phrase only: nothing the receiver wrote. */
function answerFailure(status: number, url: URL): { message: string; retryable: boolean } | null {
  if (status >= 200 && status < 300) return null;
  const what = `Webhook delivery to ${url.host} answered ${status} ${STATUS_CODES[status] ?? ''}`.trim();
  if (status >= 500 || status === 408 || status === 429)
    return { message: `${what}; it is retried with backoff.`, retryable: true };
  if (status >= 300 && status < 400)
    return {
      message: `${what}; deliveries do not follow redirects: set the webhook's URL to the final address.`,
      retryable: false,
    };
  return {
    message: `${what}; a 4xx other than 408 and 429 is not retried: fix the receiver, then redeliver.`,
    retryable: false,
  };
}

/** Writes the job's outcome if this worker still holds it; false when it lost the job (lease ran out, or cancelled). */
async function settle(db: Executor, job: Job, workerId: string, set: PgUpdateSetSource<typeof jobs>): Promise<boolean> {
  const rows = await db
    .update(jobs)
    .set({ ...set, lockedBy: null, lockedUntil: null })
    .where(and(eq(jobs.id, job.id), eq(jobs.lockedBy, workerId), eq(jobs.status, 'running')))
    .returning({ id: jobs.id });
  return rows.length > 0;
}

// ——— Managing webhooks (admins; the router checks the role) ———

/**
 * The URL a webhook posts to: absolute http(s), no credentials (they would be logged and shown), no fragment.
 * Each refusal names the field (`url`), so a form can show it beside the URL input.
 */
export function webhookUrlOf(text: string): string {
  const invalid = (message: string) => new AppError('BAD_REQUEST', message, [{ field: 'url', label: 'URL', message }]);
  const trimmed = text.trim();
  if (trimmed.length > 2_000) throw invalid('The webhook URL is longer than 2000 characters.');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw invalid(`The webhook URL "${trimmed.slice(0, 200)}" is not an absolute URL; start it with "https://".`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw invalid(`The webhook URL uses "${url.protocol}"; only https: (or http:) URLs receive webhooks.`);
  if (url.username || url.password)
    throw invalid(
      `The webhook URL for ${url.host} carries credentials; remove them: the receiver checks the X-Trellis-Signature instead.`,
    );
  if (url.hash) throw invalid('The webhook URL has a #fragment, which is never sent; remove it.');
  return url.toString();
}

/** The URL as the audit trail keeps it: without its query, where receivers often put a token (audit rows are never deleted). */
function withoutQuery(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

/** A fresh signing secret: 32 random bytes as hex. */
function newSecret(): string {
  return randomBytes(32).toString('hex');
}

/** Literal, not a parameter: a generic plan can then use the partial index jobs_webhook_idx. */
const ofWebhook = sql`${jobs.kind} = 'webhook'`;

const listed = {
  id: webhooks.id,
  url: webhooks.url,
  events: webhooks.events,
  active: webhooks.active,
  createdAt: webhooks.createdAt,
};

/** Registers a webhook; the only answer that carries its secret (and rotateWebhookSecret's). */
export async function createWebhook(
  db: Executor,
  actor: Actor,
  input: { url: string; events: readonly WebhookEvent[] },
) {
  const url = webhookUrlOf(input.url);
  const events = webhookEvents.filter((e) => input.events.includes(e));
  if (events.length === 0) {
    const message = `Choose at least one event for the webhook: ${webhookEvents.join(', ')}.`;
    throw new AppError('BAD_REQUEST', message, [
      { field: 'events', label: actor.locale === 'vi' ? 'Sự kiện' : 'Events', message },
    ]);
  }
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(webhooks)
      .values({ tenantId: actor.tenantId, url, secret: newSecret(), events, createdBy: actor.userId })
      .returning({ ...listed, secret: webhooks.secret });
    await appendAudit(tx, [
      {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        type: 'webhook.created',
        data: { webhookId: row!.id, url: withoutQuery(url), events },
      },
    ]);
    return row!;
  });
}

/** The tenant's webhooks, newest first, without secrets. */
export async function listWebhooks(db: Executor, actor: Actor) {
  return db
    .select(listed)
    .from(webhooks)
    .where(eq(webhooks.tenantId, actor.tenantId))
    .orderBy(desc(webhooks.createdAt), desc(webhooks.id));
}

/** Turns a webhook off (pending deliveries are cancelled) or on again (new events only). */
export async function setWebhookActive(db: Executor, actor: Actor, id: string, active: boolean) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(webhooks)
      .set({ active })
      .where(and(eq(webhooks.tenantId, actor.tenantId), eq(webhooks.id, id)))
      .returning(listed);
    if (!row) throw notFound(id);
    if (!active)
      await cancelPending(tx, actor.tenantId, id, 'The webhook was deactivated before this delivery was sent.');
    await appendAudit(tx, [
      {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        type: active ? 'webhook.activated' : 'webhook.deactivated',
        data: { webhookId: id },
      },
    ]);
    return row;
  });
}

/** Removes a webhook; its pending deliveries are cancelled. Its delivery history stays in the jobs table. */
export async function deleteWebhook(db: Executor, actor: Actor, id: string) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .delete(webhooks)
      .where(and(eq(webhooks.tenantId, actor.tenantId), eq(webhooks.id, id)))
      .returning({ id: webhooks.id, url: webhooks.url });
    if (!row) throw notFound(id);
    await cancelPending(tx, actor.tenantId, id, 'The webhook was deleted before this delivery was sent.');
    await appendAudit(tx, [
      {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        type: 'webhook.deleted',
        data: { webhookId: id, url: withoutQuery(row.url) },
      },
    ]);
    return { id };
  });
}

/** A new secret, returned once; deliveries from now on (retries included) are signed with it. */
export async function rotateWebhookSecret(db: Executor, actor: Actor, id: string) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .update(webhooks)
      .set({ secret: newSecret() })
      .where(and(eq(webhooks.tenantId, actor.tenantId), eq(webhooks.id, id)))
      .returning({ id: webhooks.id, secret: webhooks.secret });
    if (!row) throw notFound(id);
    await appendAudit(tx, [
      { tenantId: actor.tenantId, actorId: actor.userId, type: 'webhook.secret-rotated', data: { webhookId: id } },
    ]);
    return row;
  });
}

/** A webhook's most recent deliveries, newest first. */
export async function listDeliveries(db: Executor, actor: Actor, id: string, limit = 50) {
  await webhookOf(db, actor, id);
  return db
    .select({
      id: jobs.id,
      event: jobs.jobType,
      instanceId: jobs.instanceId,
      status: jobs.status,
      attempts: jobs.attempts,
      lastError: jobs.lastError,
      createdAt: jobs.createdAt,
      completedAt: jobs.completedAt,
      /** When a pending delivery is tried (again). */
      dueAt: jobs.dueAt,
    })
    .from(jobs)
    .where(and(eq(jobs.tenantId, actor.tenantId), ofWebhook, sql`${jobs.payload}->>'webhookId' = ${id}`))
    .orderBy(desc(jobs.createdAt), desc(jobs.id))
    .limit(limit);
}

/** A failed delivery is sent again, from its first attempt, with the same delivery id. */
export async function redeliver(db: Executor, actor: Actor, webhookId: string, deliveryId: string) {
  await webhookOf(db, actor, webhookId);
  return hinted(
    db.transaction(async (tx) => {
      const [row] = await tx
        .update(jobs)
        .set({ status: 'pending', attempts: 0, dueAt: sql`now()`, lastError: null, completedAt: null })
        .where(
          and(
            eq(jobs.tenantId, actor.tenantId),
            eq(jobs.id, deliveryId),
            ofWebhook,
            sql`${jobs.payload}->>'webhookId' = ${webhookId}`,
            eq(jobs.status, 'failed'),
          ),
        )
        .returning({ id: jobs.id, status: jobs.status });
      if (!row)
        throw new AppError('NOT_FOUND', `Webhook "${webhookId}" has no failed delivery "${deliveryId}" to send again.`);
      await appendAudit(tx, [
        {
          tenantId: actor.tenantId,
          actorId: actor.userId,
          type: 'webhook.redelivered',
          data: { webhookId, deliveryId },
        },
      ]);
      return row;
    }),
  );
}

async function webhookOf(db: Executor, actor: Actor, id: string) {
  const [row] = await db
    .select({ id: webhooks.id })
    .from(webhooks)
    .where(and(eq(webhooks.tenantId, actor.tenantId), eq(webhooks.id, id)));
  if (!row) throw notFound(id);
  return row;
}

async function cancelPending(tx: Executor, tenantId: string, webhookId: string, why: string) {
  await tx
    .update(jobs)
    .set({ status: 'cancelled', lastError: why, completedAt: sql`now()` })
    .where(
      and(
        eq(jobs.tenantId, tenantId),
        ofWebhook,
        sql`${jobs.payload}->>'webhookId' = ${webhookId}`,
        eq(jobs.status, 'pending'),
      ),
    );
}

const notFound = (id: string) => new AppError('NOT_FOUND', `Webhook "${id}" was not found.`);
