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
import { translator } from '../../_i18n/messages';
import type { Actor, Locale } from '../actor';
import { AppError } from '../errors';

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
  return initiatorWith(actor, await managerOf(db, actor.tenantId, actor.userId));
}

/**
 * The `initiator` a member of the company would be given on starting a process now, found by
 * e-mail: what the designer's test run starts with when "started by" names someone. NOT_FOUND,
 * naming the address, for anyone who is not the company's.
 */
export async function initiatorOfMember(
  db: Executor,
  tenantId: string,
  email: string,
  locale: Locale,
): Promise<Initiator> {
  const [member] = await db
    .select({ userId: users.id, email: users.email, name: users.displayName })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), eq(users.email, email.trim().toLowerCase())))
    .limit(1);
  if (!member) throw new AppError('NOT_FOUND', translator(locale)('initiatorNotMember', { email }));
  const departments = await db
    .select({ key: groups.key })
    .from(groupMembers)
    .innerJoin(groups, eq(groups.id, groupMembers.groupId))
    .where(and(eq(groupMembers.tenantId, tenantId), eq(groupMembers.userId, member.userId)))
    .orderBy(asc(groups.key))
    .limit(1_000);
  return {
    email: member.email,
    name: member.name,
    manager: await managerOf(db, tenantId, member.userId),
    departments: departments.map((d) => d.key),
  };
}

/** The e-mail of a member's manager: the manager of the first department (by key) they belong to as a member that has one. */
async function managerOf(db: Executor, tenantId: string, userId: string): Promise<string | null> {
  const [manager] = await db
    .select({ email: users.email })
    .from(mine)
    .innerJoin(groups, eq(groups.id, mine.groupId))
    .innerJoin(boss, and(eq(boss.groupId, mine.groupId), eq(boss.role, 'manager'), ne(boss.userId, mine.userId)))
    .innerJoin(memberships, and(eq(memberships.tenantId, mine.tenantId), eq(memberships.userId, boss.userId)))
    .innerJoin(users, eq(users.id, boss.userId))
    .where(and(eq(mine.tenantId, tenantId), eq(mine.userId, userId), eq(mine.role, 'member')))
    .orderBy(asc(groups.key))
    .limit(1);
  return manager?.email ?? null;
}

/** The start variables with the initiator set (the server's value wins over anything submitted). */
export function withInitiator(variables: Record<string, unknown>, initiator: Initiator): Record<string, unknown> {
  return { ...variables, [INITIATOR_VARIABLE]: initiator };
}

/**
 * The variables without an `initiator`: what anyone but the server sends (a start form that allows
 * fields it does not name, a message, an external worker's result) may not set or overwrite it.
 */
export function withoutInitiator(variables: Record<string, unknown>): Record<string, unknown> {
  const { [INITIATOR_VARIABLE]: _sent, ...rest } = variables;
  return rest;
}
