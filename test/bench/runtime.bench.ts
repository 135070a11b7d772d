/**
 * `npm run bench:runtime`: the durable runtime on a real database, against what its writes cost
 * the database alone. Three systems are measured, interleaved within each round (their order
 * rotated from round to round) at each client count, on the same database:
 *
 * - Trellis: instances of start → service task → user task → end, driven as the API and the
 *   workers drive them: `startInstance` and `completeTask` from closed-loop clients sharing one
 *   pool (each keeps BENCH_INFLIGHT instances in flight), the service job run by in-process worker
 *   loops (`createWorker`, each on its own pool).
 * - plain step: pgbench doing one engine step's bare write, BEGIN; UPDATE one row; INSERT one row;
 *   END, on tables of its own (runtime-baselines.ts).
 * - like-for-like (LFL): pgbench writing exactly what a Trellis bench instance writes — the
 *   project's own migrated tables (indexes, keys, triggers), the same rows, columns and values —
 *   each command as BEGIN; one statement per table; END, with no reads. The script is generated at
 *   bench time (runtime-lfl.ts) by driving one instance through Trellis in the bench database and
 *   reading back the rows each of its commands wrote, so it stays like-for-like as the schema and
 *   the write path change (test/integration/like-for-like.test.ts checks it covers every column
 *   and writes the same values); it is kept in a temporary folder (its path is printed). Each
 *   pgbench transaction is one command, so pgbench's per-transaction log gives per-command latencies.
 *
 * On PGlite (in memory, one client): Trellis with client and worker on the one PGlite, the plain
 * step as a loop of PGlite's own `query`, and the LFL script (generated there the same way) as such
 * a loop, each command in its own transaction.
 *
 * commands = the two API commands of an instance (start, complete), for Trellis and LFL alike:
 * commands/s = 2 × instances/s. The service job's claim and finish are done by both but not
 * counted. Printed per database and client count (medians of the rounds; ratios taken per round,
 * then the median): Trellis commands/s, plain TPS, LFL commands/s, Trellis ÷ LFL, LFL ÷ plain,
 * p50/p99 latency of Trellis's commands, LFL's commands (its start and complete, from pgbench's
 * log) and the plain step's transactions, Node CPU per command (this process over the Trellis
 * window, workers and harness included, ÷ commands) and PostgreSQL CPU per command (the bench
 * database's backends, runtime-cpu.ts). Targets, PASS/MISS (a miss does not fail the run):
 * Trellis ≥ 0.5 × LFL at 1 client, ≥ 0.65 × at 4, ≥ 0.8 × at 16; on PGlite Trellis ≥ 0.5 × its LFL
 * loop; Node CPU ≤ 0.5 ms per command.
 *
 * PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) is used as an
 * admin connection to create a fresh database `trellis_bench_<random>`, dropped again at the end,
 * also after a failure or Ctrl-C. Before measuring it gets BENCH_HISTORY finished instances (as
 * pgbench's tables start with 10,000 rows: measured on empty tables, prepared statements would keep
 * plans made while the tables were tiny). VACUUM ANALYZE runs before each round, on both databases:
 * autovacuum may be off on a shared server (and PGlite has none), so the bench analyses itself.
 *
 * Knobs (env): BENCH_ROUNDS (3), BENCH_SECONDS (window of each run and pgbench -T; 4),
 * BENCH_WARMUP_SECONDS (1), BENCH_CLIENTS (1,4,16), BENCH_WORKERS (worker loops per Trellis run;
 * a list gives a row per count; 2), BENCH_INFLIGHT (8), BENCH_WORKER_IDLE_MS (a worker's pause
 * after a poll that found less than a batch, cut short by a job hint, as the product loop; 500), BENCH_WORKER_BATCH (20), BENCH_POSTGRES=0 / BENCH_PGLITE=0 to skip a
 * database, PGBENCH (/usr/bin/pgbench), BENCH_HISTORY (10,000), BENCH_PROFILE (a folder: CPU profiles of
 * the Trellis runs alone, see `profiled`). Defaults take 4–6 minutes on 2 cores.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '@/db/client';
import { BASELINE_DDL, BASELINE_ROWS, PGBENCH, pgliteLoop, runPgbench, type PgbenchRun } from './runtime-baselines';
import { watchDatabase } from './runtime-cpu';
import {
  generateLfl,
  lflLoop,
  lflWrites,
  pgbenchScript,
  PHASES,
  uncoveredColumns,
  type LflScript,
  type Sql,
} from './runtime-lfl';
import {
  checkAllCompleted,
  countStatements,
  drive,
  driveOneInstance,
  prepareTrellis,
  type Actors,
  type DriveResult,
  type StatementCount,
} from './runtime-trellis';

const env = (name: string, fallback: string) => process.env[name] ?? fallback;
const ADMIN_URL = env('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/postgres');
const ROUNDS = Number(env('BENCH_ROUNDS', '3'));
const SECONDS = Number(env('BENCH_SECONDS', '4'));
const WARMUP_SECONDS = Number(env('BENCH_WARMUP_SECONDS', '1'));
const CLIENTS = env('BENCH_CLIENTS', '1,4,16').split(',').map(Number);
const WORKERS = env('BENCH_WORKERS', '2').split(',').map(Number);
const INFLIGHT = Number(env('BENCH_INFLIGHT', '8'));
const WORKER_IDLE_MS = Number(env('BENCH_WORKER_IDLE_MS', '500'));
const WORKER_BATCH = Number(env('BENCH_WORKER_BATCH', '20'));
const ON_POSTGRES = env('BENCH_POSTGRES', '1') !== '0';
const ON_PGLITE = env('BENCH_PGLITE', '1') !== '0';
/** Instances driven to their end before measuring, so the tables are not empty: as many as the baseline's rows. */
const HISTORY = Number(env('BENCH_HISTORY', String(BASELINE_ROWS)));

