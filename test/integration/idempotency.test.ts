/**
 * Idempotent commands through the routers (instance.start, task.complete with an idempotencyKey),
 * on PGlite by default and PostgreSQL when DATABASE_URL is set. The concurrency and
 * dropped-connection tests need several real connections: PostgreSQL only.
 */
import { randomUUID } from 'node:crypto';
import { and, count, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle, Executor } from '@/db/client';
import { auditEvents, commandResults, processInstances, tasks, users } from '@/db/schema';
import { resolveActor, type Actor } from '@/app/server/actor';
import { connectionLost } from '@/app/server/errors';
import { seedDemo } from '@/app/server/seed';
import { pruneCommandResults, withIdempotency } from '@/app/server/services/idempotency';
import { completeTask } from '@/app/server/services/tasks';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase, rowsOf } from '../support/database';

// createTestDatabase picks PostgreSQL exactly when DATABASE_URL is set.
const onPglite = !process.env.DATABASE_URL;

let handle: DatabaseHandle;
beforeAll(async () => {
  handle = await createTestDatabase();
  await seedDemo(handle.db);
});
afterAll(async () => handle?.close());

const invoice = (invoiceNumber: string, amount = 75_000_000) => ({
  vendor: 'Công ty TNHH Thương mại Hòa Bình',
  invoiceNumber,
  amount,
  category: 'it-equipment',
  dueDate: '2026-12-15',
  description: 'Máy in cho phòng Kế toán',
});
const approve = { decision: 'approve', comment: 'Đúng hợp đồng' };
const newKey = (prefix: string) => `${prefix}:${randomUUID()}`;

/** An invoice above the threshold started by Ngọc (completing its accounting task opens another), and that open task, offered to Hùng and Lan. */
async function openAccountingTask() {
  const ngoc = await callerFor(handle.db, demo.ngoc);
  const { id: instanceId } = await ngoc.instance.start({
    definitionKey: 'invoice-approval',
    variables: invoice(`HD-${randomUUID().slice(0, 8)}`),
  });
  const hung = await callerFor(handle.db, demo.hung);
  const task = (await hung.task.list()).find((t) => t.instanceId === instanceId);
  if (!task) throw new Error(`No accounting task for instance ${instanceId}`);
  return { instanceId, taskId: task.id };
}

/** What completing a task leaves behind: its status, its completion audit rows, the instance version, the stored result. */
async function traces(taskId: string, instanceId: string, key: string) {
  const db = handle.db;
  const [task] = await db.select({ status: tasks.status }).from(tasks).where(eq(tasks.id, taskId));
  const [audit] = await db
    .select({ n: count() })
    .from(auditEvents)
    .where(and(eq(auditEvents.taskId, taskId), eq(auditEvents.type, 'task.completed')));
  const [instance] = await db
    .select({ version: processInstances.version })
    .from(processInstances)
    .where(eq(processInstances.id, instanceId));
  const stored = await db
    .select({ command: commandResults.command, result: commandResults.result })
    .from(commandResults)
    .where(eq(commandResults.key, key));
  return { taskStatus: task?.status, completions: audit?.n, instanceVersion: instance?.version, stored };
}

async function actorOf(email: string): Promise<Actor> {
  const [user] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, email));
  const actor = user && (await resolveActor(handle.db, user.id, 'en'));
  if (!actor) throw new Error(`No actor for ${email}`);
  return actor;
}

