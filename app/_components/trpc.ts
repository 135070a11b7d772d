'use client';

import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../server/trpc/root';
import { MAX_BATCH_SIZE } from './trpc-limits';
import type { FieldError } from '../server/errors';

/** The browser's tRPC client; the session cookie travels with each request. */
export const trpc = createTRPCClient<AppRouter>({
  links: [httpBatchLink({ url: '/api/trpc', maxItems: MAX_BATCH_SIZE })],
});

export interface ClientFailure {
  code: string;
  /** A heading of its own, else the form's for the code. */
  title?: string;
  message: string;
  fields: FieldError[];
}

/** A failure the client already put in the reader's words (e.g. a conflict explained from the task as it is now). */
export class ExplainedFailure extends Error {
  override readonly name = 'ExplainedFailure';
  constructor(readonly failure: ClientFailure) {
    super(failure.message);
  }
}

export function describeFailure(error: unknown): ClientFailure {
  if (error instanceof Error && error.name === 'ExplainedFailure') return (error as ExplainedFailure).failure;
  if (error instanceof TRPCClientError) {
    const data = error.data as { code?: string; fields?: FieldError[] | null } | undefined;
    return { code: data?.code ?? 'INTERNAL_SERVER_ERROR', message: error.message, fields: data?.fields ?? [] };
  }
  return { code: 'INTERNAL_SERVER_ERROR', message: (error as Error)?.message ?? String(error), fields: [] };
}
