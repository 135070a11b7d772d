/**
 * Process-level start events on a real database (PGlite, and PostgreSQL when DATABASE_URL is
 * set): timer start events scheduled when a version is published and fired by workers on the
 * database's clock — a date once, a bounded cycle n times, the schedule moving to the newest
 * version, exactly once with workers racing — and signal start events started by a broadcast,
 * thrown by a process or sent through the API, in the same transaction as its deliveries.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { auditEvents, jobs, processDefinitions, processInstances, users, type ProcessDefinitionRow } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { dbNow } from '@/app/server/host/effects';
import { claimDueJobs, runTimer } from '@/app/server/host/jobs';
import { createWorker } from '@/app/server/host/worker';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

let handle: DatabaseHandle;
let tenantId: string;
let quanId: string;
const form = {
  key: 'decision',
  version: 1,
  title: 'decision',
  schema: { type: 'object', properties: { decision: { type: 'string' } } },
};
const flow = (id: string, source: string, target: string) => ({ id, source, target });
const task = (id: string) => ({ id, type: 'userTask', formKey: 'decision', candidateGroups: ['accounting'] });
const timerStart = (id: string, timer: object) => ({ id, type: 'startEvent', event: { kind: 'timer', ...timer } });
/** A process that starts at `starts` (each flowing into one task) and ends after it. */
const def = (key: string, version: number, starts: object[]) => ({
  formatVersion: 1,
  key,
  version,
  name: key,
  elements: [...starts, task('work'), { id: 'e', type: 'endEvent' }],
  flows: [...starts.map((s, i) => flow(`f${i}`, (s as { id: string }).id, 'work')), flow('fe', 'work', 'e')],
});
/** Published by Quân (operations manager): instances a timer or signal starts are recorded as his. */
const publish = (definition: object) => publishProcess(handle.db, tenantId, { definition, forms: [form] }, quanId);

const startTimerJobs = (definitionId: string) =>
  handle.db
    .select()
    .from(jobs)
    .where(eq(jobs.definitionId, definitionId))
    .orderBy(asc(jobs.dueAt), asc(jobs.createdAt));
const pending = async (definitionId: string) =>
  (await startTimerJobs(definitionId)).filter((j) => j.status === 'pending');
const instancesOf = (definitionId: string) =>
  handle.db
    .select()
    .from(processInstances)
    .where(eq(processInstances.definitionId, definitionId))
    .orderBy(asc(processInstances.startedAt));
/** Makes the version's pending start timers due now, as if their time had come. */
const makeDue = (definitionId: string) =>
  handle.db
    .update(jobs)
    .set({ dueAt: sql`now() - interval '1 second'` })
    .where(and(eq(jobs.definitionId, definitionId), eq(jobs.status, 'pending')));
const startedAudit = (instanceIds: string[]) =>
  instanceIds.length === 0
    ? Promise.resolve([])
    : handle.db
        .select()
        .from(auditEvents)
        .where(and(inArray(auditEvents.instanceId, instanceIds), eq(auditEvents.type, 'instance.started')))
        .orderBy(asc(auditEvents.id));

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  quanId = (await handle.db.select({ id: users.id }).from(users).where(eq(users.email, demo.quan)))[0]!.id;
});
afterAll(async () => handle?.close());

