/**
 * `npm run bench:pglite-prepared`: PGlite's own `query` against the prepared
 * path of db/pglite-prepared.ts, on two in-memory databases seeded alike. Times OPS executions of
 * a SELECT by primary key and of an INSERT … RETURNING on a table with three secondary indexes,
 * with drizzle's query options, plain and prepared interleaved for ROUNDS rounds (the order
 * alternating), and prints the median of each. Knobs (env): BENCH_OPS (5000), BENCH_ROUNDS (3).
 */
import { randomUUID } from 'node:crypto';
import { PGlite, types, type QueryOptions } from '@electric-sql/pglite';
import { preparedPGlite, preparedStats } from '../../db/pglite-prepared';

const OPS = Number(process.env.BENCH_OPS ?? '5000');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '3');
const SEED_ROWS = 10_000;

const SCHEMA = `
  create table bench_tasks (
    id bigint primary key,
    tenant_id uuid not null,
    status text not null,
    assignee text,
    payload jsonb not null,
    created_at timestamptz not null default now()
  );
  create index bench_tasks_tenant_status on bench_tasks (tenant_id, status);
  create index bench_tasks_assignee on bench_tasks (assignee);
  create index bench_tasks_created on bench_tasks (created_at);
`;
const SELECT = `select "id", "tenant_id", "status", "assignee", "payload", "created_at" from "bench_tasks" where "id" = $1`;
const INSERT = `insert into "bench_tasks" ("id", "tenant_id", "status", "assignee", "payload")
  values ($1, $2, $3, $4, $5) returning "id", "created_at"`;

/** What drizzle passes to `query`. */
const OPTIONS: QueryOptions = {
  rowMode: 'array',
  parsers: { [types.TIMESTAMPTZ]: (value) => value, [types.TIMESTAMP]: (value) => value },
};

const tenant = randomUUID();
const payload = { form: { name: 'Nguyễn Văn Đức', amount: 1250000, items: ['a', 'b', 'c'] }, step: 'review' };

async function open(prepared: boolean): Promise<PGlite> {
  const client = await PGlite.create('memory://');
  await client.exec(SCHEMA);
  await client.query(
    `insert into bench_tasks (id, tenant_id, status, assignee, payload)
     select g, $1, 'open', 'user' || (g % 50), $2 from generate_series(1, ${SEED_ROWS}) g`,
    [tenant, payload],
  );
  await client.exec('vacuum analyze bench_tasks');
  return prepared ? preparedPGlite(client) : client;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function main() {
  const clients = { plain: await open(false), prepared: await open(true) };
  const nextId = { plain: SEED_ROWS, prepared: SEED_ROWS };
  type Kind = keyof typeof clients;
  const workloads = {
    select: (kind: Kind, i: number) => clients[kind].query(SELECT, [(i % SEED_ROWS) + 1], OPTIONS),
    insert: (kind: Kind) => clients[kind].query(INSERT, [++nextId[kind], tenant, 'open', 'user7', payload], OPTIONS),
  };
  const times: Record<string, number[]> = {};

  // Warm-up: JIT, and the prepared side's first Parse.
  for (const kind of ['plain', 'prepared'] as const)
    for (let i = 0; i < 200; i++) {
      await workloads.select(kind, i);
      await workloads.insert(kind);
    }

  for (let round = 0; round < ROUNDS; round++) {
    const order: Kind[] = round % 2 === 0 ? ['plain', 'prepared'] : ['prepared', 'plain'];
    for (const [name, run] of Object.entries(workloads))
      for (const kind of order) {
        const start = performance.now();
        for (let i = 0; i < OPS; i++) await run(kind, i);
        (times[`${name} ${kind}`] ??= []).push(performance.now() - start);
      }
  }

  console.log(`${OPS} executions per run, ${ROUNDS} rounds, median (all runs in ms)`);
  for (const name of Object.keys(workloads)) {
    const plain = median(times[`${name} plain`]!);
    const prepared = median(times[`${name} prepared`]!);
    const runs = (kind: Kind) => times[`${name} ${kind}`]!.map((t) => t.toFixed(0)).join(', ');
    console.log(
      `${name.padEnd(7)} plain ${plain.toFixed(0).padStart(6)} ms (${((plain * 1000) / OPS).toFixed(1)} µs/op) [${runs('plain')}]` +
        `  prepared ${prepared.toFixed(0).padStart(6)} ms (${((prepared * 1000) / OPS).toFixed(1)} µs/op) [${runs('prepared')}]` +
        `  ×${(plain / prepared).toFixed(2)}`,
    );
  }
  console.log('prepared stats', preparedStats(clients.prepared));
  await Promise.all([clients.plain.close(), clients.prepared.close()]);
}

await main();
