/**
 * The durable runtime on a real database (PGlite, and PostgreSQL when DATABASE_URL is set):
 * timers as jobs fired by workers on the database's clock, messages (correlated, buffered,
 * deduplicated), signals, service jobs completed by a worker, and call activities whose child
 * starts in the same transaction and resumes the parent.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { auditEvents, jobs, processInstances, subscriptions, tasks } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { publish, driveFollowUps, type FollowUp } from '@/app/server/host/effects';
import { claimDueJobs, ConnectorBusinessError, runServiceJob, type InstanceJob } from '@/app/server/host/jobs';
import { createWorker } from '@/app/server/host/worker';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

let handle: DatabaseHandle;
let tenantId: string;
const form = (
  key: string,
  properties: Record<string, object> = { decision: { type: 'string', enum: ['approve', 'reject'] } },
) => ({ key, version: 1, title: key, schema: { type: 'object', properties } });
const flow = (id: string, source: string, target: string) => ({ id, source, target });
const def = (key: string, elements: object[], flows: object[], extra: object = {}) => ({
  formatVersion: 1,
  key,
  version: 1,
  name: key,
  elements,
  flows,
  ...extra,
});
const task = (id: string) => ({ id, type: 'userTask', formKey: 'decision', candidateGroups: ['accounting'] });

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  const publishAll = async (definition: object, forms: object[] = []) =>
    publishProcess(handle.db, tenantId, { definition, forms }, null);
  await publishAll(
    def(
      'timer-wait',
      [
        { id: 's', type: 'startEvent' },
        { id: 'wait', type: 'intermediateCatchEvent', event: { kind: 'timer', duration: 'PT1H' } },
        task('review'),
        { id: 'e', type: 'endEvent' },
      ],
      [flow('f1', 's', 'wait'), flow('f2', 'wait', 'review'), flow('f3', 'review', 'e')],
    ),
    [form('decision')],
  );
  await publishAll(
    def(
      'deadline',
      [
        { id: 's', type: 'startEvent' },
        task('review'),
        { id: 'late', type: 'boundaryEvent', attachedTo: 'review', event: { kind: 'timer', duration: 'PT48H' } },
        { id: 'done', type: 'endEvent', outcome: 'reviewed' },
        { id: 'escalated', type: 'endEvent', outcome: 'escalated' },
      ],
      [flow('f1', 's', 'review'), flow('f2', 'review', 'done'), flow('f3', 'late', 'escalated')],
    ),
  );
  await publishAll(
    def(
      'payment',
      [
        { id: 's', type: 'startEvent' },
        {
          id: 'paid',
          type: 'receiveTask',
          message: {
            name: 'payment-received',
            correlationKey: 'invoiceNumber',
            sendableBy: { groups: ['operations'] },
          },
        },
        { id: 'e', type: 'endEvent' },
      ],
      [flow('f1', 's', 'paid'), flow('f2', 'paid', 'e')],
      { startForm: 'payment-start' },
    ),
    [form('payment-start', { invoiceNumber: { type: 'string' } })],
  );
  await publishAll(
    def(
      'child',
      [{ id: 's', type: 'startEvent' }, task('check'), { id: 'e', type: 'endEvent' }],
      [flow('f1', 's', 'check'), flow('f2', 'check', 'e')],
    ),
  );
  await publishAll(
    def(
      'parent',
      [
        { id: 's', type: 'startEvent' },
        { id: 'call', type: 'callActivity', calledElement: 'child', outputs: { childDecision: 'decision' } },
        { id: 'e', type: 'endEvent' },
      ],
      [flow('f1', 's', 'call'), flow('f2', 'call', 'e')],
    ),
  );
  await publishAll(
    def(
      'charge',
      [
        { id: 's', type: 'startEvent' },
        { id: 'charge', type: 'serviceTask', taskType: 'charge-card' },
        { id: 'e', type: 'endEvent' },
      ],
      [flow('f1', 's', 'charge'), flow('f2', 'charge', 'e')],
    ),
  );
  await publishAll(
    def(
      'two-reviews',
      [
        { id: 's', type: 'startEvent' },
        { id: 'split', type: 'parallelGateway' },
        task('legal'),
        task('finance'),
        { id: 'join', type: 'parallelGateway' },
        task('sign'),
        { id: 'e', type: 'endEvent' },
      ],
      [
        flow('f1', 's', 'split'),
        flow('f2', 'split', 'legal'),
        flow('f3', 'split', 'finance'),
        flow('f4', 'legal', 'join'),
        flow('f5', 'finance', 'join'),
        flow('f6', 'join', 'sign'),
        flow('f7', 'sign', 'e'),
      ],
    ),
  );
  // a review whose late reminder calls the child process beside it, closed by a terminate end
  await publishAll(
    def(
      'closing-review',
      [
        { id: 's', type: 'startEvent' },
        task('review'),
        {
          id: 'late',
          type: 'boundaryEvent',
          attachedTo: 'review',
          cancelActivity: false,
          event: { kind: 'timer', duration: 'PT1H' },
        },
        { id: 'askChild', type: 'callActivity', calledElement: 'child' },
        { id: 'asked', type: 'endEvent' },
        { id: 'closed', type: 'endEvent', terminate: true, outcome: 'closed' },
      ],
      [
        flow('f1', 's', 'review'),
        flow('f2', 'review', 'closed'),
        flow('f3', 'late', 'askChild'),
        flow('f4', 'askChild', 'asked'),
      ],
    ),
  );
  await publishAll(
    def(
      'incoming-invoice',
      [
        { id: 'byMail', type: 'startEvent', event: { kind: 'message', name: 'invoice-emailed' } },
        task('check'),
        { id: 'e', type: 'endEvent' },
      ],
      [flow('f1', 'byMail', 'check'), flow('f2', 'check', 'e')],
    ),
  );
  await publishAll(
    def(
      'stop-signal',
      [
        { id: 's', type: 'startEvent' },
        { id: 'wait', type: 'intermediateCatchEvent', event: { kind: 'signal', name: 'quarter-closed' } },
        { id: 'e', type: 'endEvent' },
      ],
      [flow('f1', 's', 'wait'), flow('f2', 'wait', 'e')],
    ),
  );
});
afterAll(async () => handle?.close());

const instance = async (id: string) =>
  (await handle.db.select().from(processInstances).where(eq(processInstances.id, id)))[0]!;
const jobsOf = (id: string) => handle.db.select().from(jobs).where(eq(jobs.instanceId, id));
/** Makes the instance's pending timers due now, as if their time had come. */
const makeDue = (id: string) =>
  handle.db
    .update(jobs)
    .set({ dueAt: sql`now() - interval '1 second'` })
    .where(and(eq(jobs.instanceId, id), eq(jobs.status, 'pending')));
