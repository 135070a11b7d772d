/**
 * Timers with floors, on a real database (PGlite, and PostgreSQL when DATABASE_URL is set):
 * publishing refuses cycles that fire too often or too many times and impossible dates, naming
 * the element; a start timer stored before those checks existed (an `R/PT0S` in an old
 * database) starts at most the rate cap's instances within a minute, then stops as an incident;
 * and a start timer fired late fires once, never a burst of the occurrences it missed.
 */
import { and, asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { auditEvents, jobs, processDefinitions, processInstances, type ProcessDefinitionRow } from '@/db/schema';
import { processDefinitionSchema } from '@/engine';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { dbNow } from '@/app/server/host/effects';
import { DEFAULT_MAX_TIMER_STARTS_PER_MINUTE } from '@/app/server/services/start-timers';
import { createWorker, type Worker } from '@/app/server/host/worker';
import { callerFor } from '../support/callers';
import { createTestDatabase } from '../support/database';

const ADMIN = 'bao.ngo@senvang.example';
const DESIGNER = 'trang.hoang@senvang.example';

let handle: DatabaseHandle;
let tenantId: string;

/** A process its timer start events start, which ends at once. */
const timed = (key: string, version: number, timers: Record<string, object>) => ({
  formatVersion: 1,
  key,
  version,
  name: key,
  elements: [
    ...Object.entries(timers).map(([id, timer]) => ({ id, type: 'startEvent', event: { kind: 'timer', ...timer } })),
    { id: 'e', type: 'endEvent' },
  ],
  flows: Object.keys(timers).map((id) => ({ id: `f_${id}`, source: id, target: 'e' })),
});

/** Stores a version as an old database holds it: inserted directly, past today's checks, with its start timers due now. */
async function storeOld(key: string, timers: Record<string, string>): Promise<ProcessDefinitionRow> {
  const definition = processDefinitionSchema.parse(
    timed(key, 1, Object.fromEntries(Object.entries(timers).map(([id, cycle]) => [id, { cycle }]))),
  );
  const [row] = await handle.db
    .insert(processDefinitions)
    .values({ tenantId, key, version: 1, name: key, definition, formIds: {} })
    .returning();
  const dueAt = new Date(Date.parse(await dbNow(handle.db)) - 1_000).toISOString();
  await handle.db.insert(jobs).values(
    Object.keys(timers).map((id) => ({
      tenantId,
      definitionId: row!.id,
      kind: 'timer' as const,
      elementId: id,
      timerId: id,
      dueAt: new Date(dueAt),
      payload: { dueAt, left: null },
    })),
  );
  return row!;
}

const instancesOf = (definitionId: string) =>
  handle.db
    .select({ id: processInstances.id })
    .from(processInstances)
    .where(eq(processInstances.definitionId, definitionId));
const timerJobs = (definitionId: string) =>
  handle.db.select().from(jobs).where(eq(jobs.definitionId, definitionId)).orderBy(asc(jobs.createdAt));
const live = async (definitionId: string) =>
  (await timerJobs(definitionId)).filter((j) => j.status === 'pending' || j.status === 'running');

/** Polls until the version has no start timer left to fire (at most `limit` polls); returns how many it took. */
async function drain(worker: Worker, definitionId: string, limit: number): Promise<number> {
  let polls = 0;
  while (polls < limit && (await live(definitionId)).length > 0) {
    await worker.tick();
    polls++;
  }
  return polls;
}

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
});
afterAll(async () => handle?.close());

describe('definition.publish refuses timers that fire too often, too many times or never exist', () => {
  const refused: [string, object, RegExp][] = [
    ['zero-cycle', { cycle: 'R/PT0S' }, /Timer "tick": cycle "R\/PT0S" has an interval of zero/],
    [
      'million-cycle',
      { cycle: 'R1000000/PT1S' },
      /Timer "tick": cycle "R1000000\/PT1S" repeats every second, more often than a timer start event may.*repeats 1,000,000 times, more than the 1,000 allowed/,
    ],
    [
      'february-30',
      { date: '2024-02-30' },
      /Timer "tick": date "2024-02-30" is not a real date: February 2024 has 29 days/,
    ],
    [
      'cycle-from-february-30',
      { cycle: 'R/2024-02-30T09:00:00Z/P1D' },
      /Timer "tick": cycle .*"2024-02-30T09:00:00Z" is not a real date/,
    ],
  ];
  it.each(refused)('%s: BAD_REQUEST naming the start event, and nothing is published', async (key, timer, message) => {
    const designer = await callerFor(handle.db, DESIGNER);
    const error = await designer.definition
      .publish({ definition: timed(key, 1, { tick: timer }), forms: [] })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(message) });
    expect((error as { cause?: { fields?: unknown[] } }).cause?.fields).toContainEqual(
      expect.objectContaining({ label: 'tick', message: expect.stringMatching(message) }),
    );
    expect(await handle.db.select().from(processDefinitions).where(eq(processDefinitions.key, key))).toEqual([]);
  });

  it('a daily job for ever, and a cycle at the floor, are published', async () => {
    const designer = await callerFor(handle.db, DESIGNER);
    await expect(
      designer.definition.publish({ definition: timed('daily-report', 1, { tick: { cycle: 'R/P1D' } }), forms: [] }),
    ).resolves.toMatchObject({ key: 'daily-report' });
    await expect(
      designer.definition.publish({ definition: timed('minutely', 1, { tick: { cycle: 'R/PT1M' } }), forms: [] }),
    ).resolves.toMatchObject({ key: 'minutely' });
  });
});

