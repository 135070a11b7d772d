/**
 * A company's members and departments, as its admins manage them: roles (the last admin can be
 * neither demoted nor removed), revoking a membership, departments (groups) with their members
 * and an optional manager. Owns writes to memberships, groups and group_members after sign-up.
 *
 * Every query is scoped to the admin's tenant: another company's user or department is
 * NOT_FOUND, as if it did not exist. Every change is audited (a tenant-level audit row). Changes
 * to who is an admin lock the tenant row first, so two admins demoting each other at once cannot
 * leave the company without one. Removing a membership takes effect on the removed user's next
 * request (the actor is resolved from the database on each one).
 */
import { and, asc, count, eq, inArray, ne, sql } from 'drizzle-orm';
import type { Executor } from '@/db/client';
import {
  groupMembers,
  groups,
  invitations,
  memberRoles,
  memberships,
  tenants,
  users,
  type GroupRole,
  type MemberRole,
} from '@/db/schema';

/** The roles the members page offers (pages take them from here, not from the schema). */
export { memberRoles };
import { localize } from '@/engine/model/definition';
import type { Locale } from '../../_i18n/messages';
import type { Actor } from '../actor';
import { AppError, databaseErrorCode, type FieldError } from '../errors';
import { appendAudit } from './audit';
import { revokeDelegationsOfRemovedMember } from './delegations';
import { returnTasksOfRemovedMember } from './tasks';

/** A message in the caller's language (for the few written inline, beside the message files). */
export const say = (locale: Locale, en: string, vi: string) => (locale === 'vi' ? vi : en);

function fieldError(
  code: 'BAD_REQUEST' | 'NOT_FOUND' | 'CONFLICT' | 'PRECONDITION_FAILED',
  field: string,
  label: string,
  message: string,
): AppError {
  const fields: FieldError[] = [{ field, label, message }];
  return new AppError(code, message, fields);
}

const memberNotFound = (actor: Actor, userId: string) =>
  fieldError(
    'NOT_FOUND',
    'userId',
    say(actor.locale, 'Member', 'Thành viên'),
    say(
      actor.locale,
      `No member "${userId}" in ${actor.tenantName}.`,
      `Không có thành viên "${userId}" trong ${actor.tenantName}.`,
    ),
  );
const departmentNotFound = (actor: Actor, id: string, field = 'id') =>
  fieldError(
    'NOT_FOUND',
    field,
    say(actor.locale, 'Department', 'Phòng ban'),
    say(
      actor.locale,
      `No department "${id}" in ${actor.tenantName}.`,
      `Không có phòng ban "${id}" trong ${actor.tenantName}.`,
    ),
  );

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}

// ——— Members ———

/** The company's members with their role, title and departments, by name (Vietnamese collation). */
export async function listMembers(db: Executor, actor: Actor) {
  const rows = await db
    .select({
      userId: users.id,
      displayName: users.displayName,
      email: users.email,
      role: memberships.role,
      title: memberships.title,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.tenantId, actor.tenantId));
  const inGroups = await db
    .select({
      userId: groupMembers.userId,
      groupId: groups.id,
      key: groups.key,
      name: groups.name,
      role: groupMembers.role,
    })
    .from(groupMembers)
    .innerJoin(groups, eq(groups.id, groupMembers.groupId))
    .where(eq(groupMembers.tenantId, actor.tenantId));
  const byUser = groupBy(inGroups, (g) => g.userId);
  return rows
    .map((m) => ({ ...m, departments: (byUser.get(m.userId) ?? []).map(({ userId: _, ...g }) => g) }))
    .sort((a, b) => a.displayName.localeCompare(b.displayName, 'vi') || a.email.localeCompare(b.email));
}

