/**
 * The email outbox as the admin reads it: every email the company's processes sent or hold,
 * newest first, a page at a time. Read-only; the email connector (connectors/email.ts) writes it.
 * Always scoped to one tenant.
 */
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '@/db/client';
import { emailOutbox, processDefinitions, processInstances, type EmailStatus } from '@/db/schema';

export const OUTBOX_PAGE_SIZE = 50;

export interface OutboxQuery {
  /** Page size, 1–100. */
  limit?: number;
  /** The id of the last email of the previous page. */
  after?: string;
  status?: EmailStatus;
}

export async function listOutbox(db: Executor, tenantId: string, query: OutboxQuery = {}) {
  const limit = query.limit ?? OUTBOX_PAGE_SIZE;
  const where: SQL[] = [eq(emailOutbox.tenantId, tenantId)];
  if (query.status) where.push(eq(emailOutbox.status, query.status));
  // Keyset paging on (created_at, id), compared in the database at full timestamp precision.
  if (query.after) where.push(sql`(${emailOutbox.createdAt}, ${emailOutbox.id}) < (select o.created_at, o.id from email_outbox o where o.id = ${query.after} and o.tenant_id = ${tenantId})`);
  const rows = await db
    .select({
      id: emailOutbox.id,
      status: emailOutbox.status,
      from: emailOutbox.from,
      to: emailOutbox.to,
      cc: emailOutbox.cc,
      bcc: emailOutbox.bcc,
      replyTo: emailOutbox.replyTo,
      subject: emailOutbox.subject,
      body: emailOutbox.body,
      messageId: emailOutbox.messageId,
      error: emailOutbox.error,
      createdAt: emailOutbox.createdAt,
      sentAt: emailOutbox.sentAt,
      instanceId: emailOutbox.instanceId,
      elementId: emailOutbox.elementId,
      businessKey: processInstances.businessKey,
      processName: processDefinitions.name,
    })
    .from(emailOutbox)
    .innerJoin(processInstances, eq(processInstances.id, emailOutbox.instanceId))
    .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
    .where(and(...where))
    .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? items[items.length - 1]!.id : null };
}
