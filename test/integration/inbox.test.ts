/**
 * The inbox's lists, counts, filters, search, sort, pagination, saved views and bulk claim
 * (issue 19) through the routers, on a real database: who sees what in every list, and nothing of
 * another company or another department.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { delegations, groupMembers, groups, memberships, tasks, tenants, users } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { claimMany } from '@/app/server/services/tasks';
import { resolveActor } from '@/app/server/actor';
import { AppError } from '@/app/server/errors';
import { createContextInner } from '@/app/server/trpc/init';
import { createCaller } from '@/app/server/trpc/root';
import { demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

let handle: DatabaseHandle;
let ours: string;
let theirs: string;

const flow = (id: string, source: string, target: string) => ({ id, source, target });

/** A purchase approval offered to `group`: vendor and amount are its summary; priority from the amount; due from the start form. */
async function publishPurchase(tenantId: string, key: string, group: string) {
  await publishProcess(
    handle.db,
    tenantId,
    {
      definition: {
        formatVersion: 1,
        key,
        version: 1,
        name: { en: 'Purchase approval', vi: 'Duyệt mua hàng' },
        startForm: `${key}-start`,
        businessKey: 'reference',
        summary: ['vendor', 'amount'],
        elements: [
          { id: 's', type: 'startEvent' },
          {
            id: 'approve',
            type: 'userTask',
            name: { en: 'Approve the invoice', vi: 'Duyệt hóa đơn' },
            formKey: `${key}-decision`,
            candidateGroups: [group],
            priority: '=if amount > 100000000 then 90 else 40',
            dueDate: 'due',
          },
          { id: 'e', type: 'endEvent' },
        ],
        flows: [flow('f1', 's', 'approve'), flow('f2', 'approve', 'e')],
      },
      forms: [
        {
          key: `${key}-start`,
          version: 1,
          title: 'Start',
          schema: {
            type: 'object',
            properties: {
              reference: { type: 'string' },
              vendor: { type: 'string' },
              amount: { type: 'number' },
              due: { type: 'string', format: 'date' },
            },
          },
        },
        {
          key: `${key}-decision`,
          version: 1,
          title: 'Decision',
          schema: {
            type: 'object',
            required: ['decision'],
            properties: { decision: { type: 'string', enum: ['approve', 'reject'] } },
          },
        },
      ],
    },
    null,
  );
}