/** The member's row in this company, locked; NOT_FOUND for anyone else. Locks the tenant row first (admin count). */
async function lockMember(tx: Executor, actor: Actor, userId: string) {
  await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, actor.tenantId)).for('update');
  const [row] = await tx
    .select({ role: memberships.role, displayName: users.displayName, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, actor.tenantId), eq(memberships.userId, userId)))
    .for('update', { of: memberships });
  if (!row) throw memberNotFound(actor, userId);
  return row;
}

async function otherAdmins(tx: Executor, actor: Actor, userId: string): Promise<number> {
  const [row] = await tx
    .select({ n: count() })
    .from(memberships)
    .where(
      and(eq(memberships.tenantId, actor.tenantId), eq(memberships.role, 'admin'), ne(memberships.userId, userId)),
    );
  return Number(row?.n ?? 0);
}

/** Changes a member's role; audited as `member.role-changed`. The company's last admin keeps the role. */
export async function setMemberRole(db: Executor, actor: Actor, input: { userId: string; role: MemberRole }) {
  return db.transaction(async (tx) => {
    const member = await lockMember(tx, actor, input.userId);
    if (member.role === input.role) return { userId: input.userId, role: input.role, changed: false };
    if (member.role === 'admin' && (await otherAdmins(tx, actor, input.userId)) === 0) {
      throw fieldError(
        'PRECONDITION_FAILED',
        'role',
        say(actor.locale, 'Role', 'Vai trò'),
        say(
          actor.locale,
          `${member.displayName} is the last admin of ${actor.tenantName}: make another member an admin first.`,
          `${member.displayName} là quản trị viên cuối cùng của ${actor.tenantName}: hãy chỉ định một thành viên khác làm quản trị viên trước.`,
        ),
      );
    }
    await tx
      .update(memberships)
      .set({ role: input.role })
      .where(and(eq(memberships.tenantId, actor.tenantId), eq(memberships.userId, input.userId)));
    await appendAudit(tx, [
      {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        type: 'member.role-changed',
        data: { userId: input.userId, email: member.email, from: member.role, to: input.role },
      },
    ]);
    return { userId: input.userId, role: input.role, changed: true };
  });
}

/**
 * Revokes a membership: the user leaves the company and its departments (their account and other
 * companies stay), and is refused on their next request. Audited as `member.removed`. The last
 * admin cannot be removed. In the same transaction their open tasks offered to departments go back
 * to those departments (tasks.returnTasksOfRemovedMember) and their delegations there that have not
 * ended, from or to them, are revoked; each change audited, naming the admin and the member.
 */
export async function removeMember(db: Executor, actor: Actor, input: { userId: string }) {
  return db.transaction(async (tx) => {
    const member = await lockMember(tx, actor, input.userId);
    if (member.role === 'admin' && (await otherAdmins(tx, actor, input.userId)) === 0) {
      throw fieldError(
        'PRECONDITION_FAILED',
        'userId',
        say(actor.locale, 'Member', 'Thành viên'),
        say(
          actor.locale,
          `${member.displayName} is the last admin of ${actor.tenantName} and cannot be removed: make another member an admin first.`,
          `${member.displayName} là quản trị viên cuối cùng của ${actor.tenantName} nên không thể bị xóa: hãy chỉ định một thành viên khác làm quản trị viên trước.`,
        ),
      );
    }
    const left = await tx
      .delete(groupMembers)
      .where(and(eq(groupMembers.tenantId, actor.tenantId), eq(groupMembers.userId, input.userId)))
      .returning({ groupId: groupMembers.groupId });
    await tx
      .delete(memberships)
      .where(and(eq(memberships.tenantId, actor.tenantId), eq(memberships.userId, input.userId)));
    const taskIds = await returnTasksOfRemovedMember(tx, actor, { id: input.userId, name: member.displayName });
    const delegationIds = await revokeDelegationsOfRemovedMember(tx, actor, input.userId);
    await appendAudit(tx, [
      {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        type: 'member.removed',
        data: {
          userId: input.userId,
          email: member.email,
          role: member.role,
          groupIds: left.map((g) => g.groupId),
          taskIds,
          delegationIds,
        },
      },
    ]);
    return {
      userId: input.userId,
      removed: true,
      tasksReturned: taskIds.length,
      delegationsRevoked: delegationIds.length,
    };
  });
}

