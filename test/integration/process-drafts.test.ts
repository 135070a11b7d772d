/**
 * The designer's drafts through the API, on a real database (PGlite, and PostgreSQL when
 * DATABASE_URL is set): a draft is created, imported or started from the published version, saved
 * with the revision last seen (a stale save is a conflict that names who saved and when, in the
 * caller's language, and changes nothing), kept even when it does not validate, and published as
 * the next version in one transaction; a published version never changes afterwards. Only the
 * company's designers and admins see or touch its drafts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TRPCError } from '@trpc/server';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { decisions, memberships, processDefinitions, processDrafts, tenants, users } from '@/db/schema';
import { formatDateTime } from '@/app/_i18n/format';
import { seedDemo } from '@/app/server/seed';
import { createContextInner } from '@/app/server/trpc/init';
import { appRouter } from '@/app/server/trpc/root';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

const DESIGNER = 'trang.hoang@senvang.example';
const ADMIN = 'bao.ngo@senvang.example';
const OTHER_ADMIN = 'giam.doc@khac.example';

let handle: DatabaseHandle;
let tenantId: string;
const as = (email: string, locale: 'en' | 'vi' = 'en') => callerFor(handle.db, email, locale);
const draftRow = async (key: string) =>
  (
    await handle.db
      .select()
      .from(processDrafts)
      .where(and(eq(processDrafts.tenantId, tenantId), eq(processDrafts.key, key)))
  )[0];
const versionRows = (key: string) =>
  handle.db
    .select()
    .from(processDefinitions)
    .where(and(eq(processDefinitions.tenantId, tenantId), eq(processDefinitions.key, key)));
const allDrafts = () => handle.db.select().from(processDrafts);
/** The refusal a call ends with: its tRPC code, message and the AppError's details for the client. */
const refusal = async (call: Promise<unknown>) => {
  const error = await call.then(
    () => expect.fail('the call succeeded'),
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCError)) throw error;
  return {
    code: error.code,
    message: error.message,
    details: (error.cause as { details?: unknown } | undefined)?.details,
  };
};
const flow = (id: string, source: string, target: string) => ({ id, source, target });

/** A small process that validates and publishes: start → review (a form the company has) → end. */
const leave = (key: string, name = 'Leave request') => ({
  formatVersion: 1,
  key,
  version: 1,
  name: { en: name, vi: 'Đơn xin nghỉ phép' },
  elements: [
    { id: 'start', type: 'startEvent' },
    { id: 'review', type: 'userTask', formKey: 'invoice-decision', candidateGroups: ['hr'] },
    { id: 'end', type: 'endEvent' },
  ],
  flows: [flow('f1', 'start', 'review'), flow('f2', 'review', 'end')],
});

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  const [other] = await handle.db.insert(tenants).values({ slug: 'cong-ty-khac', name: 'Công ty Khác' }).returning();
  const [boss] = await handle.db.insert(users).values({ email: OTHER_ADMIN, displayName: 'Phan Văn Khác' }).returning();
  await handle.db.insert(memberships).values({ tenantId: other!.id, userId: boss!.id, role: 'admin' });
});
afterAll(async () => handle?.close());

