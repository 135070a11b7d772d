/**
 * Shared steps of server-rendered pages: require sign-in (keeping where the visitor was going),
 * and answer the status a failed query means — one mapping for every page (page-status.ts).
 */
import 'server-only';
import { headers } from 'next/headers';
import { forbidden, notFound, redirect } from 'next/navigation';
import { translator } from '../_i18n/messages';
import { pageStatusOf } from './page-status';
import { PATH_HEADER, signInPath } from './request-path';
import { serverCaller } from './request';

/** The signed-in caller; a signed-out visitor goes to sign in, and comes back here after (`next=`). */
export async function signedInPage() {
  const { caller, ctx } = await serverCaller();
  if (!ctx.actor) redirect(signInPath((await headers()).get(PATH_HEADER)));
  return { caller, actor: ctx.actor, locale: ctx.locale, t: translator(ctx.locale) };
}

/**
 * Runs a page's query and answers what a refusal means: NOT_FOUND (another company's ids
 * included) and an id or key the procedure cannot take → the 404 page; FORBIDDEN → the 403 page
 * (the nearest forbidden.tsx says what is not theirs). Call it before anything streams (no
 * loading.tsx above a page that uses it), or the status stays 200.
 */
export async function pageData<T>(query: Promise<T>): Promise<T> {
  try {
    return await query;
  } catch (error) {
    const status = pageStatusOf(error);
    if (status === 404) notFound();
    if (status === 403) forbidden();
    throw error;
  }
}

export { isUuid } from './errors';
