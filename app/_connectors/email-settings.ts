/**
 * Reads an `email` service task's settings (already `=FEEL`-evaluated by the runtime) into one
 * plain-text message. Owns the settings' meaning and their validation, with messages naming the
 * setting a designer must fix. Pure and free of Node: the worker's email connector runs it on a
 * job's settings, the designer's panel on the literal ones as they are typed. It records nothing
 * and sends nothing.
 *
 * Addresses are written as mail clients write them: `name@example.com` or
 * `Nguyễn Thị Lan <lan@example.com>`, several separated by commas (or semicolons), or given as a
 * FEEL list of such texts. Display names, subject and body are Unicode text (UTF-8 on the wire).
 */
import addressparser from 'nodemailer/lib/addressparser';
import { ConnectorSettingsError } from './settings-error';

export interface Mailbox {
  /** Display name, '' when there is none. */
  name: string;
  address: string;
}

export interface EmailMessage {
  /** Null when neither the task nor the server names a sender (fine while mail stays in the outbox). */
  from: Mailbox | null;
  to: Mailbox[];
  cc: Mailbox[];
  bcc: Mailbox[];
  replyTo: Mailbox | null;
  subject: string;
  /** Plain text; never sent or shown as HTML. */
  body: string;
}

export const EMAIL_SETTINGS = ['to', 'cc', 'bcc', 'subject', 'body', 'from', 'replyTo'] as const;

/** A process mails people it works with, not mailing lists: more is almost surely a mistake. */
export const MAX_RECIPIENTS = 100;
export const MAX_SUBJECT_LENGTH = 1_000;
export const MAX_BODY_LENGTH = 100_000;
const MAX_NAME_LENGTH = 200;

const HOW = 'write addresses as "name@example.com" or "Name <name@example.com>", separated by commas';
/** dot-atom local part (RFC 5322 without quoted strings). */
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
/** Host names, Unicode letters allowed (sent as punycode); at least one dot. */
const DOMAIN =
  /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The message a task's settings describe. `defaults.from` is the server's sender
 * (TRELLIS_MAIL_FROM), used when the task names none. Throws INVALID_SETTINGS (not retryable).
 */
export function readEmailMessage(
  settings: Record<string, unknown>,
  defaults: { from?: Mailbox | null } = {},
): EmailMessage {
  const unknown = Object.keys(settings).filter((name) => !(EMAIL_SETTINGS as readonly string[]).includes(name));
  if (unknown.length)
    invalid(
      null,
      `Unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')} on an email task; the settings are ${EMAIL_SETTINGS.join(', ')}.`,
    );

  const to = mailboxes('to', settings.to);
  if (to.length === 0) invalid('to', `The to setting has no address; ${HOW} (or give a FEEL list of them).`);
  const cc = mailboxes('cc', settings.cc);
  const bcc = mailboxes('bcc', settings.bcc);
  const count = to.length + cc.length + bcc.length;
  if (count > MAX_RECIPIENTS)
    invalid(
      'to',
      `The email has ${count} recipients (to, cc and bcc); at most ${MAX_RECIPIENTS} are sent one email. Mail a group address instead.`,
    );

  return {
    from: single('from', settings.from) ?? defaults.from ?? null,
    to,
    cc,
    bcc,
    replyTo: single('replyTo', settings.replyTo),
    subject: subjectOf(settings.subject),
    body: bodyOf(settings.body),
  };
}

/** Parses one address as the server's TRELLIS_MAIL_FROM; throws naming `what`. */
export function parseMailbox(value: string, what: string): Mailbox {
  const [mailbox, ...more] = parse(what, value);
  if (!mailbox || more.length)
    throw new Error(
      `${what} must be one address, such as "Trellis <no-reply@example.com>"; it is ${JSON.stringify(value)}.`,
    );
  return mailbox;
}