// ——— Departments ———

/** A department's name in both UI languages. */
export type DepartmentName = { en: string; vi: string };

const KEY_PATTERN = /^[a-z0-9][a-z0-9_-]{1,39}$/;
const MAX_NAME = 100;

/** Trimmed names in both languages, or a BAD_REQUEST naming `name.en` / `name.vi`. */
function checkName(actor: Actor, name: DepartmentName): DepartmentName {
  const en = (name.en ?? '').trim();
  const vi = (name.vi ?? '').trim();
  const fields: FieldError[] = [];
  for (const [lang, value, label] of [
    ['en', en, say(actor.locale, 'Name (English)', 'Tên (tiếng Anh)')],
    ['vi', vi, say(actor.locale, 'Name (Vietnamese)', 'Tên (tiếng Việt)')],
  ] as const) {
    if (value.length === 0)
      fields.push({ field: `name.${lang}`, label, message: say(actor.locale, 'Enter a name.', 'Hãy nhập tên.') });
    else if (value.length > MAX_NAME)
      fields.push({
        field: `name.${lang}`,
        label,
        message: say(actor.locale, `At most ${MAX_NAME} characters.`, `Tối đa ${MAX_NAME} ký tự.`),
      });
  }
  if (fields.length) throw new AppError('BAD_REQUEST', fields.map((f) => `${f.label}: ${f.message}`).join(' '), fields);
  return { en, vi };
}

/** The company's departments with their members (manager first, then by name). */
export async function listDepartments(db: Executor, actor: Actor) {
  const rows = await db
    .select({ id: groups.id, key: groups.key, name: groups.name, createdAt: groups.createdAt })
    .from(groups)
    .where(eq(groups.tenantId, actor.tenantId))
    .orderBy(asc(groups.key));
  const members = await db
    .select({
      groupId: groupMembers.groupId,
      userId: users.id,
      displayName: users.displayName,
      email: users.email,
      role: groupMembers.role,
    })
    .from(groupMembers)
    .innerJoin(users, eq(users.id, groupMembers.userId))
    .where(eq(groupMembers.tenantId, actor.tenantId));
  const byGroup = groupBy(members, (m) => m.groupId);
  return rows.map((g) => {
    const list = (byGroup.get(g.id) ?? [])
      .map(({ groupId: _, ...m }) => m)
      .sort((a, b) =>
        a.role === b.role ? a.displayName.localeCompare(b.displayName, 'vi') : a.role === 'manager' ? -1 : 1,
      );
    return { ...g, members: list, manager: list.find((m) => m.role === 'manager') ?? null };
  });
}

/** A new department; `key` is what process definitions name as a candidate group. Audited. */
export async function createDepartment(db: Executor, actor: Actor, input: { key: string; name: DepartmentName }) {
  const key = input.key.trim().toLowerCase();
  const keyLabel = say(actor.locale, 'Key', 'Mã');
  if (!KEY_PATTERN.test(key)) {
    throw fieldError(
      'BAD_REQUEST',
      'key',
      keyLabel,
      say(
        actor.locale,
        '2–40 characters: a–z, 0–9, "-" and "_", starting with a letter or digit.',
        '2–40 ký tự: a–z, 0–9, "-" và "_", bắt đầu bằng chữ hoặc số.',
      ),
    );
  }
  const name = checkName(actor, input.name);
  try {
    return await db.transaction(async (tx) => {
      const [row] = await tx
        .insert(groups)
        .values({ tenantId: actor.tenantId, key, name })
        .returning({ id: groups.id, key: groups.key, name: groups.name });
      await appendAudit(tx, [
        {
          tenantId: actor.tenantId,
          actorId: actor.userId,
          type: 'department.created',
          data: { groupId: row!.id, key, name },
        },
      ]);
      return row!;
    });
  } catch (error) {
    if (databaseErrorCode(error) === '23505')
      throw fieldError(
        'CONFLICT',
        'key',
        keyLabel,
        say(
          actor.locale,
          `${actor.tenantName} already has a department with the key "${key}".`,
          `${actor.tenantName} đã có phòng ban với mã "${key}".`,
        ),
      );
    throw error;
  }
}

