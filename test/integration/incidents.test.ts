/**
 * Incidents through the API, on a real database (PGlite, and PostgreSQL when DATABASE_URL is
 * set): incident.list shows a company's failed jobs and engine-stopped instances (admins only,
 * never another company's); incident.retry runs a failed job again or has the engine try the
 * stuck element again after the variables are fixed; incident.resolve ends an instance. A timer
 * that comes due while its instance is stopped is held, not dropped, and fires after the retry.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import {
  auditEvents,
  jobs,
  memberships,
  processDefinitions,
  processInstances,
  tasks,
  tenants,
  users,
} from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { publishProcess, publishWarnings } from '@/app/server/services/definitions';
import { ConnectorBusinessError } from '@/app/server/host/jobs';
import { createWorker } from '@/app/server/host/worker';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

const ADMIN = 'bao.ngo@senvang.example';
const OTHER_ADMIN = 'giam.doc@khac.example';

let handle: DatabaseHandle;
const flow = (id: string, source: string, target: string, condition?: string) => ({
  id,
  source,
  target,
  ...(condition ? { condition } : {}),
});
const task = (id: string, name?: object) => ({
  id,
  type: 'userTask',
  formKey: 'decision',
  candidateGroups: ['accounting'],
  ...(name ? { name } : {}),
});
const decision = {
  key: 'decision',
  version: 1,
  title: 'Quyết định',
  schema: { type: 'object', properties: { decision: { type: 'string', enum: ['approve', 'reject'] } } },
};

/** A payment whose bank call is a job; an amount router whose gateway needs `amount`; a wait beside a bank call. */
async function publishAll(tenantId: string) {
  const publish = (definition: object, forms: object[] = []) =>
    publishProcess(handle.db, tenantId, { definition, forms }, null);
  await publish(
    {
      formatVersion: 1,
      key: 'supplier-payment',
      version: 1,
      name: { en: 'Supplier payment', vi: 'Thanh toán nhà cung cấp' },
      startForm: 'payment-start',
      businessKey: 'invoiceNumber',
      elements: [
        { id: 's', type: 'startEvent' },
        {
          id: 'charge',
          type: 'serviceTask',
          taskType: 'charge-card',
          name: { en: 'Pay by bank', vi: 'Chuyển khoản ngân hàng' },
        },
        { id: 'e', type: 'endEvent' },
      ],
      flows: [flow('f1', 's', 'charge'), flow('f2', 'charge', 'e')],
    },
    [
      {
        key: 'payment-start',
        version: 1,
        title: 'Thanh toán',
        schema: { type: 'object', properties: { invoiceNumber: { type: 'string' } } },
      },
    ],
  );
  await publish(
    {
      formatVersion: 1,
      key: 'amount-routing',
      version: 1,
      name: { en: 'Route by amount', vi: 'Phân luồng theo số tiền' },
      startForm: 'routing-start',
      businessKey: 'reference',
      elements: [
        { id: 's', type: 'startEvent' },
        { id: 'size', type: 'exclusiveGateway', default: 'toSmall', name: { en: 'Large amount?', vi: 'Số tiền lớn?' } },
        task('big'),
        task('small'),
        { id: 'e', type: 'endEvent' },
      ],
      flows: [
        flow('f0', 's', 'size'),
        flow('toBig', 'size', 'big', 'amount > 1000000'),
        flow('toSmall', 'size', 'small'),
        flow('f3', 'big', 'e'),
        flow('f4', 'small', 'e'),
      ],
    },
    [
      decision,
      {
        key: 'routing-start',
        version: 1,
        title: 'Số tiền',
        schema: { type: 'object', properties: { reference: { type: 'string' }, amount: { type: 'number' } } },
      },
    ],
  );
  await publish(
    {
      formatVersion: 1,
      key: 'cool-off-payment',
      version: 1,
      name: { en: 'Payment with a cooling-off hour', vi: 'Thanh toán sau một giờ chờ' },
      elements: [
        { id: 's', type: 'startEvent' },
        { id: 'split', type: 'parallelGateway' },
        { id: 'coolOff', type: 'intermediateCatchEvent', event: { kind: 'timer', duration: 'PT1H' } },
        { id: 'charge', type: 'serviceTask', taskType: 'charge-card' },
        { id: 'join', type: 'parallelGateway' },
        task('review'),
        { id: 'e', type: 'endEvent' },
      ],
      flows: [
        flow('f1', 's', 'split'),
        flow('f2', 'split', 'coolOff'),
        flow('f3', 'split', 'charge'),
        flow('f4', 'coolOff', 'join'),
        flow('f5', 'charge', 'join'),
        flow('f6', 'join', 'review'),
        flow('f7', 'review', 'e'),
      ],
    },
    [decision],
  );
  // A gateway without a default flow (legal BPMN, common in Flowable and Camunda models): it publishes, with a warning.
  await publish(
    {
      formatVersion: 1,
      key: 'review-outcome',
      version: 1,
      name: { en: 'Act on the review', vi: 'Xử lý theo kết quả xét duyệt' },
      startForm: 'review-start',
      elements: [
        { id: 's', type: 'startEvent' },
        { id: 'outcome', type: 'exclusiveGateway', name: { en: 'Outcome?', vi: 'Kết quả?' } },
        task('accept'),
        task('reject'),
        { id: 'e', type: 'endEvent' },
      ],
      flows: [
        flow('f0', 's', 'outcome'),
        flow('toAccept', 'outcome', 'accept', 'result = "Accept"'),
        flow('toReject', 'outcome', 'reject', 'result = "Reject"'),
        flow('f3', 'accept', 'e'),
        flow('f4', 'reject', 'e'),
      ],
    },
    [
      decision,
      {
        key: 'review-start',
        version: 1,
        title: 'Kết quả',
        schema: { type: 'object', properties: { result: { type: 'string' } } },
      },
    ],
  );
  // A bank call given an hour (an interrupting timer on it), and the same with the call as a called process.
  const withinAnHour = (
    key: string,
    activity: { id: string; type: string; taskType?: string; calledElement?: string },
  ) =>
    publish({
      formatVersion: 1,
      key,
      version: 1,
      name: key,
      elements: [
        { id: 's', type: 'startEvent' },
        activity,
        { id: 'tooLate', type: 'boundaryEvent', attachedTo: activity.id, event: { kind: 'timer', duration: 'PT1H' } },
        { id: 'paid', type: 'endEvent', outcome: 'paid' },
        { id: 'late', type: 'endEvent', outcome: 'late' },
      ],
      flows: [flow('f1', 's', activity.id), flow('f2', activity.id, 'paid'), flow('f3', 'tooLate', 'late')],
    });
  await withinAnHour('payment-within-an-hour', { id: 'charge', type: 'serviceTask', taskType: 'charge-card' });
  await publish({
    formatVersion: 1,
    key: 'bank-transfer',
    version: 1,
    name: 'Bank transfer',
    elements: [
      { id: 's', type: 'startEvent' },
      { id: 'charge', type: 'serviceTask', taskType: 'charge-card' },
      { id: 'e', type: 'endEvent' },
    ],
    flows: [flow('f1', 's', 'charge'), flow('f2', 'charge', 'e')],
  });
  await withinAnHour('transfer-within-an-hour', {
    id: 'transfer',
    type: 'callActivity',
    calledElement: 'bank-transfer',
  });
}

