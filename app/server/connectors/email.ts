/**
 * The email connector (service tasks with `taskType: "email"`): one plain-text email per job,
 * returned as `{ emailStatus, emailMessageId }`.
 *
 * Owns the `email_outbox` table: every email is recorded there before anything is sent, one row
 * per job, so nothing is silently dropped and the admin can read what went out. With an SMTP
 * server configured (TRELLIS_SMTP_URL) it is sent with nodemailer and marked `sent`; without
 * one it stays `outbox` and the process carries on.
 *
 * A retried job (a lost lease, a crash before the job completed) finds its row: when it is
 * `sent`, nothing is sent again. The one gap is a crash between the server accepting the email
 * and the row being marked: the resend then carries the same Message-ID (derived from the job
 * id), which receiving servers and clients recognise as the same message.
 *
 * Failures: a 5xx answer (no such mailbox, relaying denied, bad credentials) is permanent, the
 * row `failed` and the job an incident at once; a connection failure, a timeout or a 4xx is
 * retried with backoff, the row staying `outbox` until the last attempt fails.
 *
 * Must never send HTML (the body is text), never send without a row, and never put the SMTP
 * URL's credentials in a message.
 */
import { and, eq, ne, sql } from 'drizzle-orm';
import nodemailer from 'nodemailer';
import type { NodemailerError } from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import type { Executor } from '@/db/client';
import { emailOutbox, type EmailOutboxRow } from '@/db/schema';
import type { Connector, InstanceJob } from '../services/jobs';
import { EmailConnectorError } from './email-error';
import { asciiDomain, formatMailbox, parseMailbox, readEmailMessage, type EmailMessage, type Mailbox } from './email-message';

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

export const DEFAULT_SEND_TIMEOUT_MS = 60_000;

export function createEmailConnector(options: EmailConnectorOptions): Connector {
  const { db } = options;
  const defaultFrom = options.from ? parseMailbox(options.from, 'TRELLIS_MAIL_FROM') : null;
  const timeoutMs = options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  const smtp = options.smtpUrl ? smtpTransport(options.smtpUrl, timeoutMs) : null;

  return async ({ job, settings }) => {
    const message = readEmailMessage(settings, { from: defaultFrom });
    const row = await record(db, job, message);
    if (row.status === 'sent') return { emailStatus: 'sent', emailMessageId: row.messageId };
    if (!smtp) {
      // A failed email retried by an admin on a server without SMTP: held again, not lost.
      if (row.status === 'failed') await mark(db, row, { status: 'outbox', error: row.error });
      return { emailStatus: 'outbox', emailMessageId: row.messageId };
    }
    if (!message.from) {
      const error = new EmailConnectorError('NO_SENDER', 'The email has no sender: set the from setting on the task, or TRELLIS_MAIL_FROM on the server.', { retryable: false });
      await mark(db, row, { status: 'failed', error: error.message });
      throw error;
    }

    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), timeoutMs);
    let rejected: string[] = [];
    try {
      const info = await smtp.transport.sendMail({
        messageId: row.messageId,
        from: mailbox(message.from),
        to: message.to.map(mailbox),
        cc: message.cc.map(mailbox),
        bcc: message.bcc.map(mailbox),
        ...(message.replyTo ? { replyTo: mailbox(message.replyTo) } : {}),
        subject: message.subject,
        text: message.body,
        // RFC 3834: sent by a program, so auto-responders do not answer it.
        headers: { 'Auto-Submitted': 'auto-generated' },
        signal: deadline.signal,
      });
      rejected = (info.rejected ?? []).map(String);
    } catch (error) {
      const failure = classify(error as NodemailerError, smtp.host, deadline.signal.aborted, timeoutMs);
      // The runtime makes the last failed attempt an incident: the row says so too.
      const final = !failure.retryable || job.attempts > job.retries;
      await mark(db, row, { status: final ? 'failed' : 'outbox', error: failure.message });
      throw failure;
    } finally {
      clearTimeout(timer);
    }
    await mark(db, row, { status: 'sent', from: formatMailbox(message.from), error: rejected.length ? `Not delivered to ${rejected.join(', ')}: the SMTP server refused ${rejected.length > 1 ? 'them' : 'it'}.` : null });
    return { emailStatus: 'sent', emailMessageId: row.messageId, ...(rejected.length ? { emailRejected: rejected } : {}) };
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
  const [existing] = await db.select().from(emailOutbox).where(and(eq(emailOutbox.tenantId, job.tenantId), eq(emailOutbox.jobId, job.id)));
  if (!existing) throw new Error(`The outbox row of job "${job.id}" vanished while it was being recorded.`);
  return existing;
}

