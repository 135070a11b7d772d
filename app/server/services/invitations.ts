/**
 * Invitations: an admin invites an email address to the company with a role and departments;
 * the invitee follows the emailed link (/invite/<token>) and, signed in with that address,
 * joins. Owns the invitations table.
 *
 * The token is 32 random bytes (base64url) that exist only in the email: the table keeps their
 * sha256, so reading the database does not let anyone join. A link is single-use (accepting
 * locks the row and stamps accepted_at), expires after INVITATION_TTL_DAYS on the database clock,
 * and an admin may revoke it while open. Every admin query is scoped to the admin's tenant;
 * preview and accept find the invitation by its token alone, and preview tells no more than the
 * company's name, the role and the address.
 */
import { createHash, randomBytes } from 'node:crypto';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Executor } from '@/db/client';
import { groupMembers, groups, invitations, memberships, tenants, users, type MemberRole } from '@/db/schema';
import { formatDateTime } from '../../_i18n/format';
import { translator, type Locale } from '../../_i18n/messages';
import type { Actor } from '../actor';
import { AppError, databaseErrorCode } from '../errors';
import { appendAudit } from './audit';
import { say } from './members';
import { queueSystemEmail } from './system-mail';

export const INVITATION_TTL_DAYS = 7;
/** Departments one invitation may name. */
export const MAX_INVITATION_GROUPS = 50;

const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;
const EMAIL_PATTERN = /^[^\s@<>(),;:"\\[\]]+@[^\s@<>(),;:"\\[\]]+\.[^\s@<>(),;:"\\[\]]+$/;

/** sha256 (hex) of a token: what the table stores and looks up. */
export function hashInvitationToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** The link an invitee opens. `appUrl` is the app's public origin. */
export function invitationLink(appUrl: string, token: string): string {
  return `${appUrl.replace(/\/+$/, '')}/invite/${token}`;
}

/** The invited address as stored and compared: trimmed, lower-case. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export interface NewInvitation {
  email: string;
  role: MemberRole;
  /** Departments (groups) of the admin's company the member joins on accepting. */
  groupIds?: readonly string[];
}

/**
 * Records an invitation and queues its email (in the company's outbox) in one transaction, audited
 * as `invitation.created`. Refused, naming the field: an address that is not one, an address that
 * is already a member or already has an open invitation (revoke it to send a new link; an expired
 * one is replaced), a department of no group of this company (NOT_FOUND).
 */
