/**
 * Who may work a task, through the routers on a real database (PGlite, and PostgreSQL when
 * DATABASE_URL is set): the four-eyes rule (separationOfDuties) of the invoice template, claiming,
 * releasing and reassigning (audited, not acting twice), a stale task page after a reassignment
 * (conflict, nothing written, history names the right people) and delegation (out of office):
 * before, within and after its range, revoked, and the four-eyes rule for both people.
 */
import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { and, asc, count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import {
  auditEvents,
  delegations,
  groupMembers,
  groups,
  jobs,
  memberships,
  processInstances,
  tasks,
  tenants,
  users,
} from '@/db/schema';
import { publishProcess } from '@/app/server/services/definitions';
import { createWorker } from '@/app/server/host/worker';
import { seedDemo } from '@/app/server/seed';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

const admin = 'bao.ngo@senvang.example';
let handle: DatabaseHandle;
let tenantId: string;
const id: Record<string, string> = {};
let strangerId: string;

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  for (const u of await handle.db.select({ id: users.id, email: users.email }).from(users)) id[u.email] = u.id;
  // Lan (chief accountant) also manages Operations: the one person both approvals could reach.
  const [ops] = await handle.db
    .select({ id: groups.id })
    .from(groups)
    .where(and(eq(groups.tenantId, tenantId), eq(groups.key, 'operations')));
  await handle.db.insert(groupMembers).values({ tenantId, groupId: ops!.id, userId: id[demo.lan]!, role: 'manager' });
  // A user of another company.
  const [other] = await handle.db
    .insert(tenants)
    .values({ slug: 'other-duties', name: 'Other Co' })
    .returning({ id: tenants.id });
  const [stranger] = await handle.db
    .insert(users)
    .values({ email: 'stranger@other-duties.example', displayName: 'Người Lạ' })
    .returning({ id: users.id });
  await handle.db.insert(memberships).values({ tenantId: other!.id, userId: stranger!.id, role: 'staff' });
  strangerId = stranger!.id;
});
afterAll(async () => handle?.close());

const as = (email: string) => callerFor(handle.db, email);

const invoice = (amount: number) => ({
  vendor: 'Công ty TNHH Thương mại Hòa Bình',
  invoiceNumber: `HD-${randomUUID().slice(0, 8)}`,
  amount,
  category: 'it-equipment',
  dueDate: '2026-12-15',
});
const approve = { decision: 'approve', comment: 'Đúng hợp đồng' };

/** Starts an invoice as `email` and returns the instance and its open task. */
async function started(email: string, amount = 75_000_000) {
  const { id: instanceId } = await (
    await as(email)
  ).instance.start({ definitionKey: 'invoice-approval', variables: invoice(amount) });
  return { instanceId, taskId: await openTask(instanceId) };
}

async function openTask(instanceId: string) {
  const [row] = await handle.db
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(eq(tasks.instanceId, instanceId), eq(tasks.status, 'open')));
  return row!.id;
}

/** Everything a refused command must leave as it was. */
async function snapshot(instanceId: string) {
  const [instance] = await handle.db
    .select({ version: processInstances.version, head: processInstances.auditHead })
    .from(processInstances)
    .where(eq(processInstances.id, instanceId));
  const taskRows = await handle.db
    .select({ id: tasks.id, status: tasks.status, assigneeId: tasks.assigneeId, version: tasks.version })
    .from(tasks)
    .where(eq(tasks.instanceId, instanceId))
    .orderBy(asc(tasks.id));
  const [audit] = await handle.db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.tenantId, tenantId));
  return { instance, tasks: taskRows, audit: audit!.n };
}

async function refusal(call: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    return { code: error.code, message: error.message };
  }
  throw new Error('expected the call to be refused, but it succeeded');
}

const taskAudit = (taskId: string) =>
  handle.db
    .select({ type: auditEvents.type, actorId: auditEvents.actorId, data: auditEvents.data })
    .from(auditEvents)
    .where(eq(auditEvents.taskId, taskId))
    .orderBy(asc(auditEvents.id));

const inInbox = async (email: string, taskId: string) =>
  (await (await as(email)).task.list()).find((t) => t.id === taskId);