async function idOf(email: string) {
  return (await handle.db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
}

async function as(email: string, tenantId: string = ours) {
  return createCaller(await createContextInner({ db: handle.db, userId: await idOf(email), tenantId, locale: 'en' }));
}

const started: Record<string, { id: string; taskId: string }> = {};

async function start(
  reference: string,
  vendor: string,
  amount: number,
  due: string,
  tenantId = ours,
  by = demo.ngoc,
  key = 'purchase',
) {
  const result = await (
    await as(by, tenantId)
  ).instance.start({ definitionKey: key, variables: { reference, vendor, amount, due } });
  started[reference] = { id: result.id, taskId: result.taskIds[0]! };
  return started[reference]!;
}

beforeAll(async () => {
  handle = await createTestDatabase();
  ours = await seedDemo(handle.db);
  await publishPurchase(ours, 'purchase', 'accounting');
  await publishPurchase(ours, 'it-purchase', 'it');
  // Another company with an accounting department of the same key and an accountant in it.
  const [other] = await handle.db.insert(tenants).values({ slug: 'hoa-sen', name: 'Công ty Hoa Sen' }).returning();
  theirs = other!.id;
  const [clerk] = await handle.db
    .insert(users)
    .values({ email: 'sen@hoasen.example', displayName: 'Lý Văn Sen' })
    .returning();
  await handle.db.insert(memberships).values({ tenantId: theirs, userId: clerk!.id, role: 'staff' });
  const [group] = await handle.db
    .insert(groups)
    .values({ tenantId: theirs, key: 'accounting', name: 'Kế toán' })
    .returning();
  await handle.db.insert(groupMembers).values({ tenantId: theirs, groupId: group!.id, userId: clerk!.id });
  await publishPurchase(theirs, 'purchase', 'accounting');
  await start('HS-0001', 'Công ty Hòa Bình', 5_000_000, '2026-01-10', theirs, 'sen@hoasen.example');

  await start('HD-2026-0001', 'Công ty TNHH Thương mại Hòa Bình', 250_000_000, '2026-01-05');
  await start('HD-2026-0002', 'Nhà sách Đông Á', 1_200_000, '2099-12-31');
  await start('HD-2026-0003', 'Văn phòng phẩm Sen Vàng', 3_500_000, '2099-06-01');
  for (let i = 4; i <= 9; i++) await start(`HD-2026-000${i}`, `Nhà cung cấp số ${i}`, 1_000_000 * i, `2099-0${i}-15`);
  await start('IT-0001', 'Máy tính Phong Vũ', 30_000_000, '2099-02-02', ours, demo.ngoc, 'it-purchase');
});
afterAll(async () => handle?.close());

const refs = (page: { items: { businessKey: string | null }[] }) => page.items.map((t) => t.businessKey);

describe('inbox lists', () => {
  it('offers a department task to its members under My departments, not under My tasks, and to no other department or company', async () => {
    const hung = await as(demo.hung);
    const departments = await hung.task.inbox({ list: 'departments', limit: 100 });
    expect(refs(departments)).toContain('HD-2026-0001');
    expect(refs(departments)).not.toContain('IT-0001');
    expect(refs(departments)).not.toContain('HS-0001');
    expect(refs(await hung.task.inbox({ list: 'mine' }))).toEqual([]);
    // IT sees its own and nothing of accounting's.
    const tuan = await as(demo.tuan);
    expect(refs(await tuan.task.inbox({ list: 'departments' }))).toEqual(['IT-0001']);
    // The other company's accountant (same department key) sees only theirs.
    const sen = await as('sen@hoasen.example', theirs);
    expect(refs(await sen.task.inbox({ list: 'departments' }))).toEqual(['HS-0001']);
    expect(await sen.task.counts()).toMatchObject({ mine: 0, departments: 1, delegated: 0, done: 0 });
    // The requester, in no department the task is offered to, sees it in no list.
    const ngoc = await as(demo.ngoc);
    for (const list of ['mine', 'departments', 'delegated', 'done'] as const)
      expect(refs(await ngoc.task.inbox({ list }))).toEqual([]);
  });

  it('shows the priority the process computed, the summary, and whether a task is overdue', async () => {
    const hung = await as(demo.hung);
    const { items } = await hung.task.inbox({ list: 'departments', limit: 100 });
    const big = items.find((t) => t.businessKey === 'HD-2026-0001')!;
    expect(big).toMatchObject({
      priority: 90,
      summary: [
        ['vendor', 'Công ty TNHH Thương mại Hòa Bình'],
        ['amount', 250_000_000],
      ],
      overdue: true,
      processKey: 'purchase',
    });
    expect(items.find((t) => t.businessKey === 'HD-2026-0002')).toMatchObject({ priority: 40, overdue: false });
  });

  it('moves a claimed task from My departments to My tasks, for the claimer only, and counts both', async () => {
    const hung = await as(demo.hung);
    const lan = await as(demo.lan);
    const before = await lan.task.counts();
    await hung.task.claim({ id: started['HD-2026-0003']!.taskId });
    expect(refs(await hung.task.inbox({ list: 'mine' }))).toEqual(['HD-2026-0003']);
    expect(refs(await hung.task.inbox({ list: 'departments', limit: 100 }))).not.toContain('HD-2026-0003');
    expect(refs(await lan.task.inbox({ list: 'departments', limit: 100 }))).not.toContain('HD-2026-0003');
    expect(refs(await lan.task.inbox({ list: 'mine' }))).toEqual([]);
    expect((await lan.task.counts()).departments).toBe(before.departments - 1);
    expect(await hung.task.counts()).toMatchObject({ mine: 1, mineOverdue: 0 });
  });

  it('shows everything open for me under All (the default): my tasks and my departments’ in one order, counted once', async () => {
    const hung = await as(demo.hung);
    const all = await hung.task.inbox({ limit: 100 });
    expect(refs(all)).toEqual([
      'HD-2026-0001',
      'HD-2026-0004',
      'HD-2026-0005',
      'HD-2026-0003',
      'HD-2026-0006',
      'HD-2026-0007',
      'HD-2026-0008',
      'HD-2026-0009',
      'HD-2026-0002',
    ]);
    expect(all.items.find((t) => t.businessKey === 'HD-2026-0003')).toMatchObject({ assignedToMe: true });
    const counts = await hung.task.counts();
    expect(counts.all).toBe(counts.mine + counts.departments + counts.delegated);
    expect(counts.all).toBe(9);
    // paged three at a time, across the lists it merges
    const paged: (string | null)[] = [];
    let cursor: string | undefined;
    do {
      const page = await hung.task.inbox({ limit: 3, ...(cursor ? { cursor } : {}) });
      paged.push(...refs(page));
      cursor = page.next ?? undefined;
    } while (cursor);
    expect(paged).toEqual(refs(all));
  });

  it('lists a colleague’s tasks under Delegated to me during their delegation only', async () => {
    const hung = await as(demo.hung);
    const lan = await as(demo.lan);
    expect(refs(await lan.task.inbox({ list: 'delegated' }))).toEqual([]);
    const [row] = await handle.db
      .insert(delegations)
      .values({
        tenantId: ours,
        delegatorId: await idOf(demo.hung),
        delegateId: await idOf(demo.lan),
        startsAt: new Date(Date.now() - 60_000),
        endsAt: new Date(Date.now() + 86_400_000),
        createdBy: await idOf(demo.hung),
      })
      .returning();
    const delegated = await lan.task.inbox({ list: 'delegated' });
    expect(refs(delegated)).toEqual(['HD-2026-0003']);
    expect(delegated.items[0]!.onBehalfOf).toBe('Trần Văn Hùng');
    expect((await lan.task.counts()).delegated).toBe(1);
    // IT, not a candidate of an accounting task, would not get it even if Hùng delegated to them.
    await handle.db.update(delegations).set({ revokedAt: new Date() }).where(eq(delegations.id, row!.id));
    expect(refs(await lan.task.inbox({ list: 'delegated' }))).toEqual([]);
    expect(refs(await hung.task.inbox({ list: 'delegated' }))).toEqual([]);
  });

  it('lists what I completed under Done recently, newest first', async () => {
    const hung = await as(demo.hung);
    await hung.task.complete({ id: started['HD-2026-0003']!.taskId, data: { decision: 'approve' } });
    await hung.task.complete({ id: started['HD-2026-0009']!.taskId, data: { decision: 'reject' } });
    const done = await hung.task.inbox({ list: 'done' });
    expect(refs(done)).toEqual(['HD-2026-0009', 'HD-2026-0003']);
    expect(done.items[0]).toMatchObject({ status: 'completed', overdue: false });
    expect((await hung.task.counts()).done).toBe(2);
    expect(refs(await (await as(demo.lan)).task.inbox({ list: 'done' }))).toEqual([]);
  });
});

describe('search, filters and sort', () => {
  it('finds tasks without accents by task name, business key and summary fields (hoa don finds Hóa đơn)', async () => {
    const hung = await as(demo.hung);
    const search = async (q: string) => refs(await hung.task.inbox({ list: 'departments', q, limit: 100 })).sort();
    expect(await search('hoa binh')).toEqual(['HD-2026-0001']);
    expect(await search('HÒA BÌNH')).toEqual(['HD-2026-0001']);
    expect(await search('dong a')).toEqual(['HD-2026-0002']);
    expect(await search('hd-2026-0002')).toEqual(['HD-2026-0002']);
    expect(await search('250000000')).toEqual(['HD-2026-0001']);
    // The task's name in Vietnamese, typed without accents, and as one types (a prefix).
    expect((await search('duyet hoa don')).length).toBe(7);
    expect((await search('duyet hoa d')).length).toBe(7);
    expect(await search('Phong Vu')).toEqual([]); // IT's task: found only by whom it is offered to
    expect(await search('zzz không có')).toEqual([]);
    // Characters of the query language are plain text.
    expect(await search("hoa & | ! :* ( ) ' binh")).toEqual(['HD-2026-0001']);
  });

  it('filters by due, priority, process, department, requester and start date', async () => {
    const hung = await as(demo.hung);
    const page = (input: Record<string, unknown>) =>
      hung.task.inbox({ list: 'departments', limit: 100, ...input }).then(refs);
    expect(await page({ due: 'overdue' })).toEqual(['HD-2026-0001']);
    expect(await page({ due: 'none' })).toEqual([]);
    expect(await page({ priority: 'high' })).toEqual(['HD-2026-0001']);
    expect((await page({ priority: 'normal' })).length).toBe(6);
    expect(await page({ priority: 'low' })).toEqual([]);
    expect((await page({ process: 'purchase' })).length).toBe(7);
    expect(await page({ process: 'it-purchase' })).toEqual([]);
    expect(await page({ department: 'it' })).toEqual([]);
    expect((await page({ startedBy: await idOf(demo.ngoc) })).length).toBe(7);
    expect(await page({ startedBy: await idOf(demo.lan) })).toEqual([]);
    expect(await page({ startedFrom: '2099-01-01' })).toEqual([]);
    expect((await page({ startedTo: '2099-01-01' })).length).toBe(7);
  });

  it('sorts by due date (soonest first), priority (highest first) and creation (newest first)', async () => {
    const hung = await as(demo.hung);
    const byDue = refs(await hung.task.inbox({ list: 'departments', sort: 'due', limit: 100 }));
    expect(byDue).toEqual([
      'HD-2026-0001',
      'HD-2026-0004',
      'HD-2026-0005',
      'HD-2026-0006',
      'HD-2026-0007',
      'HD-2026-0008',
      'HD-2026-0002',
    ]);
    expect(refs(await hung.task.inbox({ list: 'departments', sort: 'priority', limit: 100 }))[0]).toBe('HD-2026-0001');
    expect(refs(await hung.task.inbox({ list: 'departments', sort: 'created', limit: 100 }))).toEqual([
      'HD-2026-0008',
      'HD-2026-0007',
      'HD-2026-0006',
      'HD-2026-0005',
      'HD-2026-0004',
      'HD-2026-0002',
      'HD-2026-0001',
    ]);
  });

  it('pages with a cursor: every task once, in order, for every sort; a forged cursor is refused', async () => {
    const hung = await as(demo.hung);
    for (const sort of ['due', 'priority', 'created'] as const) {
      const all = refs(await hung.task.inbox({ list: 'departments', sort, limit: 100 }));
      const paged: (string | null)[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await hung.task.inbox({ list: 'departments', sort, limit: 3, ...(cursor ? { cursor } : {}) });
        paged.push(...refs(page));
        cursor = page.next ?? undefined;
        pages++;
      } while (cursor && pages < 10);
      expect(paged).toEqual(all);
      expect(pages).toBe(3);
    }
    const first = await hung.task.inbox({ list: 'departments', sort: 'due', limit: 2 });
    await expect(hung.task.inbox({ list: 'departments', sort: 'created', cursor: first.next! })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    const forged = Buffer.from(JSON.stringify(["9999-12-31'); drop table tasks; --", 'x', 'y'])).toString('base64url');
    await expect(hung.task.inbox({ list: 'departments', cursor: forged })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await expect(hung.task.inbox({ list: 'departments', cursor: 'not base64 json' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('refuses a cursor whose values are not of the sort’s types — no real date, time or id — as a 400 naming it, in the caller’s language', async () => {
    const vi = createCaller(
      await createContextInner({ db: handle.db, userId: await idOf(demo.hung), tenantId: ours, locale: 'vi' }),
    );
    const cursorOf = (values: string[]) => Buffer.from(JSON.stringify(values)).toString('base64url');
    const id = '00000000-0000-4000-8000-000000000000';
    for (const values of [
      ['2026-02-30', '2026-01-01T00:00:00.000000Z', id], // no such day
      ['abc', '2026-01-01T00:00:00.000000Z', id],
      ['2026-01-05', '2026-01-01 07:00:00+07', id], // a session's timestamptz::text, not the cursor's form
      ['2026-01-05', '2026-01-01T25:00:00.000000Z', id],
      ['2026-01-05', '2026-01-01T00:00:00.000000Z', 'not-a-uuid'],
    ]) {
      const cursor = cursorOf(values);
      await expect(vi.task.inbox({ cursor })).rejects.toMatchObject({
        code: 'BAD_REQUEST',
        message: expect.stringContaining(`“${cursor.slice(0, 24)}…”`),
      });
    }
    await expect(
      vi.task.inbox({
        sort: 'priority',
        cursor: cursorOf(['99999999999', '2026-01-05', '2026-01-01T00:00:00.000000Z', id]),
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('Hãy bắt đầu lại từ trang đầu') });
  });

  it('pages task.list (the API’s All list) by the cursor each row carries, backward compatible without one', async () => {
    const hung = await as(demo.hung);
    const all = await hung.task.list();
    expect(all.length).toBeGreaterThan(3);
    const paged: string[] = [];
    let cursor: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const page = await hung.task.list({ limit: 2, ...(cursor ? { cursor } : {}) });
      paged.push(...page.map((t) => t.id));
      if (page.length < 2) break;
      cursor = page.at(-1)!.cursor;
    }
    expect(paged).toEqual(all.map((t) => t.id));
  });
});

describe('saved views and bulk claim', () => {
  it('keeps each user’s views to themselves', async () => {
    const hung = await as(demo.hung);
    const lan = await as(demo.lan);
    const saved = await hung.task.saveView({
      name: 'Quá hạn của Kế toán',
      query: { list: 'departments', due: 'overdue', sort: 'priority', q: 'hóa đơn' },
    });
    expect(await hung.task.views()).toEqual([
      {
        id: saved.id,
        name: 'Quá hạn của Kế toán',
        query: { list: 'departments', due: 'overdue', sort: 'priority', q: 'hóa đơn' },
      },
    ]);
    // Saving under the same name replaces it.
    await hung.task.saveView({
      name: 'Quá hạn của Kế toán',
      query: { list: 'departments', due: 'today', sort: 'due' },
    });
    expect((await hung.task.views()).map((v) => v.query.due)).toEqual(['today']);
    expect(await lan.task.views()).toEqual([]);
    await expect(lan.task.deleteView({ id: saved.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(hung.task.saveView({ name: ' ', query: { list: 'mine', sort: 'due' } })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
    });
    await hung.task.deleteView({ id: saved.id });
    expect(await hung.task.views()).toEqual([]);
  });

  it('claims the selected tasks, reporting one a colleague took first, and a retry claims nothing twice', async () => {
    const hung = await as(demo.hung);
    const lan = await as(demo.lan);
    const ids = ['HD-2026-0004', 'HD-2026-0005', 'HD-2026-0006'].map((r) => started[r]!.taskId);
    await lan.task.claim({ id: ids[1]! });
    const result = await hung.task.claimMany({ ids });
    expect(result.claimed).toBe(2);
    expect(result.results.find((r) => r.id === ids[1])).toMatchObject({
      ok: false,
      message: expect.stringContaining('Nguyễn Thị Lan'),
    });
    const again = await hung.task.claimMany({ ids: [ids[0]!, ids[2]!] });
    expect(again.claimed).toBe(2);
    const rows = await handle.db
      .select({ id: tasks.id, version: tasks.version })
      .from(tasks)
      .where(eq(tasks.id, ids[0]!));
    expect(rows[0]!.version).toBe(2); // claimed once
    // IT may not claim accounting's task; the other company's task is not found.
    const tuan = await as(demo.tuan);
    expect(
      (await tuan.task.claimMany({ ids: [started['HD-2026-0007']!.taskId, started['HS-0001']!.taskId] })).results.map(
        (r) => r.ok,
      ),
    ).toEqual([false, false]);
    expect((await hung.task.claimMany({ ids: [started['HS-0001']!.taskId] })).results[0]!.message).toMatch(/not found/);
  });

  it('words each refusal of a bulk claim in the caller’s language by the task’s name, never its id; a bug is not taken for a refusal', async () => {
    const tuanVi = createCaller(
      await createContextInner({ db: handle.db, userId: await idOf(demo.tuan), tenantId: ours, locale: 'vi' }),
    );
    const id = started['HD-2026-0008']!.taskId;
    const [refused] = (await tuanVi.task.claimMany({ ids: [id] })).results;
    expect(refused).toMatchObject({
      ok: false,
      message: 'Việc “Duyệt hóa đơn” không dành cho bạn hay phòng ban của bạn; bạn không nhận được việc này.',
    });
    expect(refused!.message).not.toContain(id);
    const lanVi = createCaller(
      await createContextInner({ db: handle.db, userId: await idOf(demo.lan), tenantId: ours, locale: 'vi' }),
    );
    await (await as(demo.hung)).task.claim({ id });
    expect((await lanVi.task.claimMany({ ids: [id] })).results[0]!.message).toBe(
      'Việc “Duyệt hóa đơn” đã được Trần Văn Hùng nhận trước.',
    );
    // A database error (here an id that is no uuid, which the router would have refused) fails the command instead of being reported as a refusal.
    const lan = (await resolveActor(handle.db, await idOf(demo.lan), 'vi', ours))!;
    await expect(claimMany(handle.db, lan, ['not-a-uuid'])).rejects.toSatisfy(
      (error) => error instanceof Error && !(error instanceof AppError),
    );
  });
});
