/**
 * The walking skeleton through its tRPC routers (createCaller), on a real database:
 * PGlite by default, PostgreSQL when DATABASE_URL is set.
 */
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { auditEvents, groupMembers, groups, memberships, processInstances, tasks, tenants, users } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import invoiceDefinition from '@/definitions/accounting/invoice-approval/process.json';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

let handle: DatabaseHandle;
let tenantId: string;
beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
});
afterAll(async () => handle?.close());

const invoice = (amount: number, invoiceNumber = `HD-${amount}`) => ({
  vendor: 'Công ty TNHH Thương mại Hòa Bình',
  invoiceNumber,
  amount,
  category: 'it-equipment',
  dueDate: '2026-12-15',
  description: 'Máy tính xách tay cho phòng Kế toán',
});

async function snapshot(instanceId: string) {
  const db = handle.db;
  const [instance] = await db
    .select({ version: processInstances.version, status: processInstances.status })
    .from(processInstances)
    .where(eq(processInstances.id, instanceId));
  const taskRows = await db
    .select({ id: tasks.id, status: tasks.status })
    .from(tasks)
    .where(eq(tasks.instanceId, instanceId))
    .orderBy(tasks.id);
  const [audit] = await db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.instanceId, instanceId));
  return { instance, tasks: taskRows, audit: audit?.n };
}

