/**
 * Invitations on a real database (PGlite, and PostgreSQL when DATABASE_URL is set): an admin
 * invites an address; the link reaches the company's email outbox (and only the token's hash is
 * stored); the invitee, signed in with that address — in another company or in none — accepts
 * once; links expire and can be revoked; every admin procedure is refused to non-admins and
 * scoped to the admin's company.
 */
import { TRPCError } from '@trpc/server';
import { and, desc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { auditEvents, emailOutbox, groupMembers, groups, invitations, memberships, tenants, users } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { getAuth } from '@/app/server/auth';
import { acceptInvitation, hashInvitationToken } from '@/app/server/services/invitations';
import { signUp } from '@/app/server/sign-up';
import { createContextInner } from '@/app/server/trpc/init';
import { createCaller } from '@/app/server/trpc/root';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

const admin = 'bao.ngo@senvang.example';
const designer = 'trang.hoang@senvang.example';
const auditor = 'kiem.toan@invite-test.example';
const otherAdmin = 'admin@other-invites.example';

let handle: DatabaseHandle;
let tenantId: string;
let otherTenantId: string;
let otherGroupId: string;
let accountingId: string;
let itId: string;

async function refusal(
  call: Promise<unknown>,
): Promise<{ code: string; message: string; fields: { field: string }[] }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return {
      code: error.code,
      message: error.message,
      fields: (error.cause as { fields?: { field: string }[] } | undefined)?.fields ?? [],
    };
  }
  throw new Error('expected the call to be refused, but it succeeded');
}

/** A signed-up account that belongs to no company yet. */
async function account(email: string, displayName: string) {
  const [row] = await handle.db.insert(users).values({ email, displayName }).returning({ id: users.id });
  return row!.id;
}

/** The link of the newest email to `to` in the outbox, and the token in it. */
async function linkSentTo(to: string) {
  const [mail] = await handle.db
    .select()
    .from(emailOutbox)
    .where(sql`${emailOutbox.to} @> ${JSON.stringify([to])}::jsonb`)
    .orderBy(desc(emailOutbox.createdAt))
    .limit(1);
  if (!mail) throw new Error(`no email to ${to} in the outbox`);
  const link = /https?:\/\/\S+\/invite\/([A-Za-z0-9_-]+)/.exec(mail.body);
  if (!link) throw new Error(`no invitation link in: ${mail.body}`);
  return { mail, link: link[0], token: link[1]! };
}

async function membershipOf(userId: string, tenant = tenantId) {
  const [row] = await handle.db
    .select({ role: memberships.role })
    .from(memberships)
    .where(and(eq(memberships.tenantId, tenant), eq(memberships.userId, userId)));
  return row ?? null;
}

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  const [a] = await handle.db
    .insert(users)
    .values({ email: auditor, displayName: 'Kiểm Toán' })
    .returning({ id: users.id });
  await handle.db.insert(memberships).values({ tenantId, userId: a!.id, role: 'auditor' });
  const [other] = await handle.db
    .insert(tenants)
    .values({ slug: 'other-invites', name: 'Other Invites Co' })
    .returning({ id: tenants.id });
  otherTenantId = other!.id;
  const [o] = await handle.db
    .insert(users)
    .values({ email: otherAdmin, displayName: 'Other Admin' })
    .returning({ id: users.id });
  await handle.db.insert(memberships).values({ tenantId: otherTenantId, userId: o!.id, role: 'admin' });
  const [g] = await handle.db
    .insert(groups)
    .values({ tenantId: otherTenantId, key: 'finance', name: { en: 'Finance', vi: 'Tài chính' } })
    .returning({ id: groups.id });
  otherGroupId = g!.id;
  const byKey = new Map(
    (await handle.db.select({ id: groups.id, key: groups.key }).from(groups).where(eq(groups.tenantId, tenantId))).map(
      (r) => [r.key, r.id],
    ),
  );
  accountingId = byKey.get('accounting')!;
  itId = byKey.get('it')!;
});
afterAll(async () => {
  await handle?.close();
});

