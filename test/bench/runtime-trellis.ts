/**
 * The Trellis side of `npm run bench:runtime`: a benchmark process definition, the actors that
 * drive it, and a driver that runs instances to their end through the services the API uses —
 * `startInstance`, a worker running the service job, `completeTask` — with closed-loop clients
 * and in-process worker loops, counting what finished inside a timed window. Also counts the SQL
 * statements (round trips) each command sends. Bench-only: the services are used as they are.
 */
import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { rawQuery, type Database, type Executor } from '@/db/client';
import { preparedByDefault } from '@/db/postgres-prepared';
import * as schema from '@/db/schema';
import { groupMembers, groups, memberships, processInstances, tasks, tenants, users } from '@/db/schema';
import { resolveActor, type Actor } from '@/app/server/actor';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { startInstance } from '@/app/server/services/instances';
import { jobHints, untilJobHint } from '@/app/server/host/job-signal';
import { completeTask } from '@/app/server/services/tasks';
import { createWorker, type Worker } from '@/app/server/host/worker';
import { cpuSince, cpuSnapshot, type CpuUse } from './runtime-cpu';
import type { Phase } from './runtime-lfl';

export const DEFINITION_KEY = 'bench-runtime';
export const JOB_TYPE = 'bench-charge';

const definition = {
  formatVersion: 1,
  key: DEFINITION_KEY,
  version: 1,
  name: 'Bench: service task → user task',
  elements: [
    { id: 'start', type: 'startEvent' },
    { id: 'charge', type: 'serviceTask', taskType: JOB_TYPE },
    { id: 'approve', type: 'userTask', formKey: 'bench-decision', candidateGroups: ['accounting'] },
    { id: 'end', type: 'endEvent' },
  ],
  flows: [
    { id: 'f1', source: 'start', target: 'charge' },
    { id: 'f2', source: 'charge', target: 'approve' },
    { id: 'f3', source: 'approve', target: 'end' },
  ],
};
const decisionForm = {
  key: 'bench-decision',
  version: 1,
  title: 'Decision',
  schema: {
    type: 'object',
    properties: { decision: { type: 'string', enum: ['approve', 'reject'] } },
    required: ['decision'],
  },
};
export const SUBMISSION = { decision: 'approve' };

export interface Actors {
  /** Starts instances (operations staff). */
  starter: Actor;
  /** Completes the user task (an accountant: the task is offered to "accounting"). */
  completer: Actor;
}

/**
 * Seeds the demo company (all its template processes: a company at work), publishes the benchmark
 * definition, resolves the two actors. `minimal`: a company of the two actors and the accounting
 * department only, for a quick test (test/integration/like-for-like.test.ts).
 */
export async function prepareTrellis(db: Executor, company: 'demo' | 'minimal' = 'demo'): Promise<Actors> {
  const tenantId = company === 'demo' ? await seedDemo(db) : await seedMinimal(db);
  await publishProcess(db, tenantId, { definition, forms: [decisionForm] }, null);
  const actorFor = async (email: string) => {
    const [user] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
    const actor = user && (await resolveActor(db, user.id, 'en'));
    if (!actor)
      throw new Error(`The seeded user ${email} is missing from the bench database; did seedDemo change its users?`);
    return actor;
  };
  return {
    starter: await actorFor(STARTER),
    completer: await actorFor(COMPLETER),
  };
}

const STARTER = 'ngoc.bui@senvang.example';
const COMPLETER = 'hung.tran@senvang.example';

async function seedMinimal(db: Executor): Promise<string> {
  const [tenant] = await db.insert(tenants).values({ slug: 'bench', name: 'Bench' }).returning({ id: tenants.id });
  const tenantId = tenant!.id;
  const people = await db
    .insert(users)
    .values([
      { email: STARTER, displayName: 'Starter' },
      { email: COMPLETER, displayName: 'Completer' },
    ])
    .returning({ id: users.id, email: users.email });
  await db.insert(memberships).values(people.map((p) => ({ tenantId, userId: p.id, role: 'staff' as const })));
  const [accounting] = await db
    .insert(groups)
    .values({ tenantId, key: 'accounting', name: { en: 'Accounting' } })
    .returning({ id: groups.id });
  await db.insert(groupMembers).values({
    tenantId,
    groupId: accounting!.id,
    userId: people.find((p) => p.email === COMPLETER)!.id,
  });
  return tenantId;
}

