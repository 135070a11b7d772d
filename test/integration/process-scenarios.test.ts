/**
 * Test runs kept with a process: scenarios in the format `trellis test` runs, by name, per process
 * and company; saved again under a name they replace (a retried save acts once); not a scenario,
 * too large or for a process the company does not have, refused naming why; and the forms a test
 * run fills, the latest published version of each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { memberships, processScenarios, tenants, users } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import { compile, simulate, scenarioSchema } from '@/engine';
import { callerFor } from '../support/callers';
import { createTestDatabase } from '../support/database';

const DESIGNER = 'trang.hoang@senvang.example';
const STAFF = 'ngoc.bui@senvang.example';
const OTHER_ADMIN = 'giam.doc@khac.example';

let handle: DatabaseHandle;
const as = (email: string, locale: 'en' | 'vi' = 'en') => callerFor(handle.db, email, locale);

const definition = {
  formatVersion: 1,
  key: 'leave-test',
  version: 1,
  name: { en: 'Leave request', vi: 'Đơn xin nghỉ phép' },
  elements: [
    { id: 'start', type: 'startEvent' },
    { id: 'long', type: 'exclusiveGateway', default: 'short' },
    { id: 'manager', type: 'userTask', candidateGroups: ['hr'] },
    { id: 'hr', type: 'userTask', candidateGroups: ['hr'] },
    { id: 'end', type: 'endEvent' },
  ],
  flows: [
    { id: 'f1', source: 'start', target: 'long' },
    { id: 'more', source: 'long', target: 'manager', condition: 'days > 5' },
    { id: 'short', source: 'long', target: 'hr' },
    { id: 'f2', source: 'manager', target: 'end' },
    { id: 'f3', source: 'hr', target: 'end' },
  ],
};
const longLeave = {
  description: 'Nghỉ 7 ngày: trưởng phòng duyệt',
  definition: 'leave-test.json',
  jobs: 'wait',
  variables: { days: 7 },
  steps: [
    { complete: 'manager', variables: { approved: true } },
    { expect: { status: 'completed', path: ['start', 'long', 'manager', 'end'] } },
  ],
};

beforeAll(async () => {
  handle = await createTestDatabase();
  await seedDemo(handle.db);
  const [other] = await handle.db.insert(tenants).values({ slug: 'cong-ty-khac', name: 'Công ty Khác' }).returning();
  const [boss] = await handle.db.insert(users).values({ email: OTHER_ADMIN, displayName: 'Phan Văn Khác' }).returning();
  await handle.db.insert(memberships).values({ tenantId: other!.id, userId: boss!.id, role: 'admin' });
  await (await as(DESIGNER)).process.import({ fileName: 'leave-test.json', content: JSON.stringify(definition) });
});
afterAll(async () => handle?.close());

describe('a scenario kept with a process', () => {
  it('is kept by name, listed, and runs against the draft as kept', async () => {
    const designer = await as(DESIGNER);
    expect(
      await designer.process.saveScenario({ key: 'leave-test', name: 'Nghỉ dài', content: longLeave }),
    ).toMatchObject({ name: 'Nghỉ dài' });
    const [kept] = await designer.process.scenarios({ key: 'leave-test' });
    expect(kept).toMatchObject({
      name: 'Nghỉ dài',
      content: longLeave,
      updatedBy: { name: 'Hoàng Thu Trang', email: DESIGNER },
    });
    const result = simulate(compile(definition), scenarioSchema.parse(kept!.content));
    expect(result).toMatchObject({ status: 'completed', failures: [] });
  });

  it('saved again under its name replaces it: a retried save acts once', async () => {
    const designer = await as(DESIGNER);
    const shorter = { ...longLeave, variables: { days: 8 } };
    await designer.process.saveScenario({ key: 'leave-test', name: 'Nghỉ dài', content: shorter });
    await designer.process.saveScenario({ key: 'leave-test', name: 'Nghỉ dài', content: shorter });
    const list = await designer.process.scenarios({ key: 'leave-test' });
    expect(list.map((s) => [s.name, s.content.variables])).toEqual([['Nghỉ dài', { days: 8 }]]);
  });

  it('is refused when it is not a scenario, too large, or unnamed, naming why in the caller’s language; nothing is kept', async () => {
    const designer = await as(DESIGNER, 'vi');
    const before = await handle.db.select().from(processScenarios);
    await expect(
      designer.process.saveScenario({ key: 'leave-test', name: 'Hỏng', content: { steps: [{ complete: 42 }] } }),
    ).rejects.toMatchObject({
      code: 'BAD_REQUEST',
      message: expect.stringMatching(/^Đây không phải kịch bản trellis test chạy được: steps\.0/),
    });
    await expect(
      designer.process.saveScenario({
        key: 'leave-test',
        name: 'Lớn',
        content: { variables: { note: 'ệ'.repeat(100_000) } },
      }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'Kịch bản lớn hơn 256 KB dạng JSON.' });
    await expect(
      designer.process.saveScenario({ key: 'leave-test', name: '   ', content: longLeave }),
    ).rejects.toMatchObject({ code: 'BAD_REQUEST', message: 'Hãy đặt tên cho kịch bản.' });
    expect(await handle.db.select().from(processScenarios)).toEqual(before);
  });

  it('is the company’s: another company finds no such process, staff are refused, and deleting removes only ours', async () => {
    const other = await as(OTHER_ADMIN);
    await expect(other.process.scenarios({ key: 'leave-test' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(
      other.process.saveScenario({ key: 'leave-test', name: 'Nghỉ dài', content: longLeave }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(other.process.deleteScenario({ key: 'leave-test', name: 'Nghỉ dài' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    await expect((await as(STAFF)).process.scenarios({ key: 'leave-test' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    const designer = await as(DESIGNER);
    expect(await designer.process.deleteScenario({ key: 'leave-test', name: 'Nghỉ dài' })).toEqual({
      name: 'Nghỉ dài',
    });
    expect(await designer.process.scenarios({ key: 'leave-test' })).toEqual([]);
    await expect(designer.process.deleteScenario({ key: 'leave-test', name: 'Nghỉ dài' })).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
  });
});

describe('the forms a test run fills', () => {
  it('are the latest published version of each form named, and only the company’s', async () => {
    const forms = await (await as(DESIGNER)).process.forms({ keys: ['invoice-submission', 'no-such-form'] });
    expect(forms.map((f) => f.key)).toEqual(['invoice-submission']);
    expect(forms[0]).toMatchObject({ version: expect.any(Number), schema: { type: 'object' } });
    expect(await (await as(OTHER_ADMIN)).process.forms({ keys: ['invoice-submission'] })).toEqual([]);
  });
});
