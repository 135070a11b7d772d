/**
 * The HTTP status a page answers when the query it shows fails: what it asked for is missing (or
 * another company's) → 404; not theirs → 403; a URL no procedure accepts as an id or key (a
 * mistyped `/start/<key>`, `/tasks/abc`) names nothing → 404. Anything else is the server's own
 * failure (null: the error page, 500). Pure, so a test reads the mapping without Next.
 */
import { TRPCError } from '@trpc/server';
import { isAppError } from './errors';

export type PageStatus = 403 | 404;

export function pageStatusOf(error: unknown): PageStatus | null {
  const code = error instanceof TRPCError || isAppError(error) ? error.code : undefined;
  if (code === 'NOT_FOUND') return 404;
  if (code === 'FORBIDDEN') return 403;
  // tRPC refuses input its parser rejects with BAD_REQUEST caused by the parser's (zod's) error.
  if (code === 'BAD_REQUEST' && error instanceof TRPCError && isParseError(error.cause)) return 404;
  return null;
}

function isParseError(cause: unknown): boolean {
  return cause instanceof Error && (cause.name === 'ZodError' || cause.name === '$ZodError');
}
