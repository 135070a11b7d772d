/**
 * What callers are told when a procedure fails, through a router built from the app's own
 * procedure builders (so the real middleware chain runs): every engine error code has its tRPC
 * code (a code the table does not know yet is a BAD_REQUEST), database conflicts are CONFLICT,
 * anything else is a generic message with a reference while the details go to the server's log.
 * Real database errors through the app's router: test/integration/error-mapping.test.ts.
 */
import { TRPCError } from '@trpc/server';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { Executor } from '@/db/client';
import { EngineError, type EngineErrorCode } from '@/engine';
import type { Locale } from '../actor';
import { AppError } from '../errors';
import { callerMessage, ENGINE_ERROR_CODES } from './error-map';
import { createCallerFactory, createContextInner, publicProcedure, router } from './init';

/** A Postgres error as drivers throw it, wrapped as drizzle wraps it (the SQL in the wrapper's message). */
function databaseError(code: string): Error {
  const [sqlState, routine] = code.split('/');
  const driver = Object.assign(
    new Error(`duplicate key value violates unique constraint "process_definitions_tenant_key_version_idx"`),
    { code: sqlState, detail: 'Key (tenant_id, key, version)=(…) already exists.', ...(routine ? { routine } : {}) },
  );
  return new Error(
    'Failed query: insert into "process_definitions" ("id", "tenant_id") values (default, $1)\nparams: 6f1c…',
    { cause: driver },
  );
}

const thrower = router({
  fail: publicProcedure.input(z.object({ kind: z.string(), code: z.string() })).mutation(({ input }): never => {
    if (input.kind === 'engine')
      throw new EngineError(input.code as EngineErrorCode, `Element "review" of "invoice-approval" (${input.code}).`);
    if (input.kind === 'database') throw databaseError(input.code);
    if (input.kind === 'app') throw new AppError('NOT_FOUND', 'Task "T-12" was not found.');
    if (input.kind === 'trpc') throw new TRPCError({ code: 'PRECONDITION_FAILED', message: 'Reload the page first.' });
    throw new RangeError('Maximum call stack size exceeded at JSON.stringify (/app/server/services/secret.ts:12)');
  }),
});

async function failure(kind: string, code = '', locale: Locale = 'en') {
  const caller = createCallerFactory(thrower)(await createContextInner({ db: {} as Executor, userId: null, locale }));
  try {
    await caller.fail({ kind, code });
  } catch (error) {
    if (error instanceof TRPCError)
      return {
        code: error.code,
        message: error.message,
        retryable: (error.cause as { retryable?: boolean } | undefined)?.retryable ?? false,
      };
    throw error;
  }
  throw new Error('did not fail');
}

const logged = () => vi.spyOn(console, 'error').mockImplementation(() => {});
afterEach(() => vi.restoreAllMocks());

describe('engine errors: a table of tRPC codes, compared as strings', () => {
  it.each([
    ['ELEMENT_NOT_ACTIVE', 'CONFLICT'],
    ['EVENT_NOT_ACCEPTED', 'CONFLICT'],
    ['INSTANCE_NOT_ACTIVE', 'CONFLICT'],
    ['DEFINITION_MISMATCH', 'CONFLICT'],
    ['INVALID_DEFINITION', 'BAD_REQUEST'],
    ['INVALID_STATE', 'BAD_REQUEST'],
    ['BUDGET_EXCEEDED', 'BAD_REQUEST'],
    ['CALL_DEPTH_EXCEEDED', 'BAD_REQUEST'],
    ['VARIABLES_TOO_LARGE', 'PAYLOAD_TOO_LARGE'],
    // A code added to the engine later, before this table knows it: the caller's mistake, message kept.
    ['SOMETHING_NEW', 'BAD_REQUEST'],
  ])('%s → %s, with the engine message (it names the element)', async (engineCode, trpcCode) => {
    expect(await failure('engine', engineCode)).toEqual({
      code: trpcCode,
      message: `Element "review" of "invoice-approval" (${engineCode}).`,
      retryable: false,
    });
  });

  it('every code the engine declares has a row', () => {
    const declared: EngineErrorCode[] = [
      'DEFINITION_MISMATCH',
      'INSTANCE_NOT_ACTIVE',
      'ELEMENT_NOT_ACTIVE',
      'EVENT_NOT_ACCEPTED',
      'INVALID_DEFINITION',
      'INVALID_STATE',
      'INTERNAL',
    ];
    for (const code of declared) expect(ENGINE_ERROR_CODES[code], code).toBeDefined();
  });

  it('INTERNAL → INTERNAL_SERVER_ERROR with a generic message and a reference; the details are logged', async () => {
    const log = logged();
    const { code, message } = await failure('engine', 'INTERNAL');
    expect(code).toBe('INTERNAL_SERVER_ERROR');
    const reference = /\(reference ([0-9a-f]{8})\)/.exec(message)?.[1];
    expect(message).toBe(
      `Something went wrong on the server (reference ${reference}). Try again; if it keeps happening, give your administrator the reference.`,
    );
    expect(log).toHaveBeenCalledWith(
      `Server error ${reference} in fail:`,
      expect.objectContaining({ code: 'INTERNAL' }),
    );
  });
});

