/**
 * `npm run bench:runtime`: the durable runtime on a real database. Instances of start → service
 * task → user task → end are driven to completion as the API and the workers drive them:
 * `startInstance` and `completeTask` (the two API commands of an instance) from concurrent
 * clients sharing one pool, the service job run by in-process worker loops (`createWorker`, each
 * on its own pool). Prints commands/s, job completions/s, instances/s and command latencies, and
 * each figure's ratio to a baseline measured in the same run on the same database: pgbench doing
 * one engine step's bare write (one UPDATE + one INSERT per transaction) at the same client count
 * on PostgreSQL; a loop of the same statements through PGlite's own `query` on PGlite.
 * Target: commands/s ≥ 50 % of the baseline (PASS/MISS is printed; a miss does not fail the run).
 *
 * PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres) is used as an
 * admin connection to create a fresh database `trellis_bench_<random>`, dropped again at the end,
 * also after a failure or Ctrl-C. Medians of BENCH_ROUNDS rounds. Knobs (env): BENCH_ROUNDS (3),
 * BENCH_SECONDS (window of each run and pgbench -T; 4), BENCH_WARMUP_SECONDS (1), BENCH_CLIENTS
 * (1,4,16), BENCH_WORKERS (1,2), BENCH_INFLIGHT (instances a client keeps in flight; 8),
 * BENCH_WORKER_IDLE_MS (a worker's pause after an empty poll; 20), BENCH_WORKER_BATCH (20),
 * BENCH_POSTGRES=0 / BENCH_PGLITE=0 to skip a database, PGBENCH (/usr/bin/pgbench), BENCH_HISTORY
 * (finished instances driven into the PostgreSQL database before measuring; 10,000).
 *
 * Before measuring, the PostgreSQL database gets BENCH_HISTORY finished instances and VACUUM
 * ANALYZE, as pgbench's table starts with 10,000 rows: measured on empty tables, prepared
 * statements keep the plans made while the tables were tiny (sequential scans) as they grow, until
 * autovacuum analyses them, and each command then reads the whole table.
 */
import { randomBytes } from 'node:crypto';
import type { PGlite } from '@electric-sql/pglite';
import postgres from 'postgres';
import { migrateDatabase, openDatabase, type DatabaseHandle } from '@/db/client';
import { BASELINE_DDL, BASELINE_ROWS, PGBENCH, pgbench, pgliteLoop } from './runtime-baselines';
import { CORES, watchDatabase, type CpuUse } from './runtime-cpu';
import {
  checkAllCompleted,
  countStatements,
  drive,
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
const WORKERS = env('BENCH_WORKERS', '1,2').split(',').map(Number);
const INFLIGHT = Number(env('BENCH_INFLIGHT', '8'));
const WORKER_IDLE_MS = Number(env('BENCH_WORKER_IDLE_MS', '20'));
const WORKER_BATCH = Number(env('BENCH_WORKER_BATCH', '20'));
const ON_POSTGRES = env('BENCH_POSTGRES', '1') !== '0';
const ON_PGLITE = env('BENCH_PGLITE', '1') !== '0';
/** Instances driven to their end before measuring, so the tables are not empty: as many as the baseline's rows. */
const HISTORY = Number(env('BENCH_HISTORY', String(BASELINE_ROWS)));
const TARGET = 0.5;

// ---- statistics and printing --------------------------------------------------------------------

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.floor(sorted.length / 2)]!;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** A baseline run: its TPS, and PostgreSQL's and the machine's CPU meanwhile. */
interface Baseline {
  tps: number;
  cpu: CpuUse;
}

/** One configuration's figures for one round, with the baseline measured next to it. */
interface Sample {
  baseline: number;
  commands: number;
  txns: number;
  jobs: number;
  instances: number;
  p50: number;
  p95: number;
  p99: number;
  startP50: number;
  completeP50: number;
  clientWait: number;
  emptyPolls: number;
  nodeCpu: number;
  /** PostgreSQL CPU per database transaction (ms): Trellis's (commands and jobs), the baseline's. */
  pgMsPerTxn: number;
  baselinePgMsPerTxn: number;
  machine: number;
  baselineMachine: number;
  /**
   * Commands/s if PostgreSQL had every core to itself and Node took none: the cores ÷ the
   * PostgreSQL CPU one command costs (its share of the jobs included). What the SQL alone allows.
   */
  pgCeiling: number;
  /** Machine CPU (all processes) per command, and per baseline transaction, ms. */
  machineMsPerCommand: number;
  baselineMachineMsPerTxn: number;
  retries: number;
}

