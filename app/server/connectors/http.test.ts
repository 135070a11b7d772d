/**
 * The http connector against a local server on 127.0.0.1 (allowed explicitly where a test means
 * to reach it). Denied addresses must be refused before any connection: the server counts them.
 */
import { randomUUID } from 'node:crypto';
import type { LookupAddress } from 'node:dns';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { evaluateExpression } from '@/engine';
import type { ConnectorCall, InstanceJob } from './contract';
import { createHttpConnector, type HttpConnectorOptions } from './http';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let port: number;
let base: string;
let seen: Seen[] = [];
let connections = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const url = new URL(req.url!, 'http://test');
      const json = (status: number, value: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
        res.end(JSON.stringify(value));
      };
      const route = url.pathname.split('/')[1];
      if (route === 'invoices')
        return json(
          200,
          { path: url.pathname, query: Object.fromEntries(url.searchParams) },
          { 'x-request-id': 'req-1', 'set-cookie': 'session=secret' },
        );
      if (route === 'echo') return json(201, { received: body ? JSON.parse(body) : null, method: req.method });
      if (route === 'status') {
        res.writeHead(Number(url.pathname.split('/')[2]), { 'content-type': 'text/plain' });
        return res.end('internal details that must not leak');
      }
      if (route === 'text') return res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('Xin chào');
      if (route === 'empty') return res.writeHead(204).end();
      if (route === 'gzip')
        return res
          .writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' })
          .end(gzipSync(JSON.stringify({ zipped: true })));
      if (route === 'slow') return setTimeout(() => json(200, { late: true }), 3_000).unref();
      if (route === 'stall') {
        res.writeHead(200, { 'content-type': 'application/json' });
        return res.write('{"partial": ');
      }
      if (route === 'big') {
        // 2 MB in 64 KB chunks, without a Content-Length: the cap must count as it reads.
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(65_536, 'x');
        let sent = 0;
        const pump = () => {
          while (sent < 32) {
            sent++;
            if (!res.write(chunk)) return res.once('drain', pump);
          }
          res.end();
        };
        res.on('error', () => {});
        return pump();
      }
      if (route === 'declared-big')
        return res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(5_000_000) }).end();
      if (route === 'redirect')
        return res
          .writeHead(Number(url.searchParams.get('status') ?? 302), { location: url.searchParams.get('to')! })
          .end();
      if (route === 'loop')
        return res.writeHead(302, { location: `/loop?n=${Number(url.searchParams.get('n') ?? 0) + 1}` }).end();
      return json(404, { error: 'no route' });
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  seen = [];
  connections = 0;
});

/** The call a worker would make: `=FEEL` settings evaluated against the job's variables, as the runtime does. */
function callOf(
  settings: Record<string, string>,
  variables: Record<string, unknown> = {},
  jobId = randomUUID(),
): ConnectorCall {
  const evaluated = Object.fromEntries(
    Object.entries(settings).map(([name, value]) => [
      name,
      value.startsWith('=') ? evaluateExpression(value.slice(1), variables).value : value,
    ]),
  );
  return { job: { id: jobId, elementId: 'call', payload: variables } as InstanceJob, variables, settings: evaluated };
}

const local = (options: HttpConnectorOptions = {}) => createHttpConnector({ allow: ['127.0.0.1'], ...options });
/** A resolver that answers from a table, counting how often it was asked. */
function fakeDns(table: Record<string, string[]>) {
  const asked: string[] = [];
  const resolve = async (hostname: string): Promise<LookupAddress[]> => {
    asked.push(hostname);
    const answers = table[hostname];
    if (!answers) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolve, asked };
}

