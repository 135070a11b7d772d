import { ConnectorError } from './connector-error';

/**
 * A technical failure of the email connector: the runtime retries it with backoff, then raises an
 * incident. `code` says what happened; compare by it, not by class. `retryable` says whether
 * sending again can help: false for settings mistakes and for a permanent refusal by the SMTP
 * server (5xx: no such mailbox, relaying denied, bad credentials), which need a person.
 */
export type EmailFailureCode =
  | 'INVALID_SETTINGS'
  /** No sender: neither the task's `from` setting nor TRELLIS_MAIL_FROM. */
  | 'NO_SENDER'
  /** The SMTP server could not be reached, timed out or answered 4xx: try later. */
  | 'SMTP_UNAVAILABLE'
  /** The SMTP server refused the email for good (5xx). */
  | 'SMTP_REJECTED'
  /** Another sender (an admin's "Send now", the held-mail sweep) holds the email's claim: look again later. */
  | 'ALREADY_SENDING';

export class EmailConnectorError extends ConnectorError<EmailFailureCode> {
  override readonly name = 'EmailConnectorError';
}