describe('four-eyes rule', () => {
  it("keeps an invoice's submitter from approving it: not in the inbox, the page says why, completion refused and nothing written", async () => {
    // given Hùng (Accounting) submits an invoice himself
    const { instanceId, taskId } = await started(demo.hung);
    const hung = await as(demo.hung);
    // then the accounting task is not offered to him, but to Lan
    expect(await inInbox(demo.hung, taskId)).toBeUndefined();
    expect(await inInbox(demo.lan, taskId)).toBeDefined();
    const page = await hung.task.get({ id: taskId });
    expect(page).toMatchObject({
      canComplete: false,
      canClaim: false,
      fourEyes: [{ name: null, reasons: [{ rule: 'initiator' }] }],
    });
    // when he completes it (or claims it) anyway
    const before = await snapshot(instanceId);
    const refused = await refusal(hung.task.complete({ id: taskId, data: approve }));
    expect(refused.code).toBe('FORBIDDEN');
    expect(refused.message).toContain(
      'Four-eyes rule (separation of duties) of task "Accounting approval": you started this process',
    );
    expect(await refusal(hung.task.claim({ id: taskId }))).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('you started this process'),
    });
    // then nothing was written
    expect(await snapshot(instanceId)).toEqual(before);
    // and Lan may approve it
    await expect((await as(demo.lan)).task.complete({ id: taskId, data: approve })).resolves.toMatchObject({
      instanceStatus: 'active',
    });
  });

  it('keeps whoever approved for Accounting from approving for Operations; another manager may', async () => {
    // given Ngọc submits a large invoice and Lan approves it for Accounting
    const { instanceId, taskId } = await started(demo.ngoc);
    await (await as(demo.lan)).task.complete({ id: taskId, data: approve });
    const opsTask = await openTask(instanceId);
    // then Lan, though an operations manager too, is not offered the operations approval
    expect(await inInbox(demo.lan, opsTask)).toBeUndefined();
    expect(await inInbox(demo.quan, opsTask)).toBeDefined();
    const before = await snapshot(instanceId);
    const refused = await refusal((await as(demo.lan)).task.complete({ id: opsTask, data: approve }));
    expect(refused).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('you completed "Accounting approval"'),
    });
    expect(await snapshot(instanceId)).toEqual(before);
    // and the task row names whom the rule excludes
    const [row] = await handle.db.select({ excluded: tasks.excludedUserIds }).from(tasks).where(eq(tasks.id, opsTask));
    expect(new Set(row!.excluded)).toEqual(new Set([id[demo.ngoc], id[demo.lan]]));
    // when Quân approves
    await expect((await as(demo.quan)).task.complete({ id: opsTask, data: approve })).resolves.toMatchObject({
      instanceStatus: 'completed',
    });
  });

  it('refuses to reassign a task to someone the rule excludes', async () => {
    const { instanceId, taskId } = await started(demo.hung);
    const before = await snapshot(instanceId);
    const refused = await refusal((await as(admin)).task.reassign({ id: taskId, assigneeId: id[demo.hung]! }));
    expect(refused).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('Trần Văn Hùng started this process'),
    });
    expect(await snapshot(instanceId)).toEqual(before);
  });
});

