/**
 * What the server used to refuse and the engine always ran (issue 15): business rule tasks whose
 * decision tables (DMN or JSON) are published, versioned and pinned with the process; and user
 * tasks for named people — an assignee or candidate users, as an e-mail address or a FEEL
 * expression — resolved to members of the company when the task is created, with an incident
 * naming the element when nobody matches. Through the routers, on PGlite (and PostgreSQL with
 * DATABASE_URL).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import {
  auditEvents,
  decisions,
  emailOutbox,
  memberships,
  processDefinitions,
  processInstances,
  tasks,
  tenants,
  users,
} from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { publishProcess } from '@/app/server/services/definitions';
import { loadTemplatePacks } from '@/app/server/templates';
import { defaultConnectors } from '@/app/server/connectors';
import { createWorker } from '@/app/server/host/worker';
import { createContextInner } from '@/app/server/trpc/init';
import { createCaller } from '@/app/server/trpc/root';
import { camundaInvoice, INVOICE_DIR } from '../support/camunda-invoice';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

const ADMIN = 'bao.ngo@senvang.example';
const DESIGNER = 'trang.hoang@senvang.example';
const HUONG = 'huong.dang@senvang.example'; // risk; joins sales here
const OUTSIDER = 'sen@hoasen.example'; // a member of another company

let handle: DatabaseHandle;
let tenantId: string;
const as = (email: string) => callerFor(handle.db, email);
const idOf = async (email: string) =>
  (await handle.db.select({ id: users.id }).from(users).where(eq(users.email, email)))[0]!.id;
const flow = (id: string, source: string, target: string) => ({ id, source, target });

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  // The departments the invoice decision names: accounting is one; sales and management are made here.
  const admin = await as(ADMIN);
  const sales = await admin.department.create({ key: 'sales', name: { en: 'Sales', vi: 'Kinh doanh' } });
  await admin.department.addMember({ groupId: sales.id, userId: await idOf(HUONG) });
  const management = await admin.department.create({
    key: 'management',
    name: { en: 'Management', vi: 'Ban giám đốc' },
  });
  await admin.department.setManager({ groupId: management.id, userId: await idOf(demo.quan) });
  // Another company, with a member of its own.
  const [other] = await handle.db.insert(tenants).values({ slug: 'hoa-sen', name: 'Công ty Hoa Sen' }).returning();
  const [outsider] = await handle.db.insert(users).values({ email: OUTSIDER, displayName: 'Lý Văn Sen' }).returning();
  await handle.db.insert(memberships).values({ tenantId: other!.id, userId: outsider!.id, role: 'staff' });
});
afterAll(async () => handle?.close());

/** A one-task process: a start form with `fields`, then `task` (a user task's people), then the end. */
function oneTask(key: string, task: Record<string, unknown>, fields: Record<string, unknown> = {}) {
  return {
    definition: {
      formatVersion: 1,
      key,
      version: 1,
      name: key,
      startForm: `${key}-start`,
      elements: [
        { id: 's', type: 'startEvent' },
        { id: 'approve', type: 'userTask', name: 'Approve', formKey: `${key}-task`, ...task },
        { id: 'e', type: 'endEvent' },
      ],
      flows: [flow('f1', 's', 'approve'), flow('f2', 'approve', 'e')],
    },
    forms: [
      {
        key: `${key}-start`,
        version: 1,
        title: 'Start',
        schema: { type: 'object', properties: { note: { type: 'string' }, ...fields } },
      },
      {
        key: `${key}-task`,
        version: 1,
        title: 'Decide',
        schema: { type: 'object', properties: { ok: { type: 'boolean' } } },
      },
    ],
  };
}

async function publish(input: object) {
  return (await as(DESIGNER)).definition.publish(input as never);
}

async function openTask(instanceId: string) {
  const rows = await handle.db
    .select()
    .from(tasks)
    .where(and(eq(tasks.instanceId, instanceId), eq(tasks.status, 'open')));
  return rows;
}

async function instanceRow(id: string) {
  return (await handle.db.select().from(processInstances).where(eq(processInstances.id, id)))[0]!;
}

