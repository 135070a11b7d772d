/**
 * Access rules beyond the role of a procedure, through the API on a real database (PGlite, and
 * PostgreSQL with DATABASE_URL): designers publish and export, staff cannot; who may start a
 * process is part of its definition (departments, roles; admins always); an instance is cancelled
 * by an admin or its initiator, with a reason, audited, its tasks ending with it; an instance is
 * read by admins, auditors, its initiator and whoever has a task in it.
 */
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { auditEvents, memberships, processDefinitions, processInstances, tasks, users } from '@/db/schema';
import { importBpmn } from '@/engine';
import { seedDemo } from '@/app/server/seed';
import { createContextInner } from '@/app/server/trpc/init';
import { createCaller } from '@/app/server/trpc/root';
import { demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

const ADMIN = 'bao.ngo@senvang.example';
const DESIGNER = 'trang.hoang@senvang.example';
const AUDITOR = 'kiem.toan@senvang.example';

let handle: DatabaseHandle;
let tenantId: string;

async function as(email: string) {
  const [user] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, email));
  return createCaller(await createContextInner({ db: handle.db, userId: user!.id, tenantId, locale: 'en' }));
}

const flow = (id: string, source: string, target: string) => ({ id, source, target });

/** A leave request: a start form, a review by HR, optionally limited in who may start it. */
function leaveRequest(key: string, version = 1, startableBy?: object) {
  return {
    definition: {
      formatVersion: 1,
      key,
      version,
      name: { en: 'Leave request', vi: 'Đơn xin nghỉ phép' },
      startForm: 'leave-start',
      businessKey: 'reason',
      ...(startableBy ? { startableBy } : {}),
      elements: [
        { id: 's', type: 'startEvent' },
        {
          id: 'review',
          type: 'userTask',
          name: { en: 'HR review', vi: 'Nhân sự xem xét' },
          formKey: 'leave-review',
          candidateGroups: ['hr'],
        },
        { id: 'e', type: 'endEvent' },
      ],
      flows: [flow('f1', 's', 'review'), flow('f2', 'review', 'e')],
    },
    forms: [
      {
        key: 'leave-start',
        version: 1,
        title: { en: 'Leave', vi: 'Nghỉ phép' },
        schema: { type: 'object', required: ['reason'], properties: { reason: { type: 'string', title: 'Lý do' } } },
      },
      {
        key: 'leave-review',
        version: 1,
        title: 'Xem xét',
        schema: { type: 'object', properties: { ok: { type: 'boolean' } } },
      },
    ],
  };
}

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  const [auditor] = await handle.db.insert(users).values({ email: AUDITOR, displayName: 'Kiểm Toán Viên' }).returning();
  await handle.db.insert(memberships).values({ tenantId, userId: auditor!.id, role: 'auditor' });
});
afterAll(async () => handle?.close());

describe('definition.publish', () => {
  it('a designer publishes; staff and auditors are refused and nothing is published', async () => {
    const published = await (await as(DESIGNER)).definition.publish(leaveRequest('leave-request'));
    expect(published).toMatchObject({ key: 'leave-request', version: 1 });
    const [row] = await handle.db.select().from(processDefinitions).where(eq(processDefinitions.id, published.id));
    expect(row!.publishedBy).not.toBeNull();

    for (const who of [demo.ngoc, AUDITOR]) {
      await expect((await as(who)).definition.publish(leaveRequest('staff-made'))).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: 'Only a designer or an admin may publish processes.',
      });
    }
    expect(await handle.db.select().from(processDefinitions).where(eq(processDefinitions.key, 'staff-made'))).toEqual(
      [],
    );
  });

  it('names the fields at fault: the definition element, the form', async () => {
    const designer = await as(DESIGNER);
    const bad = leaveRequest('broken');
    (bad.definition.elements[1] as Record<string, unknown>).formKey = 'Không Hợp Lệ';
    const error = await designer.definition.publish(bad).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BAD_REQUEST' });
    expect(fieldsOf(error)).toContain('definition.elements[1].formKey');

    const badForm = leaveRequest('broken-form');
    (badForm.forms[0] as Record<string, unknown>).schema = { type: 'array' };
    const formError = await designer.definition.publish(badForm).catch((e: unknown) => e);
    expect(fieldsOf(formError)).toEqual(['forms.0.schema.type']);
    expect(await handle.db.select().from(processDefinitions).where(eq(processDefinitions.key, 'broken-form'))).toEqual(
      [],
    );
  });

  it('refuses a definition larger than 1 MB before reading it', async () => {
    const big = leaveRequest('too-big');
    (big.definition as Record<string, unknown>).description = 'x'.repeat(1_000_001);
    await expect((await as(DESIGNER)).definition.publish(big)).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('larger than 1 MB'),
    });
  });
});