export interface DriveOptions {
  /** Shared by the clients (sized to the client count by the caller). */
  clientDb: Database;
  /** One executor per worker (each its own pool; the same PGlite for an embedded run). */
  workerDbs: Database[];
  clients: number;
  actors: Actors;
  warmupMs: number;
  measureMs: number;
  /** Most instances a client keeps started-but-not-completed (it completes ready tasks first). */
  inflight: number;
  /** A worker's pause after a poll that found nothing. */
  workerIdleMs: number;
  /** Jobs a worker claims per poll. */
  workerBatch: number;
  /** Called as the measured window opens and as it closes (the PGlite run reads its time inside PGlite then). */
  onWindow?: (edge: 'open' | 'close') => void;
  /** Longest wait for the instances in flight to finish after the window. */
  drainTimeoutMs?: number;
}

export interface DriveResult {
  seconds: number;
  starts: number;
  completes: number;
  /** Service jobs whose transaction committed (their user task became visible), in the window. */
  jobs: number;
  /** Instances that reached their end event, in the window. */
  instances: number;
  /** API command latencies (start and complete) in the window, ms. */
  latencies: number[];
  startLatencies: number[];
  completeLatencies: number[];
  /** Node's CPU time over the window ÷ wall time (1.0 = one core busy). */
  nodeCpu: number;
  /** Share of the clients' time in the window spent waiting for a worker (all their instances in flight). */
  clientWait: number;
  /** PostgreSQL's and the machine's CPU over the window. */
  cpu: CpuUse;
  /** Worker polls in the window that found nothing due (each one statement). */
  emptyPolls: number;
  /** Connector calls that did not end in a committed job (retries, lost leases); 0 expected. */
  jobRetries: number;
  workerErrors: number;
  firstError?: string;
}

interface Client {
  ready: string[];
  outstanding: number;
  wake: (() => void) | null;
  waitingSince: number | null;
}

/**
 * Clients run closed loops: complete a ready task if they have one, else start an instance (up
 * to `inflight` outstanding), else wait for a worker to make one of theirs ready. Workers tick in
 * loops; after a tick that ran jobs, one query finds the user tasks those jobs created and hands
 * them to the clients that own the instances (harness bookkeeping, not a command). After the
 * window no new instance starts and the ones in flight are finished, then checked in the database.
 */
