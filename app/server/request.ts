/**
 * The signed-in caller of the current request, for server components, route handlers and the
 * tRPC endpoint. Demo sign-in keeps the user id in an httpOnly cookie; real sessions replace it.
 */
import 'server-only';
import { cookies, headers } from 'next/headers';
import { isLocale, type Locale } from '../_i18n/messages';
import { getDatabase } from './database';
import { createContextInner, type Context } from './trpc/init';
import { createCaller } from './trpc/root';

export const SESSION_COOKIE = 'trellis_user';
export const LOCALE_COOKIE = 'trellis_locale';

export async function requestLocale(): Promise<Locale> {
  const fromCookie = (await cookies()).get(LOCALE_COOKIE)?.value;
  if (isLocale(fromCookie)) return fromCookie;
  const accept = (await headers()).get('accept-language') ?? '';
  return accept.toLowerCase().startsWith('en') ? 'en' : 'vi';
}

export async function requestContext(): Promise<Context> {
  const { db } = await getDatabase();
  const userId = (await cookies()).get(SESSION_COOKIE)?.value ?? null;
  return createContextInner({ db, userId, locale: await requestLocale() });
}

export async function serverCaller() {
  const ctx = await requestContext();
  return { caller: createCaller(ctx), ctx };
}