describe('timer start events', () => {
  it('a date timer start is scheduled at publish and fires once, at its time, starting an instance as the publisher', async () => {
    // given a version whose timer start is due a second ago (by the database clock), and one due tomorrow
    const at = new Date(Date.parse(await dbNow(handle.db)) - 1_000).toISOString();
    const v = await publish(def('payroll-run', 1, [timerStart('payday', { date: at })]));
    const later = await publish(
      def('payroll-later', 1, [timerStart('payday', { date: new Date(Date.parse(at) + 86_400_000).toISOString() })]),
    );
    const [job] = await startTimerJobs(v.id);
    expect(job).toMatchObject({
      kind: 'timer',
      status: 'pending',
      instanceId: null,
      definitionId: v.id,
      elementId: 'payday',
      timerId: 'payday',
      payload: { dueAt: at, left: 0 },
    });
    expect(job!.dueAt.toISOString()).toBe(at);
    // when a worker polls, the due one fires and the other waits
    const worker = createWorker(handle.db);
    expect(await worker.tick()).toBe(1);
    const [instance] = await instancesOf(v.id);
    expect(instance).toMatchObject({ status: 'active', startedBy: quanId });
    expect(instance!.state.active).toEqual(['work']);
    expect(await instancesOf(later.id)).toEqual([]);
    expect(await pending(later.id)).toHaveLength(1);
    // then the job is done, nothing more is scheduled, and the start is audited with its timer
    expect(await startTimerJobs(v.id)).toEqual([
      expect.objectContaining({ id: job!.id, status: 'done', lockedBy: null }),
    ]);
    const [started] = await startedAudit([instance!.id]);
    expect(started).toMatchObject({
      actorId: null,
      data: {
        definitionKey: 'payroll-run',
        definitionVersion: 1,
        timer: { elementId: 'payday', dueAt: at, jobId: job!.id },
      },
    });
    // and polling again starts nothing twice
    expect(await worker.tick()).toBe(0);
    expect(await instancesOf(v.id)).toHaveLength(1);
  });

  it('a cycle R3/PT1M starts exactly three instances, one interval apart, then stops', async () => {
    const v = await publish(def('stock-count', 1, [timerStart('everyMinute', { cycle: 'R3/PT1M' })]));
    const [first] = await pending(v.id);
    // the first occurrence is one interval after publishing, on the database clock
    expect(first!.dueAt.getTime() - v.publishedAt.getTime()).toBe(60_000);
    const worker = createWorker(handle.db);
    const dueTimes: string[] = [];
    for (let round = 1; round <= 4; round++) {
      const [next] = await pending(v.id);
      if (next) dueTimes.push(next.payload.dueAt as string);
      await makeDue(v.id);
      await worker.tick();
      expect(await instancesOf(v.id)).toHaveLength(Math.min(round, 3));
    }
    // the schedule keeps its cadence (each due one interval after the last, whenever it ran)
    expect(dueTimes.map((d) => Date.parse(d) - v.publishedAt.getTime())).toEqual([60_000, 120_000, 180_000]);
    expect((await startTimerJobs(v.id)).map((j) => [j.status, j.payload.left])).toEqual([
      ['done', 2],
      ['done', 1],
      ['done', 0],
    ]);
    expect(await pending(v.id)).toEqual([]);
    const audit = await startedAudit((await instancesOf(v.id)).map((i) => i.id));
    expect(audit.map((a) => (a.data.timer as { dueAt: string }).dueAt)).toEqual(dueTimes);
  });

  it('an unbounded cycle R/… reschedules itself in the transaction that starts the instance', async () => {
    const v = await publish(def('daily-check', 1, [timerStart('daily', { cycle: 'R/P1D' })]));
    const worker = createWorker(handle.db);
    for (let round = 1; round <= 3; round++) {
      await makeDue(v.id);
      await worker.tick();
      const [next] = await pending(v.id);
      expect(next!.payload).toMatchObject({ left: null });
      expect(await instancesOf(v.id)).toHaveLength(round);
    }
  });

  it('publishing a new version moves the schedule to it; an older job left behind is dropped when it fires', async () => {
    const v1 = await publish(def('vendor-review', 1, [timerStart('monthly', { cycle: 'R/P1M' })]));
    const [oldJob] = await pending(v1.id);
    // when version 2 is published, version 1's start timer is cancelled and version 2's is pending
    const v2 = await publish(
      def('vendor-review', 2, [{ id: 's', type: 'startEvent' }, timerStart('weekly', { cycle: 'R/P1W' })]),
    );
    expect(await startTimerJobs(v1.id)).toEqual([expect.objectContaining({ id: oldJob!.id, status: 'cancelled' })]);
    expect(await pending(v2.id)).toEqual([expect.objectContaining({ elementId: 'weekly', status: 'pending' })]);
    // its firing starts version 2
    await makeDue(v2.id);
    await createWorker(handle.db).tick();
    expect(await instancesOf(v2.id)).toHaveLength(1);
    expect(await instancesOf(v1.id)).toEqual([]);
    // a version 1 job that a racing publish left pending is cancelled when it comes due, starting nothing
    await handle.db
      .update(jobs)
      .set({ status: 'pending', completedAt: null, dueAt: sql`now() - interval '1 second'` })
      .where(eq(jobs.id, oldJob!.id));
    await createWorker(handle.db).tick();
    expect(await instancesOf(v1.id)).toEqual([]);
    expect((await startTimerJobs(v1.id))[0]).toMatchObject({ status: 'cancelled' });
    // version 4 has no timer start: nothing stays scheduled for the process
    const v4 = await publish(def('vendor-review', 4, [{ id: 's', type: 'startEvent' }]));
    expect(await pending(v2.id)).toEqual([]);
    expect(await pending(v4.id)).toEqual([]);
    // and an older version number published late (3 after 4) does not take the schedule back
    await publish(def('vendor-review', 3, [timerStart('weekly', { cycle: 'R/P1W' })]));
    const all = await handle.db
      .select()
      .from(jobs)
      .innerJoin(processDefinitions, eq(processDefinitions.id, jobs.definitionId))
      .where(and(eq(processDefinitions.key, 'vendor-review'), eq(jobs.status, 'pending')));
    expect(all).toEqual([]);
  });

  it('workers racing for a due start timer fire it once; a worker whose lease ran out finds it lost', async () => {
    const v = await publish(def('racing', 1, [timerStart('every', { cycle: 'R/PT1M' })]));
    const workers = Array.from({ length: 4 }, () => createWorker(handle.db));
    for (let round = 1; round <= 3; round++) {
      await makeDue(v.id);
      const ran = await Promise.all(workers.map((w) => w.tick()));
      expect(ran.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1);
      expect(await instancesOf(v.id)).toHaveLength(round);
      expect(await pending(v.id)).toHaveLength(1);
    }
    // worker A claims the next firing and stalls past its lease; worker B fires it; A's late run is lost
    await makeDue(v.id);
    const [claimed] = (await claimDueJobs(handle.db, { workerId: 'stalled', leaseSeconds: 60 })).filter(
      (j) => j.definitionId === v.id,
    );
    await handle.db
      .update(jobs)
      .set({ lockedUntil: sql`now() - interval '1 second'` })
      .where(eq(jobs.id, claimed!.id));
    expect(await createWorker(handle.db).tick()).toBeGreaterThanOrEqual(1);
    expect(await runTimer(handle.db, claimed!, 'stalled')).toBe('lost');
    expect(await instancesOf(v.id)).toHaveLength(4);
    expect(await pending(v.id)).toHaveLength(1);
  });

  it('publishing refuses a timer start it cannot schedule, naming the start event, and changes nothing', async () => {
    await expect(
      publish(def('needs-vars', 1, [timerStart('whenAsked', { duration: '=reminderInterval' })])),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('Timer start event "whenAsked"'),
    });
    expect(await handle.db.select().from(processDefinitions).where(eq(processDefinitions.key, 'needs-vars'))).toEqual(
      [],
    );
    await expect(publish(def('never', 1, [timerStart('zero', { cycle: 'R0/PT1H' })]))).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('"zero"'),
    });
    // a Camunda cron cycle is not run: refused by validation, naming the start event
    await expect(
      publish(def('cron', 1, [timerStart('weekdays', { cycle: '0 0 9 * * MON-FRI' })])),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/Timer "weekdays": .*cron expressions are not supported/),
    });
    expect(
      await handle.db
        .select()
        .from(processDefinitions)
        .where(inArray(processDefinitions.key, ['never', 'cron'])),
    ).toEqual([]);
  });

  it('the database refuses a job that belongs to neither an instance nor a definition', async () => {
    await expect(
      handle.db.insert(jobs).values({ tenantId, kind: 'timer', elementId: 'x', timerId: 'x' }),
    ).rejects.toThrow();
  });
});

