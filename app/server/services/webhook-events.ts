/**
 * Which audit types are webhook events, and how a delivery is enqueued: as a `webhook` job
 * inserted by the same statement that writes the audit row (a data-modifying CTE), so an event
 * and its deliveries commit or roll back together at no extra round trip. The host's writer
 * (app/server/host/write.ts) adds them to every step; the audit trail knows nothing of them.
 * Sending is webhooks.ts's.
 */
import { sql, type SQL } from 'drizzle-orm';
import { type WebhookEvent } from '@/db/schema';

/**
 * The audit types that are webhook events, and which. `instance.failed` is an incident raised on
 * the instance: by the engine (an expression or a definition that cannot go on) or by a job whose
 * retries ran out.
 */
export const webhookEventOfAudit: Readonly<Record<string, WebhookEvent>> = Object.freeze({
  'task.created': 'task.created',
  'task.completed': 'task.completed',
  'instance.completed': 'instance.completed',
  'incident.raised': 'instance.failed',
});

/** The webhook event an audit type is, or undefined. */
export function webhookEventOf(auditType: string): WebhookEvent | undefined {
  return Object.hasOwn(webhookEventOfAudit, auditType) ? webhookEventOfAudit[auditType] : undefined;
}

/** An event as it was written to the audit trail (appendAudit's rows once ids and time are set). */
export interface WebhookSourceEvent {
  tenantId: string;
  /** Events without an instance are never webhook events. */
  instanceId?: string | null;
  taskId?: string | null;
  elementId?: string | null;
  /** The audit type; only the ones webhookEventOfAudit names are delivered. */
  type: string;
  data?: Record<string, unknown>;
  /** When it happened: the audit row's `at`. */
  at: Date;
}

/** What a delivery sends, but its id (the job's, known once it is inserted). Stored in the job's payload. */
export interface WebhookEventBody {
  type: WebhookEvent;
  /** The audit row's `at`, ISO 8601 in UTC with milliseconds. */
  occurredAt: string;
  tenantId: string;
  instanceId: string;
  taskId?: string;
  elementId?: string;
  data: Record<string, unknown>;
}

/** A `webhook` job's payload. */
export interface WebhookJobPayload {
  webhookId: string;
  event: WebhookEventBody;
}

/** webhookEventOfAudit as an SQL relation m(audit_type, event). Constants only. */
const EVENT_MAPPING = `(values ${Object.entries(webhookEventOfAudit)
  .map(([audit, event]) => `('${audit}', '${event}')`)
  .join(', ')}) as m(audit_type, event)`;

/** webhookJobsFrom's text before and after its source relation. */
const ENQUEUE_HEAD = `insert into jobs (tenant_id, instance_id, kind, element_id, job_type, payload)
    select w.tenant_id, a.instance_id, 'webhook', coalesce(a.element_id, ''), m.event, jsonb_build_object('webhookId', w.id, 'event',
      jsonb_build_object('type', m.event, 'occurredAt', to_char(a.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), 'tenantId', a.tenant_id, 'instanceId', a.instance_id,
        'taskId', a.task_id, 'elementId', a.element_id, 'data', coalesce(a.data, '{}'::jsonb))
      - array_remove(array[case when a.task_id is null then 'taskId' end, case when a.element_id is null then 'elementId' end], null))
    from `;
const ENQUEUE_TAIL = `
    join ${EVENT_MAPPING} on m.audit_type = a.type
    join webhooks w on w.tenant_id = a.tenant_id and w.active and m.event = any(w.events)
    where a.instance_id is not null`;

/**
 * SQL text enqueueing one `webhook` job per (audit row of `source`, active webhook of its tenant
 * subscribed to the row's event): an INSERT … SELECT, for a data-modifying CTE of the statement
 * that writes the audit rows, so the deliveries commit or roll back with them.
 *
 * `source` is a relation aliased `a` with the audit columns tenant_id uuid, instance_id uuid,
 * task_id uuid, element_id text, type text, data jsonb and at timestamptz: the audit insert's
 * RETURNING (`new_audit a`), or the rows themselves (`jsonb_to_recordset($1) as a(…)`, a VALUES
 * list). Rows that are no webhook event, or have no instance, enqueue nothing. The text is made of
 * constants and `source` only (no parameters), so a prepared statement keeps one shape. Add it
 * only when some row is a webhook event (webhookEventOf), to leave other statements as they are.
 */
export function webhookJobsFrom(source: string): string {
  return `${ENQUEUE_HEAD}${source}${ENQUEUE_TAIL}`;
}

/**
 * webhookJobsFrom for rows known in JS (appendAudit's), as a drizzle fragment over a VALUES list
 * of just the rows that are webhook events; null when none is (then add nothing to the statement).
 * Run it as a CTE of the statement writing the rows (`tx.$with('webhook_jobs', {}).as(fragment)`)
 * or on its own (`tx.execute(fragment)`), in their transaction either way.
 */
export function webhookJobsSql(events: readonly WebhookSourceEvent[]): SQL | null {
  const rows = events
    .filter((e) => e.instanceId && webhookEventOf(e.type))
    .map(
      (e) =>
        sql`(${e.tenantId}::uuid, ${e.instanceId}::uuid, ${e.taskId ?? null}::uuid, ${e.elementId ?? null}::text, ${e.type}::text, ${JSON.stringify(e.data ?? {})}::jsonb, ${e.at.toISOString()}::timestamptz)`,
    );
  if (rows.length === 0) return null;
  return sql`${sql.raw(ENQUEUE_HEAD)}(values ${sql.join(rows, sql`, `)}) as a(tenant_id, instance_id, task_id, element_id, type, data, at)${sql.raw(ENQUEUE_TAIL)}`;
}
