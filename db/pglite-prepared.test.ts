/**
 * The prepared path against PGlite's own `query`: two in-memory databases with the same schema,
 * one patched, one plain, must return the same rows, fields and counts and throw the same errors.
 * Each statement runs at least twice on the patched one, so the second run is a cache hit.
 */
import { PGlite, messages, types, type QueryOptions, type Results } from '@electric-sql/pglite';
import { eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { integer, jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { MIGRATIONS_FOLDER, rawQuery, type Executor } from './client';
import { preparedPGlite, preparedStats, type PreparedStats } from './pglite-prepared';

const SCHEMA = `
  create table kinds (
    id int primary key,
    big bigint,
    amount numeric(12, 2),
    name text,
    doc jsonb,
    at timestamptz,
    flag boolean,
    ref uuid,
    bytes bytea,
    tags text[],
    scores int[]
  );
  create table people (id int primary key, email text not null unique, name text not null, visits int not null default 0);
  create index people_name on people (name);
  create table log (n int not null);
`;

const INSERT_KIND = `insert into kinds (id, big, amount, name, doc, at, flag, ref, bytes, tags, scores)
  values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning *`;

const KIND_ROWS: unknown[][] = [
  [
    1,
    9007199254740993n,
    '1234.50',
    'Nguyễn Văn Đức',
    { name: 'Đức', tags: ['a', 'b'], nested: { n: 1 } },
    new Date('2024-03-01T08:30:00.123Z'),
    true,
    '0b6c4a5e-8f0e-4c1a-9d7e-3f2b1a0c9d8e',
    new Uint8Array([0, 1, 254, 255]),
    ['Hà Nội', 'a "quoted", comma', null],
    [1, 2, 3],
  ],
  [2, 42, 0, 'plain', [1, 'two', { three: 3 }], '2024-03-01 10:00:00+07', false, null, null, [], null],
  [3, null, null, null, JSON.stringify('Nguyễn Văn Đức'), null, null, null, null, null, null],
];

/** drizzle's parsers: dates stay strings. */
const DRIZZLE_PARSERS: QueryOptions['parsers'] = {
  [types.TIMESTAMP]: (value) => value,
  [types.TIMESTAMPTZ]: (value) => value,
  [types.DATE]: (value) => value,
  [1185]: (value) => value,
};

let plain: PGlite;
let db: PGlite;

beforeAll(async () => {
  [plain, db] = await Promise.all([PGlite.create('memory://'), PGlite.create('memory://')]);
  preparedPGlite(db);
  await Promise.all([plain.exec(SCHEMA), db.exec(SCHEMA)]);
  for (const row of KIND_ROWS) await same(INSERT_KIND, row);
});

afterAll(async () => {
  await Promise.all([plain.close(), db.close()]);
});

/** Runs the statement on both databases; they must agree. */
async function same(text: string, params: unknown[], options?: QueryOptions): Promise<Results> {
  const expected = await plain.query<Record<string, unknown>>(text, params, options);
  const actual = await db.query<Record<string, unknown>>(text, params, options);
  expect(actual).toEqual(expected);
  return actual;
}

/** Reads twice on the patched database (prepare, then hit), both equal to the plain read. */
async function sameRead(text: string, params: unknown[], options?: QueryOptions): Promise<Results> {
  const expected = await plain.query<Record<string, unknown>>(text, params, options);
  expect(await db.query(text, params, options)).toEqual(expected);
  expect(await db.query(text, params, options)).toEqual(expected);
  return expected;
}

async function failure(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  const error = await promise.then(
    () => expect.unreachable('the statement should have failed'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(messages.DatabaseError);
  const e = error as messages.DatabaseError & { query?: string; params?: unknown[]; queryOptions?: unknown };
  return {
    code: e.code,
    message: e.message,
    detail: e.detail,
    constraint: e.constraint,
    severity: e.severity,
    query: e.query,
    params: e.params,
    queryOptions: e.queryOptions,
  };
}

const stats = (): PreparedStats => preparedStats(db)!;

describe('preparedPGlite', () => {
  it('returns the same rows as PGlite in object and array row modes, with and without drizzle parsers', async () => {
    const text = 'select * from kinds where id = any($1::int[]) order by id';
    const all = await sameRead(text, [[1, 2, 3]]);
    expect(all.rows).toHaveLength(3);
    expect(all.rows[0]).toMatchObject({ name: 'Nguyễn Văn Đức', big: 9007199254740993n, flag: true });
    expect(all.rows[2]).toMatchObject({ doc: 'Nguyễn Văn Đức' });
    await sameRead(text, [[1, 2, 3]], { rowMode: 'array' });
    await sameRead(text, [[1, 2, 3]], { rowMode: 'array', parsers: DRIZZLE_PARSERS });
    await sameRead(text, [[1, 2, 3]], { rowMode: 'object', parsers: DRIZZLE_PARSERS });
  });

  it('serialises parameters of every common type as PGlite does', async () => {
    const text = `select $1::int as i, $2::bigint as b, $3::numeric as n, $4::text as t, $5::jsonb as j,
      $6::timestamptz as at, $7::boolean as f, $8::uuid as u, $9::bytea as bytes, $10::text[] as tags,
      $11::int[] as ints, $12::jsonb as j2`;
    for (const row of KIND_ROWS) await sameRead(text, [...row, { arr: [1, { x: 'Đ' }] }]);
    await sameRead(text, [null, null, null, null, null, null, null, null, null, null, null, null]);
    await sameRead(text, [7, '12', 3.25, 'x', '"already json"', 0, 'yes', null, null, [['a'], ['b']], [], []]);
    // Per-call serializers take precedence, as in PGlite.
    await sameRead('select $1::int + 1 as n', [41], { serializers: { [types.INT4]: (v: number) => String(v * 2) } });
  });

  it('returns rows and affectedRows of INSERT, UPDATE and DELETE', async () => {
    const insert = 'insert into people (id, email, name) values ($1, $2, $3) returning id, email, visits';
    await same(insert, [1, 'duc@example.vn', 'Nguyễn Văn Đức']);
    await same(insert, [2, 'lan@example.vn', 'Trần Thị Lan']);
    await same(insert, [3, 'an@example.vn', 'Lê An']);
    const bump = 'update people set visits = visits + $1 where id <= $2';
    expect((await same(bump, [1, 2])).affectedRows).toBe(2);
    expect((await same(bump, [5, 3])).affectedRows).toBe(3);
    await same('update people set visits = visits + $1 where id = $2 returning *', [1, 1]);
    await same('update people set visits = visits + $1 where id = $2 returning *', [1, 99]);
    await same('delete from people where id = $1', [3]);
    await same('delete from people where id = $1', [3]);
    await sameRead('select * from people order by id limit $1', [10]);
  });

  it('prepares a statement once and reuses it', async () => {
    const before = stats();
    const text = 'select name from people where id = $1';
    for (let i = 0; i < 10; i++) expect((await db.query(text, [1])).rows).toEqual([{ name: 'Nguyễn Văn Đức' }]);
    const after = stats();
    expect(after.prepared - before.prepared).toBe(1);
    expect(after.hits - before.hits).toBe(9);
    expect(after.fallbacks - before.fallbacks).toBe(0);
  });

  it('throws what PGlite throws, attaches the query, and leaves the connection usable', async () => {
    const insert = 'insert into people (id, email, name) values ($1, $2, $3)';
    await same(insert, [10, 'x@example.vn', 'X']);
    const params = [11, 'x@example.vn', 'X'];
    const expected = await failure(plain.query(insert, params));
    const actual = await failure(db.query(insert, params));
    expect(actual).toEqual(expected);
    expect(actual).toMatchObject({ code: '23505', query: insert, params });
    await sameRead('select count(*)::int as n from people where email = $1', ['x@example.vn']);

    // A statement that does not parse is not kept: the next call parses it again, and fails again.
    const broken = 'select * form people where id = $1';
    const cached = stats().cached;
    expect(await failure(db.query(broken, [1]))).toEqual(await failure(plain.query(broken, [1])));
    expect(await failure(db.query(broken, [1]))).toMatchObject({ code: '42601' });
    expect(stats().cached).toBe(cached);

    // A failure at Bind (a value the type refuses) and a serializer that throws.
    expect(await failure(db.query('select $1::int as n', ['x']))).toEqual(
      await failure(plain.query('select $1::int as n', ['x'])),
    );
    await expect(db.query('select $1::boolean as b', ['maybe'])).rejects.toThrow('Invalid input for boolean type');
    expect((await db.query('select $1::int as n', [5])).rows).toEqual([{ n: 5 }]);

    // More parameters than the statement takes.
    const one = 'select $1::int as n';
    expect(await failure(db.query(one, [1, 2]))).toEqual(await failure(plain.query(one, [1, 2])));

    // Several statements in one text cannot be prepared; PGlite refuses them too.
    const two = 'select $1::int; select 2';
    expect(await failure(db.query(two, [1]))).toEqual(await failure(plain.query(two, [1])));
  });

  it('runs transaction statements prepared, and rolls back when the callback throws', async () => {
    const insert = 'insert into log (n) values ($1) returning n';
    const count = 'select count(*)::int as n from log where n >= $1';
    await db.query(insert, [0]); // prepared outside, used inside
    const before = stats();
    await expect(
      db.transaction(async (tx) => {
        await tx.query(insert, [1000]);
        await tx.query(insert, [1001]);
        expect((await tx.query(count, [1000])).rows).toEqual([{ n: 2 }]);
        throw new Error('undo');
      }),
    ).rejects.toThrow('undo');
    expect((await db.query(count, [1000])).rows).toEqual([{ n: 0 }]);
    expect(stats().hits - before.hits).toBeGreaterThanOrEqual(3);

    let leaked: { query: (text: string, params: unknown[]) => Promise<unknown> } | undefined;
    const committed = await db.transaction(async (tx) => {
      leaked = tx;
      return (await tx.query<{ n: number }>(insert, [1002])).rows[0];
    });
    expect(committed).toEqual({ n: 1002 });
    expect((await db.query(count, [1000])).rows).toEqual([{ n: 1 }]);
    await expect(leaked!.query(insert, [1003])).rejects.toThrow('Transaction is closed');

    // A failing statement inside a transaction fails it, as in PGlite.
    const duplicate = 'insert into people (id, email, name) values ($1, $2, $3)';
    const error = await failure(db.transaction((tx) => tx.query(duplicate, [20, 'duc@example.vn', 'D'])));
    expect(error).toMatchObject({ code: '23505' });
    expect((await db.query('select count(*)::int as n from people where id = $1', [20])).rows).toEqual([{ n: 0 }]);
  });

  it('syncs the file system after a statement outside a transaction only, as PGlite does', async () => {
    const syncs = async (client: PGlite) => {
      const spy = vi.spyOn(client, 'syncToFs');
      try {
        await client.query('select $1::int as n', [1]);
        const outside = spy.mock.calls.length;
        await client.transaction(async (tx) => {
          await tx.query('select $1::int as n', [2]);
          await tx.query('select $1::int as n', [3]);
        });
        return { outside, total: spy.mock.calls.length };
      } finally {
        spy.mockRestore();
      }
    };
    const expected = await syncs(plain);
    expect(expected.outside).toBe(1);
    expect(await syncs(db)).toEqual(expected);
  });

  it('queues concurrent queries and a transaction exactly as PGlite does', async () => {
    const calls = (client: PGlite): (() => Promise<unknown>)[] => {
      const list: (() => Promise<unknown>)[] = [];
      const total = 'select count(*)::int as c, coalesce(sum(n), 0)::int as s from log where n >= $1';
      for (let i = 0; i < 50; i++) {
        // Its statements must see none of the calls made after it, and those must see all of its rows.
        if (i === 25)
          list.push(() =>
            client.transaction(async (tx) => {
              const seen = [];
              for (const n of [500, 501, 502]) {
                await tx.query('insert into log (n) values ($1)', [n]);
                seen.push((await tx.query(total, [0])).rows[0]);
              }
              return seen;
            }),
          );
        if (i % 3 === 0) list.push(() => client.query('insert into log (n) values ($1) returning n', [100 + i]));
        else if (i % 3 === 1) list.push(() => client.query(total, [0]));
        else list.push(() => client.query('select n from log where n = $1', [100 + i - 2]));
      }
      return list;
    };
    await Promise.all([plain.exec('delete from log'), db.exec('delete from log')]);
    const serial: unknown[] = [];
    for (const call of calls(plain)) serial.push(await call());
    const concurrent = await Promise.all(calls(db).map((call) => call()));
    expect(concurrent).toEqual(serial);
  });

  it('prepares at most maxStatements texts; the rest run through PGlite', async () => {
    const small = preparedPGlite(await PGlite.create('memory://'), { maxStatements: 3 });
    try {
      const texts = [1, 2, 3, 4].map((k) => `select $1::int + ${k} as n`);
      for (const text of texts) await small.query(text, [1]);
      expect(preparedStats(small)).toMatchObject({ cached: 3, prepared: 3, fallbacks: 1 });
      for (const text of texts) await small.query(text, [1]);
      expect(preparedStats(small)).toMatchObject({ cached: 3, prepared: 3, hits: 3, fallbacks: 2 });
      expect((await small.query(texts[3]!, [1])).rows).toEqual([{ n: 5 }]);
    } finally {
      await small.close();
    }
    await expect(small.query('select $1::int + 1 as n', [1])).rejects.toThrow('PGlite is closed');
  });

  it('leaves to PGlite the calls it does not handle', async () => {
    const before = stats();
    await same('select count(*)::int as n from people', []);
    await same('select $1::int as n', [1], { paramTypes: [types.INT4] });
    await expect(db.query('select $1::int as n', [1], { blob: new Blob([]) })).resolves.toMatchObject({
      rows: [{ n: 1 }],
    });
    expect(stats().fallbacks - before.fallbacks).toBe(3);
    expect(stats().prepared).toBe(before.prepared);
  });

  it('keeps working when a table a prepared statement reads is altered', async () => {
    await Promise.all([
      plain.exec('create table shapes (id int primary key, label text)'),
      db.exec('create table shapes (id int primary key, label text)'),
    ]);
    await same('insert into shapes values ($1, $2)', [1, 'one']);
    const text = 'select * from shapes where id = $1';
    await sameRead(text, [1]);

    // Through exec: seen as a schema change, every statement is forgotten.
    await Promise.all([
      plain.exec('alter table shapes add column size int'),
      db.exec('alter table shapes add column size int'),
    ]);
    expect(stats().cached).toBe(0);
    await sameRead(text, [1]);

    // Not seen (as if another path changed the schema): PostgreSQL refuses the stale plan, the
    // statement is prepared again and the call succeeds.
    const before = stats();
    const unseen = (sqlText: string) =>
      Promise.all([plain.exec(sqlText), PGlite.prototype.exec.call(db, sqlText) as Promise<unknown>]);
    await unseen('alter table shapes alter column size type bigint');
    await sameRead(text, [1]);
    await unseen('alter table shapes rename column label to title');
    await sameRead(text, [1]);
    expect(stats().invalidated - before.invalidated).toBe(2);
    expect(stats().prepared - before.prepared).toBe(2);

    // Inside a transaction, a change made there is seen and later statements are prepared anew.
    const inTransaction = (client: PGlite) =>
      client.transaction(async (tx) => {
        await tx.exec('alter table shapes add column colour text');
        await tx.query('update shapes set colour = $1 where id = $2', ['red', 1]);
        return (await tx.query(text, [1])).rows;
      });
    expect(await inTransaction(db)).toEqual(await inTransaction(plain));
    await sameRead(text, [1]);
  });

  it('rolls back to a savepoint after DDL and reads the old shape again, as PGlite does', async () => {
    const scenario = (client: PGlite) =>
      client.transaction(async (tx) => {
        await tx.exec('create table savepoint_shapes (id int primary key)');
        await tx.query('insert into savepoint_shapes values ($1)', [1]);
        await tx.exec('savepoint s1');
        await tx.exec('alter table savepoint_shapes add column b int');
        const text = 'select * from savepoint_shapes where id = $1';
        const wide = (await tx.query(text, [1])).rows;
        await tx.query(text, [1]);
        await tx.exec('rollback to savepoint s1');
        const narrow = (await tx.query(text, [1])).rows;
        await tx.exec('drop table savepoint_shapes');
        return { wide, narrow };
      });
    const expected = await scenario(plain);
    expect(expected).toEqual({ wide: [{ id: 1, b: null }], narrow: [{ id: 1 }] });
    expect(await scenario(db)).toEqual(expected);
    // Statements before the DDL in a transaction still take the prepared path.
    const before = stats().hits;
    await db.transaction(async (tx) => {
      for (let i = 0; i < 3; i++) await tx.query('select * from shapes where id = $1', [1]);
    });
    expect(stats().hits - before).toBeGreaterThanOrEqual(2);
  });

  it('fails a transaction whose statement went stale unseen; the next attempt succeeds', async () => {
    // The error aborts the transaction, so it cannot be retried inside it (see the module header).
    const text = 'select * from shapes where id = $1';
    await db.query(text, [1]);
    await PGlite.prototype.exec.call(db, 'alter table shapes drop column colour');
    const attempt = () => db.transaction(async (tx) => (await tx.query(text, [1])).rows);
    expect(await failure(attempt())).toMatchObject({ code: '0A000' });
    expect(await attempt()).toEqual([{ id: 1, title: 'one', size: null }]);
  });

  it('works under drizzle, and keeps db/client.ts duck typing', async () => {
    const items = pgTable('items', {
      id: integer('id').primaryKey(),
      title: text('title').notNull(),
      meta: jsonb('meta').$type<{ owner: string }>(),
      at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull(),
    });
    const ddl = 'create table items (id int primary key, title text not null, meta jsonb, at timestamptz not null)';
    await Promise.all([plain.exec(ddl), db.exec(ddl)]);
    const run = async (client: PGlite) => {
      const orm = drizzle(client, { schema: { items } });
      const at = new Date('2024-05-01T00:00:00Z');
      const inserted = await orm
        .insert(items)
        .values({ id: 1, title: 'Đơn', meta: { owner: 'Đức' }, at })
        .returning();
      await orm.insert(items).values({ id: 2, title: 'Hai', meta: null, at }).returning();
      const one = await orm.select().from(items).where(eq(items.id, 1));
      const again = await orm.select().from(items).where(eq(items.id, 2));
      const rolledBack = await orm
        .transaction(async (tx) => {
          await tx.insert(items).values({ id: 3, title: 'Ba', at });
          await tx.update(items).set({ title: 'Một' }).where(eq(items.id, 1));
          tx.rollback();
        })
        .catch((e: Error) => e.message);
      await orm.transaction(async (tx) => {
        await tx.update(items).set({ title: 'Đơn hàng' }).where(eq(items.id, 1));
      });
      const all = await orm.query.items.findMany({ orderBy: items.id });
      const count = await orm.execute(sql`select count(*)::int as n from items where id > ${0}`);
      return { inserted, one, again, rolledBack, all, count: count.rows };
    };
    const before = stats();
    expect(await run(db)).toEqual(await run(plain));
    expect(stats().hits).toBeGreaterThan(before.hits);

    const raw = rawQuery(drizzle(db) as unknown as Executor);
    expect(raw).not.toBeNull();
    expect(await raw!<{ title: string }>('select title from items where id = $1', [1])).toEqual([
      { title: 'Đơn hàng' },
    ]);
  });

  it("applies the repository's migrations", async () => {
    const client = preparedPGlite(await PGlite.create('memory://'));
    try {
      const orm = drizzle(client, { schema: {} });
      await migrate(orm, { migrationsFolder: MIGRATIONS_FOLDER });
      await migrate(orm, { migrationsFolder: MIGRATIONS_FOLDER });
      const tables = await client.query<{ n: number }>(
        'select count(*)::int as n from information_schema.tables where table_schema = $1',
        ['public'],
      );
      expect(tables.rows[0]!.n).toBeGreaterThan(10);
    } finally {
      await client.close();
    }
  });

  it('is a no-op when applied twice and reports null for an instance it did not patch', () => {
    expect(preparedPGlite(db)).toBe(db);
    expect(preparedStats(plain)).toBeNull();
    expect(() => preparedPGlite(plain, { maxStatements: -1 })).toThrow('maxStatements is -1');
  });
});