describe('signal start events', () => {
  let report: ProcessDefinitionRow;
  beforeAll(async () => {
    // a process started by the signal, one that waits for it, and one that throws it
    report = await publish(
      def('quarter-report', 1, [
        { id: 's', type: 'startEvent' },
        { id: 'onClose', type: 'startEvent', event: { kind: 'signal', name: 'quarter-closed' } },
      ]),
    );
    const wait = {
      formatVersion: 1,
      key: 'await-close',
      version: 1,
      name: 'await',
      elements: [
        { id: 's', type: 'startEvent' },
        {
          id: 'wait',
          type: 'intermediateCatchEvent',
          event: { kind: 'signal', name: 'quarter-closed', sendableBy: { groups: ['accounting'] } },
        },
        { id: 'e', type: 'endEvent' },
      ],
      flows: [flow('f1', 's', 'wait'), flow('f2', 'wait', 'e')],
    };
    const close = {
      formatVersion: 1,
      key: 'close-quarter',
      version: 1,
      name: 'close',
      elements: [
        { id: 's', type: 'startEvent' },
        { id: 'announce', type: 'intermediateThrowEvent', event: { kind: 'signal', name: 'quarter-closed' } },
        { id: 'e', type: 'endEvent' },
      ],
      flows: [flow('f1', 's', 'announce'), flow('f2', 'announce', 'e')],
    };
    await publish(wait);
    await publish(close);
  });
  const start = async (key: string) =>
    (await callerFor(handle.db, demo.ngoc)).instance.start({ definitionKey: key, variables: {} });
  const status = async (id: string) =>
    (await handle.db.select().from(processInstances).where(eq(processInstances.id, id)))[0]!.status;

  it('a signal thrown by a process starts the process with a signal start event and reaches waiting instances, in one transaction', async () => {
    const waiting = await start('await-close');
    const before = (await instancesOf(report.id)).length;
    // when an instance of close-quarter throws the signal
    const thrower = await start('close-quarter');
    // then the thrower completed, the waiting instance moved on, and one quarter-report started at its signal start
    expect(await status(thrower.id)).toBe('completed');
    expect(await status(waiting.id)).toBe('completed');
    const reports = await instancesOf(report.id);
    expect(reports).toHaveLength(before + 1);
    const started = reports.at(-1)!;
    expect(started).toMatchObject({ status: 'active', startedBy: quanId });
    expect(started.state.active).toEqual(['work']);
    const [audit] = await startedAudit([started.id]);
    expect(audit).toMatchObject({ actorId: null, data: { definitionKey: 'quarter-report', signal: 'quarter-closed' } });
    const path = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, started.id), eq(auditEvents.type, 'element.completed')));
    expect(path.map((p) => p.elementId)).toEqual(['onClose']);
  });

  it("signal.broadcast through the API does the same, and the waiting instances' history says who sent it", async () => {
    const waiting = await start('await-close');
    const hung = await callerFor(handle.db, demo.hung);
    const result = await hung.signal.broadcast({ name: 'quarter-closed', variables: { quarter: 'Q3-2026' } });
    expect(result.delivered).toEqual([waiting.id]);
    expect(result.started).toHaveLength(1);
    const [started] = await handle.db
      .select()
      .from(processInstances)
      .where(eq(processInstances.id, result.started[0]!));
    expect(started).toMatchObject({ definitionId: report.id, status: 'active' });
    // Hùng's signal started it: the server names him as its initiator, his manager with him.
    expect(started!.state.variables).toEqual({
      quarter: 'Q3-2026',
      initiator: { email: demo.hung, name: 'Trần Văn Hùng', manager: demo.lan, departments: ['accounting'] },
    });
    expect(await status(waiting.id)).toBe('completed');
    const hungId = (await handle.db.select({ id: users.id }).from(users).where(eq(users.email, demo.hung)))[0]!.id;
    const received = await handle.db
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, waiting.id), eq(auditEvents.type, 'signal.received')));
    expect(received).toEqual([expect.objectContaining({ actorId: hungId, data: { name: 'quarter-closed' } })]);
    // a signal nobody declares public is an admin's to send; it reaches nothing
    await expect(hung.signal.broadcast({ name: 'nobody-listens' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('is not public'),
    });
    expect(
      await (await callerFor(handle.db, 'bao.ngo@senvang.example')).signal.broadcast({ name: 'nobody-listens' }),
    ).toEqual({ delivered: [], started: [] });
    // nobody signed in may send one
    await expect((await callerFor(handle.db, null)).signal.broadcast({ name: 'quarter-closed' })).rejects.toMatchObject(
      { code: 'UNAUTHORIZED' },
    );
  });

  it('only the newest version counts: a version that dropped the signal start starts nothing', async () => {
    const v1 = await publish(
      def('payout', 1, [
        {
          id: 'onPay',
          type: 'startEvent',
          event: { kind: 'signal', name: 'payday', sendableBy: { groups: ['accounting'] } },
        },
      ]),
    );
    const hung = await callerFor(handle.db, demo.hung);
    expect((await hung.signal.broadcast({ name: 'payday' })).started).toHaveLength(1);
    await publish(def('payout', 2, [{ id: 's', type: 'startEvent' }]));
    // (no newest version declares it public any more: only an admin may send it)
    await expect(hung.signal.broadcast({ name: 'payday' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(
      (await (await callerFor(handle.db, 'bao.ngo@senvang.example')).signal.broadcast({ name: 'payday' })).started,
    ).toEqual([]);
    expect(await instancesOf(v1.id)).toHaveLength(1);
  });

  it('a process whose signal start throws the same signal cannot start itself for ever: the command fails and changes nothing', async () => {
    const loop = await publish({
      formatVersion: 1,
      key: 'echo',
      version: 1,
      name: 'echo',
      elements: [
        {
          id: 'heard',
          type: 'startEvent',
          event: { kind: 'signal', name: 'echo', sendableBy: { groups: ['accounting'] } },
        },
        { id: 'again', type: 'intermediateThrowEvent', event: { kind: 'signal', name: 'echo' } },
        { id: 'e', type: 'endEvent' },
      ],
      flows: [flow('f1', 'heard', 'again'), flow('f2', 'again', 'e')],
    });
    await expect((await callerFor(handle.db, demo.hung)).signal.broadcast({ name: 'echo' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('"echo"'),
    });
    expect(await instancesOf(loop.id)).toEqual([]);
  });
});
