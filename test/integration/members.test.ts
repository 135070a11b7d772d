/**
 * Members and departments as a company's admins manage them (member.*, department.*), on a real
 * database (PGlite, and PostgreSQL when DATABASE_URL is set): allowed for admins and refused for
 * everyone else; another company's ids are NOT_FOUND and change nothing; the last admin stays;
 * a revoked membership is refused on the next call; every change leaves an audit row.
 */
import { TRPCError } from '@trpc/server';
import { and, eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { auditEvents, delegations, groupMembers, groups, memberships, tasks, tenants, users } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

const admin = 'bao.ngo@senvang.example';
const designer = 'trang.hoang@senvang.example';
const auditor = 'kiem.toan@senvang.example';
const otherAdmin = 'admin@other-members.example';

let handle: DatabaseHandle;
let tenantId: string;
let otherTenantId: string;
let otherGroupId: string;
let otherUserId: string;
const ids: Record<string, string> = {};

/** The refusal a call ends in (its tRPC code, message and the fields it names), or fails the test if it succeeded. */
async function refusal(
  call: Promise<unknown>,
): Promise<{ code: string; message: string; fields: { field: string }[] }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    const fields = (error.cause as { fields?: { field: string }[] } | undefined)?.fields ?? [];
    return { code: error.code, message: error.message, fields };
  }
  throw new Error('expected the call to be refused, but it succeeded');
}

async function auditTypes(type: string) {
  return handle.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.tenantId, tenantId), eq(auditEvents.type, type)));
}

/** Everything the admin pages can change, as one comparable value. */
async function snapshot() {
  const m = await handle.db.select().from(memberships).orderBy(memberships.tenantId, memberships.userId);
  const g = await handle.db
    .select({ id: groups.id, key: groups.key, name: groups.name })
    .from(groups)
    .orderBy(groups.id);
  const gm = await handle.db.select().from(groupMembers).orderBy(groupMembers.groupId, groupMembers.userId);
  return JSON.stringify({ m: m.map((r) => [r.tenantId, r.userId, r.role]), g, gm });
}

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  const [auditorUser] = await handle.db
    .insert(users)
    .values({ email: auditor, displayName: 'Kiểm Toán Viên' })
    .returning({ id: users.id });
  await handle.db.insert(memberships).values({ tenantId, userId: auditorUser!.id, role: 'auditor' });
  const [other] = await handle.db
    .insert(tenants)
    .values({ slug: 'other-members', name: 'Other Members Co' })
    .returning({ id: tenants.id });
  otherTenantId = other!.id;
  const [user] = await handle.db
    .insert(users)
    .values({ email: otherAdmin, displayName: 'Other Admin' })
    .returning({ id: users.id });
  otherUserId = user!.id;
  await handle.db.insert(memberships).values({ tenantId: otherTenantId, userId: otherUserId, role: 'admin' });
  const [group] = await handle.db
    .insert(groups)
    .values({ tenantId: otherTenantId, key: 'finance', name: { en: 'Finance', vi: 'Tài chính' } })
    .returning({ id: groups.id });
  otherGroupId = group!.id;
  await handle.db
    .insert(groupMembers)
    .values({ tenantId: otherTenantId, groupId: otherGroupId, userId: otherUserId, role: 'manager' });
  for (const row of await handle.db.select({ id: users.id, email: users.email }).from(users)) ids[row.email] = row.id;
});
afterAll(async () => {
  await handle?.close();
});

describe('who may manage members and departments', () => {
  const calls: [string, (c: Awaited<ReturnType<typeof callerFor>>) => Promise<unknown>][] = [
    ['member.list', (c) => c.member.list()],
    ['member.setRole', (c) => c.member.setRole({ userId: ids[demo.hung]!, role: 'designer' })],
    ['member.remove', (c) => c.member.remove({ userId: ids[demo.hung]! })],
    ['department.list', (c) => c.department.list()],
    ['department.create', (c) => c.department.create({ key: 'legal', name: { en: 'Legal', vi: 'Pháp chế' } })],
    ['department.rename', (c) => c.department.rename({ id: otherGroupId, name: { en: 'x', vi: 'y' } })],
    ['department.delete', (c) => c.department.delete({ id: otherGroupId })],
    ['department.addMember', (c) => c.department.addMember({ groupId: otherGroupId, userId: ids[demo.hung]! })],
    ['department.removeMember', (c) => c.department.removeMember({ groupId: otherGroupId, userId: ids[demo.hung]! })],
    ['department.setManager', (c) => c.department.setManager({ groupId: otherGroupId, userId: null })],
  ];

  it.each(calls)(
    '%s: signed out → UNAUTHORIZED; staff, designer, auditor → FORBIDDEN; nothing changes',
    async (_, call) => {
      const before = await snapshot();
      expect((await refusal(call(await callerFor(handle.db, null)))).code).toBe('UNAUTHORIZED');
      for (const who of [demo.hung, designer, auditor]) {
        const r = await refusal(call(await callerFor(handle.db, who)));
        expect(r.code).toBe('FORBIDDEN');
        expect(r.message).toMatch(/Only an admin may/);
      }
      expect(await snapshot()).toBe(before);
    },
  );
});

