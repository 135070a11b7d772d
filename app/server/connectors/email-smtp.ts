/**
 * The SMTP side of the email connector: one transport for the server's TRELLIS_SMTP_URL, one
 * message handed over per call, and the server's answer turned into an EmailConnectorError that
 * says whether sending again can help.
 *
 * Knows nothing of the outbox: recording, claiming and marking emails is email.ts's. Must never
 * send HTML (the body is text) and never put the SMTP URL's credentials in a message or a log.
 */
import nodemailer from 'nodemailer';
import type { NodemailerError } from 'nodemailer';
import { parseConnectionUrl } from 'nodemailer/lib/shared';
import { EmailConnectorError } from './email-error';
import { parseMailbox, type EmailMessage, type Mailbox } from './email-message';

export interface MailerOptions {
  /**
   * `smtp://user:pass@host:587` (STARTTLS: offered is used, and required when there are
   * credentials), `smtps://user:pass@host:465` (TLS); nodemailer's query options
   * (`?requireTLS=false`, `?tls.rejectUnauthorized=false`) are read too.
   */
  smtpUrl: string;
  /** The sender when an email names none: `Trellis <no-reply@example.com>` (TRELLIS_MAIL_FROM). */
  from?: string;
  /** Longest one send may take, in ms (default 60 s, below the worker's 120 s lease). */
  timeoutMs?: number;
}

/** One SMTP server, ready to send. */
export interface Mailer {
  /** `host` or `host:port`, for messages (never the credentials). */
  readonly host: string;
  /** The server's sender (TRELLIS_MAIL_FROM), for emails that name none. */
  readonly defaultFrom: Mailbox | null;
  /**
   * How long a claim on an email lasts: longer than one send may take (its deadline plus a
   * margin), so a claim never runs out while its sender is still talking to the server.
   */
  readonly leaseMs: number;
  /**
   * Hands one email to the server under `messageId`. Resolves with the recipients the server
   * refused while it accepted others; throws an EmailConnectorError (SMTP_REJECTED: not
   * retryable, SMTP_UNAVAILABLE: retryable) when it took none.
   */
  send(
    message: EmailMessage & { from: Mailbox },
    messageId: string,
    advice?: FailureAdvice,
  ): Promise<{ rejected: string[] }>;
}

/**
 * What a failure's message tells the reader to expect or do, which depends on who sent: a job
 * is retried by the worker, an email an admin sent is not.
 */
export interface FailureAdvice {
  /** After a failure worth another try: "the email will be tried again". */
  retryable: string;
  /** After a permanent refusal, once the cause is fixed: "retry the job". */
  permanent: string;
}

const JOB_ADVICE: FailureAdvice = { retryable: 'the email will be tried again', permanent: 'retry the job' };

export const DEFAULT_SEND_TIMEOUT_MS = 60_000;
/** Added to the send deadline for a claim's length: the database round trips around the send. */
const LEASE_MARGIN_MS = 60_000;

/** Throws, naming TRELLIS_SMTP_URL or TRELLIS_MAIL_FROM, when a setting is not usable. */
export function createMailer(options: MailerOptions): Mailer {
  const timeoutMs = options.timeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
  const defaultFrom = options.from ? parseMailbox(options.from, 'TRELLIS_MAIL_FROM') : null;
  const { transport, host } = smtpTransport(options.smtpUrl, timeoutMs);
  return {
    host,
    defaultFrom,
    leaseMs: timeoutMs + LEASE_MARGIN_MS,
    async send(message, messageId, advice = JOB_ADVICE) {
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), timeoutMs);
      try {
        const info = await transport.sendMail({
          messageId,
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
        return { rejected: (info.rejected ?? []).map(String) };
      } catch (error) {
        throw classify(error as NodemailerError, host, deadline.signal.aborted, timeoutMs, advice);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

function mailbox(m: Mailbox): { name: string; address: string } | string {
  return m.name ? { name: m.name, address: m.address } : m.address;
}

/** One transport for the mailer's life; a new connection per email (no pool to go stale). */
function smtpTransport(url: string, timeoutMs: number) {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(
      'TRELLIS_SMTP_URL is not a URL; write it as smtp://user:password@host:587 or smtps://user:password@host:465.',
    );
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:')
    throw new Error(
      `TRELLIS_SMTP_URL uses "${parsed.protocol}"; write it as smtp://user:password@host:587 or smtps://user:password@host:465.`,
    );
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
function classify(
  error: NodemailerError,
  host: string,
  timedOut: boolean,
  timeoutMs: number,
  advice: FailureAdvice,
): EmailConnectorError {
  if (timedOut)
    return new EmailConnectorError(
      'SMTP_UNAVAILABLE',
      `Sending the email through ${host} timed out after ${timeoutMs} ms; ${advice.retryable}.`,
      { retryable: true, cause: error },
    );
  const code = error.responseCode;
  const answer = (error.response ?? '').replace(/\s+/g, ' ').trim().slice(0, 300);
  const permanent =
    typeof error.permanent === 'boolean'
      ? error.permanent
      : code !== undefined
        ? code >= 500 && code !== 503
        : error.code === 'ECONFIG' || error.code === 'EENVELOPE';
  const recipients = error.rejected?.length ? ` for ${error.rejected.join(', ')}` : '';
  if (permanent) {
    const what =
      error.code === 'EAUTH'
        ? `${host} refused the credentials in TRELLIS_SMTP_URL`
        : error.code === 'ETLS'
          ? `${host} could not start TLS (STARTTLS), which sending the credentials in TRELLIS_SMTP_URL requires (use smtps://, or ?requireTLS=false for a relay on a trusted network)`
          : `${host} refused the email${recipients}`;
    return new EmailConnectorError(
      'SMTP_REJECTED',
      `${what}: ${answer || error.message}. Sending it again will not help; fix the address or the server settings, then ${advice.permanent}.`,
      { retryable: false, cause: error },
    );
  }
  const why =
    code !== undefined ? `answered ${answer || code}` : `could not be reached (${error.code ?? error.message})`;
  return new EmailConnectorError(
    'SMTP_UNAVAILABLE',
    `The SMTP server ${host} ${why}${recipients}; ${advice.retryable}.`,
    { retryable: true, cause: error },
  );
}