/** The field paths of an AppError carried by a TRPCError. */
function fieldsOf(error: unknown): string[] {
  const fields = (error as { cause?: { fields?: { field: string }[] } }).cause?.fields;
  return fields?.map((f) => f.field) ?? [];
}

describe('definition.export', () => {
  it('gives the published version as canonical JSON with its forms, which publishes again as a new version', async () => {
    const designer = await as(DESIGNER);
    const exported = await designer.definition.export({ key: 'leave-request' });
    expect(exported).toMatchObject({
      key: 'leave-request',
      version: 1,
      format: 'json',
      fileName: 'leave-request.v1.json',
    });
    expect(exported.forms.map((f) => f.key)).toEqual(['leave-review', 'leave-start']);
    const definition = JSON.parse(exported.content) as Record<string, unknown>;
    expect(definition.name).toEqual({ en: 'Leave request', vi: 'Đơn xin nghỉ phép' });

    const again = await designer.definition.publish({
      definition: { ...definition, version: 2 },
      forms: exported.forms,
    });
    expect(again.version).toBe(2);
  });

  it('gives BPMN XML that imports back to the same process, who may start it included', async () => {
    const admin = await as(ADMIN);
    await admin.definition.publish(leaveRequest('hr-only', 1, { groups: ['hr'], roles: ['designer'] }));
    const exported = await admin.definition.export({ key: 'hr-only', format: 'bpmn' });
    expect(exported.fileName).toBe('hr-only.v1.bpmn');
    expect(exported.content).toContain('trellis:startableBy="hr"');
    const { definition } = await importBpmn(exported.content);
    expect(definition).toMatchObject({
      key: 'hr-only',
      startableBy: { groups: ['hr'], roles: ['designer'] },
      startForm: 'leave-start',
    });
  });

  it('is for designers and admins only; an unknown version is not found', async () => {
    await expect((await as(demo.ngoc)).definition.export({ key: 'leave-request' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'Only a designer or an admin may export processes.',
    });
    await expect((await as(DESIGNER)).definition.export({ key: 'leave-request', version: 9 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'No version 9 of process "leave-request" is published in this company.',
    });
  });
});

describe('who may start a process', () => {
  beforeAll(async () => {
    const admin = await as(ADMIN);
    await admin.definition.publish(leaveRequest('designers-start', 1, { roles: ['designer'] }));
  });

  it('by department: members of HR start it, Ngọc (operations) is refused with a clear message, admins always may', async () => {
    const mai = await as('mai.le@senvang.example'); // HR
    expect((await mai.instance.start({ definitionKey: 'hr-only', variables: { reason: 'Nghỉ ốm' } })).status).toBe(
      'active',
    );
    await expect(
      (await as(demo.ngoc)).instance.start({ definitionKey: 'hr-only', variables: { reason: 'Nghỉ phép năm' } }),
    ).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'You may not start "hr-only": only members of hr, designers or admins may.',
    });
    expect(
      (await (await as(ADMIN)).instance.start({ definitionKey: 'hr-only', variables: { reason: 'Thay mặt' } })).status,
    ).toBe('active');
  });

  it('by role: a designer starts it, staff do not; auditors never start anything', async () => {
    expect(
      (
        await (
          await as(DESIGNER)
        ).instance.start({ definitionKey: 'designers-start', variables: { reason: 'Thử quy trình' } })
      ).status,
    ).toBe('active');
    await expect(
      (await as(demo.hung)).instance.start({ definitionKey: 'designers-start', variables: { reason: 'x' } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      (await as(AUDITOR)).instance.start({ definitionKey: 'leave-request', variables: { reason: 'x' } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN', message: 'Auditors have read-only access.' });
  });

  it('filters the start list: each sees only what they may start', async () => {
    const mine = new Set(['leave-request', 'hr-only', 'designers-start']); // the seed may publish others
    const keys = async (who: string) =>
      (await (await as(who)).definition.list())
        .map((d) => d.key)
        .filter((k) => mine.has(k))
        .sort();
    expect(await keys(demo.ngoc)).toEqual(['leave-request']);
    expect(await keys('mai.le@senvang.example')).toEqual(['hr-only', 'leave-request']);
    expect(await keys(DESIGNER)).toEqual(['designers-start', 'hr-only', 'leave-request']);
    expect(await keys(ADMIN)).toEqual(['designers-start', 'hr-only', 'leave-request']);
    expect(await keys(AUDITOR)).toEqual([]);
    await expect((await as(demo.ngoc)).definition.get({ key: 'hr-only' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'You may not start "hr-only": only members of hr, designers or admins may.',
    });
    await expect((await as(AUDITOR)).definition.get({ key: 'leave-request' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'You may not start "leave-request": auditors have read-only access.',
    });
  });
});

describe('instance.cancel', () => {
  const start = async (who = demo.ngoc) =>
    (await as(who)).instance.start({ definitionKey: 'leave-request', variables: { reason: 'Việc gia đình' } });

  it('the initiator cancels their running instance with a reason: its task is cancelled and the audit says who and why', async () => {
    const { id, taskIds } = await start();
    expect(await (await as(demo.ngoc)).instance.cancel({ id, reason: 'Nhập nhầm ngày' })).toEqual({
      id,
      status: 'terminated',
    });
    const [instance] = await handle.db
      .select({ status: processInstances.status, endedAt: processInstances.endedAt })
      .from(processInstances)
      .where(eq(processInstances.id, id));
    expect(instance!.status).toBe('terminated');
    expect(instance!.endedAt).not.toBeNull();
    expect(
      (await handle.db.select({ status: tasks.status }).from(tasks).where(eq(tasks.id, taskIds[0]!)))[0]!.status,
    ).toBe('cancelled');
    const [audit] = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, id), eq(auditEvents.type, 'instance.cancelled')));
    expect(audit!.data).toEqual({ by: 'initiator', reason: 'Nhập nhầm ngày', before: 'active' });
    // the history shows it, with the initiator's name
    const view = await (await as(demo.ngoc)).instance.get({ id });
    expect(view.history.find((h) => h.type === 'instance.cancelled')).toMatchObject({ actor: 'Bùi Thị Ngọc' });
  });

  it('a second cancel is a conflict, not a second cancellation; the same idempotency key returns the first answer', async () => {
    const { id } = await start();
    const ngoc = await as(demo.ngoc);
    const first = await ngoc.instance.cancel({ id, reason: 'Trùng', idempotencyKey: 'cancel-twice-1' });
    expect(await ngoc.instance.cancel({ id, reason: 'Trùng', idempotencyKey: 'cancel-twice-1' })).toEqual(first);
    await expect(ngoc.instance.cancel({ id, reason: 'Trùng' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: `Process instance "${id}" is already terminated.`,
    });
    expect(
      await handle.db
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.instanceId, id), eq(auditEvents.type, 'instance.cancelled'))),
    ).toHaveLength(1);
  });

  it('others are refused, a reason is required, and a refused cancel changes nothing; an admin may', async () => {
    const { id } = await start();
    await expect((await as(demo.hung)).instance.cancel({ id, reason: 'Không phải của tôi' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: `Only an admin or whoever started process instance "${id}" may cancel it.`,
    });
    await expect((await as(AUDITOR)).instance.cancel({ id, reason: 'x' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: 'Auditors have read-only access.',
    });
    await expect((await as(demo.ngoc)).instance.cancel({ id, reason: '   ' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('Give a reason for cancelling.'),
    });
    expect(
      (
        await handle.db
          .select({ status: processInstances.status })
          .from(processInstances)
          .where(eq(processInstances.id, id))
      )[0]!.status,
    ).toBe('active');

    await (await as(ADMIN)).instance.cancel({ id, reason: 'Dọn dẹp' });
    const [audit] = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, id), eq(auditEvents.type, 'instance.cancelled')));
    expect(audit!.data).toMatchObject({ by: 'admin', reason: 'Dọn dẹp' });
  });

  it("the refusals and the missing reason speak the caller's language (Vietnamese), naming the field", async () => {
    const { id, taskIds } = await start();
    const viAs = async (email: string) => {
      const [user] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, email));
      return createCaller(await createContextInner({ db: handle.db, userId: user!.id, tenantId, locale: 'vi' }));
    };
    await expect((await viAs(demo.hung)).instance.cancel({ id, reason: 'Không phải của tôi' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: `Chỉ quản trị viên hoặc người đã bắt đầu phiên quy trình "${id}" mới được hủy nó.`,
    });
    const missing = await (await viAs(demo.ngoc)).instance.cancel({ id, reason: '  ' }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ code: 'BAD_REQUEST', message: 'Hãy nhập lý do hủy.' });
    expect(JSON.stringify((missing as { cause?: unknown }).cause ?? missing)).toContain('"field":"reason"');
    expect(
      (
        await handle.db
          .select({ status: processInstances.status })
          .from(processInstances)
          .where(eq(processInstances.id, id))
      )[0]!.status,
    ).toBe('active');
    // The same rule in English for an English caller, and the ended case in Vietnamese.
    await expect((await as(demo.ngoc)).instance.cancel({ id, reason: '' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: 'Give a reason for cancelling.',
    });
    await (await as('mai.le@senvang.example')).task.complete({ id: taskIds[0]!, data: { ok: true } });
    await expect((await viAs(demo.ngoc)).instance.cancel({ id, reason: 'Muộn rồi' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: `Phiên quy trình "${id}" không còn chạy: đã hoàn thành.`,
    });
  });

  it('a completed instance cannot be cancelled', async () => {
    const { id, taskIds } = await start();
    await (await as('mai.le@senvang.example')).task.complete({ id: taskIds[0]!, data: { ok: true } });
    await expect((await as(demo.ngoc)).instance.cancel({ id, reason: 'Muộn rồi' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: `Process instance "${id}" is already completed.`,
    });
  });

  it('instance.get says who may cancel it now (mayCancel), by the same rule the command enforces', async () => {
    const { id } = await start();
    const mayCancel = async (who: string) => (await (await as(who)).instance.get({ id })).mayCancel;
    // The initiator and an admin may; the HR manager (a task in it), an auditor may read it but not cancel it.
    expect({
      ngoc: await mayCancel(demo.ngoc),
      admin: await mayCancel(ADMIN),
      mai: await mayCancel('mai.le@senvang.example'),
      auditor: await mayCancel(AUDITOR),
    }).toEqual({ ngoc: true, admin: true, mai: false, auditor: false });
    await expect((await as('mai.le@senvang.example')).instance.cancel({ id, reason: 'Thử' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await (await as(demo.ngoc)).instance.cancel({ id, reason: 'Không cần nữa' });
    // Once ended, nobody may.
    expect({ ngoc: await mayCancel(demo.ngoc), admin: await mayCancel(ADMIN) }).toEqual({ ngoc: false, admin: false });
  });
});

describe('instance.get', () => {
  it('admins, auditors, the initiator and whoever has a task in it read it; other staff are refused', async () => {
    const { id } = await (
      await as(demo.ngoc)
    ).instance.start({ definitionKey: 'leave-request', variables: { reason: 'Khám sức khỏe' } });
    for (const who of [ADMIN, AUDITOR, demo.ngoc, 'mai.le@senvang.example'])
      expect((await (await as(who)).instance.get({ id })).businessKey).toBe('Khám sức khỏe');
    await expect((await as(demo.tuan)).instance.get({ id })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message:
        'The “Leave request” process you asked for is not yours to see: you did not start it and none of its tasks was offered to you.',
    });
  });
});