describe('requests and results', () => {
  it('GET fills the URL template from the variables, URL-encoded, and returns status, safe headers and the parsed body', async () => {
    // given
    const call = callOf(
      { url: `${base}/invoices/{invoiceNumber}?customer={customer.name}` },
      { invoiceNumber: 'HD/2024 01', customer: { name: 'Sen Vàng & Co' } },
    );
    // when
    const result = await local()(call);
    // then
    expect(seen).toHaveLength(1);
    expect(seen[0]!.url).toBe('/invoices/HD%2F2024%2001?customer=Sen%20V%C3%A0ng%20%26%20Co');
    expect(result).toEqual({
      response: {
        status: 200,
        headers: expect.objectContaining({
          'content-type': 'application/json; charset=utf-8',
          'x-request-id': 'req-1',
        }),
        body: { path: '/invoices/HD%2F2024%2001', query: { customer: 'Sen Vàng & Co' } },
      },
    });
    expect((result.response as { headers: object }).headers).not.toHaveProperty('set-cookie');
  });

  it('POST sends the FEEL-computed body as JSON with the job id as Idempotency-Key, into resultVariable', async () => {
    const jobId = randomUUID();
    const call = callOf(
      {
        method: 'post',
        url: `${base}/echo`,
        body: '={ amount: amount * 2, lines: [1, 2] }',
        headers: '{"Authorization": "Bearer t0ken", "X-Tenant": 7}',
        resultVariable: 'created',
      },
      { amount: 21 },
      jobId,
    );
    const result = await local()(call);
    expect(result).toEqual({
      created: {
        status: 201,
        headers: expect.any(Object),
        body: { received: { amount: 42, lines: [1, 2] }, method: 'POST' },
      },
    });
    expect(seen[0]!.headers).toMatchObject({
      'idempotency-key': jobId,
      'content-type': 'application/json',
      authorization: 'Bearer t0ken',
      'x-tenant': '7',
    });
  });

  it('headers may also come from a FEEL context', async () => {
    await local()(callOf({ url: `${base}/invoices/1`, headers: '={ "X-Api-Key": apiKey }' }, { apiKey: 'k-123' }));
    expect(seen[0]!.headers['x-api-key']).toBe('k-123');
  });

  it('returns text as text, an empty body as null, and reads gzip', async () => {
    const connector = local();
    expect(await connector(callOf({ url: `${base}/text` }))).toMatchObject({
      response: { status: 200, body: 'Xin chào' },
    });
    expect(await connector(callOf({ url: `${base}/empty`, method: 'DELETE' }))).toMatchObject({
      response: { status: 204, body: null },
    });
    expect(await connector(callOf({ url: `${base}/gzip` }))).toMatchObject({ response: { body: { zipped: true } } });
  });
});

describe('answers that are not 2xx', () => {
  it('a 404 is a business error HTTP_404 the process can catch; the body stays out of the message', async () => {
    const error = await local()(callOf({ url: `${base}/status/404` })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ConnectorBusinessError', errorCode: 'HTTP_404' });
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).not.toContain('internal details');
  });

  it('a 503 is a retryable technical failure', async () => {
    const error = await local()(callOf({ url: `${base}/status/503` })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'HttpConnectorError', code: 'HTTP_503', retryable: true });
    expect((error as Error).message).not.toContain('internal details');
  });

  it('429 and 408 mean "try later": retried, not thrown into the process', async () => {
    await expect(local()(callOf({ url: `${base}/status/429` }))).rejects.toMatchObject({
      code: 'HTTP_429',
      retryable: true,
    });
    await expect(local()(callOf({ url: `${base}/status/408` }))).rejects.toMatchObject({
      code: 'HTTP_408',
      retryable: true,
    });
  });

  it('a refused connection is a retryable network failure naming the host', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(local()(callOf({ url: `http://127.0.0.1:${closedPort}/` }))).rejects.toMatchObject({
      code: 'NETWORK',
      retryable: true,
      message: expect.stringContaining(`127.0.0.1:${closedPort}`),
    });
  });
});