describe('invite and accept', () => {
  it('create: the link goes to the company’s outbox; the table holds only the token’s hash; audited', async () => {
    const caller = await callerFor(handle.db, admin);
    const created = await caller.invitation.create({
      email: '  Thu.Ha@Example.VN ',
      role: 'staff',
      groupIds: [accountingId, itId],
    });
    expect(created).toMatchObject({ email: 'thu.ha@example.vn', role: 'staff' });
    expect(created).not.toHaveProperty('token');
    // Valid for 7 days, on the database clock.
    const days = (created.expiresAt.getTime() - created.createdAt.getTime()) / 86_400_000;
    expect(days).toBeCloseTo(7, 5);

    const { mail, link, token } = await linkSentTo('thu.ha@example.vn');
    expect(mail).toMatchObject({ tenantId, status: 'outbox', jobId: null, instanceId: null });
    expect(mail.subject).toContain('Công ty Cổ phần Sen Vàng');
    expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
    const [row] = await handle.db.select().from(invitations).where(eq(invitations.id, created.id));
    expect(row!.tokenHash).toBe(hashInvitationToken(token));
    expect(JSON.stringify(row)).not.toContain(token);
    // The admin's outbox lists it.
    const outbox = await caller.outbox.list();
    expect(outbox.items.map((i) => i.id)).toContain(mail.id);
    const audit = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.type, 'invitation.created')));
    expect(audit[0]).toMatchObject({ data: { invitationId: created.id, email: 'thu.ha@example.vn', role: 'staff' } });
    expect(JSON.stringify(audit)).not.toContain(token);

    const listed = await caller.invitation.list();
    expect(listed).toEqual([
      expect.objectContaining({
        id: created.id,
        email: 'thu.ha@example.vn',
        expired: false,
        invitedBy: 'Ngô Quốc Bảo',
      }),
    ]);
    expect(listed[0]!.groups.map((g) => g.key).sort()).toEqual(['accounting', 'it']);
  });

  it('preview, signed out: the company’s name, the role and the address — nothing else', async () => {
    const { token } = await linkSentTo('thu.ha@example.vn');
    const preview = await (await callerFor(handle.db, null)).invitation.preview({ token });
    expect(preview).toEqual({ companyName: 'Công ty Cổ phần Sen Vàng', role: 'staff', email: 'thu.ha@example.vn' });
    expect((await refusal((await callerFor(handle.db, null)).invitation.preview({ token: 'x'.repeat(43) }))).code).toBe(
      'NOT_FOUND',
    );
    expect((await refusal((await callerFor(handle.db, null)).invitation.preview({ token: '../../etc' }))).code).toBe(
      'NOT_FOUND',
    );
  });

  it('accept needs a signed-in account; another address is refused and nothing changes', async () => {
    const { token } = await linkSentTo('thu.ha@example.vn');
    expect((await refusal((await callerFor(handle.db, null)).invitation.accept({ token }))).code).toBe('UNAUTHORIZED');
    const stranger = await account('someone.else@example.vn', 'Người Khác');
    const wrong = await refusal(
      createCaller(await createContextInner({ db: handle.db, userId: stranger, locale: 'en' })).invitation.accept({
        token,
      }),
    );
    expect(wrong.code).toBe('FORBIDDEN');
    expect(wrong.message).toContain(
      'This invitation is for thu.ha@example.vn, but you are signed in as someone.else@example.vn',
    );
    expect(await membershipOf(stranger)).toBeNull();
    const [row] = await handle.db
      .select({ acceptedAt: invitations.acceptedAt })
      .from(invitations)
      .where(eq(invitations.tokenHash, hashInvitationToken(token)));
    expect(row!.acceptedAt).toBeNull();
  });

  it('accept, in no company yet: joins with the role and departments (audited); the link then works once only', async () => {
    const { token } = await linkSentTo('thu.ha@example.vn');
    // The account's address differs in case from the invitation's: still the same address.
    const thuHa = await account('Thu.Ha@example.vn', 'Phạm Thu Hà');
    const caller = createCaller(await createContextInner({ db: handle.db, userId: thuHa, locale: 'vi' }));
    expect(await caller.session.me()).toBeNull();
    const joined = await caller.invitation.accept({ token });
    expect(joined).toEqual({ tenantId, companyName: 'Công ty Cổ phần Sen Vàng', role: 'staff' });
    expect(await membershipOf(thuHa)).toEqual({ role: 'staff' });
    const inGroups = await handle.db
      .select({ groupId: groupMembers.groupId, role: groupMembers.role })
      .from(groupMembers)
      .where(eq(groupMembers.userId, thuHa));
    expect(inGroups.map((g) => g.groupId).sort()).toEqual([accountingId, itId].sort());
    expect(inGroups.every((g) => g.role === 'member')).toBe(true);
    // The next request sees her as a member of the company, with its inbox.
    const next = createCaller(await createContextInner({ db: handle.db, userId: thuHa, tenantId, locale: 'vi' }));
    expect(await next.session.me()).toMatchObject({
      tenantId,
      role: 'staff',
      groups: expect.arrayContaining([{ key: 'accounting', role: 'member' }]),
    });
    await expect(next.task.list()).resolves.toBeDefined();
    const audit = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.type, 'invitation.accepted')));
    expect(audit[0]).toMatchObject({
      actorId: thuHa,
      data: { email: 'thu.ha@example.vn', role: 'staff', alreadyMember: false },
    });

    // A double click: the same answer, nothing done twice.
    expect(await caller.invitation.accept({ token })).toEqual(joined);
    expect(
      await handle.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.type, 'invitation.accepted'))),
    ).toHaveLength(1);
    // Gone from the pending list; preview refuses a used link.
    expect(await (await callerFor(handle.db, admin)).invitation.list()).toEqual([]);
    expect((await refusal((await callerFor(handle.db, null)).invitation.preview({ token }))).code).toBe('CONFLICT');

    // Single use: removed from the company, the same link does not let her back in.
    await (await callerFor(handle.db, admin)).member.remove({ userId: thuHa });
    const again = await refusal(caller.invitation.accept({ token }));
    expect(again.code).toBe('CONFLICT');
    expect(again.message).toMatch(/đã được sử dụng/);
    expect(await membershipOf(thuHa)).toBeNull();
  });

  it('a member of another company joins this one too and belongs to both', async () => {
    const caller = await callerFor(handle.db, admin);
    await caller.invitation.create({ email: otherAdmin, role: 'auditor' });
    const { token } = await linkSentTo(otherAdmin);
    const other = await callerFor(handle.db, otherAdmin);
    expect(await other.invitation.accept({ token })).toMatchObject({ tenantId, role: 'auditor' });
    const [row] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, otherAdmin));
    expect(await membershipOf(row!.id, otherTenantId)).toEqual({ role: 'admin' });
    expect(await membershipOf(row!.id, tenantId)).toEqual({ role: 'auditor' });
    // In each company, the role of that company.
    const here = createCaller(await createContextInner({ db: handle.db, userId: row!.id, tenantId, locale: 'en' }));
    expect((await refusal(here.member.list())).code).toBe('FORBIDDEN');
    const there = createCaller(
      await createContextInner({ db: handle.db, userId: row!.id, tenantId: otherTenantId, locale: 'en' }),
    );
    expect((await there.member.list()).map((m) => m.email)).toEqual([otherAdmin]);
  });

  it('an expired link is refused by preview and accept, and joins no one', async () => {
    const caller = await callerFor(handle.db, admin);
    const created = await caller.invitation.create({ email: 'late@example.vn', role: 'designer' });
    const { token } = await linkSentTo('late@example.vn');
    const late = await account('late@example.vn', 'Đến Muộn');
    await handle.db
      .update(invitations)
      .set({ expiresAt: sql`now() - interval '1 second'` })
      .where(eq(invitations.id, created.id));
    expect(await refusal((await callerFor(handle.db, null)).invitation.preview({ token }))).toMatchObject({
      code: 'PRECONDITION_FAILED',
      message: expect.stringMatching(/expired/),
    });
    const refused = await refusal(
      createCaller(await createContextInner({ db: handle.db, userId: late, locale: 'en' })).invitation.accept({
        token,
      }),
    );
    expect(refused.code).toBe('PRECONDITION_FAILED');
    expect(await membershipOf(late)).toBeNull();
    // Still listed for the admin, flagged expired; inviting again replaces it with a new link.
    expect((await caller.invitation.list()).find((i) => i.id === created.id)).toMatchObject({ expired: true });
    await caller.invitation.create({ email: 'late@example.vn', role: 'designer' });
    const fresh = await linkSentTo('late@example.vn');
    expect(fresh.token).not.toBe(token);
    const [old] = await handle.db
      .select({ revokedAt: invitations.revokedAt })
      .from(invitations)
      .where(eq(invitations.id, created.id));
    expect(old!.revokedAt).not.toBeNull();
    await createCaller(await createContextInner({ db: handle.db, userId: late, locale: 'en' })).invitation.accept({
      token: fresh.token,
    });
    expect(await membershipOf(late)).toEqual({ role: 'designer' });
  });

  it('a revoked link is refused (revoke audited; revoking again changes nothing)', async () => {
    const caller = await callerFor(handle.db, admin);
    const created = await caller.invitation.create({ email: 'revoked@example.vn', role: 'staff' });
    const { token } = await linkSentTo('revoked@example.vn');
    const first = await caller.invitation.revoke({ id: created.id });
    expect(await caller.invitation.revoke({ id: created.id })).toEqual(first);
    expect(
      await handle.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.type, 'invitation.revoked'))),
    ).toHaveLength(1);
    const person = await account('revoked@example.vn', 'Bị Thu Hồi');
    expect(
      (
        await refusal(
          createCaller(await createContextInner({ db: handle.db, userId: person, locale: 'en' })).invitation.accept({
            token,
          }),
        )
      ).code,
    ).toBe('PRECONDITION_FAILED');
    expect(await membershipOf(person)).toBeNull();
  });

  it('two accepts of one link at once: one joins, once', async () => {
    const caller = await callerFor(handle.db, admin);
    await caller.invitation.create({ email: 'twice@example.vn', role: 'staff', groupIds: [accountingId] });
    const { token } = await linkSentTo('twice@example.vn');
    const person = await account('twice@example.vn', 'Hai Lần');
    const make = async () => createCaller(await createContextInner({ db: handle.db, userId: person, locale: 'en' }));
    const [a, b] = await Promise.all([
      (await make()).invitation.accept({ token }),
      (await make()).invitation.accept({ token }),
    ]);
    expect(a).toEqual(b);
    const audit = await handle.db
      .select()
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.tenantId, tenantId),
          eq(auditEvents.type, 'invitation.accepted'),
          sql`${auditEvents.data}->>'email' = 'twice@example.vn'`,
        ),
      );
    expect(audit).toHaveLength(1);
  });
});

