/** Who is calling: user, company and role, resolved once per request before any handler runs. */
import { and, asc, eq } from 'drizzle-orm';
import type { Executor } from '@/db/client';
import { groupMembers, groups, memberships, tenants, users, type GroupRole, type MemberRole } from '@/db/schema';
import type { Locale } from '../_i18n/messages';

export type { Locale };

export interface Actor {
  userId: string;
  displayName: string;
  email: string;
  tenantId: string;
  tenantName: string;
  role: MemberRole;
  /** The departments the user belongs to in this company, with their role in each. */
  groups: { key: string; role: GroupRole }[];
  /** Language of this request's texts and messages. */
  locale: Locale;
}

/**
 * The actor for `userId` in company `tenantId` (the session's active company), or in their first
 * company when none is given. Null when the user is not — or no longer — a member there: a
 * membership revoked mid-session denies the very next call.
 */
export async function resolveActor(
  db: Executor,
  userId: string,
  locale?: Locale,
  tenantId?: string | null,
  fallbackLocale?: Locale,
): Promise<Actor | null> {
  const [row] = await db
    .select({
      userId: users.id,
      displayName: users.displayName,
      email: users.email,
      tenantId: tenants.id,
      tenantName: tenants.name,
      role: memberships.role,
      preferredLocale: users.locale,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(and(eq(memberships.userId, userId), tenantId ? eq(memberships.tenantId, tenantId) : undefined))
    .orderBy(asc(memberships.createdAt), asc(memberships.tenantId))
    .limit(1);
  if (!row) return null;
  const memberOf = await db
    .select({ key: groups.key, role: groupMembers.role })
    .from(groupMembers)
    .innerJoin(groups, eq(groups.id, groupMembers.groupId))
    .where(and(eq(groupMembers.tenantId, row.tenantId), eq(groupMembers.userId, userId)));
  const { preferredLocale, ...rest } = row;
  // The language asked for (the switch's cookie), else the one the person chose (remembered), else the browser's.
  const remembered: Locale | null = preferredLocale === 'en' || preferredLocale === 'vi' ? preferredLocale : null;
  return { ...rest, groups: memberOf, locale: locale ?? remembered ?? fallbackLocale ?? 'vi' };
}

/** Group keys in which the actor holds at least `role` ("manager" implies "member"). */
export function groupKeys(actor: Actor, role: GroupRole): string[] {
  return actor.groups.filter((g) => role === 'member' || g.role === 'manager').map((g) => g.key);
}