/** Trellis ÷ LFL commands/s wanted, by client count (a count between takes the target of the next lower one). */
const LFL_TARGETS: [clients: number, ratio: number][] = [
  [1, 0.5],
  [4, 0.65],
  [16, 0.8],
];
const PGLITE_TARGET = 0.5;
const NODE_CPU_TARGET_MS = 0.5;

/**
 * BENCH_PROFILE=<folder>: a V8 CPU profile of each Trellis run (and of nothing else: not the
 * baselines, the setup or the history), written there as <database>-<clients>c-<workers>w-r<round>.cpuprofile
 * for Chrome DevTools or `node --cpu-prof` tooling. Profiling slows the run: its figures are not
 * comparable.
 */
const PROFILE_DIR = process.env.BENCH_PROFILE;

async function profiled<T>(name: string, run: () => Promise<T>): Promise<T> {
  if (!PROFILE_DIR) return run();
  const { Session } = await import('node:inspector/promises');
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  try {
    return await run();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    await mkdir(PROFILE_DIR, { recursive: true });
    await writeFile(path.join(PROFILE_DIR, `${name}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}

const targetFor = (clients: number) => LFL_TARGETS.filter(([c]) => c <= clients).at(-1)?.[1] ?? LFL_TARGETS[0]![1];

// ---- statistics and printing --------------------------------------------------------------------

function median(values: number[]): number {
  const sorted = values.filter(Number.isFinite).sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)]!;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The plain step or the LFL script, measured once per round and client count. */
interface Baseline {
  /** Plain: transactions/s; LFL: commands/s. */
  rate: number;
  p50: number;
  p99: number;
  /** PostgreSQL CPU per transaction (plain) or command (LFL), ms (on PGlite: CPU inside PGlite). */
  pgMs: number;
  machine: number;
  /** LFL only: p50 of each command of the script, ms. */
  perCommand?: number[];
}

/** One row's figures for one round: a Trellis run and the baselines measured beside it. */
interface Sample {
  trellis: number;
  plain: Baseline;
  lfl: Baseline;
  p50: number;
  p95: number;
  p99: number;
  startP50: number;
  completeP50: number;
  jobs: number;
  instances: number;
  clientWait: number;
  emptyPolls: number;
  nodeMs: number;
  pgMs: number;
  machine: number;
  retries: number;
}

function sampleOf(r: DriveResult, plain: Baseline, lfl: Baseline, pgShare: number, nodeShare: number): Sample {
  const perSecond = (n: number) => n / r.seconds;
  const commands = perSecond(r.starts + r.completes);
  return {
    trellis: commands,
    plain,
    lfl,
    p50: percentile(r.latencies, 50),
    p95: percentile(r.latencies, 95),
    p99: percentile(r.latencies, 99),
    startP50: percentile(r.startLatencies, 50),
    completeP50: percentile(r.completeLatencies, 50),
    jobs: perSecond(r.jobs),
    instances: perSecond(r.instances),
    clientWait: r.clientWait,
    emptyPolls: perSecond(r.emptyPolls),
    nodeMs: (nodeShare * 1000) / commands,
    pgMs: (pgShare * 1000) / commands,
    machine: r.cpu.machine,
    retries: r.jobRetries,
  };
}

interface Row {
  clients: number;
  workers: number;
  samples: Sample[];
}

const n = (v: number, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : '–');
const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(0)}%` : '–');
const pair = (a: number, b: number, d = 1) => `${n(a, d)} / ${n(b, d)}`;
const plural = (k: number, word: string) => `${k} ${word}${k === 1 ? '' : 's'}`;

function print(head: string[], body: string[][], leftAligned: number[] = []) {
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (leftAligned.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  console.log(`| ${line(head)} |`);
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`);
  for (const row of body) console.log(`| ${line(row)} |`);
}

/** Per row: medians over rounds, and the per-round ratios. */
function summarize(row: Row) {
  const m = (f: (s: Sample) => number) => median(row.samples.map(f));
  const ratios = row.samples.map((s) => s.trellis / s.lfl.rate);
  return { ...row, m, ratios, ratio: median(ratios) };
}

function printTables(title: string, rows: Row[], pgName: string) {
  const figures = rows.map(summarize);
  console.log(`\n${title}`);
  print(
    [
      'clients',
      'workers',
      'Trellis commands/s',
      'plain step TPS',
      'LFL commands/s',
      'Trellis ÷ LFL (range)',
      'LFL ÷ plain',
      'Trellis p50/p99 ms',
      'LFL p50/p99 ms',
      'plain p50/p99 ms',
      'Node CPU ms/command',
      `${pgName} ms/command Trellis (LFL)`,
    ],
    figures.map(({ clients, workers, m, ratios, ratio }) => [
      String(clients),
      String(workers),
      n(m((s) => s.trellis)),
      n(m((s) => s.plain.rate)),
      n(m((s) => s.lfl.rate)),
      `${n(ratio, 2)} (${n(Math.min(...ratios), 2)}–${n(Math.max(...ratios), 2)})`,
      n(
        m((s) => s.lfl.rate / s.plain.rate),
        2,
      ),
      pair(
        m((s) => s.p50),
        m((s) => s.p99),
      ),
      pair(
        m((s) => s.lfl.p50),
        m((s) => s.lfl.p99),
      ),
      pair(
        m((s) => s.plain.p50),
        m((s) => s.plain.p99),
      ),
      n(
        m((s) => s.nodeMs),
        3,
      ),
      `${n(
        m((s) => s.pgMs),
        3,
      )} (${n(
        m((s) => s.lfl.pgMs),
        3,
      )})`,
    ]),
  );
  console.log('\nDetails (medians):');
  print(
    [
      'clients',
      'workers',
      'jobs/s',
      'instances/s',
      'Trellis p95 ms',
      'start / complete p50 ms',
      `LFL p50 ms: ${PHASES.join(' / ')}`,
      'clients waiting',
      'empty polls/s',
      'machine busy: Trellis / plain / LFL',
    ],
    figures.map(({ clients, workers, m, samples }) => [
      String(clients),
      String(workers),
      n(m((s) => s.jobs)),
      n(m((s) => s.instances)),
      n(
        m((s) => s.p95),
        1,
      ),
      pair(
        m((s) => s.startP50),
        m((s) => s.completeP50),
      ),
      PHASES.map((_, i) => n(median(samples.map((s) => s.lfl.perCommand?.[i] ?? NaN)), 2)).join(' / '),
      pct(m((s) => s.clientWait)),
      n(m((s) => s.emptyPolls)),
      [m((s) => s.machine), m((s) => s.plain.machine), m((s) => s.lfl.machine)].map(pct).join(' / '),
    ]),
  );
  const retries = rows.reduce((k, r) => k + r.samples.reduce((j, s) => j + s.retries, 0), 0);
  if (retries > 0)
    console.log(`note: ${retries} service job attempts did not commit and were retried (lease lost or conflict)`);
  return figures;
}

function printTargets(lines: { what: string; value: number; target: number; atMost?: boolean }[]) {
  console.log('\nTargets (PASS/MISS; a miss does not fail the run):');
  for (const { what, value, target, atMost } of lines) {
    const ok = atMost ? value <= target : value >= target;
    console.log(
      `  ${Number.isFinite(value) && ok ? 'PASS' : 'MISS'}  ${what}: ${n(value, 2)} (${atMost ? '≤' : '≥'} ${target})`,
    );
  }
}

const LEGEND = [
  'commands: the two API commands of an instance (start, complete), for Trellis and the like-for-like script (LFL) alike, so',
  'commands/s = 2 × instances/s; the service job (claim + finish) is done by both and not counted. Ratios are taken per round',
  '(Trellis against the LFL run of the same round and client count), then the median; range: lowest–highest round.',
  "p50/p99: Trellis's start and complete latencies in its window; LFL's start and complete commands, each a pgbench",
  "transaction, from pgbench's per-transaction log (PGlite: timed in the loop); plain: its transactions.",
  'Node CPU ms/command: this process over the Trellis window (clients, worker loops and the harness) ÷ its commands; on',
  "PGlite the CPU inside PGlite's calls is taken out. PostgreSQL CPU ms/command: CPU of the bench database's backends over the",
  "window ÷ commands (Trellis's include the service jobs, empty worker polls and the harness lookup; LFL's its claim and",
  "finish); on PGlite, the CPU spent inside PGlite's calls. machine busy: all cores, anything running (other load makes a run noisy).",
  'jobs/s: service jobs committed; clients waiting: share of client time with all their instances in flight waiting for a',
  'worker; empty polls: worker polls that found nothing due.',
].join('\n');

function printCounts(c: StatementCount) {
  console.log(`\nSQL statements sent (postgres.js debug hook; BEGIN/COMMIT included), one instance driven alone:`);
  console.log(
    `  start ${c.start}, service job ${c.job} (claim + run), complete ${c.complete}; an empty worker poll ${c.idlePoll}.`,
  );
  console.log(
    `  Per instance: ${c.start + c.complete} round trips in the 2 API commands, ${c.start + c.job + c.complete} in all; pgbench's plain step sends 4 (BEGIN, UPDATE, INSERT, END).`,
  );
  console.log(
    `  Round trip of "select 1" on one connection: ${c.roundTripMicros.toFixed(0)} µs. Stored state of a waiting instance: ${c.stateBytes} B.`,
  );
  const solo = (name: 'start' | 'job' | 'complete', statements: number) =>
    `${name} ${c.solo[name].wallMs.toFixed(2)} ms (Node CPU ${c.solo[name].cpuMs.toFixed(2)} ms; ${statements} × round trip = ${((statements * c.roundTripMicros) / 1000).toFixed(2)} ms)`;
  console.log(
    `  Each alone on one connection (medians): ${solo('start', c.start)}, ${solo('job', c.job)}, ${solo('complete', c.complete)}.`,
  );
  let last = '';
  for (const t of c.trace) {
    if (t.command !== last) console.log(`  ${t.command}:`);
    last = t.command;
    console.log(`    ${t.sql.length > 150 ? `${t.sql.slice(0, 147)}...` : t.sql}`);
  }
}

// ---- the like-for-like script ---------------------------------------------------------------------

/** Drives one instance through Trellis (after a first one, so nothing is cold) and generates the script from its writes. */
async function generate(sql: Sql, db: DatabaseHandle['db'], actors: Actors): Promise<LflScript> {
  await driveOneInstance(db, actors, async () => {});
  const lfl = await generateLfl(sql, (at) => driveOneInstance(db, actors, at));
  const writes = lflWrites(lfl);
  const statements = lfl.commands.reduce((k, c) => k + c.statements.length, 0);
  console.log(
    `  Per instance: ${lfl.commands.length} commands (${lfl.commands.map((c) => `${c.phase}: ${c.statements.length}`).join(', ')} statements; ${statements} in all);` +
      ` INSERT ${writes
        .filter((w) => w.inserted > 0)
        .map((w) => `${w.inserted} ${w.table}`)
        .join(', ')}; UPDATE ${writes
        .filter((w) => w.updated > 0)
        .map((w) => `${w.table} × ${w.updated}`)
        .join(', ')}.`,
  );
  const uncovered = await uncoveredColumns(sql, lfl);
  if (uncovered.length > 0)
    console.log(
      `  WARNING: columns the script's INSERTs leave out (not generated, not serial): ${uncovered.join(', ')}`,
    );
  for (const note of lfl.notes) console.log(`  NOTE: ${note}`);
  return lfl;
}

async function writeScript(lfl: LflScript, where: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'trellis-lfl-'));
  const file = path.join(dir, 'lfl.sql');
  const text = pgbenchScript(lfl, [
    `Like-for-like script generated by npm run bench:runtime (test/bench/runtime-lfl.ts) on ${new Date().toISOString()},`,
    `from the rows one Trellis bench instance wrote in ${where}. Literal ids name rows of that database.`,
  ]);
  await writeFile(file, text);
  console.log(`  Script: ${file} (${Buffer.byteLength(text)} B, ${text.split('\n').length} lines; kept after the run)`);
  return text;
}

/** pgbench's log of the LFL script: transaction n of a client (from 1) is command (n − 1) mod commands. */
function lflBaseline(run: PgbenchRun, lfl: LflScript): Baseline {
  const phases = lfl.commands.length;
  const byCommand = lfl.commands.map(() => [] as number[]);
  for (const t of run.log) byCommand[(t.n - 1) % phases]!.push(t.ms);
  const api = lfl.commands.flatMap((c, i) => (c.api ? byCommand[i]! : []));
  const seconds = run.transactions / run.tps;
  const rate = api.length / seconds;
  return {
    rate,
    p50: percentile(api, 50),
    p99: percentile(api, 99),
    pgMs: (run.cpu.postgres * 1000) / rate,
    machine: run.cpu.machine,
    perCommand: byCommand.map((l) => percentile(l, 50)),
  };
}

function plainBaseline(run: PgbenchRun): Baseline {
  const latencies = run.log.map((t) => t.ms);
  return {
    rate: run.tps,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    pgMs: (run.cpu.postgres * 1000) / run.tps,
    machine: run.cpu.machine,
  };
}

/**
 * A pgbench run ends between commands: its last instances stop half done. With no Trellis run in
 * flight, every active instance is one of those; they are terminated (their job and task
 * cancelled) so no later Trellis worker picks up their jobs. Returns how many.
 */
async function closeCutInstances(raw: postgres.Sql): Promise<number> {
  const [row] = await raw.unsafe<{ n: number }[]>(`with cut as (
      update process_instances set status = 'terminated', ended_at = now(), version = version + 1 where status = 'active' returning id),
    jobs_cut as (update jobs set status = 'cancelled', completed_at = now(), locked_by = null, locked_until = null
      where instance_id in (select id from cut) and status in ('pending', 'running') returning 1),
    tasks_cut as (update tasks set status = 'cancelled', completed_at = now()
      where instance_id in (select id from cut) and status = 'open' returning 1)
    select (select count(*) from cut)::int4 as n, (select count(*) from jobs_cut)::int4 as jobs, (select count(*) from tasks_cut)::int4 as tasks`);
  return row!.n;
}

// ---- cleanup ------------------------------------------------------------------------------------

const toClose: (() => Promise<unknown>)[] = [];
let databaseName: string | null = null;
let cleaning: Promise<void> | null = null;

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const close of toClose.splice(0).reverse())
      await close().catch((error: unknown) => console.error(`cleanup: ${(error as Error).message}`));
    if (databaseName) {
      const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      try {
        await admin.unsafe(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
        console.log(`dropped database ${databaseName}`);
      } catch (error) {
        console.error(
          `Could not drop the bench database ${databaseName}: ${(error as Error).message}. Drop it by hand: DROP DATABASE ${databaseName} WITH (FORCE);`,
        );
      } finally {
        await admin.end({ timeout: 5 });
      }
    }
  })();
  return cleaning;
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: cleaning up…`);
    void cleanup().finally(() => process.exit(130));
  });
}

/** Opens a handle that is closed at cleanup even if the code using it throws. */
async function open(options: Parameters<typeof openDatabase>[0]): Promise<DatabaseHandle> {
  const handle = await openDatabase(options);
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  toClose.push(close);
  return { ...handle, close };
}

/** The systems of a round in their order: rotated by one each round, so a drift of the machine favours none. */
function rotated<T>(items: T[], round: number): T[] {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

// ---- PostgreSQL ---------------------------------------------------------------------------------

async function onPostgres() {
  databaseName = `trellis_bench_${randomBytes(6).toString('hex')}`;
  watchDatabase(databaseName);
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  let server: string;
  try {
    await admin.unsafe(`CREATE DATABASE ${databaseName}`);
    const [row] = await admin.unsafe<{ v: string; sync: string; autovacuum: string }[]>(
      `select current_setting('server_version') as v, current_setting('synchronous_commit') as sync, current_setting('autovacuum') as autovacuum`,
    );
    server = `PostgreSQL ${row!.v}, synchronous_commit=${row!.sync}, autovacuum=${row!.autovacuum}`;
  } finally {
    await admin.end({ timeout: 5 });
  }
  const target = new URL(ADMIN_URL);
  target.pathname = `/${databaseName}`;
  const url = target.toString();

  const setup = await open({ url, maxConnections: 2 });
  await migrateDatabase(setup);
  const actors = await prepareTrellis(setup.db);
  const raw = (setup.db as unknown as { $client: postgres.Sql }).$client;
  for (const ddl of BASELINE_DDL) await raw.unsafe(ddl);
  const sql: Sql = (text, params = []) => raw.unsafe(text, params as never[]);
  console.log(`\n${server}: the like-for-like script, from one instance driven through Trellis:`);
  const lfl = await generate(sql, setup.db, actors);
  const script = await writeScript(lfl, `database ${databaseName}`);
  await drivePastInstances(url, actors, HISTORY);
  await raw.unsafe('VACUUM ANALYZE');
  const checkpoint = () => raw.unsafe('CHECKPOINT').catch(() => {});

  const before = await writeCounters(raw);
  const counts = await countStatements(url, actors, COUNTED_INSTANCES);
  printCounts(counts);
  const trellisWrites = perInstance(before, await writeCounters(raw), COUNTED_INSTANCES);
  const lflRun = await measureWrites(raw, () =>
    runPgbench({
      url,
      clients: 1,
      transactions: COUNTED_INSTANCES * lfl.commands.length,
      script,
      define: { phase: '0' },
    }),
  );
  const plainRun = await measureWrites(raw, () => runPgbench({ url, clients: 1, transactions: 500 }));
  printWrites([
    ['Trellis, per instance', trellisWrites],
    ['LFL, per instance', perInstance(lflRun.before, lflRun.after, COUNTED_INSTANCES)],
    ['plain step, per transaction', perInstance(plainRun.before, plainRun.after, 500)],
  ]);

  const rows = new Map<string, Sample[]>();
  let cut = 0;
  const perRound = `${CLIENTS.length} client counts × (${WORKERS.length} Trellis + plain + LFL)`;
  console.log(
    `\nMeasuring: ${ROUNDS} rounds of ${perRound}, VACUUM ANALYZE before each round (autovacuum may be off on a shared server: the bench analyses itself).`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    await raw.unsafe('VACUUM ANALYZE');
    for (const clients of CLIENTS) {
      const trellis = new Map<number, DriveResult>();
      let plain: Baseline | undefined;
      let like: Baseline | undefined;
      const runTrellis = async (workers: number) => {
        await checkpoint();
        const clientHandle = await open({ url, maxConnections: clients });
        const workerHandles = await Promise.all(
          Array.from({ length: workers }, () => open({ url, maxConnections: 2 })),
        );
        try {
          const r = await profiled(`postgres-${clients}c-${workers}w-r${round + 1}`, () =>
            drive({
              clientDb: clientHandle.db,
              workerDbs: workerHandles.map((h) => h.db),
              clients,
              actors,
              warmupMs: WARMUP_SECONDS * 1000,
              measureMs: SECONDS * 1000,
              inflight: INFLIGHT,
              workerIdleMs: WORKER_IDLE_MS,
              workerBatch: WORKER_BATCH,
            }),
          );
          if (r.firstError)
            throw new Error(`Run with ${clients} clients and ${workers} workers failed: ${r.firstError}`);
          trellis.set(workers, r);
        } finally {
          await Promise.all([clientHandle, ...workerHandles].map((h) => h.close()));
        }
      };
      const systems: { name: string; run: () => Promise<void> }[] = [
        ...WORKERS.map((w) => ({ name: `Trellis (${plural(w, 'worker')})`, run: () => runTrellis(w) })),
        {
          name: 'plain',
          run: async () => {
            await checkpoint();
            plain = plainBaseline(await runPgbench({ url, clients, seconds: SECONDS, log: true }));
          },
        },
        {
          name: 'LFL',
          run: async () => {
            await checkpoint();
            const run = await runPgbench({ url, clients, seconds: SECONDS, script, define: { phase: '0' }, log: true });
            like = lflBaseline(run, lfl);
            cut += await closeCutInstances(raw);
          },
        },
      ];
      const order = rotated(systems, round);
      for (const system of order) await system.run();
      for (const [workers, r] of trellis) {
        const s = sampleOf(r, plain!, like!, r.cpu.postgres, r.nodeCpu);
        const key = `${clients}/${workers}`;
        rows.set(key, [...(rows.get(key) ?? []), s]);
        console.log(
          `round ${round + 1} (${order.map((o) => o.name).join(', ')}): ${plural(clients, 'client')}, ${plural(workers, 'worker')}: Trellis ${n(s.trellis)} commands/s, plain ${n(s.plain.rate)} TPS, LFL ${n(s.lfl.rate)} commands/s; Trellis ÷ LFL ${n(s.trellis / s.lfl.rate, 2)}`,
        );
      }
    }
  }
  const check = await checkAllCompleted(setup.db);
  if (check.other > 0)
    throw new Error(
      `${check.other} of ${check.completed + check.other} bench instances did not reach their end event.`,
    );
  if (check.terminated !== cut)
    console.log(`note: ${check.terminated} instances terminated, ${cut} of them cut by the end of an LFL pgbench run`);
  const table = CLIENTS.flatMap((clients) =>
    WORKERS.map((workers) => ({ clients, workers, samples: rows.get(`${clients}/${workers}`)! })),
  );
  const figures = printTables(
    `${server} — medians of ${ROUNDS} rounds, ${SECONDS} s windows (Trellis +${WARMUP_SECONDS} s warm-up), ${INFLIGHT} instances in flight per Trellis client;` +
      ` commands = start + complete; ${check.completed} instances completed (Trellis's and LFL's), ${cut} LFL instances cut by the end of a pgbench run`,
    table,
    'PostgreSQL CPU',
  );
  printTargets(
    figures.flatMap(({ clients, workers, ratio, m }) => [
      {
        what: `Trellis ÷ LFL commands/s at ${plural(clients, 'client')}, ${plural(workers, 'worker')}`,
        value: ratio,
        target: targetFor(clients),
      },
      {
        what: `Node CPU ms per command at ${plural(clients, 'client')}, ${plural(workers, 'worker')}`,
        value: m((s) => s.nodeMs),
        target: NODE_CPU_TARGET_MS,
        atMost: true,
      },
    ]),
  );
}

/** Instances driven one at a time to count statements, rows and WAL. */
const COUNTED_INSTANCES = 45;

/** Rows written to the Trellis tables so far (the database's statistics), and the WAL written (the whole server's). */
interface WriteCounters {
  inserted: number;
  updated: number;
  hot: number;
  deleted: number;
  walBytes: number;
  walRecords: number;
  walImages: number;
}

const COUNTERS = `select (select sum(n_tup_ins) from pg_stat_user_tables) as inserted,
    (select sum(n_tup_upd) from pg_stat_user_tables) as updated,
    (select sum(n_tup_hot_upd) from pg_stat_user_tables) as hot,
    (select sum(n_tup_del) from pg_stat_user_tables) as deleted,
    (select wal_bytes from pg_stat_wal) as "walBytes", (select wal_records from pg_stat_wal) as "walRecords", (select wal_fpi from pg_stat_wal) as "walImages"`;

/**
 * The counters once they have settled: a closed connection's backend reports its last counts as
 * it exits, shortly after the close returns. Read until two readings a quarter second apart agree.
 */
async function writeCounters(raw: postgres.Sql): Promise<WriteCounters> {
  const read = async () => {
    await raw.unsafe('select pg_stat_clear_snapshot()');
    const [row] = await raw.unsafe<Record<keyof WriteCounters, string>[]>(COUNTERS);
    return Object.fromEntries(Object.entries(row!).map(([k, v]) => [k, Number(v)])) as unknown as WriteCounters;
  };
  let last = await read();
  for (let i = 0; i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const next = await read();
    if (next.inserted === last.inserted && next.updated === last.updated && next.deleted === last.deleted) return next;
    last = next;
  }
  return last;
}

async function measureWrites<T>(raw: postgres.Sql, run: () => Promise<T>) {
  const before = await writeCounters(raw);
  await run();
  return { before, after: await writeCounters(raw) };
}

const perInstance = (before: WriteCounters, after: WriteCounters, count: number) =>
  Object.fromEntries(
    Object.keys(before).map((k) => [k, (after[k as keyof WriteCounters] - before[k as keyof WriteCounters]) / count]),
  ) as unknown as WriteCounters;

/**
 * Rows and WAL per Trellis instance, per LFL instance and per plain transaction, each driven on
 * one connection. WAL bytes depend on how many pages are touched for the first time since the last
 * checkpoint (a full-page image each): the record counts compare the work itself.
 */
function printWrites(lines: [string, WriteCounters][]) {
  console.log(`  Rows and WAL written (database statistics; WAL is the whole server's), one connection:`);
  for (const [name, w] of lines)
    console.log(
      `    ${name}: ${w.inserted.toFixed(1)} rows inserted, ${w.updated.toFixed(1)} updated (${w.hot.toFixed(1)} HOT), ${w.deleted.toFixed(1)} deleted;` +
        ` WAL ${w.walRecords.toFixed(1)} records, ${w.walBytes.toFixed(0)} B (${w.walImages.toFixed(2)} full-page images)`,
    );
}

