/**
 * The email outbox as the admin works it: every email the company's processes sent or hold,
 * newest first, a page at a time; an admin's "Send now" for a held or failed email; and the
 * worker's held-mail sweep, which sends what was held while no SMTP server was configured.
 *
 * Recording, claiming and sending an email are the email connector's (connectors/email.ts):
 * this module decides who may send what, and audits it. Every query an admin causes is scoped
 * to the admin's tenant; the sweep works for the whole database, as the worker does.
 */
import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '@/db/client';
import {
  emailOutbox,
  emailStatuses,
  jobs,
  processDefinitions,
  processInstances,
  type EmailOutboxRow,
  type EmailStatus,
} from '@/db/schema';

/** The statuses the outbox page filters by (pages take them from here, not from the schema). */
export { emailStatuses, type EmailStatus };
import { formatDateTime } from '../../_i18n/format';
import { translator, type Locale, type Translate } from '../../_i18n/messages';
import type { Actor } from '../actor';
import {
  claimEmail,
  claimHeldEmails,
  failClaimed,
  messageOfRow,
  releaseEmail,
  sendClaimed,
  type SendOutcome,
} from '../connectors/email';
import type { EmailMessage } from '../connectors/email-message';
import { createMailer, type FailureAdvice, type Mailer } from '../connectors/email-smtp';
import type { EmailSettings } from '../env';
import { AppError } from '../errors';

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
  if (query.after)
    where.push(
      sql`(${emailOutbox.createdAt}, ${emailOutbox.id}) < (select o.created_at, o.id from email_outbox o where o.id = ${query.after} and o.tenant_id = ${tenantId})`,
    );
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
      /** Held, failed, or claimed by a sender that died: "Send now" may take it. */
      sendable: sql<boolean>`(${emailOutbox.status} in ('outbox', 'failed') or (${emailOutbox.status} = 'sending' and ${emailOutbox.lockedUntil} < now()))`,
      instanceId: emailOutbox.instanceId,
      elementId: emailOutbox.elementId,
      businessKey: processInstances.businessKey,
      processName: processDefinitions.name,
    })
    .from(emailOutbox)
    // Left joins: an invitation belongs to the company but to no process.
    .leftJoin(processInstances, eq(processInstances.id, emailOutbox.instanceId))
    .leftJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
    .where(and(...where))
    .orderBy(desc(emailOutbox.createdAt), desc(emailOutbox.id))
    .limit(limit + 1);
  const items = rows.slice(0, limit);
  return { items, next: rows.length > limit ? items[items.length - 1]!.id : null };
}

/** What "Send now" did: the email's status after it, and what the server said. */
export interface SendNowResult {
  id: string;
  status: 'sent' | 'outbox' | 'failed';
  messageId: string;
  sentAt: Date | null;
  /** The server's answer when it was not sent; the recipients it refused when it was. */
  error: string | null;
  rejected: string[];
  /**
   * The email's job is still an incident (its send had failed): the process waits at the email
   * task until the incident is retried, which now finds the email sent and moves on.
   */
  incidentOpen: boolean;
}

const ADMIN_ADVICE: FailureAdvice = { retryable: 'try again later', permanent: 'send it again' };

/**
 * An admin sends one held (`outbox`) or `failed` email now, through the SMTP server of `settings`
 * (none: the admin is told to set TRELLIS_SMTP_URL). The email is claimed
 * before it is sent, so a second click, a concurrent one, a retried job or the sweep cannot send
 * it again; an email already `sent` is refused. A failure the server may get over leaves the
 * email as it was (`outbox` or `failed`) with the server's answer; a permanent one makes it
 * `failed`. Each attempt is audited as `email.resent` on the email's instance (chained to it).
 */
export async function sendOutboxEmail(
  db: Executor,
  actor: Actor,
  id: string,
  settings: EmailSettings,
): Promise<SendNowResult> {
  const t = translator(actor.locale);
  if (actor.role !== 'admin') throw new AppError('FORBIDDEN', t('outboxSendAdminsOnly'));
  const [row] = await db
    .select()
    .from(emailOutbox)
    .where(and(eq(emailOutbox.tenantId, actor.tenantId), eq(emailOutbox.id, id)));
  if (!row) throw new AppError('NOT_FOUND', t('outboxSendNotFound', { id }));
  refuseUnsendable(row, t, actor.locale);
  if (!settings.smtpUrl) throw new AppError('PRECONDITION_FAILED', t('outboxSendNoSmtp'));
  let mailer: Mailer;
  try {
    mailer = createMailer({ smtpUrl: settings.smtpUrl, ...(settings.from ? { from: settings.from } : {}) });
  } catch (error) {
    // A server setting the admin cannot fix here: say which (the message names the variable, never its value).
    throw new AppError('PRECONDITION_FAILED', (error as Error).message, undefined, { cause: error });
  }
  let message: EmailMessage;
  try {
    message = messageOfRow(row, mailer.defaultFrom);
  } catch (error) {
    throw new AppError('BAD_REQUEST', (error as Error).message, undefined, { cause: error });
  }
  const from = message.from;
  if (!from) throw new AppError('PRECONDITION_FAILED', t('outboxSendNoSender'));

  // Compare-and-set on the status just read (or an abandoned claim): of two clicks, one wins.
  const previous: 'outbox' | 'failed' = row.status === 'failed' ? 'failed' : 'outbox';
  const claimed = await claimEmail(
    db,
    { tenantId: actor.tenantId, id },
    row.status === 'sending' ? [] : [row.status],
    mailer.leaseMs,
  );
  if (!claimed) {
    const [now] = await db
      .select()
      .from(emailOutbox)
      .where(and(eq(emailOutbox.tenantId, actor.tenantId), eq(emailOutbox.id, id)));
    if (now) refuseUnsendable(now, t, actor.locale);
    throw new AppError('CONFLICT', t('outboxSendChanged'));
  }
  const outcome = await sendClaimed(
    db,
    mailer,
    claimed,
    { ...message, from },
    {
      onRetryable: previous,
      advice: ADMIN_ADVICE,
      audit: (o) => ({
        tenantId: actor.tenantId,
        instanceId: row.instanceId,
        actorId: actor.userId,
        type: 'email.resent',
        elementId: row.elementId,
        data: auditData(row, previous, o),
      }),
    },
  );
  const [after] = await db
    .select({ sentAt: emailOutbox.sentAt, jobStatus: jobs.status })
    .from(emailOutbox)
    .leftJoin(jobs, eq(jobs.id, emailOutbox.jobId))
    .where(and(eq(emailOutbox.tenantId, actor.tenantId), eq(emailOutbox.id, id)));
  return {
    id,
    status: outcome.sent ? 'sent' : outcome.status,
    messageId: row.messageId,
    sentAt: after?.sentAt ?? null,
    error: outcome.sent ? outcome.error : outcome.failure.message,
    rejected: outcome.sent ? outcome.rejected : [],
    incidentOpen: after?.jobStatus === 'failed',
  };
}

