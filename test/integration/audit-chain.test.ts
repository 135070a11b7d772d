/**
 * The audit hash chain on a real database (PGlite by default, PostgreSQL when DATABASE_URL is
 * set): appendAudit chains each instance's events, verifyAudit finds edited, deleted and
 * slipped-in rows — tampering done as a superuser with the append-only triggers bypassed — and
 * `trellis audit verify` reports it. Concurrent appends (PostgreSQL only) never fork a chain.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase, openDatabase, type DatabaseHandle, type Executor } from '@/db/client';
import { auditEvents, processInstances, tenants } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import {
  appendAudit,
  auditHash,
  chainEvent,
  stableJson,
  verifyAudit,
  type AuditInsert,
  type AuditVerification,
} from '@/app/server/services/audit';
import { main } from '@/app/_cli/cli';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

let handle: DatabaseHandle;
let tenantId: string;
beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
});
afterAll(async () => handle?.close());

const invoice = (amount: number) => ({
  vendor: 'Công ty TNHH Thương mại Hòa Bình',
  invoiceNumber: `HD-${amount}`,
  amount,
  category: 'it-equipment',
  dueDate: '2026-12-15',
  description: 'Máy tính xách tay cho phòng Kế toán',
});

async function startInvoice(db: Executor, amount = 75_000_000): Promise<string> {
  const ngoc = await callerFor(db, demo.ngoc);
  return (await ngoc.instance.start({ definitionKey: 'invoice-approval', variables: invoice(amount) })).id;
}

const history = (db: Executor, instanceId: string) =>
  db.select().from(auditEvents).where(eq(auditEvents.instanceId, instanceId)).orderBy(asc(auditEvents.id));

/**
 * An instance whose whole history went through appendAudit: a copy of an invoice instance
 * started through the services (same definition, state, starter; no events), its real events
 * replayed as one command, then two later commands. Independent of whether the services
 * themselves chain yet.
 */
async function chainedInstance(db: Executor): Promise<{ id: string; eventIds: number[] }> {
  const original = await startInvoice(db);
  const [row] = await db.select().from(processInstances).where(eq(processInstances.id, original));
  const [copy] = await db
    .insert(processInstances)
    .values({
      tenantId: row!.tenantId,
      definitionId: row!.definitionId,
      businessKey: row!.businessKey,
      status: row!.status,
      state: row!.state,
      startedBy: row!.startedBy,
    })
    .returning({ id: processInstances.id });
  const id = copy!.id;
  const replay = (await history(db, original)).map((e): AuditInsert => ({
    tenantId: e.tenantId,
    instanceId: id,
    taskId: e.taskId,
    actorId: e.actorId,
    type: e.type,
    elementId: e.elementId,
    data: e.data,
  }));
  await db.transaction((tx) => appendAudit(tx, replay));
  await db.transaction((tx) =>
    appendAudit(tx, [
      {
        tenantId: row!.tenantId,
        instanceId: id,
        actorId: row!.startedBy,
        type: 'comment.added',
        data: { text: 'Đã gửi bản gốc hóa đơn', mentions: ['hung'] },
      },
      {
        tenantId: row!.tenantId,
        instanceId: id,
        actorId: row!.startedBy,
        type: 'attachment.added',
        data: { name: 'hoa-don.pdf', bytes: 48_213 },
      },
    ]),
  );
  await db.transaction((tx) =>
    appendAudit(tx, [
      {
        tenantId: row!.tenantId,
        instanceId: id,
        type: 'reminder.sent',
        elementId: 'accountingApproval',
        data: { to: 'accounting' },
      },
    ]),
  );
  return { id, eventIds: (await history(db, id)).map((e) => e.id) };
}

/** Changes audit rows the way only a superuser can: with the append-only triggers bypassed. */
async function tamper(db: Executor, work: (tx: Executor) => Promise<unknown>) {
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    await work(tx);
  });
}

const problemsOf = (result: AuditVerification, instanceId: string) =>
  result.problems.filter((p) => p.instanceId === instanceId).map(({ message: _, ...p }) => p);

