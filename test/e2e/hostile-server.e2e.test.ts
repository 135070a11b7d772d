/**
 * Issue 14 against a real server process (`next start`, production build): the processes that
 * used to take the whole service down — an automatic loop, a process calling itself, a start
 * timer firing without pause — are stopped, while a person using the app meanwhile is still
 * answered within a second and the server's memory stays bounded. No browser: the API as
 * another program calls it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Executor } from '@/db/client';
import { jobs, processDefinitions, processInstances } from '@/db/schema';
import { processDefinitionSchema } from '@/engine';
import { DEMO_PASSWORD } from '@/app/server/seed';
import { eq } from 'drizzle-orm';
import { automaticLoop, caller, loopStartForm } from '../support/hostile-definitions';
import { call, probe, residentMb, signIn } from './api-client';
import { startApp, type App } from './harness';

let app: App;
let designer: string;
let staff: string;

/** A start timer that fires without pause (R/PT0S), stored as a database from before the checks holds it, due now. */
async function storeFlood(db: Executor, tenantId: string) {
  const definition = processDefinitionSchema.parse({
    formatVersion: 1,
    key: 'flood',
    version: 1,
    name: 'Flood',
    elements: [
      { id: 'tick', type: 'startEvent', event: { kind: 'timer', cycle: 'R/PT0S' } },
      { id: 'end', type: 'endEvent' },
    ],
    flows: [{ id: 'f1', source: 'tick', target: 'end' }],
  });
  const [row] = await db
    .insert(processDefinitions)
    .values({ tenantId, key: 'flood', version: 1, name: 'Flood', definition, formIds: {} })
    .returning();
  const dueAt = new Date(Date.now() + 15_000).toISOString();
  await db.insert(jobs).values({
    tenantId,
    definitionId: row!.id,
    kind: 'timer',
    elementId: 'tick',
    timerId: 'tick',
    dueAt: new Date(dueAt),
    payload: { dueAt, left: null },
  });
}

beforeAll(async () => {
  app = await startApp({ prepare: storeFlood });
  designer = await signIn(app.url, 'trang.hoang@senvang.example', DEMO_PASSWORD);
  staff = await signIn(app.url, 'ngoc.bui@senvang.example', DEMO_PASSWORD);
});
afterAll(async () => app?.stop());

/** Runs `attack` while a person asks for their session every 100 ms; returns what they saw. */
async function whileSomeoneWorks<T>(attack: () => Promise<T>) {
  const person = probe(app.url, staff, 'task.list');
  await new Promise((r) => setTimeout(r, 300));
  const result = await attack();
  await new Promise((r) => setTimeout(r, 500));
  return { result, seen: await person.stop() };
}

describe('a real server under hostile processes', () => {
  it('stops a stored R/PT0S start timer at its rate cap while others are answered within a second', async () => {
    // the timer comes due 15 s after it was stored; watch from before until its cap has stopped it
    const admin = await signIn(app.url, 'bao.ngo@senvang.example', DEMO_PASSWORD);
    const { result: incidents, seen } = await whileSomeoneWorks(async () => {
      for (let waited = 0; waited < 40_000; waited += 500) {
        const open = await call<{ elementId: string; message: string }[]>(
          app.url,
          admin,
          'incident.list',
          { processKey: 'flood' },
          'query',
        );
        if (open.data && open.data.length > 0) return open.data;
        await new Promise((r) => setTimeout(r, 500));
      }
      return [];
    });
    console.log(
      `R/PT0S: ${seen.count} requests meanwhile, slowest ${Math.round(seen.max)} ms; incident: ${incidents[0]?.message.slice(0, 120)}`,
    );
    expect(incidents).toEqual([
      expect.objectContaining({
        elementId: 'tick',
        message: expect.stringContaining('at most 60 may start in a minute'),
      }),
    ]);
    expect(seen.failures).toEqual([]);
    expect(seen.max).toBeLessThan(1_000);
    const started = await app.withDatabase((db) =>
      db
        .select({ id: processInstances.id })
        .from(processInstances)
        .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
        .where(eq(processDefinitions.key, 'flood')),
    );
    expect(started).toHaveLength(60);
  });

  it('stops an automatic loop with an incident while others are answered within a second', async () => {
    const published = await call<{ warnings: { elementId: string }[] }>(app.url, designer, 'definition.publish', {
      definition: automaticLoop('endless', 'n < 0'),
      forms: [loopStartForm],
    });
    expect(published.status).toBe(200);
    expect(published.data!.warnings[0]).toMatchObject({ elementId: 'gw' });
    const before = await residentMb(app.pid());

    const { result, seen } = await whileSomeoneWorks(async () => {
      // several at once: each one's budget stops it, none holds the server
      return Promise.all(
        Array.from({ length: 3 }, () =>
          call<{ id: string; status: string }>(app.url, staff, 'instance.start', {
            definitionKey: 'endless',
            variables: { n: 0 },
          }),
        ),
      );
    });
    for (const started of result) {
      expect(started.status).toBe(200);
      expect(started.data!.status).toBe('incident');
    }
    const view = await call<{ incident: { code: string; elementId: string } }>(
      app.url,
      staff,
      'instance.get',
      { id: result[0]!.data!.id },
      'query',
    );
    expect(view.data!.incident).toMatchObject({ code: 'BUDGET_EXCEEDED', elementId: 'gw' });
    console.log(
      `loop: starts took ${result.map((r) => Math.round(r.ms)).join(', ')} ms; ${seen.count} requests meanwhile, slowest ${Math.round(seen.max)} ms; RSS ${Math.round(before)} → ${Math.round(await residentMb(app.pid()))} MB`,
    );
    expect(seen.failures).toEqual([]);
    expect(seen.max).toBeLessThan(1_000);
    expect(await residentMb(app.pid())).toBeLessThan(before + 300);
  });

  it('ends a process that calls itself at the depth limit while others are answered within a second', async () => {
    const published = await call(app.url, designer, 'definition.publish', {
      definition: caller('recursive', 'recursive'),
      forms: [],
    });
    expect(published.status).toBe(200);
    const { result, seen } = await whileSomeoneWorks(() =>
      call<{ id: string; status: string }>(app.url, staff, 'instance.start', {
        definitionKey: 'recursive',
        variables: {},
      }),
    );
    expect(result.status).toBe(200);
    expect(result.data!.status).toBe('active');
    console.log(
      `self-call: start took ${Math.round(result.ms)} ms; ${seen.count} requests meanwhile, slowest ${Math.round(seen.max)} ms`,
    );
    expect(seen.failures).toEqual([]);
    expect(seen.max).toBeLessThan(1_000);
    // the server still does ordinary work
    const list = await call(app.url, staff, 'definition.list', undefined, 'query');
    expect(list.status).toBe(200);
  });
});