describe('members', () => {
  it('lists the company’s members with role and departments, and no one else', async () => {
    const list = await (await callerFor(handle.db, admin)).member.list();
    expect(list.map((m) => m.email)).toContain(demo.lan);
    expect(list.map((m) => m.email)).not.toContain(otherAdmin);
    expect(list).toHaveLength(11);
    const lan = list.find((m) => m.email === demo.lan)!;
    expect(lan).toMatchObject({ displayName: 'Nguyễn Thị Lan', role: 'staff', title: 'Kế toán trưởng' });
    expect(lan.departments).toEqual([
      expect.objectContaining({ key: 'accounting', role: 'manager', name: { en: 'Accounting', vi: 'Kế toán' } }),
    ]);
    // Vietnamese collation: "Bùi" before "Đặng" before "Đỗ" before "Hoàng".
    const names = list.map((m) => m.displayName);
    expect(names.indexOf('Bùi Thị Ngọc')).toBeLessThan(names.indexOf('Đặng Thị Hương'));
    expect(names.indexOf('Đỗ Minh Quân')).toBeLessThan(names.indexOf('Hoàng Thu Trang'));
  });

  it('setRole changes the role (audited); the same role again changes nothing', async () => {
    const caller = await callerFor(handle.db, admin);
    expect(await caller.member.setRole({ userId: ids[demo.hung]!, role: 'designer' })).toEqual({
      userId: ids[demo.hung],
      role: 'designer',
      changed: true,
    });
    expect(await caller.member.setRole({ userId: ids[demo.hung]!, role: 'designer' })).toMatchObject({
      changed: false,
    });
    const [row] = await handle.db
      .select({ role: memberships.role })
      .from(memberships)
      .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, ids[demo.hung]!)));
    expect(row!.role).toBe('designer');
    const audit = await auditTypes('member.role-changed');
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      actorId: ids[admin],
      data: { userId: ids[demo.hung], from: 'staff', to: 'designer' },
    });
    // The new role holds on the member's next call: a designer still may not manage members.
    expect((await refusal((await callerFor(handle.db, demo.hung)).member.list())).code).toBe('FORBIDDEN');
    await caller.member.setRole({ userId: ids[demo.hung]!, role: 'staff' });
  });

  it('another company’s member is NOT_FOUND, with no data in the message, and keeps their role', async () => {
    const caller = await callerFor(handle.db, admin);
    const before = await snapshot();
    for (const call of [
      () => caller.member.setRole({ userId: otherUserId, role: 'staff' }),
      () => caller.member.remove({ userId: otherUserId }),
    ]) {
      const r = await refusal(call());
      expect(r.code).toBe('NOT_FOUND');
      expect(r.fields[0]?.field).toBe('userId');
      expect(r.message).not.toMatch(/Other Admin|other-members/);
    }
    expect(await snapshot()).toBe(before);
  });

  it('the last admin can be neither demoted nor removed; with a second admin, they can', async () => {
    const caller = await callerFor(handle.db, admin);
    const before = await snapshot();
    const demote = await refusal(caller.member.setRole({ userId: ids[admin]!, role: 'staff' }));
    expect(demote).toMatchObject({ code: 'PRECONDITION_FAILED', fields: [{ field: 'role' }] });
    expect(demote.message).toMatch(/last admin/);
    const remove = await refusal(caller.member.remove({ userId: ids[admin]! }));
    expect(remove).toMatchObject({ code: 'PRECONDITION_FAILED', fields: [{ field: 'userId' }] });
    expect(await snapshot()).toBe(before);

    await caller.member.setRole({ userId: ids[demo.tuan]!, role: 'admin' });
    await caller.member.setRole({ userId: ids[admin]!, role: 'staff' });
    // Now Tuấn is the last admin, and Bảo (staff now) is refused on his next call.
    expect((await refusal((await callerFor(handle.db, admin)).member.list())).code).toBe('FORBIDDEN');
    const tuan = await callerFor(handle.db, demo.tuan);
    expect((await refusal(tuan.member.setRole({ userId: ids[demo.tuan]!, role: 'staff' }))).code).toBe(
      'PRECONDITION_FAILED',
    );
    await tuan.member.setRole({ userId: ids[admin]!, role: 'admin' });
    await (await callerFor(handle.db, admin)).member.setRole({ userId: ids[demo.tuan]!, role: 'staff' });
  });

  it('two admins demoting each other at once: one succeeds, the company keeps an admin', async () => {
    const caller = await callerFor(handle.db, admin);
    await caller.member.setRole({ userId: ids[demo.quan]!, role: 'admin' });
    const quan = await callerFor(handle.db, demo.quan);
    const results = await Promise.allSettled([
      caller.member.setRole({ userId: ids[demo.quan]!, role: 'staff' }),
      quan.member.setRole({ userId: ids[admin]!, role: 'staff' }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const admins = await handle.db
      .select()
      .from(memberships)
      .where(and(eq(memberships.tenantId, tenantId), eq(memberships.role, 'admin')));
    expect(admins).toHaveLength(1);
    // Put things back: Bảo admin, Quân staff.
    const remaining = admins[0]!.userId === ids[admin] ? admin : demo.quan;
    const back = await callerFor(handle.db, remaining);
    if (remaining === demo.quan) {
      await back.member.setRole({ userId: ids[admin]!, role: 'admin' });
      await (await callerFor(handle.db, admin)).member.setRole({ userId: ids[demo.quan]!, role: 'staff' });
    }
  });

  it('remove revokes the membership (audited): the user is refused on their next call and leaves the departments', async () => {
    const ngoc = await callerFor(handle.db, demo.ngoc);
    await expect(ngoc.task.list()).resolves.toBeDefined();
    await (await callerFor(handle.db, admin)).member.remove({ userId: ids[demo.ngoc]! });
    // The next request resolves the caller again, from the database.
    expect((await refusal((await callerFor(handle.db, demo.ngoc)).task.list())).code).toBe('UNAUTHORIZED');
    expect(
      await handle.db
        .select()
        .from(groupMembers)
        .where(and(eq(groupMembers.tenantId, tenantId), eq(groupMembers.userId, ids[demo.ngoc]!))),
    ).toEqual([]);
    // The account itself stays (it may belong to other companies).
    expect(await handle.db.select({ id: users.id }).from(users).where(eq(users.id, ids[demo.ngoc]!))).toHaveLength(1);
    const audit = await auditTypes('member.removed');
    expect(audit[0]).toMatchObject({
      actorId: ids[admin],
      data: { userId: ids[demo.ngoc], email: demo.ngoc, role: 'staff' },
    });
    // Removed twice: they are no longer a member, so NOT_FOUND.
    expect((await refusal((await callerFor(handle.db, admin)).member.remove({ userId: ids[demo.ngoc]! }))).code).toBe(
      'NOT_FOUND',
    );
  });
});

describe('departments', () => {
  let legalId: string;

  it('create: bilingual names with Vietnamese diacritics, a key; audited', async () => {
    const caller = await callerFor(handle.db, admin);
    const created = await caller.department.create({
      key: ' Legal ',
      name: { en: 'Legal', vi: '  Pháp chế & Hợp đồng ' },
    });
    legalId = created.id;
    expect(created).toMatchObject({ key: 'legal', name: { en: 'Legal', vi: 'Pháp chế & Hợp đồng' } });
    const listed = (await caller.department.list()).find((d) => d.id === legalId)!;
    expect(listed).toMatchObject({ key: 'legal', members: [], manager: null });
    expect((await caller.department.list()).map((d) => d.key)).not.toContain('finance');
    expect((await auditTypes('department.created'))[0]).toMatchObject({ data: { groupId: legalId, key: 'legal' } });
  });

  it('create refusals name the field and store nothing', async () => {
    const caller = await callerFor(handle.db, admin);
    const before = await snapshot();
    expect(
      await refusal(caller.department.create({ key: 'Pháp chế', name: { en: 'Legal', vi: 'Pháp chế' } })),
    ).toMatchObject({ code: 'BAD_REQUEST', fields: [{ field: 'key' }] });
    expect(await refusal(caller.department.create({ key: 'legal2', name: { en: 'Legal', vi: '   ' } }))).toMatchObject({
      code: 'BAD_REQUEST',
      fields: [{ field: 'name.vi' }],
    });
    expect(await refusal(caller.department.create({ key: 'legal2', name: { en: '', vi: '' } }))).toMatchObject({
      fields: [{ field: 'name.en' }, { field: 'name.vi' }],
    });
    expect(
      await refusal(caller.department.create({ key: 'accounting', name: { en: 'Accounting 2', vi: 'Kế toán 2' } })),
    ).toMatchObject({ code: 'CONFLICT', fields: [{ field: 'key' }] });
    // The same key in another company is no conflict here: keys are per company.
    await expect(
      caller.department.create({ key: 'finance', name: { en: 'Finance', vi: 'Tài chính' } }),
    ).resolves.toMatchObject({ key: 'finance' });
    const after = JSON.parse(await snapshot()) as { g: { key: string }[] };
    expect(after.g.length).toBe((JSON.parse(before) as { g: unknown[] }).g.length + 1);
  });

  it('rename changes both names, keeps the key (audited)', async () => {
    const caller = await callerFor(handle.db, admin);
    await caller.department.rename({ id: legalId, name: { en: 'Legal affairs', vi: 'Pháp chế' } });
    const [row] = await handle.db.select().from(groups).where(eq(groups.id, legalId));
    expect(row).toMatchObject({ key: 'legal', name: { en: 'Legal affairs', vi: 'Pháp chế' } });
    expect((await auditTypes('department.renamed'))[0]).toMatchObject({
      data: { from: { en: 'Legal', vi: 'Pháp chế & Hợp đồng' }, to: { en: 'Legal affairs', vi: 'Pháp chế' } },
    });
    expect(
      await refusal(caller.department.rename({ id: legalId, name: { en: 'x'.repeat(101), vi: 'Pháp chế' } })),
    ).toMatchObject({ code: 'BAD_REQUEST', fields: [{ field: 'name.en' }] });
  });

  it('members and an optional manager: add, make manager (the previous one stays a member), none, remove', async () => {
    const caller = await callerFor(handle.db, admin);
    expect(await caller.department.addMember({ groupId: legalId, userId: ids[demo.hung]! })).toMatchObject({
      added: true,
    });
    expect(await caller.department.addMember({ groupId: legalId, userId: ids[demo.hung]! })).toMatchObject({
      added: false,
    });
    await caller.department.setManager({ groupId: legalId, userId: ids[demo.hung]! });
    // Making Lan manager adds her and leaves Hùng a member.
    await caller.department.setManager({ groupId: legalId, userId: ids[demo.lan]! });
    let legal = (await caller.department.list()).find((d) => d.id === legalId)!;
    expect(legal.manager).toMatchObject({ userId: ids[demo.lan], displayName: 'Nguyễn Thị Lan' });
    expect(legal.members.map((m) => [m.email, m.role])).toEqual([
      [demo.lan, 'manager'],
      [demo.hung, 'member'],
    ]);
    await caller.department.setManager({ groupId: legalId, userId: null });
    legal = (await caller.department.list()).find((d) => d.id === legalId)!;
    expect(legal.manager).toBeNull();
    expect(legal.members).toHaveLength(2);
    expect(await caller.department.removeMember({ groupId: legalId, userId: ids[demo.lan]! })).toMatchObject({
      removed: true,
    });
    expect(await caller.department.removeMember({ groupId: legalId, userId: ids[demo.lan]! })).toMatchObject({
      removed: false,
    });
    const types = (
      await handle.db
        .select({ type: auditEvents.type })
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.tenantId, tenantId),
            inArray(auditEvents.type, [
              'department.member-added',
              'department.manager-set',
              'department.member-removed',
            ]),
          ),
        )
    ).map((r) => r.type);
    expect(types.filter((t) => t === 'department.member-added')).toHaveLength(1);
    expect(types.filter((t) => t === 'department.manager-set')).toHaveLength(3);
    expect(types.filter((t) => t === 'department.member-removed')).toHaveLength(1);
  });

  it('delete is refused while the department has members, then deletes it (audited)', async () => {
    const caller = await callerFor(handle.db, admin);
    const refused = await refusal(caller.department.delete({ id: legalId }));
    expect(refused).toMatchObject({ code: 'PRECONDITION_FAILED', fields: [{ field: 'id' }] });
    expect(refused.message).toMatch(/1 member/);
    await caller.department.removeMember({ groupId: legalId, userId: ids[demo.hung]! });
    await expect(caller.department.delete({ id: legalId })).resolves.toMatchObject({ deleted: true });
    expect(await handle.db.select().from(groups).where(eq(groups.id, legalId))).toEqual([]);
    expect((await auditTypes('department.deleted'))[0]).toMatchObject({ data: { groupId: legalId, key: 'legal' } });
    expect((await refusal(caller.department.delete({ id: legalId }))).code).toBe('NOT_FOUND');
  });

  it('another company’s department or member is NOT_FOUND for every command, and nothing changes', async () => {
    const caller = await callerFor(handle.db, admin);
    const [accounting] = await handle.db
      .select({ id: groups.id })
      .from(groups)
      .where(and(eq(groups.tenantId, tenantId), eq(groups.key, 'accounting')));
    const before = await snapshot();
    const cases: [() => Promise<unknown>, string][] = [
      [() => caller.department.rename({ id: otherGroupId, name: { en: 'Mine', vi: 'Của tôi' } }), 'id'],
      [() => caller.department.delete({ id: otherGroupId }), 'id'],
      [() => caller.department.addMember({ groupId: otherGroupId, userId: ids[demo.hung]! }), 'groupId'],
      [() => caller.department.removeMember({ groupId: otherGroupId, userId: otherUserId }), 'groupId'],
      [() => caller.department.setManager({ groupId: otherGroupId, userId: ids[demo.hung]! }), 'groupId'],
      [() => caller.department.addMember({ groupId: accounting!.id, userId: otherUserId }), 'userId'],
      [() => caller.department.setManager({ groupId: accounting!.id, userId: otherUserId }), 'userId'],
      [() => caller.department.removeMember({ groupId: accounting!.id, userId: otherUserId }), 'userId'],
    ];
    for (const [call, field] of cases) {
      const r = await refusal(call());
      expect(r.code).toBe('NOT_FOUND');
      expect(r.fields[0]?.field).toBe(field);
      expect(r.message).not.toMatch(/Finance|Tài chính|Other/);
    }
    expect(await snapshot()).toBe(before);
  });
});

