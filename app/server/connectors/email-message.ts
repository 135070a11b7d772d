/**
 * The email connector's reading of a task's settings: the shared reader (app/_connectors, which
 * the designer runs too), its mistakes made this connector's INVALID_SETTINGS failure (not
 * retryable: a person must fix the setting). Plus what only the server needs (a Message-ID's
 * domain in ASCII).
 */
import { domainToASCII } from 'node:url';
import { readEmailMessage as readShared, type EmailMessage, type Mailbox } from '@/app/_connectors/email-settings';
import { isSettingsError } from '@/app/_connectors/settings-error';
import { EmailConnectorError } from './email-error';

export {
  EMAIL_SETTINGS,
  MAX_BODY_LENGTH,
  MAX_RECIPIENTS,
  MAX_SUBJECT_LENGTH,
  formatMailbox,
  parseMailbox,
} from '@/app/_connectors/email-settings';
export type { EmailMessage, Mailbox } from '@/app/_connectors/email-settings';

/**
 * The message a task's settings describe. `defaults.from` is the server's sender
 * (TRELLIS_MAIL_FROM), used when the task names none. Throws INVALID_SETTINGS (not retryable).
 */
export function readEmailMessage(
  settings: Record<string, unknown>,
  defaults: { from?: Mailbox | null } = {},
): EmailMessage {
  try {
    return readShared(settings, defaults);
  } catch (error) {
    if (isSettingsError(error)) throw new EmailConnectorError('INVALID_SETTINGS', error.message, { retryable: false });
    throw error;
  }
}

/** The address's domain as ASCII (punycode), for a Message-ID. */
export function asciiDomain(address: string): string {
  return domainToASCII(address.slice(address.lastIndexOf('@') + 1)).toLowerCase();
}