describe('invoice approval through the routers', () => {
  it('lists the invoice approval as startable for staff', async () => {
    const ngoc = await callerFor(handle.db, demo.ngoc);
    const list = await ngoc.definition.list();
    expect(list).toContainEqual(
      expect.objectContaining({
        key: 'invoice-approval',
        version: 1,
        name: { en: 'Invoice approval', vi: 'Phê duyệt hóa đơn' },
      }),
    );
  });

  it('runs a large invoice through Accounting and the operations manager to completion', async () => {
    // given Ngọc submits an invoice above the threshold
    const ngoc = await callerFor(handle.db, demo.ngoc);
    const started = await ngoc.instance.start({
      definitionKey: 'invoice-approval',
      variables: invoice(75_000_000, 'HD-2026/0042'),
    });
    expect(started.status).toBe('active');

    // then the accountant sees it in the inbox, IT and the operations manager do not
    const hung = await callerFor(handle.db, demo.hung);
    const hungInbox = await hung.task.list();
    const accountingTask = hungInbox.find((t) => t.instanceId === started.id);
    expect(accountingTask).toMatchObject({
      elementId: 'accountingApproval',
      businessKey: 'HD-2026/0042',
      dueDate: '2026-12-15',
    });
    expect((await (await callerFor(handle.db, demo.tuan)).task.list()).some((t) => t.instanceId === started.id)).toBe(
      false,
    );
    const quan = await callerFor(handle.db, demo.quan);
    expect((await quan.task.list()).some((t) => t.instanceId === started.id)).toBe(false);

    // when the accountant approves
    const afterAccounting = await hung.task.complete({
      id: accountingTask!.id,
      data: { decision: 'approve', comment: 'Đúng hợp đồng' },
    });
    expect(afterAccounting).toMatchObject({ instanceStatus: 'active', taskIds: [expect.any(String)] });

    // then only the operations manager (not operations staff) is offered the next task
    const opsTask = (await quan.task.list()).find((t) => t.instanceId === started.id);
    expect(opsTask).toMatchObject({ elementId: 'operationsApproval' });
    expect((await ngoc.task.list()).some((t) => t.instanceId === started.id)).toBe(false);

    // when the operations manager approves
    await quan.task.complete({ id: opsTask!.id, data: { decision: 'approve' } });

    // then the instance is completed, with its history
    const view = await ngoc.instance.get({ id: started.id });
    expect(view).toMatchObject({
      status: 'completed',
      outcome: 'approved',
      businessKey: 'HD-2026/0042',
      startedBy: 'Bùi Thị Ngọc',
    });
    expect(view.tasks.map((t) => [t.elementId, t.status, t.completedBy])).toEqual([
      ['accountingApproval', 'completed', 'Trần Văn Hùng'],
      ['operationsApproval', 'completed', 'Đỗ Minh Quân'],
    ]);
    expect(view.history.map((h) => h.type)).toEqual([
      'instance.started',
      'element.completed', // start event
      'element.completed', // assess (business rule task: the approval level)
      'task.created',
      'task.claimed', // completing an unassigned department task claims it in the same command
      'task.completed',
      'element.completed', // accounting approval
      'element.completed', // accounting decision gateway
      'element.completed', // amount check gateway
      'task.created',
      'task.claimed',
      'task.completed',
      'element.completed', // operations approval
      'element.completed', // operations decision gateway
      'message.sent', // handed over for payment
      'element.completed', // requestPayment (send task)
      'element.completed', // "approved" end event
      'instance.completed',
    ]);
    // and the invoice payment process has started, waiting for an accountant to prepare the transfer
    const payment = (await hung.task.list()).find(
      (t) => t.businessKey === 'HD-2026/0042' && t.elementId === 'preparePayment',
    );
    expect(payment).toMatchObject({
      processName: { en: 'Invoice payment' },
      dueDate: '2026-12-15',
      businessKey: 'HD-2026/0042',
    });
  });

  it('ends a rejected invoice with its reason', async () => {
    const ngoc = await callerFor(handle.db, demo.ngoc);
    const { id } = await ngoc.instance.start({ definitionKey: 'invoice-approval', variables: invoice(3_200_000) });
    const lan = await callerFor(handle.db, demo.lan);
    const task = (await lan.task.list()).find((t) => t.instanceId === id)!;
    await lan.task.complete({
      id: task.id,
      data: { decision: 'reject', rejectionReason: 'Thiếu mã số thuế nhà cung cấp' },
    });
    const view = await ngoc.instance.get({ id });
    expect(view).toMatchObject({
      status: 'completed',
      outcome: 'rejected',
      variables: { rejectionReason: 'Thiếu mã số thuế nhà cung cấp' },
    });
  });

  it('refuses a submission that violates the form, naming each field, and changes nothing', async () => {
    const ngoc = await callerFor(handle.db, demo.ngoc);
    const { id } = await ngoc.instance.start({ definitionKey: 'invoice-approval', variables: invoice(80_000_000) });
    const hung = await callerFor(handle.db, demo.hung);
    const task = (await hung.task.list()).find((t) => t.instanceId === id)!;
    const before = await snapshot(id);

    const error = await hung.task
      .complete({ id: task.id, data: { decision: 'reject', comment: 42 } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BAD_REQUEST' });
    const fields = (error as { cause: { fields: { field: string; label: string }[] } }).cause.fields;
    expect(fields.map((f) => f.field).sort()).toEqual(['comment', 'rejectionReason']);
    expect(fields.find((f) => f.field === 'rejectionReason')?.label).toBe('Reason for rejection');

    expect(await snapshot(id)).toEqual(before);
  });

  it('refuses fields the form does not have, so a submission cannot rewrite process variables', async () => {
    const ngoc = await callerFor(handle.db, demo.ngoc);
    const { id } = await ngoc.instance.start({ definitionKey: 'invoice-approval', variables: invoice(75_000_000) });
    const hung = await callerFor(handle.db, demo.hung);
    const task = (await hung.task.list()).find((t) => t.instanceId === id)!;
    const before = await snapshot(id);
    const error = await hung.task
      .complete({ id: task.id, data: { decision: 'approve', needsOperationsApproval: false } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: 'BAD_REQUEST',
      cause: {
        fields: [{ field: 'needsOperationsApproval', message: 'needsOperationsApproval is not a field of this form' }],
      },
    });
    expect(await snapshot(id)).toEqual(before);
    await expect(
      ngoc.instance.start({
        definitionKey: 'invoice-approval',
        variables: { ...invoice(1_000), approvalThreshold: 1 },
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('names fields in Vietnamese for a Vietnamese caller, and refuses a bad start form', async () => {
    const ngoc = await callerFor(handle.db, demo.ngoc, 'vi');
    const [{ n: instancesBefore }] = (await handle.db.select({ n: count() }).from(processInstances)) as [{ n: number }];
    const error = await ngoc.instance
      .start({ definitionKey: 'invoice-approval', variables: { ...invoice(0), vendor: '', dueDate: '15/12/2026' } })
      .catch((e: unknown) => e as Error);
    expect(error).toMatchObject({ code: 'BAD_REQUEST' });
    // in people's words, each field named by its Vietnamese label (not ajv's "must be >= 1")
    expect((error as Error).message).toMatch(/^Biểu mẫu “Gửi hóa đơn” chưa được chấp nhận: /);
    expect((error as Error).message).toContain('Số tiền (VND) phải từ 1\u00a0₫ trở lên');
    expect((error as Error).message).toContain('Nhà cung cấp cần ít nhất 2 ký tự');
    expect((error as Error).message).toContain('Hạn thanh toán phải là một ngày hợp lệ');
    const [{ n: instancesAfter }] = (await handle.db.select({ n: count() }).from(processInstances)) as [{ n: number }];
    expect(instancesAfter).toBe(instancesBefore);
  });

  it('lets exactly one of two racing completions win, with one audit row', async () => {
    const ngoc = await callerFor(handle.db, demo.ngoc);
    const { id } = await ngoc.instance.start({ definitionKey: 'invoice-approval', variables: invoice(60_000_000) });
    const hung = await callerFor(handle.db, demo.hung);
    const lan = await callerFor(handle.db, demo.lan);
    const task = (await hung.task.list()).find((t) => t.instanceId === id)!;

    const results = await Promise.allSettled([
      hung.task.complete({ id: task.id, data: { decision: 'approve' } }),
      lan.task.complete({ id: task.id, data: { decision: 'reject', rejectionReason: 'Trùng hóa đơn đã thanh toán' } }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]!.reason).toMatchObject({ code: 'CONFLICT' });

    // and completing again later is a conflict that names who completed it
    const again = await hung.task
      .complete({ id: task.id, data: { decision: 'approve' } })
      .catch((e: unknown) => e as Error);
    expect(again).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(/was already completed by (Trần Văn Hùng|Nguyễn Thị Lan)/),
    });

    const completions = await handle.db
      .select({ n: count() })
      .from(auditEvents)
      .where(and(eq(auditEvents.taskId, task.id), eq(auditEvents.type, 'task.completed')));
    expect(completions[0]?.n).toBe(1);
    const [instance] = await handle.db
      .select({ version: processInstances.version })
      .from(processInstances)
      .where(eq(processInstances.id, id));
    expect(instance?.version).toBe(2);
  });

  it('forbids a user outside the candidate department, changing nothing', async () => {
    const ngoc = await callerFor(handle.db, demo.ngoc);
    const { id } = await ngoc.instance.start({ definitionKey: 'invoice-approval', variables: invoice(55_000_000) });
    const task = (await (await callerFor(handle.db, demo.hung)).task.list()).find((t) => t.instanceId === id)!;
    const before = await snapshot(id);

    const tuan = await callerFor(handle.db, demo.tuan);
    await expect(tuan.task.complete({ id: task.id, data: { decision: 'approve' } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(tuan.task.get({ id: task.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // the starter is in operations, but only the operations *manager* may approve later; she may not approve now
    await expect(ngoc.task.complete({ id: task.id, data: { decision: 'approve' } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await snapshot(id)).toEqual(before);
  });

  it('requires sign-in', async () => {
    const anonymous = await callerFor(handle.db, null);
    await expect(anonymous.task.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(
      anonymous.instance.start({ definitionKey: 'invoice-approval', variables: invoice(1_000) }),
    ).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('company boundaries and publishing', () => {
  it("hides another company's tasks and instances: not found, nothing changes", async () => {
    // given a second company with its own staff member in accounting
    const [other] = await handle.db.insert(tenants).values({ slug: 'cong-ty-khac', name: 'Công ty Khác' }).returning();
    const [outsider] = await handle.db
      .insert(users)
      .values({ email: 'ke.toan@khac.example', displayName: 'Phan Văn Khác' })
      .returning();
    await handle.db.insert(memberships).values({ tenantId: other!.id, userId: outsider!.id, role: 'staff' });
    const [group] = await handle.db
      .insert(groups)
      .values({ tenantId: other!.id, key: 'accounting', name: 'Accounting' })
      .returning();
    await handle.db.insert(groupMembers).values({ tenantId: other!.id, groupId: group!.id, userId: outsider!.id });

    const ngoc = await callerFor(handle.db, demo.ngoc);
    const { id } = await ngoc.instance.start({ definitionKey: 'invoice-approval', variables: invoice(9_000_000) });
    const task = (await (await callerFor(handle.db, demo.hung)).task.list()).find((t) => t.instanceId === id)!;
    const before = await snapshot(id);

    // when the outsider, also "accounting", tries to reach them by id
    const stranger = await callerFor(handle.db, 'ke.toan@khac.example');
    expect(await stranger.task.list()).toEqual([]);
    expect(await stranger.definition.list()).toEqual([]);
    await expect(stranger.task.get({ id: task.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(stranger.task.complete({ id: task.id, data: { decision: 'approve' } })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(stranger.instance.get({ id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      stranger.instance.start({ definitionKey: 'invoice-approval', variables: invoice(1_000) }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await snapshot(id)).toEqual(before);
  });

  it('refuses to publish an invalid definition, naming the element', async () => {
    const broken = { ...structuredClone(invoiceDefinition), version: 2 };
    broken.flows = broken.flows.filter((f) => f.id !== 'operationsApproved');
    await expect(publishProcess(handle.db, tenantId, { definition: broken, forms: [] }, null)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining(
        'Exclusive gateway "operationsDecision" names default flow "operationsApproved", which is not one of its outgoing flows.',
      ),
    });
    // a published version is never overwritten
    await expect(
      publishProcess(handle.db, tenantId, { definition: invoiceDefinition, forms: [] }, null),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });
});
