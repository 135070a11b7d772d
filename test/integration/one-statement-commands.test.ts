/**
 * The hot path of commands (app/server/host/write.ts, writeOneStatement): a start, a service job and a
 * task completion each read once and write once, and a write that finds the world changed since
 * its read writes nothing at all. On PGlite, and on PostgreSQL when DATABASE_URL is set.
 */
import { and, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { send } from '@/engine';
import { rawQuery, type Database, type DatabaseHandle } from '@/db/client';
import * as schema from '@/db/schema';
import { auditEvents, jobs, processInstances, tasks } from '@/db/schema';
import { resolveActor, type Actor } from '@/app/server/actor';
import { seedDemo } from '@/app/server/seed';
import { NOW_MS, verifyAudit } from '@/app/server/services/audit';
import { definitionById, processOf, publishProcess } from '@/app/server/services/definitions';
import { startInstance } from '@/app/server/services/instances';
import { INSTANCE_COLUMNS, type InstanceRead } from '@/app/server/host/read';
import { planStep } from '@/app/server/host/plan';
import { writeOneStatement } from '@/app/server/host/write';
import { completeTask } from '@/app/server/services/tasks';
import { createWorker } from '@/app/server/host/worker';
import { createTestDatabase } from '../support/database';

let handle: DatabaseHandle & { url?: string };
let tenantId: string;
let starter: Actor;
let accountant: Actor;
/** The database the commands run on, counting the statements it is sent. */
let counted: Database;
let statements = 0;
let closeCounted: () => Promise<void> = async () => {};

const definition = {
  formatVersion: 1,
  key: 'charge-then-approve',
  version: 1,
  name: 'Charge, then approve',
  elements: [
    { id: 'start', type: 'startEvent' },
    { id: 'charge', type: 'serviceTask', taskType: 'charge' },
    { id: 'approve', type: 'userTask', formKey: 'decision', candidateGroups: ['accounting'] },
    { id: 'end', type: 'endEvent' },
  ],
  flows: [
    { id: 'f1', source: 'start', target: 'charge' },
    { id: 'f2', source: 'charge', target: 'approve' },
    { id: 'f3', source: 'approve', target: 'end' },
  ],
};
const decision = {
  key: 'decision',
  version: 1,
  title: 'Decision',
  schema: {
    type: 'object',
    properties: { decision: { type: 'string', enum: ['approve', 'reject'] } },
    required: ['decision'],
  },
};

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  await publishProcess(handle.db, tenantId, { definition, forms: [decision] }, null);
  const withRetries = (key: string, retries: number) => ({
    ...definition,
    key,
    elements: definition.elements.map((e) => (e.id === 'charge' ? { ...e, retries } : e)),
  });
  await publishProcess(handle.db, tenantId, { definition: withRetries('charge-no-retry', 0), forms: [decision] }, null);
  await publishProcess(
    handle.db,
    tenantId,
    { definition: withRetries('charge-five-retries', 5), forms: [decision] },
    null,
  );
  const actor = async (email: string) => {
    const [user] = await handle.db
      .select({ id: schema.users.id })
      .from(schema.users)
      .where(eq(schema.users.email, email));
    return (await resolveActor(handle.db, user!.id, 'en'))!;
  };
  starter = await actor('ngoc.bui@senvang.example');
  accountant = await actor('hung.tran@senvang.example');
  if (handle.url) {
    const client = postgres(handle.url, { max: 4, onnotice: () => {}, debug: () => void statements++ });
    counted = drizzle(client, { schema }) as unknown as Database;
    closeCounted = () => client.end({ timeout: 5 });
  } else {
    // PGlite: every statement, in a transaction or not, goes through `query` (or `exec`).
    const pglite = (handle.db as unknown as { $client: Record<string, (...args: unknown[]) => unknown> }).$client;
    for (const method of ['query', 'exec'] as const) {
      const original = pglite[method]!.bind(pglite);
      pglite[method] = (...args: unknown[]) => (statements++, original(...args));
    }
    counted = handle.db;
  }
});
afterAll(async () => {
  await closeCounted();
  await handle?.close();
});

/** Statements `run` sends. */
async function count<T>(run: () => Promise<T>): Promise<[T, number]> {
  const before = statements;
  const value = await run();
  return [value, statements - before];
}

