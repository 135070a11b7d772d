/**
 * The HTTP request connector (service tasks with `taskType: "http"`): sends one request per job
 * and returns `{ [resultVariable]: { status, headers, body } }`.
 *
 * Owns the outbound side: every host name is resolved once, every address it resolves to is
 * checked against the address policy, and the socket is pinned to those checked addresses, so a
 * DNS answer that changes between check and connect (rebinding) is never used. Redirects are
 * followed by hand, each target checked the same way. Responses are capped in time and size.
 *
 * Outcomes: 2xx/3xx are results. A 4xx is the receiver's business answer ("no such invoice"),
 * thrown as ConnectorBusinessError `HTTP_<status>` for an error boundary to catch (an uncaught
 * one is an incident on the instance); 408 and 429 are the exception, being "try later". 5xx,
 * network failures and timeouts are technical failures (HttpConnectorError) that the runtime
 * retries with backoff. The job id goes out as the Idempotency-Key on every attempt.
 *
 * createHttpSender is that outbound side on its own, for other senders (webhook deliveries).
 *
 * Must never connect before the address check, never follow a redirect without one, and never
 * put response bodies in error messages (they go to audit rows and incidents).
 */
import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage, STATUS_CODES } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { ConnectorBusinessError, type Connector } from './contract';
import { createAddressPolicy, type AddressPolicy } from './address-policy';
import { HttpConnectorError } from './http-error';
import { readHttpRequest, type HttpMethod } from './http-request';

export interface HttpConnectorOptions {
  /**
   * Private or local hosts this connector may reach after all: addresses (`127.0.0.1`), CIDR
   * ranges (`10.1.2.0/24`) and exact host names (`intranet.example`, whose addresses are then all
   * allowed). Everything public is allowed; nothing private is, unless named here.
   */
  allow?: readonly string[];
  /** Largest response body read, in bytes, after decompression (default 1 MB). */
  maxResponseBytes?: number;
  /** How host names are resolved: every address, as `dns.lookup({ all: true })` gives them. */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
}

/** What a task's result variable holds. */
export interface HttpResult {
  status: number;
  /** A safe subset: no cookies, nothing about authentication. */
  headers: Record<string, string>;
  /** Parsed when the response is JSON, else its text; null when empty. */
  body: unknown;
}

export const DEFAULT_MAX_RESPONSE_BYTES = 1_048_576;
export const MAX_REDIRECTS = 5;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Response headers a process may see and keep in its variables. */
const KEPT_HEADERS = [
  'content-type',
  'content-length',
  'content-language',
  'content-location',
  'location',
  'etag',
  'last-modified',
  'retry-after',
  'x-request-id',
  'x-correlation-id',
];
/** Request headers that must not follow a redirect to another origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie'];

export function createHttpConnector(options: HttpConnectorOptions = {}): Connector {
  const sender = createHttpSender(options);
  const limit = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  return async (call) => {
    const request = readHttpRequest(call);
    return sender(
      { ...request, timeoutAdvice: 'raise timeoutMs, up to 60000, if it is just slow' },
      async ({ response, url, method }, signal) => {
        const status = response.statusCode ?? 0;
        // The standard reason phrase, not the server's: nothing the receiver wrote goes into the message.
        const what = `HTTP ${method} to ${url.host} answered ${status} ${STATUS_CODES[status] ?? ''}`.trim();
        if (status >= 400) {
          response.destroy();
          if (status >= 500 || status === 408 || status === 429)
            throw new HttpConnectorError(`HTTP_${status}`, what, { retryable: true });
          throw new ConnectorBusinessError(
            `HTTP_${status}`,
            `${what}; catch error code HTTP_${status} with an error boundary event to handle it in the process.`,
          );
        }
        const bytes = await readBody(response, limit, signal, `HTTP ${method} to ${url.host}`);
        const result: HttpResult = {
          status,
          headers: keptHeaders(response),
          body: decode(bytes, response.headers['content-type']),
        };
        return { [request.resultVariable]: result };
      },
    );
  };
}

/** One outbound request as the sender takes it. */
export interface OutboundRequest {
  method: HttpMethod;
  url: URL;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The body text, or undefined for none. */
  body: string | undefined;
  timeoutMs: number;
  /** False: a redirect is answered as it is, not followed (webhooks: a signed POST goes to the URL given, or nowhere). */
  followRedirects?: boolean;
  /** Said in the timeout message, e.g. which setting to raise. */
  timeoutAdvice?: string;
}

/** The answer's head; `read` takes what it needs of the body (before the deadline) or destroys it. */
export interface OutboundAnswer {
  response: IncomingMessage;
  url: URL;
  method: HttpMethod;
}

