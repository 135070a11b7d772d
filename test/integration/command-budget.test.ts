/**
 * Issue 14, findings 1 and 2, through the routers on a real database: an automatic loop and a
 * process that calls itself used to hang the command (a pinned core, memory past 2 GB; a
 * recursion inside one open transaction). Now each is stopped by the command's budget with an
 * incident naming the elements, the command answers at once, and other commands go on.
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { jobs, processInstances } from '@/db/schema';
import { createWorker } from '@/app/server/host/worker';
import { seedDemo } from '@/app/server/seed';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';
import { engineLimits, readEnv } from '@/app/server/env';
import { automaticLoop, caller, loopStartForm } from '../support/hostile-definitions';

let handle: DatabaseHandle;
let tenantId: string;

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
});
afterAll(async () => handle?.close());

describe('a loop with no wait state (finding 1)', () => {
  it('is published with a warning naming the loop, and an instance stops in an incident at once', async () => {
    const designer = await callerFor(handle.db, 'trang.hoang@senvang.example');
    const published = await designer.definition.publish({
      definition: automaticLoop('endless', 'n < 0'),
      forms: [loopStartForm],
    });
    expect(published.warnings).toContainEqual({
      elementId: 'gw',
      message: expect.stringContaining('"a", "gw" form a loop with no wait state'),
    });

    const ngoc = await callerFor(handle.db, demo.ngoc);
    const began = performance.now();
    const { id, status } = await ngoc.instance.start({ definitionKey: 'endless', variables: { n: 0 } });
    const took = performance.now() - began;
    expect(status).toBe('incident');
    // 10,000 element entries take well under a second here; the bound is generous for a loaded machine
    expect(took).toBeLessThan(5_000);
    const view = await ngoc.instance.get({ id });
    expect(view.incident).toMatchObject({
      elementId: 'gw',
      code: 'BUDGET_EXCEEDED',
      message: expect.stringContaining('"gw" → "a" → "gw"'),
    });
    // the history keeps the loop's first and last passes, not 10,000 rows of it
    expect(view.history.map((h) => h.type)).toContain('incident.raised');
    expect(view.history.length).toBeLessThan(300);
  });

  it('an admin retries it once its data can leave the loop', async () => {
    const designer = await callerFor(handle.db, 'trang.hoang@senvang.example');
    await designer.definition.publish({
      definition: automaticLoop('until-stop', 'stop = true'),
      forms: [loopStartForm],
    });
    const ngoc = await callerFor(handle.db, demo.ngoc);
    const { id } = await ngoc.instance.start({ definitionKey: 'until-stop', variables: { n: 0, stop: false } });
    const admin = await callerFor(handle.db, 'bao.ngo@senvang.example');
    await admin.incident.retry({ kind: 'instance', id, variables: { stop: true } });
    const view = await ngoc.instance.get({ id });
    expect(view.status).toBe('completed');
  });
});

describe('a process that calls itself (finding 2)', () => {
  it('is flagged at publish, and its chain ends at the depth limit in an incident, in one command', async () => {
    const designer = await callerFor(handle.db, 'trang.hoang@senvang.example');
    const published = await designer.definition.publish({ definition: caller('recursive', 'recursive'), forms: [] });
    expect(published.warnings).toContainEqual({
      elementId: 'call',
      message: expect.stringContaining('calls this process ("recursive") itself'),
    });

    const ngoc = await callerFor(handle.db, demo.ngoc);
    const { id } = await ngoc.instance.start({ definitionKey: 'recursive', variables: {} });
    // the top instance waits for its child; eleven instances in all, the deepest stopped at its call activity
    const chain = await handle.db
      .select({ status: processInstances.status, state: processInstances.state })
      .from(processInstances)
      .where(
        and(
          eq(processInstances.tenantId, tenantId),
          sql`${processInstances.state}->'definition'->>'key' = 'recursive'`,
        ),
      );
    expect(chain).toHaveLength(11);
    const deepest = chain.find((c) => c.status === 'incident')!;
    expect(deepest.state).toMatchObject({
      callDepth: 10,
      incident: { elementId: 'call', code: 'CALL_DEPTH_EXCEEDED', message: expect.stringContaining('the limit is 10') },
    });
    expect(chain.filter((c) => c.status === 'active')).toHaveLength(10);
    expect((await ngoc.instance.get({ id })).status).toBe('active');
  });

  it('a chain through another process (A → B → A) is flagged when it closes', async () => {
    const designer = await callerFor(handle.db, 'trang.hoang@senvang.example');
    const a = await designer.definition.publish({ definition: caller('ping', 'pong'), forms: [] });
    expect(a.warnings).toEqual([]);
    const b = await designer.definition.publish({ definition: caller('pong', 'ping'), forms: [] });
    expect(b.warnings).toEqual([{ elementId: 'call', message: expect.stringContaining('("pong" → "ping" → "pong")') }]);
  });
});

describe("the budget is the operator's to set", () => {
  it('reads each limit from the environment, leaving unset ones at their defaults', () => {
    expect(engineLimits(readEnv({}))).toEqual({});
    expect(
      engineLimits(
        readEnv({
          TRELLIS_MAX_STEP_ELEMENTS: '20000',
          TRELLIS_MAX_STEP_EVALUATIONS: '',
          TRELLIS_MAX_CALL_DEPTH: '3',
          TRELLIS_MAX_INSTANCE_BYTES: '2097152',
          TRELLIS_MAX_STEP_WORK: '1000',
        }),
      ),
    ).toEqual({
      maxElementEntries: 20_000,
      maxCallDepth: 3,
      maxVariableBytes: 2_097_152,
      maxWork: 1_000,
    });
    expect(() => readEnv({ TRELLIS_MAX_CALL_DEPTH: 'ten' })).toThrow(/TRELLIS_MAX_CALL_DEPTH is invalid/);
    expect(() => readEnv({ TRELLIS_MAX_STEP_ELEMENTS: '0' })).toThrow(/TRELLIS_MAX_STEP_ELEMENTS is invalid/);
  });
});

describe('a connector result past the size limit', () => {
  it('is an incident at once, naming the service task and the size; the instance keeps waiting there', async () => {
    const designer = await callerFor(handle.db, 'trang.hoang@senvang.example');
    await designer.definition.publish({
      definition: {
        formatVersion: 1,
        key: 'fetch-report',
        version: 1,
        name: 'Fetch report',
        elements: [
          { id: 'start', type: 'startEvent' },
          { id: 'fetch', type: 'serviceTask', taskType: 'fetch-big' },
          { id: 'end', type: 'endEvent' },
        ],
        flows: [
          { id: 'f1', source: 'start', target: 'fetch' },
          { id: 'f2', source: 'fetch', target: 'end' },
        ],
      },
      forms: [],
    });
    const { id } = await (
      await callerFor(handle.db, demo.ngoc)
    ).instance.start({ definitionKey: 'fetch-report', variables: {} });
    // a connector answers with 2 MB: more than an instance may hold
    const worker = createWorker(handle.db, {
      connectors: { 'fetch-big': async () => ({ body: 'x'.repeat(2_000_000) }) },
    });
    await worker.tick();
    const [job] = await handle.db.select().from(jobs).where(eq(jobs.instanceId, id));
    // not retried: the engine would refuse the same result again
    expect(job).toMatchObject({ status: 'failed', attempts: 1 });
    expect(job!.lastError).toMatch(/variables would take more than 1\.9 MB at "fetch"; the limit is 1\.0 MB/);
    const [row] = await handle.db
      .select({ state: processInstances.state })
      .from(processInstances)
      .where(eq(processInstances.id, id));
    expect(row!.state).toMatchObject({ status: 'active', active: ['fetch'] });
    expect(JSON.stringify(row!.state).length).toBeLessThan(10_000);
    const admin = await callerFor(handle.db, 'bao.ngo@senvang.example');
    expect(await admin.incident.list({ processKey: 'fetch-report' })).toEqual([
      expect.objectContaining({ kind: 'job', elementId: 'fetch', message: job!.lastError }),
    ]);
  });
});
