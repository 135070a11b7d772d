/**
 * The REST API answers failures as the app's tRPC endpoint does (error-answers.ts, one table for
 * both): engine errors by their code, a unique violation 409, a serialization failure or deadlock
 * 409 and retryable, a lost connection 503 and retryable, anything else a 500 with a reference and
 * nothing of its text; an AppError keeps its code, message and fields (named by `path`), and a
 * status a service names. The answer's language is Accept-Language's first of English and
 * Vietnamese, English by default.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EngineError, type EngineErrorCode } from '@/engine';
import { AppError } from '../errors';
import { ENGINE_ERROR_CODES, HTTP_STATUS } from '../error-answers';
import { apiLocale, errorResponse, fieldsUnder } from './http';

afterEach(() => vi.restoreAllMocks());

/** A driver's error with a SQLSTATE, wrapped as drizzle wraps it (the SQL in the wrapper's message). */
function databaseError(sqlState: string): Error {
  const driver = Object.assign(new Error('duplicate key value violates unique constraint "x_idx"'), { code: sqlState });
  return new Error('Failed query: insert into "process_instances" ("id") values ($1)', { cause: driver });
}

async function answer(error: unknown, locale: 'en' | 'vi' = 'en') {
  const res = errorResponse(error, locale, 'POST /api/v1/test');
  return {
    status: res.status,
    body: (await res.json()) as Record<string, unknown>,
    cache: res.headers.get('cache-control'),
  };
}

describe('failures, answered as tRPC answers them', () => {
  it.each(Object.entries(ENGINE_ERROR_CODES).filter(([, code]) => code !== 'INTERNAL_SERVER_ERROR'))(
    'engine %s → %s with the engine’s message',
    async (engineCode, code) => {
      const message = `Element "review" of "invoice-approval" (${engineCode}).`;
      expect(await answer(new EngineError(engineCode as EngineErrorCode, message))).toEqual({
        status: HTTP_STATUS[code],
        body: { code, message },
        cache: 'no-store',
      });
    },
  );

  it('a unique violation → 409 in the caller’s language, without the SQL', async () => {
    const { status, body } = await answer(databaseError('23505'), 'vi');
    expect(status).toBe(409);
    expect(body).toEqual({ code: 'CONFLICT', message: expect.stringMatching(/^Có người khác vừa lưu/) });
  });

  it.each(['40001', '40P01'])('a serialization failure or deadlock (%s) → 409, retryable', async (sqlState) => {
    expect((await answer(databaseError(sqlState))).body).toEqual({
      code: 'CONFLICT',
      message:
        'This command collided with another one running at the same moment and was not carried out; send it again.',
      retryable: true,
    });
  });

  it('a lost connection → 503, retryable', async () => {
    const { status, body } = await answer(Object.assign(new Error('write ECONNRESET'), { code: 'ECONNRESET' }));
    expect(status).toBe(503);
    expect(body).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
  });

  it('anything else, and an engine INTERNAL → 500 with a reference; the details only in the log', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    for (const error of [
      databaseError('23514'),
      new RangeError('Maximum call stack size exceeded at /app/server/services/secret.ts:12'),
      new EngineError('INTERNAL', 'snapshot invariant broken at state "x"'),
    ]) {
      const { status, body } = await answer(error);
      expect(status).toBe(500);
      const reference = /\(reference ([0-9a-f]{8})\)/.exec(body.message as string)?.[1];
      expect(body).toEqual({
        code: 'INTERNAL_SERVER_ERROR',
        message: `Something went wrong on the server (reference ${reference}). Try again; if it keeps happening, give your administrator the reference.`,
      });
      expect(log).toHaveBeenLastCalledWith(`Server error ${reference} in POST /api/v1/test:`, error);
    }
  });

  it('an AppError keeps its code, message and fields (by path), and a status a service names', async () => {
    const refused = new AppError('BAD_REQUEST', 'Vendor is required.', [
      { field: 'vendor', label: 'Vendor', message: 'Vendor is required.' },
    ]);
    expect(await answer(refused)).toEqual({
      status: 400,
      body: {
        code: 'BAD_REQUEST',
        message: 'Vendor is required.',
        fields: [{ path: 'vendor', label: 'Vendor', message: 'Vendor is required.' }],
      },
      cache: 'no-store',
    });
    const tooLarge = new AppError('BAD_REQUEST', 'The file is too large.', undefined, { details: { httpStatus: 413 } });
    expect((await answer(tooLarge)).status).toBe(413);
  });

  it('fieldsUnder names a command’s fields where the request holds them', async () => {
    const refused = new AppError('BAD_REQUEST', 'Amount must be a number.', [
      { field: 'amount', label: 'Amount', message: 'Amount must be a number.' },
    ]);
    const error = await fieldsUnder('variables', () => Promise.reject(refused)).catch((e: unknown) => e);
    expect((await answer(error)).body.fields).toEqual([
      { path: 'variables.amount', label: 'Amount', message: 'Amount must be a number.' },
    ]);
  });
});

describe('the language of the answer (Accept-Language)', () => {
  it.each([
    [null, 'en'],
    ['', 'en'],
    ['vi', 'vi'],
    ['vi-VN,vi;q=0.9,en-US;q=0.8', 'vi'],
    ['en-US,en;q=0.9,vi;q=0.8', 'en'],
    ['fr-FR, vi;q=0.5, en;q=0.4', 'vi'],
    ['en;q=0.2, vi;q=0.7', 'vi'],
    ['vi;q=0, en', 'en'],
    ['de, fr', 'en'],
    ['*', 'en'],
  ])('%j → %s', (header, locale) => {
    expect(apiLocale(header)).toBe(locale);
  });
});