describe('claim, release and reassign', () => {
  it('a claimed task is the claimer’s alone; claiming again changes nothing; releasing gives it back', async () => {
    const { instanceId, taskId } = await started(demo.ngoc, 1_000_000);
    const lan = await as(demo.lan);
    const hung = await as(demo.hung);
    // when Lan claims it, twice (a retry)
    const first = await lan.task.claim({ id: taskId });
    const again = await lan.task.claim({ id: taskId });
    expect(first).toMatchObject({ assigneeId: id[demo.lan], changed: true, version: 2 });
    expect(again).toMatchObject({ assigneeId: id[demo.lan], changed: false, version: 2 });
    expect((await taskAudit(taskId)).filter((e) => e.type === 'task.claimed')).toHaveLength(1);
    // then Hùng no longer sees it, may not claim or complete it
    expect(await inInbox(demo.hung, taskId)).toBeUndefined();
    expect(await refusal(hung.task.claim({ id: taskId }))).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('already claimed by Nguyễn Thị Lan'),
    });
    const before = await snapshot(instanceId);
    expect(await refusal(hung.task.complete({ id: taskId, data: approve }))).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('assigned to Nguyễn Thị Lan'),
    });
    expect(await refusal(hung.task.unclaim({ id: taskId }))).toMatchObject({ code: 'FORBIDDEN' });
    expect(await snapshot(instanceId)).toEqual(before);
    // and IT may not claim an accounting task
    expect(await refusal((await as(demo.tuan)).task.claim({ id: taskId }))).toMatchObject({ code: 'FORBIDDEN' });
    // when Lan releases it (twice)
    expect(await lan.task.unclaim({ id: taskId })).toMatchObject({ assigneeId: null, changed: true });
    expect(await lan.task.unclaim({ id: taskId })).toMatchObject({ assigneeId: null, changed: false });
    // then the department sees it again, and the audit has one claim and one release, by Lan
    expect(await inInbox(demo.hung, taskId)).toMatchObject({ unassigned: true });
    expect((await taskAudit(taskId)).map((e) => [e.type, e.actorId])).toEqual([
      ['task.created', id[demo.ngoc]],
      ['task.claimed', id[demo.lan]],
      ['task.unclaimed', id[demo.lan]],
    ]);
  });

  it('completing an unassigned department task claims it in the same command', async () => {
    const { taskId } = await started(demo.ngoc, 1_000_000);
    await (await as(demo.hung)).task.complete({ id: taskId, data: approve });
    expect(
      (await taskAudit(taskId)).map((e) => [
        e.type,
        e.actorId,
        (e.data as { withCompletion?: boolean }).withCompletion,
      ]),
    ).toEqual([
      ['task.created', id[demo.ngoc], undefined],
      ['task.claimed', id[demo.hung], true],
      ['task.completed', id[demo.hung], undefined],
    ]);
  });

  it('only admins reassign, only to members of the company who may work it; a retry changes nothing', async () => {
    const { instanceId, taskId } = await started(demo.ngoc, 1_000_000);
    const bao = await as(admin);
    expect(await refusal((await as(demo.lan)).task.reassign({ id: taskId, assigneeId: id[demo.lan]! }))).toMatchObject({
      code: 'FORBIDDEN',
      message: 'Only an admin may reassign tasks.',
    });
    const before = await snapshot(instanceId);
    expect(await refusal(bao.task.reassign({ id: taskId, assigneeId: id[demo.tuan]! }))).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('Phạm Minh Tuấn may not work task'),
    });
    const foreign = await refusal(bao.task.reassign({ id: taskId, assigneeId: strangerId }));
    expect(foreign.code).toBe('NOT_FOUND');
    expect(foreign.message).not.toContain('Người Lạ');
    expect(await snapshot(instanceId)).toEqual(before);
    // the page offers the candidates only
    expect((await bao.task.get({ id: taskId })).reassignTo?.map((u) => u.name).sort()).toEqual([
      'Nguyễn Thị Lan',
      'Trần Văn Hùng',
    ]);
    // when reassigned twice to Hùng
    expect(await bao.task.reassign({ id: taskId, assigneeId: id[demo.hung]! })).toMatchObject({
      changed: true,
      assigneeId: id[demo.hung],
    });
    expect(await bao.task.reassign({ id: taskId, assigneeId: id[demo.hung]! })).toMatchObject({ changed: false });
    const reassigned = (await taskAudit(taskId)).filter((e) => e.type === 'task.reassigned');
    expect(reassigned).toEqual([
      {
        type: 'task.reassigned',
        actorId: id[admin],
        data: { from: null, fromName: null, to: id[demo.hung], toName: 'Trần Văn Hùng' },
      },
    ]);
    // and another company's task is not found for him
    expect(
      (await refusal((await callerFor(handle.db, 'stranger@other-duties.example')).task.claim({ id: taskId }))).code,
    ).toBe('NOT_FOUND');
  });

  it('a stale task page submitted after a reassignment is a conflict; the history names who reassigned, from whom, to whom, and who completed', async () => {
    // given Lan claims the task and opens its page
    const { instanceId, taskId } = await started(demo.ngoc, 1_000_000);
    const lan = await as(demo.lan);
    await lan.task.claim({ id: taskId });
    const page = await lan.task.get({ id: taskId });
    expect(page).toMatchObject({ canComplete: true, assignee: { name: 'Nguyễn Thị Lan', isMe: true } });
    // when the admin reassigns it to Hùng meanwhile, and Lan submits her page
    await (await as(admin)).task.reassign({ id: taskId, assigneeId: id[demo.hung]!, version: page.version });
    const before = await snapshot(instanceId);
    const refused = await refusal(lan.task.complete({ id: taskId, data: approve, version: page.version }));
    // then it is a conflict naming the people, and nothing was written
    expect(refused.code).toBe('CONFLICT');
    expect(refused.message).toContain('reassigned by Ngô Quốc Bảo from Nguyễn Thị Lan to Trần Văn Hùng');
    expect(await snapshot(instanceId)).toEqual(before);
    // when Hùng completes it from his fresh page
    const hung = await as(demo.hung);
    const fresh = await hung.task.get({ id: taskId });
    await hung.task.complete({ id: taskId, data: approve, version: fresh.version });
    // then the history tells it with the right names
    const history = (await hung.instance.get({ id: instanceId })).history.filter((h) => h.type.startsWith('task.'));
    expect(history.map((h) => [h.type, h.actor])).toEqual([
      ['task.created', 'Bùi Thị Ngọc'],
      ['task.claimed', 'Nguyễn Thị Lan'],
      ['task.reassigned', 'Ngô Quốc Bảo'],
      ['task.completed', 'Trần Văn Hùng'],
    ]);
    expect(history[2]!.data).toMatchObject({ fromName: 'Nguyễn Thị Lan', toName: 'Trần Văn Hùng' });
  });
});

