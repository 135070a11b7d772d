/**
 * Reading a case, through the API on a real database (PGlite, and PostgreSQL with DATABASE_URL):
 * one read rule for the /instances list and the instance page — a department manager opens the
 * instances of their department's processes, a manager of another department is refused; the
 * instance's data only for those allowed — its assignee sees the variables, a colleague reading it
 * only as their delegate gets the case summary, a history without the data and a flag; another
 * company's instance is not found. The task page's case view reads the same instance.get.
 */
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { memberships, tenants, users } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { createContextInner } from '@/app/server/trpc/init';
import { createCaller } from '@/app/server/trpc/root';
import { nextSteps } from '@/engine/model/next-steps';
import { demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

const ADMIN = 'bao.ngo@senvang.example';
/** Compliance manager: no task in the process below, but it is a compliance process. */
const ANH = 'anh.vu@senvang.example';
/** A secret the delegate must never receive. */
const SECRET = 'Số tài khoản 0123-456-789 <img src=x onerror=alert(1)>';

let handle: DatabaseHandle;
let tenantId: string;

const flow = (id: string, source: string, target: string, more: object = {}) => ({ id, source, target, ...more });

async function idOf(email: string) {
  return (await handle.db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
}

async function as(email: string, tenant: string = tenantId) {
  return createCaller(
    await createContextInner({ db: handle.db, userId: await idOf(email), tenantId: tenant, locale: 'en' }),
  );
}

/** A compliance check: started by anyone, assigned by name to Hùng, then a decision and the end; the vendor sums it up. */
async function publishCheck(tenant: string, key: string) {
  await publishProcess(
    handle.db,
    tenant,
    {
      definition: {
        formatVersion: 1,
        key,
        version: 1,
        name: { en: 'Compliance check', vi: 'Kiểm tra tuân thủ' },
        category: 'compliance',
        startForm: `${key}-start`,
        summary: ['vendor'],
        elements: [
          { id: 's', type: 'startEvent' },
          {
            id: 'check',
            type: 'userTask',
            name: { en: 'Check the vendor', vi: 'Kiểm tra nhà cung cấp' },
            formKey: `${key}-decision`,
            assignee: demo.hung,
          },
          { id: 'ok', type: 'exclusiveGateway', default: 'fine' },
          {
            id: 'escalate',
            type: 'userTask',
            name: 'Escalate',
            formKey: `${key}-decision`,
            candidateGroups: ['risk'],
            candidateRole: 'manager',
          },
          { id: 'e', type: 'endEvent', outcome: 'approved' },
        ],
        flows: [
          flow('f1', 's', 'check'),
          flow('f2', 'check', 'ok'),
          flow('risky', 'ok', 'escalate', { condition: 'decision = "reject"' }),
          flow('fine', 'ok', 'e'),
          flow('f3', 'escalate', 'e'),
        ],
      },
      forms: [
        {
          key: `${key}-start`,
          version: 1,
          title: 'Start',
          schema: {
            type: 'object',
            properties: {
              vendor: { type: 'string', title: 'Vendor' },
              account: { type: 'string', title: 'Bank account' },
            },
          },
        },
        {
          key: `${key}-decision`,
          version: 1,
          title: 'Decision',
          schema: { type: 'object', properties: { decision: { type: 'string', enum: ['approve', 'reject'] } } },
        },
      ],
    },
    null,
  );
}

let instanceId: string;
let taskId: string;

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  await publishCheck(tenantId, 'compliance-check');
  const started = await (
    await as(demo.ngoc)
  ).instance.start({ definitionKey: 'compliance-check', variables: { vendor: 'Công ty Minh Long', account: SECRET } });
  instanceId = started.id;
  taskId = started.taskIds[0]!;
});
afterAll(async () => handle?.close());

