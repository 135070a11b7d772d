/**
 * Upgrading a database that already has migrations: drizzle's migrator applies a migration only
 * when its journal time (`when`) is later than the newest one the database has, so a migration
 * dated earlier than its predecessor would be skipped on every existing database, silently.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { rowsOf } from '@/test/support/database';
import { MIGRATIONS_FOLDER, migrateDatabase, openDatabase } from './client';

interface Journal {
  entries: { idx: number; when: number; tag: string }[];
}

const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_FOLDER, 'meta', '_journal.json'), 'utf8')) as Journal;
const folders: string[] = [];
afterAll(() => folders.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

describe('migrations', () => {
  it('are dated in the order they are applied', () => {
    const late = journal.entries.filter((entry, i) => i > 0 && entry.when <= journal.entries[i - 1]!.when);
    expect(late.map((entry) => `${entry.tag} is dated before the migration ahead of it`)).toEqual([]);
  });

  it('bring a database migrated up to the one before the newest up to date', async () => {
    // A copy of the migrations folder whose journal ends one migration early.
    const older = mkdtempSync(path.join(tmpdir(), 'trellis-migrations-'));
    folders.push(older);
    cpSync(MIGRATIONS_FOLDER, older, { recursive: true });
    writeFileSync(
      path.join(older, 'meta', '_journal.json'),
      JSON.stringify({ ...journal, entries: journal.entries.slice(0, -1) }),
    );

    const handle = await openDatabase({ dataDir: 'memory://' });
    try {
      await migrateDatabase(handle, older);
      const applied = async () =>
        rowsOf<{ n: number }>(
          await handle.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
        )[0]!.n;
      expect(await applied()).toBe(journal.entries.length - 1);
      await migrateDatabase(handle);
      expect(await applied()).toBe(journal.entries.length);
    } finally {
      await handle.close();
    }
  });

  it('leave the audit trail without foreign keys (history outlives what it names)', async () => {
    const handle = await openDatabase({ dataDir: 'memory://' });
    try {
      await migrateDatabase(handle);
      const keys = rowsOf<{ name: string }>(
        await handle.db.execute(
          sql`select conname as name from pg_constraint where conrelid = 'audit_events'::regclass and contype = 'f'`,
        ),
      );
      expect(keys).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});