/** Locks the department (so a concurrent delete and add wait for each other); NOT_FOUND for another company's. */
async function lockDepartment(
  tx: Executor,
  actor: Actor,
  id: string,
  field = 'id',
  mode: 'update' | 'share' = 'update',
) {
  const [row] = await tx
    .select({ id: groups.id, key: groups.key, name: groups.name })
    .from(groups)
    .where(and(eq(groups.tenantId, actor.tenantId), eq(groups.id, id)))
    .for(mode);
  if (!row) throw departmentNotFound(actor, id, field);
  return row;
}

/** New names in both languages (the key stays: definitions refer to it). Audited with the old names. */
export async function renameDepartment(db: Executor, actor: Actor, input: { id: string; name: DepartmentName }) {
  const name = checkName(actor, input.name);
  return db.transaction(async (tx) => {
    const group = await lockDepartment(tx, actor, input.id);
    if (localize(group.name, 'en') === name.en && localize(group.name, 'vi') === name.vi)
      return { id: group.id, key: group.key, name };
    await tx
      .update(groups)
      .set({ name })
      .where(and(eq(groups.tenantId, actor.tenantId), eq(groups.id, input.id)));
    await appendAudit(tx, [
      {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        type: 'department.renamed',
        data: { groupId: group.id, key: group.key, from: group.name, to: name },
      },
    ]);
    return { id: group.id, key: group.key, name };
  });
}

/** Deletes an empty department (refused while it has members); open invitations stop naming it. Audited. */
export async function deleteDepartment(db: Executor, actor: Actor, input: { id: string }) {
  return db.transaction(async (tx) => {
    const group = await lockDepartment(tx, actor, input.id);
    const [{ n } = { n: 0 }] = await tx
      .select({ n: count() })
      .from(groupMembers)
      .where(and(eq(groupMembers.tenantId, actor.tenantId), eq(groupMembers.groupId, input.id)));
    if (Number(n) > 0) {
      throw fieldError(
        'PRECONDITION_FAILED',
        'id',
        say(actor.locale, 'Department', 'Phòng ban'),
        say(
          actor.locale,
          `"${localize(group.name, 'en') ?? group.key}" still has ${n} member(s): remove them first.`,
          `"${localize(group.name, 'vi') ?? group.key}" vẫn còn ${n} thành viên: hãy xóa họ khỏi phòng ban trước.`,
        ),
      );
    }
    await tx
      .update(invitations)
      .set({ groupIds: sql`array_remove(${invitations.groupIds}, ${input.id}::uuid)` })
      .where(and(eq(invitations.tenantId, actor.tenantId), sql`${input.id}::uuid = any(${invitations.groupIds})`));
    await tx.delete(groups).where(and(eq(groups.tenantId, actor.tenantId), eq(groups.id, input.id)));
    await appendAudit(tx, [
      {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        type: 'department.deleted',
        data: { groupId: group.id, key: group.key, name: group.name },
      },
    ]);
    return { id: group.id, deleted: true };
  });
}

async function checkMember(tx: Executor, actor: Actor, userId: string) {
  const [row] = await tx
    .select({ userId: memberships.userId, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, actor.tenantId), eq(memberships.userId, userId)))
    .for('share', { of: memberships });
  if (!row) throw memberNotFound(actor, userId);
  return row;
}

