/**
 * The signed-in caller of the current request, for server components, route handlers and the
 * tRPC endpoint: better-auth's session (cookie → sessions row), then the actor in the session's
 * active company (else the user's first). A session whose active company no longer has the user
 * is denied (no actor) and forgets that company, so the next request falls back to their first.
 */
import 'server-only';
import { cookies, headers } from 'next/headers';
import { cache } from 'react';
import { isLocale, type Locale } from '../_i18n/messages';
import { getAuth } from './auth';
import { getDatabase } from './database';
import { clearActiveCompany } from './services/accounts';
import { createContextInner, type Context } from './trpc/init';
import { createCaller } from './trpc/root';

export const LOCALE_COOKIE = 'trellis_locale';

export async function requestLocale(): Promise<Locale> {
  const fromCookie = (await cookies()).get(LOCALE_COOKIE)?.value;
  if (isLocale(fromCookie)) return fromCookie;
  const accept = (await headers()).get('accept-language') ?? '';
  return accept.toLowerCase().startsWith('en') ? 'en' : 'vi';
}

/** The better-auth session of this request (read once per request), or null when signed out. */
export const requestSession = cache(async () => {
  const { db } = await getDatabase();
  const session = await getAuth(db).api.getSession({ headers: await headers() });
  if (!session) return null;
  return {
    userId: session.user.id,
    email: session.user.email,
    name: session.user.name,
    sessionId: session.session.id,
    activeTenantId: (session.session as { activeTenantId?: string | null }).activeTenantId ?? null,
  };
});

export async function requestContext(): Promise<Context> {
  const { db } = await getDatabase();
  const locale = await requestLocale();
  const session = await requestSession();
  if (!session) return createContextInner({ db, userId: null, locale });
  const ctx = await createContextInner({ db, userId: session.userId, tenantId: session.activeTenantId, locale, sessionId: session.sessionId });
  if (!ctx.actor && session.activeTenantId) await clearActiveCompany(db, session.sessionId);
  return ctx;
}

export async function serverCaller() {
  const ctx = await requestContext();
  return { caller: createCaller(ctx), ctx };
}