/**
 * Sends one request under the connector's guards (the address policy on every resolved address,
 * the socket pinned to them, redirects re-checked, one deadline for everything) and hands the
 * answer to `read`, still under the deadline. Failures are HttpConnectorErrors: ADDRESS_DENIED
 * (not retryable), NETWORK, TIMEOUT. Any status is an answer; what it means is the caller's.
 */
export type HttpSender = <T>(
  request: OutboundRequest,
  read: (answer: OutboundAnswer, signal: AbortSignal) => Promise<T>,
) => Promise<T>;

export function createHttpSender(options: Omit<HttpConnectorOptions, 'maxResponseBytes'> = {}): HttpSender {
  const policy = createAddressPolicy(options.allow ?? []);
  const resolve = options.resolve ?? ((hostname: string) => dnsLookup(hostname, { all: true, verbatim: true }));
  return async (request, read) => {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), request.timeoutMs);
    try {
      return await read(await send(request, { policy, resolve, signal: deadline.signal }), deadline.signal);
    } catch (error) {
      // Whatever broke once the deadline passed broke because of it, unless it is an answer of its own.
      const answered =
        error instanceof ConnectorBusinessError || (error instanceof HttpConnectorError && error.code !== 'NETWORK');
      if (deadline.signal.aborted && !answered) {
        const advice = request.timeoutAdvice ? ` (${request.timeoutAdvice})` : '';
        throw new HttpConnectorError(
          'TIMEOUT',
          `HTTP ${request.method} to ${request.url.host} timed out after ${request.timeoutMs} ms; the service may be slow or unreachable${advice}.`,
          { retryable: true, cause: error },
        );
      }
      throw error;
    } finally {
      clearTimeout(timer);
    }
  };
}

interface Context {
  policy: AddressPolicy;
  resolve: (hostname: string) => Promise<LookupAddress[]>;
  signal: AbortSignal;
}

/** Sends the request, following up to MAX_REDIRECTS redirects, each to a checked address. */
async function send(request: OutboundRequest, context: Context): Promise<OutboundAnswer> {
  let { url, method, body } = request;
  const headers = { ...request.headers };
  let from: URL | null = null;
  for (let redirects = 0; ; redirects++) {
    const addresses = await admit(url, from, context);
    const response = await exchange(url, method, headers, body, addresses, context.signal);
    const location = response.headers.location;
    if (!REDIRECTS.has(response.statusCode ?? 0) || !location || request.followRedirects === false)
      return { response, url, method };
    response.destroy();
    if (redirects === MAX_REDIRECTS)
      throw new HttpConnectorError(
        'TOO_MANY_REDIRECTS',
        `HTTP ${request.method} to ${request.url.host} was redirected more than ${MAX_REDIRECTS} times; call the final address directly.`,
        { retryable: false },
      );
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new HttpConnectorError(
        'NETWORK',
        `HTTP ${method} to ${url.host} answered with a redirect to an invalid address.`,
        { retryable: false },
      );
    }
    const status = response.statusCode!;
    // As browsers do: 303 always, and 301/302 after a POST, continue as a GET without the body.
    if (status === 303 || ((status === 301 || status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
      delete headers['content-type'];
    }
    if (next.origin !== url.origin) for (const name of CREDENTIAL_HEADERS) delete headers[name];
    from = url;
    url = next;
  }
}

/**
 * The addresses `url`'s host may be reached at: the literal, or everything its name resolves to.
 * Refuses the whole request if any of them is denied: a name that resolves to a public and a
 * private address is a name an attacker can steer.
 */
async function admit(url: URL, from: URL | null, context: Context): Promise<LookupAddress[]> {
  const what = `HTTP request to ${url.host}${from ? ` (redirected from ${from.host})` : ''}`;
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new HttpConnectorError(
      'ADDRESS_DENIED',
      `${what} refused: only http: and https: are followed, not ${url.protocol}`,
      { retryable: false },
    );
  if (url.username || url.password)
    throw new HttpConnectorError('ADDRESS_DENIED', `${what} refused: the address carries credentials.`, {
      retryable: false,
    });
  const hostname = url.hostname.replace(/^\[|\]$/g, '');
  const literal = isIP(hostname);
  let addresses: LookupAddress[];
  if (literal) addresses = [{ address: hostname, family: literal }];
  else {
    try {
      addresses = await abortable(context.resolve(hostname), context.signal);
    } catch (error) {
      if (context.signal.aborted) throw error;
      throw new HttpConnectorError(
        'NETWORK',
        `${what} failed: the host name could not be resolved (${(error as { code?: string }).code ?? (error as Error).message}).`,
        { retryable: true, cause: error },
      );
    }
    if (!addresses.length)
      throw new HttpConnectorError('NETWORK', `${what} failed: the host name resolved to no address.`, {
        retryable: true,
      });
  }
  for (const { address } of addresses) {
    const refusal = context.policy.refusal(address, hostname);
    if (refusal) {
      const where = `${url.hostname} ${literal ? 'is' : 'resolves to'} ${refusal}`;
      throw new HttpConnectorError(
        'ADDRESS_DENIED',
        `${what} refused: ${where}. Workflows may only call public addresses unless the connector's allow-list names this host or address.`,
        { retryable: false },
      );
    }
  }
  return addresses;
}

/** One request/response, connected only to `addresses` (already checked), whatever DNS says now. */
function exchange(
  url: URL,
  method: HttpMethod,
  headers: Record<string, string>,
  body: string | undefined,
  addresses: LookupAddress[],
  signal: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    // No agent: no pooled socket from an earlier request, no proxy from the environment.
    const req = send(url, { method, headers, agent: false, lookup: pinned(addresses), signal });
    req.once('response', resolve);
    // `on`, not `once`: an abort after the response arrived errors the request again.
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (signal.aborted) return reject(error);
      reject(
        new HttpConnectorError('NETWORK', `HTTP ${method} to ${url.host} failed: ${error.code ?? error.message}.`, {
          retryable: true,
          cause: error,
        }),
      );
    });
    req.end(body);
  });
}