describe('a draft', () => {
  it('is created blank, saved revision after revision, and kept even when it does not validate', async () => {
    const designer = await as(DESIGNER);
    // given a new process
    expect(
      await designer.process.create({
        key: 'leave-request',
        name: { en: 'Leave request', vi: 'Đơn xin nghỉ phép' },
        category: 'hr',
      }),
    ).toEqual({ key: 'leave-request', revision: 1 });
    const opened = await designer.process.get({ key: 'leave-request' });
    expect(opened.draft).toMatchObject({
      revision: 1,
      updatedBy: { name: 'Hoàng Thu Trang' },
      content: {
        key: 'leave-request',
        name: { vi: 'Đơn xin nghỉ phép' },
        elements: [{ id: 'start', type: 'startEvent' }],
      },
    });
    expect(opened.draft!.diagnostics.some((d) => d.severity === 'error' && /no end event/.test(d.message))).toBe(true);
    expect(opened.versions).toEqual([]);
    expect((await designer.process.list()).find((p) => p.key === 'leave-request')).toMatchObject({
      status: 'draft',
      category: 'hr',
      latestVersion: null,
      revision: 1,
      updatedBy: { name: 'Hoàng Thu Trang', email: DESIGNER },
    });
    // when it is saved twice, first with a gateway whose second flow leads nowhere (it does not validate)
    const broken = {
      ...leave('leave-request'),
      elements: [...leave('leave-request').elements, { id: 'approved', type: 'exclusiveGateway' }],
      flows: [
        flow('f1', 'start', 'review'),
        flow('f2', 'review', 'approved'),
        flow('f3', 'approved', 'end'),
        flow('f4', 'approved', 'nowhere'),
      ],
    };
    const second = await designer.process.save({ key: 'leave-request', revision: 1, content: broken });
    // then the invalid draft is saved all the same, and its diagnostics name the dangling flow
    expect(second.revision).toBe(2);
    expect(second.diagnostics).toContainEqual(
      expect.objectContaining({ severity: 'error', elementId: 'f4', message: expect.stringContaining('"nowhere"') }),
    );
    expect((await draftRow('leave-request'))!.content).toEqual(broken);
    const third = await designer.process.save({ key: 'leave-request', revision: 2, content: leave('leave-request') });
    // then each save moved the revision on, and the valid one has no errors
    expect(third.revision).toBe(3);
    expect(third.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // and the key is taken now
    await expect(
      designer.process.create({ key: 'leave-request', name: { en: 'Again', vi: 'Lần nữa' } }),
    ).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'The company already has a process "leave-request": open it instead.',
    });
  });

  it('saved over an older revision is a conflict naming who saved and when, in the caller’s language, and changes nothing', async () => {
    const designer = await as(DESIGNER);
    const admin = await as(ADMIN, 'vi');
    // given Trang's draft at revision 3
    const before = (await draftRow('leave-request'))!;
    // when the admin, in Vietnamese, saves over revision 2
    const stale = await refusal(
      admin.process.save({ key: 'leave-request', revision: 2, content: leave('leave-request', 'Overwritten') }),
    );
    // then it is refused, naming Trang, when she saved and the revision, with those facts for the page to show
    expect(stale).toEqual({
      code: 'CONFLICT',
      message: `Hoàng Thu Trang đã lưu bản nháp này lúc ${formatDateTime(before.updatedAt, 'vi')} (bản 3); hãy tải lại để xem thay đổi của họ trước khi lưu của bạn.`,
      details: {
        revision: 3,
        savedBy: { name: 'Hoàng Thu Trang', email: DESIGNER },
        savedAt: before.updatedAt.toISOString(),
      },
    });
    // and Trang's draft is as she saved it
    expect(await draftRow('leave-request')).toEqual(before);
    // and in English for an English caller
    await expect(
      designer.process.save({ key: 'leave-request', revision: 1, content: leave('leave-request') }),
    ).rejects.toMatchObject({
      message: expect.stringMatching(/^Hoàng Thu Trang saved this draft at .+ \(revision 3\); reload it/),
    });
  });

  it('saved over an older revision tells the browser the current revision, who saved and when, as data', async () => {
    // given the draft as it is now
    const current = (await draftRow('leave-request'))!;
    const [admin] = await handle.db.select({ id: users.id }).from(users).where(eq(users.email, ADMIN));
    // when the admin's browser saves over an older revision (a batched POST, answered by the real router)
    const req = new Request('http://trellis.test/api/trpc/process.save?batch=1', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ 0: { key: 'leave-request', revision: 1, content: leave('leave-request') } }),
    });
    const res = await fetchRequestHandler({
      endpoint: '/api/trpc',
      req,
      router: appRouter,
      createContext: () => createContextInner({ db: handle.db, userId: admin!.id, locale: 'en' }),
    });
    const [answer] = (await res.json()) as [{ error: { message: string; data: { code: string; details: unknown } } }];
    // then the answer is a 409 whose data says what the message says
    expect(res.status).toBe(409);
    expect(answer.error.data).toMatchObject({
      code: 'CONFLICT',
      details: {
        revision: current.revision,
        savedBy: { name: 'Hoàng Thu Trang', email: DESIGNER },
        savedAt: current.updatedAt.toISOString(),
      },
    });
  });

  it('saved by two at once over the same revision: exactly one wins, and its content is kept', async () => {
    const [one, two] = [await as(DESIGNER), await as(ADMIN)];
    const results = await Promise.allSettled([
      one.process.save({ key: 'leave-request', revision: 3, content: leave('leave-request', 'From Trang') }),
      two.process.save({ key: 'leave-request', revision: 3, content: leave('leave-request', 'From Bảo') }),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(
      ['CONFLICT'],
    );
    const row = await draftRow('leave-request');
    expect(row!.revision).toBe(4);
    const trangWon = results[0]!.status === 'fulfilled';
    expect((row!.content.name as { en: string }).en).toBe(trangWon ? 'From Trang' : 'From Bảo');
    // and the one who lost is told who won
    const lost = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason as Error;
    expect(lost.message).toMatch(
      new RegExp(`^${trangWon ? 'Hoàng Thu Trang' : 'Ngô Quốc Bảo'} saved this draft at .+ \\(revision 4\\)`),
    );
  });
});

