/**
 * The email connector (service tasks with `taskType: "email"`): one plain-text email per job,
 * returned as `{ emailStatus, emailMessageId }`.
 *
 * Owns the `email_outbox` table: every email is recorded there before anything is sent, one row
 * per job, so nothing is silently dropped and the admin can read what went out. With an SMTP
 * server configured (TRELLIS_SMTP_URL) it is sent with nodemailer and marked `sent`; without
 * one it stays `outbox` and the process carries on. The outbox service (services/outbox.ts)
 * sends held and failed emails later through the same claim and send as the connector.
 *
 * Whoever sends an email claims its row first: one UPDATE moves it to `sending` until
 * `locked_until` (the send's deadline plus a margin), and only the sender whose UPDATE returned
 * the row sends. A retried job, an admin's "Send now" clicked twice and the held-mail sweep
 * therefore never send one email twice at once; a row already `sent` is never sent again. A
 * sender that dies mid-send leaves its claim to run out, and the email may then be claimed
 * again. The one gap is a crash between the server accepting the email and the row being
 * marked: the resend then carries the same Message-ID (derived from the job id), which receiving
 * servers and clients recognise as the same message.
 *
 * Failures: a 5xx answer (no such mailbox, relaying denied, bad credentials) is permanent, the
 * row `failed` and the job an incident at once; a connection failure, a timeout or a 4xx is
 * retried with backoff, the row staying `outbox` until the last attempt fails.
 *
 * Must never send HTML (the body is text), never send without a row and a claim on it, and never
 * put the SMTP URL's credentials in a message.
 */
