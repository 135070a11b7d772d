/**
 * bench:analytics — process analytics (services/analytics.ts) at bench:inbox's scale: run
 * `npm run bench:inbox` first (it seeds and keeps trellis_bench_inbox: 1,000,000 tasks, 333,334
 * instances over 3 companies). For each company's admin, with the cache cleared before each call
 * (the cost of a cache miss), the overview, one process and the overdue tasks per department,
 * interleaved over ROUNDS rounds, medians; beside each, the named baseline measured in the same
 * rounds: `count(*)` of the company's instances started in the same 90 days (the least any
 * per-process count can read) — the ratio says what the analytics cost beyond reading those rows.
 * No target (the issue sets none: the page's numbers are cached for a minute); it says where it stands.
 */
import os from 'node:os';
import postgres from 'postgres';
import { openDatabase } from '@/db/client';
import { resolveActor } from '@/app/server/actor';
import {
  analyticsCache,
  analyticsOverview,
  overdueByDepartment,
  processAnalytics,
} from '@/app/server/services/analytics';

const url = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/trellis_bench_inbox';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const raw = postgres(url, { max: 1, onnotice: () => {} });
const handle = await openDatabase({ url, maxConnections: 1 });
try {
  await raw`vacuum analyze process_instances, tasks, audit_events`.catch(() => raw`analyze`);
  const admins = await raw`select distinct on (t.id) m.user_id, m.tenant_id, t.name,
      (select count(*) from process_instances i where i.tenant_id = t.id)::int as instances
    from memberships m join tenants t on t.id = m.tenant_id where m.role = 'admin' order by t.id, m.created_at`;
  if (admins.length === 0) throw new Error('No bench database: run `npm run bench:inbox` first.');
  console.log(
    `bench:analytics — ${url}; ${os.cpus().length} cores, Node ${process.version}; ${ROUNDS} rounds, interleaved, cache cleared before each call`,
  );
  console.log(
    'company                          instances  overview ms  process ms  overdue ms  baseline ms  overview/baseline',
  );
  for (const a of admins.sort((x, y) => y.instances - x.instances)) {
    const actor = (await resolveActor(handle.db, a.user_id, 'vi', a.tenant_id))!;
    const [busiest] =
      await raw`select d.key from process_instances i join process_definitions d on d.id = i.definition_id
      where i.tenant_id = ${a.tenant_id} group by d.key order by count(*) desc limit 1`;
    const times = {
      overview: [] as number[],
      process: [] as number[],
      overdue: [] as number[],
      baseline: [] as number[],
    };
    const time = async (into: number[], work: () => Promise<unknown>) => {
      analyticsCache.clear();
      const started = performance.now();
      await work();
      into.push(performance.now() - started);
    };
    for (let round = 0; round < ROUNDS; round++) {
      await time(
        times.baseline,
        () =>
          raw`select count(*) from process_instances where tenant_id = ${a.tenant_id} and created_at >= now() - interval '90 days'`,
      );
      await time(times.overview, () => analyticsOverview(handle.db, actor));
      await time(times.process, () => processAnalytics(handle.db, actor, { key: busiest!.key }));
      await time(times.overdue, () => overdueByDepartment(handle.db, actor));
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
    const m = {
      overview: median(times.overview),
      process: median(times.process),
      overdue: median(times.overdue),
      baseline: median(times.baseline),
    };
    console.log(
      `${String(a.name).padEnd(32)} ${String(a.instances).padStart(9)}  ${m.overview.toFixed(0).padStart(11)}  ${m.process.toFixed(0).padStart(10)}  ${m.overdue.toFixed(0).padStart(10)}  ${m.baseline.toFixed(1).padStart(11)}  ${(m.overview / m.baseline).toFixed(1).padStart(17)}×`,
    );
  }
} finally {
  await raw.end();
  await handle.close();
}