/**
 * Fills the database with `count` finished instances, driven as in the measured runs (8 clients,
 * 2 workers), so the measured commands meet tables of a working system, as pgbench meets its
 * 10,000 rows, and the planner's statistics (taken by VACUUM ANALYZE after) describe them.
 */
async function drivePastInstances(url: string, actors: Actors, count: number) {
  if (count <= 0) return;
  const t0 = performance.now();
  const clientHandle = await open({ url, maxConnections: 8 });
  const workerHandles = await Promise.all([0, 1].map(() => open({ url, maxConnections: 2 })));
  let done = 0;
  try {
    while (done < count) {
      const r = await drive({
        clientDb: clientHandle.db,
        workerDbs: workerHandles.map((h) => h.db),
        clients: 8,
        actors,
        warmupMs: 0,
        measureMs: 2000,
        inflight: INFLIGHT,
        workerIdleMs: WORKER_IDLE_MS,
        workerBatch: WORKER_BATCH,
      });
      if (r.firstError) throw new Error(`Driving the history instances failed: ${r.firstError}`);
      done += r.instances;
    }
  } finally {
    await Promise.all([clientHandle, ...workerHandles].map((h) => h.close()));
  }
  console.log(
    `  History: at least ${done} instances driven to their end before measuring (${((performance.now() - t0) / 1000).toFixed(0)} s; those finished while draining are not counted)`,
  );
}

