/**
 * Another company's ids, through the API: reading (instance, task, process), completing,
 * claiming, cancelling, starting by key and exporting are all NOT_FOUND — never FORBIDDEN, which
 * would confirm the record exists — change nothing (row counts and the audit stay the same), and
 * the message carries none of the other company's data. A user in no company, or asking for a
 * company they are not a member of, sees nothing. On PGlite, and PostgreSQL with DATABASE_URL.
 */
import { count, eq } from 'drizzle-orm';
import { TRPCError } from '@trpc/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import {
  auditEvents,
  commandResults,
  groupMembers,
  groups,
  jobs,
  memberships,
  processDefinitions,
  processInstances,
  subscriptions,
  tasks,
  tenants,
  users,
} from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { createContextInner } from '@/app/server/trpc/init';
import { createCaller } from '@/app/server/trpc/root';
import { demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

const ADMIN = 'bao.ngo@senvang.example';
/** The other company, and what of theirs must never show in our errors. */
const THEIRS = {
  company: 'Công ty Hoa Sen',
  process: 'Duyệt chi Hoa Sen',
  businessKey: 'HS-BÍ-MẬT-001',
  group: 'hoa-sen-ke-toan',
  admin: 'Trịnh Thị Hoa',
  staff: 'Lý Văn Sen',
};

let handle: DatabaseHandle;
let ourTenant: string;
let theirTenant: string;
let theirs: { instanceId: string; taskId: string; key: string };

const flow = (id: string, source: string, target: string) => ({ id, source, target });

async function publishApproval(tenantId: string, key: string, name: string, group: string) {
  await publishProcess(
    handle.db,
    tenantId,
    {
      definition: {
        formatVersion: 1,
        key,
        version: 1,
        name,
        startForm: `${key}-start`,
        businessKey: 'reference',
        elements: [
          { id: 's', type: 'startEvent' },
          { id: 'approve', type: 'userTask', formKey: `${key}-decision`, candidateGroups: [group] },
          { id: 'e', type: 'endEvent' },
        ],
        flows: [flow('f1', 's', 'approve'), flow('f2', 'approve', 'e')],
      },
      forms: [
        {
          key: `${key}-start`,
          version: 1,
          title: 'Bắt đầu',
          schema: { type: 'object', properties: { reference: { type: 'string' } } },
        },
        {
          key: `${key}-decision`,
          version: 1,
          title: 'Quyết định',
          schema: {
            type: 'object',
            required: ['decision'],
            properties: { decision: { type: 'string', enum: ['approve', 'reject'] } },
          },
        },
      ],
    },
    null,
  );
}

async function idOf(email: string) {
  return (await handle.db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
}

async function as(email: string, tenantId: string | null = ourTenant) {
  return createCaller(await createContextInner({ db: handle.db, userId: await idOf(email), tenantId, locale: 'en' }));
}

/** Rows of every table a command could write: a refused command leaves them all as they were. */
async function footprint() {
  const tables = { processInstances, tasks, auditEvents, jobs, subscriptions, processDefinitions, commandResults };
  const out: Record<string, number> = {};
  for (const [name, table] of Object.entries(tables))
    out[name] = (await handle.db.select({ n: count() }).from(table))[0]!.n;
  return out;
}

beforeAll(async () => {
  handle = await createTestDatabase();
  ourTenant = await seedDemo(handle.db);
  await publishApproval(ourTenant, 'our-approval', 'Duyệt chi', 'accounting');

  // The other company: its own admin, an accountant in its own department, a process only it has, and a running instance.
  const [other] = await handle.db.insert(tenants).values({ slug: 'hoa-sen', name: THEIRS.company }).returning();
  theirTenant = other!.id;
  const [boss, clerk] = await handle.db
    .insert(users)
    .values([
      { email: 'hoa@hoasen.example', displayName: THEIRS.admin },
      { email: 'sen@hoasen.example', displayName: THEIRS.staff },
    ])
    .returning();
  await handle.db.insert(memberships).values([
    { tenantId: theirTenant, userId: boss!.id, role: 'admin' },
    { tenantId: theirTenant, userId: clerk!.id, role: 'staff' },
  ]);
  const [group] = await handle.db
    .insert(groups)
    .values({ tenantId: theirTenant, key: THEIRS.group, name: 'Kế toán Hoa Sen' })
    .returning();
  await handle.db.insert(groupMembers).values({ tenantId: theirTenant, groupId: group!.id, userId: clerk!.id });
  // Their process under a key only they have, and under the same key as ours (a key names a process within one company).
  await publishApproval(theirTenant, 'hoa-sen-approval', THEIRS.process, THEIRS.group);
  const started = await (
    await as('sen@hoasen.example', theirTenant)
  ).instance.start({ definitionKey: 'hoa-sen-approval', variables: { reference: THEIRS.businessKey } });
  theirs = { instanceId: started.id, taskId: started.taskIds[0]!, key: 'hoa-sen-approval' };
});
afterAll(async () => handle?.close());

/** Asserts NOT_FOUND, with none of their data in the message, and nothing changed anywhere. */
async function expectNotFound(call: () => Promise<unknown>) {
  const before = await footprint();
  const error = await call().then(
    () => null,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TRPCError);
  expect((error as TRPCError).code).toBe('NOT_FOUND');
  const message = (error as TRPCError).message;
  for (const secret of Object.values(THEIRS)) expect(message).not.toContain(secret);
  expect(message).not.toMatch(/active|open|approve|reference/i);
  expect(await footprint()).toEqual(before);
  return message;
}

describe("another company's ids", () => {
  it('reading their instance, task or process: not found, for our admin and our staff alike', async () => {
    for (const who of [ADMIN, demo.hung]) {
      const us = await as(who);
      await expectNotFound(() => us.instance.get({ id: theirs.instanceId }));
      await expectNotFound(() => us.task.get({ id: theirs.taskId }));
      await expectNotFound(() => us.definition.get({ key: theirs.key }));
    }
  });

  it('completing, claiming or cancelling theirs: not found, and their task and instance are untouched', async () => {
    const hung = await as(demo.hung);
    await expectNotFound(() => hung.task.complete({ id: theirs.taskId, data: { decision: 'approve' } }));
    await expectNotFound(() =>
      hung.task.complete({
        id: theirs.taskId,
        data: { decision: 'approve' },
        idempotencyKey: 'cross-company-complete-1',
      }),
    );
    await expectNotFound(() => hung.task.claim({ id: theirs.taskId }));
    const admin = await as(ADMIN);
    await expectNotFound(() => admin.instance.cancel({ id: theirs.instanceId, reason: 'Không phải của mình' }));
    await expectNotFound(() => admin.task.complete({ id: theirs.taskId, data: { decision: 'reject' } }));

    const [task] = await handle.db
      .select({ status: tasks.status, assigneeId: tasks.assigneeId, completedBy: tasks.completedBy })
      .from(tasks)
      .where(eq(tasks.id, theirs.taskId));
    expect(task).toEqual({ status: 'open', assigneeId: null, completedBy: null });
    const [instance] = await handle.db
      .select({ status: processInstances.status, version: processInstances.version })
      .from(processInstances)
      .where(eq(processInstances.id, theirs.instanceId));
    expect(instance).toEqual({ status: 'active', version: 1 });
  });

  it('starting their process by its key, or exporting it: not found', async () => {
    const admin = await as(ADMIN);
    await expectNotFound(() => admin.instance.start({ definitionKey: theirs.key, variables: { reference: 'X-1' } }));
    await expectNotFound(() =>
      admin.instance.start({ definitionKey: theirs.key, variables: {}, idempotencyKey: 'cross-company-start-1' }),
    );
    await expectNotFound(() => admin.definition.export({ key: theirs.key }));
    await expectNotFound(() => admin.definition.export({ key: theirs.key, version: 1, format: 'bpmn' }));
  });

  it('their admin cannot reach ours either (the rule is not one-sided)', async () => {
    const ours = await (
      await as(demo.ngoc)
    ).instance.start({ definitionKey: 'our-approval', variables: { reference: 'SV-1' } });
    const theirAdmin = await as('hoa@hoasen.example', theirTenant);
    await expectNotFound(() => theirAdmin.instance.get({ id: ours.id }));
    await expectNotFound(() => theirAdmin.task.get({ id: ours.taskIds[0]! }));
    await expectNotFound(() => theirAdmin.instance.cancel({ id: ours.id, reason: 'Thử' }));
    await expectNotFound(() => theirAdmin.definition.export({ key: 'our-approval' }));
    // and lists show only their own
    expect((await theirAdmin.definition.list()).map((d) => d.key)).toEqual(['hoa-sen-approval']);
    expect((await theirAdmin.task.list()).map((t) => t.id)).not.toContain(ours.taskIds[0]);
  });
});

describe('a user in no company', () => {
  it('is nobody: no actor, and every non-public procedure says to sign in', async () => {
    const [loner] = await handle.db
      .insert(users)
      .values({ email: 'nguoi.ngoai@example.com', displayName: 'Người Ngoài' })
      .returning();
    const caller = createCaller(await createContextInner({ db: handle.db, userId: loner!.id, locale: 'en' }));
    expect(await caller.session.me()).toBeNull();
    for (const call of [
      () => caller.task.list(),
      () => caller.definition.list(),
      () => caller.instance.get({ id: theirs.instanceId }),
      () => caller.incident.list(),
    ]) {
      await expect(call()).rejects.toMatchObject({ code: 'UNAUTHORIZED', message: 'Sign in to continue.' });
    }
  });

  it('a member asking for a company they do not belong to is nobody there', async () => {
    const caller = await as(ADMIN, theirTenant);
    expect(await caller.session.me()).toBeNull();
    await expect(caller.instance.get({ id: theirs.instanceId })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(caller.task.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe("another company's messages and signals", () => {
  // Their process waits for a message and a signal that their accounting may send (sendableBy).
  let waiting: { instanceId: string };
  const reference = 'HS-TIN-NHAN-001';
  const state = async () =>
    (
      await handle.db
        .select({ status: processInstances.status, version: processInstances.version, state: processInstances.state })
        .from(processInstances)
        .where(eq(processInstances.id, waiting.instanceId))
    )[0]!;
  beforeAll(async () => {
    const theirDepartment = { groups: [THEIRS.group] };
    await publishProcess(
      handle.db,
      theirTenant,
      {
        definition: {
          formatVersion: 1,
          key: 'hoa-sen-payment',
          version: 1,
          name: THEIRS.process,
          startForm: 'hoa-sen-approval-start',
          elements: [
            { id: 's', type: 'startEvent' },
            { id: 'split', type: 'parallelGateway' },
            {
              id: 'paid',
              type: 'intermediateCatchEvent',
              event: {
                kind: 'message',
                name: 'invoice-paid',
                correlationKey: 'reference',
                sendableBy: theirDepartment,
              },
            },
            {
              id: 'closed',
              type: 'intermediateCatchEvent',
              event: { kind: 'signal', name: 'quarter-closed', sendableBy: theirDepartment },
            },
            { id: 'e1', type: 'endEvent' },
            { id: 'e2', type: 'endEvent' },
          ],
          flows: [
            flow('f1', 's', 'split'),
            flow('f2', 'split', 'paid'),
            flow('f3', 'split', 'closed'),
            flow('f4', 'paid', 'e1'),
            flow('f5', 'closed', 'e2'),
          ],
        },
        forms: [],
      },
      null,
    );
    // Our admin's message, published before theirs waits and kept for an hour, must never reach it either.
    expect(
      await (
        await as(ADMIN)
      ).message.publish({
        name: 'invoice-paid',
        correlationKey: reference,
        variables: { approved: true },
        timeToLive: 3_600,
      }),
    ).toEqual({ correlated: 'buffered' });
    waiting = {
      instanceId: (
        await (
          await as('sen@hoasen.example', theirTenant)
        ).instance.start({ definitionKey: 'hoa-sen-payment', variables: { reference } })
      ).id,
    };
  });

  it("our admin's message and signal never reach their waiting instance, buffered or not", async () => {
    const before = await state();
    expect(before).toMatchObject({ status: 'active', version: 1 });
    // (the server names who started it: the initiator variable)
    expect(before.state.variables).toEqual({
      reference,
      initiator: expect.objectContaining({ email: 'sen@hoasen.example' }),
    });
    const admin = await as(ADMIN);
    expect(
      await admin.message.publish({ name: 'invoice-paid', correlationKey: reference, variables: { approved: true } }),
    ).toEqual({ correlated: 'dropped' });
    expect(await admin.signal.broadcast({ name: 'quarter-closed', variables: { approved: true } })).toEqual({
      delivered: [],
      started: [],
    });
    expect(await state()).toEqual(before);
  });

  it('our staff: their declaration does not make the signal public here, and the refusal names nothing of theirs', async () => {
    const error = await (await as(demo.hung)).signal.broadcast({ name: 'quarter-closed' }).then(
      () => null,
      (e: unknown) => e as TRPCError,
    );
    expect(error).toMatchObject({
      code: 'FORBIDDEN',
      message:
        'Signal "quarter-closed" is not public: no process says who may broadcast it (sendableBy), so only admins may.',
    });
    for (const secret of Object.values(THEIRS)) expect(error!.message).not.toContain(secret);
    expect((await state()).version).toBe(1);
  });

  it('their clerk reaches their own instance (the rule is the same inside each company)', async () => {
    const clerk = await as('sen@hoasen.example', theirTenant);
    expect(
      await clerk.message.publish({ name: 'invoice-paid', correlationKey: reference, variables: { paidBy: 'bank' } }),
    ).toEqual({ correlated: 'instance', instanceId: waiting.instanceId });
    expect(await clerk.signal.broadcast({ name: 'quarter-closed' })).toEqual({
      delivered: [waiting.instanceId],
      started: [],
    });
    expect(await state()).toMatchObject({ status: 'completed', state: { variables: { reference, paidBy: 'bank' } } });
  });
});
