import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from './errors';
import { pageStatusOf } from './page-status';

describe('the status a page answers for a refused query', () => {
  it('answers 404 for what is missing, 403 for what is not the caller’s', () => {
    expect(pageStatusOf(new TRPCError({ code: 'NOT_FOUND', message: 'Task "x" was not found.' }))).toBe(404);
    expect(pageStatusOf(new TRPCError({ code: 'FORBIDDEN', message: 'not yours' }))).toBe(403);
    expect(pageStatusOf(new AppError('NOT_FOUND', 'gone'))).toBe(404);
    expect(pageStatusOf(new AppError('FORBIDDEN', 'not yours'))).toBe(403);
  });

  it('answers 404 for an id or key in the URL that the procedure’s input refuses (a mistyped /start/<key>)', () => {
    const parsed = z.object({ key: z.string().regex(/^[a-z][a-z0-9-]*$/) }).safeParse({ key: 'Nope!' });
    expect(parsed.success).toBe(false);
    expect(pageStatusOf(new TRPCError({ code: 'BAD_REQUEST', cause: parsed.error }))).toBe(404);
  });

  it('leaves other failures to the error page (500)', () => {
    expect(pageStatusOf(new TRPCError({ code: 'BAD_REQUEST', message: 'The form was not accepted' }))).toBeNull();
    expect(pageStatusOf(new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Server error 1a2b3c4d' }))).toBeNull();
    expect(pageStatusOf(new Error('boom'))).toBeNull();
  });
});