describe('appendAudit', () => {
  it("chains every event of an instance to the one before and moves the instance's audit_head", async () => {
    // given an instance whose events were written in three commands
    const { id, eventIds } = await chainedInstance(handle.db);

    // then each event links to the previous one, the first to nothing, and the head is the newest
    const rows = await history(handle.db, id);
    expect(rows.length).toBe(eventIds.length);
    expect(rows.length).toBeGreaterThanOrEqual(5);
    rows.forEach((e, i) => {
      expect(e.prevHash).toBe(i === 0 ? null : rows[i - 1]!.hash);
      expect(e.hash).toBe(auditHash(e.prevHash, e));
    });
    const [instance] = await handle.db
      .select({ auditHead: processInstances.auditHead })
      .from(processInstances)
      .where(eq(processInstances.id, id));
    expect(instance!.auditHead).toBe(rows.at(-1)!.hash);
  });

  it('stores exactly what it hashed: jsonb key order, undefined keys, dates in data, precise numbers, a given time', async () => {
    const { id } = await chainedInstance(handle.db);
    const at = new Date('2026-03-04T05:06:07.089Z');
    await handle.db.transaction((tx) =>
      appendAudit(tx, [
        {
          tenantId,
          instanceId: id,
          type: 'data.recorded',
          at,
          data: {
            zeta: 1,
            alpha: { y: [3, { b: 2, a: 1 }], x: 'Phê duyệt — ✓' },
            gone: undefined,
            when: new Date('2026-01-01T00:00:00Z'),
            float: 0.1 + 0.2,
            big: 2 ** 60,
            tiny: 1e-7,
            long: 'x'.repeat(300),
          },
        },
      ]),
    );
    const last = (await history(handle.db, id)).at(-1)!;
    expect(last.at.toISOString()).toBe(at.toISOString());
    expect(last.data).toEqual({
      zeta: 1,
      alpha: { y: [3, { b: 2, a: 1 }], x: 'Phê duyệt — ✓' },
      when: '2026-01-01T00:00:00.000Z',
      float: 0.30000000000000004,
      big: 2 ** 60,
      tiny: 1e-7,
      long: 'x'.repeat(300),
    });
    expect(problemsOf(await verifyAudit(handle.db), id)).toEqual([]);
  });

  it('opens a transaction of its own when given the database', async () => {
    const { id } = await chainedInstance(handle.db);
    await appendAudit(handle.db, [{ tenantId, instanceId: id, type: 'note.added', data: { text: 'ngoài giao dịch' } }]);
    const rows = await history(handle.db, id);
    expect(rows.at(-1)!.prevHash).toBe(rows.at(-2)!.hash);
    expect(problemsOf(await verifyAudit(handle.db), id)).toEqual([]);
  });

  it('sorts keys at every depth for hashing', () => {
    expect(stableJson({ b: 1, a: { d: [{ f: 1, e: 2 }], c: null }, u: undefined })).toBe(
      '{"a":{"c":null,"d":[{"e":2,"f":1}]},"b":1}',
    );
    // JSON.stringify's text in every other respect: toJSON, holes and undefined items as null, non-finite numbers as null, "__proto__" as data
    expect(stableJson([1, undefined, () => 1, , NaN, -Infinity, -0, new Date(0), 'Nguyễn\u2028"'])).toBe(
      '[1,null,null,null,null,null,0,"1970-01-01T00:00:00.000Z","Nguyễn\u2028\\""]',
    );
    expect(stableJson(JSON.parse('{"é": 1, "__proto__": {"z": 1, "a": 2}, "E": {"toJSON": 1}, "10": 2, "2": 3}'))).toBe(
      '{"10":2,"2":3,"E":{"toJSON":1},"__proto__":{"a":2,"z":1},"é":1}',
    );
    expect(stableJson({ x: { toJSON: (key: string) => `${key}!` }, n: new Number(3) })).toBe('{"n":3,"x":"x!"}');
    expect(stableJson(undefined)).toBe('null');
  });

  it('hashes and stores event data exactly as its JSON text gives it back, whatever the data is made of', () => {
    const sparse = [1, , 3];
    const withExtra = Object.assign([1, 2], { extra: 'x' });
    const nullPrototype = Object.assign(Object.create(null) as object, { b: 1, a: 'Đức' });
    const withSymbol = { a: 1, [Symbol('s')]: 2 };
    const withGetter = Object.defineProperty({ a: 1 }, 'g', { get: () => 'got', enumerable: true });
    class Money {
      constructor(readonly amount: number) {}
    }
    let deep: Record<string, unknown> = { leaf: 'lá' };
    for (let i = 0; i < 40; i++) deep = { next: deep };
    const cases: Record<string, unknown>[] = [
      { text: 'Nguyễn Văn Đức', amount: 1_500_000, ok: true, none: null, list: [1, 'hai', { ba: 3 }] },
      { minusZero: -0, notFinite: NaN, infinite: Infinity, missing: undefined },
      { sparse, withExtra, nullPrototype, withSymbol, withGetter },
      { when: new Date(0), money: new Money(5), json: { toJSON: () => 'as text' } },
      JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>,
      { deep },
    ];
    const chain = () => ({ instanceId: '00000000-0000-4000-8000-000000000001', tenantId: 'T', head: null });
    const at = new Date(1_800_000_000_000);
    for (const data of cases) {
      const asText = JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
      const direct = chainEvent(chain(), { tenantId: 'T', type: 'x', data }, at);
      const fromText = chainEvent(chain(), { tenantId: 'T', type: 'x', data: asText }, at);
      expect(direct.hash).toBe(fromText.hash);
      expect(JSON.stringify(direct.data)).toBe(JSON.stringify(asText));
    }
  });

  it('refuses an event for an instance of another tenant', async () => {
    const { id } = await chainedInstance(handle.db);
    const [other] = await handle.db
      .insert(tenants)
      .values({ slug: 'other-audit', name: 'Other' })
      .returning({ id: tenants.id });
    await expect(
      handle.db.transaction((tx) => appendAudit(tx, [{ tenantId: other!.id, instanceId: id, type: 'x.happened' }])),
    ).rejects.toThrow(/belongs to tenant/);
  });
});