const start = async (key: string, variables: Record<string, unknown> = {}) =>
  (await callerFor(handle.db, demo.ngoc)).instance.start({ definitionKey: key, variables });
const openTasks = (id: string) =>
  handle.db
    .select()
    .from(tasks)
    .where(and(eq(tasks.instanceId, id), eq(tasks.status, 'open')));

describe('timers', () => {
  it('are jobs due at the database time; a worker fires each once, when due', async () => {
    // given an instance waiting an hour
    const { id } = await start('timer-wait');
    const [timer] = await jobsOf(id);
    expect(timer).toMatchObject({ kind: 'timer', elementId: 'wait', status: 'pending' });
    const [{ delay }] = (await handle.db
      .select({ delay: sql<number>`extract(epoch from ${jobs.dueAt} - now())::int` })
      .from(jobs)
      .where(eq(jobs.id, timer!.id))) as [{ delay: number }];
    expect(delay).toBeGreaterThan(3_500);
    // when a worker polls before it is due, nothing fires
    const worker = createWorker(handle.db);
    expect(await worker.tick()).toBe(0);
    // when it is due, the worker fires it and the instance moves on
    await makeDue(id);
    expect(await worker.tick()).toBe(1);
    expect((await instance(id)).state.active).toEqual(['review']);
    expect((await jobsOf(id))[0]).toMatchObject({ status: 'done', lockedBy: null });
    // and polling again fires nothing twice
    expect(await worker.tick()).toBe(0);
    const fired = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, id), eq(auditEvents.type, 'timer.fired')));
    expect(fired).toHaveLength(1);
  });

  it('a boundary timer is cancelled with its task, and fires when the task is late', async () => {
    const hung = await callerFor(handle.db, demo.hung);
    // in time: the task is done, the deadline's job is cancelled
    const onTime = await start('deadline');
    const [t] = await openTasks(onTime.id);
    await hung.task.complete({ id: t!.id, data: { decision: 'approve' } });
    expect(await instance(onTime.id)).toMatchObject({ status: 'completed', outcome: 'reviewed' });
    expect((await jobsOf(onTime.id)).map((j) => j.status)).toEqual(['cancelled']);
    // late: the deadline fires, cancels the task and ends escalated
    const late = await start('deadline');
    await makeDue(late.id);
    await createWorker(handle.db).tick();
    expect(await instance(late.id)).toMatchObject({ status: 'completed', outcome: 'escalated' });
    expect(await openTasks(late.id)).toEqual([]);
  });

  it('a worker that died holding a timer (its lease ran out) does not stop it: another fires it, once', async () => {
    const { id } = await start('timer-wait');
    await makeDue(id);
    // worker A claims and dies
    const claimed = await claimDueJobs(handle.db, { workerId: 'dead-worker', leaseSeconds: 60 });
    expect(claimed.map((j) => j.instanceId)).toContain(id);
    // while the lease holds, nobody else takes it
    expect(await createWorker(handle.db).tick()).toBe(0);
    // once it has run out, worker B fires it
    await handle.db
      .update(jobs)
      .set({ lockedUntil: sql`now() - interval '1 second'` })
      .where(eq(jobs.lockedBy, 'dead-worker'));
    expect(await createWorker(handle.db).tick()).toBeGreaterThanOrEqual(1);
    expect((await instance(id)).state.active).toEqual(['review']);
    const fired = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, id), eq(auditEvents.type, 'timer.fired')));
    expect(fired).toHaveLength(1);
  });
});

