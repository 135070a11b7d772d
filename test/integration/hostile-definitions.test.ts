/**
 * The hostile-definitions suite (issue 14): adversarial processes and expressions, each published
 * and started through the routers on a real database, as a designer and a staff member would.
 * Each must be refused at publish with the element named, or stopped at run time (an incident
 * naming the element, or the command refused with nothing changed) — never a hang. While each
 * runs, the event loop's longest stall is measured: on one Node process (and PGlite runs inside
 * it) a stalled event loop is a server that answers nobody. Memory is measured across the suite.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { processInstances, tasks } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';
import { hostileCases, type HostileCase } from '../support/hostile-definitions';

let handle: DatabaseHandle;
let tenantId: string;
const report: string[] = [];
let rssBefore = 0;
let rssMax = 0;

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  rssBefore = process.memoryUsage().rss;
});
afterAll(async () => {
  console.log(
    `hostile definitions (${hostileCases.length}):\n${report.join('\n')}\nRSS ${Math.round(rssBefore / 1e6)} MB before, at most ${Math.round(rssMax / 1e6)} MB during`,
  );
  await handle?.close();
});

/** Runs `work`, measuring the longest time the event loop could not answer anything meanwhile. */
async function measured<T>(
  work: () => Promise<T>,
): Promise<{ result: T | undefined; error: unknown; stallMs: number; ms: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  const began = performance.now();
  let result: T | undefined;
  let error: unknown;
  try {
    result = await work();
  } catch (e) {
    error = e;
  }
  const ms = performance.now() - began;
  // one more turn so a stall at the very end is recorded
  await new Promise((r) => setTimeout(r, 20));
  histogram.disable();
  rssMax = Math.max(rssMax, process.memoryUsage().rss);
  return { result, error, stallMs: histogram.max / 1e6, ms };
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));
const codeOf = (error: unknown) => (error as { code?: string } | undefined)?.code;

/** How long a hostile command may hold the event loop: others must be answered within a second. */
const MAX_STALL_MS = 1_000;

async function run(c: HostileCase): Promise<string> {
  const designer = await callerFor(handle.db, 'trang.hoang@senvang.example');
  const staff = await callerFor(handle.db, demo.ngoc);
  for (const before of c.publishFirst ?? []) await designer.definition.publish(before);
  const published = await measured(() =>
    designer.definition.publish({ definition: c.definition, forms: c.forms ?? [] }),
  );
  expect(published.stallMs, `${c.name}: publishing stalled the event loop`).toBeLessThan(MAX_STALL_MS);
  if (c.expect.kind === 'refused-at-publish') {
    expect(published.error, `${c.name} should be refused at publish`).toBeDefined();
    expect(codeOf(published.error)).toBe('BAD_REQUEST');
    expect(message(published.error)).toContain(c.expect.names);
    return `refused at publish in ${Math.round(published.ms)} ms: ${message(published.error).slice(0, 160)}`;
  }
  if (published.error) throw published.error;
  const key = (c.definition as { key: string }).key;
  const admin = await callerFor(handle.db, 'bao.ngo@senvang.example');
  const started = await measured(() =>
    c.act ? c.act({ staff, admin, key }) : staff.instance.start({ definitionKey: key, variables: c.variables ?? {} }),
  );
  expect(
    started.stallMs,
    `${c.name}: the command stalled the event loop for ${Math.round(started.stallMs)} ms`,
  ).toBeLessThan(MAX_STALL_MS);
  if (c.expect.kind === 'refused') {
    expect(started.error, `${c.name} should be refused`).toBeDefined();
    expect(codeOf(started.error)).not.toBe('INTERNAL_SERVER_ERROR');
    expect(message(started.error)).toContain(c.expect.names);
    return `refused in ${Math.round(started.ms)} ms (stall ${Math.round(started.stallMs)} ms): ${codeOf(started.error)} ${message(started.error).slice(0, 140)}`;
  }
  if (started.error) throw started.error;
  if (c.expect.kind === 'runs') {
    expect(started.ms, `${c.name} took too long`).toBeLessThan(5_000);
    return `ran in ${Math.round(started.ms)} ms (stall ${Math.round(started.stallMs)} ms)`;
  }
  // an incident somewhere in the instances of this process (a deep child, for recursion)
  const rows = await handle.db
    .select({ status: processInstances.status, state: processInstances.state })
    .from(processInstances)
    .where(and(eq(processInstances.tenantId, tenantId), sql`${processInstances.state}->'definition'->>'key' = ${key}`));
  const incident = rows.map((r) => r.state.incident).find((i) => i !== undefined);
  expect(incident, `${c.name}: no incident`).toBeDefined();
  expect(incident!.code).toBe(c.expect.code);
  expect(incident!.elementId).toBe(c.expect.names);
  const openTasks = await handle.db
    .select({ n: sql<number>`count(*)::int` })
    .from(tasks)
    .where(eq(tasks.tenantId, tenantId));
  return `incident in ${Math.round(started.ms)} ms (stall ${Math.round(started.stallMs)} ms, ${openTasks[0]!.n} tasks in the company): ${incident!.code} at "${incident!.elementId}"`;
}

describe('hostile definitions', () => {
  for (const c of hostileCases) {
    it(c.name, async () => {
      report.push(`- ${c.name}: ${await run(c)}`);
    });
  }

  it('kept memory bounded across the whole suite', () => {
    expect(rssMax - rssBefore).toBeLessThan(600 * 1024 * 1024);
  });
});