describe('publishing a draft', () => {
  it('makes the next version with the published forms, removes the draft, and a later draft never changes that version', async () => {
    const designer = await as(DESIGNER);
    const { revision } = (await designer.process.get({ key: 'leave-request' })).draft!;
    await designer.process.save({ key: 'leave-request', revision, content: leave('leave-request') });
    const published = await designer.process.publish({ key: 'leave-request', revision: revision + 1 });
    expect(published.version).toBe(1);
    expect(await draftRow('leave-request')).toBeUndefined();
    const [v1] = await handle.db
      .select()
      .from(processDefinitions)
      .where(and(eq(processDefinitions.tenantId, tenantId), eq(processDefinitions.key, 'leave-request')));
    expect(v1).toMatchObject({ version: 1, name: { en: 'Leave request' } });
    expect(Object.keys(v1!.formIds)).toEqual(['invoice-decision']);
    // the list shows it published, then ahead once a changed draft exists
    expect((await designer.process.list()).find((p) => p.key === 'leave-request')).toMatchObject({
      status: 'published',
      latestVersion: 1,
    });
    const draft = await designer.process.save({
      key: 'leave-request',
      revision: null,
      content: leave('leave-request', 'Leave request, changed'),
    });
    expect((await designer.process.list()).find((p) => p.key === 'leave-request')).toMatchObject({
      status: 'ahead',
      latestVersion: 1,
      revision: draft.revision,
      updatedBy: { name: 'Hoàng Thu Trang' },
    });
    // a second "first save" while the draft exists is a conflict, not a second draft
    await expect(
      designer.process.save({ key: 'leave-request', revision: null, content: leave('leave-request') }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    const [still] = await handle.db
      .select()
      .from(processDefinitions)
      .where(and(eq(processDefinitions.tenantId, tenantId), eq(processDefinitions.key, 'leave-request')));
    expect(still).toEqual(v1);
    // publishing again makes version 2, version 1 unchanged
    expect((await designer.process.publish({ key: 'leave-request', revision: draft.revision })).version).toBe(2);
    const versions = await handle.db
      .select()
      .from(processDefinitions)
      .where(and(eq(processDefinitions.tenantId, tenantId), eq(processDefinitions.key, 'leave-request')));
    expect(versions.find((v) => v.version === 1)).toEqual(v1);
    expect((await designer.process.get({ key: 'leave-request' })).versions.map((v) => v.version)).toEqual([2, 1]);
  });

  it('with errors is refused naming the element, and the draft stays', async () => {
    const designer = await as(DESIGNER);
    const { revision } = await designer.process.create({ key: 'broken-draft', name: { en: 'Broken', vi: 'Hỏng' } });
    await expect(designer.process.publish({ key: 'broken-draft', revision })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('no end event'),
    });
    expect(await draftRow('broken-draft')).toMatchObject({ revision });
    expect(
      await handle.db
        .select()
        .from(processDefinitions)
        .where(and(eq(processDefinitions.tenantId, tenantId), eq(processDefinitions.key, 'broken-draft'))),
    ).toEqual([]);
    // a stale revision publishes nothing
    await expect(designer.process.publish({ key: 'broken-draft', revision: revision + 5 })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('with a connector setting its worker would refuse is refused naming the task and the setting, by the same reader; fixed, it publishes', async () => {
    const designer = await as(DESIGNER);
    const { revision } = await designer.process.create({
      key: 'leave-notice',
      name: { en: 'Leave notice', vi: 'Báo nghỉ phép' },
    });
    const notice = (to: string) => ({
      ...leave('leave-notice', 'Leave notice'),
      elements: [
        { id: 'start', type: 'startEvent' },
        {
          id: 'notify',
          type: 'serviceTask',
          taskType: 'email',
          settings: { to, subject: 'Đơn nghỉ phép', body: 'Đã duyệt.' },
        },
        { id: 'end', type: 'endEvent' },
      ],
      flows: [flow('f1', 'start', 'notify'), flow('f2', 'notify', 'end')],
    });
    await designer.process.save({ key: 'leave-notice', revision, content: notice('phòng nhân sự') });
    const refused = await refusal(designer.process.publish({ key: 'leave-notice', revision: revision + 1 }));
    expect(refused).toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining(
        'Service task "notify": The to setting has "phòng nhân sự", which is not an email address',
      ),
    });
    expect(await draftRow('leave-notice')).toMatchObject({ revision: revision + 1 });
    await designer.process.save({
      key: 'leave-notice',
      revision: revision + 1,
      content: notice('Phòng Nhân sự <nhan-su@senvang.example>'),
    });
    expect((await designer.process.publish({ key: 'leave-notice', revision: revision + 2 })).version).toBe(1);
  });
});

describe('publishing nothing new, and a first change from a version that moved', () => {
  it('refuses a draft identical to the latest version, and keeps the draft', async () => {
    const designer = await as(DESIGNER, 'vi');
    // given version 2 of leave-request (the test above) and a draft that says the same
    const latest = (await designer.process.get({ key: 'leave-request' })).latest!;
    const same = await designer.process.save({
      key: 'leave-request',
      revision: null,
      baseVersion: latest.version,
      content: { ...latest.definition },
    });
    // the list does not call it ahead of the version
    expect((await designer.process.list()).find((p) => p.key === 'leave-request')).toMatchObject({
      status: 'published',
      revision: same.revision,
    });
    // when it is published: refused, in the caller's language, naming the version; nothing published
    expect(await refusal(designer.process.publish({ key: 'leave-request', revision: same.revision }))).toMatchObject({
      code: 'BAD_REQUEST',
      message: `Bản nháp giống hệt phiên bản ${latest.version}: không có gì để xuất bản.`,
    });
    expect((await versionRows('leave-request')).length).toBe(latest.version);
    expect(await draftRow('leave-request')).toMatchObject({ revision: same.revision });
    await designer.process.discard({ key: 'leave-request', revision: same.revision });
  });

  it('refuses the first save of a page opened on an older version: a conflict naming who published since, and no draft', async () => {
    const designer = await as(DESIGNER);
    const latest = (await designer.process.get({ key: 'leave-request' })).latest!;
    // a page opened on version 1 (version 2 was published since by Trang)
    const stale = await refusal(
      designer.process.save({
        key: 'leave-request',
        revision: null,
        baseVersion: 1,
        content: leave('leave-request', 'From version 1'),
      }),
    );
    expect(stale).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringMatching(
        new RegExp(
          `^Hoàng Thu Trang published version ${latest.version} of this process at .+, after this page opened on version 1; reload`,
        ),
      ),
      details: { version: latest.version },
    });
    expect(await draftRow('leave-request')).toBeUndefined();
    // a page on the latest version starts the draft
    const fresh = await designer.process.save({
      key: 'leave-request',
      revision: null,
      baseVersion: latest.version,
      content: leave('leave-request', 'From the latest'),
    });
    expect(await draftRow('leave-request')).toMatchObject({
      revision: fresh.revision,
      content: { name: { en: 'From the latest' } },
    });
    await designer.process.discard({ key: 'leave-request', revision: fresh.revision });
  });

  it('counts a draft’s size in bytes, as stored: Vietnamese text counts two or three bytes a letter', async () => {
    const designer = await as(DESIGNER);
    const { revision } = await designer.process.create({ key: 'big-draft', name: { en: 'Big', vi: 'Lớn' } });
    // 400,000 "ệ" are 400,000 characters but 1,200,000 bytes: over the 1 MB bound
    const text = 'ệ'.repeat(400_000);
    const refused = await refusal(
      designer.process.save({
        key: 'big-draft',
        revision,
        content: { ...leave('big-draft'), description: { en: 'x', vi: text } },
      }),
    );
    expect(refused.code).toBe('BAD_REQUEST');
    expect(await draftRow('big-draft')).toMatchObject({ revision });
    await designer.process.discard({ key: 'big-draft', revision });
  });
});

