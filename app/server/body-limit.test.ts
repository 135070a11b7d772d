/**
 * The request size limits with hostile requests, no server needed: a 50 MB streamed body is
 * refused after reading about the limit (not 50 MB), a Content-Length over the limit before
 * reading anything, a Content-Length that lies small by counting, a 100,000-deep JSON body with a
 * 400 naming the limit, each answered in tRPC's error envelope in the caller's language.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_REQUEST_LIMITS, jsonDepthExceeds, limitRequest, type RequestLimits } from './body-limit';
import { readEnv, requestLimits } from './env';

const URL_ = 'http://localhost:3000/api/trpc/instance.start';
const limits: RequestLimits = DEFAULT_REQUEST_LIMITS;
const MiB = 1024 * 1024;

/** A body that produces `total` bytes in 64 KiB chunks as they are pulled, counting what was pulled. */
function streamedBody(total: number, fill = 0x20): { stream: ReadableStream<Uint8Array>; pulled: () => number } {
  let sent = 0;
  const chunk = new Uint8Array(64 * 1024).fill(fill);
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) return controller.close();
      const next = chunk.subarray(0, Math.min(chunk.length, total - sent));
      sent += next.length;
      controller.enqueue(next);
    },
  });
  return { stream, pulled: () => sent };
}

function post(body: BodyInit, headers: Record<string, string> = {}): Request {
  return new Request(URL_, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
    duplex: 'half',
  } as RequestInit);
}

async function refusal(result: Request | Response) {
  expect(result).toBeInstanceOf(Response);
  const response = result as Response;
  return {
    status: response.status,
    body: (await response.json()) as {
      error: { message: string; code: number; data: { code: string; httpStatus: number } };
    },
  };
}

describe('request body size', () => {
  it('refuses a 50 MB streamed body (no Content-Length) with 413 after reading about the limit, not 50 MB', async () => {
    const { stream, pulled } = streamedBody(50 * MiB);
    const { status, body } = await refusal(await limitRequest(post(stream), limits, 'en'));
    expect(status).toBe(413);
    expect(body.error.data).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', httpStatus: 413 });
    expect(body.error.code).toBe(-32013);
    expect(body.error.message).toBe(
      'The request is larger than the server accepts (1 MiB); send less at once. (An administrator can raise the limit with TRELLIS_MAX_BODY_BYTES.)',
    );
    // What was read: the limit and the chunk that crossed it (plus what the stream queued ahead), never the rest.
    expect(pulled()).toBeLessThan(limits.maxBodyBytes + 4 * 64 * 1024);
  });

  it('refuses a Content-Length over the limit before reading a byte, in Vietnamese for a Vietnamese caller', async () => {
    const { stream, pulled } = streamedBody(50 * MiB);
    const { status, body } = await refusal(
      await limitRequest(post(stream, { 'content-length': String(50 * MiB) }), limits, 'vi'),
    );
    expect(status).toBe(413);
    expect(body.error.message).toBe(
      'Yêu cầu lớn hơn mức máy chủ chấp nhận (1 MiB); hãy gửi ít dữ liệu hơn mỗi lần. (Quản trị viên có thể nâng giới hạn bằng TRELLIS_MAX_BODY_BYTES.)',
    );
    expect(pulled()).toBeLessThanOrEqual(64 * 1024);
  });

  it('does not trust a Content-Length that lies small: the bytes are counted', async () => {
    const { stream, pulled } = streamedBody(5 * MiB);
    const { status } = await refusal(await limitRequest(post(stream, { 'content-length': '10' }), limits, 'en'));
    expect(status).toBe(413);
    expect(pulled()).toBeLessThan(2 * MiB);
  });

  it('passes a body within the limit on whole, readable as before, with its true length', async () => {
    const json = JSON.stringify({
      definitionKey: 'invoice-approval',
      variables: { note: 'x'.repeat(100_000), items: [[1, [2, [3]]]] },
    });
    const limited = await limitRequest(post(json, { 'content-length': '3' }), limits, 'en');
    expect(limited).toBeInstanceOf(Request);
    const request = limited as Request;
    expect(await request.json()).toEqual(JSON.parse(json));
    expect(request.headers.get('content-length')).toBe(String(Buffer.byteLength(json)));
    expect(request.method).toBe('POST');
    expect(request.url).toBe(URL_);
  });

  it('takes exactly the limit, and refuses one byte more', async () => {
    const small: RequestLimits = { ...limits, maxBodyBytes: 1000 };
    expect(
      await limitRequest(post(streamedBody(1000).stream, { 'content-type': 'text/plain' }), small, 'en'),
    ).toBeInstanceOf(Request);
    const { status, body } = await refusal(
      await limitRequest(post(streamedBody(1001).stream, { 'content-type': 'text/plain' }), small, 'en'),
    );
    expect(status).toBe(413);
    expect(body.error.message).toContain('(1,000 bytes)');
  });

  it('answers better-auth style ({ code, message }) where asked', async () => {
    const response = (await limitRequest(post(streamedBody(2 * MiB).stream), limits, 'en', {
      format: 'plain',
    })) as Response;
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringContaining('TRELLIS_MAX_BODY_BYTES'),
    });
  });
});

