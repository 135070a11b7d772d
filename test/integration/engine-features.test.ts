/** Engine features beyond the invoice template, run through the routers on a real database. */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { auditEvents, jobs, tasks } from '@/db/schema';
import { createWorker } from '@/app/server/host/worker';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import reminder from '@/engine/compile/fixtures/reminder-approval.json';
import parallel from '@/engine/compile/fixtures/parallel-review.json';
import twoOfThree from '@/engine/compile/fixtures/two-of-three.json';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

let handle: DatabaseHandle;
let tenantId: string;
const decisionForm = (key: string) => ({
  key,
  version: 1,
  title: 'Decision',
  schema: {
    type: 'object',
    properties: {
      decision: { type: 'string', enum: ['approve', 'reject'] },
      legalOk: { type: 'boolean' },
      financeOk: { type: 'boolean' },
    },
  },
});

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  await publishProcess(handle.db, tenantId, { definition: twoOfThree, forms: [decisionForm('decision')] }, null);
  await publishProcess(handle.db, tenantId, { definition: parallel, forms: [decisionForm('review')] }, null);
});
afterAll(async () => handle?.close());

describe('multi-instance and parallel tasks through the routers', () => {
  it('starts an instance whose collection is missing in an incident that says why', async () => {
    const ngoc = await callerFor(handle.db, demo.ngoc);
    const { id, status } = await ngoc.instance.start({ definitionKey: 'two-of-three', variables: {} });
    expect(status).toBe('incident');
    const view = await ngoc.instance.get({ id });
    expect(view).toMatchObject({
      status: 'incident',
      incident: { elementId: 'approve', code: 'LOOP_FAILED', message: expect.stringContaining('not a list') },
    });
    expect(view.history.map((h) => h.type)).toContain('incident.raised');
  });

  it('runs two reviews in parallel and joins them', async () => {
    const ngoc = await callerFor(handle.db, demo.ngoc);
    const { id } = await ngoc.instance.start({ definitionKey: 'parallel-review', variables: {} });
    const lan = await callerFor(handle.db, demo.lan);
    const anh = await callerFor(handle.db, 'anh.vu@senvang.example');
    const finance = (await lan.task.list()).find((t) => t.instanceId === id)!;
    const legal = (await anh.task.list()).find((t) => t.instanceId === id)!;
    expect([finance.elementId, legal.elementId]).toEqual(['financeReview', 'legalReview']);
    await anh.task.complete({ id: legal.id, data: { legalOk: true } });
    expect((await ngoc.instance.get({ id })).status).toBe('active');
    await lan.task.complete({ id: finance.id, data: { financeOk: true } });
    const view = await ngoc.instance.get({ id });
    expect(view).toMatchObject({ status: 'completed', variables: { bothApproved: true } });
  });

  it('runs a process with a repeating reminder and a deadline: timers are jobs a worker fires', async () => {
    // given the reminder process, published (timers are run by the durable runtime)
    await publishProcess(handle.db, tenantId, { definition: reminder, forms: [decisionForm('decision')] }, null);
    const { id } = await (
      await callerFor(handle.db, demo.ngoc)
    ).instance.start({ definitionKey: 'reminder-approval', variables: {} });
    const pending = () =>
      handle.db
        .select()
        .from(jobs)
        .where(and(eq(jobs.instanceId, id), eq(jobs.status, 'pending')));
    expect((await pending()).map((j) => j.elementId).sort()).toEqual(['after7Days', 'every2Days']);
    const due = (elementId: string) =>
      handle.db
        .update(jobs)
        .set({ dueAt: sql`now() - interval '1 second'` })
        .where(and(eq(jobs.instanceId, id), eq(jobs.elementId, elementId), eq(jobs.status, 'pending')));
    const worker = createWorker(handle.db);
    // when the 2-day reminder is due, it fires, sends the reminder and schedules the next one
    await due('every2Days');
    expect(await worker.tick()).toBe(1);
    const history = await handle.db
      .select({ type: auditEvents.type, elementId: auditEvents.elementId })
      .from(auditEvents)
      .where(eq(auditEvents.instanceId, id));
    expect(history).toContainEqual({ type: 'message.sent', elementId: 'remind' });
    expect((await pending()).map((j) => j.elementId).sort()).toEqual(['after7Days', 'every2Days']);
    // when the 7-day deadline is due, the approval is interrupted and escalated; the reminder stops
    await due('after7Days');
    await worker.tick();
    const open = await handle.db
      .select({ elementId: tasks.elementId })
      .from(tasks)
      .where(and(eq(tasks.instanceId, id), eq(tasks.status, 'open')));
    expect(open).toEqual([{ elementId: 'escalate' }]);
    expect(await pending()).toEqual([]);
  });

  it('stores each multi-instance run as its own task', async () => {
    // The two-of-three process reads approverGroups from its variables; start it through the service with them.
    const { startInstance } = await import('@/app/server/services/instances');
    const { resolveActor } = await import('@/app/server/actor');
    const { users } = await import('@/db/schema');
    const [lanUser] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, demo.lan));
    const actor = (await resolveActor(handle.db, lanUser!.id, 'en'))!;
    const withGroups = { ...structuredClone(twoOfThree), key: 'two-of-three-fixed', version: 1 };
    withGroups.elements[1] = {
      ...withGroups.elements[1]!,
      candidateGroups: '=["accounting", "compliance", "risk"]',
      multiInstance: {
        ...(withGroups.elements[1] as { multiInstance: object }).multiInstance,
        collection: '["accounting", "compliance", "risk"]',
      },
    } as never;
    await publishProcess(handle.db, tenantId, { definition: withGroups, forms: [] }, null);
    const { id } = await startInstance(handle.db, actor, { definitionKey: 'two-of-three-fixed', variables: {} });
    const runs = await handle.db
      .select({ id: tasks.id, loopIndex: tasks.loopIndex, groups: tasks.candidateGroups })
      .from(tasks)
      .where(eq(tasks.instanceId, id))
      .orderBy(tasks.loopIndex);
    expect(runs.map((r) => [r.loopIndex, r.groups])).toEqual([
      [0, ['accounting', 'compliance', 'risk']],
      [1, ['accounting', 'compliance', 'risk']],
      [2, ['accounting', 'compliance', 'risk']],
    ]);
    const lan = await callerFor(handle.db, demo.lan);
    await lan.task.complete({ id: runs[0]!.id, data: { decision: 'approve' } });
    await lan.task.complete({ id: runs[2]!.id, data: { decision: 'approve' } });
    const view = await lan.instance.get({ id });
    expect(view).toMatchObject({ status: 'completed', variables: { approvals: ['approve', 'approve'] } });
    const [cancelled] = await handle.db
      .select({ status: tasks.status })
      .from(tasks)
      .where(and(eq(tasks.instanceId, id), eq(tasks.loopIndex, 1)));
    expect(cancelled?.status).toBe('cancelled');
  });

  it('gives each run of a parallel multi-instance subprocess its own task for the same element', async () => {
    // Two runs each wait at "review": two open tasks for one element, told apart by their run (scope).
    const perRun = {
      formatVersion: 1,
      key: 'review-per-run',
      version: 1,
      name: 'Review per run',
      elements: [
        { id: 'start', type: 'startEvent' },
        {
          id: 'each',
          type: 'subProcess',
          multiInstance: { collection: '["a", "b"]', elementVariable: 'part' },
          elements: [
            { id: 'in', type: 'startEvent' },
            { id: 'review', type: 'userTask', candidateGroups: ['accounting'], formKey: 'decision' },
            { id: 'out', type: 'endEvent' },
          ],
          flows: [
            { id: 's1', source: 'in', target: 'review' },
            { id: 's2', source: 'review', target: 'out' },
          ],
        },
        { id: 'end', type: 'endEvent' },
      ],
      flows: [
        { id: 'f1', source: 'start', target: 'each' },
        { id: 'f2', source: 'each', target: 'end' },
      ],
    };
    await publishProcess(handle.db, tenantId, { definition: perRun, forms: [decisionForm('decision')] }, null);
    const ngoc = await callerFor(handle.db, demo.ngoc);
    const { id } = await ngoc.instance.start({ definitionKey: 'review-per-run', variables: {} });
    const open = await handle.db
      .select({ id: tasks.id, scope: tasks.scope })
      .from(tasks)
      .where(and(eq(tasks.instanceId, id), eq(tasks.status, 'open')))
      .orderBy(tasks.scope);
    expect(open.map((t) => t.scope)).toEqual(['each#0', 'each#1']);
    const lan = await callerFor(handle.db, demo.lan);
    for (const task of open) await lan.task.complete({ id: task.id, data: { decision: 'approve' } });
    expect((await ngoc.instance.get({ id })).status).toBe('completed');
  });
});