describe('limits', () => {
  it('a slow answer is aborted at timeoutMs', async () => {
    const started = Date.now();
    await expect(local()(callOf({ url: `${base}/slow`, timeoutMs: '200' }))).rejects.toMatchObject({
      code: 'TIMEOUT',
      retryable: true,
      message: expect.stringMatching(/timed out after 200 ms/),
    });
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('a body that stalls after the headers is aborted at timeoutMs too', async () => {
    await expect(local()(callOf({ url: `${base}/stall`, timeoutMs: '200' }))).rejects.toMatchObject({
      code: 'TIMEOUT',
      retryable: true,
    });
  });

  it('a response over the size cap is cut off while streaming', async () => {
    await expect(local()(callOf({ url: `${base}/big` }))).rejects.toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
      message: expect.stringContaining('1048576-byte limit'),
    });
  });

  it('a response declaring a size over the cap is refused before reading, and the cap is configurable', async () => {
    await expect(local()(callOf({ url: `${base}/declared-big` }))).rejects.toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
    });
    await expect(local({ maxResponseBytes: 10 })(callOf({ url: `${base}/invoices/1` }))).rejects.toMatchObject({
      code: 'RESPONSE_TOO_LARGE',
    });
  });

  it.each([
    [{ url: `http://127.0.0.1/{missing}` }, /placeholder \{missing\} has no value/],
    [{ url: 'http://127.0.0.1/{list}' }, /placeholder \{list\} is a list/],
    [{ url: 'not a url' }, /not an absolute URL/],
    [{ url: 'ftp://127.0.0.1/file' }, /only http: and https:/],
    [{ url: 'file:///etc/passwd' }, /only http: and https:/],
    [{ url: 'http://user:pw@127.0.0.1/' }, /Authorization header/],
    [{}, /url setting is missing/],
    [{ url: 'http://127.0.0.1/', method: 'TRACE' }, /use one of GET, POST/],
    [{ url: 'http://127.0.0.1/', method: 'GET', body: '={ a: 1 }' }, /GET request carries no body/],
    [{ url: 'http://127.0.0.1/', headers: '{not json' }, /headers setting is not valid JSON/],
    [{ url: 'http://127.0.0.1/', headers: '["a"]' }, /must be an object/],
    [{ url: 'http://127.0.0.1/', headers: '{"Idempotency-Key": "mine"}' }, /set by the connector/],
    [{ url: 'http://127.0.0.1/', headers: '{"Host": "evil.example"}' }, /set by the connector/],
    [{ url: 'http://127.0.0.1/', headers: '{"X-Bad": "a\\r\\nInjected: 1"}' }, /does not allow/],
    [{ url: 'http://127.0.0.1/', timeoutMs: '60001' }, /from 1 to 60000/],
    [{ url: 'http://127.0.0.1/', timeoutMs: 'soon' }, /from 1 to 60000/],
    [{ url: 'http://127.0.0.1/', resultVariable: 'my result' }, /not a variable name/],
    [{ url: 'http://127.0.0.1/', methd: 'POST' }, /Unknown setting "methd"/],
  ])('settings %j are refused before sending: %s', async (settings, message) => {
    await expect(local()(callOf(settings as Record<string, string>, { list: [1, 2] }))).rejects.toMatchObject({
      code: 'INVALID_SETTINGS',
      retryable: false,
      message: expect.stringMatching(message),
    });
    expect(connections).toBe(0);
  });
});

describe('refused addresses', () => {
  const targets = () => [
    `http://127.0.0.1:${port}/invoices/1`,
    `http://10.0.0.1:${port}/`,
    'http://169.254.169.254/latest/meta-data/iam/security-credentials/',
    `http://[::1]:${port}/`,
    `http://[::ffff:127.0.0.1]:${port}/`,
    `http://0.0.0.0:${port}/`,
    `http://localhost:${port}/`,
    `http://2130706433:${port}/`, // 127.0.0.1 written as one number
    `http://0x7f.1:${port}/`,
    `http://192.168.1.1:${port}/`,
    `http://100.64.0.1:${port}/`,
  ];

  it('without an allow-list, every private, loopback, link-local or unspecified target is refused before any connection', async () => {
    const connector = createHttpConnector();
    for (const url of targets()) {
      const error = await connector(callOf({ url })).catch((e: unknown) => e);
      expect(error, url).toMatchObject({ name: 'HttpConnectorError', code: 'ADDRESS_DENIED', retryable: false });
      expect((error as Error).message, url).toMatch(
        /refused: .*(loopback|private|link-local|unspecified|carrier-grade)/,
      );
    }
    expect(seen).toEqual([]);
    expect(connections).toBe(0);
  });

  it('a host name is refused if any of its addresses is denied, and names the host but not the address', async () => {
    const dns = fakeDns({ 'mixed.example': ['93.184.216.34', '10.0.0.7'] });
    const error = await createHttpConnector({ resolve: dns.resolve })(callOf({ url: 'http://mixed.example/' })).catch(
      (e: unknown) => e,
    );
    expect(error).toMatchObject({
      code: 'ADDRESS_DENIED',
      message: expect.stringContaining('mixed.example resolves to a private address'),
    });
    expect((error as Error).message).not.toContain('10.0.0.7');
  });

  it('an unresolvable host name is a retryable network failure', async () => {
    const dns = fakeDns({});
    await expect(
      createHttpConnector({ resolve: dns.resolve })(callOf({ url: 'http://nowhere.example/' })),
    ).rejects.toMatchObject({ code: 'NETWORK', retryable: true, message: expect.stringContaining('ENOTFOUND') });
  });

  it('the connection is pinned to the checked address: DNS is asked once, a changed answer is never used', async () => {
    // given a name that resolves to the allowed address first, then would rebind to a denied one
    let answer = '127.0.0.1';
    const asked: string[] = [];
    const resolve = async (hostname: string) => {
      asked.push(hostname);
      const address = answer;
      answer = '169.254.169.254';
      return [{ address, family: 4 }];
    };
    // when
    const result = await createHttpConnector({ allow: ['127.0.0.1'], resolve })(
      callOf({ url: `http://rebind.example:${port}/invoices/9` }),
    );
    // then
    expect(result).toMatchObject({ response: { status: 200 } });
    expect(asked).toEqual(['rebind.example']);
    expect(seen[0]!.headers.host).toBe(`rebind.example:${port}`);
  });

  it('a host allowed by name may resolve to a private address; the literal address stays denied', async () => {
    const dns = fakeDns({ 'intranet.example': ['127.0.0.1'] });
    const connector = createHttpConnector({ allow: ['intranet.example'], resolve: dns.resolve });
    expect(await connector(callOf({ url: `http://intranet.example:${port}/invoices/1` }))).toMatchObject({
      response: { status: 200 },
    });
    await expect(connector(callOf({ url: `${base}/invoices/1` }))).rejects.toMatchObject({ code: 'ADDRESS_DENIED' });
    expect(seen).toHaveLength(1);
  });
});

