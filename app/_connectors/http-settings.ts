/**
 * Reads an `http` service task's settings (already `=FEEL`-evaluated by the runtime) and the job's
 * variables into what the request is. Owns the settings' meaning and their validation, with
 * messages a designer can act on. Pure and free of Node: the worker's http connector runs it on a
 * job's settings, the designer's panel on the literal ones as they are typed. It resolves nothing
 * and sends nothing.
 */
import { ConnectorSettingsError } from './settings-error';

export const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type HttpMethod = (typeof METHODS)[number];

export const DEFAULT_TIMEOUT_MS = 10_000;
export const MAX_TIMEOUT_MS = 60_000;

export interface HttpSettings {
  method: HttpMethod;
  url: URL;
  /** The designer's, lower-case names (the connector adds its own: Idempotency-Key, Accept, ...). */
  headers: Record<string, string>;
  /** JSON text, or undefined for no body. */
  body: string | undefined;
  timeoutMs: number;
  resultVariable: string;
}

export const HTTP_SETTINGS = ['method', 'url', 'headers', 'body', 'timeoutMs', 'resultVariable'] as const;
const SETTINGS: readonly string[] = HTTP_SETTINGS;

/**
 * Headers the connector owns: framing and connection headers Node sets from the request itself,
 * the encoding it can decode, and the idempotency key, which is always the job's id.
 */