/** `cores`: what the run could use (PGlite: one thread, the process's). */
function sampleOf(baseline: Baseline, r: DriveResult, cores = CORES): Sample {
  const perSecond = (n: number) => n / r.seconds;
  const txns = perSecond(r.starts + r.completes + r.jobs);
  return {
    baseline: baseline.tps,
    commands: perSecond(r.starts + r.completes),
    txns,
    jobs: perSecond(r.jobs),
    instances: perSecond(r.instances),
    p50: percentile(r.latencies, 50),
    p95: percentile(r.latencies, 95),
    p99: percentile(r.latencies, 99),
    startP50: percentile(r.startLatencies, 50),
    completeP50: percentile(r.completeLatencies, 50),
    clientWait: r.clientWait,
    emptyPolls: perSecond(r.emptyPolls),
    nodeCpu: r.nodeCpu,
    pgMsPerTxn: (r.cpu.postgres / txns) * 1000,
    baselinePgMsPerTxn: (baseline.cpu.postgres / baseline.tps) * 1000,
    machine: r.cpu.machine,
    baselineMachine: baseline.cpu.machine,
    pgCeiling: (cores * perSecond(r.starts + r.completes)) / r.cpu.postgres,
    machineMsPerCommand: ((r.cpu.machine * cores) / perSecond(r.starts + r.completes)) * 1000,
    baselineMachineMsPerTxn: ((baseline.cpu.machine * cores) / baseline.tps) * 1000,
    retries: r.jobRetries,
  };
}

type Figure = Exclude<keyof Sample, 'retries'>;