export async function createInvitation(db: Executor, actor: Actor, input: NewInvitation, options: { appUrl: string }) {
  const t = translator(actor.locale);
  const email = normalizeEmail(input.email);
  const emailField = (code: 'BAD_REQUEST' | 'CONFLICT', message: string) =>
    new AppError(code, message, [{ field: 'email', label: say(actor.locale, 'Email', 'Email'), message }]);
  if (email.length === 0)
    throw emailField(
      'BAD_REQUEST',
      say(actor.locale, 'Enter the email address to invite.', 'Hãy nhập địa chỉ email cần mời.'),
    );
  if (email.length > 254 || !EMAIL_PATTERN.test(email))
    throw emailField(
      'BAD_REQUEST',
      say(
        actor.locale,
        `"${email.slice(0, 80)}" is not an email address.`,
        `"${email.slice(0, 80)}" không phải là địa chỉ email.`,
      ),
    );
  const groupIds = [...new Set((input.groupIds ?? []).map((id) => id.toLowerCase()))];
  if (groupIds.length > MAX_INVITATION_GROUPS) {
    const message = say(
      actor.locale,
      `Choose at most ${MAX_INVITATION_GROUPS} departments.`,
      `Chọn tối đa ${MAX_INVITATION_GROUPS} phòng ban.`,
    );
    throw new AppError('BAD_REQUEST', message, [
      { field: 'groupIds', label: say(actor.locale, 'Departments', 'Phòng ban'), message },
    ]);
  }

  const token = randomBytes(32).toString('base64url');
  try {
    return await db.transaction(async (tx) => {
      if (groupIds.length > 0) {
        const found = await tx
          .select({ id: groups.id })
          .from(groups)
          .where(and(eq(groups.tenantId, actor.tenantId), inArray(groups.id, groupIds)));
        if (found.length !== groupIds.length) {
          const message = say(
            actor.locale,
            'A chosen department was not found: reload the page and choose again.',
            'Không tìm thấy một phòng ban đã chọn: hãy tải lại trang và chọn lại.',
          );
          throw new AppError('NOT_FOUND', message, [
            { field: 'groupIds', label: say(actor.locale, 'Departments', 'Phòng ban'), message },
          ]);
        }
      }
      const [member] = await tx
        .select({ name: users.displayName })
        .from(memberships)
        .innerJoin(users, eq(users.id, memberships.userId))
        .where(and(eq(memberships.tenantId, actor.tenantId), sql`lower(${users.email}) = ${email}`));
      if (member)
        throw emailField(
          'CONFLICT',
          say(
            actor.locale,
            `${email} is already a member of ${actor.tenantName} (${member.name}).`,
            `${email} đã là thành viên của ${actor.tenantName} (${member.name}).`,
          ),
        );

      const [open] = await tx
        .select({
          id: invitations.id,
          createdAt: invitations.createdAt,
          expired: sql<boolean>`${invitations.expiresAt} <= now()`,
        })
        .from(invitations)
        .where(
          and(
            eq(invitations.tenantId, actor.tenantId),
            eq(invitations.email, email),
            isNull(invitations.acceptedAt),
            isNull(invitations.revokedAt),
          ),
        )
        .for('update');
      if (open && !open.expired) {
        throw emailField(
          'CONFLICT',
          say(
            actor.locale,
            `${email} was already invited on ${formatDateTime(open.createdAt, 'en')}; revoke that invitation to send a new link.`,
            `${email} đã được mời lúc ${formatDateTime(open.createdAt, 'vi')}; hãy thu hồi lời mời đó để gửi liên kết mới.`,
          ),
        );
      }
      // An expired, unused invitation is replaced: closed as revoked by this admin.
      if (open)
        await tx
          .update(invitations)
          .set({ revokedAt: sql`now()`, revokedBy: actor.userId })
          .where(eq(invitations.id, open.id));

      const [row] = await tx
        .insert(invitations)
        .values({
          tenantId: actor.tenantId,
          email,
          role: input.role,
          groupIds,
          tokenHash: hashInvitationToken(token),
          invitedBy: actor.userId,
          expiresAt: sql`now() + make_interval(days => ${INVITATION_TTL_DAYS})`,
        })
        .returning({
          id: invitations.id,
          email: invitations.email,
          role: invitations.role,
          groupIds: invitations.groupIds,
          createdAt: invitations.createdAt,
          expiresAt: invitations.expiresAt,
        });
      const invitation = row!;
      const link = invitationLink(options.appUrl, token);
      const role = t(`role_${input.role}`);
      const until = formatDateTime(invitation.expiresAt, actor.locale);
      const mail = await queueSystemEmail(tx, {
        tenantId: actor.tenantId,
        to: email,
        subject: say(
          actor.locale,
          `${actor.displayName} invites you to ${actor.tenantName} on Trellis`,
          `${actor.displayName} mời bạn tham gia ${actor.tenantName} trên Trellis`,
        ),
        text: say(
          actor.locale,
          `${actor.displayName} invites you to join ${actor.tenantName} on Trellis as ${role}.\n\nOpen this link to accept (it works once, until ${until}):\n${link}\n\nSign in or create your account with this address (${email}). If you did not expect this invitation, ignore this email.`,
          `${actor.displayName} mời bạn tham gia ${actor.tenantName} trên Trellis với vai trò ${role}.\n\nMở liên kết sau để nhận lời mời (chỉ dùng được một lần, đến ${until}):\n${link}\n\nHãy đăng nhập hoặc tạo tài khoản bằng chính địa chỉ này (${email}). Nếu bạn không chờ lời mời này, hãy bỏ qua email.`,
        ),
      });
      await appendAudit(tx, [
        {
          tenantId: actor.tenantId,
          actorId: actor.userId,
          type: 'invitation.created',
          data: { invitationId: invitation.id, email, role: input.role, groupIds, emailId: mail.id },
        },
      ]);
      return { ...invitation, emailId: mail.id };
    });
  } catch (error) {
    // Two admins inviting the same address at once: the open-invitation index lets one through.
    if (databaseErrorCode(error) === '23505')
      throw emailField(
        'CONFLICT',
        say(actor.locale, `${email} was invited just now by someone else.`, `${email} vừa được người khác mời.`),
      );
    throw error;
  }
}

