/** Shared steps of server-rendered pages: require sign-in, translate tRPC errors to pages. */
import 'server-only';
import { TRPCError } from '@trpc/server';
import { notFound, redirect } from 'next/navigation';
import { translator } from '../_i18n/messages';
import { serverCaller } from './request';

export async function signedInPage() {
  const { caller, ctx } = await serverCaller();
  if (!ctx.actor) redirect('/sign-in');
  return { caller, actor: ctx.actor, locale: ctx.locale, t: translator(ctx.locale) };
}

/** Runs a query; NOT_FOUND (including another company's ids) becomes the 404 page. */
export async function orNotFound<T>(query: Promise<T>): Promise<T | { forbidden: string }> {
  try {
    return await query;
  } catch (error) {
    if (error instanceof TRPCError && error.code === 'NOT_FOUND') notFound();
    if (error instanceof TRPCError && error.code === 'FORBIDDEN') return { forbidden: error.message };
    throw error;
  }
}

/** Runs a query of an admins-only page; FORBIDDEN (not an admin) gives null, for the page's notice. */
export async function unlessForbidden<T>(query: Promise<T>): Promise<T | null> {
  try {
    return await query;
  } catch (error) {
    if (error instanceof TRPCError && error.code === 'FORBIDDEN') return null;
    throw error;
  }
}

export { isUuid } from './errors';
