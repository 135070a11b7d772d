/**
 * Importing a template pack into a company (issue 18), on the embedded database (and on
 * PostgreSQL when DATABASE_URL is set): a new company takes the accounting pack of the library as
 * drafts, the departments it lacks created in the same step by its admin; another maps the pack's
 * departments to its own (Vietnamese keys) and publishes at once, and its first invoice reaches its
 * own accounting department. A second import of a process the company has is a conflict; a
 * designer cannot create departments; a hostile pack — a DOCTYPE, a path out of the pack, an
 * unknown department — is refused naming each file, and nothing at all is imported.
 */
import { readFileSync } from 'node:fs';
import { TRPCError } from '@trpc/server';
import { and, count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import {
  forms,
  groups,
  memberships,
  processDefinitions,
  processDrafts,
  processInstances,
  tasks,
  templateOrigins,
  users,
} from '@/db/schema';
import type { ProcessDefinition } from '@/engine';
import { seedDemo } from '@/app/server/seed';
import { createCompany } from '@/app/server/services/accounts';
import { resolveActor } from '@/app/server/actor';
import { upgradeTemplate } from '@/app/server/services/packs';
import { packFolderFiles } from '@/app/server/pack-folder';
import { createContextInner } from '@/app/server/trpc/init';
import { createCaller } from '@/app/server/trpc/root';
import { createTestDatabase } from '../support/database';

let handle: DatabaseHandle;
/** The accounting pack as the library ships it now. */
const shipped = JSON.parse(readFileSync('definitions/accounting/pack.json', 'utf8')) as {
  version: string;
  processes: string[];
  forms: string[];
  departments: { key: string }[];
};

async function company(
  name: string,
  admin: { email: string; name: string },
  designer?: { email: string; name: string },
) {
  const [user] = await handle.db.insert(users).values({ email: admin.email, displayName: admin.name }).returning();
  const { tenantId } = await createCompany(handle.db, user!.id, name, 'vi');
  const as = async (userId: string, locale: 'en' | 'vi' = 'en') =>
    createCaller(await createContextInner({ db: handle.db, userId, tenantId, locale }));
  let designerId: string | undefined;
  if (designer) {
    const [d] = await handle.db.insert(users).values({ email: designer.email, displayName: designer.name }).returning();
    await handle.db.insert(memberships).values({ tenantId, userId: d!.id, role: 'designer' });
    designerId = d!.id;
  }
  return {
    tenantId,
    admin: (locale: 'en' | 'vi' = 'en') => as(user!.id, locale),
    designer: (locale: 'en' | 'vi' = 'en') => as(designerId!, locale),
  };
}

const refusal = async (call: Promise<unknown>) => {
  const error = await call.then(
    () => expect.fail('the call succeeded'),
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCError)) throw error;
  return { code: error.code, message: error.message };
};

/** Rows an import could write in a company: a refused import leaves them all as they were. */
async function footprint(tenantId: string) {
  const rows = async (
    table: typeof groups | typeof forms | typeof processDrafts | typeof processDefinitions | typeof templateOrigins,
  ) => (await handle.db.select({ n: count() }).from(table).where(eq(table.tenantId, tenantId)))[0]!.n;
  return {
    groups: await rows(groups),
    forms: await rows(forms),
    drafts: await rows(processDrafts),
    definitions: await rows(processDefinitions),
    origins: await rows(templateOrigins),
  };
}

beforeAll(async () => {
  handle = await createTestDatabase();
  await seedDemo(handle.db);
});
afterAll(async () => handle?.close());