export async function drive(options: DriveOptions): Promise<DriveResult> {
  const { clientDb, actors } = options;
  let phase: 'warmup' | 'measure' | 'drain' = 'warmup';
  const result: DriveResult = {
    seconds: options.measureMs / 1000,
    starts: 0,
    completes: 0,
    jobs: 0,
    instances: 0,
    latencies: [],
    startLatencies: [],
    completeLatencies: [],
    nodeCpu: 0,
    clientWait: 0,
    cpu: { postgres: NaN, machine: NaN },
    emptyPolls: 0,
    jobRetries: 0,
    workerErrors: 0,
  };
  const fail = (error: unknown) => (result.firstError ??= (error as Error).message ?? String(error));

  const clients: Client[] = Array.from({ length: options.clients }, () => ({
    ready: [],
    outstanding: 0,
    wake: null,
    waitingSince: null,
  }));
  const owners = new Map<string, Client>();
  const unowned = new Map<string, string>(); // instance → task, found before its start returned
  const deliver = (instanceId: string, taskId: string) => {
    const client = owners.get(instanceId);
    if (!client) return void unowned.set(instanceId, taskId);
    owners.delete(instanceId);
    client.ready.push(taskId);
    client.wake?.();
  };
  const wakeAll = () => clients.forEach((c) => c.wake?.());

  // ---- workers
  let stopWorkers = false;
  let connectorCalls = 0;
  let jobsDone = 0;
  const workerLoops = options.workerDbs.map(async (db) => {
    const ranFor = new Set<string>();
    const lookup = rawQuery(db)!;
    const worker: Worker = createWorker(db, {
      batch: options.workerBatch,
      connectors: {
        [JOB_TYPE]: async ({ job }) => {
          connectorCalls++;
          ranFor.add(job.instanceId);
          return { receipt: 'R' };
        },
      },
    });
    while (!stopWorkers) {
      let ran = 0;
      const hints = jobHints();
      try {
        ran = await worker.tick();
        if (ranFor.size > 0) {
          // Harness bookkeeping, kept cheap (one prepared statement, whatever the number of instances): its CPU counts in Node's.
          const found = await lookup<{ id: string; instanceId: string }>(
            `select id, instance_id as "instanceId" from tasks where instance_id in (select jsonb_array_elements_text($1::jsonb)::uuid) and status = 'open'`,
            [JSON.stringify([...ranFor])],
          );
          for (const t of found) {
            ranFor.delete(t.instanceId);
            jobsDone++;
            if (phase === 'measure') result.jobs++;
            deliver(t.instanceId, t.id);
          }
        }
      } catch (error) {
        result.workerErrors++;
        fail(error);
      }
      if (ran === 0 && phase === 'measure') result.emptyPolls++;
      // As the product's worker loop (startWorkerLoop) waits: after a batch that was not full, its
      // pause, cut short when a command commits a job (job-signal.ts); after a full one, at once.
      await (ran < options.workerBatch ? untilJobHint(hints, options.workerIdleMs) : yieldToEventLoop());
    }
    await worker.stop();
  });

  // ---- clients
  // Time clients spent waiting, counted where it overlaps the window.
  let waited = 0;
  let windowStart = Infinity;
  let windowEnd = Infinity;
  const overlap = (from: number, to: number) => Math.max(0, Math.min(to, windowEnd) - Math.max(from, windowStart));
  const timed = async <T>(latencies: number[], run: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    const value = await run();
    if (phase === 'measure') {
      const ms = performance.now() - t0;
      latencies.push(ms);
      result.latencies.push(ms);
    }
    return value;
  };
  const clientLoop = async (client: Client) => {
    for (;;) {
      await yieldToEventLoop();
      const taskId = client.ready.shift();
      if (taskId) {
        const done = await timed(result.completeLatencies, () =>
          completeTask(clientDb, actors.completer, { taskId, data: SUBMISSION }),
        );
        client.outstanding--;
        if (done.instanceStatus !== 'completed')
          throw new Error(
            `Instance "${done.instanceId}" is ${done.instanceStatus} after its user task; the bench process should have ended.`,
          );
        if (phase === 'measure') (result.completes++, result.instances++);
        continue;
      }
      if (phase !== 'drain' && client.outstanding < options.inflight) {
        const started = await timed(result.startLatencies, () =>
          startInstance(clientDb, actors.starter, { definitionKey: DEFINITION_KEY, variables: {} }),
        );
        client.outstanding++;
        if (phase === 'measure') result.starts++;
        const early = unowned.get(started.id);
        if (early) (unowned.delete(started.id), client.ready.push(early));
        else owners.set(started.id, client);
        continue;
      }
      if (phase === 'drain' && client.outstanding === 0) return;
      client.waitingSince = performance.now();
      await new Promise<void>((resolve) => (client.wake = resolve));
      client.wake = null;
      if (client.waitingSince !== null) waited += overlap(client.waitingSince, performance.now());
      client.waitingSince = null;
    }
  };

  const running = clients.map((c) =>
    clientLoop(c).catch((error: unknown) => {
      fail(error);
      throw error;
    }),
  );
  const drainLimit = options.drainTimeoutMs ?? 60_000;
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([sleep(options.warmupMs), Promise.all(running)]);
    phase = 'measure';
    const cpu = process.cpuUsage();
    const machine = cpuSnapshot();
    options.onWindow?.('open');
    const t0 = performance.now();
    windowStart = t0;
    await Promise.race([sleep(options.measureMs), Promise.all(running)]);
    windowEnd = performance.now();
    options.onWindow?.('close');
    const elapsed = windowEnd - t0;
    const used = process.cpuUsage(cpu);
    result.cpu = cpuSince(machine);
    for (const c of clients)
      if (c.waitingSince !== null) ((waited += overlap(c.waitingSince, windowEnd)), (c.waitingSince = null));
    phase = 'drain';
    result.seconds = elapsed / 1000;
    result.nodeCpu = (used.user + used.system) / 1000 / elapsed;
    result.clientWait = waited / (elapsed * clients.length);
    wakeAll();
    await Promise.race([
      Promise.all(running),
      new Promise(
        (_, reject) =>
          (timer = setTimeout(
            () =>
              reject(
                new Error(
                  `Instances in flight did not finish within ${drainLimit / 1000} s after the window (${clients.reduce((n, c) => n + c.outstanding, 0)} outstanding); are the workers stuck?`,
                ),
              ),
            drainLimit,
          )),
      ),
    ]);
  } finally {
    // Also on failure: no new starts, workers stopped (a client still waiting is abandoned).
    phase = 'drain';
    wakeAll();
    clearTimeout(timer);
    stopWorkers = true;
    await Promise.allSettled(workerLoops);
  }
  result.jobRetries = connectorCalls - jobsDone;
  return result;
}

