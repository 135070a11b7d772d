/**
 * On PostgreSQL, drizzle's statements run as named prepared statements (db/postgres-prepared.ts):
 * one round trip and no parse after the first time, in and out of transactions, for a bounded
 * number of texts. pg_prepared_statements shows what the connection holds .
 */
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/postgres-js';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Database } from '@/db/client';
import { preparedByDefault, preparedTexts } from '@/db/postgres-prepared';
import * as schema from '@/db/schema';
import { createTestDatabase, rowsOf } from '../support/database';

describe.skipIf(!process.env.DATABASE_URL)('prepared statements on PostgreSQL', () => {
  let handle: Awaited<ReturnType<typeof createTestDatabase>>;
  let client: ReturnType<typeof postgres>;
  let db: Database;
  beforeAll(async () => {
    handle = await createTestDatabase();
    // As openDatabase makes it, on one connection, so that every statement goes through the connection asked.
    client = preparedByDefault(postgres(handle.url!, { max: 1, onnotice: () => {} }), { maxTexts: 4 });
    db = drizzle(client, { schema }) as unknown as Database;
  });
  afterAll(async () => {
    await client?.end({ timeout: 5 });
    await handle?.close();
  });

  const held = async () =>
    rowsOf<{ statement: string }>(await db.execute(sql`SELECT statement FROM pg_prepared_statements`)).map(
      (row) => row.statement,
    );

  test('a statement with parameters is prepared once and reused, in and out of a transaction', async () => {
    const byEmail = (email: string) =>
      db.select({ id: schema.users.id }).from(schema.users).where(eq(schema.users.email, email));
    expect(await byEmail('nobody@example.com')).toEqual([]);
    expect(await byEmail('hung.tran@senvang.example')).toHaveLength(await countUsers('hung.tran@senvang.example'));
    await db.transaction(async (tx) => {
      await tx.select({ id: schema.users.id }).from(schema.users).where(eq(schema.users.email, 'x@example.com'));
    });
    const statements = (await held()).filter((text) => text.includes('"email" = $1'));
    // The same text, prepared once on the one connection, though run three times (once in a transaction).
    expect(statements).toHaveLength(1);
    expect(preparedTexts(client)).toBeGreaterThanOrEqual(1);
  });

  test('statements without parameters go as simple queries, not prepared', async () => {
    await db.execute(sql`SELECT 1 AS one`);
    expect((await held()).some((text) => text.includes('SELECT 1 AS one'))).toBe(false);
  });

  test('a prepared statement whose table changed shape is prepared again', async () => {
    await db.execute(sql`CREATE TABLE shape_test (id int primary key, name text)`);
    await db.execute(sql`INSERT INTO shape_test VALUES (1, 'Nguyễn Văn Đức')`);
    const read = () => db.execute(sql`SELECT * FROM shape_test WHERE id = ${1}`);
    expect(rowsOf(await read())).toEqual([{ id: 1, name: 'Nguyễn Văn Đức' }]);
    await db.execute(sql`ALTER TABLE shape_test ADD COLUMN note text DEFAULT 'ghi chú'`);
    expect(rowsOf(await read())).toEqual([{ id: 1, name: 'Nguyễn Văn Đức', note: 'ghi chú' }]);
  });

  test('past the bound, new texts run unprepared and still answer', async () => {
    for (let n = 1; n <= 8; n++) {
      const values = Array.from({ length: n }, (_, i) => `${i}@example.com`);
      expect(
        await db
          .select()
          .from(schema.users)
          .where(sql`${schema.users.email} IN ${values}`),
      ).toEqual([]);
    }
    expect(preparedTexts(client)).toBe(4);
    // Four texts in all: the lookup by email, the read of the reshaped table, then two of the IN lists.
    expect((await held()).filter((text) => text.includes('IN ('))).toHaveLength(2);
  });

  async function countUsers(email: string) {
    return rowsOf(await handle.db.execute(sql`SELECT 1 FROM users WHERE email = ${email}`)).length;
  }
});
