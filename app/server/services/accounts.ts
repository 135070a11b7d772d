/**
 * What an account does beyond signing in: the company created at sign-up (its creator its admin),
 * the companies a user belongs to, and switching the session's active company.
 *
 * Signing up, in, out and resetting passwords are better-auth's (../auth.ts); this module never
 * touches passwords or tokens.
 */
import { and, asc, eq, like, or } from 'drizzle-orm';
import type { Executor } from '@/db/client';
import { memberships, sessions, tenants, type MemberRole } from '@/db/schema';
import { translator, type Locale } from '../../_i18n/messages';
import { AppError } from '../errors';

export const MAX_COMPANY_NAME = 200;

/** "Công ty Cổ phần Sen Vàng" → "cong-ty-co-phan-sen-vang": ASCII, for URLs and logs. */
export function slugify(name: string): string {
  const ascii = name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return ascii || 'company';
}

/**
 * Creates a company named `name` with `userId` as its admin, in one transaction. Its slug comes
 * from the name, made unique with a number ("sen-vang-2") when taken.
 */
export async function createCompany(
  db: Executor,
  userId: string,
  name: string,
  locale: Locale = 'vi',
): Promise<{ tenantId: string; slug: string }> {
  const t = translator(locale);
  const trimmed = name.trim().replace(/\s+/g, ' ');
  if (!trimmed)
    throw new AppError('BAD_REQUEST', t('errCompanyRequired'), [
      { field: 'company', label: t('fieldCompany'), message: t('errCompanyRequired') },
    ]);
  if (trimmed.length > MAX_COMPANY_NAME)
    throw new AppError('BAD_REQUEST', `The company name must be at most ${MAX_COMPANY_NAME} characters.`, [
      { field: 'company', label: t('fieldCompany'), message: `At most ${MAX_COMPANY_NAME} characters.` },
    ]);
  const base = slugify(trimmed);
  for (let attempt = 0; attempt < 5; attempt++) {
    const taken = await db
      .select({ slug: tenants.slug })
      .from(tenants)
      .where(or(eq(tenants.slug, base), like(tenants.slug, `${base}-%`)));
    const used = new Set(taken.map((r) => r.slug));
    let slug = base;
    for (let n = 2; used.has(slug); n++) slug = `${base}-${n}`;
    // Two sign-ups racing for one slug: the unique index refuses the second, which looks again.
    const created = await db.transaction(async (tx) => {
      const [tenant] = await tx
        .insert(tenants)
        .values({ slug, name: trimmed })
        .onConflictDoNothing({ target: tenants.slug })
        .returning({ id: tenants.id });
      if (!tenant) return null;
      await tx.insert(memberships).values({ tenantId: tenant.id, userId, role: 'admin' });
      return { tenantId: tenant.id, slug };
    });
    if (created) return created;
  }
  throw new AppError('CONFLICT', `Could not find a free address for "${trimmed}"; try again.`);
}

/** The companies `userId` belongs to, oldest membership first. */
export function listCompanies(
  db: Executor,
  userId: string,
): Promise<{ tenantId: string; name: string; role: MemberRole }[]> {
  return db
    .select({ tenantId: tenants.id, name: tenants.name, role: memberships.role })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(memberships.createdAt), asc(memberships.tenantId));
}

/**
 * Makes `tenantId` the active company of the user's session. Refused as NOT_FOUND when the user
 * is not a member there (another company's id tells nothing), and for another user's session.
 */
export async function switchCompany(
  db: Executor,
  input: { sessionId: string; userId: string; tenantId: string; locale: Locale },
): Promise<{ tenantId: string; name: string }> {
  const [member] = await db
    .select({ name: tenants.name })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(and(eq(memberships.userId, input.userId), eq(memberships.tenantId, input.tenantId)));
  if (!member)
    throw new AppError('NOT_FOUND', input.locale === 'vi' ? 'Không tìm thấy công ty này.' : 'No such company.');
  const [updated] = await db
    .update(sessions)
    .set({ activeTenantId: input.tenantId })
    .where(and(eq(sessions.id, input.sessionId), eq(sessions.userId, input.userId)))
    .returning({ id: sessions.id });
  if (!updated) throw new AppError('UNAUTHORIZED', 'Your session has ended: sign in again.');
  return { tenantId: input.tenantId, name: member.name };
}

/** Forgets a session's active company (it is no longer one of the user's): the next request uses their first. */
export async function clearActiveCompany(db: Executor, sessionId: string): Promise<void> {
  await db.update(sessions).set({ activeTenantId: null }).where(eq(sessions.id, sessionId));
}