describe('messages and signals', () => {
  const send = async (
    name: string,
    correlationKey: string | null,
    variables: Record<string, unknown>,
    ttlSeconds = 0,
    messageId?: string,
  ) =>
    handle.db.transaction(async (tx) => {
      const queue: FollowUp[] = [];
      const result = await publish(tx, tenantId, { name, correlationKey, variables, ttlSeconds, messageId }, queue);
      await driveFollowUps(tx, null, queue);
      return result;
    });

  it('a message reaches the instance with its correlation key, and only that one', async () => {
    const a = await start('payment', { invoiceNumber: 'HD-001' });
    const b = await start('payment', { invoiceNumber: 'HD-002' });
    expect(await send('payment-received', 'HD-002', { bankRef: 'VCB-9' })).toMatchObject({
      correlated: 'instance',
      instanceId: b.id,
    });
    expect(await instance(b.id)).toMatchObject({ status: 'completed' });
    expect((await instance(b.id)).state.variables).toMatchObject({ bankRef: 'VCB-9' });
    expect(await instance(a.id)).toMatchObject({ status: 'active' });
    expect(await handle.db.select().from(subscriptions).where(eq(subscriptions.instanceId, b.id))).toEqual([]);
  });

  it('a message published before anyone waits is kept for its time to live; a duplicate message id is ignored', async () => {
    expect(await send('payment-received', 'HD-010', { bankRef: 'ACB-1' }, 3_600, 'bank-msg-1')).toEqual({
      correlated: 'buffered',
    });
    expect(await send('payment-received', 'HD-010', { bankRef: 'ACB-1' }, 3_600, 'bank-msg-1')).toEqual({
      correlated: 'duplicate',
    });
    const later = await start('payment', { invoiceNumber: 'HD-010' });
    expect(await instance(later.id)).toMatchObject({ status: 'completed' });
    expect((await instance(later.id)).state.variables).toMatchObject({ bankRef: 'ACB-1' });
    // the buffered message was taken once: another instance with the same key keeps waiting
    const again = await start('payment', { invoiceNumber: 'HD-010' });
    expect(await instance(again.id)).toMatchObject({ status: 'active' });
  });

  it("a message start event starts an instance with the message's variables", async () => {
    const result = await send('invoice-emailed', null, { supplier: 'Công ty TNHH Minh Phát', amount: 12_500_000 });
    expect(result).toMatchObject({ correlated: 'started' });
    const started = await instance(result.instanceId!);
    expect(started).toMatchObject({ status: 'active' });
    expect(started.state).toMatchObject({
      active: ['check'],
      variables: { supplier: 'Công ty TNHH Minh Phát', amount: 12_500_000 },
    });
    expect(await openTasks(started.id)).toHaveLength(1);
  });

  it('a message without a time to live and no receiver is dropped', async () => {
    expect(await send('payment-received', 'HD-404', {})).toEqual({ correlated: 'dropped' });
  });

  it('a signal reaches every instance waiting for it', async () => {
    const x = await start('stop-signal');
    const y = await start('stop-signal');
    await handle.db.transaction(async (tx) => {
      const { broadcast } = await import('@/app/server/host/effects');
      const queue: FollowUp[] = [];
      expect(await broadcast(tx, tenantId, 'quarter-closed', {}, queue)).toBeGreaterThanOrEqual(2);
      await driveFollowUps(tx, null, queue);
    });
    expect((await instance(x.id)).status).toBe('completed');
    expect((await instance(y.id)).status).toBe('completed');
  });
});