describe('removing a member gives their work back', () => {
  const review = (key: string, group: string) => ({
    definition: {
      formatVersion: 1,
      key,
      version: 1,
      name: { en: 'Expense review', vi: 'Duyệt chi phí' },
      elements: [
        { id: 's', type: 'startEvent' },
        {
          id: 'review',
          type: 'userTask',
          name: { en: 'Review', vi: 'Xem xét' },
          formKey: `${key}-form`,
          candidateGroups: [group],
        },
        { id: 'e', type: 'endEvent' },
      ],
      flows: [
        { id: 'f1', source: 's', target: 'review' },
        { id: 'f2', source: 'review', target: 'e' },
      ],
    },
    forms: [
      {
        key: `${key}-form`,
        version: 1,
        title: 'Xem xét',
        schema: { type: 'object', properties: { ok: { type: 'boolean' } } },
      },
    ],
  });
  /** A caller in a given company (a user of two companies picks one per request). */
  const inCompany = async (email: string, tenant: string) => {
    const { createContextInner } = await import('@/app/server/trpc/init');
    const { createCaller } = await import('@/app/server/trpc/root');
    return createCaller(
      await createContextInner({ db: handle.db, userId: ids[email]!, tenantId: tenant, locale: 'en' }),
    );
  };
  const tomorrow = () => new Date(Date.now() + 86_400_000);

  it("a removed member's claimed task goes back to the department (version moved, audited: who removed whom), their delegations end; another company's are untouched", async () => {
    // Given: Hùng (accounting) holds a task and delegations in Sen Vàng, and in another company too.
    const senVang = (email: string) => inCompany(email, tenantId);
    await (await senVang(admin)).definition.publish(review('remove-review', 'accounting'));
    const {
      taskIds: [taskId],
    } = await (await senVang(demo.quan)).instance.start({ definitionKey: 'remove-review', variables: {} });
    const hung = await senVang(demo.hung);
    const claimed = await hung.task.claim({ id: taskId! });
    const lan = await senVang(demo.lan);
    expect((await lan.task.list()).map((t) => t.id)).not.toContain(taskId); // Hùng's now, not the department's
    const fromHung = await hung.delegation.create({
      delegateId: ids[demo.lan]!,
      startsAt: new Date(),
      endsAt: tomorrow(),
    });
    const toHung = await (
      await senVang(demo.lan)
    ).delegation.create({ delegateId: ids[demo.hung]!, startsAt: new Date(), endsAt: tomorrow() });

    await handle.db.insert(memberships).values({ tenantId: otherTenantId, userId: ids[demo.hung]!, role: 'staff' });
    await handle.db
      .insert(groupMembers)
      .values({ tenantId: otherTenantId, groupId: otherGroupId, userId: ids[demo.hung]!, role: 'member' });
    const other = (email: string) => inCompany(email, otherTenantId);
    await (await other(otherAdmin)).definition.publish(review('remove-review', 'finance'));
    const {
      taskIds: [otherTaskId],
    } = await (await other(otherAdmin)).instance.start({ definitionKey: 'remove-review', variables: {} });
    const hungThere = await other(demo.hung);
    const otherClaim = await hungThere.task.claim({ id: otherTaskId! });
    const otherDelegation = await hungThere.delegation.create({
      delegateId: otherUserId,
      startsAt: new Date(),
      endsAt: tomorrow(),
    });

    // When: an admin removes Hùng from Sen Vàng.
    const result = await (await senVang(admin)).member.remove({ userId: ids[demo.hung]! });

    // Then: the task is unassigned, its version moved, and the department is offered it again.
    expect(result).toMatchObject({ removed: true, tasksReturned: 1, delegationsRevoked: 2 });
    const [row] = await handle.db.select().from(tasks).where(eq(tasks.id, taskId!));
    expect(row).toMatchObject({ assigneeId: null, status: 'open', version: claimed.version + 1 });
    expect((await lan.task.list()).map((t) => t.id)).toContain(taskId);
    const [audit] = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.taskId, taskId!), eq(auditEvents.type, 'task.reassigned')));
    expect(audit).toMatchObject({
      tenantId,
      actorId: ids[admin],
      data: { from: ids[demo.hung], fromName: 'Trần Văn Hùng', to: null, memberRemoved: true },
    });
    // A page still showing Hùng as the holder gets a conflict naming what happened.
    const stale = await refusal(lan.task.complete({ id: taskId!, data: { ok: true }, version: claimed.version }));
    expect(stale).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(
        'given back to its departments when Ngô Quốc Bảo removed Trần Văn Hùng from the company',
      ),
    });
    const revoked = await handle.db
      .select()
      .from(delegations)
      .where(inArray(delegations.id, [fromHung.id, toHung.id]));
    expect(revoked.map((d) => [d.revokedAt !== null, d.revokedBy])).toEqual([
      [true, ids[admin]],
      [true, ids[admin]],
    ]);
    const revokedAudit = (await auditTypes('delegation.revoked')).filter(
      (a) => (a.data as { memberRemoved?: string }).memberRemoved === ids[demo.hung],
    );
    expect(revokedAudit.map((a) => (a.data as { delegationId: string }).delegationId).sort()).toEqual(
      [fromHung.id, toHung.id].sort(),
    );
    expect(
      (await auditTypes('member.removed')).find((a) => (a.data as { userId: string }).userId === ids[demo.hung]),
    ).toMatchObject({ data: { taskIds: [taskId], delegationIds: expect.arrayContaining([fromHung.id, toHung.id]) } });

    // The other company: Hùng still holds its task at the same version, and his delegation there stands.
    const [otherRow] = await handle.db.select().from(tasks).where(eq(tasks.id, otherTaskId!));
    expect(otherRow).toMatchObject({ assigneeId: ids[demo.hung], version: otherClaim.version });
    const [stillThere] = await handle.db.select().from(delegations).where(eq(delegations.id, otherDelegation.id));
    expect(stillThere!.revokedAt).toBeNull();
    expect(
      await handle.db
        .select()
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.tenantId, otherTenantId),
            inArray(auditEvents.type, ['task.reassigned', 'delegation.revoked']),
          ),
        ),
    ).toEqual([]);
    expect((await (await other(demo.hung)).task.list()).map((t) => t.id)).toContain(otherTaskId);
  });
});