describe('importing a pack of the template library', () => {
  it('a new company takes the accounting pack as drafts, its admin creating the departments it lacks; it remembers where they came from', async () => {
    const hoaSen = await company('Công ty TNHH Hoa Sen', { email: 'hoa@hoasen.example', name: 'Trần Thị Hoa' });
    const library = await (await hoaSen.admin()).template.library();
    expect(library.map((p) => p.key)).toEqual(expect.arrayContaining(['accounting', 'hr']));
    const accounting = library.find((p) => p.key === 'accounting')!;
    expect(accounting.version).toBe(shipped.version);
    expect(accounting.templates.map((tpl) => tpl.key)).toEqual(shipped.processes);
    const imported = await (
      await hoaSen.admin()
    ).template.importLibrary({ pack: 'accounting', createDepartments: true });
    expect(imported).toEqual({
      pack: { key: 'accounting', version: shipped.version },
      departmentsCreated: shipped.departments.map((d) => d.key).sort(),
      processes: shipped.processes.map((key) => ({ key, status: 'draft', version: null })),
      warnings: [],
    });
    expect(await footprint(hoaSen.tenantId)).toEqual({
      groups: shipped.departments.length,
      forms: shipped.forms.length,
      drafts: shipped.processes.length,
      definitions: 0,
      origins: shipped.processes.length,
    });
    const origin = (await (await hoaSen.admin()).template.origins()).find((o) => o.processKey === 'invoice-approval');
    expect(origin).toMatchObject({
      packKey: 'accounting',
      packVersion: shipped.version,
      departmentMap: { accounting: 'accounting', operations: 'operations' },
    });
    // the draft opens in the designer, and publishes as version 1
    const draft = await (await hoaSen.admin()).process.get({ key: 'invoice-approval' });
    expect(draft.draft).not.toBeNull();
    expect(
      (await (await hoaSen.admin()).process.publish({ key: 'invoice-approval', revision: draft.draft!.revision }))
        .version,
    ).toBe(1);
    // a second import of a process the company has: a conflict naming it, nothing written
    const before = await footprint(hoaSen.tenantId);
    expect(
      await refusal(
        (await hoaSen.admin('vi')).template.importLibrary({
          pack: 'accounting',
          templates: ['invoice-approval'],
          createDepartments: true,
        }),
      ),
    ).toEqual({
      code: 'CONFLICT',
      message: 'Công ty đã có quy trình “invoice-approval”; hãy nâng cấp nó, hoặc nhập các quy trình khác.',
    });
    expect(await footprint(hoaSen.tenantId)).toEqual(before);
  });

  it('maps the pack’s departments to the company’s own and publishes at once: the first invoice reaches its accounting department', async () => {
    const maiDao = await company('Công ty Cổ phần Mai Đào', { email: 'dao@maidao.example', name: 'Phạm Thị Đào' });
    const admin = await maiDao.admin();
    const keToan = await admin.department.create({ key: 'ke-toan', name: { en: 'Accounting', vi: 'Kế toán' } });
    await admin.department.create({ key: 'van-hanh', name: { en: 'Operations', vi: 'Vận hành' } });
    const [dao] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, 'dao@maidao.example'));
    await admin.department.addMember({ groupId: keToan.id, userId: dao!.id });
    const imported = await admin.template.importLibrary({
      pack: 'accounting',
      departments: { accounting: 'ke-toan', operations: 'van-hanh' },
      templates: ['invoice-approval', 'invoice-payment'],
      publish: true,
    });
    expect(imported.processes).toEqual([
      { key: 'invoice-approval', status: 'published', version: 1 },
      { key: 'invoice-payment', status: 'published', version: 1 },
    ]);
    expect(imported.departmentsCreated).toEqual([]);
    expect(imported.warnings).toEqual([]);
    const [row] = await handle.db
      .select()
      .from(processDefinitions)
      .where(and(eq(processDefinitions.tenantId, maiDao.tenantId), eq(processDefinitions.key, 'invoice-approval')));
    const groupsOf = (id: string) =>
      (row!.definition.elements.find((e) => e.id === id) as { candidateGroups?: string[] }).candidateGroups;
    expect([groupsOf('accountingApproval'), groupsOf('operationsApproval')]).toEqual([['ke-toan'], ['van-hanh']]);
    const started = await admin.instance.start({
      definitionKey: 'invoice-approval',
      variables: {
        vendor: 'Công ty TNHH Minh Phát',
        invoiceNumber: 'MD-001',
        amount: 12_500_000,
        category: 'office-supplies',
        dueDate: '2026-12-31',
      },
    });
    const [task] = await handle.db.select().from(tasks).where(eq(tasks.id, started.taskIds[0]!));
    expect(task!.candidateGroups).toEqual(['ke-toan']);
  });

  it('importing invoice approval without the payment process it hands invoices to says so, in the importer’s language', async () => {
    const namViet = await company('Công ty TNHH Nam Việt', { email: 'viet@namviet.example', name: 'Tạ Nam Việt' });
    const done = await (
      await namViet.admin('vi')
    ).template.importLibrary({
      pack: 'accounting',
      templates: ['invoice-approval'],
      createDepartments: true,
      publish: true,
    });
    expect(done.warnings).toEqual([
      '“invoice-approval” gửi thông điệp “invoice-ready-for-payment” (tại “requestPayment”) mà không quy trình nào của công ty khởi tạo từ đó hay chờ nhận: hãy nhập hoặc xuất bản quy trình nhận nó, nếu không thông điệp sẽ bị bỏ.',
    ]);
    // importing the payment process afterwards: nothing left unheard
    const later = await (
      await namViet.admin()
    ).template.importLibrary({ pack: 'accounting', templates: ['invoice-payment'], publish: true });
    expect(later.warnings).toEqual([]);
  });

  it('refuses an unmapped department, a bad mapping, and a designer creating departments; nothing is written', async () => {
    const camLy = await company(
      'Công ty TNHH Cẩm Ly',
      { email: 'ly@camly.example', name: 'Võ Cẩm Ly' },
      { email: 'thiet.ke@camly.example', name: 'Lý Thiết Kế' },
    );
    const before = await footprint(camLy.tenantId);
    const missing = await refusal((await camLy.designer('vi')).template.importLibrary({ pack: 'accounting' }));
    expect(missing.code).toBe('BAD_REQUEST');
    expect(missing.message).toContain(
      'Phòng ban “accounting” của gói được gán cho “accounting”, phòng ban mà công ty không có',
    );
    expect(
      await refusal((await camLy.designer()).template.importLibrary({ pack: 'accounting', createDepartments: true })),
    ).toMatchObject({ code: 'FORBIDDEN' });
    expect(
      (
        await refusal(
          (await camLy.admin()).template.importLibrary({
            pack: 'accounting',
            departments: { accounting: '../Kế toán' },
            createDepartments: true,
          }),
        )
      ).message,
    ).toBe('The pack’s department “accounting” maps to “../Kế toán”, which is not a department key.');
    expect((await refusal((await camLy.admin()).template.importLibrary({ pack: '../../etc' }))).code).toBe('NOT_FOUND');
    expect(await footprint(camLy.tenantId)).toEqual(before);
  });

  it('upgrading accounting from pack 1.0.0 to 1.1.0 after a local edit keeps the local edit and takes the new step; running instances stay on their version', async () => {
    const phuQuy = await company('Công ty TNHH Phú Quý', { email: 'quy@phuquy.example', name: 'Hồ Phú Quý' });
    const admin = await phuQuy.admin();
    // the accounting pack as the library shipped it at 1.0.0 (test/fixtures/packs, built by `trellis pack` then)
    const v100 = readFileSync('test/fixtures/packs/accounting-1.0.0.pack.json', 'utf8');
    await admin.template.import({ pack: v100, createDepartments: true, publish: true });
    expect((await admin.template.origins())[0]).toMatchObject({ processKey: 'invoice-approval', packVersion: '1.0.0' });
    // the company's edit: Accounting has three days from the task's creation (not the invoice's due date); published as version 2
    const original = JSON.parse(
      (JSON.parse(v100) as { files: Record<string, string> }).files['invoice-approval/process.json']!,
    ) as ProcessDefinition;
    const edited = structuredClone(original) as unknown as { elements: { id: string; dueDate?: string }[] };
    edited.elements.find((e) => e.id === 'accountingApproval')!.dueDate = '"P3D"';
    const saved = await admin.process.save({
      key: 'invoice-approval',
      revision: null,
      content: edited as never,
      baseVersion: 1,
    });
    expect((await admin.process.publish({ key: 'invoice-approval', revision: saved.revision })).version).toBe(2);
    const invoice = (n: string) => ({
      definitionKey: 'invoice-approval',
      variables: {
        vendor: 'Công ty TNHH Minh Phát',
        invoiceNumber: n,
        amount: 12_500_000,
        category: 'office-supplies',
        dueDate: '2026-12-31',
      },
    });
    const before = await admin.instance.start(invoice('PQ-001'));
    // the library's accounting pack is 1.1.0: the approval level by a decision table, and the hand-over to payment
    const preview = await admin.template.upgrade({ processKey: 'invoice-approval', preview: true });
    expect(preview).toMatchObject({ from: '1.0.0', to: '1.1.0', revision: null });
    const offered = Object.fromEntries(preview.changes.map((c) => [c.id, [c.kind, c.conflict]]));
    expect(offered).toMatchObject({
      assess: ['changed', false],
      requestPayment: ['added', false],
      belowThreshold: ['changed', false],
      operationsApproved: ['changed', false],
      toApproved: ['added', false],
    });
    expect(offered.accountingApproval).toBeUndefined();
    const upgraded = await admin.template.upgrade({ processKey: 'invoice-approval' });
    const draft = (await admin.process.get({ key: 'invoice-approval' })).draft!;
    expect(draft.revision).toBe(upgraded.revision);
    const content = draft.content as {
      elements: { id: string; type: string; dueDate?: string; decisionRef?: string }[];
    };
    expect(content.elements.find((e) => e.id === 'accountingApproval')!.dueDate).toBe('"P3D"');
    expect(content.elements.find((e) => e.id === 'assess')).toMatchObject({
      type: 'businessRuleTask',
      decisionRef: 'invoice-approval-level',
    });
    expect(content.elements.some((e) => e.id === 'requestPayment')).toBe(true);
    expect((await admin.process.publish({ key: 'invoice-approval', revision: draft.revision })).version).toBe(3);
    expect((await admin.template.origins()).find((o) => o.processKey === 'invoice-approval')).toMatchObject({
      packVersion: '1.1.0',
    });
    // the pack's new process arrives by importing that one template
    await admin.template.importLibrary({ pack: 'accounting', templates: ['invoice-payment'], publish: true });
    // an invoice on version 3 is routed by the table and handed over to payment; the one started before stays on version 2
    const group = (
      await handle.db
        .select({ id: groups.id })
        .from(groups)
        .where(and(eq(groups.tenantId, phuQuy.tenantId), eq(groups.key, 'accounting')))
    )[0]!;
    const [hoa] = await handle.db
      .insert(users)
      .values({ email: 'ke.toan@phuquy.example', displayName: 'Lê Kế Toán' })
      .returning();
    await handle.db.insert(memberships).values({ tenantId: phuQuy.tenantId, userId: hoa!.id, role: 'staff' });
    await admin.department.addMember({ groupId: group.id, userId: hoa!.id });
    const clerk = createCaller(
      await createContextInner({ db: handle.db, userId: hoa!.id, tenantId: phuQuy.tenantId, locale: 'en' }),
    );
    const after = await admin.instance.start(invoice('PQ-002'));
    const [approval] = await handle.db
      .select()
      .from(tasks)
      .where(and(eq(tasks.instanceId, after.id), eq(tasks.status, 'open')));
    expect(approval!.dueDate).not.toBeNull();
    const done = await clerk.task.complete({ id: after.taskIds[0]!, data: { decision: 'approve' } });
    const [finished] = await handle.db
      .select({ status: processInstances.status, state: processInstances.state })
      .from(processInstances)
      .where(eq(processInstances.id, done.instanceId));
    expect(finished!.status).toBe('completed');
    expect(finished!.state.variables).toMatchObject({ approvalThreshold: 30_000_000, needsOperationsApproval: false });
    const payment = await handle.db
      .select({ elementId: tasks.elementId, businessKey: processInstances.businessKey })
      .from(tasks)
      .innerJoin(processInstances, eq(processInstances.id, tasks.instanceId))
      .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
      .where(
        and(
          eq(processDefinitions.tenantId, phuQuy.tenantId),
          eq(processDefinitions.key, 'invoice-payment'),
          eq(tasks.status, 'open'),
        ),
      );
    expect(payment).toEqual([{ elementId: 'preparePayment', businessKey: 'PQ-002' }]);
    const old = await handle.db
      .select({ version: processDefinitions.version })
      .from(processDefinitions)
      .innerJoin(processInstances, eq(processInstances.definitionId, processDefinitions.id))
      .where(eq(processInstances.id, before.id));
    expect(old[0]!.version).toBe(2);
  });

  it('an upgrade naming a department the company does not have is refused naming it, nothing written; with the department made, it goes through', async () => {
    const anPhu = await company('Công ty TNHH An Phú', { email: 'phu@anphu.example', name: 'Lâm An Phú' });
    const admin = await anPhu.admin('vi');
    const v100 = JSON.parse(readFileSync('test/fixtures/packs/accounting-1.0.0.pack.json', 'utf8')) as {
      manifest: { departments: unknown[] };
      files: Record<string, string>;
    };
    await admin.template.import({ pack: JSON.stringify(v100), createDepartments: true, publish: true });
    // version 1.2.0 has Risk approve instead of the operations manager
    const process = JSON.parse(v100.files['invoice-approval/process.json']!) as {
      elements: { id: string; candidateGroups?: string[]; candidateRole?: string }[];
    };
    const ops = process.elements.find((e) => e.id === 'operationsApproval')!;
    ops.candidateGroups = ['risk'];
    delete ops.candidateRole;
    const v120 = JSON.stringify({
      ...v100,
      manifest: {
        ...v100.manifest,
        version: '1.2.0',
        departments: [
          ...v100.manifest.departments,
          { key: 'risk', name: { en: 'Risk', vi: 'Rủi ro' }, roles: ['member'] },
        ],
      },
      files: { ...v100.files, 'invoice-approval/process.json': JSON.stringify(process) },
    });
    const [phu] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, 'phu@anphu.example'));
    const actor = (await resolveActor(handle.db, phu!.id, 'vi', anPhu.tenantId))!;
    const before = await footprint(anPhu.tenantId);
    const refused = await upgradeTemplate(handle.db, actor, { pack: v120, processKey: 'invoice-approval' }).then(
      () => expect.fail('the upgrade went through'),
      (e: unknown) => e as { code: string; message: string },
    );
    expect(refused).toMatchObject({
      code: 'BAD_REQUEST',
      message:
        'Phòng ban “risk” của gói được gán cho “risk”, phòng ban mà công ty không có: hãy gán cho một phòng ban của bạn, hoặc tạo nó.',
    });
    expect(await footprint(anPhu.tenantId)).toEqual(before);
    await admin.department.create({ key: 'risk', name: { en: 'Risk', vi: 'Rủi ro' } });
    expect((await upgradeTemplate(handle.db, actor, { pack: v120, processKey: 'invoice-approval' })).revision).toBe(1);
  });

  it('refuses a hostile pack — a DOCTYPE, a path out of the pack, an unknown department — naming each file; nothing at all is imported', async () => {
    const tuLien = await company('Công ty TNHH Tử Liên', { email: 'lien@tulien.example', name: 'Đỗ Tử Liên' });
    const { manifest, files } = packFolderFiles('definitions/accounting');
    const process = JSON.parse(files['invoice-approval/process.json']!) as {
      elements: { id: string; candidateGroups?: string[] }[];
    };
    process.elements.find((e) => e.id === 'accountingApproval')!.candidateGroups = ['finance'];
    const pack = (extra: Record<string, string>) =>
      JSON.stringify({ format: 'trellis-pack', formatVersion: 1, manifest, files: { ...files, ...extra } });
    const before = await footprint(tuLien.tenantId);
    const hostile = await refusal(
      (await tuLien.admin()).template.import({
        pack: pack({
          'invoice-approval/rules.dmn':
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><definitions/>',
          '../../etc/passwd.json': '{}',
        }),
        createDepartments: true,
      }),
    );
    expect(hostile.code).toBe('BAD_REQUEST');
    expect(hostile.message).toMatch(/^The pack cannot be imported: /);
    expect(hostile.message).toContain('invoice-approval/rules.dmn: The file declares a DOCTYPE');
    expect(hostile.message).toContain('../../etc/passwd.json: is not a path a pack may hold');
    const unknown = await refusal(
      (await tuLien.admin()).template.import({
        pack: pack({ 'invoice-approval/process.json': JSON.stringify(process) }),
        createDepartments: true,
      }),
    );
    expect(unknown.message).toContain(
      'invoice-approval/process.json (accountingApproval): names department "finance", which the manifest does not declare',
    );
    expect(await footprint(tuLien.tenantId)).toEqual(before);
  });
});