describe('redirects', () => {
  it('are followed to an allowed host, with the Idempotency-Key; 303 continues as GET', async () => {
    const jobId = randomUUID();
    const result = await local()(
      callOf(
        {
          method: 'POST',
          url: `${base}/redirect?status=303&to=${encodeURIComponent('/invoices/7')}`,
          body: '={ a: 1 }',
        },
        {},
        jobId,
      ),
    );
    expect(result).toMatchObject({ response: { status: 200, body: { path: '/invoices/7' } } });
    expect(seen.map((s) => [s.method, s.url.split('?')[0]])).toEqual([
      ['POST', '/redirect'],
      ['GET', '/invoices/7'],
    ]);
    expect(seen.map((s) => s.headers['idempotency-key'])).toEqual([jobId, jobId]);
    expect(seen[1]!.body).toBe('');
  });

  it('307 keeps the method and body', async () => {
    await local()(
      callOf({
        method: 'PUT',
        url: `${base}/redirect?status=307&to=${encodeURIComponent('/echo')}`,
        body: '={ a: 1 }',
      }),
    );
    expect(seen.map((s) => [s.method, s.body])).toEqual([
      ['PUT', '{"a":1}'],
      ['PUT', '{"a":1}'],
    ]);
  });

  it('to a denied address (cloud metadata) are refused, naming both hosts', async () => {
    const error = await local()(
      callOf({ url: `${base}/redirect?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}` }),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'ADDRESS_DENIED',
      message: expect.stringContaining(
        `169.254.169.254 (redirected from 127.0.0.1:${port}) refused: 169.254.169.254 is a link-local address`,
      ),
    });
    expect(seen).toHaveLength(1);
  });

  it('from a host allowed by name to its bare address are refused: the allow-list names the host, not where it points', async () => {
    const dns = fakeDns({ 'intranet.example': ['127.0.0.1'] });
    const connector = createHttpConnector({ allow: ['intranet.example'], resolve: dns.resolve });
    const error = await connector(
      callOf({ url: `http://intranet.example:${port}/redirect?to=${encodeURIComponent(`${base}/invoices/1`)}` }),
    ).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'ADDRESS_DENIED', message: expect.stringContaining('is a loopback address') });
    expect(seen).toHaveLength(1);
  });

  it('to another origin drop the Authorization header', async () => {
    const dns = fakeDns({ 'other.example': ['127.0.0.1'] });
    const connector = createHttpConnector({ allow: ['127.0.0.1'], resolve: dns.resolve });
    await connector(
      callOf({
        url: `${base}/redirect?to=${encodeURIComponent(`http://other.example:${port}/invoices/2`)}`,
        headers: '{"Authorization": "Bearer secret"}',
      }),
    );
    expect(seen.map((s) => s.headers.authorization)).toEqual(['Bearer secret', undefined]);
    expect(seen[1]!.headers.host).toBe(`other.example:${port}`);
  });

  it('to a non-http scheme are refused', async () => {
    await expect(
      local()(callOf({ url: `${base}/redirect?to=${encodeURIComponent('file:///etc/passwd')}` })),
    ).rejects.toMatchObject({ code: 'ADDRESS_DENIED', message: expect.stringContaining('only http: and https:') });
  });

  it('stop after 5', async () => {
    await expect(local()(callOf({ url: `${base}/loop` }))).rejects.toMatchObject({
      code: 'TOO_MANY_REDIRECTS',
      retryable: false,
    });
    expect(seen).toHaveLength(6);
  });
});
