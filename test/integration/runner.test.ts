/**
 * The runner's lists (issue 19) through the routers, on a real database: My requests (only the
 * caller's, each with where it is now), the instances list (admins and auditors see the company's,
 * a department manager their departments' processes, staff are refused, another company's never
 * appear), their keyset pages (every row once), the filters, and the CSV export — its access, its
 * byte-order mark, its formula-safe cells, its cap — through the route handler too.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { and, eq } from 'drizzle-orm';
import {
  groupMembers,
  groups,
  jobs,
  memberships,
  processDefinitions,
  processInstances,
  tenants,
  users,
} from '@/db/schema';
import { GET as exportRoute } from '@/app/api/instances/export/route';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { instancesCsv } from '@/app/server/services/instance-export';
import { requireInstanceScope } from '@/app/server/services/instance-list';
import { createContextInner, type Context } from '@/app/server/trpc/init';
import { createCaller } from '@/app/server/trpc/root';
import { demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

// The export's route handler reads the request's session through requestContext: here, the context a test sets.
const request = vi.hoisted(() => ({ ctx: null as Context | null }));
vi.mock('@/app/server/request', () => ({ requestContext: async () => request.ctx }));

let handle: DatabaseHandle;
let ours: string;
let theirs: string;

const ADMIN = 'bao.ngo@senvang.example';
const AUDITOR = 'kiem.toan@senvang.example';
const THEIR_ADMIN = 'giam.doc@hoasen.example';
const THEIR_CLERK = 'sen@hoasen.example';

const flow = (id: string, source: string, target: string) => ({ id, source, target });
const approved = { en: 'Approved', vi: 'Đã duyệt' };
const approveName = { en: 'Approve the purchase', vi: 'Duyệt mua hàng' };

/** A purchase offered to `group`'s members, in department `category` (none when null); its end event's outcome is "approved". */
async function publishPurchase(tenantId: string, key: string, group: string, category: string | null) {
  await publishProcess(
    handle.db,
    tenantId,
    {
      definition: {
        formatVersion: 1,
        key,
        version: 1,
        name: { en: `Purchase ${key}`, vi: `Mua hàng ${key}` },
        ...(category ? { category } : {}),
        startForm: `${key}-start`,
        businessKey: 'reference',
        elements: [
          { id: 's', type: 'startEvent' },
          { id: 'approve', type: 'userTask', name: approveName, formKey: `${key}-decision`, candidateGroups: [group] },
          { id: 'e', type: 'endEvent', name: approved, outcome: 'approved' },
        ],
        flows: [flow('f1', 's', 'approve'), flow('f2', 'approve', 'e')],
      },
      forms: [
        {
          key: `${key}-start`,
          version: 1,
          title: 'Start',
          schema: { type: 'object', properties: { reference: { type: 'string' } } },
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

/** Waits three days at a timer (named), in accounting; no business key. */
async function publishWait() {
  await publishProcess(
    handle.db,
    ours,
    {
      definition: {
        formatVersion: 1,
        key: 'wait',
        version: 1,
        name: { en: 'Wait', vi: 'Chờ' },
        category: 'accounting',
        elements: [
          { id: 's', type: 'startEvent' },
          {
            id: 'supplier',
            type: 'intermediateCatchEvent',
            name: { en: 'Wait for the supplier', vi: 'Chờ nhà cung cấp' },
            event: { kind: 'timer', duration: 'P3D' },
          },
          { id: 'e', type: 'endEvent' },
        ],
        flows: [flow('f1', 's', 'supplier'), flow('f2', 'supplier', 'e')],
      },
      forms: [],
    },
    null,
  );
}

/** Calls "purchase" (accounting) from operations: the called instance's task is where the bundle is. */
async function publishBundle() {
  await publishProcess(
    handle.db,
    ours,
    {
      definition: {
        formatVersion: 1,
        key: 'bundle',
        version: 1,
        name: { en: 'Bundle', vi: 'Gói mua hàng' },
        category: 'operations',
        startForm: 'bundle-start',
        businessKey: 'reference',
        elements: [
          { id: 's', type: 'startEvent' },
          {
            id: 'buy',
            type: 'callActivity',
            name: { en: 'Buy', vi: 'Mua' },
            calledElement: 'purchase',
            inputs: { reference: 'reference + "-child"' },
          },
          { id: 'e', type: 'endEvent' },
        ],
        flows: [flow('f1', 's', 'buy'), flow('f2', 'buy', 'e')],
      },
      forms: [
        {
          key: 'bundle-start',
          version: 1,
          title: 'Start',
          schema: { type: 'object', properties: { reference: { type: 'string' } } },
        },
      ],
    },
    null,
  );
}

async function idOf(email: string) {
  return (await handle.db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
}

async function ctxOf(email: string | null, tenantId: string = ours) {
  return createContextInner({
    db: handle.db,
    userId: email ? await idOf(email) : null,
    tenantId: email ? tenantId : null,
    locale: 'en',
  });
}

async function as(email: string, tenantId: string = ours) {
  return createCaller(await ctxOf(email, tenantId));
}

const started: Record<string, { id: string; taskId?: string }> = {};

async function start(key: string, reference: string | null, by = demo.ngoc, tenantId = ours) {
  const result = await (
    await as(by, tenantId)
  ).instance.start({ definitionKey: key, variables: reference === null ? {} : { reference } });
  started[reference ?? key] = { id: result.id, ...(result.taskIds[0] ? { taskId: result.taskIds[0] } : {}) };
  return started[reference ?? key]!;
}

beforeAll(async () => {
  handle = await createTestDatabase();
  ours = await seedDemo(handle.db);
  await publishPurchase(ours, 'purchase', 'accounting', 'accounting');
  await publishPurchase(ours, 'it-purchase', 'it', 'it');
  await publishPurchase(ours, 'loose', 'operations', null);
  await publishWait();
  await publishBundle();
  const [auditor] = await handle.db.insert(users).values({ email: AUDITOR, displayName: 'Kiểm Toán Viên' }).returning();
  await handle.db.insert(memberships).values({ tenantId: ours, userId: auditor!.id, role: 'auditor' });

  // Another company: an accounting department of the same key, its own purchase process and admin.
  const [other] = await handle.db.insert(tenants).values({ slug: 'hoa-sen', name: 'Công ty Hoa Sen' }).returning();
  theirs = other!.id;
  const [clerk, boss] = await handle.db
    .insert(users)
    .values([
      { email: THEIR_CLERK, displayName: 'Lý Văn Sen' },
      { email: THEIR_ADMIN, displayName: 'Trịnh Giám Đốc' },
    ])
    .returning();
  await handle.db.insert(memberships).values([
    { tenantId: theirs, userId: clerk!.id, role: 'staff' },
    { tenantId: theirs, userId: boss!.id, role: 'admin' },
  ]);
  const [group] = await handle.db
    .insert(groups)
    .values({ tenantId: theirs, key: 'accounting', name: 'Kế toán' })
    .returning();
  await handle.db
    .insert(groupMembers)
    .values({ tenantId: theirs, groupId: group!.id, userId: clerk!.id, role: 'manager' });
  await publishPurchase(theirs, 'purchase', 'accounting', 'accounting');
  await start('purchase', 'HS-1', THEIR_CLERK, theirs);

  // Ngọc's requests, oldest first.
  await start('purchase', 'HD-1');
  await start('purchase', 'HD-2');
  await start('purchase', 'HD-3');
  await start('purchase', 'HD-4');
  const hung = await as(demo.hung);
  await hung.task.claim({ id: started['HD-2']!.taskId! });
  await hung.task.claim({ id: started['HD-3']!.taskId! });
  await hung.task.complete({ id: started['HD-3']!.taskId!, data: { decision: 'approve' } });
  await (await as(demo.ngoc)).instance.cancel({ id: started['HD-4']!.id, reason: 'Nhập trùng' });
  await start('it-purchase', 'IT-1');
  await start('wait', null);
  await start('bundle', 'B-1');
  await start('loose', 'L-1');
  // Quân's, in accounting's process.
  await start('purchase', 'Q-1', demo.quan);
  // A service job of HD-1 that used up its retries: an open incident of a running instance.
  await handle.db.insert(jobs).values({
    tenantId: ours,
    instanceId: started['HD-1']!.id,
    kind: 'service',
    elementId: 'approve',
    jobType: 'check',
    status: 'failed',
    attempts: 3,
    lastError: 'timeout',
  });
});
afterAll(async () => handle?.close());

const keys = (page: { items: { businessKey: string | null }[] }) => page.items.map((r) => r.businessKey);
/**
 * The keys in the list's order, with a called instance ("B-1-child") in its caller's place: both
 * were started in one transaction, at the same time, so which of the two comes first is their ids'.
 */
const inOrder = (page: { items: { businessKey: string | null }[] }) => {
  const all = keys(page);
  return all.includes('B-1-child') && !all.includes('B-1')
    ? all.map((k) => (k === 'B-1-child' ? 'B-1' : k))
    : all.filter((k) => k !== 'B-1-child');
};
const hasChild = (page: { items: { businessKey: string | null }[] }) => keys(page).includes('B-1-child');

describe('My requests', () => {
  it('lists only what the caller started, newest first, and no instance a process called for them', async () => {
    const ngoc = await as(demo.ngoc);
    const page = await ngoc.runner.requests({ limit: 100 });
    expect(keys(page)).toEqual(['L-1', 'B-1', null, 'IT-1', 'HD-4', 'HD-3', 'HD-2', 'HD-1']);
    expect(page.next).toBeNull();
    expect(keys(page)).not.toContain('B-1-child');
    expect(keys(await (await as(demo.quan)).runner.requests())).toEqual(['Q-1']);
    expect(keys(await (await as(THEIR_CLERK, theirs)).runner.requests())).toEqual(['HS-1']);
    expect(keys(await (await as(demo.hung)).runner.requests())).toEqual([]);
  });

  it('says where each one is: the step, who has it, since when — or where it waits, or how it ended', async () => {
    const { items } = await (await as(demo.ngoc)).runner.requests({ limit: 100 });
    const of = (key: string | null) => items.find((r) => r.businessKey === key)!;
    // offered to the department (by its name), since the task was created; a failed job shows as an incident
    expect(of('HD-1')).toMatchObject({ status: 'active', hasIncident: true, process: { key: 'purchase', version: 1 } });
    expect(of('HD-1').where.tasks).toEqual([
      {
        taskId: started['HD-1']!.taskId,
        name: approveName,
        elementId: 'approve',
        assignee: null,
        departments: [{ en: 'Accounting', vi: 'Kế toán' }],
        toManagers: false,
        people: [],
        since: expect.any(Date),
      },
    ]);
    // claimed: who has it
    expect(of('HD-2')).toMatchObject({
      status: 'active',
      hasIncident: false,
      where: { tasks: [{ assignee: 'Trần Văn Hùng', departments: [] }], waitingAt: [], outcome: null },
    });
    // completed: the end event reached, by name
    expect(of('HD-3')).toMatchObject({
      status: 'completed',
      where: { tasks: [], waitingAt: [], outcome: { key: 'approved', name: approved } },
    });
    expect(of('HD-3').endedAt).toBeInstanceOf(Date);
    expect(of('HD-4')).toMatchObject({ status: 'terminated', where: { tasks: [], waitingAt: [], outcome: null } });
    // no task: the element it waits at
    expect(of(null)).toMatchObject({
      status: 'active',
      where: {
        tasks: [],
        waitingAt: [{ elementId: 'supplier', name: { en: 'Wait for the supplier', vi: 'Chờ nhà cung cấp' } }],
      },
    });
    // waiting in a call activity: the called instance's task
    expect(of('B-1').where).toMatchObject({
      tasks: [{ elementId: 'approve', departments: [{ en: 'Accounting', vi: 'Kế toán' }] }],
      waitingAt: [],
    });
  });

  it('pages by keyset: every request exactly once, in order, whatever the page size; a forged cursor is refused', async () => {
    const ngoc = await as(demo.ngoc);
    const all = (await ngoc.runner.requests({ limit: 100 })).items.map((r) => r.id);
    for (const limit of [1, 3, 7]) {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 20; pages++) {
        const page = await ngoc.runner.requests({ limit, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((r) => r.id));
        if (!page.next) break;
        cursor = page.next;
      }
      expect(seen).toEqual(all);
    }
    await expect(
      ngoc.runner.requests({ cursor: Buffer.from('["2026-01-01", "x"]').toString('base64url') }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('refuses a cursor of the right shape but no real time, naming it in the caller’s language (400, not a database error)', async () => {
    const feb30 = Buffer.from(
      JSON.stringify(['2026-02-30T10:00:00.000000Z', '00000000-0000-4000-8000-000000000000']),
    ).toString('base64url');
    const vi = createCaller(
      await createContextInner({ db: handle.db, userId: await idOf(demo.ngoc), tenantId: ours, locale: 'vi' }),
    );
    await expect(vi.runner.requests({ cursor: feb30 })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining(`con trỏ “${feb30.slice(0, 24)}…”`),
    });
    await expect(
      (await as(ADMIN)).runner.instances({ cursor: feb30 }).catch((e: { code: string }) => e.code),
    ).resolves.toBe('BAD_REQUEST');
  });

  it('lists what the caller initiated, not what a timer or a process started under their name as publisher', async () => {
    // A start by a timer (or a process's message or signal) names the version's publisher in started_by and records no initiator.
    const [purchase] = await handle.db
      .select({ id: processDefinitions.id })
      .from(processDefinitions)
      .where(and(eq(processDefinitions.tenantId, ours), eq(processDefinitions.key, 'purchase')));
    const [timerStart] = await handle.db
      .insert(processInstances)
      .values({
        tenantId: ours,
        definitionId: purchase!.id,
        businessKey: 'TIMER-1',
        status: 'active',
        state: { status: 'active', active: [], variables: {} } as never,
        startedBy: await idOf(demo.ngoc),
      })
      .returning({ id: processInstances.id, initiatorId: processInstances.initiatorId });
    try {
      expect(timerStart!.initiatorId).toBeNull();
      const mine = keys(await (await as(demo.ngoc)).runner.requests({ limit: 100 }));
      expect(mine).not.toContain('TIMER-1');
      expect(mine).toEqual(['L-1', 'B-1', null, 'IT-1', 'HD-4', 'HD-3', 'HD-2', 'HD-1']);
      // Her own starts carry her as initiator, computed by the database from the engine's record.
      const [own] = await handle.db
        .select({ initiatorId: processInstances.initiatorId })
        .from(processInstances)
        .where(eq(processInstances.id, started['HD-1']!.id));
      expect(own!.initiatorId).toBe(await idOf(demo.ngoc));
    } finally {
      await handle.db.delete(processInstances).where(eq(processInstances.id, timerStart!.id));
    }
  });
});

describe('the instances list', () => {
  /** Ours, newest first (a called instance aside: see inOrder). */
  const ourKeys = ['Q-1', 'L-1', 'B-1', null, 'IT-1', 'HD-4', 'HD-3', 'HD-2', 'HD-1'];

  it('shows admins and auditors every instance of the company, called ones too, and nothing of another company', async () => {
    for (const who of [ADMIN, AUDITOR]) {
      const page = await (await as(who)).runner.instances({ limit: 100 });
      expect(inOrder(page)).toEqual(ourKeys);
      expect(hasChild(page)).toBe(true);
    }
    expect(keys(await (await as(THEIR_ADMIN, theirs)).runner.instances())).toEqual(['HS-1']);
    const child = (await (await as(ADMIN)).runner.instances({ limit: 100 })).items.find(
      (r) => r.businessKey === 'B-1-child',
    )!;
    expect(child).toMatchObject({
      parentId: started['B-1']!.id,
      startedBy: 'Bùi Thị Ngọc',
      process: { key: 'purchase', category: 'accounting' },
    });
  });

  it('shows a department manager only the instances of their departments’ processes', async () => {
    // Lan manages accounting: purchase (whoever started it, called ones too) and wait; not IT's, operations' or those of no department.
    const lan = await (await as(demo.lan)).runner.instances({ limit: 100 });
    expect(inOrder(lan)).toEqual(['Q-1', 'B-1', null, 'HD-4', 'HD-3', 'HD-2', 'HD-1']);
    expect(keys(lan)).not.toContain('B-1');
    expect(keys(await (await as(demo.tuan)).runner.instances())).toEqual(['IT-1']);
    expect(keys(await (await as(demo.quan)).runner.instances())).toEqual(['B-1']);
    // a designer who manages data, whose processes have no instance: an empty list, not a refusal
    expect(keys(await (await as('trang.hoang@senvang.example')).runner.instances())).toEqual([]);
    // a filter never reaches past the scope
    expect(keys(await (await as(demo.lan)).runner.instances({ process: 'it-purchase' }))).toEqual([]);
    // the filters offer a manager their processes only, and name their departments
    const options = await (await as(demo.lan)).runner.instanceFilters();
    // (the seeded library's accounting templates are accounting's too)
    expect(options.processes.map((p) => p.key)).toEqual(
      expect.arrayContaining(['purchase', 'wait', 'invoice-approval']),
    );
    expect(options.processes.map((p) => p.key)).not.toEqual(expect.arrayContaining(['it-purchase']));
    expect(
      options.processes.map((p) => p.key).filter((k) => ['bundle', 'loose', 'equipment-request'].includes(k)),
    ).toEqual([]);
    expect(options.departments).toEqual([{ key: 'accounting', name: { en: 'Accounting', vi: 'Kế toán' } }]);
    expect((await (await as(ADMIN)).runner.instanceFilters()).processes.map((p) => p.key)).toContain('it-purchase');
  });

  it('refuses staff who manage no department (and the list’s filters), in their language', async () => {
    for (const who of [demo.hung, demo.ngoc]) {
      const caller = await as(who);
      await expect(caller.runner.instances()).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringContaining('Only admins, auditors and department managers'),
      });
      await expect(caller.runner.instanceFilters()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    }
    const hungInVietnamese = createCaller(
      await createContextInner({ db: handle.db, userId: await idOf(demo.hung), tenantId: ours, locale: 'vi' }),
    );
    await expect(hungInVietnamese.runner.instances()).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('Chỉ quản trị viên'),
    });
  });

  it('filters by process, version, status, starter, dates and open incident', async () => {
    const admin = await as(ADMIN);
    const list = async (filter: Parameters<typeof admin.runner.instances>[0]) =>
      inOrder(await admin.runner.instances({ limit: 100, ...filter }));
    expect(await list({ process: 'purchase' })).toEqual(['Q-1', 'B-1', 'HD-4', 'HD-3', 'HD-2', 'HD-1']);
    expect(await list({ process: 'purchase', version: 1 })).toEqual(await list({ process: 'purchase' }));
    expect(await list({ process: 'purchase', version: 2 })).toEqual([]);
    expect(await list({ status: 'completed' })).toEqual(['HD-3']);
    expect(await list({ status: 'cancelled' })).toEqual(['HD-4']);
    expect(await list({ status: 'incident' })).toEqual([]);
    expect(await list({ incident: true })).toEqual(['HD-1']);
    expect(await list({ incident: false })).not.toContain('HD-1');
    expect(await list({ startedBy: await idOf(demo.quan) })).toEqual(['Q-1']);
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
    expect(await list({ startedFrom: today, startedTo: today })).toEqual(ourKeys);
    expect(await list({ startedTo: '2020-01-01' })).toEqual([]);
    expect(await list({ startedFrom: '2999-01-01' })).toEqual([]);
  });

  it('pages by keyset: every instance exactly once, filtered or not', async () => {
    const admin = await as(ADMIN);
    for (const filter of [{}, { process: 'purchase' }]) {
      const all = (await admin.runner.instances({ limit: 100, ...filter })).items.map((r) => r.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 20; pages++) {
        const page = await admin.runner.instances({ limit: 3, ...filter, ...(cursor ? { cursor } : {}) });
        seen.push(...page.items.map((r) => r.id));
        if (!page.next) break;
        cursor = page.next;
      }
      expect(seen).toEqual(all);
      expect(new Set(seen).size).toBe(seen.length);
    }
  });
});

/** The export as bytes and as text (the byte-order mark kept). */
async function read(stream: ReadableStream<Uint8Array>) {
  const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
  return { bytes, text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes) };
}

describe('the CSV export', () => {
  const odd = ['=1+1', '+x', '-x', '@x', 'a,b', 'say "hi"', 'line\nbreak'];

  beforeAll(async () => {
    await publishPurchase(ours, 'odd-names', 'risk', 'risk');
    for (const reference of odd) await start('odd-names', reference, ADMIN);
  });

  it('starts with the byte-order mark and a header, and writes every cell safe to open in a spreadsheet', async () => {
    const actor = (await ctxOf(ADMIN)).actor!;
    const { bytes, text } = await read(
      instancesCsv(handle.db, actor, requireInstanceScope(actor), { process: 'odd-names' }),
    );
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect(
      text.startsWith('\uFEFFBusiness key,Process,Version,Status,Started by,Started at,Ended at,Current step\r\n'),
    ).toBe(true);
    for (const cell of [`"'=1+1"`, `"'+x"`, `"'-x"`, `"'@x"`, '"a,b"', '"say ""hi"""', '"line\nbreak"'])
      expect(text).toContain(`\r\n${cell},Purchase odd-names,1,In progress,Ngô Quốc Bảo,`);
    expect(text).toMatch(
      /,"Approve the purchase — offered to Risk management, since \d{4}-\d{2}-\d{2} \d{2}:\d{2}"\r\n/,
    );
    expect(text.split('\r\n').filter(Boolean)).toHaveLength(1 + odd.length);
  });

  it('says where each is, in the reader’s language, and exports only what the reader may see', async () => {
    const lan = (
      await createContextInner({ db: handle.db, userId: await idOf(demo.lan), tenantId: ours, locale: 'vi' })
    ).actor!;
    const { text } = await read(instancesCsv(handle.db, lan, requireInstanceScope(lan), {}));
    const lines = text.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe(
      '\uFEFFMã tham chiếu,Quy trình,Phiên bản,Trạng thái,Người khởi tạo,Thời điểm khởi tạo,Thời điểm kết thúc,Bước hiện tại',
    );
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',')[0])
        .filter((k) => k !== 'B-1-child'),
    ).toEqual(['Q-1', '', 'HD-4', 'HD-3', 'HD-2', 'HD-1']);
    expect(lines.some((l) => l.startsWith('B-1-child,Mua hàng purchase,1,Đang xử lý,Bùi Thị Ngọc,'))).toBe(true);
    expect(text).toContain('HD-3,Mua hàng purchase,1,Đã hoàn thành,Bùi Thị Ngọc,');
    expect(text).toContain(',Kết thúc: Đã duyệt\r\n');
    expect(text).toContain('HD-2,Mua hàng purchase,1,Đang xử lý,Bùi Thị Ngọc,');
    expect(text).toMatch(/HD-2,.*,"Duyệt mua hàng — Trần Văn Hùng đang xử lý, từ \d{4}-\d{2}-\d{2} \d{2}:\d{2}"\r\n/);
    expect(text).toContain(',"Duyệt mua hàng — giao cho Kế toán, từ ');
    expect(text).toContain('HD-1,Mua hàng purchase,1,Đang xử lý (đang có sự cố),');
    expect(text).toContain(',Đang chờ tại Chờ nhà cung cấp\r\n');
    expect(text).not.toContain('IT-1');
    expect(text).not.toContain('odd-names');
    expect(text).not.toContain('HS-1');
  });

  it('stops at the cap with a last line that says so', async () => {
    const actor = (await ctxOf(ADMIN)).actor!;
    const { text } = await read(instancesCsv(handle.db, actor, requireInstanceScope(actor), {}, { cap: 5, batch: 2 }));
    const lines = text.split('\r\n').filter(Boolean);
    expect(lines).toHaveLength(1 + 5 + 1);
    expect(lines.at(-1)).toBe(
      'The export stops at 5 rows: narrow the filters (for example the dates) to export the rest.',
    );
    // exactly at the cap: no such line
    const exact = await read(
      instancesCsv(
        handle.db,
        actor,
        requireInstanceScope(actor),
        { process: 'odd-names' },
        { cap: odd.length, batch: 3 },
      ),
    );
    expect(exact.text).not.toContain('The export stops');
    // nothing to export: the header alone
    expect(
      (await read(instancesCsv(handle.db, actor, requireInstanceScope(actor), { process: 'nothing-here' }))).text,
    ).toBe('\uFEFFBusiness key,Process,Version,Status,Started by,Started at,Ended at,Current step\r\n');
  });

  describe('GET /api/instances/export', () => {
    const get = (query = '') => exportRoute(new Request(`http://trellis.test/api/instances/export${query}`));

    it('answers 401 signed out and 403 to staff who manage no department', async () => {
      request.ctx = await ctxOf(null);
      expect((await get()).status).toBe(401);
      request.ctx = await ctxOf(demo.hung);
      const refused = await get();
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringContaining('department managers'),
      });
    });

    it('refuses a filter value that is not one, naming it', async () => {
      request.ctx = await ctxOf(ADMIN);
      const refused = await get('?version=abc&status=lost');
      expect(refused.status).toBe(400);
      expect((await refused.json()).message).toMatch(/: status, version\./);
    });

    it('sends the filtered list as a CSV attachment with the byte-order mark', async () => {
      request.ctx = await ctxOf(ADMIN);
      const response = await get('?process=odd-names&incident=0');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(response.headers.get('content-disposition')).toMatch(
        /^attachment; filename="instances-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      const { bytes, text } = await read(response.body!);
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(text).toContain(`\r\n"'=1+1",Purchase odd-names,`);
      expect(text.split('\r\n').filter(Boolean)).toHaveLength(1 + odd.length);
      // a manager's export is their departments' only; another company's admin gets theirs
      request.ctx = await ctxOf(demo.tuan);
      expect(
        (await read((await get()).body!)).text
          .split('\r\n')
          .filter(Boolean)
          .map((l) => l.split(',')[0]),
      ).toEqual(['\uFEFFBusiness key', 'IT-1']);
      request.ctx = await ctxOf(THEIR_ADMIN, theirs);
      expect(
        (await read((await get()).body!)).text
          .split('\r\n')
          .filter(Boolean)
          .map((l) => l.split(',')[0]),
      ).toEqual(['\uFEFFBusiness key', 'HS-1']);
    });
  });
});

describe('every query stays in the caller’s company', () => {
  it('never lists an instance of another company, whatever the filter', async () => {
    const theirIds = (
      await handle.db
        .select({ id: processInstances.id })
        .from(processInstances)
        .where(eq(processInstances.tenantId, theirs))
    ).map((r) => r.id);
    const admin = await as(ADMIN);
    for (const filter of [
      {},
      { process: 'purchase' },
      { status: 'active' as const },
      { startedBy: await idOf(THEIR_CLERK) },
    ]) {
      const ids = (await admin.runner.instances({ limit: 100, ...filter })).items.map((r) => r.id);
      expect(ids.filter((id) => theirIds.includes(id))).toEqual([]);
    }
    // the admin's own requests: the odd names they started, newest first
    expect(keys(await admin.runner.requests({ limit: 100 }))).toEqual([
      'line\nbreak',
      'say "hi"',
      'a,b',
      '@x',
      '-x',
      '+x',
      '=1+1',
    ]);
  });
});