/** Refuses an email that is sent, or that another sender holds right now. */
function refuseUnsendable(row: EmailOutboxRow, t: Translate, locale: Locale): void {
  if (row.status === 'sent')
    throw new AppError(
      'CONFLICT',
      t('outboxSendAlreadySent', {
        messageId: row.messageId,
        at: row.sentAt ? formatDateTime(row.sentAt, locale) : '—',
      }),
    );
  if (row.status === 'sending' && row.lockedUntil && row.lockedUntil.getTime() > Date.now())
    throw new AppError('CONFLICT', t('outboxSendInProgress'));
}

function auditData(row: EmailOutboxRow, previous: EmailStatus, outcome: SendOutcome): Record<string, unknown> {
  return {
    emailId: row.id,
    jobId: row.jobId,
    messageId: row.messageId,
    subject: row.subject,
    previousStatus: previous,
    status: outcome.sent ? 'sent' : outcome.status,
    ...(outcome.sent
      ? outcome.rejected.length
        ? { rejected: outcome.rejected }
        : {}
      : { error: outcome.failure.message.slice(0, 2_000) }),
  };
}

/** Held mail goes out at most this many at a time, and no more than once a minute per worker. */
export const HELD_MAIL_BATCH = 20;
export const HELD_MAIL_EVERY_MS = 60_000;
/** Emails younger than this are left to their job (which may be retrying them). */
export const HELD_MAIL_MIN_AGE_MS = 10 * 60_000;

const SWEEP_ADVICE: FailureAdvice = {
  retryable: 'the email will be tried again',
  permanent: 'send it again from the outbox',
};

export interface HeldMailOptions {
  /** Emails recorded less than this long ago are left alone (default 10 minutes). */
  olderThanMs?: number;
  /** At most this many per call (default 20). */
  limit?: number;
  /** Aborted (the worker is stopping): the emails claimed but not yet sent are handed back. */
  signal?: AbortSignal;
}

/**
 * One pass of the held-mail sweep: claims the oldest held emails (of every tenant; the least
 * recently tried first) and sends them one by one. The first failure the server may get over
 * (unreachable, 4xx) ends the pass and hands the rest back: the next pass tries again, starting
 * with the ones not tried. Emails with no sender stay held while TRELLIS_MAIL_FROM is unset.
 * Each email that was sent or failed is audited as `email.resent` by no one (the worker).
 */
export async function sendHeldEmails(
  db: Executor,
  mailer: Mailer,
  options: HeldMailOptions = {},
): Promise<{ sent: number; failed: number; handedBack: number }> {
  const claimed = await claimHeldEmails(db, {
    olderThanMs: options.olderThanMs ?? HELD_MAIL_MIN_AGE_MS,
    limit: options.limit ?? HELD_MAIL_BATCH,
    leaseMs: mailer.leaseMs,
    withoutSender: mailer.defaultFrom !== null,
  });
  const counts = { sent: 0, failed: 0, handedBack: 0 };
  for (let i = 0; i < claimed.length; i++) {
    const row = claimed[i]!;
    if (options.signal?.aborted) {
      for (const rest of claimed.slice(i)) await releaseEmail(db, rest);
      counts.handedBack += claimed.length - i;
      break;
    }
    let message: EmailMessage;
    try {
      message = messageOfRow(row, mailer.defaultFrom);
    } catch (error) {
      // Stored addresses that no longer read back: a person must look; the rest go on.
      await failClaimed(db, row, (error as Error).message);
      counts.failed++;
      continue;
    }
    // (Claimed only with a sender: its own, or the server's.)
    const outcome: SendOutcome = await sendClaimed(
      db,
      mailer,
      row,
      { ...message, from: message.from! },
      {
        onRetryable: 'outbox',
        advice: SWEEP_ADVICE,
        // A failure that leaves the email held changes nothing worth a row on the instance's trail;
        // account mail (no company) has no trail to write to.
        audit: (o) =>
          row.tenantId && (o.sent || o.status === 'failed')
            ? {
                tenantId: row.tenantId,
                instanceId: row.instanceId,
                actorId: null,
                type: 'email.resent',
                elementId: row.elementId,
                data: { ...auditData(row, 'outbox', o), by: 'held-mail' },
              }
            : null,
      },
    );
    if (outcome.sent) counts.sent++;
    else if (outcome.status === 'failed') counts.failed++;
    else {
      for (const rest of claimed.slice(i + 1)) await releaseEmail(db, rest);
      counts.handedBack += claimed.length - i - 1;
      break;
    }
  }
  return counts;
}
