/**
 * `trellis audit verify [--json]`: checks the audit hash chains of the database the app uses —
 * DATABASE_URL, else the PGlite data folder (PGLITE_DATA_DIR, default .data/pglite). Only reads:
 * it never creates, migrates or seeds a database. PGlite allows one process per data folder, so
 * stop the app before verifying a PGlite database.
 * Exit codes: 0 chain intact, 1 problems found, 2 could not verify.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { defaultDataDir, openDatabase, type DatabaseHandle } from '../../db/client';
import { readEnv } from '../server/env';
import { verifyAudit, type AuditVerification } from '../server/services/audit';

type Out = { log: (text: string) => void; error: (text: string) => void };

export async function auditCommand(args: string[], out: Out): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'verify')
    throw new Error(
      sub
        ? `audit ${sub}: unknown subcommand; use "trellis audit verify [--json]"`
        : 'audit needs a subcommand: "trellis audit verify [--json]"',
    );
  const { handle, where } = await openExisting();
  try {
    await requireSchema(handle, where);
    const result = await verifyAudit(handle.db);
    if (rest.includes('--json')) out.log(JSON.stringify({ database: where, ...result }, null, 2));
    else for (const line of summary(result)) out.log(line);
    return result.problems.length === 0 ? 0 : 1;
  } finally {
    await handle.close();
  }
}

/** Opens the app's database if it exists; never creates one. */
export async function openExisting(): Promise<{ handle: DatabaseHandle; where: string }> {
  const env = readEnv();
  if (env.DATABASE_URL) {
    const url = new URL(env.DATABASE_URL);
    const where = `PostgreSQL ${url.hostname}:${url.port || 5432}${url.pathname}`;
    const handle = await openDatabase({ url: env.DATABASE_URL, maxConnections: 1 });
    try {
      await handle.db.execute(sql`select 1`);
    } catch (error) {
      await handle.close().catch(() => {});
      const { code, message } = driverError(error);
      if (code === '3D000')
        throw new Error(
          `${where}: the database does not exist. Check DATABASE_URL; the app creates its tables on first start.`,
        );
      throw new Error(`${where}: cannot connect: ${message}`);
    }
    return { handle, where };
  }
  const dataDir = env.PGLITE_DATA_DIR ?? defaultDataDir();
  const relative = path.relative(process.cwd(), dataDir);
  const where = `PGlite ${relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : dataDir}`;
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    throw new Error(
      `${where}: no database there. Start the app once (npm run dev) or run npm run db:migrate to create it, or set DATABASE_URL / PGLITE_DATA_DIR to the database to verify.`,
    );
  }
  return { handle: await openDatabase({ dataDir }), where };
}

/** The database must have the hash-chain columns (migration 0003); say so rather than fail on a query. */
export async function requireSchema(handle: DatabaseHandle, where: string): Promise<void> {
  const result = (await handle.db.execute(
    sql`select 1 from information_schema.columns where table_schema = current_schema() and table_name = 'process_instances' and column_name = 'audit_head'`,
  )) as unknown;
  // postgres.js returns the rows, PGlite { rows }.
  const rows = Array.isArray(result) ? result : (result as { rows: unknown[] }).rows;
  if (rows.length === 0)
    throw new Error(
      `${where}: not a Trellis database of the current schema (no process_instances.audit_head); run npm run db:migrate with the app stopped.`,
    );
}

function driverError(error: unknown): { code?: string; message: string } {
  const e = error as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return { code: e.cause?.code ?? e.code, message: e.cause?.message ?? e.message ?? String(error) };
}

function summary(result: AuditVerification): string[] {
  const counts = `${plural(result.instances, 'instance')}, ${plural(result.events, 'event')}`;
  const legacy =
    result.legacy.instances === 0
      ? ''
      : ` (${plural(result.legacy.instances, 'legacy instance')} with ${plural(result.legacy.events, 'event')} written before hash chaining: not checkable)`;
  if (result.problems.length === 0) return [`${counts}: chain intact${legacy}`];
  const affected = new Set(result.problems.map((p) => p.instanceId)).size;
  return [
    ...result.problems.map(
      (p) => `${p.kind}: instance ${p.instanceId}${p.eventId === undefined ? '' : ` event ${p.eventId}`}: ${p.message}`,
    ),
    `${counts}: ${plural(result.problems.length, 'problem')} in ${plural(affected, 'instance')}${legacy}`,
  ];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
