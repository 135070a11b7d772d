/**
 * The signed-in caller of the current request, for server components, route handlers and the
 * tRPC endpoint: better-auth's session (cookie → sessions row), then the actor in the session's
 * active company (else the user's first). A session whose active company no longer has the user
 * is denied (no actor) and forgets that company, so the next request falls back to their first.
 */
import 'server-only';
import { cookies, headers } from 'next/headers';
import { cache } from 'react';
import { eq } from 'drizzle-orm';
import { users } from '@/db/schema';
import { isLocale, type Locale } from '../_i18n/messages';
import { getAuth } from './auth';
import { getDatabase } from './database';
import { clearActiveCompany } from './services/accounts';
import { createContextInner, type Context } from './trpc/init';
import { createCaller } from './trpc/root';

export const LOCALE_COOKIE = 'trellis_locale';

/** The language the browser asked for with the switch (its cookie), if any. */
async function chosenLocale(): Promise<Locale | undefined> {
  const fromCookie = (await cookies()).get(LOCALE_COOKIE)?.value;
  return isLocale(fromCookie) ? fromCookie : undefined;
}

/** The browser's own language (Accept-Language): English when it leads with it, else Vietnamese. */
async function browserLocale(): Promise<Locale> {
  const accept = (await headers()).get('accept-language') ?? '';
  return accept.toLowerCase().startsWith('en') ? 'en' : 'vi';
}

/**
 * The language of a request without a session read (route handlers' refusals, signed-out pages):
 * the switch's cookie, else the browser's. Signed-in pages and the API take requestContext's
 * `locale`, which puts the person's remembered choice (users.locale) before the browser's.
 */
export async function requestLocale(): Promise<Locale> {
  return (await chosenLocale()) ?? (await browserLocale());
}

/** Remembers the signed-in person's language (the switch), so their other browsers open in it. */
export async function rememberLocale(locale: Locale): Promise<void> {
  const session = await requestSession().catch(() => null);
  if (!session) return;
  const { db } = await getDatabase();
  await db.update(users).set({ locale }).where(eq(users.id, session.userId));
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
  const chosen = await chosenLocale();
  const browser = await browserLocale();
  const session = await requestSession();
  if (!session) return createContextInner({ db, userId: null, locale: chosen ?? browser });
  // Without the switch's cookie, the person's remembered language comes before the browser's (actor.ts).
  const ctx = await createContextInner({
    db,
    userId: session.userId,
    tenantId: session.activeTenantId,
    ...(chosen ? { locale: chosen } : {}),
    fallbackLocale: browser,
    sessionId: session.sessionId,
  });
  if (!ctx.actor && session.activeTenantId) await clearActiveCompany(db, session.sessionId);
  return ctx;
}

export async function serverCaller() {
  const ctx = await requestContext();
  return { caller: createCaller(ctx), ctx };
}