import { and, eq, inArray, isNotNull, isNull, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '@/db/client';
import { emailOutbox, type EmailOutboxRow, type EmailStatus } from '@/db/schema';
import { appendAudit, type AuditInsert } from '../services/audit';
import type { Connector, InstanceJob } from './contract';
import { EmailConnectorError } from './email-error';
import {
  asciiDomain,
  formatMailbox,
  parseMailbox,
  readEmailMessage,
  type EmailMessage,
  type Mailbox,
} from './email-message';
import { createMailer, type FailureAdvice, type Mailer } from './email-smtp';

export { DEFAULT_SEND_TIMEOUT_MS } from './email-smtp';

export interface EmailConnectorOptions {
  /** Where the outbox is kept. */
  db: Executor;
  /**
   * `smtp://user:pass@host:587` (STARTTLS: offered is used, and required when there are
   * credentials), `smtps://user:pass@host:465` (TLS); nodemailer's query options
   * (`?requireTLS=false`, `?tls.rejectUnauthorized=false`) are read too. Unset: every email
   * stays in the outbox.
   */
  smtpUrl?: string;
  /** The sender when a task names none: `Trellis <no-reply@example.com>` (TRELLIS_MAIL_FROM). */
  from?: string;
  /** Longest one send may take, in ms (default 60 s, below the worker's 120 s lease). */
  timeoutMs?: number;
}

export type EmailStatusResult = 'outbox' | 'sent';

export function createEmailConnector(options: EmailConnectorOptions): Connector {
  const { db } = options;
  const mailer = options.smtpUrl
    ? createMailer({
        smtpUrl: options.smtpUrl,
        ...(options.from ? { from: options.from } : {}),
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      })
    : null;
  const defaultFrom = mailer
    ? mailer.defaultFrom
    : options.from
      ? parseMailbox(options.from, 'TRELLIS_MAIL_FROM')
      : null;

  return async ({ job, settings }) => {
    const message = readEmailMessage(settings, { from: defaultFrom });
    const row = await record(db, job, message);
    if (row.status === 'sent') return { emailStatus: 'sent', emailMessageId: row.messageId };
    if (!mailer) {
      // A failed email retried by an admin on a server without SMTP: held again, not lost.
      if (row.status === 'failed')
        await db
          .update(emailOutbox)
          .set({ status: 'outbox' })
          .where(and(eq(emailOutbox.id, row.id), eq(emailOutbox.status, 'failed')));
      return { emailStatus: 'outbox', emailMessageId: row.messageId };
    }
    if (!message.from) {
      const error = new EmailConnectorError(
        'NO_SENDER',
        'The email has no sender: set the from setting on the task, or TRELLIS_MAIL_FROM on the server.',
        { retryable: false },
      );
      await db
        .update(emailOutbox)
        .set({ status: 'failed', error: error.message })
        .where(and(eq(emailOutbox.id, row.id), inArray(emailOutbox.status, ['outbox', 'failed'])));
      throw error;
    }

    const claimed = await claimEmail(db, { tenantId: job.tenantId, id: row.id }, ['outbox', 'failed'], mailer.leaseMs);
    if (!claimed) {
      const [now] = await db.select({ status: emailOutbox.status }).from(emailOutbox).where(eq(emailOutbox.id, row.id));
      if (now?.status === 'sent') return { emailStatus: 'sent', emailMessageId: row.messageId };
      throw new EmailConnectorError(
        'ALREADY_SENDING',
        'The email is being sent by someone else right now (an admin’s "Send now", or the held-mail sweep); the job will look again.',
        { retryable: true },
      );
    }
    // The runtime makes the last failed attempt an incident: the row says so too.
    const outcome = await sendClaimed(
      db,
      mailer,
      claimed,
      { ...message, from: message.from },
      { onRetryable: job.attempts > job.retries ? 'failed' : 'outbox' },
    );
    if (!outcome.sent) throw outcome.failure;
    return {
      emailStatus: 'sent',
      emailMessageId: row.messageId,
      ...(outcome.rejected.length ? { emailRejected: outcome.rejected } : {}),
    };
  };
}

/** The job's outbox row: recorded on the first attempt, found again on every retry. */
async function record(db: Executor, job: InstanceJob, message: EmailMessage): Promise<EmailOutboxRow> {
  const domain = message.from ? asciiDomain(message.from.address) : 'trellis.invalid';
  const [inserted] = await db
    .insert(emailOutbox)
    .values({
      tenantId: job.tenantId,
      jobId: job.id,
      instanceId: job.instanceId,
      elementId: job.elementId,
      from: message.from ? formatMailbox(message.from) : null,
      to: message.to.map(formatMailbox),
      cc: message.cc.map(formatMailbox),
      bcc: message.bcc.map(formatMailbox),
      replyTo: message.replyTo ? formatMailbox(message.replyTo) : null,
      subject: message.subject,
      body: message.body,
      messageId: `<${job.id}@${domain}>`,
    })
    .onConflictDoNothing({ target: emailOutbox.jobId })
    .returning();
  if (inserted) return inserted;
  const [existing] = await db
    .select()
    .from(emailOutbox)
    .where(and(eq(emailOutbox.tenantId, job.tenantId), eq(emailOutbox.jobId, job.id)));
  if (!existing) throw new Error(`The outbox row of job "${job.id}" vanished while it was being recorded.`);
  return existing;
}

/** A claim ends on a whole millisecond, so the claimer can name it again exactly (a JS Date has no microseconds). */
const leaseEnd = (leaseMs: number) =>
  sql`date_trunc('milliseconds', now() + ${`${Math.ceil(leaseMs)} milliseconds`}::interval)`;

/** A row another sender claimed and then died holding: its claim has run out. */
const abandoned = () => and(eq(emailOutbox.status, 'sending'), lt(emailOutbox.lockedUntil, sql`now()`))!;

/**
 * Claims one email of the tenant (null: account mail, which has none) for sending: moves it from one of `statuses` (or from an
 * abandoned `sending`) to `sending` for `leaseMs`, in one UPDATE, so of two senders racing for it
 * exactly one gets the row back (PostgreSQL re-checks the condition on the row the other just
 * committed). Undefined: someone else holds it, it was sent, or it is not in `statuses`.
 */
export async function claimEmail(
  db: Executor,
  email: { tenantId: string | null; id: string },
  statuses: readonly EmailStatus[],
  leaseMs: number,
): Promise<EmailOutboxRow | undefined> {
  const [claimed] = await db
    .update(emailOutbox)
    .set({ status: 'sending', lockedUntil: leaseEnd(leaseMs) })
    .where(
      and(
        email.tenantId === null ? isNull(emailOutbox.tenantId) : eq(emailOutbox.tenantId, email.tenantId),
        eq(emailOutbox.id, email.id),
        or(...(statuses.length ? [inArray(emailOutbox.status, [...statuses])] : []), abandoned()),
      ),
    )
    .returning();
  return claimed;
}

/**
 * Claims up to `limit` held emails of any tenant recorded before `olderThanMs` ago — `outbox`
 * rows and abandoned `sending` ones; those naming no sender only `withoutSender` (the server has
 * TRELLIS_MAIL_FROM) — the least recently tried first. Rows another sweeper is
 * claiming are skipped (SKIP LOCKED), so sweepers on several workers share the backlog.
 */
export async function claimHeldEmails(
  db: Executor,
  options: { olderThanMs: number; limit: number; leaseMs: number; withoutSender: boolean },
): Promise<EmailOutboxRow[]> {
  const held: SQL = and(
    or(eq(emailOutbox.status, 'outbox'), abandoned()),
    lt(emailOutbox.createdAt, sql`now() - ${`${Math.floor(options.olderThanMs)} milliseconds`}::interval`),
    options.withoutSender ? undefined : isNotNull(emailOutbox.from),
  )!;
  const due = db
    .select({ id: emailOutbox.id })
    .from(emailOutbox)
    .where(held)
    .orderBy(sql`${emailOutbox.lockedUntil} asc nulls first`, emailOutbox.createdAt)
    .limit(options.limit)
    .for('update', { skipLocked: true });
  // `= any(array(…))`, not `in (…)`: an array subquery runs once (an InitPlan), where `in` may
  // run the LIMITed, SKIP LOCKED subquery again per row and claim more than `limit`.
  return db
    .update(emailOutbox)
    .set({ status: 'sending', lockedUntil: leaseEnd(options.leaseMs) })
    .where(and(sql`${emailOutbox.id} = any(array(${due}))`, held))
    .returning();
}

/** A claimed email handed back untried (a sweep that stopped early): `outbox`, first in line next time. */
export async function releaseEmail(db: Executor, claimed: EmailOutboxRow): Promise<void> {
  await db.update(emailOutbox).set({ status: 'outbox', lockedUntil: null }).where(ownClaim(claimed));
}

/** A claimed email that cannot be sent as stored: `failed`, saying why. */
export async function failClaimed(db: Executor, claimed: EmailOutboxRow, why: string): Promise<void> {
  await db
    .update(emailOutbox)
    .set({ status: 'failed', error: why.slice(0, 2_000), lockedUntil: sql`now()` })
    .where(ownClaim(claimed));
}

/** The stored email as a message to send again; `defaultFrom` when it names no sender. Throws naming the address that does not read back. */
export function messageOfRow(row: EmailOutboxRow, defaultFrom: Mailbox | null): EmailMessage {
  const what = (field: string) => `The ${field} of email ${row.id}`;
  return {
    from: row.from ? parseMailbox(row.from, what('sender')) : defaultFrom,
    to: row.to.map((a) => parseMailbox(a, what('recipient'))),
    cc: row.cc.map((a) => parseMailbox(a, what('cc recipient'))),
    bcc: row.bcc.map((a) => parseMailbox(a, what('bcc recipient'))),
    replyTo: row.replyTo ? parseMailbox(row.replyTo, what('reply-to address')) : null,
    subject: row.subject,
    body: row.body,
  };
}

export type SendOutcome =
  | { sent: true; rejected: string[]; error: string | null }
  | { sent: false; status: 'outbox' | 'failed'; failure: EmailConnectorError };

export interface SendOptions {
  /** What the row becomes when the failure is worth another try (a permanent one makes it `failed`). */
  onRetryable: 'outbox' | 'failed';
  /** What the failure's message advises (default: a job's, "retry the job"). */
  advice?: FailureAdvice;
  /** An audit row to write with the outcome (or null), in the same transaction as the row's new status. */
  audit?: (outcome: SendOutcome) => AuditInsert | null;
}

/**
 * Sends an email this caller claimed and marks the outcome: `sent` (with the sender used and
 * the recipients the server refused, if any), else `failed` or `options.onRetryable` with the
 * server's answer. SMTP failures are returned, not thrown.
 */
export async function sendClaimed(
  db: Executor,
  mailer: Mailer,
  claimed: EmailOutboxRow,
  message: EmailMessage & { from: Mailbox },
  options: SendOptions,
): Promise<SendOutcome> {
  let outcome: SendOutcome;
  try {
    const { rejected } = await mailer.send(message, claimed.messageId, options.advice);
    outcome = {
      sent: true,
      rejected,
      error: rejected.length
        ? `Not delivered to ${rejected.join(', ')}: the SMTP server refused ${rejected.length > 1 ? 'them' : 'it'}.`
        : null,
    };
  } catch (error) {
    const failure =
      error instanceof EmailConnectorError
        ? error
        : new EmailConnectorError('SMTP_UNAVAILABLE', `Sending the email failed: ${(error as Error).message}`, {
            retryable: true,
            cause: error,
          });
    outcome = { sent: false, status: failure.retryable ? options.onRetryable : 'failed', failure };
  }
  const audit = options.audit?.(outcome);
  await db.transaction(async (tx) => {
    if (outcome.sent) {
      // Sent is the truth even if this claim ran out meanwhile; only a row already sent stays as it is.
      await tx
        .update(emailOutbox)
        .set({
          status: 'sent',
          from: formatMailbox(message.from),
          error: outcome.error,
          sentAt: sql`now()`,
          lockedUntil: sql`now()`,
        })
        .where(and(eq(emailOutbox.id, claimed.id), ne(emailOutbox.status, 'sent')));
    } else {
      await tx
        .update(emailOutbox)
        .set({ status: outcome.status, error: outcome.failure.message.slice(0, 2_000), lockedUntil: sql`now()` })
        .where(ownClaim(claimed));
    }
    if (audit) await appendAudit(tx, [audit]);
  });
  return outcome;
}

/** Still this caller's claim: `sending`, with the lease it set (a later claimer sets another). */
function ownClaim(claimed: EmailOutboxRow): SQL {
  return and(
    eq(emailOutbox.id, claimed.id),
    eq(emailOutbox.status, 'sending'),
    claimed.lockedUntil ? eq(emailOutbox.lockedUntil, claimed.lockedUntil) : isNull(emailOutbox.lockedUntil),
  )!;
}
