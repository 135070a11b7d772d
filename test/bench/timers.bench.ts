/**
 * `npm run bench:timers`: how late timers fire. Instances wait at a date timer; their due times are
 * spread over a window; the worker loop the app and `trellis worker` run (`startWorkerLoop`, its
 * default 500 ms pause between polls that find nothing) fires them. Lateness is the `timer.fired`
 * audit row's time (the database clock of the firing command) minus the time the timer was due.
 * Printed: p50/p95/p99/max lateness and the share within one second — the promise — next to
 * the baseline every polling design carries, the pause between polls. A miss does not fail the run.
 *
 * PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) is an admin
 * connection used to create a fresh database, dropped at the end. Knobs (env): BENCH_TIMERS (300),
 * BENCH_SPREAD_SECONDS (10), BENCH_ROUNDS (3), BENCH_POSTGRES=0 / BENCH_PGLITE=0 to skip one.
 */
import { randomBytes } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import postgres from 'postgres';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '@/db/client';
import { auditEvents, jobs, users } from '@/db/schema';
import { resolveActor } from '@/app/server/actor';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { dbNow } from '@/app/server/host/effects';
import { startInstance } from '@/app/server/services/instances';
import { startWorkerLoop } from '@/app/server/host/worker';

const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const ADMIN_URL = env('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/postgres');
const TIMERS = Number(env('BENCH_TIMERS', '300'));
const SPREAD_SECONDS = Number(env('BENCH_SPREAD_SECONDS', '10'));
const ROUNDS = Number(env('BENCH_ROUNDS', '3'));
const POLL_MS = 500;
const TARGET_MS = 1_000;

const definition = {
  formatVersion: 1,
  key: 'bench-timer',
  version: 1,
  name: 'Bench: wait until a date',
  startForm: 'bench-timer-start',
  elements: [
    { id: 'start', type: 'startEvent' },
    { id: 'wait', type: 'intermediateCatchEvent', event: { kind: 'timer', date: '=fireAt' } },
    { id: 'end', type: 'endEvent' },
  ],
  flows: [
    { id: 'f1', source: 'start', target: 'wait' },
    { id: 'f2', source: 'wait', target: 'end' },
  ],
};
const startForm = {
  key: 'bench-timer-start',
  version: 1,
  title: 'When',
  schema: { type: 'object', properties: { fireAt: { type: 'string' } }, required: ['fireAt'] },
};

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** One round: TIMERS instances due over the window, fired by one worker loop; lateness in ms, sorted. */
async function round(handle: DatabaseHandle, tenantId: string): Promise<number[]> {
  const [user] = await handle.db
    .select({ id: users.id })
    .from(users)
    .where(eq(users.email, 'ngoc.bui@senvang.example'));
  const actor = (await resolveActor(handle.db, user!.id, 'en'))!;
  // Due from 2 s after the last start, spread over the window (the starts take a moment themselves).
  const now = Date.parse(await handle.db.transaction((tx) => dbNow(tx)));
  const first = now + 2_000 + TIMERS * 5;
  const ids: string[] = [];
  for (let i = 0; i < TIMERS; i++) {
    const fireAt = new Date(first + Math.round((i * SPREAD_SECONDS * 1_000) / TIMERS)).toISOString();
    ids.push((await startInstance(handle.db, actor, { definitionKey: 'bench-timer', variables: { fireAt } })).id);
  }
  const loop = startWorkerLoop(handle.db, { intervalMs: POLL_MS });
  const deadline = Date.now() + (first - now) + SPREAD_SECONDS * 1_000 + 60_000;
  try {
    for (;;) {
      const [open] = await handle.db
        .select({ n: sql<number>`count(*)::int` })
        .from(jobs)
        .where(and(eq(jobs.kind, 'timer'), sql`${jobs.status} in ('pending', 'running')`));
      if (open!.n === 0) break;
      if (Date.now() > deadline)
        throw new Error(`${open!.n} timers still open a minute after the last was due; is the worker stuck?`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  } finally {
    await loop.stop();
  }
  const fired = await handle.db
    .select({ at: auditEvents.at, data: auditEvents.data })
    .from(auditEvents)
    .where(
      and(
        eq(auditEvents.tenantId, tenantId),
        eq(auditEvents.type, 'timer.fired'),
        inArray(auditEvents.instanceId, ids),
      ),
    );
  if (fired.length !== TIMERS)
    throw new Error(`${fired.length} timer.fired rows for ${TIMERS} timers: a timer fired twice or not at all.`);
  return fired.map((f) => f.at.getTime() - Date.parse(String(f.data.dueAt))).sort((a, b) => a - b);
}

async function bench(label: string, handle: DatabaseHandle) {
  await migrateDatabase(handle);
  const tenantId = await seedDemo(handle.db);
  await publishProcess(handle.db, tenantId, { definition, forms: [startForm] }, null);
  const rounds: number[][] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const lateness = await round(handle, tenantId);
    rounds.push(lateness);
    console.log(
      `round ${r + 1}: ${label}: p50 ${percentile(lateness, 50)} ms, p99 ${percentile(lateness, 99)} ms, max ${lateness.at(-1)} ms`,
    );
  }
  const median = (pick: (l: number[]) => number) =>
    rounds.map(pick).sort((a, b) => a - b)[Math.floor(rounds.length / 2)]!;
  const within = median((l) => l.filter((ms) => ms <= TARGET_MS).length / l.length);
  const p99 = median((l) => percentile(l, 99));
  console.log(
    `\n${label} — ${TIMERS} timers due over ${SPREAD_SECONDS} s, one worker loop polling every ${POLL_MS} ms (the baseline: a polling worker is up to one pause late), medians of ${ROUNDS} rounds\n` +
      `  lateness p50 ${median((l) => percentile(l, 50))} ms, p95 ${median((l) => percentile(l, 95))} ms, p99 ${p99} ms (${(p99 / POLL_MS).toFixed(2)} × the poll pause), max ${median((l) => l.at(-1)!)} ms\n` +
      `  within ${TARGET_MS} ms: ${(within * 100).toFixed(1)} %  target p99 ≤ ${TARGET_MS} ms: ${p99 <= TARGET_MS ? 'PASS' : 'MISS'}\n`,
  );
}

if (env('BENCH_POSTGRES', '1') !== '0') {
  const name = `trellis_bench_timers_${randomBytes(5).toString('hex')}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  const target = new URL(ADMIN_URL);
  target.pathname = `/${name}`;
  const handle = await openDatabase({ url: target.toString(), maxConnections: 6 });
  try {
    await bench('PostgreSQL', handle);
  } finally {
    await handle.close();
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end({ timeout: 5 });
  }
}
if (env('BENCH_PGLITE', '1') !== '0') {
  const handle = await openDatabase({ dataDir: 'memory://' });
  try {
    await bench('PGlite (in memory)', handle);
  } finally {
    await handle.close();
  }
}