describe('commands in one read and one write', () => {
  it('a start, its service job and the completion of its task each read once and write once (the job reads in its claim)', async () => {
    const worker = createWorker(counted, { connectors: { charge: async () => ({ receipt: 'R-1' }) } });
    // Warm the caches (definition, form) and, on PostgreSQL, the connections' prepared statements.
    const warm = await startInstance(counted, starter, { definitionKey: 'charge-then-approve', variables: {} });
    await worker.tick();
    const [warmTask] = await handle.db
      .select()
      .from(tasks)
      .where(and(eq(tasks.instanceId, warm.id), eq(tasks.status, 'open')));
    await completeTask(counted, accountant, { taskId: warmTask!.id, data: { decision: 'approve' } });

    const [started, startStatements] = await count(() =>
      startInstance(counted, starter, { definitionKey: 'charge-then-approve', variables: {} }),
    );
    // claim (which also reads the instance) + write; no BEGIN, no COMMIT
    const [ran, jobStatements] = await count(() => worker.tick());
    const [task] = await handle.db
      .select()
      .from(tasks)
      .where(and(eq(tasks.instanceId, started.id), eq(tasks.status, 'open')));
    const [done, completeStatements] = await count(() =>
      completeTask(counted, accountant, { taskId: task!.id, data: { decision: 'approve' } }),
    );

    expect(ran).toBe(1);
    expect(done.instanceStatus).toBe('completed');
    expect({ startStatements, jobStatements, completeStatements }).toEqual({
      startStatements: 2,
      jobStatements: 2,
      completeStatements: 2,
    });
    // and what they wrote is what the transaction path writes: the history reads the same, the chain holds
    const history = await handle.db
      .select({ type: auditEvents.type, elementId: auditEvents.elementId })
      .from(auditEvents)
      .where(eq(auditEvents.instanceId, started.id))
      .orderBy(auditEvents.id);
    expect(history.map((h) => h.type)).toEqual(
      expect.arrayContaining([
        'instance.started',
        'job.created',
        'job.completed',
        'task.created',
        'task.completed',
        'instance.completed',
      ]),
    );
    expect(history[0]!.type).toBe('instance.started');
    expect(history.at(-1)!.type).toBe('instance.completed');
    const [row] = await handle.db.select().from(processInstances).where(eq(processInstances.id, started.id));
    expect(row).toMatchObject({ status: 'completed', version: 3 });
    expect(row!.endedAt).toBeInstanceOf(Date);
    expect((await handle.db.select().from(jobs).where(eq(jobs.instanceId, started.id)))[0]).toMatchObject({
      status: 'done',
      lockedBy: null,
    });
    expect((await verifyAudit(handle.db, { tenantId })).problems).toEqual([]);
  });
});

describe('service jobs', () => {
  it("take the service task's retries (or 3), on both write paths; with none left the first failure is an incident", async () => {
    const retriesOf = async (id: string) =>
      (await handle.db.select({ retries: jobs.retries }).from(jobs).where(eq(jobs.instanceId, id)))[0]!.retries;
    const fast = await startInstance(handle.db, starter, { definitionKey: 'charge-five-retries', variables: {} });
    // inside a caller's transaction the command takes the transaction path
    const inTransaction = await handle.db.transaction((tx) =>
      startInstance(tx, starter, { definitionKey: 'charge-five-retries', variables: {} }),
    );
    const plain = await startInstance(handle.db, starter, { definitionKey: 'charge-then-approve', variables: {} });
    const none = await startInstance(handle.db, starter, { definitionKey: 'charge-no-retry', variables: {} });
    expect([
      await retriesOf(fast.id),
      await retriesOf(inTransaction.id),
      await retriesOf(plain.id),
      await retriesOf(none.id),
    ]).toEqual([5, 5, 3, 0]);

    await handle.db
      .update(jobs)
      .set({ status: 'cancelled' })
      .where(and(eq(jobs.status, 'pending'), sql`${jobs.instanceId} <> ${none.id}`));
    await createWorker(handle.db, {
      connectors: { charge: async () => Promise.reject(new Error('card declined by the bank')) },
    }).tick();
    const [job] = await handle.db.select().from(jobs).where(eq(jobs.instanceId, none.id));
    expect(job).toMatchObject({ status: 'failed', attempts: 1, lastError: 'card declined by the bank' });
  });
});