export const RESERVED_HEADERS = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'keep-alive',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-authorization',
  'proxy-connection',
  'accept-encoding',
  'idempotency-key',
]);

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const PLACEHOLDER = /\{([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\}/g;
/** What HTTP allows in a header's name (a token, RFC 9110) and value: Node's own checks, written so the browser has them too. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_VALUE_FORBIDDEN = /[^\t\x20-\x7e\x80-\xff]/;

export function readHttpSettings(settings: Record<string, unknown>, variables: Record<string, unknown>): HttpSettings {
  const unknown = Object.keys(settings).filter((name) => !SETTINGS.includes(name));
  if (unknown.length)
    invalid(
      null,
      `Unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => `"${n}"`).join(', ')} on an http task; the settings are ${SETTINGS.join(', ')}.`,
    );

  const method = methodOf(settings.method);
  const url = urlOf(settings.url, variables);
  const body = settings.body === undefined || settings.body === null ? undefined : JSON.stringify(settings.body);
  if (body !== undefined) checkMethodTakesBody(method);
  return {
    method,
    url,
    headers: headersOf(settings.headers),
    body,
    timeoutMs: timeoutOf(settings.timeoutMs),
    resultVariable: resultVariableOf(settings.resultVariable),
  };
}

/**
 * Each setting read on its own, as the designer checks a literal value while it is typed (a
 * `=FEEL` value is only known when the job runs). A url's `{placeholders}` stand for a value.
 */
export const HTTP_SETTING_READERS: Record<(typeof HTTP_SETTINGS)[number], (value: unknown) => unknown> = {
  method: methodOf,
  url: (value) => (typeof value === 'string' ? checkUrl(value.trim().replace(PLACEHOLDER, 'x')) : urlOf(value, {})),
  headers: headersOf,
  body: () => undefined,
  timeoutMs: timeoutOf,
  resultVariable: resultVariableOf,
};

/** A body goes with a method that carries one: a GET does not. */
export function checkMethodTakesBody(method: HttpMethod): void {
  if (method === 'GET') invalid('body', 'A GET request carries no body; remove the body setting or use POST.');
}

/** The settings an http task cannot go without. */
export const HTTP_REQUIRED = ['url'] as const;

function methodOf(value: unknown): HttpMethod {
  if (value === undefined || value === null || value === '') return 'GET';
  const method = typeof value === 'string' ? value.trim().toUpperCase() : '';
  if (!(METHODS as readonly string[]).includes(method))
    invalid('method', `The method setting is ${JSON.stringify(value)}; use one of ${METHODS.join(', ')}.`);
  return method as HttpMethod;
}

/**
 * The URL template with `{name}` (or `{customer.id}`) placeholders filled from the job's variables,
 * each value URL-encoded so it stays one path segment or query value.
 */
function urlOf(value: unknown, variables: Record<string, unknown>): URL {
  if (typeof value !== 'string' || value.trim() === '')
    invalid(
      'url',
      'The url setting is missing or not text; give an absolute URL such as "https://api.example.com/invoices/{invoiceNumber}".',
    );
  const filled = value.trim().replace(PLACEHOLDER, (_, path: string) => {
    const found = path
      .split('.')
      .reduce<unknown>(
        (at, key) =>
          at !== null && typeof at === 'object' && Object.hasOwn(at, key)
            ? (at as Record<string, unknown>)[key]
            : undefined,
        variables,
      );
    if (
      typeof found === 'string' ||
      typeof found === 'boolean' ||
      (typeof found === 'number' && Number.isFinite(found))
    )
      return encodeURIComponent(String(found));
    return invalid(
      'url',
      found === undefined || found === null
        ? `The url placeholder {${path}} has no value: the job has no variable "${path}".`
        : `The url placeholder {${path}} is a ${Array.isArray(found) ? 'list' : typeof found}; only text, numbers and booleans fit in a URL.`,
    );
  });
  return checkUrl(filled);
}

function checkUrl(filled: string): URL {
  let url: URL;
  try {
    url = new URL(filled);
  } catch {
    return invalid('url', 'The url setting is not an absolute URL; start it with "https://" or "http://".');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    invalid('url', `The url uses "${url.protocol}"; only http: and https: requests are sent.`);
  if (url.username || url.password)
    invalid('url', `The url for ${url.host} carries credentials; send them in an Authorization header instead.`);
  return url;
}

/** A JSON object text, or a FEEL context; names are lower-cased, values text, numbers or booleans. */
function headersOf(value: unknown): Record<string, string> {
  if (value === undefined || value === null || value === '') return {};
  let object = value;
  if (typeof value === 'string') {
    try {
      object = JSON.parse(value);
    } catch {
      invalid(
        'headers',
        'The headers setting is not valid JSON; write an object such as {"Authorization": "Bearer …"}, or a FEEL context.',
      );
    }
  }
  if (object === null || typeof object !== 'object' || Array.isArray(object))
    invalid('headers', 'The headers setting must be an object of header names to values.');
  const headers: Record<string, string> = {};
  for (const [name, raw] of Object.entries(object as Record<string, unknown>)) {
    const key = name.toLowerCase();
    if (RESERVED_HEADERS.has(key))
      invalid(
        'headers',
        `The header "${name}" is set by the connector (the Idempotency-Key is always the job's id); remove it from the headers setting.`,
      );
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean')
      invalid('headers', `The header "${name}" must be text, a number or a boolean.`);
    if (!HEADER_NAME.test(key) || HEADER_VALUE_FORBIDDEN.test(String(raw))) {
      invalid(
        'headers',
        `The header "${name}" has a name or value HTTP does not allow (control characters or line breaks).`,
      );
    }
    headers[key] = String(raw);
  }
  return headers;
}

function timeoutOf(value: unknown): number {
  if (value === undefined || value === null || value === '') return DEFAULT_TIMEOUT_MS;
  const ms =
    typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(ms) || ms < 1 || ms > MAX_TIMEOUT_MS)
    invalid(
      'timeoutMs',
      `The timeoutMs setting is ${JSON.stringify(value)}; give whole milliseconds from 1 to ${MAX_TIMEOUT_MS}.`,
    );
  return ms;
}

function resultVariableOf(value: unknown): string {
  if (value === undefined || value === null || value === '') return 'response';
  if (typeof value !== 'string' || !VARIABLE_NAME.test(value))
    invalid(
      'resultVariable',
      `The resultVariable setting ${JSON.stringify(value)} is not a variable name; use letters, digits and _ (e.g. "invoiceResponse").`,
    );
  return value;
}

function invalid(setting: string | null, message: string): never {
  throw new ConnectorSettingsError(setting, message);
}