/** Moves the row on; a row already `sent` (by a worker that raced this one) stays as it is. */
async function mark(db: Executor, row: EmailOutboxRow, change: { status: EmailOutboxRow['status']; error: string | null; from?: string }) {
  await db
    .update(emailOutbox)
    .set({ ...change, error: change.error?.slice(0, 2_000) ?? null, ...(change.status === 'sent' ? { sentAt: sql`now()` } : {}) })
    .where(and(eq(emailOutbox.id, row.id), ne(emailOutbox.status, 'sent')));
}

function mailbox(m: Mailbox): { name: string; address: string } | string {
  return m.name ? { name: m.name, address: m.address } : m.address;
}

/** One transport for the connector's life; a new connection per email (no pool to go stale). */
function smtpTransport(url: string, timeoutMs: number) {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('TRELLIS_SMTP_URL is not a URL; write it as smtp://user:password@host:587 or smtps://user:password@host:465.');
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') throw new Error(`TRELLIS_SMTP_URL uses "${parsed.protocol}"; write it as smtp://user:password@host:587 or smtps://user:password@host:465.`);
  if (!parsed.hostname) throw new Error('TRELLIS_SMTP_URL names no host; write it as smtp://user:password@host:587.');
  const step = Math.min(timeoutMs, 20_000);
  const connection = parseConnectionUrl(url);
  const transport = nodemailer.createTransport({
    // Credentials never cross the network in clear text: over smtp:// they need STARTTLS, unless
    // the URL says `?requireTLS=false` (a relay on the same host, say).
    requireTLS: Boolean(connection.auth) && !connection.secure,
    ...connection,
    connectionTimeout: step,
    greetingTimeout: step,
    socketTimeout: timeoutMs,
    dnsTimeout: step,
    // Credentials and message text must not land in logs.
    logger: false,
    debug: false,
  });
  return { transport, host: parsed.port ? `${parsed.hostname}:${parsed.port}` : parsed.hostname };
}

/**
 * Permanent or not, by the SMTP answer: 5xx (but 503) refuses the email for good, 4xx asks to
 * try later; no answer at all (connection refused, dropped, timed out) is worth another try.
 */
function classify(error: NodemailerError, host: string, timedOut: boolean, timeoutMs: number): EmailConnectorError {
  if (timedOut) return new EmailConnectorError('SMTP_UNAVAILABLE', `Sending the email through ${host} timed out after ${timeoutMs} ms; it will be tried again.`, { retryable: true, cause: error });
  const code = error.responseCode;
  const answer = (error.response ?? '').replace(/\s+/g, ' ').trim().slice(0, 300);
  const permanent = typeof error.permanent === 'boolean' ? error.permanent : code !== undefined ? code >= 500 && code !== 503 : error.code === 'ECONFIG' || error.code === 'EENVELOPE';
  const recipients = error.rejected?.length ? ` for ${error.rejected.join(', ')}` : '';
  if (permanent) {
    const what =
      error.code === 'EAUTH'
        ? `${host} refused the credentials in TRELLIS_SMTP_URL`
        : error.code === 'ETLS'
          ? `${host} could not start TLS (STARTTLS), which sending the credentials in TRELLIS_SMTP_URL requires (use smtps://, or ?requireTLS=false for a relay on a trusted network)`
          : `${host} refused the email${recipients}`;
    return new EmailConnectorError('SMTP_REJECTED', `${what}: ${answer || error.message}. Sending it again will not help; fix the address or the server settings, then retry the job.`, { retryable: false, cause: error });
  }
  const why = code !== undefined ? `answered ${answer || code}` : `could not be reached (${error.code ?? error.message})`;
  return new EmailConnectorError('SMTP_UNAVAILABLE', `The SMTP server ${host} ${why}${recipients}; the email will be tried again.`, { retryable: true, cause: error });
}