describe('a write that finds the world changed since its read writes nothing', () => {
  /** An instance waiting at its user task, read as a command reads it, with the completion planned. */
  async function readAndPlan() {
    const { id } = await startInstance(handle.db, starter, { definitionKey: 'charge-then-approve', variables: {} });
    await createWorker(handle.db, { connectors: { charge: async () => ({}) } }).tick();
    const query = rawQuery(handle.db)!;
    const [read] = await query<InstanceRead & { nowMs: string }>(
      `select ${INSTANCE_COLUMNS}, ${NOW_MS} as "nowMs" from process_instances i where i.id = $1::uuid`,
      [id],
    );
    const [task] = await handle.db
      .select()
      .from(tasks)
      .where(and(eq(tasks.instanceId, id), eq(tasks.status, 'open')));
    const def = await definitionById(handle.db, tenantId, read!.definitionId);
    const now = new Date(Number(read!.nowMs));
    const result = send(
      await processOf(handle.db, def),
      read!.state,
      { type: 'task.completed', elementId: 'approve', variables: { decision: 'approve' } },
      { now: now.toISOString() },
    );
    const ctx = { tenantId, instanceId: id, actorId: accountant.userId, formIds: def.formIds, now, parentId: null };
    const audit = {
      tenantId,
      instanceId: id,
      taskId: task!.id,
      actorId: accountant.userId,
      type: 'task.completed',
      elementId: 'approve',
      data: {},
    };
    const plan = planStep(
      ctx,
      { kind: 'update', version: read!.version, auditHead: read!.auditHead },
      result.state,
      result.effects,
      [audit],
      {
        closeTask: { id: task!.id, data: { decision: 'approve' }, completedBy: accountant.userId },
        closedElement: 'approve',
      },
    );
    expect(plan.needsTransaction).toBeNull();
    const snapshot = async () => ({
      instance: (
        await handle.db
          .select({
            version: processInstances.version,
            status: processInstances.status,
            auditHead: processInstances.auditHead,
          })
          .from(processInstances)
          .where(eq(processInstances.id, id))
      )[0],
      tasks: await handle.db
        .select({ id: tasks.id, status: tasks.status })
        .from(tasks)
        .where(eq(tasks.instanceId, id))
        .orderBy(tasks.id),
      audit: (
        await handle.db
          .select({ n: sql<number>`count(*)::int` })
          .from(auditEvents)
          .where(eq(auditEvents.instanceId, id))
      )[0]!.n,
      jobs: await handle.db
        .select({ id: jobs.id, status: jobs.status })
        .from(jobs)
        .where(eq(jobs.instanceId, id))
        .orderBy(jobs.id),
    });
    return { id, taskId: task!.id, query, ctx, plan, snapshot };
  }

  it('the task it closes was closed meanwhile (the instance row untouched): nothing of the step stays', async () => {
    const { taskId, query, plan, snapshot } = await readAndPlan();
    // someone closes the task behind the instance's back (no version bump): only the in-statement check can see it
    await handle.db.update(tasks).set({ status: 'cancelled' }).where(eq(tasks.id, taskId));
    const before = await snapshot();
    expect(await writeOneStatement(query, plan)).toBe('missed');
    expect(await snapshot()).toEqual(before);
  });

  it('the instance moved on meanwhile (version) or its history grew (audit head): nothing is written', async () => {
    const moved = await readAndPlan();
    await handle.db
      .update(processInstances)
      .set({ version: sql`${processInstances.version} + 1` })
      .where(eq(processInstances.id, moved.id));
    let before = await moved.snapshot();
    expect(await writeOneStatement(moved.query, moved.plan)).toBe('missed');
    expect(await moved.snapshot()).toEqual(before);

    const grown = await readAndPlan();
    await handle.db
      .update(processInstances)
      .set({ auditHead: 'f'.repeat(64) })
      .where(eq(processInstances.id, grown.id));
    before = await grown.snapshot();
    expect(await writeOneStatement(grown.query, grown.plan)).toBe('missed');
    expect(await grown.snapshot()).toEqual(before);
  });

  it('the same plan written twice acts once', async () => {
    const { query, plan, snapshot } = await readAndPlan();
    expect(await writeOneStatement(query, plan)).toBe('written');
    const after = await snapshot();
    expect(after.instance).toMatchObject({ status: 'completed' });
    expect(await writeOneStatement(query, plan)).toBe('missed');
    expect(await snapshot()).toEqual(after);
  });
});