describe('service jobs', () => {
  it('wait in the jobs table for a worker; completing one moves the instance on, once', async () => {
    const { id } = await start('charge');
    const [job] = await jobsOf(id);
    expect(job).toMatchObject({ kind: 'service', jobType: 'charge-card', status: 'pending' });
    const worker = createWorker(handle.db, { connectors: { 'charge-card': async () => ({ receipt: 'R-1' }) } });
    await worker.tick();
    expect(await instance(id)).toMatchObject({ status: 'completed' });
    expect((await instance(id)).state.variables).toMatchObject({ receipt: 'R-1' });
    // a run by a worker that does not hold the job (a late one) changes nothing
    const late = await runServiceJob(handle.db, job as InstanceJob, 'late-worker', async () => ({ receipt: 'R-2' }));
    expect(late).toBe('lost');
    expect((await instance(id)).state.variables).toMatchObject({ receipt: 'R-1' });
  });

  it('a worker runs them with its connectors, passing the job id on as the idempotency key', async () => {
    const { id } = await start('charge');
    const seen: string[] = [];
    const worker = createWorker(handle.db, {
      connectors: { 'charge-card': async ({ job }) => (seen.push(job.id), { receipt: `R-${job.id.slice(0, 4)}` }) },
    });
    expect(await worker.tick()).toBeGreaterThanOrEqual(1);
    const [job] = await jobsOf(id);
    expect(seen).toContain(job!.id);
    expect(await instance(id)).toMatchObject({ status: 'completed' });
    expect(job).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('a failing connector is retried with growing backoff, then raises an incident that can be retried', async () => {
    const { id } = await start('charge');
    let calls = 0;
    let fail = true;
    const worker = createWorker(handle.db, {
      connectors: {
        'charge-card': async () => {
          calls++;
          if (fail) throw new Error('bank gateway timed out');
          return { receipt: 'R-OK' };
        },
      },
    });
    const job = async () => (await jobsOf(id))[0]!;
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      await handle.db
        .update(jobs)
        .set({ dueAt: sql`now() - interval '1 second'` })
        .where(and(eq(jobs.instanceId, id), eq(jobs.status, 'pending')));
      await worker.tick();
      const [{ delay }] = (await handle.db
        .select({ delay: sql<number>`round(extract(epoch from ${jobs.dueAt} - now()))::int` })
        .from(jobs)
        .where(eq(jobs.instanceId, id))) as [{ delay: number }];
      delays.push(delay);
    }
    expect(calls).toBe(4);
    expect(delays.slice(0, 3)).toEqual([1, 2, 4]);
    expect(await job()).toMatchObject({ status: 'failed', attempts: 4, lastError: 'bank gateway timed out' });
    const incidents = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, id), eq(auditEvents.type, 'incident.raised')));
    expect(incidents).toHaveLength(1);
    expect(incidents[0]!.data).toMatchObject({ code: 'JOB_FAILED', message: 'bank gateway timed out' });
    // visible on the instance, and resolved by an admin's retry once the gateway is back
    const view = await (await callerFor(handle.db, demo.ngoc)).instance.get({ id });
    expect(view.failedJobs).toEqual([
      expect.objectContaining({ elementId: 'charge', attempts: 4, lastError: 'bank gateway timed out' }),
    ]);
    await expect((await callerFor(handle.db, demo.ngoc)).job.retry({ id: (await job()).id })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    fail = false;
    await (await callerFor(handle.db, 'bao.ngo@senvang.example')).job.retry({ id: (await job()).id });
    await worker.tick();
    expect(await instance(id)).toMatchObject({ status: 'completed' });
    expect((await instance(id)).state.variables).toMatchObject({ receipt: 'R-OK' });
  });

  it("a connector's business error is thrown into the process", async () => {
    const { id } = await start('charge');
    const worker = createWorker(handle.db, {
      connectors: {
        'charge-card': async () => {
          throw new ConnectorBusinessError('CARD_DECLINED', 'Thẻ bị từ chối');
        },
      },
    });
    await worker.tick();
    // no error boundary on "charge": an uncaught business error is an incident on the instance
    expect(await instance(id)).toMatchObject({ status: 'incident' });
    expect((await instance(id)).state.incident).toMatchObject({ elementId: 'charge' });
  });
});