describe('JSON nesting depth', () => {
  it('refuses a 100,000-deep body with 400 naming the limit, without parsing it', async () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const { status, body } = await refusal(await limitRequest(post(deep), limits, 'en'));
    expect(status).toBe(400);
    expect(body.error.data).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400 });
    expect(body.error.message).toBe(
      'The request nests its data more than 64 levels deep, which the server does not accept; send flatter data. (An administrator can raise the limit with TRELLIS_MAX_JSON_DEPTH.)',
    );
  });

  it('refuses deep objects too, in Vietnamese', async () => {
    const deep = `${'{"a":'.repeat(65)}1${'}'.repeat(65)}`;
    const { status, body } = await refusal(await limitRequest(post(deep), limits, 'vi'));
    expect(status).toBe(400);
    expect(body.error.message).toContain('sâu hơn 64 cấp');
  });

  it('counts brackets in JSON, not inside strings (escaped quotes included)', () => {
    const encode = (s: string) => new TextEncoder().encode(s);
    expect(jsonDepthExceeds(encode(`${'['.repeat(64)}${']'.repeat(64)}`), 64)).toBe(false);
    expect(jsonDepthExceeds(encode(`${'['.repeat(65)}${']'.repeat(65)}`), 64)).toBe(true);
    expect(jsonDepthExceeds(encode(JSON.stringify({ a: '['.repeat(1000), b: '\\"{{{{', c: 'Nguyễn [{' })), 2)).toBe(
      false,
    );
    expect(jsonDepthExceeds(encode(`{"a":"\\"", "b":[[[1]]]}`), 3)).toBe(true);
  });

  it('checks the JSON input of a GET query (batched tRPC queries carry it in the URL)', async () => {
    const input = encodeURIComponent(JSON.stringify({ 0: JSON.parse(`${'['.repeat(70)}${']'.repeat(70)}`) }));
    const get = new Request(`http://localhost:3000/api/trpc/task.get?batch=1&input=${input}`);
    const { status } = await refusal(
      await limitRequest(get, limits, 'en', { format: 'trpc', jsonQueryParam: 'input' }),
    );
    expect(status).toBe(400);
    const fine = new Request(
      `http://localhost:3000/api/trpc/task.get?batch=1&input=${encodeURIComponent('{"0":{"id":"x"}}')}`,
    );
    expect(await limitRequest(fine, limits, 'en', { format: 'trpc', jsonQueryParam: 'input' })).toBe(fine);
  });

  it('leaves a form body (not JSON) to its parser', async () => {
    const form = new URLSearchParams({ locale: 'vi', back: `/${'['.repeat(100)}` });
    const limited = await limitRequest(
      post(form.toString(), { 'content-type': 'application/x-www-form-urlencoded' }),
      limits,
      'en',
      { format: 'plain' },
    );
    expect(limited).toBeInstanceOf(Request);
    expect((await (limited as Request).formData()).get('locale')).toBe('vi');
  });
});

describe('URL length', () => {
  it('refuses a URL over the limit with 414', async () => {
    const { status, body } = await refusal(
      await limitRequest(new Request(`${URL_}?input=${'a'.repeat(20_000)}`), limits, 'en'),
    );
    expect(status).toBe(414);
    expect(body.error.message).toContain('longer than 16,384 characters');
  });
});

describe('limits from the environment', () => {
  it('defaults, and TRELLIS_MAX_BODY_BYTES / TRELLIS_MAX_JSON_DEPTH / TRELLIS_MAX_URL_LENGTH override them', () => {
    expect(requestLimits(readEnv({}))).toEqual({ maxBodyBytes: MiB, maxJsonDepth: 64, maxUrlLength: 16_384 });
    expect(
      requestLimits(
        readEnv({ TRELLIS_MAX_BODY_BYTES: '5000000', TRELLIS_MAX_JSON_DEPTH: '100', TRELLIS_MAX_URL_LENGTH: '' }),
      ),
    ).toEqual({ maxBodyBytes: 5_000_000, maxJsonDepth: 100, maxUrlLength: 16_384 });
    expect(() => readEnv({ TRELLIS_MAX_BODY_BYTES: '1 MB' })).toThrow(/TRELLIS_MAX_BODY_BYTES is invalid/);
  });
});
