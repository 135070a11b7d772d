/**
 * Opens the database: embedded PGlite in a data folder when DATABASE_URL is unset, PostgreSQL
 * through the `postgres` driver when it is set. Same schema, same migrations on both.
 * Knows nothing of the app; callers decide when to open, migrate and close.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import * as schema from './schema';

export type Database = PgDatabase<PgQueryResultHKT, typeof schema>;
/** A database or an open transaction: repositories take either. */
export type Executor = Database;

export interface DatabaseHandle {
  db: Database;
  kind: 'pglite' | 'postgres';
  close(): Promise<void>;
}

export interface OpenOptions {
  /** postgres:// URL; when absent, PGlite is used. */
  url?: string;
  /** PGlite data folder; "memory://" for a throwaway in-memory database. */
  dataDir?: string;
  /** postgres.js pool size. */
  maxConnections?: number;
}

export const MIGRATIONS_FOLDER = path.join(process.cwd(), 'db', 'migrations');

export async function openDatabase(options: OpenOptions = {}): Promise<DatabaseHandle> {
  if (options.url) {
    const { default: postgres } = await import('postgres');
    const { drizzle } = await import('drizzle-orm/postgres-js');
    const { DEFAULT_MAX_PREPARED_TEXTS, preparedByDefault } = await import('./postgres-prepared');
    // TRELLIS_PREPARED_STATEMENTS: distinct statements prepared per pool (0: none, as behind a
    // pooler that cannot keep them). Named prepared statements (db/postgres-prepared.ts).
    const maxTexts = preparedLimit(DEFAULT_MAX_PREPARED_TEXTS);
    // With 0, postgres.js's own statements (its type lookup, LISTEN) go unprepared too.
    const client = preparedByDefault(
      postgres(options.url, { max: options.maxConnections ?? 10, onnotice: () => {}, prepare: maxTexts > 0 }),
      { maxTexts },
    );
    return {
      db: drizzle(client, { schema }) as unknown as Database,
      kind: 'postgres',
      close: () => client.end({ timeout: 5 }),
    };
  }
  const dataDir = options.dataDir ?? defaultDataDir();
  // PGlite does not create missing parent folders.
  if (!dataDir.startsWith('memory://')) mkdirSync(path.dirname(dataDir), { recursive: true });
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  // Hot statements parsed and planned once, as named prepared statements (db/pglite-prepared.ts).
  const { preparedPGlite } = await import('./pglite-prepared');
  const client = preparedPGlite(new PGlite(dataDir), { maxStatements: preparedLimit(500) });
  await client.waitReady;
  return { db: drizzle(client, { schema }) as unknown as Database, kind: 'pglite', close: () => client.close() };
}

/** TRELLIS_PREPARED_STATEMENTS, when it is a count (0 or more), else `fallback`. */
function preparedLimit(fallback: number): number {
  const setting = process.env.TRELLIS_PREPARED_STATEMENTS?.trim();
  if (!setting) return fallback;
  const limit = Number(setting);
  return Number.isInteger(limit) && limit >= 0 ? limit : fallback;
}

export function defaultDataDir(): string {
  return process.env.PGLITE_DATA_DIR ?? path.join(process.cwd(), '.data', 'pglite');
}

/** Applies the committed migrations (the same files drizzle-kit writes and reads). */
export async function migrateDatabase(handle: DatabaseHandle, migrationsFolder = MIGRATIONS_FOLDER): Promise<void> {
  if (handle.kind === 'postgres') {
    const { migrate } = await import('drizzle-orm/postgres-js/migrator');
    await migrate(handle.db as never, { migrationsFolder });
  } else {
    const { migrate } = await import('drizzle-orm/pglite/migrator');
    await migrate(handle.db as never, { migrationsFolder });
  }
}

/** Runs one SQL statement with positional parameters; rows come back with the column names given. */
export type RawQuery = <Row>(text: string, params: unknown[]) => Promise<Row[]>;

/**
 * The driver under a database opened here, for the few hot statements written by hand: on
 * PostgreSQL they are sent as named prepared statements (postgres.js keeps one per statement text
 * and connection), which drizzle does not do. Null for a transaction (its statements must go
 * through the transaction's own connection: use drizzle there).
 */
export function rawQuery(db: Executor): RawQuery | null {
  const sql = postgresOf(db);
  if (sql)
    return async <Row>(text: string, params: unknown[]) => (await sql.unsafe(text, params, { prepare: true })) as Row[];
  const pglite = pgliteOf(db);
  if (pglite) return async <Row>(text: string, params: unknown[]) => (await pglite.query(text, params)).rows as Row[];
  return null;
}

/** What a database opened here on PostgreSQL has under it: postgres.js's `Sql`, in part. */
export interface PostgresClient {
  unsafe(text: string, params: unknown[], options?: { prepare: boolean }): Promise<unknown[]>;
  listen(channel: string, onNotify: (payload: string) => void): Promise<{ unlisten(): Promise<void> }>;
}

/** The postgres.js client under a database opened here (not a transaction of it); null on PGlite. */
export function postgresOf(db: Executor): PostgresClient | null {
  const client = (db as { $client?: unknown }).$client;
  return typeof client === 'function' && 'unsafe' in client && 'listen' in client
    ? (client as unknown as PostgresClient)
    : null;
}

/** The PGlite under a database opened here (not a transaction of it); null on PostgreSQL. */
function pgliteOf(db: Executor): {
  query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>;
  exec(text: string): Promise<unknown>;
} | null {
  const client = (db as { $client?: unknown }).$client;
  return client && typeof client === 'object' && 'query' in client && 'exec' in client && 'transaction' in client
    ? (client as ReturnType<typeof pgliteOf>)
    : null;
}

/**
 * PGlite runs PostgreSQL as a single standalone backend, without the autovacuum workers a server
 * has: dead row versions (every step rewrites its instance, tasks and jobs change state) would
 * pile up, and the planner would never get statistics. The in-process worker loop calls this now
 * and then (startWorkerLoop); it runs VACUUM (ANALYZE) on the busy tables. False, doing nothing,
 * on PostgreSQL, where autovacuum does it.
 */
export async function vacuumEmbedded(db: Executor): Promise<boolean> {
  const pglite = pgliteOf(db);
  if (!pglite) return false;
  // Table by table, with a turn of the event loop between them: PGlite runs in this thread, and a
  // pass over the whole database at once would hold up every request until it ends.
  for (const table of BUSY_TABLES) {
    await pglite.exec(`VACUUM (ANALYZE) ${table}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
  return true;
}

/** The tables whose rows change or come and go as processes run (and the append-only trail, for its statistics). */
const BUSY_TABLES = [
  'process_instances',
  'tasks',
  'jobs',
  'subscriptions',
  'messages',
  'command_results',
  'email_outbox',
  'sessions',
  'rate_limits',
  'audit_events',
];