describe('database errors', () => {
  it('a unique violation (23505) → CONFLICT in the caller’s language, without the SQL', async () => {
    expect(await failure('database', '23505', 'vi')).toEqual({
      code: 'CONFLICT',
      message:
        'Có người khác vừa lưu cùng nội dung này vào đúng lúc đó nên thay đổi của bạn chưa được lưu; hãy tải lại trang rồi thử lại.',
      retryable: false,
    });
  });

  it.each(['40001', '40P01'])('a serialization failure or deadlock (%s) → CONFLICT, retryable', async (sqlState) => {
    expect(await failure('database', sqlState)).toEqual({
      code: 'CONFLICT',
      message:
        'This command collided with another one running at the same moment and was not carried out; send it again.',
      retryable: true,
    });
  });

  it('a prepared statement a migration made stale (0A000 from RevalidateCachedQuery) → CONFLICT, retryable', async () => {
    expect(await failure('database', '0A000/RevalidateCachedQuery')).toMatchObject({
      code: 'CONFLICT',
      retryable: true,
    });
    // Another "feature not supported" is no conflict.
    logged();
    expect((await failure('database', '0A000/other')).code).toBe('INTERNAL_SERVER_ERROR');
  });

  it('any other → INTERNAL_SERVER_ERROR with a reference; the SQL and the driver message only in the log', async () => {
    const log = logged();
    const { code, message } = await failure('database', '23514', 'vi');
    expect(code).toBe('INTERNAL_SERVER_ERROR');
    expect(message).toMatch(/^Máy chủ gặp sự cố \(mã tham chiếu [0-9a-f]{8}\)\./);
    expect(message).not.toMatch(/insert|process_definitions|constraint|params/i);
    expect(log).toHaveBeenCalledWith(
      expect.stringMatching(/^Server error [0-9a-f]{8} in fail:$/),
      expect.objectContaining({ message: expect.stringContaining('insert into') }),
    );
  });
});

describe('other failures', () => {
  it('a bare exception (a stack overflow, a bug) → a reference, never its text', async () => {
    logged();
    const { code, message } = await failure('bug');
    expect(code).toBe('INTERNAL_SERVER_ERROR');
    expect(message).not.toMatch(/stack|secret\.ts/);
  });

  it('AppErrors and refusals thrown as TRPCError pass unchanged', async () => {
    expect(await failure('app')).toEqual({
      code: 'NOT_FOUND',
      message: 'Task "T-12" was not found.',
      retryable: false,
    });
    expect(await failure('trpc')).toEqual({
      code: 'PRECONDITION_FAILED',
      message: 'Reload the page first.',
      retryable: false,
    });
  });

  it('the formatter’s last wall: an internal error no procedure reported (e.g. making the context) is logged and answered with a reference', () => {
    const log = logged();
    const raw = new TRPCError({
      code: 'INTERNAL_SERVER_ERROR',
      message: 'connect ECONNREFUSED 10.0.0.5:5432',
      cause: new Error('connect ECONNREFUSED 10.0.0.5:5432'),
    });
    expect(callerMessage(raw, 'en')).toMatch(/^Something went wrong on the server \(reference [0-9a-f]{8}\)/);
    expect(log).toHaveBeenCalledTimes(1);
    const bad = new TRPCError({ code: 'BAD_REQUEST', message: 'Unexpected token } in JSON' });
    expect(callerMessage(bad, 'en')).toBe('Unexpected token } in JSON');
  });
});