describe('verifyAudit', () => {
  it("finds every chain intact, counting the services' own events", async () => {
    // given an instance run through the services (a start and a task completion) and chained instances
    const started = await startInvoice(handle.db, 60_000_000);
    const hung = await callerFor(handle.db, demo.hung);
    const task = (await hung.task.list()).find((t) => t.instanceId === started)!;
    await hung.task.complete({ id: task.id, data: { decision: 'approve' } });
    await chainedInstance(handle.db);

    // when verified
    const result = await verifyAudit(handle.db);

    // then nothing is wrong; the services' events are chained, or legacy until effects.ts appends through appendAudit
    expect(result.problems).toEqual([]);
    const instanceCount = await handle.db.$count(processInstances);
    const eventCount = await handle.db.$count(auditEvents, sql`${auditEvents.instanceId} is not null`);
    expect(result).toMatchObject({ instances: instanceCount, events: eventCount });
    const legacy = await handle.db
      .select({ instanceId: auditEvents.instanceId })
      .from(auditEvents)
      .where(sql`${auditEvents.instanceId} is not null`)
      .groupBy(auditEvents.instanceId)
      .having(sql`bool_and(${auditEvents.hash} is null)`);
    expect(result.legacy.instances).toBe(legacy.length);
    expect(await verifyAudit(handle.db, { tenantId })).toEqual(result);
  });

  it('reports an edited event, naming instance and event', async () => {
    const { id, eventIds } = await chainedInstance(handle.db);
    const edited = eventIds[2]!;
    await tamper(handle.db, (tx) =>
      tx
        .update(auditEvents)
        .set({ data: sql`${auditEvents.data} || '{"amount": 1}'::jsonb` })
        .where(eq(auditEvents.id, edited)),
    );
    expect(problemsOf(await verifyAudit(handle.db), id)).toEqual([{ instanceId: id, eventId: edited, kind: 'edited' }]);
  });

  it('reports a deleted event in the middle at the event after the gap', async () => {
    const { id, eventIds } = await chainedInstance(handle.db);
    await tamper(handle.db, (tx) => tx.delete(auditEvents).where(eq(auditEvents.id, eventIds[2]!)));
    expect(problemsOf(await verifyAudit(handle.db), id)).toEqual([
      { instanceId: id, eventId: eventIds[3]!, kind: 'deleted' },
    ]);
  });

  it('reports a deleted first event', async () => {
    const { id, eventIds } = await chainedInstance(handle.db);
    await tamper(handle.db, (tx) => tx.delete(auditEvents).where(eq(auditEvents.id, eventIds[0]!)));
    expect(problemsOf(await verifyAudit(handle.db), id)).toEqual([
      { instanceId: id, eventId: eventIds[1]!, kind: 'deleted' },
    ]);
  });

  it("reports a deleted newest event through the instance's audit_head", async () => {
    const { id, eventIds } = await chainedInstance(handle.db);
    await tamper(handle.db, (tx) => tx.delete(auditEvents).where(eq(auditEvents.id, eventIds.at(-1)!)));
    expect(problemsOf(await verifyAudit(handle.db), id)).toEqual([
      { instanceId: id, eventId: eventIds.at(-2)!, kind: 'tail-deleted' },
    ]);
  });

  it('reports an event inserted outside appendAudit: unhashed, or hashed onto an earlier event', async () => {
    // given one chain with an unhashed row written the old way, another with a forged fork
    const plain = await chainedInstance(handle.db);
    const [unhashed] = await handle.db
      .insert(auditEvents)
      .values({ tenantId, instanceId: plain.id, type: 'task.completed', data: {} })
      .returning({ id: auditEvents.id });
    const forked = await chainedInstance(handle.db);
    const [base] = await handle.db.select().from(auditEvents).where(eq(auditEvents.id, forked.eventIds[1]!));
    const fake = {
      tenantId,
      instanceId: forked.id,
      taskId: null,
      actorId: null,
      type: 'task.completed',
      elementId: 'accountingApproval',
      data: { decision: 'approve' },
      at: new Date(),
    };
    const [fork] = await handle.db
      .insert(auditEvents)
      .values({ ...fake, prevHash: base!.hash, hash: auditHash(base!.hash, fake) })
      .returning({ id: auditEvents.id });

    // then each is reported once, at the inserted row
    const result = await verifyAudit(handle.db);
    expect(problemsOf(result, plain.id)).toEqual([{ instanceId: plain.id, eventId: unhashed!.id, kind: 'unchained' }]);
    expect(problemsOf(result, forked.id)).toEqual([{ instanceId: forked.id, eventId: fork!.id, kind: 'unchained' }]);
  });

  it('counts an instance with only unhashed events as legacy, and reports mixing', async () => {
    // given an instance whose events were all written before chaining
    const { id } = await bareInstance(handle.db);
    const legacyRows = await handle.db
      .insert(auditEvents)
      .values([
        { tenantId, instanceId: id, type: 'instance.started' },
        { tenantId, instanceId: id, type: 'task.created' },
      ])
      .returning({ id: auditEvents.id });
    const before = await verifyAudit(handle.db);
    expect(problemsOf(before, id)).toEqual([]);

    // when a chained event follows them
    await handle.db.transaction((tx) => appendAudit(tx, [{ tenantId, instanceId: id, type: 'task.completed' }]));

    // then the unhashed rows are reported, and the instance is no longer legacy
    const after = await verifyAudit(handle.db);
    expect(problemsOf(after, id)).toEqual(
      legacyRows.map((r) => ({ instanceId: id, eventId: r.id, kind: 'unchained' })),
    );
    expect(after.legacy.instances).toBe(before.legacy.instances - 1);
    expect(after.problems.find((p) => p.instanceId === id)!.message).toMatch(/before hash chaining/);
  });

  it('reads in pages without changing the outcome', async () => {
    const whole = await verifyAudit(handle.db);
    expect(whole.problems.length).toBeGreaterThan(0);
    expect(await verifyAudit(handle.db, { pageSize: 3 })).toEqual(whole);
    expect(await verifyAudit(handle.db, { pageSize: 1 })).toEqual(whole);
  });

  it.skipIf(!process.env.DATABASE_URL)(
    'keeps one unbroken chain under 20 concurrent appends to one instance (PostgreSQL)',
    async () => {
      const { id, eventIds } = await chainedInstance(handle.db);
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          handle.db.transaction(async (tx) => {
            await appendAudit(tx, [
              { tenantId, instanceId: id, type: 'load.recorded', data: { i, part: 1 } },
              { tenantId, instanceId: id, type: 'load.recorded', data: { i, part: 2 } },
            ]);
            // Hold the lock a moment so the others queue behind it.
            await tx.execute(sql`select pg_sleep(0.01)`);
          }),
        ),
      );
      const rows = await history(handle.db, id);
      expect(rows).toHaveLength(eventIds.length + 40);
      rows.forEach((e, i) => expect(e.prevHash).toBe(i === 0 ? null : rows[i - 1]!.hash));
      // Each transaction's two rows stay together in the chain.
      const added = rows.slice(eventIds.length).map((e) => e.data as { i: number; part: number });
      for (let k = 0; k < added.length; k += 2)
        expect([added[k]!.i, added[k]!.part, added[k + 1]!.part]).toEqual([added[k + 1]!.i, 1, 2]);
      expect(new Set(added.map((d) => d.i)).size).toBe(20);
      expect(problemsOf(await verifyAudit(handle.db), id)).toEqual([]);
    },
  );
});

