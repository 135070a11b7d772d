'use server';
/**
 * The account pages' server actions (forms that work before JavaScript loads; Next checks the
 * Origin of every action). Each calls better-auth's API with this request's headers; its
 * nextCookies plugin sets and clears the session cookie.
 */
import { isAPIError } from 'better-auth/api';
import { revalidatePath } from 'next/cache';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { translator, type Locale } from '../_i18n/messages';
import { getAuth } from './auth';
import { getDatabase } from './database';
import { authBaseURL, readEnv } from './env';
import { isAppError } from './errors';
import { acceptInvitation, normalizeEmail, previewInvitation } from './services/invitations';
import { samePath } from './http';
import { requestLocale, serverCaller } from './request';
import { PASSWORD_MAX, PASSWORD_MIN, signUp, type JoinCompany } from './sign-up';

export interface FormState {
  /** One message for the whole form. */
  error?: string;
  /** Messages per field (name, email, password, company). */
  fields?: Record<string, string>;
  /** What the user typed (never the password), to fill the form again. */
  values?: Record<string, string>;
  done?: string;
}

const text = (form: FormData, name: string) => String(form.get(name) ?? '');

/**
 * Where links in emails point: BETTER_AUTH_URL (required in production). Only in development
 * without it, the origin this page was served from (request headers, which a client chooses).
 */
async function appOrigin(): Promise<string> {
  const configured = authBaseURL(readEnv());
  if (configured) return configured;
  const h = await headers();
  const host = h.get('x-forwarded-host') ?? h.get('host') ?? 'localhost:3000';
  const proto =
    h.get('x-forwarded-proto') ?? (host.startsWith('localhost') || host.startsWith('127.0.0.1') ? 'http' : 'https');
  return `${proto}://${host}`;
}

export async function signInAction(_prev: FormState, form: FormData): Promise<FormState> {
  const t = translator(await requestLocale());
  const email = text(form, 'email').trim();
  const values = { email };
  if (!email || !text(form, 'password')) return { error: t('errInvalidCredentials'), values };
  const { db } = await getDatabase();
  try {
    await getAuth(db).api.signInEmail({ body: { email, password: text(form, 'password') }, headers: await headers() });
  } catch (error) {
    if (isAPIError(error) && error.statusCode === 429) {
      const seconds = /(\d+) seconds/.exec(error.message)?.[1] ?? '60';
      return { error: t('errTooManyAttempts', { seconds }), values };
    }
    if (isAPIError(error) && (error.statusCode === 401 || error.statusCode === 400))
      return { error: t('errInvalidCredentials'), values };
    throw error;
  }
  // Back to the page a signed-out visitor opened (signInPath), if it is one of this site's; else the inbox.
  redirect(samePath(text(form, 'next'), '/inbox'));
}

/**
 * Invitations plug in here: given the `invite` token of the sign-up form, return how the new
 * user joins the inviting company (see sign-up.ts, JoinCompany); null creates a company.
 * The link is checked before the account is made (usable, and for the address typed), so a
 * wrong address or a dead link is a form error, not an account without a company; accepting
 * itself (services/invitations.ts) checks all of it again, under a lock.
 */
async function joinerFor(invite: string, email: string, locale: Locale): Promise<JoinCompany | FormState> {
  const { db } = await getDatabase();
  try {
    const invitation = await previewInvitation(db, invite, locale);
    if (invitation.email !== normalizeEmail(email))
      return { fields: { email: translator(locale)('inviteSignUpOtherEmail', { email: invitation.email }) } };
  } catch (error) {
    if (isAppError(error)) return { error: error.message };
    throw error;
  }
  return (db, user) => acceptInvitation(db, { userId: user.userId, locale: user.locale }, invite);
}

export async function signUpAction(_prev: FormState, form: FormData): Promise<FormState> {
  const locale = await requestLocale();
  const values = { name: text(form, 'name'), email: text(form, 'email'), company: text(form, 'company') };
  const invite = text(form, 'invite');
  const join = invite ? await joinerFor(invite, values.email, locale) : null;
  if (join && typeof join !== 'function') return { ...join, values };
  const { db } = await getDatabase();
  let result;
  try {
    result = await signUp(
      db,
      { name: values.name, email: values.email, password: text(form, 'password'), company: values.company },
      { headers: await headers(), locale, ...(join ? { join } : {}) },
    );
  } catch (error) {
    // The invitation stopped working between the check and the accept (nothing was kept).
    if (isAppError(error)) return { error: error.message, values };
    throw error;
  }
  if (!result.ok) return { fields: result.fields, ...(result.error ? { error: result.error } : {}), values };
  // A new company's admin is offered the template library's packs first; someone who joined goes where they were going.
  redirect(samePath(text(form, 'next') || (join ? '/inbox' : '/templates?welcome=1')));
}

export async function signOutAction(): Promise<void> {
  const { db } = await getDatabase();
  await getAuth(db).api.signOut({ headers: await headers() });
  redirect('/sign-in');
}

export async function forgotPasswordAction(_prev: FormState, form: FormData): Promise<FormState> {
  const t = translator(await requestLocale());
  const email = text(form, 'email').trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) return { fields: { email: t('errEmailInvalid') }, values: { email } };
  const { db } = await getDatabase();
  try {
    await getAuth(db).api.requestPasswordReset({
      body: { email, redirectTo: `${await appOrigin()}/reset-password` },
      headers: await headers(),
    });
  } catch (error) {
    if (isAPIError(error) && error.statusCode === 429)
      return {
        error: t('errTooManyRequests', { seconds: /(\d+) seconds/.exec(error.message)?.[1] ?? '60' }),
        values: { email },
      };
    throw error;
  }
  // The same answer whether or not the address has an account.
  return { done: t('forgotSent', { email }), values: { email } };
}

export async function resetPasswordAction(_prev: FormState, form: FormData): Promise<FormState> {
  const t = translator(await requestLocale());
  const password = text(form, 'password');
  if (password.length < PASSWORD_MIN)
    return { fields: { password: t('errPasswordShort', { min: String(PASSWORD_MIN) }) } };
  if (password.length > PASSWORD_MAX)
    return { fields: { password: t('errPasswordLong', { max: String(PASSWORD_MAX) }) } };
  const { db } = await getDatabase();
  try {
    await getAuth(db).api.resetPassword({
      body: { token: text(form, 'token'), newPassword: password },
      headers: await headers(),
    });
  } catch (error) {
    if (isAPIError(error) && error.statusCode === 400) return { error: t('resetInvalid') };
    throw error;
  }
  return { done: t('resetDone') };
}

export async function switchCompanyAction(form: FormData): Promise<void> {
  const { caller } = await serverCaller();
  await caller.session.switchCompany({ tenantId: text(form, 'tenantId') });
  // Only the session row changed, no cookie: without this Next keeps the rendered root layout
  // (the header still naming the old company) and the router's cached pages of the old company.
  revalidatePath('/', 'layout');
  redirect('/inbox');
}