const inbox = async (email: string, instanceId: string) =>
  (await (await as(email)).task.list()).filter((t) => t.instanceId === instanceId).map((t) => t.elementId);

describe('decision tables on the server', () => {
  it('publishes the Camunda invoice with its DMN, pins both decisions of its requirement graph, and routes by them', async () => {
    const { review, invoice } = await camundaInvoice({
      teamAssistant: demo.ngoc,
      reviewers: [{ email: demo.lan, name: 'Nguyễn Thị Lan' }],
      archive: 'luu-tru@senvang.example',
    });
    await publish(review);
    const published = await publish(invoice);
    expect(published).toMatchObject({ key: 'invoice', version: 1 });

    // the process version pins the decision its task calls and the one that requires
    const [row] = await handle.db
      .select({ decisionIds: processDefinitions.decisionIds })
      .from(processDefinitions)
      .where(eq(processDefinitions.id, published.id));
    expect(Object.keys(row!.decisionIds).sort()).toEqual(['invoice-assign-approver', 'invoiceClassification']);
    const stored = (await handle.db.select().from(decisions).where(eq(decisions.tenantId, tenantId))).filter(
      (d) => d.key.startsWith('invoice-assign') || d.key === 'invoiceClassification',
    );
    expect(stored.map((d) => [d.key, d.version, d.source?.includes('<definitions')]).sort()).toEqual([
      ['invoice-assign-approver', 1, true],
      ['invoiceClassification', 1, true],
    ]);

    // Travel expenses of 300 go to accounting and sales; a budget item (Misc, 900) to management
    const ngoc = await as(demo.ngoc);
    const travel = await ngoc.instance.start({
      definitionKey: 'invoice',
      variables: {
        creditor: 'Great Pizza for Everyone Inc.',
        amount: 300,
        invoiceCategory: 'Travel Expenses',
        invoiceNumber: 'GPFE-23232323',
      },
    });
    expect((await openTask(travel.id)).map((t) => [t.elementId, t.candidateGroups])).toEqual([
      ['approveInvoice', ['accounting', 'sales']],
    ]);
    expect(await inbox(demo.hung, travel.id)).toEqual(['approveInvoice']);
    expect(await inbox(HUONG, travel.id)).toEqual(['approveInvoice']);
    expect(await inbox(demo.quan, travel.id)).toEqual([]);
    const budget = await ngoc.instance.start({
      definitionKey: 'invoice',
      variables: { creditor: 'Hòa Bình', amount: 900, invoiceCategory: 'Misc', invoiceNumber: 'HB-900' },
    });
    expect((await openTask(budget.id)).map((t) => t.candidateGroups)).toEqual([['management']]);
    expect(await inbox(demo.quan, budget.id)).toEqual(['approveInvoice']);
    expect((await instanceRow(budget.id)).state.variables).toMatchObject({ approverGroups: ['management'] });

    // the export gives the pinned decisions back, as JSON tables
    const exported = await (await as(DESIGNER)).definition.export({ key: 'invoice' });
    expect(exported.decisions.map((d) => d.id)).toEqual(['invoice-assign-approver', 'invoiceClassification']);
  });

  it('runs the invoice to the end: a rejection calls the review, whose reviewer (assignee =reviewer) gets it in their inbox, then approval, bank transfer and archive', async () => {
    const ngoc = await as(demo.ngoc);
    const { id } = await ngoc.instance.start({
      definitionKey: 'invoice',
      variables: {
        creditor: 'Great Pizza for Everyone Inc.',
        amount: 300,
        invoiceCategory: 'Travel Expenses',
        invoiceNumber: 'GPFE-2',
      },
    });
    const complete = async (email: string, elementId: string, data: Record<string, unknown>, instanceId = id) => {
      const caller = await as(email);
      const task = (await caller.task.list()).find((t) => t.elementId === elementId && t.instanceId === instanceId);
      expect(task, `${email} should see ${elementId}`).toBeDefined();
      return caller.task.complete({ id: task!.id, data });
    };
    // Hùng (accounting) does not approve: the review process is called
    await complete(demo.hung, 'approveInvoice', { approved: false });
    const [child] = await handle.db.select().from(processInstances).where(eq(processInstances.parentId, id));
    expect(child).toMatchObject({ status: 'active' });
    // "Assign Reviewer" is assigned to the team assistant by address: hers alone
    const [assign] = await openTask(child!.id);
    expect(assign).toMatchObject({
      elementId: 'assignReviewer',
      assigneeId: await idOf(demo.ngoc),
      candidateGroups: [],
      candidateUserIds: [],
    });
    expect(await inbox(demo.hung, child!.id)).toEqual([]);
    await complete(demo.ngoc, 'assignReviewer', { reviewer: demo.lan }, child!.id);
    // "Review Invoice" is assigned by the expression =reviewer: Lan has it, nobody else
    const [reviewTask] = await openTask(child!.id);
    expect(reviewTask).toMatchObject({ elementId: 'reviewInvoice', assigneeId: await idOf(demo.lan) });
    expect(await inbox(demo.lan, child!.id)).toEqual(['reviewInvoice']);
    expect(await inbox(demo.ngoc, child!.id)).toEqual([]);
    await expect(
      (await as(demo.hung)).task.complete({ id: reviewTask!.id, data: { clarified: true } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // clarified: back to the approver groups; approved; bank transfer prepared by accounting
    await complete(demo.lan, 'reviewInvoice', { clarified: true }, child!.id);
    expect((await instanceRow(child!.id)).status).toBe('completed');
    await complete(demo.hung, 'approveInvoice', { approved: true });
    await complete(demo.lan, 'prepareBankTransfer', {});
    // the archive step is the email connector now: the worker runs it and the invoice ends
    await createWorker(handle.db, { connectors: defaultConnectors({ email: { db: handle.db } }) }).tick();
    expect(await instanceRow(id)).toMatchObject({ status: 'completed' });
    const [mail] = await handle.db.select().from(emailOutbox).where(eq(emailOutbox.instanceId, id));
    expect(mail).toMatchObject({
      to: ['luu-tru@senvang.example'],
      subject: 'Invoice GPFE-2 from Great Pizza for Everyone Inc. to archive',
    });
  });

  it('pins a changed table as a new version for the next process version, while running instances keep theirs', async () => {
    const table = (answer: string) => ({
      id: 'route',
      hitPolicy: 'FIRST',
      inputs: [{ expression: 'amount' }],
      outputs: [{ name: 'lane' }],
      rules: [{ inputEntries: ['-'], outputEntries: [`"${answer}"`] }],
    });
    const definition = (version: number) => ({
      formatVersion: 1,
      key: 'routed',
      version,
      name: 'Routed',
      startForm: 'routed-start',
      elements: [
        { id: 's', type: 'startEvent' },
        { id: 'prepare', type: 'userTask', formKey: 'routed-task', candidateGroups: ['accounting'] },
        {
          id: 'decide',
          type: 'businessRuleTask',
          decisionRef: 'route',
          resultVariable: 'lane',
          mapDecisionResult: 'singleEntry',
        },
        { id: 'e', type: 'endEvent' },
      ],
      flows: [flow('f1', 's', 'prepare'), flow('f2', 'prepare', 'decide'), flow('f3', 'decide', 'e')],
    });
    const forms = [
      {
        key: 'routed-start',
        version: 1,
        title: 'Start',
        schema: { type: 'object', properties: { amount: { type: 'number' } } },
      },
      { key: 'routed-task', version: 1, title: 'Prepare', schema: { type: 'object', properties: {} } },
    ];
    // given version 1 with the table answering "old", and an instance waiting before the decision
    await publish({ definition: definition(1), forms, decisions: [table('old')] });
    const ngoc = await as(demo.ngoc);
    const running = await ngoc.instance.start({ definitionKey: 'routed', variables: { amount: 1 } });
    // when version 2 is published with the table changed
    const v2 = await publish({ definition: definition(2), forms, decisions: [table('new')] });
    // then it pins route version 2, and version 3 with the same table pins version 2 again
    const versions = async () =>
      (
        await handle.db
          .select({ version: decisions.version })
          .from(decisions)
          .where(and(eq(decisions.tenantId, tenantId), eq(decisions.key, 'route')))
      )
        .map((d) => d.version)
        .sort();
    expect(await versions()).toEqual([1, 2]);
    const v3 = await publish({ definition: definition(3), forms, decisions: [table('new')] });
    expect(await versions()).toEqual([1, 2]);
    const pinned = async (id: string) =>
      (
        await handle.db
          .select({ ids: processDefinitions.decisionIds })
          .from(processDefinitions)
          .where(eq(processDefinitions.id, id))
      )[0]!.ids.route;
    expect(await pinned(v3.id)).toBe(await pinned(v2.id));
    // a version that brings no table pins the latest published
    const v4 = await publish({ definition: definition(4), forms });
    expect(await pinned(v4.id)).toBe(await pinned(v2.id));
    // and the running instance still decides by the table its version pinned
    const hung = await as(demo.hung);
    const finish = async (instanceId: string) => {
      const task = (await hung.task.list()).find((t) => t.instanceId === instanceId)!;
      await hung.task.complete({ id: task.id, data: {} });
      return (await instanceRow(instanceId)).state.variables.lane;
    };
    const fresh = await ngoc.instance.start({ definitionKey: 'routed', variables: { amount: 1 } });
    expect(await finish(running.id)).toBe('old');
    expect(await finish(fresh.id)).toBe('new');
  });

  it('a template pack brings the decision tables beside its process.json (as `trellis simulate` reads them)', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'trellis-pack-'));
    try {
      const dir = path.join(root, 'accounting', 'classify');
      mkdirSync(dir, { recursive: true });
      copyFileSync(
        path.join(INVOICE_DIR, 'invoiceBusinessDecisions.dmn'),
        path.join(dir, 'invoiceBusinessDecisions.dmn'),
      );
      writeFileSync(
        path.join(dir, 'extra.decisions.json'),
        JSON.stringify([{ id: 'unused', inputs: [], outputs: [{ name: 'x' }], rules: [] }]),
      );
      const definition = {
        formatVersion: 1,
        key: 'classify-invoice',
        version: 1,
        name: 'Classify',
        elements: [
          { id: 's', type: 'startEvent' },
          {
            id: 'classify',
            type: 'businessRuleTask',
            decisionRef: 'invoiceClassification',
            resultVariable: 'kind',
            mapDecisionResult: 'singleEntry',
          },
          { id: 'e', type: 'endEvent' },
        ],
        flows: [flow('f1', 's', 'classify'), flow('f2', 'classify', 'e')],
      };
      writeFileSync(path.join(dir, 'process.json'), JSON.stringify(definition));
      const [pack] = loadTemplatePacks(root);
      expect(pack!.decisions).toEqual([
        { id: 'unused', inputs: [], outputs: [{ name: 'x' }], rules: [] },
        { dmn: expect.stringContaining('invoiceClassification') },
      ]);
      const row = await publishProcess(handle.db, tenantId, pack!, null);
      // pinned: the decision its task calls (which requires none); the unused one is not published
      expect(Object.keys(row.decisionIds)).toEqual(['invoiceClassification']);
      expect(await handle.db.select().from(decisions).where(eq(decisions.key, 'unused'))).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a decision that is neither given nor published, and a DMN file that cannot be read, naming them', async () => {
    const rule = (decisionRef: string) => ({
      formatVersion: 1,
      key: 'needs-decision',
      version: 1,
      name: 'Needs a decision',
      elements: [
        { id: 's', type: 'startEvent' },
        { id: 'decide', type: 'businessRuleTask', decisionRef, resultVariable: 'r' },
        { id: 'e', type: 'endEvent' },
      ],
      flows: [flow('f1', 's', 'decide'), flow('f2', 'decide', 'e')],
    });
    await expect(publish({ definition: rule('nowhere'), forms: [] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining(
        'Business rule task "decide" calls decision "nowhere", which is neither given nor published',
      ),
    });
    const requiresMissing = {
      id: 'top',
      requires: ['missing'],
      inputs: [{ expression: 'missing' }],
      outputs: [{ name: 'r' }],
      rules: [],
    };
    await expect(publish({ definition: rule('top'), forms: [], decisions: [requiresMissing] })).rejects.toMatchObject({
      message: expect.stringContaining(
        'Decision "top" requires decision "missing", which is neither given nor published',
      ),
    });
    const hostile = '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><definitions/>';
    await expect(publish({ definition: rule('top'), forms: [], decisions: [{ dmn: hostile }] })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('Decision #1 is invalid: DMN file declares a DOCTYPE'),
    });
    // nothing of the refused publishes stayed
    expect(await handle.db.select().from(decisions).where(eq(decisions.key, 'top'))).toEqual([]);
  });
});

describe('tasks for named people', () => {
  it('an assignee given as an e-mail address (any case) has the task alone: others neither see nor complete it', async () => {
    await publish(oneTask('to-hung', { assignee: 'Hung.Tran@SenVang.example' }));
    const { id } = await (await as(demo.ngoc)).instance.start({ definitionKey: 'to-hung', variables: {} });
    const [task] = await openTask(id);
    expect(task).toMatchObject({ assigneeId: await idOf(demo.hung), candidateGroups: [], candidateUserIds: [] });
    expect(await inbox(demo.hung, id)).toEqual(['approve']);
    expect(await inbox(demo.lan, id)).toEqual([]);
    await expect((await as(demo.lan)).task.complete({ id: task!.id, data: { ok: true } })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect((await as(demo.lan)).task.claim({ id: task!.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await (await as(demo.hung)).task.complete({ id: task!.id, data: { ok: true } });
    expect((await instanceRow(id)).status).toBe('completed');
    const [created] = await handle.db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, id), eq(auditEvents.type, 'task.created')));
    expect(created!.data).toMatchObject({ assignee: 'Hung.Tran@SenVang.example' });
  });

  it("an assignee given by FEEL: an address from the start form (=approverEmail), or the initiator's manager (=initiator.manager)", async () => {
    await publish(oneTask('to-named', { assignee: '=approverEmail' }, { approverEmail: { type: 'string' } }));
    const named = await (
      await as(demo.ngoc)
    ).instance.start({ definitionKey: 'to-named', variables: { approverEmail: demo.lan } });
    expect(await inbox(demo.lan, named.id)).toEqual(['approve']);
    expect(await inbox(demo.hung, named.id)).toEqual([]);

    await publish(oneTask('to-manager', { assignee: '=initiator.manager' }));
    // Hùng is in accounting, whose manager is Lan; Ngọc in operations, whose manager is Quân
    const fromHung = await (await as(demo.hung)).instance.start({ definitionKey: 'to-manager', variables: {} });
    const fromNgoc = await (await as(demo.ngoc)).instance.start({ definitionKey: 'to-manager', variables: {} });
    expect(await inbox(demo.lan, fromHung.id)).toEqual(['approve']);
    expect(await inbox(demo.quan, fromNgoc.id)).toEqual(['approve']);
    expect(await inbox(demo.lan, fromNgoc.id)).toEqual([]);
    expect((await instanceRow(fromHung.id)).state.variables.initiator).toEqual({
      email: demo.hung,
      name: 'Trần Văn Hùng',
      manager: demo.lan,
      departments: ['accounting'],
    });
    // a start form cannot set the initiator: the server's value wins, and a form may not even have the field
    await expect(
      publish(oneTask('spoof', { assignee: '=initiator.manager' }, { initiator: { type: 'string' } })),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringContaining('has a field "initiator"') });
  });

  it('a test run started by a member is given the initiator the server gives that member’s start: the same manager and departments', async () => {
    const designer = await as(DESIGNER);
    // what the server stored for Hùng's real start above is what the designer's test run gets for him
    await publish(oneTask('to-manager-trial', { assignee: '=initiator.manager' }));
    const fromHung = await (await as(demo.hung)).instance.start({ definitionKey: 'to-manager-trial', variables: {} });
    expect(await designer.process.testInitiator({ email: demo.hung })).toEqual(
      (await instanceRow(fromHung.id)).state.variables.initiator,
    );
    expect(await designer.process.testInitiator({ email: demo.ngoc })).toEqual({
      email: demo.ngoc,
      name: 'Bùi Thị Ngọc',
      manager: demo.quan,
      departments: ['operations'],
    });
    // no e-mail: the designer themself (Trang manages her department: no manager of her own)
    expect(await designer.process.testInitiator({})).toEqual({
      email: DESIGNER,
      name: 'Hoàng Thu Trang',
      manager: null,
      departments: ['data'],
    });
    // someone of another company, or no one, is not found, named in the caller's language; staff may not ask
    await expect(designer.process.testInitiator({ email: OUTSIDER })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: `No member of the company has the e-mail "${OUTSIDER}".`,
    });
    const vi = createCaller(
      await createContextInner({ db: handle.db, userId: await idOf(DESIGNER), tenantId, locale: 'vi' }),
    );
    await expect(vi.process.testInitiator({ email: 'khong-co@senvang.example' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'Không có thành viên nào của công ty có email "khong-co@senvang.example".',
    });
    await expect((await as(demo.ngoc)).process.testInitiator({ email: demo.hung })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it("candidate users, as a list and as FEEL: each may see, claim and complete the task; a claim makes it the claimer's; others may not", async () => {
    await publish(oneTask('to-two', { candidateUsers: [demo.hung, demo.lan] }));
    const { id } = await (await as(demo.ngoc)).instance.start({ definitionKey: 'to-two', variables: {} });
    const [task] = await openTask(id);
    expect(task!.assigneeId).toBeNull();
    expect([...task!.candidateUserIds].sort()).toEqual([await idOf(demo.hung), await idOf(demo.lan)].sort());
    expect(await inbox(demo.hung, id)).toEqual(['approve']);
    expect(await inbox(demo.lan, id)).toEqual(['approve']);
    expect(await inbox(demo.tuan, id)).toEqual([]);
    const tuan = await as(demo.tuan);
    await expect(tuan.task.claim({ id: task!.id })).rejects.toMatchObject({
      code: 'FORBIDDEN',
      message: expect.stringContaining('is not offered to you'),
    });
    await expect(tuan.task.complete({ id: task!.id, data: { ok: true } })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(tuan.task.get({ id: task!.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    // Hùng claims it: it is his, and leaves Lan's inbox; released, it is back with both
    const hung = await as(demo.hung);
    expect(await hung.task.get({ id: task!.id })).toMatchObject({ canClaim: true, canComplete: true });
    await hung.task.claim({ id: task!.id });
    expect(await inbox(demo.lan, id)).toEqual([]);
    expect(await hung.task.get({ id: task!.id })).toMatchObject({ canUnclaim: true });
    await hung.task.unclaim({ id: task!.id });
    expect(await inbox(demo.lan, id)).toEqual(['approve']);
    // Lan completes it (claiming it with the completion)
    await (await as(demo.lan)).task.complete({ id: task!.id, data: { ok: true } });
    expect((await instanceRow(id)).status).toBe('completed');

    await publish(
      oneTask(
        'to-listed',
        { candidateUsers: '=reviewers' },
        { reviewers: { type: 'array', items: { type: 'string' } } },
      ),
    );
    const listed = await (
      await as(demo.ngoc)
    ).instance.start({ definitionKey: 'to-listed', variables: { reviewers: [demo.quan, demo.tuan] } });
    expect(await inbox(demo.quan, listed.id)).toEqual(['approve']);
    expect(await inbox(demo.tuan, listed.id)).toEqual(['approve']);
    expect(await inbox(demo.hung, listed.id)).toEqual([]);
    // a candidate may read the instance; someone else may not
    await (await as(demo.tuan)).instance.get({ id: listed.id });
    await expect((await as(demo.hung)).instance.get({ id: listed.id })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('an unknown address stops the instance with an incident naming the element and the value; fixed and retried, the task is created', async () => {
    // (to-named: assignee =approverEmail)
    const { id } = await (
      await as(demo.ngoc)
    ).instance.start({ definitionKey: 'to-named', variables: { approverEmail: 'khong.co@senvang.example' } });
    const row = await instanceRow(id);
    expect(row.status).toBe('incident');
    expect(row.state.incident).toMatchObject({
      elementId: 'approve',
      code: 'NO_CANDIDATES',
      message: expect.stringContaining(
        'its assignee "khong.co@senvang.example" is not the e-mail address of a member of this company',
      ),
    });
    expect(await openTask(id)).toEqual([]);
    const admin = await as(ADMIN);
    expect(await admin.incident.list({ processKey: 'to-named' })).toContainEqual(
      expect.objectContaining({ kind: 'instance', instanceId: id, elementId: 'approve', code: 'NO_CANDIDATES' }),
    );
    const retried = await admin.incident.retry({ kind: 'instance', id, variables: { approverEmail: demo.hung } });
    expect(retried).toMatchObject({ status: 'active', incident: null });
    expect(await inbox(demo.hung, id)).toEqual(['approve']);
  });

  it("another company's member is nobody here: an incident, never a task, and they see nothing", async () => {
    // given a task named for a member of another company, alone or among candidate users
    const { id } = await (
      await as(demo.ngoc)
    ).instance.start({ definitionKey: 'to-named', variables: { approverEmail: OUTSIDER } });
    expect((await instanceRow(id)).state.incident).toMatchObject({ elementId: 'approve', code: 'NO_CANDIDATES' });
    expect(await openTask(id)).toEqual([]);
    const listed = await (
      await as(demo.ngoc)
    ).instance.start({ definitionKey: 'to-listed', variables: { reviewers: [OUTSIDER, 'SEN@HOASEN.EXAMPLE'] } });
    expect((await instanceRow(listed.id)).state.incident).toMatchObject({
      elementId: 'approve',
      code: 'NO_CANDIDATES',
      message: expect.stringContaining('its candidate users "sen@hoasen.example", "SEN@HOASEN.EXAMPLE" are not'),
    });
    // they see no task of ours in their company, and the message names nothing of theirs but the address the process gave
    const [theirTenant] = await handle.db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, 'hoa-sen'));
    const outsider = createCaller(
      await createContextInner({
        db: handle.db,
        userId: await idOf(OUTSIDER),
        tenantId: theirTenant!.id,
        locale: 'en',
      }),
    );
    expect(await outsider.task.list()).toEqual([]);
    expect(JSON.stringify((await instanceRow(id)).state.incident)).not.toContain('Lý Văn Sen');
    // with one of ours among them, the task is offered to ours only, and the audit names the other
    const mixed = await (
      await as(demo.ngoc)
    ).instance.start({ definitionKey: 'to-listed', variables: { reviewers: [OUTSIDER, demo.hung] } });
    const [task] = await openTask(mixed.id);
    expect(task!.candidateUserIds).toEqual([await idOf(demo.hung)]);
    const [created] = await handle.db
      .select({ data: auditEvents.data })
      .from(auditEvents)
      .where(and(eq(auditEvents.instanceId, mixed.id), eq(auditEvents.type, 'task.created')));
    expect(created!.data).toMatchObject({ candidateUsers: [OUTSIDER, demo.hung], unmatchedUsers: [OUTSIDER] });
  });

  it('warns the designer at publish of people named literally who are not members (their tasks would stop with an incident)', async () => {
    const published = await publish(oneTask('to-peter', { assignee: 'peter', candidateUsers: [demo.hung, OUTSIDER] }));
    expect(published.warnings.map((w) => [w.elementId, w.message.slice(0, w.message.indexOf(','))])).toEqual([
      ['approve', 'User task "approve" names "peter"'],
      ['approve', `User task "approve" names "${OUTSIDER}"`],
    ]);
  });

  it('an auditor named is nobody: auditors do not work tasks', async () => {
    const admin = await as(ADMIN);
    await admin.member.setRole({ userId: await idOf(demo.tuan), role: 'auditor' });
    try {
      const { id } = await (
        await as(demo.ngoc)
      ).instance.start({ definitionKey: 'to-named', variables: { approverEmail: demo.tuan } });
      expect((await instanceRow(id)).state.incident).toMatchObject({ elementId: 'approve', code: 'NO_CANDIDATES' });
    } finally {
      await admin.member.setRole({ userId: await idOf(demo.tuan), role: 'staff' });
    }
  });
});