/** The company's open invitations (not accepted, not revoked; expired ones flagged), newest first. */
export async function listInvitations(db: Executor, actor: Actor) {
  const rows = await db
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      groupIds: invitations.groupIds,
      invitedBy: users.displayName,
      createdAt: invitations.createdAt,
      expiresAt: invitations.expiresAt,
      expired: sql<boolean>`${invitations.expiresAt} <= now()`,
    })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(and(eq(invitations.tenantId, actor.tenantId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .orderBy(sql`${invitations.createdAt} desc`, asc(invitations.id));
  const ids = [...new Set(rows.flatMap((r) => r.groupIds))];
  const names = ids.length
    ? await db
        .select({ id: groups.id, key: groups.key, name: groups.name })
        .from(groups)
        .where(and(eq(groups.tenantId, actor.tenantId), inArray(groups.id, ids)))
    : [];
  const byId = new Map(names.map((g) => [g.id, g]));
  return rows.map(({ groupIds, ...r }) => ({ ...r, groups: groupIds.flatMap((id) => byId.get(id) ?? []) }));
}

/** Closes an open invitation so its link no longer works; audited. Revoking twice is a no-op; an accepted one cannot be revoked. */
export async function revokeInvitation(db: Executor, actor: Actor, id: string) {
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({
        id: invitations.id,
        email: invitations.email,
        acceptedAt: invitations.acceptedAt,
        revokedAt: invitations.revokedAt,
      })
      .from(invitations)
      .where(and(eq(invitations.tenantId, actor.tenantId), eq(invitations.id, id)))
      .for('update');
    if (!row)
      throw new AppError(
        'NOT_FOUND',
        say(actor.locale, `Invitation "${id}" was not found.`, `Không tìm thấy lời mời "${id}".`),
      );
    if (row.acceptedAt)
      throw new AppError(
        'CONFLICT',
        say(
          actor.locale,
          `${row.email} already accepted this invitation; remove the member instead.`,
          `${row.email} đã nhận lời mời này; hãy xóa thành viên thay vì thu hồi.`,
        ),
      );
    if (row.revokedAt) return { id: row.id, revokedAt: row.revokedAt };
    const [done] = await tx
      .update(invitations)
      .set({ revokedAt: sql`now()`, revokedBy: actor.userId })
      .where(eq(invitations.id, id))
      .returning({ id: invitations.id, revokedAt: invitations.revokedAt });
    await appendAudit(tx, [
      {
        tenantId: actor.tenantId,
        actorId: actor.userId,
        type: 'invitation.revoked',
        data: { invitationId: id, email: row.email },
      },
    ]);
    return { id: done!.id, revokedAt: done!.revokedAt! };
  });
}

type Found = {
  id: string;
  tenantId: string;
  companyName: string;
  email: string;
  role: MemberRole;
  groupIds: string[];
  acceptedAt: Date | null;
  acceptedBy: string | null;
  revokedAt: Date | null;
  expired: boolean;
};

/** The invitation a token opens, locked when `lock`; the errors every holder of a bad link gets. */
async function findByToken(db: Executor, token: string, locale: Locale, lock: boolean): Promise<Found> {
  const invalid = () =>
    new AppError(
      'NOT_FOUND',
      say(
        locale,
        'This invitation link is not valid. Check that you copied all of it, or ask for a new invitation.',
        'Liên kết mời này không hợp lệ. Hãy kiểm tra đã sao chép đủ liên kết, hoặc đề nghị gửi lời mời mới.',
      ),
    );
  if (!TOKEN_PATTERN.test(token)) throw invalid();
  const query = db
    .select({
      id: invitations.id,
      tenantId: invitations.tenantId,
      companyName: tenants.name,
      email: invitations.email,
      role: invitations.role,
      groupIds: invitations.groupIds,
      acceptedAt: invitations.acceptedAt,
      acceptedBy: invitations.acceptedBy,
      revokedAt: invitations.revokedAt,
      expired: sql<boolean>`${invitations.expiresAt} <= now()`,
    })
    .from(invitations)
    .innerJoin(tenants, eq(tenants.id, invitations.tenantId))
    .where(eq(invitations.tokenHash, hashInvitationToken(token)));
  const [row] = lock ? await query.for('update', { of: invitations }) : await query;
  if (!row) throw invalid();
  return row;
}

