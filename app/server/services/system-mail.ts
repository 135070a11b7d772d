/**
 * Email the application itself sends — a password reset link, an invitation — as opposed to the
 * email a process sends (connectors/email.ts). It goes through the same outbox: recorded first
 * (so it shows, and in development it can be read there), then sent when an SMTP server is
 * configured, with the same claim, so it is never sent twice.
 *
 * A row with a tenant is that company's (its /admin/outbox lists it); a row without one (a
 * password reset: a person's, not a company's) is seen by no admin. None has a job or instance.
 * The held-mail sweep (services/outbox.ts) sends what could not be sent at once.
 *
 * Must never send HTML, and never put a token anywhere but the text of the one email it is for.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, isNull } from 'drizzle-orm';
import type { Executor } from '@/db/client';
import { emailOutbox } from '@/db/schema';
import { claimEmail, messageOfRow, sendClaimed } from '../connectors/email';
import {
  MAX_BODY_LENGTH,
  MAX_SUBJECT_LENGTH,
  asciiDomain,
  formatMailbox,
  parseMailbox,
} from '../connectors/email-message';
import { createMailer } from '../connectors/email-smtp';
import type { EmailSettings } from '../env';

export interface SystemEmail {
  /** The company the email is for (an invitation), or null for account mail (a password reset). */
  tenantId: string | null;
  /** One recipient: `address` or `Name <address>`. */
  to: string;
  subject: string;
  /** Plain text. */
  text: string;
}

/** Records the email in the outbox as held (`outbox`); `sendSystemEmail` or the held-mail sweep sends it. */
export async function queueSystemEmail(db: Executor, mail: SystemEmail): Promise<{ id: string }> {
  const to = parseMailbox(mail.to, 'The recipient');
  if (!mail.subject.trim()) throw new Error('The subject of a system email must not be empty.');
  if (mail.subject.length > MAX_SUBJECT_LENGTH)
    throw new Error(`The subject of a system email must be at most ${MAX_SUBJECT_LENGTH} characters.`);
  if (mail.text.length > MAX_BODY_LENGTH)
    throw new Error(`The text of a system email must be at most ${MAX_BODY_LENGTH} characters.`);
  const id = randomUUID();
  const [row] = await db
    .insert(emailOutbox)
    .values({
      id,
      tenantId: mail.tenantId,
      // The sender is the server's (TRELLIS_MAIL_FROM or the SMTP account), chosen when it is sent.
      from: null,
      to: [formatMailbox(to)],
      subject: mail.subject.replace(/[\r\n]+/g, ' '),
      body: mail.text,
      messageId: `<${id}@${asciiDomain(to.address)}>`,
    })
    .returning({ id: emailOutbox.id });
  return { id: row!.id };
}

/**
 * Sends a queued system email now when an SMTP server is configured: `sent`, or `outbox` (no SMTP
 * server, no sender, someone else is sending it, or the server asked to try later — the sweep
 * does), or `failed` (refused for good). Never throws for an SMTP failure.
 */
export async function sendSystemEmail(
  db: Executor,
  id: string,
  settings: EmailSettings,
): Promise<'sent' | 'outbox' | 'failed'> {
  if (!settings.smtpUrl) return 'outbox';
  const mailer = createMailer({ smtpUrl: settings.smtpUrl, ...(settings.from ? { from: settings.from } : {}) });
  const [row] = await db
    .select({ tenantId: emailOutbox.tenantId })
    .from(emailOutbox)
    .where(and(eq(emailOutbox.id, id), isNull(emailOutbox.jobId)));
  if (!row) throw new Error(`No system email "${id}" in the outbox.`);
  const claimed = await claimEmail(db, { tenantId: row.tenantId, id }, ['outbox'], mailer.leaseMs);
  if (!claimed) return 'outbox';
  const message = messageOfRow(claimed, mailer.defaultFrom);
  if (!message.from) {
    await db.update(emailOutbox).set({ status: 'outbox', lockedUntil: null }).where(eq(emailOutbox.id, id));
    return 'outbox';
  }
  const outcome = await sendClaimed(db, mailer, claimed, { ...message, from: message.from }, { onRetryable: 'outbox' });
  return outcome.sent ? 'sent' : outcome.status;
}