// ---- PGlite -------------------------------------------------------------------------------------

async function onPglite() {
  const handle = await open({ dataDir: 'memory://' });
  await migrateDatabase(handle);
  const actors: Actors = await prepareTrellis(handle.db);
  const pg = (handle.db as unknown as { $client: PGlite }).$client;
  for (const ddl of BASELINE_DDL) await pg.exec(ddl);
  const sql: Sql = async (text, params = []) => (await pg.query<Record<string, unknown>>(text, params)).rows;
  console.log('\nPGlite: the like-for-like script, from one instance driven through Trellis:');
  const lfl = await generate(sql, handle.db, actors);
  await writeScript(lfl, 'an in-memory PGlite');
  // PGlite's share of the one thread: the CPU time spent inside its synchronous protocol call (the
  // database at work, and PGlite's own reading of the result messages), in ms.
  let inDatabase = 0;
  const exec = pg.execProtocolRawSync.bind(pg);
  pg.execProtocolRawSync = (message: Uint8Array) => {
    const t0 = process.cpuUsage();
    try {
      return exec(message);
    } finally {
      const used = process.cpuUsage(t0);
      inDatabase += (used.user + used.system) / 1000;
    }
  };
  const samples: Sample[] = [];
  console.log(
    `\nMeasuring: ${ROUNDS} rounds of Trellis + plain loop + LFL loop, VACUUM ANALYZE before each (PGlite has no autovacuum).`,
  );
  for (let round = 0; round < ROUNDS; round++) {
    await pg.exec('VACUUM ANALYZE');
    let trellis: { r: DriveResult; share: number } | undefined;
    let plain: Baseline | undefined;
    let like: Baseline | undefined;
    const systems = [
      {
        name: 'Trellis',
        run: async () => {
          let opened = { at: 0, inDatabase: 0 };
          let share = NaN;
          const r = await profiled(`pglite-r${round + 1}`, () =>
            drive({
              clientDb: handle.db,
              workerDbs: [handle.db],
              clients: 1,
              actors,
              warmupMs: WARMUP_SECONDS * 1000,
              measureMs: SECONDS * 1000,
              inflight: INFLIGHT,
              workerIdleMs: WORKER_IDLE_MS,
              workerBatch: WORKER_BATCH,
              onWindow: (edge) => {
                if (edge === 'open') opened = { at: performance.now(), inDatabase };
                else share = (inDatabase - opened.inDatabase) / (performance.now() - opened.at);
              },
            }),
          );
          if (r.firstError) throw new Error(`PGlite run failed: ${r.firstError}`);
          trellis = { r, share };
        },
      },
      {
        name: 'plain',
        run: async () => {
          const t0 = inDatabase;
          const { tps, latencies } = await pgliteLoop(pg, SECONDS);
          plain = {
            rate: tps,
            p50: percentile(latencies, 50),
            p99: percentile(latencies, 99),
            pgMs: (inDatabase - t0) / latencies.length,
            machine: NaN,
          };
        },
      },
      {
        name: 'LFL',
        run: async () => {
          const t0 = inDatabase;
          const r = await lflLoop(pg, lfl, SECONDS);
          like = {
            rate: r.commands / r.seconds,
            p50: percentile(r.latencies, 50),
            p99: percentile(r.latencies, 99),
            pgMs: (inDatabase - t0) / r.commands,
            machine: NaN,
            perCommand: r.perCommand,
          };
        },
      },
    ];
    const order = rotated(systems, round);
    for (const system of order) await system.run();
    const { r, share } = trellis!;
    // One thread: the process's CPU includes PGlite's; Node's own is what is left outside it.
    const s = sampleOf(r, plain!, like!, share, r.nodeCpu - share);
    samples.push(s);
    console.log(
      `round ${round + 1} (${order.map((o) => o.name).join(', ')}): Trellis ${n(s.trellis)} commands/s, plain loop ${n(s.plain.rate)} TPS, LFL loop ${n(s.lfl.rate)} commands/s; Trellis ÷ LFL ${n(s.trellis / s.lfl.rate, 2)}`,
    );
  }
  const check = await checkAllCompleted(handle.db);
  if (check.other + check.terminated > 0)
    throw new Error(
      `${check.other + check.terminated} of ${check.completed + check.other + check.terminated} PGlite bench instances did not reach their end event.`,
    );
  const [figures] = printTables(
    `PGlite in memory (fsync off), one process, 1 client; client and worker share the one PGlite — medians of ${ROUNDS} rounds, ${SECONDS} s windows;` +
      ` commands = start + complete; all ${check.completed} instances completed`,
    [{ clients: 1, workers: 1, samples }],
    'PGlite CPU',
  );
  printTargets([
    { what: 'PGlite: Trellis ÷ LFL loop commands/s', value: figures!.ratio, target: PGLITE_TARGET },
    {
      what: 'PGlite: Node CPU ms per command outside PGlite',
      value: figures!.m((s) => s.nodeMs),
      target: NODE_CPU_TARGET_MS,
      atMost: true,
    },
  ]);
  await handle.close();
}

async function main() {
  const perRound =
    (ON_POSTGRES ? CLIENTS.length * (WORKERS.length * (WARMUP_SECONDS + SECONDS + 2) + 2 * (SECONDS + 1)) + 2 : 0) +
    (ON_PGLITE ? WARMUP_SECONDS + 3 * SECONDS + 2 : 0);
  console.log(
    `bench:runtime — ${ROUNDS} rounds of ≈ ${perRound} s, plus setup (pgbench: ${PGBENCH}; admin ${ADMIN_URL.replace(/:[^:@/]*@/, ':***@')})`,
  );
  if (ON_POSTGRES) await onPostgres();
  if (ON_PGLITE) await onPglite();
  console.log(`\n${LEGEND}`);
}

try {
  await main();
} catch (error) {
  console.error(`\nbench:runtime failed: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