/** Why a found invitation cannot be used (none of it is told: not the company, not the address). */
function unusable(row: Found, locale: Locale): AppError | null {
  if (row.revokedAt)
    return new AppError(
      'PRECONDITION_FAILED',
      say(
        locale,
        'This invitation was withdrawn. Ask the person who invited you for a new one.',
        'Lời mời này đã bị thu hồi. Hãy đề nghị người mời gửi lời mời mới.',
      ),
    );
  if (row.acceptedAt)
    return new AppError(
      'CONFLICT',
      say(
        locale,
        'This invitation link was already used. Each link works once; sign in to continue, or ask for a new invitation.',
        'Liên kết mời này đã được sử dụng. Mỗi liên kết chỉ dùng một lần; hãy đăng nhập để tiếp tục, hoặc đề nghị gửi lời mời mới.',
      ),
    );
  if (row.expired)
    return new AppError(
      'PRECONDITION_FAILED',
      say(
        locale,
        `This invitation expired (links work for ${INVITATION_TTL_DAYS} days). Ask the person who invited you for a new one.`,
        `Lời mời này đã hết hạn (liên kết có hiệu lực ${INVITATION_TTL_DAYS} ngày). Hãy đề nghị người mời gửi lời mời mới.`,
      ),
    );
  return null;
}

/** What the invitation page shows anyone holding a usable link: the company's name, the role and the invited address. */
export async function previewInvitation(
  db: Executor,
  token: string,
  locale: Locale,
): Promise<{ companyName: string; role: MemberRole; email: string }> {
  const row = await findByToken(db, token, locale, false);
  const refusal = unusable(row, locale);
  if (refusal) throw refusal;
  return { companyName: row.companyName, role: row.role, email: row.email };
}

export interface Invitee {
  userId: string;
  locale: Locale;
}

/**
 * Joins the signed-in user to the invitation's company with its role and departments, once:
 * the row is locked, checked (open, not expired, for this user's address) and stamped accepted
 * in one transaction, audited as `invitation.accepted`. A user who is already a member keeps
 * their role and gains the departments. The same user sending it again (a double click) gets
 * the same answer without acting twice.
 */
export async function acceptInvitation(
  db: Executor,
  user: Invitee,
  token: string,
): Promise<{ tenantId: string; companyName: string; role: MemberRole }> {
  return db.transaction(async (tx) => {
    const row = await findByToken(tx, token, user.locale, true);
    const [account] = await tx.select({ email: users.email }).from(users).where(eq(users.id, user.userId));
    if (!account)
      throw new AppError(
        'UNAUTHORIZED',
        say(user.locale, 'Sign in to accept this invitation.', 'Hãy đăng nhập để nhận lời mời này.'),
      );
    if (row.acceptedAt && row.acceptedBy === user.userId) {
      const [still] = await tx
        .select({ role: memberships.role })
        .from(memberships)
        .where(and(eq(memberships.tenantId, row.tenantId), eq(memberships.userId, user.userId)));
      if (still) return { tenantId: row.tenantId, companyName: row.companyName, role: still.role };
    }
    const refusal = unusable(row, user.locale);
    if (refusal) throw refusal;
    if (normalizeEmail(account.email) !== row.email) {
      throw new AppError(
        'FORBIDDEN',
        say(
          user.locale,
          `This invitation is for ${row.email}, but you are signed in as ${account.email}. Sign out, then sign in or sign up as ${row.email}.`,
          `Lời mời này dành cho ${row.email}, nhưng bạn đang đăng nhập bằng ${account.email}. Hãy đăng xuất rồi đăng nhập hoặc đăng ký bằng ${row.email}.`,
        ),
      );
    }
    const [joined] = await tx
      .insert(memberships)
      .values({ tenantId: row.tenantId, userId: user.userId, role: row.role })
      .onConflictDoNothing()
      .returning({ role: memberships.role });
    let role = joined?.role;
    if (!role) {
      const [existing] = await tx
        .select({ role: memberships.role })
        .from(memberships)
        .where(and(eq(memberships.tenantId, row.tenantId), eq(memberships.userId, user.userId)));
      role = existing!.role;
    }
    // Departments deleted since the invitation was sent are skipped.
    const departments = row.groupIds.length
      ? await tx
          .select({ id: groups.id })
          .from(groups)
          .where(and(eq(groups.tenantId, row.tenantId), inArray(groups.id, row.groupIds)))
          .for('share')
      : [];
    if (departments.length)
      await tx
        .insert(groupMembers)
        .values(departments.map((g) => ({ tenantId: row.tenantId, groupId: g.id, userId: user.userId })))
        .onConflictDoNothing();
    await tx
      .update(invitations)
      .set({ acceptedAt: sql`now()`, acceptedBy: user.userId })
      .where(eq(invitations.id, row.id));
    await appendAudit(tx, [
      {
        tenantId: row.tenantId,
        actorId: user.userId,
        type: 'invitation.accepted',
        data: {
          invitationId: row.id,
          email: row.email,
          role,
          groupIds: departments.map((g) => g.id),
          alreadyMember: !joined,
        },
      },
    ]);
    return { tenantId: row.tenantId, companyName: row.companyName, role };
  });
}
