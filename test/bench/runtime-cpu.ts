/**
 * Where the CPU went during a measured window, from /proc (Linux; elsewhere the figures are NaN):
 * the PostgreSQL backends serving the bench database (found by their process title, which names
 * the database; the server's shared helpers such as the WAL writer are left out, as other
 * databases on the same server use them too), and the whole machine, whose other load —
 * anything else running on the same cores — is what makes a run noisy.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

export interface CpuSnapshot {
  at: number;
  /** CPU seconds used so far by the bench database's backends, by pid. */
  postgres: Map<number, number>;
  /** Whole machine: busy and total jiffies. */
  busy: number;
  total: number;
}

export interface CpuUse {
  /** PostgreSQL's CPU time ÷ wall time (1.0 = one core busy). */
  postgres: number;
  /** Share of all cores busy with anything. */
  machine: number;
}

let database: string | null = null;

/** Backends of this database are counted from now on. */
export function watchDatabase(name: string | null): void {
  database = name;
}

function postgresProcesses(): Map<number, number> {
  const used = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const close = stat.lastIndexOf(')');
      if (!database || stat.slice(stat.indexOf('(') + 1, close) !== 'postgres') continue;
      // A backend's title: "postgres: [<cluster>: ]<user> <database> <client> <state>".
      if (
        !readFileSync(`/proc/${entry}/cmdline`, 'utf8')
          .split(/[\s\0]+/)
          .includes(database)
      )
        continue;
      const fields = stat.slice(close + 2).split(' ');
      // utime and stime are fields 14 and 15 of the line, 12 and 13 after "pid (comm) ".
      used.set(Number(entry), (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND);
    } catch {
      // The process ended meanwhile.
    }
  }
  return used;
}

export function cpuSnapshot(): CpuSnapshot {
  try {
    const [cpu] = readFileSync('/proc/stat', 'utf8').split('\n');
    const jiffies = cpu!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (jiffies[3] ?? 0) + (jiffies[4] ?? 0);
    const total = jiffies.slice(0, 8).reduce((a, b) => a + b, 0);
    return { at: performance.now(), postgres: postgresProcesses(), busy: total - idle, total };
  } catch {
    return { at: performance.now(), postgres: new Map(), busy: NaN, total: NaN };
  }
}

export function cpuSince(before: CpuSnapshot): CpuUse {
  const after = cpuSnapshot();
  const seconds = (after.at - before.at) / 1000;
  let postgres = 0;
  // A backend that started in the window counts from zero; one that ended is lost (pools are
  // closed after the window, so none should).
  for (const [pid, used] of after.postgres) postgres += used - (before.postgres.get(pid) ?? 0);
  const machine = (after.busy - before.busy) / (after.total - before.total);
  return {
    postgres: after.postgres.size > 0 ? postgres / seconds : NaN,
    machine: Number.isFinite(machine) ? machine : NaN,
  };
}

export const CORES = availableParallelism();