/**
 * After all runs: every benchmark instance reached its end. Terminated ones are the like-for-like
 * script's, cut by the end of a pgbench run and closed by the bench after it (not Trellis's).
 */
export async function checkAllCompleted(
  db: Executor,
): Promise<{ completed: number; terminated: number; other: number }> {
  const rows = await db.select({ status: processInstances.status }).from(processInstances);
  const completed = rows.filter((r) => r.status === 'completed').length;
  const terminated = rows.filter((r) => r.status === 'terminated').length;
  return { completed, terminated, other: rows.length - completed - terminated };
}

/**
 * Drives one instance alone, calling `at(phase)` as each of its commands begins and `at(null)`
 * after the last: the start, the worker's claim, the job's step (the connector runs between the
 * two, after the claim committed), the completion. The like-for-like script is made from what
 * each wrote (runtime-lfl.ts). Nothing else may write to the database meanwhile.
 */
export async function driveOneInstance(
  db: Database,
  actors: Actors,
  at: (phase: Phase | null) => Promise<void>,
): Promise<void> {
  const worker = createWorker(db, {
    batch: 1,
    connectors: {
      [JOB_TYPE]: async () => {
        await at('finish');
        return { receipt: 'R' };
      },
    },
  });
  try {
    await at('start');
    const started = await startInstance(db, actors.starter, { definitionKey: DEFINITION_KEY, variables: {} });
    await at('claim');
    if ((await worker.tick()) !== 1) throw new Error('The worker found no job for the instance just started.');
    const [task] = await db
      .select({ id: tasks.id })
      .from(tasks)
      .where(and(eq(tasks.instanceId, started.id), eq(tasks.status, 'open')));
    if (!task) throw new Error(`Instance "${started.id}" has no open task after its service job.`);
    await at('complete');
    const done = await completeTask(db, actors.completer, { taskId: task.id, data: SUBMISSION });
    if (done.instanceStatus !== 'completed')
      throw new Error(`Instance "${started.id}" is ${done.instanceStatus} after its user task; it should have ended.`);
    await at(null);
  } finally {
    await worker.stop();
  }
}

// ---- statements per command ---------------------------------------------------------------------

export interface StatementCount {
  start: number;
  job: number;
  complete: number;
  /** A worker poll that finds nothing due. */
  idlePoll: number;
  /** Each command alone on one connection (medians): wall time and Node CPU time, ms. */
  solo: Record<'start' | 'job' | 'complete', { wallMs: number; cpuMs: number }>;
  /** The statements of one instance, in order, for the report. */
  trace: { command: string; sql: string }[];
  /** Median round trip of `select 1` on one connection, µs. */
  roundTripMicros: number;
  /** Size of a waiting instance's state as stored (JSON), bytes. */
  stateBytes: number;
}

/**
 * Drives `n` instances one at a time on a postgres.js client whose `debug` hook sees every
 * statement sent (BEGIN and COMMIT included), and counts them per command; also times each
 * command alone (wall and Node CPU), and a bare round trip, to split a command's time.
 */