describe('call activities', () => {
  it("start the child in the same transaction; the child's completion resumes the parent with its outputs", async () => {
    const parent = await start('parent');
    const [child] = await handle.db.select().from(processInstances).where(eq(processInstances.parentId, parent.id));
    expect(child).toMatchObject({ status: 'active', parentElementId: 'call' });
    const [t] = await openTasks(child!.id);
    await (await callerFor(handle.db, demo.hung)).task.complete({ id: t!.id, data: { decision: 'approve' } });
    expect(await instance(child!.id)).toMatchObject({ status: 'completed' });
    expect(await instance(parent.id)).toMatchObject({ status: 'completed' });
    expect((await instance(parent.id)).state.variables).toMatchObject({ childDecision: 'approve' });
  });
});

describe('a terminate end event', () => {
  it('ends the side path still waiting, and the process it called there', async () => {
    const parent = await start('closing-review');
    await makeDue(parent.id);
    expect(await createWorker(handle.db).tick()).toBe(1);
    const [child] = await handle.db.select().from(processInstances).where(eq(processInstances.parentId, parent.id));
    expect(child).toMatchObject({ status: 'active', parentElementId: 'askChild', parentScope: 'late#0' });
    const review = (await openTasks(parent.id)).find((t) => t.elementId === 'review')!;
    await (await callerFor(handle.db, demo.hung)).task.complete({ id: review.id, data: { decision: 'approve' } });
    expect(await instance(parent.id)).toMatchObject({ status: 'completed', outcome: 'closed' });
    expect(await instance(child!.id)).toMatchObject({ status: 'terminated' });
    expect(await openTasks(child!.id)).toEqual([]);
  });
});

