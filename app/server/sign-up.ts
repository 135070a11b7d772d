/**
 * Sign-up: a better-auth account (user + argon2id credential + session), then the company it
 * works in — a new one with the user as admin, or, when an invitation is accepted, the inviting
 * company (`join`). The new session starts in that company.
 *
 * Field errors name the field and say what to fix, in the caller's language; nothing is created
 * when a field is wrong or the email is taken. Whole or nothing: when joining or creating the
 * company fails, the new user (with its credential and session) is deleted again.
 */
import { eq } from 'drizzle-orm';
import { isAPIError } from 'better-auth/api';
import type { Executor } from '@/db/client';
import { accounts, sessions, users } from '@/db/schema';
import { translator, type Locale, type MessageKey } from '../_i18n/messages';
import { getAuth } from './auth';
import { createCompany, MAX_COMPANY_NAME } from './services/accounts';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface SignUpInput {
  name: string;
  email: string;
  password: string;
  /** The company to create; ignored (and not required) when `join` is given. */
  company?: string;
}

/**
 * Instead of creating a company: joins the new user to one (an accepted invitation) and returns
 * its id. Helper D's invitations pass `(db, user) => acceptInvitation(db, user, token)`.
 */
export type JoinCompany = (
  db: Executor,
  user: { userId: string; email: string; locale: Locale },
) => Promise<{ tenantId: string }>;

export type SignUpResult =
  | {
      ok: true;
      userId: string;
      tenantId: string;
      /** The session's Set-Cookie, for callers outside Next (tests). */ headers: Headers;
    }
  | { ok: false; fields: Partial<Record<'name' | 'email' | 'password' | 'company', string>>; error?: string };

export async function signUp(
  db: Executor,
  input: SignUpInput,
  options: { headers: Headers; locale: Locale; join?: JoinCompany },
): Promise<SignUpResult> {
  const t = translator(options.locale);
  const name = input.name.trim().replace(/\s+/g, ' ').normalize('NFC');
  const email = input.email.trim().toLowerCase();
  const company = (input.company ?? '').trim().normalize('NFC');
  const fields: Partial<Record<'name' | 'email' | 'password' | 'company', string>> = {};
  if (!name) fields.name = t('errNameRequired');
  if (!EMAIL.test(email) || email.length > 320) fields.email = t('errEmailInvalid');
  if (input.password.length < PASSWORD_MIN) fields.password = t('errPasswordShort', { min: String(PASSWORD_MIN) });
  else if (input.password.length > PASSWORD_MAX) fields.password = t('errPasswordLong', { max: String(PASSWORD_MAX) });
  if (!options.join && !company) fields.company = t('errCompanyRequired');
  if (company.length > MAX_COMPANY_NAME) fields.company = `${t('fieldCompany')}: ≤ ${MAX_COMPANY_NAME}`;
  if (Object.keys(fields).length) return { ok: false, fields };

  let created: { headers: Headers; response: { token: string | null; user: { id: string } } };
  try {
    created = await getAuth(db).api.signUpEmail({
      body: { name, email, password: input.password },
      headers: options.headers,
      returnHeaders: true,
    });
  } catch (error) {
    if (isAPIError(error)) {
      const code = (error.body as { code?: string } | undefined)?.code ?? '';
      if (code.startsWith('USER_ALREADY_EXISTS')) return { ok: false, fields: { email: t('errEmailTaken') } };
      if (error.statusCode === 429)
        return {
          ok: false,
          fields: {},
          error: t('errTooManyRequests', { seconds: /(\d+) seconds/.exec(error.message)?.[1] ?? '60' }),
        };
      const known: Record<string, MessageKey> = {
        INVALID_EMAIL: 'errEmailInvalid',
        PASSWORD_TOO_SHORT: 'errPasswordShort',
        PASSWORD_TOO_LONG: 'errPasswordLong',
      };
      if (known[code])
        return {
          ok: false,
          fields: {
            [code === 'INVALID_EMAIL' ? 'email' : 'password']: t(known[code]!, {
              min: String(PASSWORD_MIN),
              max: String(PASSWORD_MAX),
            }),
          },
        };
      return { ok: false, fields: {}, error: t('errAccountFailed', { message: error.message }) };
    }
    throw error;
  }
  const userId = created.response.user.id;
  let tenantId: string;
  try {
    ({ tenantId } = options.join
      ? await options.join(db, { userId, email, locale: options.locale })
      : await createCompany(db, userId, company, options.locale));
  } catch (error) {
    await deleteUser(db, userId).catch((cleanup: unknown) =>
      console.error('sign-up: could not delete the half-made account:', (cleanup as Error).message),
    );
    throw error;
  }
  if (created.response.token)
    await db.update(sessions).set({ activeTenantId: tenantId }).where(eq(sessions.token, created.response.token));
  return { ok: true, userId, tenantId, headers: created.headers };
}

/** Undoes an account whose company step failed: its sessions, credential and the user, in one transaction. */
async function deleteUser(db: Executor, userId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(sessions).where(eq(sessions.userId, userId));
    await tx.delete(accounts).where(eq(accounts.userId, userId));
    await tx.delete(users).where(eq(users.id, userId));
  });
}
