/**
 * Four `trellis worker` processes on one PostgreSQL, 2,000 timers due at the same moment: every
 * timer fires exactly once (one `timer.fired` audit row per instance, every instance past its
 * timer), every job is done, and every worker did part of the work — each worker says on its way
 * out (SIGTERM) how many timers it fired, and those counts add up to 2,000. The firing lateness
 * (audit time minus due time) is printed, not asserted: it depends on the machine.
 * PostgreSQL only: PGlite is one process per database.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents, jobs, processInstances } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

const INSTANCES = 2_000;
const WORKERS = 4;

describe.skipIf(!process.env.DATABASE_URL)('worker processes sharing one PostgreSQL', () => {
  let handle: Awaited<ReturnType<typeof createTestDatabase>>;
  let definitionId: string;
  const workers: { child: ChildProcess; output: string }[] = [];

  beforeAll(async () => {
    handle = await createTestDatabase();
    const tenantId = await seedDemo(handle.db);
    const published = await publishProcess(
      handle.db,
      tenantId,
      {
        definition: {
          formatVersion: 1,
          key: 'cooling-off',
          version: 1,
          name: { en: 'Cooling-off hour', vi: 'Một giờ chờ' },
          elements: [
            { id: 's', type: 'startEvent' },
            { id: 'wait', type: 'intermediateCatchEvent', event: { kind: 'timer', duration: 'PT1H' } },
            { id: 'review', type: 'userTask', formKey: 'decision', candidateGroups: ['accounting'] },
            { id: 'e', type: 'endEvent' },
          ],
          flows: [
            { id: 'f1', source: 's', target: 'wait' },
            { id: 'f2', source: 'wait', target: 'review' },
            { id: 'f3', source: 'review', target: 'e' },
          ],
        },
        forms: [
          {
            key: 'decision',
            version: 1,
            title: 'Quyết định',
            schema: { type: 'object', properties: { decision: { type: 'string', enum: ['approve', 'reject'] } } },
          },
        ],
      },
      null,
    );
    definitionId = published.id;
  }, 60_000);

  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill('SIGKILL');
    await handle?.close();
  });

  const until = async (what: () => Promise<boolean> | boolean, ms: number, label: string) => {
    const deadline = Date.now() + ms;
    while (!(await what())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it(`4 worker processes on ${INSTANCES} due timers: each fires exactly once, and every worker fires some`, async () => {
    // given 2,000 instances waiting an hour, each with its timer job (started through the API, 8 at a time)
    const started = Date.now();
    const ngoc = await callerFor(handle.db, demo.ngoc);
    const ids: string[] = [];
    for (let i = 0; i < INSTANCES; i += 8) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(8, INSTANCES - i) }, () =>
          ngoc.instance.start({ definitionKey: 'cooling-off', variables: {} }),
        ),
      );
      ids.push(...batch.map((b) => b.id));
    }
    console.log(`started ${INSTANCES} instances in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const waiting = await handle.db
      .select({ n: sql<number>`count(*)::int` })
      .from(jobs)
      .where(and(eq(jobs.kind, 'timer'), eq(jobs.status, 'pending')));
    expect(waiting[0]!.n).toBe(INSTANCES);

    // and four worker processes polling
    for (let i = 0; i < WORKERS; i++) {
      const child = spawn(process.execPath, ['app/_cli/trellis.js', 'worker', '--interval-ms', '100'], {
        env: { ...process.env, DATABASE_URL: handle.url! },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const worker = { child, output: '' };
      child.stdout!.on('data', (d: Buffer) => (worker.output += d.toString()));
      child.stderr!.on('data', (d: Buffer) => (worker.output += d.toString()));
      workers.push(worker);
    }
    await until(() => workers.every((w) => /worker \S+ running/.test(w.output)), 30_000, 'the workers to start');

    // when every timer comes due at once (one statement)
    const due = await handle.db
      .update(jobs)
      .set({ dueAt: sql`now()` })
      .where(and(eq(jobs.kind, 'timer'), eq(jobs.status, 'pending')))
      .returning({ id: jobs.id });
    expect(due).toHaveLength(INSTANCES);
    const firing = Date.now();
    await until(
      async () =>
        (
          await handle.db
            .select({ n: sql<number>`count(*)::int` })
            .from(jobs)
            .where(and(eq(jobs.kind, 'timer'), inArray(jobs.status, ['pending', 'running'])))
        )[0]!.n === 0,
      45_000,
      'no timer pending or running',
    );
    console.log(`${WORKERS} workers fired ${INSTANCES} timers in ${((Date.now() - firing) / 1000).toFixed(1)} s`);

    // and the workers are stopped with SIGTERM
    await Promise.all(
      workers.map(async (w) => {
        const exited = new Promise((resolve) => w.child.once('exit', resolve));
        w.child.kill('SIGTERM');
        await exited;
      }),
    );

    // then every job is done, once
    const statuses = await handle.db
      .select({ status: jobs.status, n: sql<number>`count(*)::int` })
      .from(jobs)
      .where(eq(jobs.kind, 'timer'))
      .groupBy(jobs.status);
    expect(statuses).toEqual([{ status: 'done', n: INSTANCES }]);
    // every instance has exactly one timer.fired row and has moved past the timer
    const perInstance = await handle.db
      .select({ instanceId: auditEvents.instanceId, n: sql<number>`count(*)::int` })
      .from(auditEvents)
      .where(eq(auditEvents.type, 'timer.fired'))
      .groupBy(auditEvents.instanceId);
    expect(perInstance).toHaveLength(INSTANCES);
    expect(perInstance.filter((r) => r.n !== 1)).toEqual([]);
    expect(new Set(perInstance.map((r) => r.instanceId))).toEqual(new Set(ids));
    const positions = await handle.db
      .select({ active: sql<string>`${processInstances.state}->>'active'`, n: sql<number>`count(*)::int` })
      .from(processInstances)
      .where(eq(processInstances.definitionId, definitionId))
      .groupBy(sql`1`);
    expect(positions).toEqual([{ active: '["review"]', n: INSTANCES }]);

    // and every worker fired some, adding up to all of them (each says so when it stops)
    const fired = workers.map((w) => {
      expect(w.child.exitCode).toBe(0);
      const line = /worker (\S+) stopped; ran (.*)/.exec(w.output);
      expect(line, `a worker's output did not say what it ran:\n${w.output}`).not.toBeNull();
      return { id: line![1]!, fired: Number(/timer\.fired=(\d+)/.exec(line![2]!)?.[1] ?? 0) };
    });
    console.log(`timers fired per worker: ${fired.map((f) => `${f.id}=${f.fired}`).join(', ')}`);
    expect(new Set(fired.map((f) => f.id)).size).toBe(WORKERS);
    for (const f of fired) expect(f.fired).toBeGreaterThan(0);
    expect(fired.reduce((sum, f) => sum + f.fired, 0)).toBe(INSTANCES);

    // the lateness of each firing (its audit time minus the time it was due), printed only
    const lateness = (
      await handle.db
        .select({ ms: sql<number>`(extract(epoch from ${auditEvents.at} - ${jobs.dueAt}) * 1000)::float8` })
        .from(auditEvents)
        .innerJoin(jobs, and(eq(jobs.instanceId, auditEvents.instanceId), eq(jobs.kind, 'timer')))
        .where(eq(auditEvents.type, 'timer.fired'))
    )
      .map((r) => Number(r.ms))
      .sort((a, b) => a - b);
    const at = (q: number) => lateness[Math.min(lateness.length - 1, Math.floor(q * lateness.length))]!;
    console.log(
      `firing lateness over ${lateness.length} timers: p50 ${at(0.5).toFixed(0)} ms, p99 ${at(0.99).toFixed(0)} ms, max ${lateness.at(-1)!.toFixed(0)} ms`,
    );
  }, 120_000);
});
