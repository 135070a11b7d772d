/**
 * Process analytics (issue 19) through the routers, on a real database: the counts per process and
 * version, cycle-time percentiles and waiting times on known data (timestamps set by SQL), overdue
 * tasks per department; who sees what (admins and auditors the company, a manager their
 * departments' processes, staff refused, another company never counted); input refused naming the
 * field; and the cache (the same answer within a minute, a fresh one after).
 */
import { and, eq, sql } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import {
  auditEvents,
  groupMembers,
  groups,
  jobs,
  memberships,
  processInstances,
  tasks,
  tenants,
  users,
} from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { AnalyticsCache, analyticsCache, analyticsQuery } from '@/app/server/services/analytics';
import { formatDuration } from '@/app/_i18n/format';
import { heatLevel } from '@/app/_components/diagram/marks';
import { publishProcess } from '@/app/server/services/definitions';
import { createContextInner } from '@/app/server/trpc/init';
import { createCaller } from '@/app/server/trpc/root';
import { demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

let handle: DatabaseHandle;
let ours: string;
let theirs: string;

const ADMIN = 'bao.ngo@senvang.example';
const AUDITOR = 'kiem.toan@senvang.example';
const THEIR_ADMIN = 'giam.doc@hoasen.example';

const HOUR = 3600;
const flow = (id: string, source: string, target: string) => ({ id, source, target });
const forms = (key: string) => [
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
    schema: { type: 'object', properties: { decision: { type: 'string' } } },
  },
];

/**
 * A purchase approved by `group`, in department `group`. Version 2 then waits for the payment (a
 * message correlated by the reference) before it ends.
 */
async function publishPurchase(tenantId: string, key: string, group: string, version = 1) {
  const approve = {
    id: 'approve',
    type: 'userTask',
    name: { en: 'Approve', vi: 'Duyệt' },
    formKey: `${key}-decision`,
    candidateGroups: [group],
  };
  const paid = {
    id: 'paid',
    type: 'intermediateCatchEvent',
    name: { en: 'Paid', vi: 'Đã thanh toán' },
    event: { kind: 'message', name: `${key}-paid`, correlationKey: 'reference' },
  };
  await publishProcess(
    handle.db,
    tenantId,
    {
      definition: {
        formatVersion: 1,
        key,
        version,
        name: { en: `Purchase ${key}`, vi: `Mua hàng ${key}` },
        category: group,
        startForm: `${key}-start`,
        businessKey: 'reference',
        elements:
          version === 1
            ? [{ id: 's', type: 'startEvent' }, approve, { id: 'e', type: 'endEvent' }]
            : [{ id: 's', type: 'startEvent' }, approve, paid, { id: 'e', type: 'endEvent' }],
        flows:
          version === 1
            ? [flow('f1', 's', 'approve'), flow('f2', 'approve', 'e')]
            : [flow('f1', 's', 'approve'), flow('f2', 'approve', 'paid'), flow('f3', 'paid', 'e')],
      },
      forms: version === 1 ? forms(key) : [],
    },
    null,
  );
}

/** Waits three days at a timer, in accounting. */
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