describe('sign-up through the link', () => {
  it('a new account joins the inviting company with the invitation’s role and departments; its session starts there', async () => {
    await (
      await callerFor(handle.db, admin)
    ).invitation.create({ email: 'moi.den@example.vn', role: 'staff', groupIds: [accountingId] });
    const { token } = await linkSentTo('moi.den@example.vn');
    // As the sign-up page's action does with ?invite=<token> (server/account-actions.ts, joinerFor).
    const result = await signUp(
      handle.db,
      { name: 'Người Mới Đến', email: 'Moi.Den@example.vn', password: 'mật-khẩu-đủ-dài' },
      {
        headers: new Headers({ 'x-forwarded-for': '203.0.113.77' }),
        locale: 'vi',
        join: (db, user) => acceptInvitation(db, user, token),
      },
    );
    expect(result).toMatchObject({ ok: true, tenantId });
    if (!result.ok) return;
    expect(await membershipOf(result.userId)).toEqual({ role: 'staff' });
    expect(
      (
        await handle.db
          .select({ groupId: groupMembers.groupId })
          .from(groupMembers)
          .where(eq(groupMembers.userId, result.userId))
      ).map((g) => g.groupId),
    ).toEqual([accountingId]);
    const cookie = result.headers
      .getSetCookie()
      .map((c) => c.split(';')[0]!)
      .join('; ');
    const session = await getAuth(handle.db).api.getSession({ headers: new Headers({ cookie }) });
    expect((session!.session as { activeTenantId?: string }).activeTenantId).toBe(tenantId);
    expect((await refusal((await callerFor(handle.db, null)).invitation.preview({ token }))).code).toBe('CONFLICT');
  });
});