describe('the start-timer rate cap, for versions stored before the checks existed', () => {
  it(`a stored R/PT0S start timer starts at most ${DEFAULT_MAX_TIMER_STARTS_PER_MINUTE} instances, then stops as an incident naming it`, async () => {
    // given an old database's version whose start timer repeats without pause, due now
    const old = await storeOld('flood', { tick: 'R/PT0S' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      // when a worker polls until nothing is left to fire (each poll fires the one pending firing)
      const polls = await drain(createWorker(handle.db), old.id, 500);
      // then it started the cap's worth, and the poll after that stopped the schedule
      expect(await instancesOf(old.id)).toHaveLength(DEFAULT_MAX_TIMER_STARTS_PER_MINUTE);
      expect(polls).toBe(DEFAULT_MAX_TIMER_STARTS_PER_MINUTE + 1);
      const all = await timerJobs(old.id);
      expect(all.filter((j) => j.status === 'done')).toHaveLength(DEFAULT_MAX_TIMER_STARTS_PER_MINUTE);
      const [failed] = all.filter((j) => j.status === 'failed');
      expect(failed!.lastError).toMatch(
        /^Timer start event "tick" of process "flood" version 1 was stopped.*at most 60 may start in a minute \(TRELLIS_MAX_TIMER_STARTS_PER_MINUTE\)/,
      );
      // visible: an incident for admins, an audit row, the log
      const admin = await callerFor(handle.db, ADMIN);
      expect(await admin.incident.list({ processKey: 'flood' })).toEqual([
        expect.objectContaining({
          kind: 'job',
          id: failed!.id,
          instanceId: null,
          elementId: 'tick',
          message: failed!.lastError,
        }),
      ]);
      const [raised] = await handle.db
        .select()
        .from(auditEvents)
        .where(
          and(
            eq(auditEvents.tenantId, tenantId),
            eq(auditEvents.type, 'incident.raised'),
            eq(auditEvents.elementId, 'tick'),
            sql`${auditEvents.data}->>'definitionId' = ${old.id}`,
          ),
        );
      expect(raised).toMatchObject({ instanceId: null, data: { code: 'START_TIMER_RATE_CAPPED', cap: 60 } });
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('Timer start event "tick" of process "flood"'));

      // and retrying it within the minute starts nothing more
      await admin.incident.retry({ kind: 'job', id: failed!.id });
      await drain(createWorker(handle.db), old.id, 10);
      expect(await instancesOf(old.id)).toHaveLength(DEFAULT_MAX_TIMER_STARTS_PER_MINUTE);

      // publishing a new version takes the schedule over and clears the old incident
      await publishProcess(
        handle.db,
        tenantId,
        { definition: timed('flood', 2, { tick: { cycle: 'R/P1D' } }), forms: [] },
        null,
      );
      expect((await timerJobs(old.id)).filter((j) => j.status === 'failed')).toEqual([]);
      expect(await admin.incident.list({ processKey: 'flood' })).toEqual([]);
    } finally {
      warn.mockRestore();
    }
  });

  it("the cap is the version's: two start events share it, and both stop", async () => {
    const old = await storeOld('twin-flood', { a: 'R/PT0S', b: 'R/PT0S' });
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      // one job at a time, so each firing sees the other's count
      await drain(createWorker(handle.db, { maxTimerStartsPerMinute: 5, concurrency: 1 }), old.id, 100);
      expect(await instancesOf(old.id)).toHaveLength(5);
      expect(await live(old.id)).toEqual([]);
      const failed = (await timerJobs(old.id)).filter((j) => j.status === 'failed');
      expect(failed.map((j) => j.elementId).sort()).toEqual(['a', 'b']);
    } finally {
      warn.mockRestore();
    }
  });
});

describe('a start timer fired late', () => {
  it('fires once for the occurrences it missed and goes on from the first after now, in step with its cycle', async () => {
    // given an hourly start timer whose firing was due three days ago (the workers were down)
    const v = await publish('hourly-sync', { cycle: 'R/PT1H' });
    const [job] = await live(v.id);
    const missed = new Date(Date.parse(job!.payload.dueAt as string) - 3 * 86_400_000).toISOString();
    await handle.db
      .update(jobs)
      .set({ dueAt: new Date(missed), payload: { dueAt: missed, left: null } })
      .where(eq(jobs.id, job!.id));
    // when the workers poll again, several times
    const worker = createWorker(handle.db);
    for (let i = 0; i < 5; i++) await worker.tick();
    // then one instance started, not seventy-two, and the next firing is the first hour after now
    expect(await instancesOf(v.id)).toHaveLength(1);
    const [next] = await live(v.id);
    const now = Date.parse(await dbNow(handle.db));
    expect(next!.dueAt.getTime()).toBeGreaterThan(now - 60_000);
    expect(next!.dueAt.getTime()).toBeLessThanOrEqual(now + 3_600_000);
    expect((next!.dueAt.getTime() - Date.parse(missed)) % 3_600_000).toBe(0);
  });

  it('a bounded cycle counts what it missed: an R3/P1D whose three occurrences are all past fires once, then ends', async () => {
    const v = await publish('three-days', { cycle: 'R3/P1D' });
    const [job] = await live(v.id);
    const missed = new Date(Date.parse(job!.payload.dueAt as string) - 3 * 86_400_000).toISOString();
    await handle.db
      .update(jobs)
      .set({ dueAt: new Date(missed), payload: { dueAt: missed, left: 2 } })
      .where(eq(jobs.id, job!.id));
    await createWorker(handle.db).tick();
    expect(await instancesOf(v.id)).toHaveLength(1);
    expect(await live(v.id)).toEqual([]);
    expect((await timerJobs(v.id)).map((j) => j.status)).toEqual(['done']);
  });
});

function publish(key: string, timer: object) {
  return publishProcess(handle.db, tenantId, { definition: timed(key, 1, { tick: timer }), forms: [] }, null);
}
