/**
 * No caller's mistake or race is a 500 with internals, through the app's router on a real database
 * (PGlite, and PostgreSQL when DATABASE_URL is set): real database errors (raised by a trigger
 * added to this test's database) become CONFLICT or a reference; two publishes of the same version
 * at once give one success and one CONFLICT naming the version; a field named `__proto__`, which
 * a schema would drop without a word, is refused naming where it was.
 */
import { TRPCError } from '@trpc/server';
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { processDefinitions, tasks, users } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase, rowsOf } from '../support/database';

const DESIGNER = 'trang.hoang@senvang.example';

let handle: DatabaseHandle;
let tenantId: string;
let quanId: string;

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  quanId = (await handle.db.select({ id: users.id }).from(users).where(eq(users.email, demo.quan)))[0]!.id;
  // A delegation whose reason is "raise <SQLSTATE>" fails in the database with that code, and a message full of internals.
  await handle.db.execute(
    sql.raw(`CREATE FUNCTION test_raise() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.reason LIKE 'raise %' THEN
    RAISE EXCEPTION 'internal detail: select password_hash from accounts' USING ERRCODE = substr(NEW.reason, 7);
  END IF;
  RETURN NEW;
END $$`),
  );
  await handle.db.execute(
    sql.raw('CREATE TRIGGER test_raise BEFORE INSERT ON delegations FOR EACH ROW EXECUTE FUNCTION test_raise()'),
  );
});
afterAll(async () => handle?.close());
afterEach(() => vi.restoreAllMocks());

/** What the caller is told, or 'ok'. */
async function outcome(call: Promise<unknown>) {
  try {
    await call;
    return 'ok' as const;
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    const cause = error.cause as { retryable?: boolean; fields?: unknown } | undefined;
    return {
      code: error.code,
      message: error.message,
      retryable: cause?.retryable ?? false,
      fields: cause?.fields ?? null,
    };
  }
}

describe('database errors through the router', () => {
  const delegate = async (reason: string, locale: 'en' | 'vi' = 'en') => {
    const caller = await callerFor(handle.db, demo.ngoc, locale);
    const startsAt = new Date(Date.now() + 3_600_000);
    return outcome(
      caller.delegation.create({
        delegateId: quanId,
        startsAt,
        endsAt: new Date(startsAt.getTime() + 86_400_000),
        reason,
      }),
    );
  };

  it('a unique violation → CONFLICT in the caller’s language, nothing of the database in it', async () => {
    expect(await delegate('raise 23505', 'vi')).toEqual({
      code: 'CONFLICT',
      message:
        'Có người khác vừa lưu cùng nội dung này vào đúng lúc đó nên thay đổi của bạn chưa được lưu; hãy tải lại trang rồi thử lại.',
      retryable: false,
      fields: null,
    });
  });

  it.each(['40001', '40P01'])('a serialization failure or a deadlock (%s) → CONFLICT, retryable', async (sqlState) => {
    expect(await delegate(`raise ${sqlState}`)).toEqual({
      code: 'CONFLICT',
      message:
        'This command collided with another one running at the same moment and was not carried out; send it again.',
      retryable: true,
      fields: null,
    });
  });

  it('any other → INTERNAL_SERVER_ERROR with a reference; the SQL only in the server log, under that reference', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const result = await delegate('raise 22012');
    expect(result).toMatchObject({ code: 'INTERNAL_SERVER_ERROR' });
    const { message } = result as { message: string };
    const reference = /\(reference ([0-9a-f]{8})\)/.exec(message)?.[1];
    expect(reference).toBeDefined();
    expect(message).not.toMatch(/insert|delegations|password|select|query/i);
    expect(log).toHaveBeenCalledWith(`Server error ${reference} in delegation.create:`, expect.anything());
    expect(String(log.mock.calls[0]![1])).toMatch(/insert into "delegations"|internal detail/);
  });
});