describe('refusals', () => {
  it('invitation.create/list/revoke: signed out → UNAUTHORIZED; staff, designer, auditor → FORBIDDEN; nothing stored', async () => {
    const [{ n: before } = { n: 0 }] = await handle.db.select({ n: sql<number>`count(*)::int` }).from(invitations);
    const [someInvitation] = await handle.db.select({ id: invitations.id }).from(invitations).limit(1);
    const calls = [
      (c: Awaited<ReturnType<typeof callerFor>>) => c.invitation.create({ email: 'nobody@example.vn', role: 'admin' }),
      (c: Awaited<ReturnType<typeof callerFor>>) => c.invitation.list(),
      (c: Awaited<ReturnType<typeof callerFor>>) => c.invitation.revoke({ id: someInvitation!.id }),
    ];
    for (const call of calls) {
      expect((await refusal(call(await callerFor(handle.db, null)))).code).toBe('UNAUTHORIZED');
      for (const who of [demo.hung, designer, auditor])
        expect((await refusal(call(await callerFor(handle.db, who)))).code).toBe('FORBIDDEN');
    }
    const [{ n: after } = { n: 0 }] = await handle.db.select({ n: sql<number>`count(*)::int` }).from(invitations);
    expect(after).toBe(before);
  });

  it('create refusals name the field and store nothing (no invitation, no email)', async () => {
    const caller = await callerFor(handle.db, admin);
    const count = async () =>
      (await handle.db.select({ n: sql<number>`count(*)::int` }).from(emailOutbox))[0]!.n +
      (await handle.db.select({ n: sql<number>`count(*)::int` }).from(invitations))[0]!.n;
    const before = await count();
    expect(await refusal(caller.invitation.create({ email: '', role: 'staff' }))).toMatchObject({
      code: 'BAD_REQUEST',
      fields: [{ field: 'email' }],
    });
    expect(await refusal(caller.invitation.create({ email: 'not an address', role: 'staff' }))).toMatchObject({
      code: 'BAD_REQUEST',
      fields: [{ field: 'email' }],
    });
    expect(await refusal(caller.invitation.create({ email: demo.lan.toUpperCase(), role: 'staff' }))).toMatchObject({
      code: 'CONFLICT',
      fields: [{ field: 'email' }],
    });
    await caller.invitation.create({ email: 'pending@example.vn', role: 'staff' });
    const after = await count();
    const dup = await refusal(caller.invitation.create({ email: 'Pending@example.vn', role: 'admin' }));
    expect(dup).toMatchObject({ code: 'CONFLICT', fields: [{ field: 'email' }] });
    expect(dup.message).toMatch(/revoke/);
    // Another company's department: NOT_FOUND naming the field, nothing about that company.
    const foreign = await refusal(
      caller.invitation.create({ email: 'newbie@example.vn', role: 'staff', groupIds: [otherGroupId] }),
    );
    expect(foreign).toMatchObject({ code: 'NOT_FOUND', fields: [{ field: 'groupIds' }] });
    expect(foreign.message).not.toMatch(/Finance|Tài chính|Other/);
    expect(await count()).toBe(after);
    expect(after).toBe(before + 2);
  });

  it('another company’s invitation is NOT_FOUND to revoke and not listed; its admin’s list has only theirs', async () => {
    // otherAdmin is now also an auditor of Sen Vàng; in their own company they are admin.
    const [row] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, otherAdmin));
    const otherCaller = createCaller(
      await createContextInner({ db: handle.db, userId: row!.id, tenantId: otherTenantId, locale: 'en' }),
    );
    const theirs = await otherCaller.invitation.create({
      email: 'their.hire@example.vn',
      role: 'staff',
      groupIds: [otherGroupId],
    });
    const caller = await callerFor(handle.db, admin);
    expect((await caller.invitation.list()).map((i) => i.email)).not.toContain('their.hire@example.vn');
    const r = await refusal(caller.invitation.revoke({ id: theirs.id }));
    expect(r.code).toBe('NOT_FOUND');
    expect(r.message).not.toContain('their.hire');
    const [still] = await handle.db
      .select({ revokedAt: invitations.revokedAt })
      .from(invitations)
      .where(eq(invitations.id, theirs.id));
    expect(still!.revokedAt).toBeNull();
    expect((await otherCaller.invitation.list()).map((i) => i.email)).toEqual(['their.hire@example.vn']);
    // And the outbox of each company shows only its own invitation emails.
    const ours = (await caller.outbox.list()).items.flatMap((i) => i.to);
    expect(ours).not.toContain('their.hire@example.vn');
    expect((await otherCaller.outbox.list()).items.flatMap((i) => i.to)).toEqual(['their.hire@example.vn']);
  });
});