describe('idempotent commands', () => {
  it('starts one instance for two starts with the same key, returning the same result', async () => {
    // given
    const ngoc = await callerFor(handle.db, demo.ngoc);
    const key = newKey('start');
    const input = { definitionKey: 'invoice-approval', variables: invoice('HD-IDEM-START'), idempotencyKey: key };

    // when
    const first = await ngoc.instance.start(input);
    const second = await ngoc.instance.start(input);

    // then
    expect(second).toEqual(first);
    expect(first).toMatchObject({ id: expect.any(String), status: 'active', taskIds: [expect.any(String)] });
    const [started] = await handle.db
      .select({ n: count() })
      .from(processInstances)
      .where(eq(processInstances.businessKey, 'HD-IDEM-START'));
    expect(started?.n).toBe(1);
  });

  it('completes a task once for two completions with the same key: one audit row, same result', async () => {
    // given
    const { instanceId, taskId } = await openAccountingTask();
    const hung = await callerFor(handle.db, demo.hung);
    const key = newKey('complete');

    // when
    const first = await hung.task.complete({ id: taskId, data: approve, idempotencyKey: key });
    const second = await hung.task.complete({ id: taskId, data: approve, idempotencyKey: key });

    // then
    expect(second).toEqual(first);
    expect(await traces(taskId, instanceId, key)).toEqual({
      taskStatus: 'completed',
      completions: 1,
      instanceVersion: 2,
      stored: [{ command: 'task.complete', result: first }],
    });
  });

  it('still answers a second completion without a key with a conflict', async () => {
    const { taskId } = await openAccountingTask();
    const hung = await callerFor(handle.db, demo.hung);
    await hung.task.complete({ id: taskId, data: approve, idempotencyKey: newKey('complete') });
    await expect(hung.task.complete({ id: taskId, data: approve })).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('refuses a key used for another command, or by another user, naming the key and acting not at all', async () => {
    // given a key used to start an instance, and one used by Hùng to complete a task
    const { instanceId, taskId } = await openAccountingTask();
    const ngoc = await callerFor(handle.db, demo.ngoc);
    const hung = await callerFor(handle.db, demo.hung);
    const lan = await callerFor(handle.db, demo.lan);
    const startKey = newKey('start');
    await ngoc.instance.start({
      definitionKey: 'invoice-approval',
      variables: invoice('HD-IDEM-CONFLICT'),
      idempotencyKey: startKey,
    });
    const other = await openAccountingTask();
    const hungsKey = newKey('complete');
    await hung.task.complete({ id: other.taskId, data: approve, idempotencyKey: hungsKey });

    // when / then
    await expect(hung.task.complete({ id: taskId, data: approve, idempotencyKey: startKey })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: `Idempotency key "${startKey}" was already used for instance.start; send task.complete with a new key.`,
    });
    await expect(lan.task.complete({ id: taskId, data: approve, idempotencyKey: hungsKey })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(`Idempotency key "${hungsKey}" was already used by another user`),
    });
    expect(await traces(taskId, instanceId, newKey('none'))).toMatchObject({
      taskStatus: 'open',
      completions: 0,
      instanceVersion: 1,
    });
  });

  it('refuses the same key with other input (another task, other data): a retry sends the same request', async () => {
    // given a key Hùng used to complete one task
    const first = await openAccountingTask();
    const second = await openAccountingTask();
    const hung = await callerFor(handle.db, demo.hung);
    const key = newKey('complete');
    const result = await hung.task.complete({ id: first.taskId, data: approve, idempotencyKey: key });

    // when he sends it with another task, or with other data, it is refused and nothing acts
    await expect(hung.task.complete({ id: second.taskId, data: approve, idempotencyKey: key })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: `Idempotency key "${key}" was already used for task.complete with different input; send the new request with a new key.`,
    });
    await expect(
      hung.task.complete({ id: first.taskId, data: { decision: 'reject' }, idempotencyKey: key }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await traces(second.taskId, second.instanceId, newKey('none'))).toMatchObject({
      taskStatus: 'open',
      completions: 0,
      instanceVersion: 1,
    });
    // while the same request (keys in another order) is still a retry
    expect(await hung.task.complete({ data: approve, id: first.taskId, idempotencyKey: key })).toEqual(result);
  });

  it('forgets results after their retention, oldest first, so the table does not grow for ever', async () => {
    const hung = await callerFor(handle.db, demo.hung);
    const { taskId } = await openAccountingTask();
    const key = newKey('complete');
    await hung.task.complete({ id: taskId, data: approve, idempotencyKey: key });
    const stored = () => handle.db.select().from(commandResults).where(eq(commandResults.key, key));
    expect(await pruneCommandResults(handle.db)).toBe(0);
    expect(await stored()).toHaveLength(1);
    // a day and a bit later
    await handle.db
      .update(commandResults)
      .set({ createdAt: sql`now() - interval '25 hours'` })
      .where(eq(commandResults.key, key));
    expect(await pruneCommandResults(handle.db)).toBeGreaterThanOrEqual(1);
    expect(await stored()).toHaveLength(0);
  });

  it('refuses a malformed key before acting', async () => {
    const { taskId } = await openAccountingTask();
    const hung = await callerFor(handle.db, demo.hung);
    await expect(hung.task.complete({ id: taskId, data: approve, idempotencyKey: 'short' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(
      hung.task.complete({ id: taskId, data: approve, idempotencyKey: 'has spaces in it' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const actor = await actorOf(demo.hung);
    await expect(
      withIdempotency(handle.db, actor, 'x'.repeat(201), 'task.complete', {}, async () => 'ran'),
    ).rejects.toMatchObject({ name: 'AppError', code: 'BAD_REQUEST' });
  });

  it('stores no failure: a retry with the same key after a refused submission acts', async () => {
    const { instanceId, taskId } = await openAccountingTask();
    const hung = await callerFor(handle.db, demo.hung);
    const key = newKey('complete');

    await expect(
      hung.task.complete({ id: taskId, data: { decision: 'reject' }, idempotencyKey: key }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    const result = await hung.task.complete({ id: taskId, data: approve, idempotencyKey: key });

    expect(await traces(taskId, instanceId, key)).toEqual({
      taskStatus: 'completed',
      completions: 1,
      instanceVersion: 2,
      stored: [{ command: 'task.complete', result }],
    });
  });

  it("rolls back the service's writes and stores nothing when the command fails after writing", async () => {
    // given a command whose service writes everything, then the command fails
    const { instanceId, taskId } = await openAccountingTask();
    const actor = await actorOf(demo.hung);
    const key = newKey('complete');

    // when
    const failed = withIdempotency(
      handle.db,
      actor,
      key,
      'task.complete',
      { id: taskId, data: approve },
      async (tx) => {
        await completeTask(tx, actor, { taskId, data: approve });
        throw new Error('failed after the service wrote');
      },
    );

    // then
    await expect(failed).rejects.toThrow('failed after the service wrote');
    expect(await traces(taskId, instanceId, key)).toEqual({
      taskStatus: 'open',
      completions: 0,
      instanceVersion: 1,
      stored: [],
    });
  });

  // PGlite has one connection and runs transactions one after another: there is no race to test.
  it.skipIf(onPglite)(
    'lets one of 10 concurrent completions with the same key act, and returns its result to all (PostgreSQL)',
    async () => {
      // given
      const { instanceId, taskId } = await openAccountingTask();
      const hung = await callerFor(handle.db, demo.hung);
      const key = newKey('complete');

      // when
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, () => hung.task.complete({ id: taskId, data: approve, idempotencyKey: key })),
      );

      // then
      const values = results.map((r) => (r.status === 'fulfilled' ? r.value : r.reason));
      expect(results.map((r) => r.status)).toEqual(Array(10).fill('fulfilled'));
      for (const value of values) expect(value).toEqual(values[0]);
      expect(await traces(taskId, instanceId, key)).toEqual({
        taskStatus: 'completed',
        completions: 1,
        instanceVersion: 2,
        stored: [{ command: 'task.complete', result: values[0] }],
      });
    },
  );
});

describe('a dropped database connection', () => {
  it('maps connection loss to a retryable error, looking through wrappers, and nothing else', () => {
    const wrapped = (code: string) =>
      new Error('Failed query: update …', { cause: Object.assign(new Error(code), { code }) });
    for (const code of ['CONNECTION_CLOSED', 'CONNECTION_ENDED', 'CONNECTION_DESTROYED', '57P01', '08006', '08003']) {
      expect(connectionLost(wrapped(code)), code).toMatchObject({ code: 'SERVICE_UNAVAILABLE', retryable: true });
    }
    for (const code of ['23505', '40001', '57014', 'ERR_INVALID_ARG_TYPE'])
      expect(connectionLost(wrapped(code)), code).toBeNull();
    expect(connectionLost(new Error('no code'))).toBeNull();
  });

  it.skipIf(onPglite)(
    'reaches the caller as a retryable error, writes nothing, and a retry with the same key acts once (PostgreSQL)',
    async () => {
      // given a completion that pauses after its service wrote everything, before commit, on a
      // connection we know
      const { instanceId, taskId } = await openAccountingTask();
      const key = newKey('complete');
      let reportPid!: (pid: number) => void;
      const paused = new Promise<number>((resolve) => (reportPid = resolve));
      const victim = await callerFor(
        pausingAfterService(handle.db, async (tx) => {
          reportPid(await backendPid(tx));
          // Never resumes. Resuming after the kill would make postgres.js 3.4.9 write ROLLBACK or
          // COMMIT to the closed socket: an uncaught TypeError that also loses the pooled
          // connection for good (porsager/postgres#1208, #1215). Left pending, the transaction
          // rejects with CONNECTION_CLOSED as soon as the socket closes, and the pool reconnects.
          await new Promise<never>(() => {});
        }),
        demo.hung,
      );
      const attempt = victim.task.complete({ id: taskId, data: approve, idempotencyKey: key });
      attempt.catch(() => {}); // awaited below; keeps an early rejection from counting as unhandled
      const pid = await within(
        paused,
        10_000,
        'The completion never reached its pause: does completeTask still open its own (nested) transaction?',
      );

      // when its backend is terminated from another connection
      await handle.db.execute(sql`select pg_terminate_backend(${pid})`);
      const error = await within(
        attempt.then(
          () => new Error('the command succeeded'),
          (e: unknown) => e,
        ),
        10_000,
        'The command did not fail after its backend was terminated',
      );
      await within(backendGone(pid), 10_000, `Backend ${pid} did not exit`);

      // then the caller is told to retry, and nothing was written
      expect(error).toMatchObject({
        code: 'SERVICE_UNAVAILABLE',
        message: expect.stringContaining('same idempotency key'),
        cause: { name: 'AppError', retryable: true },
      });
      expect(await traces(taskId, instanceId, key)).toEqual({
        taskStatus: 'open',
        completions: 0,
        instanceVersion: 1,
        stored: [],
      });

      // when retried with the same key, on a fresh connection
      let retryPid = 0;
      const retrying = await callerFor(
        pausingAfterService(handle.db, async (tx) => {
          retryPid = await backendPid(tx);
        }),
        demo.hung,
      );
      const result = await retrying.task.complete({ id: taskId, data: approve, idempotencyKey: key });

      // then it acted once, and later retries get its result
      expect(retryPid).not.toBe(0);
      expect(retryPid).not.toBe(pid);
      expect(result).toMatchObject({ instanceId, instanceStatus: 'active', taskIds: [expect.any(String)] });
      expect(await traces(taskId, instanceId, key)).toEqual({
        taskStatus: 'completed',
        completions: 1,
        instanceVersion: 2,
        stored: [{ command: 'task.complete', result }],
      });
      expect(
        await (await callerFor(handle.db, demo.hung)).task.complete({ id: taskId, data: approve, idempotencyKey: key }),
      ).toEqual(result);
    },
  );
});

/**
 * The database, except that inside the outermost transaction (withIdempotency's), once the
 * service's own transaction (a savepoint) has finished its writes, `pause` runs on the still-open
 * outer transaction, before the result is stored and committed.
 */
function pausingAfterService(db: Executor, pause: (tx: Executor) => Promise<void>): Executor {
  const outer: Executor = Object.create(db);
  outer.transaction = ((work, config) =>
    db.transaction((tx) => {
      const inner: typeof tx = Object.create(tx);
      inner.transaction = ((service) =>
        tx.transaction(service).then(async (result) => (await pause(tx), result))) as typeof tx.transaction;
      return work(inner);
    }, config)) as typeof db.transaction;
  return outer;
}

async function backendPid(db: Executor): Promise<number> {
  return Number(rowsOf(await db.execute(sql`select pg_backend_pid() as pid`))[0]?.pid);
}

async function backendGone(pid: number): Promise<void> {
  while (rowsOf(await handle.db.execute(sql`select 1 from pg_stat_activity where pid = ${pid}`)).length > 0)
    await new Promise((r) => setTimeout(r, 20));
}

function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