/** A `lookup` for the socket that answers only with the addresses already checked. */
function pinned(addresses: LookupAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const family = options.family === 'IPv4' ? 4 : options.family === 'IPv6' ? 6 : options.family;
    const usable = family === 4 || family === 6 ? addresses.filter((a) => a.family === family) : addresses;
    const [first] = usable;
    if (!first)
      return callback(Object.assign(new Error(`no checked IPv${family} address`), { code: 'ENOTFOUND' }), '', 0);
    if (options.all) callback(null, usable);
    else callback(null, first.address, first.family);
  };
}

/** The body, decompressed, stopped as soon as it exceeds `limit` bytes. */
async function readBody(response: IncomingMessage, limit: number, signal: AbortSignal, what: string): Promise<Buffer> {
  const tooLarge = () =>
    new HttpConnectorError(
      'RESPONSE_TOO_LARGE',
      `${what}: the response is larger than the ${limit}-byte limit and was cut off; ask the service for less (paging, filters).`,
      { retryable: false },
    );
  const declared = Number(response.headers['content-length']);
  if (declared > limit) {
    response.destroy();
    throw tooLarge();
  }
  const encoding = (response.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  const decoder =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : null;
  if (!decoder && encoding !== 'identity') {
    response.destroy();
    throw new HttpConnectorError(
      'UNSUPPORTED_ENCODING',
      `${what}: the response is encoded as "${encoding}", which the connector cannot read.`,
      { retryable: false },
    );
  }
  const stream: Readable = decoder ? pipeline(response, decoder, () => {}) : response;
  const stop = () => response.destroy();
  signal.addEventListener('abort', stop, { once: true });
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) throw tooLarge();
      chunks.push(chunk);
    }
  } catch (error) {
    if (error instanceof HttpConnectorError || signal.aborted) throw error;
    throw new HttpConnectorError(
      'NETWORK',
      `${what}: the response broke off (${(error as { code?: string }).code ?? (error as Error).message}).`,
      { retryable: true, cause: error },
    );
  } finally {
    signal.removeEventListener('abort', stop);
    response.destroy();
  }
  return Buffer.concat(chunks);
}

function decode(bytes: Buffer, contentType: string | undefined): unknown {
  if (bytes.length === 0) return null;
  const [mediaType = '', ...parameters] = (contentType ?? '')
    .toLowerCase()
    .split(';')
    .map((part) => part.trim());
  const charset = parameters
    .find((p) => p.startsWith('charset='))
    ?.slice('charset='.length)
    .replace(/"/g, '');
  let text: string;
  try {
    text = new TextDecoder(charset || 'utf-8').decode(bytes);
  } catch {
    text = new TextDecoder('utf-8').decode(bytes);
  }
  if (mediaType === 'application/json' || mediaType.endsWith('+json')) {
    try {
      return JSON.parse(text);
    } catch {
      // Labelled JSON but not JSON: the text is more use to the process than a failure.
    }
  }
  return text;
}

function keptHeaders(response: IncomingMessage): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = response.headers[name];
    if (typeof value === 'string') kept[name] = value;
  }
  return kept;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