/** An instance row without any events. */
async function bareInstance(db: Executor): Promise<{ id: string }> {
  const [any] = await db.select().from(processInstances).limit(1);
  const [copy] = await db
    .insert(processInstances)
    .values({
      tenantId: any!.tenantId,
      definitionId: any!.definitionId,
      status: 'active',
      state: any!.state,
      startedBy: any!.startedBy,
    })
    .returning({ id: processInstances.id });
  return { id: copy!.id };
}

describe('trellis audit verify', () => {
  const env = { DATABASE_URL: process.env.DATABASE_URL, PGLITE_DATA_DIR: process.env.PGLITE_DATA_DIR };
  const run = async (dataDir: string, ...argv: string[]) => {
    // The command opens the app's database from the environment: here a PGlite folder.
    delete process.env.DATABASE_URL;
    process.env.PGLITE_DATA_DIR = dataDir;
    const lines: string[] = [];
    const errors: string[] = [];
    try {
      const code = await main(['audit', 'verify', ...argv], {
        log: (t) => lines.push(t),
        error: (t) => errors.push(t),
      });
      return { code, stdout: lines.join('\n'), stderr: errors.join('\n') };
    } finally {
      for (const [key, value] of Object.entries(env)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  };
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'trellis-audit-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('says a database is missing rather than creating one', async () => {
    const missing = path.join(folder, 'missing', 'pglite');
    expect(await run(missing)).toMatchObject({ code: 2, stderr: expect.stringContaining('no database there') });
    expect(existsSync(missing)).toBe(false);
  });

  it('prints the chain intact, then each problem with exit code 1', async () => {
    // given a PGlite database in a folder, as the app keeps it, with a chained instance
    const dataDir = path.join(folder, 'pglite');
    const app = await openDatabase({ dataDir });
    let damaged: { id: string; eventIds: number[] };
    try {
      await migrateDatabase(app);
      await seedDemo(app.db);
      damaged = await chainedInstance(app.db);
    } finally {
      await app.close();
    }
    const intact = await run(dataDir);
    expect(intact).toMatchObject({ code: 0, stdout: expect.stringMatching(/^2 instances, \d+ events: chain intact/) });

    // when its newest event is deleted behind the triggers' back
    const again = await openDatabase({ dataDir });
    try {
      await tamper(again.db, (tx) => tx.delete(auditEvents).where(eq(auditEvents.id, damaged.eventIds.at(-1)!)));
    } finally {
      await again.close();
    }

    // then the command names instance and event, and fails
    const broken = await run(dataDir);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`tail-deleted: instance ${damaged.id} event ${damaged.eventIds.at(-2)}:`);
    expect(broken.stdout).toMatch(/1 problem in 1 instance/);
    const json = await run(dataDir, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({
      instances: 2,
      problems: [{ instanceId: damaged.id, eventId: damaged.eventIds.at(-2), kind: 'tail-deleted' }],
    });
  });
});