describe('two publishes of the same version at once', () => {
  const flow = (id: string, source: string, target: string) => ({ id, source, target });
  const form = {
    key: 'race-form',
    version: 1,
    title: { en: 'Race', vi: 'Đua' },
    schema: { type: 'object', properties: { note: { type: 'string' } } },
  };
  const definition = (version: number) => ({
    formatVersion: 1,
    key: 'race-check',
    version,
    name: 'Race check',
    elements: [
      { id: 's', type: 'startEvent' },
      { id: 'review', type: 'userTask', formKey: 'race-form', candidateGroups: ['operations'] },
      { id: 'e', type: 'endEvent' },
    ],
    flows: [flow('f1', 's', 'review'), flow('f2', 'review', 'e')],
  });

  it('one succeeds, the others are CONFLICT naming the process and the version, never a 500', async () => {
    const designer = await callerFor(handle.db, DESIGNER);
    for (const version of [1, 2, 3]) {
      // Three at once, each with the same form version (which the first also publishes).
      const results = await Promise.all(
        [0, 1, 2].map(() => outcome(designer.definition.publish({ definition: definition(version), forms: [form] }))),
      );
      expect(results.filter((r) => r === 'ok')).toHaveLength(1);
      for (const r of results.filter((r) => r !== 'ok')) {
        expect(r).toMatchObject({ code: 'CONFLICT' });
        expect((r as { message: string }).message).toMatch(new RegExp(`"race-check"`));
        expect((r as { message: string }).message).toMatch(new RegExp(`\\b[Vv]ersion ${version}\\b`));
      }
    }
    const rows = await handle.db
      .select({ version: processDefinitions.version })
      .from(processDefinitions)
      .where(and(eq(processDefinitions.tenantId, tenantId), eq(processDefinitions.key, 'race-check')));
    expect(rows.map((r) => r.version).sort()).toEqual([1, 2, 3]);
  });

  // On PostgreSQL the loser can be made to wait inside its insert for the winner deterministically:
  // the winner's transaction is held open until the loser is seen waiting on its lock.
  it.runIf(process.env.DATABASE_URL)(
    'the publish that waited on the winner is told, in Vietnamese, that the version was just published',
    async () => {
      const designer = await callerFor(handle.db, DESIGNER, 'vi');
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let inserted!: () => void;
      const winnerInserted = new Promise<void>((resolve) => (inserted = resolve));
      const winner = handle.db.transaction(async (tx) => {
        await publishProcess(tx, tenantId, { definition: definition(10), forms: [form] }, null);
        inserted();
        await held;
      });
      // The winner's row is written but not committed: the loser looks, finds nothing, and its insert waits on the winner.
      await winnerInserted;
      const loser = outcome(designer.definition.publish({ definition: definition(10), forms: [form] }));
      await waitFor(
        async () =>
          rowsOf(
            await handle.db.execute(
              sql`select 1 from pg_locks l join pg_stat_activity a on a.pid = l.pid where not l.granted and a.datname = current_database()`,
            ),
          ).length > 0,
      );
      release();
      await winner;
      expect(await loser).toEqual({
        code: 'CONFLICT',
        message:
          'Phiên bản 10 của "race-check" vừa được người khác xuất bản; hãy tải lại trang rồi xuất bản thay đổi của bạn thành một phiên bản mới.',
        retryable: false,
        fields: null,
      });
    },
  );
});

/** Polls a condition the database reports (a lock being waited on), up to 10 s. */
async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  const until = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > until) throw new Error('condition not reached in 10 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('a field named __proto__', () => {
  const flow = (id: string, source: string, target: string) => ({ id, source, target });
  const startForm = {
    key: 'proto-start',
    version: 1,
    title: { en: 'Proto', vi: 'Proto' },
    schema: {
      type: 'object',
      properties: { note: { type: 'string' }, customer: { type: 'object' }, items: { type: 'array' } },
    },
  };
  const definition = {
    formatVersion: 1,
    key: 'proto-check',
    version: 1,
    name: 'Proto check',
    startForm: 'proto-start',
    elements: [
      { id: 's', type: 'startEvent' },
      { id: 'review', type: 'userTask', formKey: 'proto-start', candidateGroups: ['operations'] },
      { id: 'e', type: 'endEvent' },
    ],
    flows: [flow('f1', 's', 'review'), flow('f2', 'review', 'e')],
  };

  beforeAll(async () => {
    await publishProcess(handle.db, tenantId, { definition, forms: [startForm] }, null);
  });

  // As JSON.parse builds it from a request body: an own property named "__proto__".
  const parsed = (json: string) => JSON.parse(json) as Record<string, unknown>;

  it.each([
    ['at the top', '{"__proto__": {"isAdmin": true}, "note": "x"}', 'variables.__proto__'],
    [
      'nested',
      '{"note": "x", "customer": {"name": "Sen Vàng", "__proto__": {"isAdmin": true}}}',
      'variables.customer.__proto__',
    ],
    ['in a list', '{"items": [{"sku": "a"}, {"__proto__": null}]}', 'variables.items.1.__proto__'],
  ])(
    'instance.start refuses it %s with BAD_REQUEST naming the field, and starts nothing',
    async (_where, json, field) => {
      const caller = await callerFor(handle.db, demo.ngoc);
      const result = await outcome(caller.instance.start({ definitionKey: 'proto-check', variables: parsed(json) }));
      const message = `The field "${field}" is named "__proto__", a name JavaScript reserves; rename the field.`;
      expect(result).toEqual({
        code: 'BAD_REQUEST',
        message,
        retryable: false,
        fields: [{ field, label: field, message }],
      });
    },
  );

  it('task.complete, message.publish and signal.broadcast refuse it too, in Vietnamese', async () => {
    const caller = await callerFor(handle.db, demo.ngoc, 'vi');
    const started = (await caller.instance.start({ definitionKey: 'proto-check', variables: { note: 'ok' } })) as {
      id: string;
    };
    const [task] = await handle.db.select({ id: tasks.id }).from(tasks).where(eq(tasks.instanceId, started.id));
    const vi = (field: string) =>
      `Trường "${field}" có tên "__proto__", một tên mà JavaScript dành riêng; hãy đổi tên trường.`;
    expect(
      await outcome(caller.task.complete({ id: task!.id, data: parsed('{"customer": {"__proto__": {"x": 1}}}') })),
    ).toMatchObject({ code: 'BAD_REQUEST', message: vi('data.customer.__proto__') });
    expect(
      await outcome(
        caller.message.publish({
          name: 'paid',
          correlationKey: 'k',
          variables: parsed('{"__proto__": {"approved": true}}'),
        }),
      ),
    ).toMatchObject({ code: 'BAD_REQUEST', message: vi('variables.__proto__') });
    expect(
      await outcome(caller.signal.broadcast({ name: 'go', variables: parsed('{"a": [{"__proto__": 1}]}') })),
    ).toMatchObject({ code: 'BAD_REQUEST', message: vi('variables.a.0.__proto__') });
    // The task was left as it was.
    const [still] = await handle.db.select({ status: tasks.status }).from(tasks).where(eq(tasks.id, task!.id));
    expect(still!.status).toBe('open');
  });
});
