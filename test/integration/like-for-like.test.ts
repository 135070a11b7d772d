/**
 * The like-for-like script of `npm run bench:runtime` (test/bench/runtime-lfl.ts), generated from
 * one bench instance driven through Trellis: it names every column of every row the instance wrote,
 * and one run of it writes the same rows with the same values, ids and times aside. If the write
 * path or the schema changes, the script follows; if the generator cannot follow, this fails.
 * On PGlite, and on PostgreSQL when DATABASE_URL is set.
 */
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawQuery, type DatabaseHandle } from '@/db/client';
import { auditEvents, jobs, processInstances, tasks } from '@/db/schema';
import { generateLfl, lflWrites, runLflOnce, uncoveredColumns, type Sql } from '../bench/runtime-lfl';
import { driveOneInstance, prepareTrellis, type Actors } from '../bench/runtime-trellis';
import { createTestDatabase } from '../support/database';

let handle: DatabaseHandle;
let actors: Actors;
let sql: Sql;

beforeAll(async () => {
  handle = await createTestDatabase();
  // A company of two people, not the demo with all its templates: seconds less, the same writes.
  actors = await prepareTrellis(handle.db, 'minimal');
  const query = rawQuery(handle.db)!;
  sql = (text, params = []) => query(text, params);
});

afterAll(async () => {
  await handle?.close();
});

/** What an instance wrote, without what differs by nature between two instances: ids, references to them, times. */
async function writtenBy(instanceId: string) {
  const db = handle.db;
  const without = <T extends Record<string, unknown>>(row: T, ...keys: string[]) =>
    Object.fromEntries(Object.entries(row).filter(([k]) => !keys.includes(k)));
  const instance = await db.select().from(processInstances).where(eq(processInstances.id, instanceId));
  const job = await db.select().from(jobs).where(eq(jobs.instanceId, instanceId));
  const task = await db.select().from(tasks).where(eq(tasks.instanceId, instanceId));
  const audit = await db
    .select()
    .from(auditEvents)
    .where(eq(auditEvents.instanceId, instanceId))
    .orderBy(asc(auditEvents.id));
  return {
    instance: instance.map((r) => without(r, 'id', 'startedAt', 'endedAt')),
    jobs: job.map((r) => without(r, 'id', 'instanceId', 'dueAt', 'lockedUntil', 'createdAt', 'completedAt')),
    tasks: task.map((r) => without(r, 'id', 'instanceId', 'createdAt', 'completedAt')),
    audit: audit.map((r) => ({ ...without(r, 'id', 'instanceId', 'at'), taskId: r.taskId === null ? null : 'task' })),
  };
}

describe('the like-for-like script', () => {
  it('covers every column of the rows a bench instance writes, and writes them again', async () => {
    // given: the script, from one instance driven through Trellis
    let trellisInstance = '';
    const lfl = await generateLfl(sql, (at) =>
      driveOneInstance(handle.db, actors, async (phase) => {
        await at(phase);
        if (phase === 'claim') {
          const [row] = await sql(`select id::text as id from process_instances order by created_at desc limit 1`);
          trellisInstance = String(row!.id);
        }
      }),
    );

    // then: nothing left out, nothing it had to guess
    expect(lfl.notes).toEqual([]);
    expect(await uncoveredColumns(sql, lfl)).toEqual([]);
    expect(lfl.commands.map((c) => [c.phase, c.api])).toEqual([
      ['start', true],
      ['claim', false],
      ['finish', false],
      ['complete', true],
    ]);
    expect(lflWrites(lfl)).toEqual(
      expect.arrayContaining([
        { table: 'process_instances', inserted: 1, updated: 2 },
        { table: 'jobs', inserted: 1, updated: 2 },
        { table: 'tasks', inserted: 1, updated: 1 },
        { table: 'audit_events', inserted: 11, updated: 0 },
      ]),
    );

    // when: one instance of the script runs
    const carried = await runLflOnce(sql, lfl);

    // then: it wrote the rows Trellis wrote, value for value
    const copy = String(carried.process_instances_id);
    expect(copy).not.toBe(trellisInstance);
    expect(await writtenBy(copy)).toEqual(await writtenBy(trellisInstance));
  });
});