describe('delegation (out of office)', () => {
  const hour = 3_600_000;
  /** A delegation written directly, for ranges the API refuses to create (already over). */
  const insertDelegation = async (from: string, to: string, startsAt: Date, endsAt: Date) =>
    (
      await handle.db
        .insert(delegations)
        .values({ tenantId, delegatorId: id[from]!, delegateId: id[to]!, startsAt, endsAt, createdBy: id[from]! })
        .returning({ id: delegations.id })
    )[0]!.id;
  const dbNow = async () =>
    new Date(
      Number(
        (
          await handle.db
            .select({ ms: sql<string>`(extract(epoch from now()) * 1000)::bigint::text` })
            .from(sql`(select 1) as one`)
        )[0]!.ms,
      ),
    );

  it('shows the delegator’s assigned tasks to the delegate within the range only; the delegate completes on their behalf and the audit names both', async () => {
    // given Hùng claims an accounting task and a department task stays unassigned
    const { instanceId, taskId } = await started(demo.ngoc, 1_000_000);
    const { taskId: departmentTask } = await started(demo.ngoc, 1_000_000);
    await (await as(demo.hung)).task.claim({ id: taskId });
    // Lan, his colleague in Accounting (a delegate must be a candidate of a department task: see below)
    const lan = await as(demo.lan);
    const now = await dbNow();
    // before: a delegation that starts tomorrow
    const upcoming = await (
      await as(demo.hung)
    ).delegation.create({
      delegateId: id[demo.lan]!,
      startsAt: new Date(now.getTime() + 24 * hour),
      endsAt: new Date(now.getTime() + 48 * hour),
    });
    expect(await inInbox(demo.lan, taskId)).toBeUndefined();
    expect(await refusal(lan.task.complete({ id: taskId, data: approve }))).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('assigned to Trần Văn Hùng'),
    });
    // after: one that ended an hour ago
    await insertDelegation(demo.hung, demo.lan, new Date(now.getTime() - 3 * hour), new Date(now.getTime() - hour));
    expect(await inInbox(demo.lan, taskId)).toBeUndefined();
    // within: from an hour ago to an hour from now (a retry returns the same delegation)
    const range = {
      delegateId: id[demo.lan]!,
      startsAt: new Date(now.getTime() - hour),
      endsAt: new Date(now.getTime() + hour),
      reason: 'Nghỉ phép',
    };
    const within = await (await as(demo.hung)).delegation.create(range);
    expect(await (await as(demo.hung)).delegation.create(range)).toEqual({ id: within.id, created: false });
    // then Lan sees Hùng's task, on his behalf (the department's task she sees as the department's, not his)
    expect(await inInbox(demo.lan, taskId)).toMatchObject({ onBehalfOf: 'Trần Văn Hùng', assignedToMe: false });
    expect(await inInbox(demo.lan, departmentTask)).toMatchObject({ onBehalfOf: null, unassigned: true });
    expect(await lan.task.get({ id: taskId })).toMatchObject({ canComplete: true, onBehalfOf: 'Trần Văn Hùng' });
    // when Lan completes it
    await lan.task.complete({ id: taskId, data: approve });
    // then the audit row names both, and so does the history
    const completed = (await taskAudit(taskId)).find((e) => e.type === 'task.completed')!;
    expect(completed).toMatchObject({
      actorId: id[demo.lan],
      data: { onBehalfOf: id[demo.hung], onBehalfOfName: 'Trần Văn Hùng' },
    });
    const history = (await lan.instance.get({ id: instanceId })).history.find((h) => h.type === 'task.completed')!;
    expect(history).toMatchObject({ actor: 'Nguyễn Thị Lan', data: { onBehalfOfName: 'Trần Văn Hùng' } });
    // and the engine recorded both as its completers
    const [instance] = await handle.db
      .select({ state: processInstances.state })
      .from(processInstances)
      .where(eq(processInstances.id, instanceId));
    expect(instance!.state.actors?.completed?.accountingApproval).toEqual([id[demo.lan], id[demo.hung]]);
    await (await as(demo.hung)).delegation.revoke({ id: upcoming.id });
    await (await as(demo.hung)).delegation.revoke({ id: within.id });
  });

  it('a revoked delegation no longer passes tasks on; only the delegator or an admin may revoke it', async () => {
    const { taskId } = await started(demo.ngoc, 1_000_000);
    await (await as(demo.hung)).task.claim({ id: taskId });
    const now = await dbNow();
    const { id: delegationId } = await (
      await as(demo.hung)
    ).delegation.create({
      delegateId: id[demo.lan]!,
      startsAt: new Date(now.getTime() - hour),
      endsAt: new Date(now.getTime() + hour),
    });
    expect(await inInbox(demo.lan, taskId)).toMatchObject({ onBehalfOf: 'Trần Văn Hùng' });
    // someone else may not revoke it (and learns nothing about it)
    expect((await refusal((await as(demo.tuan)).delegation.revoke({ id: delegationId }))).code).toBe('NOT_FOUND');
    // the delegator revokes it, twice
    expect(await (await as(demo.hung)).delegation.revoke({ id: delegationId })).toEqual({
      id: delegationId,
      revoked: true,
    });
    expect(await (await as(demo.hung)).delegation.revoke({ id: delegationId })).toEqual({
      id: delegationId,
      revoked: false,
    });
    expect(await inInbox(demo.lan, taskId)).toBeUndefined();
    expect(
      await handle.db
        .select({ type: auditEvents.type })
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.tenantId, tenantId),
            eq(auditEvents.type, 'delegation.revoked'),
            sql`${auditEvents.data}->>'delegationId' = ${delegationId}`,
          ),
        ),
    ).toHaveLength(1);
  });

  it('refuses delegations to oneself, to another company’s user, or ending before they start; lists one’s own, admins all', async () => {
    const hung = await as(demo.hung);
    const now = await dbNow();
    const range = { startsAt: new Date(now.getTime()), endsAt: new Date(now.getTime() + hour) };
    expect(await refusal(hung.delegation.create({ delegateId: id[demo.hung]!, ...range }))).toMatchObject({
      code: 'BAD_REQUEST',
    });
    const foreign = await refusal(hung.delegation.create({ delegateId: strangerId, ...range }));
    expect(foreign.code).toBe('NOT_FOUND');
    expect(foreign.message).not.toContain('Người Lạ');
    expect(
      await refusal(
        hung.delegation.create({ delegateId: id[demo.lan]!, startsAt: range.endsAt, endsAt: range.startsAt }),
      ),
    ).toMatchObject({ code: 'BAD_REQUEST', message: 'The delegation must end after it starts.' });
    // Tuấn sees only delegations he gives or receives; the admin sees all
    const tuanList = await (await as(demo.tuan)).delegation.list();
    expect(tuanList.every((d) => d.delegatorId === id[demo.tuan] || d.delegateId === id[demo.tuan])).toBe(true);
    const all = await (await as(admin)).delegation.list();
    expect(all.some((d) => d.delegatorId === id[demo.hung])).toBe(true);
    expect(all.length).toBeGreaterThan(tuanList.length);
  });

  it('passes a claimed department or manager task only to a delegate who is a candidate of it; inbox and completion agree', async () => {
    // given Hùng claimed an accounting task and delegates to Tuấn (IT)
    const { instanceId, taskId } = await started(demo.ngoc, 1_000_000);
    await (await as(demo.hung)).task.claim({ id: taskId });
    const now = await dbNow();
    const range = { startsAt: new Date(now.getTime() - hour), endsAt: new Date(now.getTime() + hour) };
    const toTuan = await (await as(demo.hung)).delegation.create({ delegateId: id[demo.tuan]!, ...range });
    // then Tuấn neither sees nor completes it: the delegation does not open Accounting to him
    expect(await inInbox(demo.tuan, taskId)).toBeUndefined();
    const before = await snapshot(instanceId);
    const refused = await refusal((await as(demo.tuan)).task.complete({ id: taskId, data: approve }));
    expect(refused).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('a delegation passes on only the tasks you could be offered yourself'),
    });
    expect((await refusal((await as(demo.tuan)).task.get({ id: taskId }))).code).toBe('FORBIDDEN');
    expect(await snapshot(instanceId)).toEqual(before);
    await (await as(demo.hung)).delegation.revoke({ id: toTuan.id });
    // and a manager task: Quân claims an operations approval and delegates to Ngọc, an operations member, not a manager
    const big = await started(demo.hung);
    await (await as(demo.lan)).task.complete({ id: big.taskId, data: approve });
    const opsTask = await openTask(big.instanceId);
    await (await as(demo.quan)).task.claim({ id: opsTask });
    const toNgoc = await (await as(demo.quan)).delegation.create({ delegateId: id[demo.ngoc]!, ...range });
    expect(await inInbox(demo.ngoc, opsTask)).toBeUndefined();
    const held = await snapshot(big.instanceId);
    expect(await refusal((await as(demo.ngoc)).task.complete({ id: opsTask, data: approve }))).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('operations (managers)'),
    });
    expect(await snapshot(big.instanceId)).toEqual(held);
    await (await as(demo.quan)).delegation.revoke({ id: toNgoc.id });
  });

  it('applies the four-eyes rule to the delegate and to the person on whose behalf they act', async () => {
    // given Lan approved for Accounting, and Quân (operations manager) claimed the operations task
    const { instanceId, taskId } = await started(demo.ngoc);
    await (await as(demo.lan)).task.complete({ id: taskId, data: approve });
    const opsTask = await openTask(instanceId);
    await (await as(demo.quan)).task.claim({ id: opsTask });
    const now = await dbNow();
    // when Quân delegates to Lan: she acts for him, but she approved for Accounting
    await (
      await as(demo.quan)
    ).delegation.create({
      delegateId: id[demo.lan]!,
      startsAt: new Date(now.getTime() - hour),
      endsAt: new Date(now.getTime() + hour),
    });
    expect(await inInbox(demo.lan, opsTask)).toBeUndefined();
    const before = await snapshot(instanceId);
    expect(await refusal((await as(demo.lan)).task.complete({ id: opsTask, data: approve }))).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('you completed "Accounting approval"'),
    });
    expect(await snapshot(instanceId)).toEqual(before);
    // and when a task is held by someone the rule excludes (assigned outside the rules), their delegate is refused too
    await handle.db.update(tasks).set({ assigneeId: id[demo.lan] }).where(eq(tasks.id, opsTask));
    await (
      await as(demo.lan)
    ).delegation.create({
      delegateId: id[demo.quan]!,
      startsAt: new Date(now.getTime() - hour),
      endsAt: new Date(now.getTime() + hour),
    });
    const held = await snapshot(instanceId);
    expect(await inInbox(demo.quan, opsTask)).toBeUndefined();
    expect(await refusal((await as(demo.quan)).task.complete({ id: opsTask, data: approve }))).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('Nguyễn Thị Lan, on whose behalf you act, completed "Accounting approval"'),
    });
    expect(await snapshot(instanceId)).toEqual(held);
  });
});

