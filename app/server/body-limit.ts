/**
 * Size limits on what a request may carry, enforced before anything parses it: the body's bytes
 * (by Content-Length when sent, and by counting while reading, since a chunked body has no length
 * and a stated length may lie), the nesting depth of JSON (a linear scan of the bytes, so no
 * parser ever recurses into hostile depth), and the URL's length (batched tRPC queries carry their
 * input in it). A refusal is an answer (413, 400, 414) in the caller's language, never a 500.
 * Owns only limits: it never interprets what the body says.
 */
import { translator, type Locale } from '../_i18n/messages';

export interface RequestLimits {
  /** Largest body in bytes (TRELLIS_MAX_BODY_BYTES). */
  maxBodyBytes: number;
  /**
   * Deepest nesting of arrays and objects in a JSON body or JSON query input, the request's own
   * wrapper included (TRELLIS_MAX_JSON_DEPTH).
   */
  maxJsonDepth: number;
  /** Longest URL in characters, query included (TRELLIS_MAX_URL_LENGTH). */
  maxUrlLength: number;
}

/**
 * 1 MiB holds the largest definition and forms `definition.publish` accepts (1 MB of JSON each is
 * its own limit, checked after parsing) and any form submission; 64 levels is deeper than any
 * definition, form schema or variables the app builds; 16 KiB is Node's own default limit on a
 * request's head, which holds the URL.
 */
export const DEFAULT_REQUEST_LIMITS: RequestLimits = {
  maxBodyBytes: 1024 * 1024,
  maxJsonDepth: 64,
  maxUrlLength: 16 * 1024,
};

export interface LimitOptions {
  /** How a refusal is shaped: as tRPC's error envelope (the tRPC endpoint) or as `{ code, message }`. */
  format: 'trpc' | 'plain';
  /** A query parameter that holds JSON (tRPC's `input` on GET) and is depth-checked like a body. */
  jsonQueryParam?: string;
}

/**
 * The request with its body read into memory within the limits (a new Request, since the original
 * stream is consumed), or the refusal to send instead. Bodies are read only up to one byte past the
 * limit: a 50 MB upload costs at most the limit in memory and time.
 */
export async function limitRequest(
  req: Request,
  limits: RequestLimits,
  locale: Locale,
  options: LimitOptions = { format: 'trpc' },
): Promise<Request | Response> {
  const t = translator(locale);
  if (req.url.length > limits.maxUrlLength) {
    return refusal(
      options.format,
      414,
      'BAD_REQUEST',
      t('limitUrlTooLong', { limit: limits.maxUrlLength.toLocaleString('en') }),
    );
  }
  const tooDeep = () =>
    refusal(options.format, 400, 'BAD_REQUEST', t('limitJsonTooDeep', { limit: limits.maxJsonDepth }));
  if (options.jsonQueryParam) {
    const input = new URL(req.url).searchParams.get(options.jsonQueryParam);
    if (input && jsonDepthExceeds(new TextEncoder().encode(input), limits.maxJsonDepth)) return tooDeep();
  }
  if (req.body === null) return req;

  const limit = formatBytes(limits.maxBodyBytes);
  const tooLarge = () => refusal(options.format, 413, 'PAYLOAD_TOO_LARGE', t('limitBodyTooLarge', { limit }));
  const stated = req.headers.get('content-length');
  // A stated length over the limit is refused unread; a smaller one is not trusted (the count below decides).
  if (stated !== null && /^\d+$/.test(stated.trim()) && Number(stated.trim()) > limits.maxBodyBytes) {
    await req.body.cancel().catch(() => {});
    return tooLarge();
  }
  const body = await readAtMost(req.body, limits.maxBodyBytes);
  if (body === null) return tooLarge();
  if (isJson(req.headers.get('content-type')) && jsonDepthExceeds(body, limits.maxJsonDepth)) return tooDeep();

  const headers = new Headers(req.headers);
  // The body is now a known buffer: its length is the true one, whatever the client said.
  headers.delete('transfer-encoding');
  headers.set('content-length', String(body.byteLength));
  return new Request(req.url, {
    method: req.method,
    headers,
    body: body as Uint8Array<ArrayBuffer>,
    signal: req.signal,
  });
}

/** The stream's bytes, or null once more than `max` arrive (the rest is cancelled, never read). */
async function readAtMost(stream: ReadableStream<Uint8Array>, max: number): Promise<Uint8Array | null> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Whether JSON text nests arrays and objects deeper than `max`: one pass over the bytes, brackets
 * inside strings not counted. Works on UTF-8 bytes directly (no byte of a multi-byte character is
 * ASCII). Text that is not JSON is left to the parser to refuse.
 */
export function jsonDepthExceeds(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}

/** application/json and the +json types (tRPC and better-auth parse these as JSON). */
function isJson(contentType: string | null): boolean {
  const type = contentType?.split(';', 1)[0]?.trim().toLowerCase() ?? '';
  return type === 'application/json' || type.endsWith('+json');
}

/** "1 MiB", "512 KiB", "100 bytes". */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes.toLocaleString('en')} bytes`;
}

/** tRPC's JSON-RPC error codes for the refusals made here (as @trpc/server numbers them). */
const JSONRPC_CODES = { BAD_REQUEST: -32600, PAYLOAD_TOO_LARGE: -32013 } as const;

/**
 * A refusal the caller's client understands: tRPC's error envelope (its client reads `error.data.code`
 * and applies one envelope to every call of a batch), or better-auth's `{ code, message }`.
 */
function refusal(
  format: LimitOptions['format'],
  status: number,
  code: keyof typeof JSONRPC_CODES,
  message: string,
): Response {
  const body =
    format === 'trpc'
      ? {
          error: {
            message,
            code: JSONRPC_CODES[code],
            data: { code, httpStatus: status, fields: null, retryable: false },
          },
        }
      : { code, message };
  return Response.json(body, { status });
}