/** `Name <address>` (the name quoted when it needs to be), or the bare address. */
export function formatMailbox(mailbox: Mailbox): string {
  if (!mailbox.name) return mailbox.address;
  const name = /^[\p{L}\p{N} !#$%&'*+/=?^_`{|}~-]+$/u.test(mailbox.name)
    ? mailbox.name
    : `"${mailbox.name.replace(/(["\\])/g, '\\$1')}"`;
  return `${name} <${mailbox.address}>`;
}

function mailboxes(setting: string, value: unknown): Mailbox[] {
  if (value === undefined || value === null || value === '') return [];
  const texts = Array.isArray(value) ? value : [value];
  return texts.flatMap((text, index) => {
    if (typeof text !== 'string') {
      const what =
        text === null
          ? 'null'
          : Array.isArray(text)
            ? 'a list'
            : typeof text === 'object'
              ? 'a context'
              : `a ${typeof text}`;
      return invalid(
        setting,
        Array.isArray(value)
          ? `The ${setting} setting is a list whose item ${index + 1} is ${what}; every item must be an address as text.`
          : `The ${setting} setting is ${what}; ${HOW}.`,
      );
    }
    return parse(setting, text);
  });
}

function single(setting: string, value: unknown): Mailbox | null {
  const found = mailboxes(setting, value);
  if (found.length > 1) invalid(setting, `The ${setting} setting has ${found.length} addresses; give one.`);
  return found[0] ?? null;
}

function parse(setting: string, text: string): Mailbox[] {
  if (CONTROL.test(text.replace(/\r?\n|\t/g, ' ')))
    invalid(setting, `The ${setting} setting contains control characters; ${HOW}.`);
  const line = text.replace(/\r?\n|\t/g, ' ');
  return addressparser(line, { flatten: true }).map(({ name, address }) => {
    const shown = name ? `${name} <${address}>` : address;
    if (!address)
      invalid(
        setting,
        `The ${setting} setting has ${JSON.stringify(name || text.trim())}, which is not an email address; ${HOW}.`,
      );
    // The parser reads `lan nguyen@x.vn` as "lan" <nguyen@x.vn>: a typo must not pick a recipient.
    if (name && !line.includes(`<${address}>`))
      invalid(setting, `The ${setting} setting has "${name} ${address}", which is not one email address; ${HOW}.`);
    if (!validAddress(address))
      invalid(
        setting,
        `The ${setting} setting has ${JSON.stringify(shown)}: "${address}" is not a valid email address; ${HOW}.`,
      );
    if (name.length > MAX_NAME_LENGTH)
      invalid(
        setting,
        `The ${setting} setting has a display name longer than ${MAX_NAME_LENGTH} characters for ${address}.`,
      );
    return { name: name.trim(), address };
  });
}

function validAddress(address: string): boolean {
  const at = address.lastIndexOf('@');
  if (at < 1 || address.length > 254) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  return local.length <= 64 && LOCAL_PART.test(local) && DOMAIN.test(domain) && toAscii(domain) !== '';
}

/** One line: line breaks (say, from a form field) become spaces rather than failing the process. */
function subjectOf(value: unknown): string {
  const text = textOf('subject', value);
  const subject = text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
  if (subject === '') invalid('subject', 'The subject setting is missing or empty; give the email a subject.');
  if (subject.length > MAX_SUBJECT_LENGTH)
    invalid(
      'subject',
      `The subject setting is ${subject.length} characters long; keep it under ${MAX_SUBJECT_LENGTH}.`,
    );
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(subject))
    invalid('subject', 'The subject setting contains control characters.');
  return subject;
}

function bodyOf(value: unknown): string {
  const body = textOf('body', value).replace(/\r\n?/g, '\n');
  if (body.trim() === '') invalid('body', 'The body setting is missing or empty; give the email a text.');
  if (body.length > MAX_BODY_LENGTH)
    invalid(
      'body',
      `The body setting is ${body.length} characters long; keep it under ${MAX_BODY_LENGTH} (link to the data instead of mailing it).`,
    );
  return body;
}

function textOf(setting: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return invalid(
    setting,
    `The ${setting} setting is ${Array.isArray(value) ? 'a list' : 'a context'}; it must be text (build it with FEEL string functions, e.g. ="Invoice " + invoiceNumber).`,
  );
}

/** A host name as ASCII (punycode), '' when it is not one: the WHATWG URL parser's domain-to-ASCII, in Node and in the browser alike. */
export function toAscii(domain: string): string {
  try {
    return new URL(`http://${domain}/`).hostname;
  } catch {
    return '';
  }
}

function invalid(setting: string | null, message: string): never {
  throw new ConnectorSettingsError(setting, message);
}

/**
 * Each setting read on its own, as the designer checks a literal value while it is typed (a
 * `=FEEL` value is only known when the job runs). Throws ConnectorSettingsError naming it.
 */
export const EMAIL_SETTING_READERS: Record<(typeof EMAIL_SETTINGS)[number], (value: unknown) => unknown> = {
  to: (value) => {
    if (mailboxes('to', value).length === 0)
      invalid('to', `The to setting has no address; ${HOW} (or give a FEEL list of them).`);
  },
  cc: (value) => mailboxes('cc', value),
  bcc: (value) => mailboxes('bcc', value),
  from: (value) => single('from', value),
  replyTo: (value) => single('replyTo', value),
  subject: subjectOf,
  body: bodyOf,
};

/** The settings an email task cannot go without (to, subject and body; `from` may be the server's). */
export const EMAIL_REQUIRED = ['to', 'subject', 'body'] as const;