describe('who did what, as it happens', () => {
  const decision = {
    key: 'duty-decision',
    version: 1,
    title: 'decision',
    schema: { type: 'object', properties: { decision: { type: 'string' } } },
  };
  const flow = (fid: string, source: string, target: string) => ({ id: fid, source, target });
  const userTask = (tid: string, extra: object = {}) => ({
    id: tid,
    type: 'userTask',
    formKey: 'duty-decision',
    candidateGroups: ['accounting'],
    ...extra,
  });
  /** Published by Quân (operations manager, staff). */
  const publish = (definition: object) =>
    publishProcess(
      handle.db,
      tenantId,
      {
        definition: { formatVersion: 1, version: 1, name: (definition as { key: string }).key, ...definition },
        forms: [decision],
      },
      id[demo.quan]!,
    );
  const instanceRow = async (instanceId: string) =>
    (await handle.db.select().from(processInstances).where(eq(processInstances.id, instanceId)))[0]!;
  const instancesOf = (definitionId: string) =>
    handle.db.select().from(processInstances).where(eq(processInstances.definitionId, definitionId));
  const tasksOf = (instanceId: string) =>
    handle.db.select().from(tasks).where(eq(tasks.instanceId, instanceId)).orderBy(asc(tasks.elementId));

  it('four-eyes: whoever completes the task a rule names on a parallel branch, after the checked task was created, may not work it', async () => {
    // given two parallel accounting tasks; "check" may not be worked by whoever prepared
    await publish({
      key: 'parallel-check',
      elements: [
        { id: 's', type: 'startEvent' },
        { id: 'split', type: 'parallelGateway' },
        userTask('prepare'),
        userTask('check', { separationOfDuties: { notCompletedBy: ['prepare'] } }),
        { id: 'join', type: 'parallelGateway' },
        { id: 'e', type: 'endEvent' },
      ],
      flows: [
        flow('f1', 's', 'split'),
        flow('f2', 'split', 'prepare'),
        flow('f3', 'split', 'check'),
        flow('f4', 'prepare', 'join'),
        flow('f5', 'check', 'join'),
        flow('f6', 'join', 'e'),
      ],
    });
    const { id: instanceId } = await (
      await as(demo.ngoc)
    ).instance.start({ definitionKey: 'parallel-check', variables: {} });
    const [check, prepare] = await tasksOf(instanceId);
    expect([check!.elementId, prepare!.elementId, check!.excludedUserIds]).toEqual(['check', 'prepare', []]);
    // when Hùng prepares, after "check" was created
    await (await as(demo.hung)).task.complete({ id: prepare!.id, data: { decision: 'ok' } });
    // then the check's row names him, his inbox drops it, and claim, completion and reassignment to him are refused, writing nothing
    expect((await tasksOf(instanceId))[0]!.excludedUserIds).toEqual([id[demo.hung]]);
    expect(await inInbox(demo.hung, check!.id)).toBeUndefined();
    expect(await inInbox(demo.lan, check!.id)).toBeDefined();
    const before = await snapshot(instanceId);
    const hung = await as(demo.hung);
    expect(await refusal(hung.task.complete({ id: check!.id, data: { decision: 'ok' } }))).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(/you completed ["“]prepare["”]/),
    });
    expect(await refusal(hung.task.claim({ id: check!.id }))).toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringMatching(/you completed ["“]prepare["”]/),
    });
    expect(await refusal((await as(admin)).task.reassign({ id: check!.id, assigneeId: id[demo.hung]! }))).toMatchObject(
      { code: 'FORBIDDEN', message: expect.stringContaining('Trần Văn Hùng completed "prepare"') },
    );
    expect(await hung.task.get({ id: check!.id })).toMatchObject({
      canComplete: false,
      fourEyes: [{ name: null, reasons: [{ rule: 'completed', elementId: 'prepare' }] }],
    });
    expect(await snapshot(instanceId)).toEqual(before);
    // even with the row's list as it was at creation, the command judges by the instance's record
    await handle.db.update(tasks).set({ excludedUserIds: [] }).where(eq(tasks.id, check!.id));
    expect(await refusal(hung.task.complete({ id: check!.id, data: { decision: 'ok' } }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await snapshot(instanceId)).toEqual(before);
    // and Lan checks it
    await expect(
      (await as(demo.lan)).task.complete({ id: check!.id, data: { decision: 'ok' } }),
    ).resolves.toMatchObject({ instanceStatus: 'completed' });
  });

  it('a message or signal sent by a person starts an instance as theirs, only if they may start it; nothing is written when not', async () => {
    const onlyAccounting = { startableBy: { groups: ['accounting'] } };
    const review = userTask('review', { separationOfDuties: { notInitiator: true } });
    const byMessage = await publish({
      key: 'expense-mail',
      ...onlyAccounting,
      elements: [
        { id: 'm', type: 'startEvent', event: { kind: 'message', name: 'expense-mailed' } },
        review,
        { id: 'e', type: 'endEvent' },
      ],
      flows: [flow('f1', 'm', 'review'), flow('f2', 'review', 'e')],
    });
    const bySignal = await publish({
      key: 'month-close',
      ...onlyAccounting,
      elements: [
        {
          id: 'g',
          type: 'startEvent',
          event: { kind: 'signal', name: 'month-closed', sendableBy: { groups: ['accounting'] } },
        },
        review,
        { id: 'e', type: 'endEvent' },
      ],
      flows: [flow('f1', 'g', 'review'), flow('f2', 'review', 'e')],
    });
    // when Ngọc (operations) publishes the message and broadcasts the signal
    const ngoc = await as(demo.ngoc);
    const [audit] = await handle.db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.tenantId, tenantId));
    expect(
      await refusal(ngoc.message.publish({ name: 'expense-mailed', variables: {}, messageId: 'mail-1' })),
    ).toMatchObject({
      code: 'FORBIDDEN',
      message: 'You may not start "expense-mail": only members of accounting or admins may.',
    });
    expect(await refusal(ngoc.signal.broadcast({ name: 'month-closed' }))).toMatchObject({
      code: 'FORBIDDEN',
      message: 'You may not broadcast signal "month-closed": only members of Accounting or admins may.',
    });
    // then nothing was started or recorded (the message id is not spent either)
    expect(await instancesOf(byMessage.id)).toEqual([]);
    expect(await instancesOf(bySignal.id)).toEqual([]);
    expect(
      (await handle.db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.tenantId, tenantId)))[0],
    ).toEqual(audit);
    // when Hùng (accounting) does, the instances are his: initiator and started_by, audited as his
    const hung = await as(demo.hung);
    const viaMessage = await hung.message.publish({ name: 'expense-mailed', variables: {}, messageId: 'mail-1' });
    const viaSignal = await hung.signal.broadcast({ name: 'month-closed' });
    for (const instanceId of [viaMessage.instanceId!, viaSignal.started[0]!]) {
      const row = await instanceRow(instanceId);
      expect([row.startedBy, row.state.actors?.initiator]).toEqual([id[demo.hung], id[demo.hung]]);
      const [started] = await handle.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.instanceId, instanceId), eq(auditEvents.type, 'instance.started')));
      expect(started!.actorId).toBe(id[demo.hung]);
      // so the four-eyes rule keeps him from reviewing what he sent
      const [task] = await tasksOf(instanceId);
      expect(task!.excludedUserIds).toEqual([id[demo.hung]]);
      expect(await refusal(hung.task.complete({ id: task!.id, data: { decision: 'ok' } }))).toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringContaining('you started this process'),
      });
    }
  });

  it("a called process inherits its parent's initiator", async () => {
    await publish({
      key: 'duty-child',
      elements: [
        { id: 's', type: 'startEvent' },
        userTask('childReview', { candidateGroups: ['operations'], separationOfDuties: { notInitiator: true } }),
        { id: 'e', type: 'endEvent' },
      ],
      flows: [flow('f1', 's', 'childReview'), flow('f2', 'childReview', 'e')],
    });
    await publish({
      key: 'duty-parent',
      elements: [
        { id: 's', type: 'startEvent' },
        userTask('first'),
        { id: 'call', type: 'callActivity', calledElement: 'duty-child' },
        { id: 'e', type: 'endEvent' },
      ],
      flows: [flow('f1', 's', 'first'), flow('f2', 'first', 'call'), flow('f3', 'call', 'e')],
    });
    // given Ngọc starts the parent and Hùng completes its first task, which starts the child
    const { id: parentId } = await (
      await as(demo.ngoc)
    ).instance.start({ definitionKey: 'duty-parent', variables: {} });
    await (await as(demo.hung)).task.complete({ id: await openTask(parentId), data: { decision: 'ok' } });
    const [child] = await handle.db.select().from(processInstances).where(eq(processInstances.parentId, parentId));
    // then the child is Ngọc's: its review excludes her, not Hùng, and she may read it
    expect([child!.startedBy, child!.state.actors?.initiator]).toEqual([id[demo.ngoc], id[demo.ngoc]]);
    const [review] = await tasksOf(child!.id);
    expect(review!.excludedUserIds).toEqual([id[demo.ngoc]]);
    expect(
      await refusal((await as(demo.ngoc)).task.complete({ id: review!.id, data: { decision: 'ok' } })),
    ).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('you started this process') });
    await expect((await as(demo.ngoc)).instance.get({ id: child!.id })).resolves.toMatchObject({ id: child!.id });
  });

  it("a timer start has no initiator: the version's publisher, shown as started_by, may not read or cancel it as its initiator", async () => {
    const at = new Date(Date.now() - 60_000).toISOString();
    const v = await publish({
      key: 'duty-timer',
      elements: [
        { id: 't', type: 'startEvent', event: { kind: 'timer', date: at } },
        userTask('count'),
        { id: 'e', type: 'endEvent' },
      ],
      flows: [flow('f1', 't', 'count'), flow('f2', 'count', 'e')],
    });
    await handle.db
      .update(jobs)
      .set({ dueAt: sql`now() - interval '1 second'` })
      .where(and(eq(jobs.definitionId, v.id), eq(jobs.status, 'pending')));
    expect(await createWorker(handle.db).tick()).toBeGreaterThanOrEqual(1);
    const [instance] = await instancesOf(v.id);
    expect([instance!.startedBy, instance!.state.actors?.initiator]).toEqual([id[demo.quan], undefined]);
    // Quân (staff, no task in it) may neither read nor cancel it
    const quan = await as(demo.quan);
    expect((await refusal(quan.instance.get({ id: instance!.id }))).code).toBe('FORBIDDEN');
    expect((await refusal(quan.instance.cancel({ id: instance!.id, reason: 'Không cần nữa' }))).code).toBe('FORBIDDEN');
    expect((await instanceRow(instance!.id)).status).toBe('active');
    // an admin may
    await expect(
      (await as(admin)).instance.cancel({ id: instance!.id, reason: 'Không cần nữa' }),
    ).resolves.toMatchObject({ status: 'terminated' });
  });
});