async function idOf(email: string) {
  return (await handle.db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
}

async function as(email: string, tenantId: string = ours, locale: 'en' | 'vi' = 'en') {
  return createCaller(await createContextInner({ db: handle.db, userId: await idOf(email), tenantId, locale }));
}

const started: Record<string, { id: string; taskId?: string }> = {};

async function start(key: string, reference: string, by = demo.ngoc, tenantId = ours) {
  const result = await (
    await as(by, tenantId)
  ).instance.start({ definitionKey: key, variables: key === 'wait' ? {} : { reference } });
  started[reference] = { id: result.id, ...(result.taskIds[0] ? { taskId: result.taskIds[0] } : {}) };
  return started[reference]!;
}

async function complete(reference: string) {
  const hung = await as(demo.hung);
  await hung.task.claim({ id: started[reference]!.taskId! });
  await hung.task.complete({ id: started[reference]!.taskId!, data: { decision: 'approve' } });
}

/** Moves an instance's start and end (and its task's creation and completion) to known times, hours before now. */
async function setTimes(
  reference: string,
  times: { startedHoursAgo: number; cycleHours?: number; taskHours?: number; taskOpenHours?: number },
) {
  const id = started[reference]!.id;
  const at = sql`now() - make_interval(hours => ${times.startedHoursAgo})`;
  await handle.db
    .update(processInstances)
    .set({
      startedAt: at,
      ...(times.cycleHours !== undefined
        ? {
            endedAt: sql`now() - make_interval(hours => ${times.startedHoursAgo}) + make_interval(secs => ${times.cycleHours * HOUR})`,
          }
        : {}),
    })
    .where(eq(processInstances.id, id));
  if (times.taskHours !== undefined) {
    await handle.db
      .update(tasks)
      .set({
        createdAt: at,
        completedAt: sql`now() - make_interval(hours => ${times.startedHoursAgo}) + make_interval(secs => ${times.taskHours * HOUR})`,
      })
      .where(eq(tasks.instanceId, id));
  }
  if (times.taskOpenHours !== undefined) {
    await handle.db
      .update(tasks)
      .set({ createdAt: sql`now() - make_interval(hours => ${times.taskOpenHours})` })
      .where(and(eq(tasks.instanceId, id), eq(tasks.status, 'open')));
  }
}

beforeAll(async () => {
  handle = await createTestDatabase();
  ours = await seedDemo(handle.db);
  const [auditor] = await handle.db.insert(users).values({ email: AUDITOR, displayName: 'Kiểm Toán Viên' }).returning();
  await handle.db.insert(memberships).values({ tenantId: ours, userId: auditor!.id, role: 'auditor' });

  // Another company: the same process key and department key, instances and an overdue task of its own.
  const [other] = await handle.db.insert(tenants).values({ slug: 'hoa-sen', name: 'Công ty Hoa Sen' }).returning();
  theirs = other!.id;
  const [boss] = await handle.db
    .insert(users)
    .values({ email: THEIR_ADMIN, displayName: 'Trịnh Giám Đốc' })
    .returning();
  await handle.db.insert(memberships).values({ tenantId: theirs, userId: boss!.id, role: 'admin' });
  const [group] = await handle.db
    .insert(groups)
    .values({ tenantId: theirs, key: 'accounting', name: 'Kế toán' })
    .returning();
  await handle.db
    .insert(groupMembers)
    .values({ tenantId: theirs, groupId: group!.id, userId: boss!.id, role: 'manager' });
  await publishPurchase(theirs, 'purchase', 'accounting');
  for (const ref of ['HS-1', 'HS-2', 'HS-3']) await start('purchase', ref, THEIR_ADMIN, theirs);
  await handle.db.update(tasks).set({ dueDate: '2020-01-01' }).where(eq(tasks.tenantId, theirs));

  // Ours. Purchase version 1 (accounting): three completed (1 h, 2 h, 4 h; tasks done in 0.5 h, 1 h, 2 h),
  // one running with its task open for 5 hours, one cancelled, one with a failed job (an incident).
  await publishPurchase(ours, 'purchase', 'accounting');
  await publishPurchase(ours, 'it-purchase', 'it');
  await publishWait();
  for (const ref of ['A1', 'A2', 'A3', 'A4', 'A5', 'A6']) await start('purchase', ref);
  for (const ref of ['A1', 'A2', 'A3']) await complete(ref);
  await (await as(demo.ngoc)).instance.cancel({ id: started.A5!.id, reason: 'Nhập trùng' });
  await handle.db.insert(jobs).values({
    tenantId: ours,
    instanceId: started.A6!.id,
    kind: 'service',
    elementId: 'approve',
    jobType: 'check',
    status: 'failed',
    attempts: 3,
    lastError: 'timeout',
  });
  await setTimes('A1', { startedHoursAgo: 240, cycleHours: 1, taskHours: 0.5 });
  await setTimes('A2', { startedHoursAgo: 240, cycleHours: 2, taskHours: 1 });
  await setTimes('A3', { startedHoursAgo: 240, cycleHours: 4, taskHours: 2 });
  await setTimes('A4', { startedHoursAgo: 6, taskOpenHours: 5 });

  // Version 2 waits for the payment: B1 still waits; B2 was paid. Its wait is set to 3 hours by two
  // audit rows written after the real ones (entered along f2 at T, left at T + 3 h).
  await publishPurchase(ours, 'purchase', 'accounting', 2);
  await start('purchase', 'B1');
  await start('purchase', 'B2');
  await complete('B1');
  await complete('B2');
  await (await as(ADMIN)).message.publish({ name: 'purchase-paid', correlationKey: 'B2', variables: {} });
  await handle.db.insert(auditEvents).values([
    {
      tenantId: ours,
      instanceId: started.B2!.id,
      type: 'element.completed',
      elementId: 'approve',
      data: { elementType: 'userTask', flowId: 'f2' },
      at: new Date(Date.now() - 4 * HOUR * 1000),
    },
    {
      tenantId: ours,
      instanceId: started.B2!.id,
      type: 'element.completed',
      elementId: 'paid',
      data: { elementType: 'intermediateCatchEvent', flowId: 'f3' },
      at: new Date(Date.now() - 1 * HOUR * 1000),
    },
  ]);

  // The timer: W1's fired after 2 hours; W2's still pending.
  await start('wait', 'W1');
  await start('wait', 'W2');
  await handle.db
    .update(jobs)
    .set({ status: 'done', completedAt: sql`${jobs.createdAt} + interval '2 hours'` })
    .where(eq(jobs.instanceId, started.W1!.id));

  // IT's purchase, its task overdue; and A4's task (accounting) overdue too, A6's due later.
  await start('it-purchase', 'IT-1');
  await handle.db.update(tasks).set({ dueDate: '2020-01-01' }).where(eq(tasks.instanceId, started['IT-1']!.id));
  await handle.db.update(tasks).set({ dueDate: '2020-02-01' }).where(eq(tasks.instanceId, started.A4!.id));
  await handle.db.update(tasks).set({ dueDate: '2999-01-01' }).where(eq(tasks.instanceId, started.A6!.id));
});
afterAll(async () => handle?.close());
afterEach(() => {
  analyticsCache.clock = Date.now;
  analyticsCache.clear();
});

describe('one process', () => {
  it('counts version 1’s instances by how they stand, with the cycle time percentiles of the completed ones', async () => {
    const answer = await (await as(ADMIN)).analytics.process({ key: 'purchase', version: 1 });
    expect(answer.counts).toMatchObject({ started: 6, running: 1, completed: 3, incident: 1, cancelled: 1 });
    // 1 h, 2 h, 4 h: the median is 2 h; the 90th percentile (interpolated) 2 h + 0.8 × 2 h; the mean 2 h 20 min.
    expect(answer.counts.cycleP50).toBeCloseTo(2 * HOUR, 3);
    expect(answer.counts.cycleP90).toBeCloseTo(3.6 * HOUR, 3);
    expect(answer.counts.cycleMean).toBeCloseTo((7 / 3) * HOUR, 3);
    expect(answer).toMatchObject({
      version: 1,
      versions: [2, 1],
      process: { key: 'purchase', latestVersion: 2, category: 'accounting' },
      diagram: { version: 1 },
    });
    expect(answer.sample).toEqual({ instances: 6, limited: false });
  });

  it('measures the user task’s waits from the tasks: finished ones, and the open one by its age', async () => {
    const answer = await (await as(ADMIN)).analytics.process({ key: 'purchase', version: 1 });
    const approve = answer.elements.find((e) => e.elementId === 'approve')!;
    // 0.5 h, 1 h, 2 h done (A5's cancelled task is not a wait); A4's and A6's open (5 h, and a moment).
    expect(approve).toMatchObject({
      kind: 'task',
      type: 'userTask',
      name: { en: 'Approve', vi: 'Duyệt' },
      count: 3,
      open: 2,
    });
    expect(approve.p50).toBeCloseTo(1 * HOUR, 3);
    expect(approve.p90).toBeCloseTo(1.8 * HOUR, 3);
    expect(approve.mean).toBeCloseTo((3.5 / 3) * HOUR, 3);
    expect(approve.openMax).toBeGreaterThanOrEqual(5 * HOUR);
    expect(approve.openMax).toBeLessThan(5 * HOUR + 120);
  });

  it('reads a message catch’s waits from the audit trail, and counts the one still waiting', async () => {
    const answer = await (await as(ADMIN)).analytics.process({ key: 'purchase', version: 2 });
    expect(answer.counts).toMatchObject({ started: 2, running: 1, completed: 1 });
    const paid = answer.elements.find((e) => e.elementId === 'paid')!;
    // B2 really waited a moment, and (by the two rows written after) 3 hours; B1 waits still.
    expect(paid).toMatchObject({ kind: 'message', type: 'intermediateCatchEvent', count: 2, open: 1 });
    expect(paid.p90).toBeGreaterThan(0.9 * 3 * HOUR - 60);
    expect(paid.p90).toBeLessThanOrEqual(3 * HOUR);
    expect(paid.openP50).toBeGreaterThanOrEqual(0);
  });

  it('reads a timer’s waits from its jobs', async () => {
    const answer = await (await as(ADMIN)).analytics.process({ key: 'wait' });
    expect(answer.elements).toEqual([
      expect.objectContaining({ elementId: 'supplier', kind: 'timer', count: 1, p50: 2 * HOUR, open: 1 }),
    ]);
  });

  it('takes every version the caller may see when none is asked, and each version’s counts', async () => {
    const answer = await (await as(AUDITOR)).analytics.process({ key: 'purchase' });
    expect(answer.counts).toMatchObject({ started: 8, completed: 4, running: 2, incident: 1, cancelled: 1 });
    expect(answer.byVersion.map((v) => [v.version, v.started, v.completed])).toEqual([
      [2, 2, 1],
      [1, 6, 3],
    ]);
    expect(answer.diagram.version).toBe(2);
    expect(answer.elements.map((e) => e.elementId).sort()).toEqual(['approve', 'paid']);
  });

  it('counts only the instances started in the period asked for', async () => {
    const admin = await as(ADMIN);
    expect(
      (await admin.analytics.process({ key: 'purchase', startedFrom: '2020-01-01', startedTo: '2020-12-31' })).counts
        .started,
    ).toBe(0);
    // A1–A3 were started ten days ago: a period of the last five days leaves them out.
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Ho_Chi_Minh' }).format(new Date());
    const fiveDaysAgo = new Date(Date.parse(`${today}T00:00:00Z`) - 4 * 86_400_000).toISOString().slice(0, 10);
    const recent = await admin.analytics.process({ key: 'purchase', version: 1, startedFrom: fiveDaysAgo });
    expect(recent.counts).toMatchObject({ started: 3, completed: 0 });
    expect(recent.range).toEqual({ startedFrom: fiveDaysAgo, startedTo: today });
  });
});

describe('the overview and overdue tasks', () => {
  it('lists every process of the company with its counts, the most started first, and nothing of another company', async () => {
    const { processes } = await (await as(ADMIN)).analytics.overview();
    const byKey = Object.fromEntries(processes.map((p) => [p.key, p]));
    expect(byKey.purchase).toMatchObject({ started: 8, completed: 4, latestVersion: 2 });
    expect(byKey.wait).toMatchObject({ started: 2, running: 2 });
    expect(byKey['it-purchase']).toMatchObject({ started: 1 });
    expect(processes[0]!.key).toBe('purchase');
    // A seeded process nobody started yet is listed with zeros.
    expect(byKey['invoice-approval']).toMatchObject({ started: 0, cycleP50: null });
    const theirAnswer = await (await as(THEIR_ADMIN, theirs)).analytics.overview();
    expect(theirAnswer.processes.map((p) => [p.key, p.started])).toEqual([['purchase', 3]]);
  });

  it('counts open tasks past their due date per department, with its name, within the company', async () => {
    const { departments } = await (await as(ADMIN)).analytics.overdue();
    expect(departments).toEqual([
      { department: 'accounting', name: { en: 'Accounting', vi: 'Kế toán' }, overdue: 1, oldestDue: '2020-02-01' },
      { department: 'it', name: { en: 'IT', vi: 'Công nghệ thông tin' }, overdue: 1, oldestDue: '2020-01-01' },
    ]);
    expect((await (await as(THEIR_ADMIN, theirs)).analytics.overdue()).departments).toEqual([
      { department: 'accounting', name: 'Kế toán', overdue: 3, oldestDue: '2020-01-01' },
    ]);
  });
});

describe('who sees what', () => {
  it('shows a department manager only their departments’ processes, and theirs only among overdue tasks', async () => {
    const lan = await as(demo.lan);
    const { processes } = await lan.analytics.overview();
    expect(processes.map((p) => p.key)).toEqual(expect.arrayContaining(['purchase', 'wait']));
    expect(processes.map((p) => p.key)).not.toContain('it-purchase');
    expect(new Set(processes.map((p) => p.category))).toEqual(new Set(['accounting']));
    expect((await lan.analytics.overview()).departments).toEqual([
      { key: 'accounting', name: { en: 'Accounting', vi: 'Kế toán' } },
    ]);
    expect((await lan.analytics.overdue()).departments.map((d) => d.department)).toEqual(['accounting']);
    expect((await lan.analytics.process({ key: 'purchase' })).counts.started).toBe(8);
    await expect(lan.analytics.process({ key: 'it-purchase' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const tuan = await as(demo.tuan);
    expect((await tuan.analytics.overdue()).departments.map((d) => d.department)).toEqual(['it']);
    expect((await tuan.analytics.process({ key: 'it-purchase' })).counts.started).toBe(1);
  });

  it('refuses staff, in their language', async () => {
    const hung = await as(demo.hung, ours, 'vi');
    for (const call of [
      () => hung.analytics.overview(),
      () => hung.analytics.overdue(),
      () => hung.analytics.process({ key: 'purchase' }),
    ]) {
      await expect(call()).rejects.toMatchObject({
        code: 'FORBIDDEN',
        message: expect.stringContaining('Chỉ quản trị viên'),
      });
    }
  });

  it('finds no process of another company, even under a key both have', async () => {
    const theirAdmin = await as(THEIR_ADMIN, theirs);
    expect((await theirAdmin.analytics.process({ key: 'purchase' })).counts.started).toBe(3);
    await expect(theirAdmin.analytics.process({ key: 'wait' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('input', () => {
  it('refuses what it cannot take with BAD_REQUEST naming the field; an unknown process or version is NOT_FOUND', async () => {
    const admin = await as(ADMIN);
    const refused = async (input: Parameters<typeof admin.analytics.process>[0], field: string) => {
      const error = await admin.analytics.process(input).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error, JSON.stringify(input)).toMatchObject({ code: 'BAD_REQUEST', cause: { fields: [{ field }] } });
    };
    await refused({ key: 'Not A Key' }, 'key');
    await refused({ key: 'purchase', version: 0 }, 'version');
    await refused({ key: 'purchase', version: 1.5 }, 'version');
    await refused({ key: 'purchase', startedFrom: '2026-13-01' }, 'startedFrom');
    await refused({ key: 'purchase', startedTo: 'tomorrow' }, 'startedTo');
    await refused({ key: 'purchase', startedFrom: '2026-03-02', startedTo: '2026-03-01' }, 'startedFrom');
    await refused({ key: 'purchase', startedFrom: '2020-01-01', startedTo: '2026-01-01' }, 'startedFrom');
    await expect(admin.analytics.overview({ startedFrom: '1/2/2026' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      cause: { fields: [{ field: 'startedFrom' }] },
    });
    await expect(admin.analytics.process({ key: 'no-such-process' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: expect.stringContaining('no-such-process'),
    });
    await expect(admin.analytics.process({ key: 'purchase', version: 9 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('names the field by its label in the caller’s language', async () => {
    const admin = await as(ADMIN, ours, 'vi');
    await expect(admin.analytics.process({ key: 'purchase', startedTo: 'mai' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('Khởi tạo đến ngày'),
    });
  });
});

describe('the cache', () => {
  it('answers the same within a minute, and counts again after', async () => {
    const admin = await as(ADMIN);
    const first = await admin.analytics.overview();
    await start('wait', 'W3');
    const again = await admin.analytics.overview();
    expect(again).toBe(first);
    expect(again.processes.find((p) => p.key === 'wait')!.started).toBe(2);
    // Another scope asks its own question: the manager counts the new instance at once.
    expect((await (await as(demo.lan)).analytics.overview()).processes.find((p) => p.key === 'wait')!.started).toBe(3);
    const later = Date.now() + 61_000;
    analyticsCache.clock = () => later;
    const fresh = await admin.analytics.overview();
    expect(fresh).not.toBe(first);
    expect(fresh.processes.find((p) => p.key === 'wait')!.started).toBe(3);
  });

  it('keeps at most its bound of answers, the oldest going first, and keeps no failure', async () => {
    const cache = new AnalyticsCache(2, 1000);
    let now = 0;
    cache.clock = () => now;
    let computed = 0;
    const ask = (key: string) => cache.get(key, async () => ++computed);
    expect(await ask('a')).toBe(1);
    expect(await ask('b')).toBe(2);
    expect(await ask('a')).toBe(1);
    expect(await ask('c')).toBe(3);
    expect(cache.size).toBe(2);
    expect(await ask('a')).toBe(4); // "a" was the oldest entry: gone
    now = 1000;
    expect(await ask('c')).toBe(5); // expired
    await expect(cache.get('x', async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await cache.get('x', async () => 'ok')).toBe('ok');
  });
});

describe('what the pages read and show', () => {
  it('keeps of an address’s query only the values the schema takes', () => {
    const query = (q: Record<string, string>) => analyticsQuery((name) => q[name]);
    expect(query({ version: '2', startedFrom: '2026-01-01', startedTo: '2026-01-31' })).toEqual({
      version: 2,
      startedFrom: '2026-01-01',
      startedTo: '2026-01-31',
    });
    expect(query({ version: 'abc', startedFrom: 'yesterday', startedTo: '2026-02-30' })).toEqual({});
    expect(query({ version: '0', startedFrom: '' })).toEqual({});
  });

  it('says a duration in its largest unit, in the reader’s words and numbers', () => {
    expect(formatDuration(42, 'en')).toBe('42 seconds');
    expect(formatDuration(45 * 60, 'en')).toBe('45 minutes');
    expect(formatDuration(90 * 60, 'en')).toBe('1.5 hours');
    expect(formatDuration(3.5 * HOUR, 'vi')).toBe('3,5 giờ');
    expect(formatDuration(36 * HOUR, 'en')).toBe('1.5 days');
    expect(formatDuration(36 * HOUR, 'vi')).toBe('1,5 ngày');
  });

  it('colours a wait by its level: under 1 hour, 1–8 hours, 8 hours–1 day, 1–3 days, 3 days or more', () => {
    expect([0, HOUR - 1, HOUR, 8 * HOUR, 24 * HOUR, 72 * HOUR, 1e9].map(heatLevel)).toEqual([0, 0, 1, 2, 3, 4, 4]);
  });
});