describe.skipIf(!process.env.DATABASE_URL)('workers sharing one PostgreSQL', () => {
  it('4 workers on 200 due timers: each timer fires exactly once', async () => {
    // given 200 instances whose timers are all due
    const ngoc = await callerFor(handle.db, demo.ngoc);
    const ids: string[] = [];
    for (let i = 0; i < 200; i++)
      ids.push((await ngoc.instance.start({ definitionKey: 'timer-wait', variables: {} })).id);
    await handle.db
      .update(jobs)
      .set({ dueAt: sql`now() - interval '1 second'` })
      .where(and(eq(jobs.status, 'pending'), eq(jobs.kind, 'timer'), eq(jobs.elementId, 'wait')));
    // when four workers poll at the same time until nothing is due
    const workers = Array.from({ length: 4 }, (_, i) => createWorker(handle.db, { workerId: `w${i}`, batch: 10 }));
    const ran = await Promise.all(
      workers.map(async (w) => {
        let total = 0;
        for (let n = await w.tick(); n > 0; n = await w.tick()) total += n;
        return total;
      }),
    );
    // then every timer fired once, and the work was shared
    expect(ran.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(200);
    expect(ran.filter((n) => n > 0).length).toBeGreaterThan(1);
    const fired = await handle.db
      .select({ instanceId: auditEvents.instanceId })
      .from(auditEvents)
      .where(and(eq(auditEvents.type, 'timer.fired'), eq(auditEvents.elementId, 'wait')));
    const mine = fired.filter((f) => ids.includes(f.instanceId!));
    expect(mine).toHaveLength(200);
    expect(new Set(mine.map((f) => f.instanceId)).size).toBe(200);
    const states = await handle.db
      .select({ state: processInstances.state })
      .from(processInstances)
      .where(
        eq(
          processInstances.definitionId,
          (
            await handle.db
              .select({ d: processInstances.definitionId })
              .from(processInstances)
              .where(eq(processInstances.id, ids[0]!))
          )[0]!.d,
        ),
      );
    expect(states.filter((s) => s.state.active.includes('review')).length).toBeGreaterThanOrEqual(200);
  }, 120_000);
});

describe('through the API', () => {
  it("message.publish correlates within the caller's company only", async () => {
    const { id } = await start('payment', { invoiceNumber: 'HD-API-1' });
    const ngoc = await callerFor(handle.db, demo.ngoc);
    expect(
      await ngoc.message.publish({
        name: 'payment-received',
        correlationKey: 'HD-API-1',
        variables: { bankRef: 'TCB-7' },
      }),
    ).toMatchObject({ correlated: 'instance', instanceId: id });
    expect(await instance(id)).toMatchObject({ status: 'completed' });
    const history = await handle.db
      .select({ type: auditEvents.type, actorId: auditEvents.actorId })
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, id), eq(auditEvents.type, 'message.received')));
    expect(history).toHaveLength(1);
    expect(history[0]!.actorId).not.toBeNull();
    await expect(
      (await callerFor(handle.db, null)).message.publish({ name: 'payment-received', correlationKey: 'HD-API-1' }),
    ).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('races', () => {
  it('50 concurrent completions of one task (same and different users): one wins, one next step, one audit row', async () => {
    const { id } = await start('timer-wait');
    await makeDue(id);
    await createWorker(handle.db).tick();
    const [open] = await openTasks(id);
    const hung = await callerFor(handle.db, demo.hung);
    const lan = await callerFor(handle.db, demo.lan);
    const results = await Promise.allSettled(
      Array.from({ length: 50 }, (_, i) =>
        (i % 2 ? hung : lan).task.complete({ id: open!.id, data: { decision: 'approve' } }),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'CONFLICT' });
    expect(await instance(id)).toMatchObject({ status: 'completed' });
    const completions = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.taskId, open!.id), eq(auditEvents.type, 'task.completed')));
    expect(completions).toHaveLength(1);
    const ends = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, id), eq(auditEvents.type, 'instance.completed')));
    expect(ends).toHaveLength(1);
  });

  it('a parallel join whose last two branches complete at the same moment fires once', async () => {
    const { id } = await start('two-reviews');
    const open = await openTasks(id);
    expect(open.map((t) => t.elementId).sort()).toEqual(['finance', 'legal']);
    const hung = await callerFor(handle.db, demo.hung);
    const lan = await callerFor(handle.db, demo.lan);
    const [legal, finance] = [open.find((t) => t.elementId === 'legal')!, open.find((t) => t.elementId === 'finance')!];
    const results = await Promise.allSettled([
      hung.task.complete({ id: legal.id, data: { decision: 'approve' } }),
      lan.task.complete({ id: finance.id, data: { decision: 'approve' } }),
    ]);
    // one may lose the race on the instance's version: it changed nothing and is retried
    for (const [i, r] of results.entries()) {
      if (r.status === 'rejected') {
        expect(r.reason).toMatchObject({ code: 'CONFLICT' });
        await (i === 0 ? hung : lan).task.complete({
          id: (i === 0 ? legal : finance).id,
          data: { decision: 'approve' },
        });
      }
    }
    const signs = await handle.db
      .select()
      .from(tasks)
      .where(and(eq(tasks.instanceId, id), eq(tasks.elementId, 'sign')));
    expect(signs).toHaveLength(1);
    expect((await instance(id)).state.active).toEqual(['sign']);
  });
});

describe('audit', () => {
  it('every instance driven above (timers, jobs, messages, children, races) has an intact hash chain', async () => {
    const { verifyAudit } = await import('@/app/server/services/audit');
    const result = await verifyAudit(handle.db);
    expect(result.problems).toEqual([]);
    expect(result.legacy.instances).toBe(0);
    expect(result.instances).toBeGreaterThan(10);
  });
});

describe('the in-process worker', () => {
  it('leaves the event loop free while it works through a backlog', async () => {
    const ngoc = await callerFor(handle.db, demo.ngoc);
    for (let i = 0; i < 30; i++) await ngoc.instance.start({ definitionKey: 'timer-wait', variables: {} });
    await handle.db
      .update(jobs)
      .set({ dueAt: sql`now() - interval '1 second'` })
      .where(and(eq(jobs.status, 'pending'), eq(jobs.kind, 'timer')));
    let turns = 0;
    const ticker = setInterval(() => turns++, 1);
    const worker = createWorker(handle.db, { batch: 30 });
    const ran = await worker.tick();
    clearInterval(ticker);
    expect(ran).toBeGreaterThanOrEqual(30);
    expect(turns).toBeGreaterThan(0);
  });
});
