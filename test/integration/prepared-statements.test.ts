/**
 * On PostgreSQL, drizzle's statements run as named prepared statements (db/postgres-prepared.ts):
 * one round trip and no parse after the first time, in and out of transactions and savepoints,
 * for a bounded number of texts, each prepared the second time it is seen. Each test opens a
 * client of one connection of its own, so pg_prepared_statements (which lists the statements of
 * the connection asking) shows exactly what that client's statements left there.
 */
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { openDatabase, type Database } from '@/db/client';
import { preparedByDefault, preparedTexts } from '@/db/postgres-prepared';
import * as schema from '@/db/schema';
import { createTestDatabase, rowsOf } from '../support/database';

describe.skipIf(!process.env.DATABASE_URL)('prepared statements on PostgreSQL', () => {
  let handle: Awaited<ReturnType<typeof createTestDatabase>>;
  const opened: { end(): Promise<void> }[] = [];
  beforeAll(async () => {
    handle = await createTestDatabase();
  });
  afterAll(async () => {
    await Promise.all(opened.map((client) => client.end()));
    await handle?.close();
  });

  /** A client as openDatabase makes it, on one connection. */
  const oneConnection = (maxTexts = 100) => {
    const client = preparedByDefault(postgres(handle.url!, { max: 1, onnotice: () => {} }), { maxTexts });
    opened.push({ end: () => client.end({ timeout: 5 }) });
    const db = drizzle(client, { schema }) as unknown as Database;
    const held = async (containing: string) =>
      rowsOf<{ statement: string }>(await db.execute(sql`SELECT statement FROM pg_prepared_statements`))
        .map((row) => row.statement)
        .filter((text) => text.includes(containing));
    return { client, db, held };
  };
  const byEmail = (db: Database, email: string) =>
    db.select({ id: schema.users.id }).from(schema.users).where(eq(schema.users.email, email));

  test('a text is prepared the second time it is seen, once, and reused — outside, in a transaction, in a savepoint', async () => {
    const { client, db, held } = oneConnection();
    expect(await byEmail(db, 'nobody@example.com')).toEqual([]);
    // Seen once: not prepared (a one-off text does not use up the budget).
    expect(await held('"email" = $1')).toEqual([]);
    await byEmail(db, 'someone@example.com');
    await byEmail(db, 'else@example.com');
    expect(await held('"email" = $1')).toHaveLength(1);
    // Texts that only ever run inside a transaction, and inside a savepoint.
    await db.transaction(async (tx) => {
      for (const name of ['Kế toán', 'Nhân sự'])
        await tx.select({ id: schema.groups.id }).from(schema.groups).where(eq(schema.groups.key, name));
      await tx.transaction(async (savepoint) => {
        for (const locale of ['vi', 'en'])
          await savepoint.select({ id: schema.users.id }).from(schema.users).where(eq(schema.users.locale, locale));
      });
    });
    expect(await held('"groups"."key" = $1')).toHaveLength(1);
    expect(await held('"users"."locale" = $1')).toHaveLength(1);
    expect(preparedTexts(client)).toBe(3);
  });

  test('statements without parameters go as simple queries, not prepared', async () => {
    const { db, held } = oneConnection();
    for (let i = 0; i < 3; i++) await db.execute(sql`SELECT 1 AS one`);
    expect(await held('SELECT 1 AS one')).toEqual([]);
  });

  test('past the bound, new texts run unprepared and still answer', async () => {
    const { client, db, held } = oneConnection(2);
    for (let n = 1; n <= 5; n++) {
      const values = Array.from({ length: n }, (_, i) => `${i}@example.com`);
      for (let again = 0; again < 2; again++)
        expect(
          await db
            .select()
            .from(schema.users)
            .where(sql`${schema.users.email} IN ${values}`),
        ).toEqual([]);
    }
    expect(preparedTexts(client)).toBe(2);
    expect(await held('IN (')).toHaveLength(2);
  });

  test('a prepared statement whose table changed shape is prepared again', async () => {
    const { db, held } = oneConnection();
    await db.execute(sql`CREATE TABLE shape_test (id int primary key, name text)`);
    await db.execute(sql`INSERT INTO shape_test VALUES (1, 'Nguyễn Văn Đức')`);
    const read = () => db.execute(sql`SELECT * FROM shape_test WHERE id = ${1}`);
    for (let i = 0; i < 2; i++) expect(rowsOf(await read())).toEqual([{ id: 1, name: 'Nguyễn Văn Đức' }]);
    expect(await held('shape_test')).toHaveLength(1);
    await db.execute(sql`ALTER TABLE shape_test ADD COLUMN note text DEFAULT 'ghi chú'`);
    expect(rowsOf(await read())).toEqual([{ id: 1, name: 'Nguyễn Văn Đức', note: 'ghi chú' }]);
  });

  test('TRELLIS_PREPARED_STATEMENTS=0 prepares nothing, not even the driver’s own statements', async () => {
    const before = process.env.TRELLIS_PREPARED_STATEMENTS;
    process.env.TRELLIS_PREPARED_STATEMENTS = '0';
    try {
      const unprepared = await openDatabase({ url: handle.url!, maxConnections: 1 });
      opened.push({ end: () => unprepared.close() });
      for (let i = 0; i < 3; i++) await byEmail(unprepared.db, 'nobody@example.com');
      // postgres.js's two-argument form, unsafe(text, options), still works through the wrapper.
      const client = (unprepared.db as unknown as { $client: postgres.Sql }).$client;
      expect(await client.unsafe('SELECT 2 AS two', { prepare: true } as never)).toEqual([{ two: 2 }]);
      expect(
        rowsOf(await unprepared.db.execute(sql`SELECT count(*)::int AS n FROM pg_prepared_statements`))[0],
      ).toEqual({ n: 0 });
    } finally {
      if (before === undefined) delete process.env.TRELLIS_PREPARED_STATEMENTS;
      else process.env.TRELLIS_PREPARED_STATEMENTS = before;
    }
  });
});