beforeAll(async () => {
  handle = await createTestDatabase();
  await publishAll(await seedDemo(handle.db));
  // a second company with its own admin, process and incident
  const [other] = await handle.db.insert(tenants).values({ slug: 'cong-ty-khac', name: 'Công ty Khác' }).returning();
  const [boss] = await handle.db.insert(users).values({ email: OTHER_ADMIN, displayName: 'Phan Văn Khác' }).returning();
  await handle.db.insert(memberships).values({ tenantId: other!.id, userId: boss!.id, role: 'admin' });
  await publishAll(other!.id);
});
afterAll(async () => handle?.close());

const instance = async (id: string) =>
  (await handle.db.select().from(processInstances).where(eq(processInstances.id, id)))[0]!;
const jobsOf = (id: string) => handle.db.select().from(jobs).where(eq(jobs.instanceId, id));
const auditOf = (id: string, type: string) =>
  handle.db
    .select()
    .from(auditEvents)
    .where(and(eq(auditEvents.instanceId, id), eq(auditEvents.type, type)));
const start = async (who: string, key: string, variables: Record<string, unknown> = {}) =>
  (await callerFor(handle.db, who)).instance.start({ definitionKey: key, variables });
const adminId = async (email: string) =>
  (await handle.db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;

type Bank = 'refuses' | 'account-closed' | 'pays';

/**
 * A worker whose bank connector refuses for good (retrying cannot help: the job fails at once),
 * answers a business error nobody catches (the engine stops the instance), or pays.
 */
const worker = (bank: Bank) =>
  createWorker(handle.db, {
    connectors: {
      'charge-card': async () => {
        if (bank === 'refuses')
          throw Object.assign(new Error('Ngân hàng từ chối: tài khoản nhận bị phong tỏa'), { retryable: false });
        if (bank === 'account-closed') throw new ConnectorBusinessError('ACCOUNT_CLOSED', 'Tài khoản đã đóng');
        return { receipt: 'UNC-2026-001' };
      },
    },
  });

describe('incident.list', () => {
  it('shows a failed job and an engine incident of the company, with process, instance, element, error and attempts', async () => {
    // given a payment whose bank refused for good, and a routing stopped at a gateway it cannot decide
    const payment = await start(demo.ngoc, 'supplier-payment', { invoiceNumber: 'HD-2026/0042' });
    await worker('refuses').tick();
    expect((await jobsOf(payment.id))[0]).toMatchObject({ status: 'failed', attempts: 1 });
    const routing = await start(demo.ngoc, 'amount-routing', { reference: 'PL-7' });
    expect(await instance(routing.id)).toMatchObject({ status: 'incident' });
    // and the other company has an incident of its own
    const theirs = await start(OTHER_ADMIN, 'amount-routing', { reference: 'KHAC-1' });

    // when our admin lists the incidents
    const list = await (await callerFor(handle.db, ADMIN)).incident.list();

    // then both of ours are there, described, and none of theirs
    const job = list.find((i) => i.instanceId === payment.id);
    expect(job).toMatchObject({
      kind: 'job',
      businessKey: 'HD-2026/0042',
      process: { key: 'supplier-payment', version: 1, name: { vi: 'Thanh toán nhà cung cấp' } },
      elementId: 'charge',
      elementName: { vi: 'Chuyển khoản ngân hàng' },
      code: 'JOB_FAILED',
      message: 'Ngân hàng từ chối: tài khoản nhận bị phong tỏa',
      attempts: 1,
    });
    expect(job!.since).toBeInstanceOf(Date);
    const stopped = list.find((i) => i.instanceId === routing.id);
    expect(stopped).toMatchObject({
      kind: 'instance',
      id: routing.id,
      businessKey: 'PL-7',
      elementId: 'size',
      elementName: { en: 'Large amount?' },
      attempts: null,
    });
    expect(stopped!.message).toContain('size');
    expect(stopped!.since).toBeInstanceOf(Date);
    expect(list.some((i) => i.instanceId === theirs.id)).toBe(false);
    // and theirs sees only theirs
    const other = await (await callerFor(handle.db, OTHER_ADMIN)).incident.list();
    expect(other.map((i) => i.instanceId)).toEqual([theirs.id]);
    // filtered by process
    const routings = await (await callerFor(handle.db, ADMIN)).incident.list({ processKey: 'amount-routing' });
    expect(routings.length).toBeGreaterThan(0);
    expect(routings.every((i) => i.process.key === 'amount-routing')).toBe(true);
    // and the instance view says it has an incident
    expect(await (await callerFor(handle.db, demo.ngoc)).instance.get({ id: payment.id })).toMatchObject({
      status: 'active',
      hasIncident: true,
    });
    expect(await (await callerFor(handle.db, demo.ngoc)).instance.get({ id: routing.id })).toMatchObject({
      status: 'incident',
      hasIncident: true,
    });
  });

  it('shows a gateway without a default flow where no condition holds as an incident naming the gateway, which a retry with the data fixed moves on', async () => {
    // it published with a warning naming the gateway, which the designer shows
    const [published] = await handle.db
      .select()
      .from(processDefinitions)
      .where(eq(processDefinitions.key, 'review-outcome'))
      .limit(1);
    expect(await publishWarnings(handle.db, published!.tenantId, published!.definition)).toContainEqual({
      elementId: 'outcome',
      message:
        'Exclusive gateway "outcome" has no default flow: when none of its conditions is true, the instance stops there with an incident. Add a default flow if another path should be taken then.',
    });
    const stuck = await start(demo.ngoc, 'review-outcome', { result: 'Later' });
    expect(await instance(stuck.id)).toMatchObject({ status: 'incident' });
    const admin = await callerFor(handle.db, ADMIN);
    const listed = (await admin.incident.list()).find((i) => i.instanceId === stuck.id);
    expect(listed).toMatchObject({
      kind: 'instance',
      elementId: 'outcome',
      elementName: { vi: 'Kết quả?' },
      code: 'NO_FLOW_TAKEN',
      message: 'No condition of gateway "outcome" is true and it has no default flow.',
    });
    await admin.incident.retry({ kind: 'instance', id: stuck.id, variables: { result: 'Reject' } });
    expect((await instance(stuck.id)).state).toMatchObject({ active: ['reject'] });
    // and one whose condition holds goes its way
    const accepted = await start(demo.ngoc, 'review-outcome', { result: 'Accept' });
    expect((await instance(accepted.id)).state).toMatchObject({ active: ['accept'] });
  });

  it('is refused to anyone but an admin, as are retry and resolve', async () => {
    const staff = await callerFor(handle.db, demo.ngoc);
    await expect(staff.incident.list()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const routing = await start(demo.ngoc, 'amount-routing', { reference: 'PL-8' });
    await expect(
      staff.incident.retry({ kind: 'instance', id: routing.id, variables: { amount: 1 } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(staff.incident.resolve({ instanceId: routing.id, reason: 'thử' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect((await callerFor(handle.db, null)).incident.list()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await instance(routing.id)).toMatchObject({ status: 'incident', version: 1 });
  });
});

describe('incident.retry', () => {
  it('runs a failed job again: the incident disappears and the instance moves on', async () => {
    // given a failed payment job
    const payment = await start(demo.ngoc, 'supplier-payment', { invoiceNumber: 'HD-2026/0043' });
    await worker('refuses').tick();
    const [failed] = await jobsOf(payment.id);
    expect(failed).toMatchObject({ status: 'failed' });
    const admin = await callerFor(handle.db, ADMIN);
    // when the admin retries it
    expect(await admin.incident.retry({ kind: 'job', id: failed!.id })).toMatchObject({
      kind: 'job',
      status: 'pending',
    });
    // then it is no longer an incident, and it is audited with who retried it
    expect((await admin.incident.list()).some((i) => i.id === failed!.id)).toBe(false);
    const [retried] = await auditOf(payment.id, 'incident.retried');
    expect(retried).toMatchObject({ actorId: await adminId(ADMIN), elementId: 'charge', data: { jobId: failed!.id } });
    // and once the bank pays, the job runs and the instance completes
    await worker('pays').tick();
    expect(await instance(payment.id)).toMatchObject({ status: 'completed' });
    expect((await instance(payment.id)).state.variables).toMatchObject({ receipt: 'UNC-2026-001' });
    expect((await jobsOf(payment.id))[0]).toMatchObject({ status: 'done' });
  });

  it('has the engine decide again once the variables are fixed; the instance moves on', async () => {
    const routing = await start(demo.ngoc, 'amount-routing', { reference: 'PL-9' });
    const admin = await callerFor(handle.db, ADMIN);
    // when retried with the missing amount
    const result = await admin.incident.retry({ kind: 'instance', id: routing.id, variables: { amount: 250_000_000 } });
    // then the gateway routes it to the large-amount task and the incident is gone
    expect(result).toMatchObject({ kind: 'instance', status: 'active', incident: null });
    expect(await instance(routing.id)).toMatchObject({ status: 'active', endedAt: null });
    expect((await instance(routing.id)).state).toMatchObject({ active: ['big'], variables: { amount: 250_000_000 } });
    expect(
      await handle.db.select({ elementId: tasks.elementId }).from(tasks).where(eq(tasks.instanceId, routing.id)),
    ).toEqual([{ elementId: 'big' }]);
    expect((await admin.incident.list()).some((i) => i.instanceId === routing.id)).toBe(false);
    // audited: who, the incident, and the variable before and after
    const [retried] = await auditOf(routing.id, 'incident.retried');
    expect(retried).toMatchObject({
      actorId: await adminId(ADMIN),
      elementId: 'size',
      data: { variables: { amount: { before: null, after: 250_000_000 } } },
    });
    // a second retry finds nothing to retry
    await expect(admin.incident.retry({ kind: 'instance', id: routing.id })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('keeps the instance in its incident, raised again, when the retry fails too', async () => {
    const routing = await start(demo.ngoc, 'amount-routing', { reference: 'PL-10' });
    const result = await (await callerFor(handle.db, ADMIN)).incident.retry({ kind: 'instance', id: routing.id });
    expect(result).toMatchObject({ status: 'incident', incident: { elementId: 'size' } });
    expect(await instance(routing.id)).toMatchObject({ status: 'incident', version: 2 });
    expect(await auditOf(routing.id, 'incident.raised')).toHaveLength(2);
  });

  it("does not reach another company's incidents", async () => {
    const theirs = await start(OTHER_ADMIN, 'amount-routing', { reference: 'KHAC-2' });
    const admin = await callerFor(handle.db, ADMIN);
    await expect(
      admin.incident.retry({ kind: 'instance', id: theirs.id, variables: { amount: 5 } }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      admin.incident.resolve({ instanceId: theirs.id, reason: 'không phải của chúng tôi' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await instance(theirs.id)).toMatchObject({ status: 'incident', version: 1 });
  });
});

describe('incident.resolve', () => {
  it('ends the instance, cancelling its failed job, with the reason in the history', async () => {
    const payment = await start(demo.ngoc, 'supplier-payment', { invoiceNumber: 'HD-2026/0044' });
    await worker('refuses').tick();
    const admin = await callerFor(handle.db, ADMIN);
    expect(
      await admin.incident.resolve({ instanceId: payment.id, reason: 'Nhà cung cấp đã được thanh toán bằng tiền mặt' }),
    ).toEqual({ id: payment.id, status: 'terminated' });
    expect(await instance(payment.id)).toMatchObject({ status: 'terminated' });
    expect((await jobsOf(payment.id))[0]).toMatchObject({ status: 'cancelled' });
    expect((await admin.incident.list()).some((i) => i.instanceId === payment.id)).toBe(false);
    const [ended] = await auditOf(payment.id, 'instance.terminated');
    expect(ended).toMatchObject({
      actorId: await adminId(ADMIN),
      data: { by: 'admin', reason: 'Nhà cung cấp đã được thanh toán bằng tiền mặt', before: 'active' },
    });
    expect(ended!.data.failedJobs).toHaveLength(1);
    await expect(admin.incident.resolve({ instanceId: payment.id, reason: 'lần nữa' })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('refuses an instance without an incident', async () => {
    const routing = await start(demo.ngoc, 'amount-routing', { reference: 'PL-11', amount: 10 });
    await expect(
      (await callerFor(handle.db, ADMIN)).incident.resolve({ instanceId: routing.id, reason: 'không có sự cố' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    expect(await instance(routing.id)).toMatchObject({ status: 'active' });
  });
});

describe('a timer that comes due while its instance is stopped by an incident', () => {
  it('is held (pending), not dropped, and fires once after the incident is retried', async () => {
    // given an instance cooling off for an hour beside a bank call that ends in an uncaught error
    const { id } = await start(demo.ngoc, 'cool-off-payment');
    await worker('account-closed').tick();
    expect(await instance(id)).toMatchObject({ status: 'incident' });
    expect((await instance(id)).state.incident).toMatchObject({ code: 'UNHANDLED_ERROR', elementId: 'charge' });
    const timer = (await jobsOf(id)).find((j) => j.kind === 'timer')!;
    expect(timer).toMatchObject({ status: 'pending', elementId: 'coolOff' });

    // when the hour is over while the instance is stopped
    await handle.db
      .update(jobs)
      .set({ dueAt: sql`now() - interval '1 second'` })
      .where(eq(jobs.id, timer.id));
    await worker('pays').tick();
    // then the timer is held: still pending, re-checked later, not fired, attempts not spent
    const held = (await handle.db.select().from(jobs).where(eq(jobs.id, timer.id)))[0]!;
    expect(held).toMatchObject({ status: 'pending', attempts: 0, lockedBy: null });
    expect(held.dueAt.getTime()).toBeGreaterThan(Date.now() + 60_000);
    expect(held.payload).toMatchObject({ dueAt: timer.payload.dueAt, heldAt: expect.any(String) });
    expect(await auditOf(id, 'timer.fired')).toEqual([]);
    expect((await instance(id)).state.active).toContain('coolOff');

    // when the admin retries the incident (the bank call runs again)
    expect(await (await callerFor(handle.db, ADMIN)).incident.retry({ kind: 'instance', id })).toMatchObject({
      status: 'active',
    });
    // then the held timer is due at once, and the worker fires it and pays: both branches join
    await worker('pays').tick();
    expect((await handle.db.select().from(jobs).where(eq(jobs.id, timer.id)))[0]).toMatchObject({
      status: 'done',
      payload: { dueAt: timer.payload.dueAt },
    });
    expect(await auditOf(id, 'timer.fired')).toHaveLength(1);
    expect((await instance(id)).state).toMatchObject({ active: ['review'], variables: { receipt: 'UNC-2026-001' } });
  });
});

describe('work that ends while it is stuck in an incident', () => {
  const fireTimersOf = async (id: string) => {
    await handle.db
      .update(jobs)
      .set({ dueAt: sql`now() - interval '1 second'` })
      .where(and(eq(jobs.instanceId, id), eq(jobs.kind, 'timer')));
    await worker('pays').tick();
  };
  const listed = async (id: string) =>
    (await (await callerFor(handle.db, ADMIN)).incident.list()).filter((i) => i.instanceId === id);

  it('a failed bank call interrupted by its timer is cancelled: no incident is left to retry', async () => {
    const { id } = await start(demo.ngoc, 'payment-within-an-hour');
    await worker('refuses').tick();
    expect(await listed(id)).toHaveLength(1);
    await fireTimersOf(id);
    expect(await instance(id)).toMatchObject({ status: 'completed', outcome: 'late' });
    expect((await jobsOf(id)).find((j) => j.kind === 'service')).toMatchObject({ status: 'cancelled', lockedBy: null });
    expect(await listed(id)).toEqual([]);
  });

  it('a bank call that fails after its timer interrupted it raises no incident', async () => {
    const { id } = await start(demo.ngoc, 'payment-within-an-hour');
    let refuse: (() => void) | undefined;
    const slowBank = createWorker(handle.db, {
      connectors: {
        'charge-card': () =>
          new Promise(
            (_, reject) => (refuse = () => reject(Object.assign(new Error('Ngân hàng từ chối'), { retryable: false }))),
          ),
      },
    });
    const running = slowBank.tick();
    while (!refuse) await new Promise((resolve) => setTimeout(resolve, 10));
    // the hour is over while the bank still thinks: the timer ends the payment and cancels the call
    await fireTimersOf(id);
    expect(await instance(id)).toMatchObject({ status: 'completed', outcome: 'late' });
    refuse();
    await running;
    expect(await auditOf(id, 'incident.raised')).toEqual([]);
    expect((await jobsOf(id)).find((j) => j.kind === 'service')).toMatchObject({ status: 'cancelled' });
    expect(await listed(id)).toEqual([]);
  });

  it('a called process stopped by an incident ends with the call activity its parent interrupts, with its failed work', async () => {
    const parent = await start(demo.ngoc, 'transfer-within-an-hour');
    const [child] = await handle.db.select().from(processInstances).where(eq(processInstances.parentId, parent.id));
    // the child's bank call ends in an uncaught business error: the engine stops the child
    await worker('account-closed').tick();
    expect(await instance(child!.id)).toMatchObject({ status: 'incident' });
    expect(await listed(child!.id)).toHaveLength(1);

    await fireTimersOf(parent.id);
    expect(await instance(parent.id)).toMatchObject({ status: 'completed', outcome: 'late' });
    const ended = await instance(child!.id);
    expect(ended).toMatchObject({ status: 'terminated', endedAt: expect.any(Date) });
    // A command that read the child before it ended cannot write over the end.
    expect(ended.version).toBeGreaterThan(child!.version);
    expect(await auditOf(child!.id, 'instance.terminated')).toMatchObject([
      { data: { by: 'parent', parentId: parent.id } },
    ]);
    expect(await listed(child!.id)).toEqual([]);
  });

  it('a called process with a failed job (still running) ends the same way, its failed job cancelled', async () => {
    const parent = await start(demo.ngoc, 'transfer-within-an-hour');
    const [child] = await handle.db.select().from(processInstances).where(eq(processInstances.parentId, parent.id));
    await worker('refuses').tick();
    expect(await instance(child!.id)).toMatchObject({ status: 'active' });
    await fireTimersOf(parent.id);
    expect(await instance(child!.id)).toMatchObject({ status: 'terminated' });
    expect(await jobsOf(child!.id)).toMatchObject([{ status: 'cancelled', lockedBy: null }]);
  });
});

describe('audit', () => {
  it('every instance retried or resolved above keeps an intact hash chain', async () => {
    const { verifyAudit } = await import('@/app/server/services/audit');
    expect((await verifyAudit(handle.db)).problems).toEqual([]);
  });
});