describe('one read rule for the list and the instance page', () => {
  it('a manager opens an instance of their department’s process, with its data, as the list shows it to them', async () => {
    // given Anh manages compliance and has no task in the check
    const anh = await as(ANH);
    // when she lists and opens it
    const listed = await anh.runner.instances({});
    const view = await anh.instance.get({ id: instanceId });
    // then the list shows it and the page opens it, data included
    expect(listed.items.map((i) => i.id)).toContain(instanceId);
    expect(view).toMatchObject({
      id: instanceId,
      mayReadData: true,
      variables: { vendor: 'Công ty Minh Long', account: SECRET },
    });
  });

  it('a manager of another department is refused, as the list leaves it out', async () => {
    // Tuấn manages IT: his list has no compliance process, and the page refuses it
    const tuan = await as(demo.tuan);
    expect((await tuan.runner.instances({})).items.map((i) => i.id)).not.toContain(instanceId);
    await expect(tuan.instance.get({ id: instanceId })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('Compliance check'),
    });
    // and staff with no task in it (Ngọc started it: hers)
    await expect((await as(demo.lan)).instance.get({ id: instanceId })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});

describe('the instance’s data, for those allowed', () => {
  it('the assignee sees the variables; a colleague reading it as their delegate sees the summary and a history without the data', async () => {
    // given Hùng holds the check and delegates his tasks to Tuấn now
    const hung = await as(demo.hung);
    expect(await hung.instance.get({ id: instanceId })).toMatchObject({
      mayReadData: true,
      variables: { vendor: 'Công ty Minh Long', account: SECRET },
    });
    await hung.delegation.create({
      delegateId: await idOf(demo.tuan),
      startsAt: new Date(Date.now() - 60_000),
      endsAt: new Date(Date.now() + 86_400_000),
    });

    // when Tuấn reads the instance
    const view = await (await as(demo.tuan)).instance.get({ id: instanceId });

    // then no variables and a flag, the summary labelled by the start form, and nothing of the data anywhere in the answer
    expect(view.mayReadData).toBe(false);
    expect(view.variables).toBeNull();
    expect(view.summary).toEqual([{ name: 'vendor', label: 'Vendor', value: 'Công ty Minh Long' }]);
    expect(JSON.stringify(view)).not.toContain('0123-456-789');
    // the history still tells the story
    expect(view.history.map((e) => e.type)).toEqual(expect.arrayContaining(['instance.started', 'task.created']));
    expect(view.history.find((e) => e.type === 'task.created')!.data).toMatchObject({ assignee: demo.hung });
    // the task he works for Hùng shows him what it shows Hùng: the request's data, to decide on
    const working = await (await as(demo.tuan)).task.get({ id: taskId });
    expect(working).toMatchObject({ id: taskId, dataWithheld: false, onBehalfOf: expect.any(String) });
    expect(working.variables).toMatchObject({ account: SECRET });
  });

  it('an admin, the initiator and a candidate of a later task see the data', async () => {
    for (const who of [ADMIN, demo.ngoc])
      expect((await (await as(who)).instance.get({ id: instanceId })).mayReadData).toBe(true);
    // Hùng completes it with a rejection: the risk managers' escalation is offered, and Hương (risk manager) reads all of it as a candidate
    await (await as(demo.hung)).task.complete({ id: taskId, data: { decision: 'reject' } });
    expect(await (await as('huong.dang@senvang.example')).instance.get({ id: instanceId })).toMatchObject({
      mayReadData: true,
      variables: { account: SECRET },
    });
    // another task of the case (the risk managers' escalation) the delegate reads without the case's data
    const escalation = (await (await as(ADMIN)).instance.get({ id: instanceId })).tasks.find(
      (t) => t.status === 'open',
    )!;
    const done = await (await as(demo.tuan)).task.get({ id: escalation.id });
    expect(done.dataWithheld).toBe(true);
    expect(JSON.stringify(done)).not.toContain('0123-456-789');
    // and the delegate's view still names the decision taken, not the submitted data
    const delegate = await (await as(demo.tuan)).instance.get({ id: instanceId });
    expect(delegate.history.find((e) => e.type === 'task.completed')!.data).toEqual(
      expect.objectContaining({ submission: { decision: 'reject' } }),
    );
  });
});

describe('the task page’s case view', () => {
  it('what happens next after the check, from the version’s definition, with the departments’ names', async () => {
    const view = await (await as(demo.ngoc)).instance.get({ id: instanceId });
    const next = nextSteps(view.diagram, 'check')!;
    expect(next.after).toMatchObject([
      {
        kind: 'split',
        id: 'ok',
        branches: [
          {
            condition: 'decision = "reject"',
            next: [
              { kind: 'userTask', id: 'escalate', assignment: { candidateGroups: ['risk'], candidateRole: 'manager' } },
            ],
          },
          { isDefault: true, next: [{ kind: 'end', outcome: 'approved' }] },
        ],
      },
    ]);
    expect(view.departments.risk).toEqual({ en: 'Risk management', vi: 'Quản trị rủi ro' });
  });
});

describe('another company', () => {
  it('an instance of ours is not found for their admin, nor theirs for ours', async () => {
    const [other] = await handle.db
      .insert(tenants)
      .values({ slug: 'hoa-sen-case', name: 'Công ty Hoa Sen' })
      .returning();
    const [boss] = await handle.db
      .insert(users)
      .values({ email: 'hoa@hoasen-case.example', displayName: 'Trịnh Thị Hoa' })
      .returning();
    await handle.db.insert(memberships).values({ tenantId: other!.id, userId: boss!.id, role: 'admin' });
    await publishCheck(other!.id, 'compliance-check');
    const theirAdmin = await as('hoa@hoasen-case.example', other!.id);
    const theirs = await theirAdmin.instance.start({
      definitionKey: 'compliance-check',
      variables: { vendor: 'Hoa Sen', account: 'x' },
    });

    await expect(theirAdmin.instance.get({ id: instanceId })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    for (const who of [ADMIN, ANH])
      await expect((await as(who)).instance.get({ id: theirs.id })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