describe('before publishing, and after', () => {
  it('previews the next version’s number and what stays on older versions; any version reads back as published', async () => {
    const designer = await as(DESIGNER);
    const latest = (await designer.process.get({ key: 'leave-request' })).latest!;
    expect(await designer.process.publishPreview({ key: 'leave-request' })).toEqual({
      nextVersion: latest.version + 1,
      running: [],
    });
    // Ngọc starts the latest version: one instance, its review task open
    const ngoc = await as('ngoc.bui@senvang.example');
    await ngoc.instance.start({ definitionKey: 'leave-request', variables: {} });
    await ngoc.instance.start({ definitionKey: 'leave-request', variables: {} });
    expect(await designer.process.publishPreview({ key: 'leave-request' })).toEqual({
      nextVersion: latest.version + 1,
      running: [{ version: latest.version, instances: 2, openTasks: 2 }],
    });
    // version 1 is what was published first, by whom
    const v1 = await designer.process.version({ key: 'leave-request', version: 1 });
    expect(v1).toMatchObject({
      version: 1,
      definition: { name: { en: 'Leave request' } },
      publishedBy: { name: 'Hoàng Thu Trang' },
    });
    // a version or process the company does not have is not found, named; another company's is not theirs
    expect(await refusal(designer.process.version({ key: 'leave-request', version: 99 }))).toMatchObject({
      code: 'NOT_FOUND',
      message: 'Process "leave-request" has no version 99.',
    });
    const other = await as(OTHER_ADMIN);
    expect(await refusal(other.process.version({ key: 'leave-request', version: 1 }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await refusal(other.process.publishPreview({ key: 'leave-request' }))).toMatchObject({ code: 'NOT_FOUND' });
    // the pickers' catalog: the company's forms, latest version each, titled in the caller's language; none of another company's
    const catalog = await designer.process.formCatalog();
    expect(catalog.find((f) => f.key === 'invoice-decision')).toMatchObject({
      key: 'invoice-decision',
      version: expect.any(Number),
      title: expect.any(String),
    });
    expect(new Set(catalog.map((f) => f.key)).size).toBe(catalog.length);
    expect(await other.process.formCatalog()).toEqual([]);
    // and its decision tables, latest version each
    const table = (version: number) => ({
      tenantId,
      key: 'approver-by-amount',
      version,
      name: `Approver v${version}`,
      content: {
        id: 'approver-by-amount',
        requires: [],
        hitPolicy: 'FIRST' as const,
        inputs: [{ expression: 'amount' }],
        outputs: [{ name: 'approver' }],
        rules: [],
      },
    });
    await handle.db.insert(decisions).values([table(1), table(2)]);
    expect((await designer.process.decisionCatalog()).filter((d) => d.key === 'approver-by-amount')).toEqual([
      { key: 'approver-by-amount', version: 2, name: 'Approver v2' },
    ]);
    expect(await other.process.decisionCatalog()).toEqual([]);
    // a process with only a draft: version 1 next, nothing running
    await designer.process.create({ key: 'preview-only', name: { en: 'Preview', vi: 'Xem trước' } });
    expect(await designer.process.publishPreview({ key: 'preview-only' })).toEqual({ nextVersion: 1, running: [] });
  });
});

describe('discarding a draft', () => {
  it('removes it only at the revision last seen; without a draft it is not found', async () => {
    const designer = await as(DESIGNER);
    // given a draft saved once
    const { revision } = await designer.process.create({ key: 'short-lived', name: { en: 'Short-lived', vi: 'Tạm' } });
    await designer.process.save({ key: 'short-lived', revision, content: leave('short-lived') });
    // when it is discarded over the revision before: a conflict, the draft stays
    expect(await refusal(designer.process.discard({ key: 'short-lived', revision }))).toMatchObject({
      code: 'CONFLICT',
      details: { revision: revision + 1 },
    });
    expect(await draftRow('short-lived')).toMatchObject({ revision: revision + 1 });
    // then over the current one it is gone, and discarding it again finds nothing
    expect(await designer.process.discard({ key: 'short-lived', revision: revision + 1 })).toEqual({
      key: 'short-lived',
    });
    expect(await draftRow('short-lived')).toBeUndefined();
    await expect(designer.process.discard({ key: 'short-lived', revision: revision + 1 })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(designer.process.get({ key: 'short-lived' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'The company has no process "short-lived".',
    });
  });
});

describe('importing a file', () => {
  it('turns a Camunda 7 BPMN file into a draft with the import report, by element id', async () => {
    const file = path.join(
      process.cwd(),
      'test',
      'fixtures',
      'corpus',
      'backoffice',
      'camunda7-examples',
      'loan-granting.bpmn',
    );
    const designer = await as(DESIGNER);
    const imported = await designer.process.import({
      fileName: 'loan-granting.bpmn',
      content: readFileSync(file, 'utf8'),
    });
    expect(imported.report!.unsupported.length).toBeGreaterThan(0);
    expect(imported.report!.translated.length).toBeGreaterThan(0);
    expect(imported.report!.unsupported.every((u) => typeof u.elementId === 'string' && u.elementId !== '')).toBe(true);
    const opened = await designer.process.get({ key: imported.key });
    expect(opened.draft).toMatchObject({ revision: 1, importReport: { unsupported: imported.report!.unsupported } });
    expect((opened.draft!.content as { diagrams?: unknown[] }).diagrams?.length).toBeGreaterThan(0);
    // the same file again is a conflict: the process is opened, not replaced
    await expect(
      designer.process.import({ fileName: 'loan-granting.bpmn', content: readFileSync(file, 'utf8') }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('turns a Trellis JSON file into a draft that publishes with the company’s forms; its own key is taken', async () => {
    const designer = await as(DESIGNER);
    const file = readFileSync(
      path.join(process.cwd(), 'definitions', 'accounting', 'invoice-approval', 'process.json'),
      'utf8',
    );
    // given the template's own key, already published for the company: a conflict naming it
    await expect(designer.process.import({ fileName: 'process.json', content: file })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'The company already has a process "invoice-approval": open it instead.',
    });
    // when it is imported under another key
    const imported = await designer.process.import({
      fileName: 'process.json',
      content: file,
      key: 'invoice-approval-copy',
    });
    expect(imported).toEqual({
      key: 'invoice-approval-copy',
      revision: 1,
      report: null,
      diagnostics: expect.any(Array),
    });
    expect(imported.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(await draftRow('invoice-approval-copy')).toMatchObject({
      importReport: null,
      content: { key: 'invoice-approval-copy', startForm: 'invoice-submission' },
    });
    // then it publishes as version 1, pinned to the forms the company published with the template
    expect(await designer.process.publish({ key: 'invoice-approval-copy', revision: 1 })).toMatchObject({
      version: 1,
      warnings: expect.any(Array),
    });
    const [copy] = await versionRows('invoice-approval-copy');
    const [template] = await versionRows('invoice-approval');
    expect(copy!.formIds).toEqual(template!.formIds);
    expect(await draftRow('invoice-approval-copy')).toBeUndefined();
  });

  it('refuses a file with a DOCTYPE, or JSON that is not a definition, naming the file, and keeps nothing', async () => {
    const designer = await as(DESIGNER, 'vi');
    const before = await allDrafts();
    const evil =
      '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="evil"/></definitions>';
    await expect(designer.process.import({ fileName: 'evil.bpmn', content: evil })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^Không nhập được evil\.bpmn: .*DOCTYPE/),
    });
    await expect(designer.process.import({ fileName: 'list.json', content: '[1, 2]' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('list.json'),
    });
    await expect(
      designer.process.import({ fileName: 'cut.json', content: '{"key": "cut", "elements": [' }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', message: expect.stringMatching(/^Không nhập được cut\.json: /) });
    // JSON with a key but not in the form of a definition: refused naming the field, not kept to break the designer later
    await expect(
      designer.process.import({
        fileName: 'shape.json',
        content: JSON.stringify({ key: 'shape', name: 'Shape', elements: 'none', flows: [] }),
      }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^Không nhập được shape\.json: .*elements/),
    });
    expect(await allDrafts()).toEqual(before);
  });

  it('exports the draft as JSON and BPMN', async () => {
    const designer = await as(DESIGNER);
    const json = await designer.process.export({ key: 'broken-draft', format: 'json' });
    expect(JSON.parse(json.content)).toMatchObject({ key: 'broken-draft' });
    const bpmn = await designer.process.export({ key: 'broken-draft', format: 'bpmn' });
    expect(bpmn).toMatchObject({
      fileName: 'broken-draft.draft.bpmn',
      content: expect.stringContaining('<bpmn:process'),
    });
    // a published process without a draft has nothing to export here
    await expect(designer.process.export({ key: 'leave-request', format: 'json' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('who may', () => {
  it('is the company’s designers and admins: another company sees nothing, staff are refused', async () => {
    const outsider = await as(OTHER_ADMIN);
    await expect(outsider.process.get({ key: 'leave-request' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect((await outsider.process.list()).map((p) => p.key)).toEqual([]);
    await expect(outsider.process.export({ key: 'broken-draft', format: 'json' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    // saving, publishing or discarding our draft by its revision finds nothing, and changes nothing
    const ours = (await draftRow('broken-draft'))!;
    await expect(
      outsider.process.save({
        key: 'broken-draft',
        revision: ours.revision,
        content: { key: 'broken-draft', name: 'Theirs' },
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(outsider.process.publish({ key: 'broken-draft', revision: ours.revision })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect(outsider.process.discard({ key: 'broken-draft', revision: ours.revision })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await draftRow('broken-draft')).toEqual(ours);
    // their first save of the same key starts a draft of their own company, never ours
    await outsider.process.save({
      key: 'broken-draft',
      revision: null,
      content: { key: 'broken-draft', name: 'Theirs' },
    });
    expect(await draftRow('broken-draft')).toEqual(ours);
    // (theirs is not a definition in form yet: it has no BPMN, and the refusal says why)
    await expect(outsider.process.export({ key: 'broken-draft', format: 'bpmn' })).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^The draft cannot be written as BPMN yet: formatVersion: /),
    });
    const staff = await as(demo.ngoc);
    await expect(staff.process.list()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(
      staff.process.save({ key: 'leave-request', revision: 1, content: { key: 'leave-request' } }),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });
});
