/**
 * The plain baseline of `npm run bench:runtime`: what the database does with the write of one
 * engine step and nothing else — one single-row UPDATE of an instance-like row plus one INSERT of
 * an audit-like row, in one transaction. On PostgreSQL it is run by pgbench (prepared statements,
 * its own C client); on PGlite by a loop of PGlite's own `query` in its `transaction`. Also the
 * pgbench runner the like-for-like script (runtime-lfl.ts) is run with.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { PGlite } from '@electric-sql/pglite';
import { cpuSince, cpuSnapshot, type CpuUse } from './runtime-cpu';

const run = promisify(execFile);

export const BASELINE_ROWS = 10_000;
/** About the size of a waiting bench instance's stored state (the bench prints the real size). */
const STATE = JSON.stringify({
  status: 'active',
  active: [{ id: 'approve', kind: 'userTask', token: 1 }],
  variables: { receipt: 'R' },
  startedAt: '2026-12-01T00:00:00.000Z',
  tokens: 2,
});
const AUDIT_DATA = JSON.stringify({ submission: { decision: 'approve' } });

/** The instance-like and audit-like tables, in the bench database (not touched by Trellis). */
export const BASELINE_DDL = [
  `CREATE TABLE bench_instances (id integer PRIMARY KEY, version integer NOT NULL DEFAULT 1, status text NOT NULL DEFAULT 'active', state jsonb NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())`,
  `INSERT INTO bench_instances (id, state) SELECT g, '${STATE}'::jsonb FROM generate_series(1, ${BASELINE_ROWS}) g`,
  `CREATE TABLE bench_audit (id bigserial PRIMARY KEY, instance_id integer NOT NULL, type text NOT NULL, data jsonb NOT NULL, at timestamptz NOT NULL DEFAULT now())`,
  `CREATE INDEX bench_audit_instance_idx ON bench_audit (instance_id, id)`,
];

const UPDATE = `UPDATE bench_instances SET version = version + 1, state = $2::jsonb, updated_at = now() WHERE id = $1`;
const INSERT = `INSERT INTO bench_audit (instance_id, type, data) VALUES ($1, 'task.completed', $2::jsonb)`;

const PGBENCH_SCRIPT = `\\set id random(1, ${BASELINE_ROWS})
BEGIN;
${UPDATE.replace('$1', ':id').replace('$2', `'${STATE}'`)};
${INSERT.replace('$1', ':id').replace('$2', `'${AUDIT_DATA}'`)};
END;
`;

export const PGBENCH = process.env.PGBENCH ?? '/usr/bin/pgbench';

export interface PgbenchOptions {
  url: string;
  clients: number;
  /** Run for this long (-T) … */
  seconds?: number;
  /** … or this many transactions per client (-t). */
  transactions?: number;
  /** The script's text; the plain step by default. */
  script?: string;
  /** Variables (-D). */
  define?: Record<string, string>;
  /** Keep pgbench's per-transaction log (-l) and return it. */
  log?: boolean;
}

export interface PgbenchRun {
  /** Transactions per second, without the initial connection time. */
  tps: number;
  transactions: number;
  /** PostgreSQL's and the machine's CPU, read shortly before the end (pgbench's backends exit with it). */
  cpu: CpuUse;
  /** With `log`: each transaction's latency (ms) and its number within its client (from 1). */
  log: { client: number; n: number; ms: number }[];
}

/** Runs pgbench (prepared statements, one thread per client). */
export async function runPgbench(options: PgbenchOptions): Promise<PgbenchRun> {
  const dir = await mkdtemp(path.join(tmpdir(), 'trellis-pgbench-'));
  try {
    const script = path.join(dir, 'script.sql');
    await writeFile(script, options.script ?? PGBENCH_SCRIPT);
    const length =
      options.seconds !== undefined ? ['-T', String(options.seconds)] : ['-t', String(options.transactions)];
    const args = [
      '-n',
      '-M',
      'prepared',
      ...length,
      '-c',
      String(options.clients),
      '-j',
      String(options.clients),
      ...Object.entries(options.define ?? {}).flatMap(([k, v]) => ['-D', `${k}=${v}`]),
      ...(options.log ? ['-l', `--log-prefix=${path.join(dir, 'log')}`] : []),
      '-f',
      script,
      options.url,
    ];
    const before = cpuSnapshot();
    let cpu: CpuUse = { postgres: NaN, machine: NaN };
    const sample =
      options.seconds === undefined
        ? undefined
        : setTimeout(() => (cpu = cpuSince(before)), Math.max(100, options.seconds * 1000 - 250));
    const { stdout } = await run(PGBENCH, args, { timeout: ((options.seconds ?? 60) + 60) * 1000 })
      .catch((error: NodeJS.ErrnoException & { stderr?: string }) => {
        if (error.code === 'ENOENT')
          throw new Error(
            `pgbench was not found at ${PGBENCH}; install PostgreSQL's client tools or set PGBENCH to its path.`,
          );
        throw new Error(`pgbench failed: ${error.stderr?.trim() || error.message}`);
      })
      .finally(() => clearTimeout(sample));
    const tps = /tps = ([\d.]+) \(without initial connection time\)/.exec(stdout);
    if (!tps) throw new Error(`pgbench printed no "tps = …" line; its output was:\n${stdout}`);
    const transactions = /number of transactions actually processed: (\d+)/.exec(stdout);
    const log: PgbenchRun['log'] = [];
    if (options.log)
      for (const file of (await readdir(dir)).filter((f) => f.startsWith('log.'))) {
        // "client_id transaction_no time script_no time_epoch time_us": time is the latency in µs.
        for (const line of (await readFile(path.join(dir, file), 'utf8')).split('\n')) {
          const [client, n, us] = line.split(' ');
          if (us !== undefined) log.push({ client: Number(client), n: Number(n), ms: Number(us) / 1000 });
        }
      }
    return { tps: Number(tps[1]), transactions: transactions ? Number(transactions[1]) : NaN, cpu, log };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The same transaction through PGlite's own `query`, in a closed loop for `seconds`: TPS and each transaction's latency (ms). */
export async function pgliteLoop(pg: PGlite, seconds: number): Promise<{ tps: number; latencies: number[] }> {
  const latencies: number[] = [];
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  while (performance.now() < end) {
    const id = 1 + Math.floor(Math.random() * BASELINE_ROWS);
    const started = performance.now();
    await pg.transaction(async (tx) => {
      await tx.query(UPDATE, [id, STATE]);
      await tx.query(INSERT, [id, AUDIT_DATA]);
    });
    latencies.push(performance.now() - started);
  }
  return { tps: latencies.length / ((performance.now() - t0) / 1000), latencies };
}