export async function countStatements(url: string, actors: Actors, n = 45): Promise<StatementCount> {
  let command = 'other';
  let count = 0;
  const trace: StatementCount['trace'] = [];
  let tracing = true;
  // Prepared as openDatabase's client is (db/postgres-prepared.ts).
  const client = preparedByDefault(
    postgres(url, {
      max: 1,
      onnotice: () => {},
      debug: (_connection, sql) => {
        count++;
        if (tracing) trace.push({ command, sql: sql.replace(/\s+/g, ' ').trim() });
      },
    }),
  );
  const db = drizzle(client, { schema }) as unknown as Database;
  try {
    // Connecting runs postgres.js's own type lookup: not part of any command.
    tracing = false;
    await client`select 1`;
    tracing = true;
    const worker = createWorker(db, { connectors: { [JOB_TYPE]: async () => ({ receipt: 'R' }) } });
    const solo = { start: [] as [number, number][], job: [] as [number, number][], complete: [] as [number, number][] };
    const measure = async <T>(
      name: string,
      run: () => Promise<T>,
      times?: [number, number][],
    ): Promise<[T, number]> => {
      command = name;
      count = 0;
      const cpu = process.cpuUsage();
      const t0 = performance.now();
      const value = await run();
      const wall = performance.now() - t0;
      const used = process.cpuUsage(cpu);
      times?.push([wall, (used.user + used.system) / 1000]);
      const sent = count;
      command = 'other';
      return [value, sent];
    };
    const counts = { start: [] as number[], job: [] as number[], complete: [] as number[], idlePoll: [] as number[] };
    let stateBytes = 0;
    for (let i = 0; i < n; i++) {
      const [started, s] = await measure(
        'start',
        () => startInstance(db, actors.starter, { definitionKey: DEFINITION_KEY, variables: {} }),
        i >= 5 ? solo.start : undefined,
      );
      const [ran, j] = await measure('job', () => worker.tick(), i >= 5 ? solo.job : undefined);
      if (ran !== 1) throw new Error(`The counting worker ran ${ran} jobs in one poll; expected the one just created.`);
      const [idle, p] = await measure('idle poll', () => worker.tick());
      if (idle !== 0) throw new Error('The counting worker found more work than expected.');
      tracing = false;
      const [task] = await db
        .select({ id: tasks.id })
        .from(tasks)
        .where(and(eq(tasks.instanceId, started.id), eq(tasks.status, 'open')));
      const [state] = await db
        .select({ state: processInstances.state })
        .from(processInstances)
        .where(eq(processInstances.id, started.id));
      stateBytes = JSON.stringify(state!.state).length;
      tracing = i === 0;
      const [, c] = await measure(
        'complete',
        () => completeTask(db, actors.completer, { taskId: task!.id, data: SUBMISSION }),
        i >= 5 ? solo.complete : undefined,
      );
      tracing = false;
      counts.start.push(s);
      counts.job.push(j);
      counts.complete.push(c);
      counts.idlePoll.push(p);
    }
    tracing = false;
    const trips: number[] = [];
    for (let i = 0; i < 300; i++) {
      const t0 = performance.now();
      await client`select 1`;
      trips.push((performance.now() - t0) * 1000);
    }
    const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const timing = (xs: [number, number][]) => ({ wallMs: mid(xs.map((x) => x[0])), cpuMs: mid(xs.map((x) => x[1])) });
    return {
      start: mid(counts.start),
      job: mid(counts.job),
      complete: mid(counts.complete),
      idlePoll: mid(counts.idlePoll),
      solo: { start: timing(solo.start), job: timing(solo.job), complete: timing(solo.complete) },
      trace,
      roundTripMicros: mid(trips.slice(50)),
      stateBytes,
    };
  } finally {
    // The counts of this backend reach the statistics others read only when it reports them: now.
    await client`select pg_stat_force_next_flush()`.catch(() => {});
    await client`select 1`.catch(() => {});
    await client.end({ timeout: 5 });
  }
}

/**
 * PGlite runs a query synchronously and resolves it in a microtask: loops of awaited PGlite
 * queries never reach the event loop, so timers (the window's end, a worker's pause) would never
 * fire. Every loop here yields once per command; on PostgreSQL this costs microseconds.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
