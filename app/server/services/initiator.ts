/**
 * The `initiator` variable: who started an instance, set by the server when a person starts one
 * (instance.start, or a message or signal they send), so a process can name people relative to
 * them — `assignee: "=initiator.manager"`, `candidateUsers: "=[initiator.email]"`. Set by the
 * server only: a start form may not have a field of that name (definitions.ts refuses it), and a
 * submission cannot overwrite it. An instance started by a timer or by another process has none;
 * a called process gets it as any variable, through its call activity's inputs.
 */
import { and, asc, eq, ne } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Executor } from '@/db/client';
import { groupMembers, groups, memberships, users } from '@/db/schema';
import type { Actor } from '../actor';

import { INITIATOR_VARIABLE } from '@/app/_shared/started-by';

export { INITIATOR_VARIABLE };

export interface Initiator {
  email: string;
  name: string;
  /**
   * The e-mail of their manager: the manager of the first department (by key) they belong to as a
   * member that has one; null when there is none (they manage their departments, or have none).
   */
  manager: string | null;
  /** Keys of the departments they belong to (as member or manager). */
  departments: string[];
}

const mine = alias(groupMembers, 'mine');
const boss = alias(groupMembers, 'boss');

/** The `initiator` variable for `actor`, its manager as read (initiatorFor, or MANAGER_EMAIL_SQL in a command's one read). */
export function initiatorWith(actor: Actor, manager: string | null): Initiator {
  return { email: actor.email, name: actor.displayName, manager, departments: actor.groups.map((g) => g.key).sort() };
}

/**
 * The manager's e-mail as a scalar subquery of a command's one read (instances.ts): the same
 * question as initiatorFor, for the start that must not spend a round trip on it.
 */
export function managerEmailSql(tenantParam: string, userParam: string): string {
  return `(select u.email from group_members mine join groups g on g.id = mine.group_id
      join group_members boss on boss.group_id = mine.group_id and boss.role = 'manager' and boss.user_id <> mine.user_id
      join memberships bm on bm.tenant_id = mine.tenant_id and bm.user_id = boss.user_id
      join users u on u.id = boss.user_id
    where mine.tenant_id = ${tenantParam} and mine.user_id = ${userParam} and mine.role = 'member' order by g.key limit 1)`;
}

/** The `initiator` variable for `actor` (one query: their manager). */
export async function initiatorFor(db: Executor, actor: Actor): Promise<Initiator> {
  const [manager] = await db
    .select({ email: users.email })
    .from(mine)
    .innerJoin(groups, eq(groups.id, mine.groupId))
    .innerJoin(boss, and(eq(boss.groupId, mine.groupId), eq(boss.role, 'manager'), ne(boss.userId, mine.userId)))
    .innerJoin(memberships, and(eq(memberships.tenantId, mine.tenantId), eq(memberships.userId, boss.userId)))
    .innerJoin(users, eq(users.id, boss.userId))
    .where(and(eq(mine.tenantId, actor.tenantId), eq(mine.userId, actor.userId), eq(mine.role, 'member')))
    .orderBy(asc(groups.key))
    .limit(1);
  return initiatorWith(actor, manager?.email ?? null);
}

/** The start variables with the initiator set (the server's value wins over anything submitted). */
export function withInitiator(variables: Record<string, unknown>, initiator: Initiator): Record<string, unknown> {
  return { ...variables, [INITIATOR_VARIABLE]: initiator };
}