/** Adds a member of the company to a department (as a member; already in it: nothing changes). Audited when added. */
export async function addDepartmentMember(db: Executor, actor: Actor, input: { groupId: string; userId: string }) {
  return db.transaction(async (tx) => {
    const group = await lockDepartment(tx, actor, input.groupId, 'groupId', 'share');
    await checkMember(tx, actor, input.userId);
    const [added] = await tx
      .insert(groupMembers)
      .values({ tenantId: actor.tenantId, groupId: group.id, userId: input.userId, role: 'member' })
      .onConflictDoNothing()
      .returning({ role: groupMembers.role });
    if (added)
      await appendAudit(tx, [
        {
          tenantId: actor.tenantId,
          actorId: actor.userId,
          type: 'department.member-added',
          data: { groupId: group.id, key: group.key, userId: input.userId },
        },
      ]);
    return { groupId: group.id, userId: input.userId, added: !!added };
  });
}

/** Takes a member out of a department (not in it: nothing changes). Audited when removed. */
export async function removeDepartmentMember(db: Executor, actor: Actor, input: { groupId: string; userId: string }) {
  return db.transaction(async (tx) => {
    const group = await lockDepartment(tx, actor, input.groupId, 'groupId', 'share');
    const [removed] = await tx
      .delete(groupMembers)
      .where(
        and(
          eq(groupMembers.tenantId, actor.tenantId),
          eq(groupMembers.groupId, group.id),
          eq(groupMembers.userId, input.userId),
        ),
      )
      .returning({ role: groupMembers.role });
    if (!removed) {
      // Not in the department: NOT_FOUND for someone outside the company, a no-op otherwise.
      await checkMember(tx, actor, input.userId);
      return { groupId: group.id, userId: input.userId, removed: false };
    }
    await appendAudit(tx, [
      {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        type: 'department.member-removed',
        data: { groupId: group.id, key: group.key, userId: input.userId, role: removed.role },
      },
    ]);
    return { groupId: group.id, userId: input.userId, removed: true };
  });
}

/**
 * Makes a member the department's manager (adding them to it if needed; a previous manager stays
 * a member), or — `userId` null — leaves it without one. Tasks offered to a department's managers
 * go to this person. Audited as `department.manager-set` with the previous manager.
 */
export async function setDepartmentManager(
  db: Executor,
  actor: Actor,
  input: { groupId: string; userId: string | null },
) {
  return db.transaction(async (tx) => {
    const group = await lockDepartment(tx, actor, input.groupId, 'groupId');
    if (input.userId) await checkMember(tx, actor, input.userId);
    const previous = await tx
      .select({ userId: groupMembers.userId })
      .from(groupMembers)
      .where(
        and(
          eq(groupMembers.tenantId, actor.tenantId),
          eq(groupMembers.groupId, group.id),
          eq(groupMembers.role, 'manager'),
        ),
      );
    const before = previous.map((p) => p.userId);
    if (before.length === (input.userId ? 1 : 0) && (input.userId === null || before[0] === input.userId))
      return { groupId: group.id, managerId: input.userId, changed: false };
    const demote = before.filter((id) => id !== input.userId);
    if (demote.length) {
      await tx
        .update(groupMembers)
        .set({ role: 'member' satisfies GroupRole })
        .where(
          and(
            eq(groupMembers.tenantId, actor.tenantId),
            eq(groupMembers.groupId, group.id),
            inArray(groupMembers.userId, demote),
          ),
        );
    }
    if (input.userId) {
      await tx
        .insert(groupMembers)
        .values({ tenantId: actor.tenantId, groupId: group.id, userId: input.userId, role: 'manager' })
        .onConflictDoUpdate({ target: [groupMembers.groupId, groupMembers.userId], set: { role: 'manager' } });
    }
    await appendAudit(tx, [
      {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        type: 'department.manager-set',
        data: { groupId: group.id, key: group.key, managerId: input.userId, previous: before },
      },
    ]);
    return { groupId: group.id, managerId: input.userId, changed: true };
  });
}