function printTables(
  title: string,
  baselineName: string,
  rows: { clients: number; workers: number; samples: Sample[] }[],
  cores = CORES,
) {
  const n = (v: number, d = 0) => (Number.isFinite(v) ? v.toFixed(d) : '–');
  const pct = (v: number) => (Number.isFinite(v) ? `${(v * 100).toFixed(0)}%` : '–');
  const figures = rows.map(({ clients, workers, samples }) => {
    const m = (k: Figure) => median(samples.map((s) => s[k]));
    // Ratios are taken per round (each Trellis run against the baseline run beside it), then the median.
    const ratios = (k: Figure) => samples.map((s) => s[k] / s.baseline);
    const r = (k: Figure) => median(ratios(k));
    return { clients, workers, m, r, spread: ratios('commands') };
  });
  const print = (head: string[], body: string[][], leftAligned: number[]) => {
    const widths = head.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
    const line = (cells: string[]) =>
      cells.map((c, i) => (leftAligned.includes(i) ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
    console.log(line(head));
    console.log(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const row of body) console.log(line(row));
  };
  console.log(`\n${title}`);
  print(
    [
      'clients',
      'workers',
      `${baselineName} TPS`,
      'commands/s (ratio; range)',
      'target ≥ 50%',
      'txns/s (ratio)',
      'jobs/s (ratio)',
      'instances/s (ratio)',
    ],
    figures.map(({ clients, workers, m, r, spread }) => [
      String(clients),
      String(workers),
      n(m('baseline')),
      `${n(m('commands'))} (${pct(r('commands'))}; ${pct(Math.min(...spread))}–${pct(Math.max(...spread))})`,
      r('commands') >= TARGET ? 'PASS' : 'MISS',
      `${n(m('txns'))} (${pct(r('txns'))})`,
      `${n(m('jobs'))} (${pct(r('jobs'))})`,
      `${n(m('instances'))} (${pct(r('instances'))})`,
    ]),
    [0, 1, 4],
  );
  console.log('');
  print(
    [
      'clients',
      'workers',
      'p50 ms',
      'p95 ms',
      'p99 ms',
      'start / complete p50 ms',
      'clients waiting',
      'empty polls/s',
      'Node CPU',
      `PG CPU ms/txn (${baselineName})`,
      `machine busy (${baselineName})`,
    ],
    figures.map(({ clients, workers, m }) => [
      String(clients),
      String(workers),
      n(m('p50'), 1),
      n(m('p95'), 1),
      n(m('p99'), 1),
      `${n(m('startP50'), 1)} / ${n(m('completeP50'), 1)}`,
      pct(m('clientWait')),
      n(m('emptyPolls')),
      pct(m('nodeCpu')),
      `${n(m('pgMsPerTxn'), 2)} (${n(m('baselinePgMsPerTxn'), 2)})`,
      `${pct(m('machine'))} (${pct(m('baselineMachine'))})`,
    ]),
    [0, 1],
  );
  console.log('');
  print(
    [
      'clients',
      'workers',
      `machine CPU ms/command (${baselineName} ms/txn)`,
      'ms/command the target allows',
      'database-only ceiling: commands/s (ratio)',
    ],
    figures.map(({ clients, workers, m, r }) => [
      String(clients),
      String(workers),
      `${n(m('machineMsPerCommand'), 2)} (${n(m('baselineMachineMsPerTxn'), 2)})`,
      n((cores * 1000) / (TARGET * m('baseline')), 2),
      `${n(m('pgCeiling'))} (${pct(r('pgCeiling'))})`,
    ]),
    [0, 1],
  );
  const retries = rows.reduce((k, r) => k + r.samples.reduce((j, s) => j + s.retries, 0), 0);
  if (retries > 0)
    console.log(`note: ${retries} service job attempts did not commit and were retried (lease lost or conflict)`);
}

const LEGEND = [
  'ratio: to the baseline TPS of the same round, median over rounds (range: lowest–highest round). commands = start + complete (2 per instance);',
  'txns = commands + job completions (every transaction of an instance, 3 per instance); clients waiting: share of client time with all their',
  'instances in flight waiting for a worker; empty polls: worker polls that found nothing due (1 statement each, not counted in txns);',
  `Node CPU: this process, of one core (${CORES} cores here); PG CPU ms/txn: CPU of the bench database's PostgreSQL backends per transaction`,
  '(Trellis: per command or job; empty polls and the harness lookup included); machine busy: all cores, anything running (other load makes a run noisy).',
  'ms/command the target allows: all cores for one second ÷ the commands/s the target asks for (at most, with the machine fully busy);',
  'database-only ceiling: the commands/s the cores would carry if Node took no CPU at all, given the PostgreSQL CPU a command costs now',
  '(its share of the service jobs included): below the target, no change on the Node side alone can reach it. PGlite runs in the',
  "process's one thread: there the CPU is that thread's, the ceiling is 1 ÷ the time inside PGlite per command, the machine's figure is this process's.",
].join('\n');

function printCounts(c: StatementCount) {
  console.log(`\nSQL statements sent (postgres.js debug hook; BEGIN/COMMIT included), one instance driven alone:`);
  console.log(
    `  start ${c.start}, service job ${c.job} (claim + run), complete ${c.complete}; an empty worker poll ${c.idlePoll}.`,
  );
  console.log(
    `  Per instance: ${c.start + c.complete} round trips in the 2 API commands, ${c.start + c.job + c.complete} in all; pgbench's transaction sends 4 (BEGIN, UPDATE, INSERT, END).`,
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

// ---- PostgreSQL ---------------------------------------------------------------------------------

async function onPostgres() {
  databaseName = `trellis_bench_${randomBytes(6).toString('hex')}`;
  watchDatabase(databaseName);
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  let server: string;
  try {
    await admin.unsafe(`CREATE DATABASE ${databaseName}`);
    const [row] = await admin.unsafe<{ v: string; sync: string }[]>(
      `select current_setting('server_version') as v, current_setting('synchronous_commit') as sync`,
    );
    server = `PostgreSQL ${row!.v}, synchronous_commit=${row!.sync}`;
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
  await drivePastInstances(url, actors, HISTORY);
  await raw.unsafe('VACUUM ANALYZE');
  const checkpoint = () => raw.unsafe('CHECKPOINT').catch(() => {});

  const before = await writeCounters(raw);
  const counts = await countStatements(url, actors, COUNTED_INSTANCES);
  printCounts(counts);
  printWrites(before, await writeCounters(raw), await pgbenchWal(raw, url));

  const samples = new Map<string, Sample[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const clients of CLIENTS) {
      const runTrellis = async (workers: number): Promise<DriveResult> => {
        await checkpoint();
        const clientHandle = await open({ url, maxConnections: clients });
        const workerHandles = await Promise.all(
          Array.from({ length: workers }, () => open({ url, maxConnections: 2 })),
        );
        try {
          return await drive({
            clientDb: clientHandle.db,
            workerDbs: workerHandles.map((h) => h.db),
            clients,
            actors,
            warmupMs: WARMUP_SECONDS * 1000,
            measureMs: SECONDS * 1000,
            inflight: INFLIGHT,
            workerIdleMs: WORKER_IDLE_MS,
            workerBatch: WORKER_BATCH,
          });
        } finally {
          await Promise.all([clientHandle, ...workerHandles].map((h) => h.close()));
        }
      };
      // Alternate the order by round, so a drift in the machine does not favour one side.
      const results = new Map<number, DriveResult>();
      let baseline: Baseline = { tps: NaN, cpu: { postgres: NaN, machine: NaN } };
      if (round % 2 === 0) {
        await checkpoint();
        baseline = await pgbench(url, clients, SECONDS);
      }
      for (const workers of WORKERS) results.set(workers, await runTrellis(workers));
      if (round % 2 === 1) {
        await checkpoint();
        baseline = await pgbench(url, clients, SECONDS);
      }
      for (const [workers, r] of results) {
        if (r.firstError) throw new Error(`Run with ${clients} clients and ${workers} workers failed: ${r.firstError}`);
        const key = `${clients}/${workers}`;
        const s = sampleOf(baseline, r);
        samples.set(key, [...(samples.get(key) ?? []), s]);
        console.log(
          `round ${round + 1}: ${clients} clients, ${workers} workers: ${s.commands.toFixed(0)} commands/s, ${s.jobs.toFixed(0)} jobs/s, p50 ${s.p50.toFixed(1)} ms; pgbench ${baseline.tps.toFixed(0)} TPS`,
        );
      }
    }
  }
  const check = await checkAllCompleted(setup.db);
  if (check.other > 0)
    throw new Error(
      `${check.other} of ${check.completed + check.other} bench instances did not reach their end event.`,
    );
  const rows = CLIENTS.flatMap((clients) =>
    WORKERS.map((workers) => ({ clients, workers, samples: samples.get(`${clients}/${workers}`)! })),
  );
  printTables(
    `${server} — medians of ${ROUNDS} rounds, ${SECONDS} s windows (+${WARMUP_SECONDS} s warm-up), ${INFLIGHT} instances in flight per client; all ${check.completed} instances completed`,
    'pgbench',
    rows,
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

const COUNTERS = `select (select sum(n_tup_ins) from pg_stat_user_tables where relname not like 'bench\\_%') as inserted,
    (select sum(n_tup_upd) from pg_stat_user_tables where relname not like 'bench\\_%') as updated,
    (select sum(n_tup_hot_upd) from pg_stat_user_tables where relname not like 'bench\\_%') as hot,
    (select sum(n_tup_del) from pg_stat_user_tables where relname not like 'bench\\_%') as deleted,
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

/** WAL per pgbench transaction, from a short pgbench run on one client. */
async function pgbenchWal(raw: postgres.Sql, url: string): Promise<{ bytes: number; records: number; images: number }> {
  const before = await writeCounters(raw);
  const { transactions } = await pgbench(url, 1, 2);
  const after = await writeCounters(raw);
  const per = (k: 'walBytes' | 'walRecords' | 'walImages') => (after[k] - before[k]) / transactions;
  return { bytes: per('walBytes'), records: per('walRecords'), images: per('walImages') };
}

/**
 * Rows and WAL per instance next to pgbench's per transaction. WAL bytes depend on how many pages
 * are touched for the first time since the last checkpoint (a full-page image each): the record
 * counts compare the work itself.
 */
function printWrites(
  before: WriteCounters,
  after: WriteCounters,
  pgbenchPerTxn: { bytes: number; records: number; images: number },
) {
  const per = (k: keyof WriteCounters) => (after[k] - before[k]) / COUNTED_INSTANCES;
  console.log(
    `  Rows written per instance (database statistics): ${per('inserted').toFixed(1)} inserted, ${per('updated').toFixed(1)} updated (${per('hot').toFixed(1)} of them HOT), ${per('deleted').toFixed(1)} deleted;` +
      ` pgbench's transaction: 1 inserted, 1 updated.`,
  );
  console.log(
    `  WAL per instance: ${per('walRecords').toFixed(0)} records, ${per('walBytes').toFixed(0)} B (${per('walImages').toFixed(1)} full-page images); per pgbench transaction: ${pgbenchPerTxn.records.toFixed(1)} records, ${pgbenchPerTxn.bytes.toFixed(0)} B (${pgbenchPerTxn.images.toFixed(2)} full-page images).`,
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
    `history: at least ${done} instances driven to their end before measuring (${((performance.now() - t0) / 1000).toFixed(0)} s; those finished while draining are not counted)`,
  );
}

// ---- PGlite -------------------------------------------------------------------------------------

async function onPglite() {
  const handle = await open({ dataDir: 'memory://' });
  await migrateDatabase(handle);
  const actors: Actors = await prepareTrellis(handle.db);
  const pg = (handle.db as unknown as { $client: PGlite }).$client;
  for (const ddl of BASELINE_DDL) await pg.exec(ddl);
  // PGlite's share of the one thread: the time spent inside its synchronous protocol call (the
  // database at work, and PGlite's own reading of the result messages), as a fraction of the
  // measured window.
  let inDatabase = 0;
  const exec = pg.execProtocolRawSync.bind(pg);
  pg.execProtocolRawSync = (message: Uint8Array) => {
    const t0 = performance.now();
    try {
      return exec(message);
    } finally {
      inDatabase += performance.now() - t0;
    }
  };
  const samples: Sample[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const driven = (onWindow: (edge: 'open' | 'close') => void) =>
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
        onWindow,
      });
    const trellis = async () => {
      let opened = { at: 0, inDatabase: 0 };
      let share = NaN;
      const r = await driven((edge) => {
        if (edge === 'open') opened = { at: performance.now(), inDatabase };
        else share = (inDatabase - opened.inDatabase) / (performance.now() - opened.at);
      });
      return { r, share };
    };
    let r: DriveResult;
    let share: number;
    let tps: number;
    if (round % 2 === 0) {
      tps = await pgliteLoop(pg, SECONDS);
      ({ r, share } = await trellis());
    } else {
      ({ r, share } = await trellis());
      tps = await pgliteLoop(pg, SECONDS);
    }
    if (r.firstError) throw new Error(`PGlite run failed: ${r.firstError}`);
    // PGlite runs in this process's one thread: the database's share is its time in PGlite, the
    // machine's is this process's CPU, and the raw loop keeps that thread busy.
    const s = sampleOf(
      { tps, cpu: { postgres: NaN, machine: 1 } },
      { ...r, cpu: { postgres: share, machine: r.nodeCpu } },
      1,
    );
    samples.push(s);
    console.log(
      `round ${round + 1}: PGlite, 1 client, 1 worker: ${s.commands.toFixed(0)} commands/s, ${s.jobs.toFixed(0)} jobs/s, p50 ${s.p50.toFixed(2)} ms; raw loop ${tps.toFixed(0)} TPS`,
    );
  }
  const check = await checkAllCompleted(handle.db);
  if (check.other > 0)
    throw new Error(
      `${check.other} of ${check.completed + check.other} PGlite bench instances did not reach their end event.`,
    );
  printTables(
    `PGlite 0.5 in memory (fsync off), one process — medians of ${ROUNDS} rounds, ${SECONDS} s windows; client and worker share the one PGlite; all ${check.completed} instances completed`,
    'PGlite query',
    [{ clients: 1, workers: 1, samples }],
    1,
  );
  await handle.close();
}

async function main() {
  const perRound =
    (ON_POSTGRES ? CLIENTS.length * (SECONDS + WORKERS.length * (WARMUP_SECONDS + SECONDS + 1)) : 0) +
    (ON_PGLITE ? 2 * SECONDS + WARMUP_SECONDS + 1 : 0);
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
