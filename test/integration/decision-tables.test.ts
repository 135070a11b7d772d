/**
 * The decision-table editor's server side, on the embedded database (and on PostgreSQL when
 * DATABASE_URL is set): a table made in the editor publishes as version 1, the same table again is
 * no new version, a changed one is version 2; a process published after it pins the latest version
 * and routes by it, while a process version published before keeps the version it pinned. A cell
 * that does not read, rules that overlap under UNIQUE, a publish over a version that moved, are
 * refused in the caller's language naming the row and column, and nothing is written.
 */
import { TRPCError } from '@trpc/server';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { decisions, processInstances } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import type { DecisionInput } from '@/engine';
import { callerFor, demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

const DESIGNER = 'trang.hoang@senvang.example';
const KEY = 'approver-by-amount-and-category';

let handle: DatabaseHandle;
let tenantId: string;
const as = (email: string, locale: 'en' | 'vi' = 'en') => callerFor(handle.db, email, locale);
const versions = async () =>
  (
    await handle.db
      .select()
      .from(decisions)
      .where(and(eq(decisions.tenantId, tenantId), eq(decisions.key, KEY)))
  )
    .map((r) => r.version)
    .sort();
const refusal = async (call: Promise<unknown>) => {
  const error = await call.then(
    () => expect.fail('the call succeeded'),
    (e: unknown) => e,
  );
  if (!(error instanceof TRPCError)) throw error;
  return { code: error.code, message: error.message };
};

const table = (itApprover = '"tuan.pham@senvang.example"'): DecisionInput => ({
  id: KEY,
  name: 'Approver by amount and category',
  hitPolicy: 'UNIQUE',
  inputs: [
    { label: 'Amount', expression: 'amount', typeRef: 'number', values: ['>= 0'] },
    {
      label: 'Category',
      expression: 'category',
      typeRef: 'string',
      values: ['"office-supplies"', '"it-equipment"', '"services"', '"travel"', '"utilities"'],
    },
  ],
  outputs: [{ name: 'approver', typeRef: 'string' }],
  rules: [
    { inputEntries: ['< 10000000', '-'], outputEntries: ['"hung.tran@senvang.example"'] },
    {
      inputEntries: ['[10000000..50000000)', '"office-supplies", "services", "travel", "utilities"'],
      outputEntries: ['"lan.nguyen@senvang.example"'],
    },
    { inputEntries: ['[10000000..50000000)', '"it-equipment"'], outputEntries: [itApprover] },
    { inputEntries: ['>= 50000000', '-'], outputEntries: ['"quan.do@senvang.example"'] },
  ],
});

/** start → the table → a task for whoever it names → end. */
const routed = (key: string) => ({
  formatVersion: 1,
  key,
  version: 1,
  name: 'Routed purchase',
  startForm: 'invoice-submission',
  elements: [
    { id: 'start', type: 'startEvent' },
    {
      id: 'decide',
      type: 'businessRuleTask',
      decisionRef: KEY,
      resultVariable: 'approver',
      mapDecisionResult: 'singleEntry',
    },
    { id: 'approve', type: 'userTask', assignee: '=approver', formKey: 'invoice-decision' },
    { id: 'end', type: 'endEvent' },
  ],
  flows: [
    { id: 'f1', source: 'start', target: 'decide' },
    { id: 'f2', source: 'decide', target: 'approve' },
    { id: 'f3', source: 'approve', target: 'end' },
  ],
});

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
});
afterAll(async () => handle?.close());

describe('decision tables made in the editor', () => {
  it('publishes version 1, the same table again is no new version, a changed one is version 2; listed and opened as published', async () => {
    const designer = await as(DESIGNER);
    expect(await designer.decision.publish({ decision: table(), baseVersion: null })).toEqual({ key: KEY, version: 1 });
    expect(await designer.decision.publish({ decision: table(), baseVersion: 1 })).toEqual({ key: KEY, version: 1 });
    expect(await versions()).toEqual([1]);
    const opened = await designer.decision.get({ key: KEY });
    expect(opened).toMatchObject({
      version: 1,
      decision: {
        id: KEY,
        hitPolicy: 'UNIQUE',
        inputs: [{ typeRef: 'number', values: ['>= 0'] }, { typeRef: 'string' }],
      },
    });
    expect((await designer.decision.list()).find((d) => d.key === KEY)).toMatchObject({
      name: 'Approver by amount and category',
      version: 1,
      hitPolicy: 'UNIQUE',
      rules: 4,
    });
  });

  it('a process published after it pins the latest version and routes by it; one published before keeps its version', async () => {
    const designer = await as(DESIGNER);
    await designer.definition.publish({ definition: routed('routed-before') } as never);
    await designer.decision.publish({ decision: table('"anh.vu@senvang.example"'), baseVersion: 1 });
    expect(await versions()).toEqual([1, 2]);
    await designer.definition.publish({ definition: routed('routed-after') } as never);
    const ngoc = await as(demo.ngoc);
    const start = async (key: string, amount: number, category: string) => {
      const { id } = await ngoc.instance.start({
        definitionKey: key,
        variables: {
          vendor: 'Công ty TNHH Minh Phát',
          invoiceNumber: `HD-${amount}`,
          amount,
          category,
          dueDate: '2026-12-31',
        },
      });
      return (
        (await handle.db.select().from(processInstances).where(eq(processInstances.id, id)))[0]!.state.variables as {
          approver: string;
        }
      ).approver;
    };
    expect(await start('routed-after', 20_000_000, 'it-equipment')).toBe('anh.vu@senvang.example');
    expect(await start('routed-before', 20_000_000, 'it-equipment')).toBe('tuan.pham@senvang.example');
    expect(await start('routed-after', 20_000_000, 'travel')).toBe('lan.nguyen@senvang.example');
    expect(await start('routed-after', 90_000_000, 'office-supplies')).toBe('quan.do@senvang.example');
  });

  it('refuses a cell that does not read and rules that overlap, naming the row and column in the caller’s language; nothing is written', async () => {
    const broken = table();
    broken.rules[1]!.inputEntries[0] = '[10000000..50000000';
    const vi = await refusal((await as(DESIGNER, 'vi')).decision.publish({ decision: broken, baseVersion: 2 }));
    expect(vi.code).toBe('BAD_REQUEST');
    expect(vi.message).toMatch(/^Chưa xuất bản được bảng quyết định: Quy tắc 2, đầu vào 1: FEEL syntax error/);
    const overlapping = table();
    overlapping.rules[3]!.inputEntries[0] = '>= 40000000';
    const en = await refusal((await as(DESIGNER)).decision.publish({ decision: overlapping, baseVersion: 2 }));
    expect(en.message).toContain(
      'Rules 3 and 4 both match Amount [40000000..50000000), Category "it-equipment"; under the UNIQUE hit policy only one may.',
    );
    const typed = table();
    typed.rules[0]!.inputEntries[0] = '"mười triệu"';
    expect(
      (await refusal((await as(DESIGNER, 'vi')).decision.publish({ decision: typed, baseVersion: 2 }))).message,
    ).toContain('Quy tắc 1, đầu vào 1: ô không đúng kiểu của cột (số).');
    // a gap is a warning: the table publishes (a table may mean to give nothing)
    const gap = table();
    gap.rules.splice(2, 1);
    expect(await (await as(DESIGNER)).decision.publish({ decision: gap, baseVersion: 2 })).toEqual({
      key: KEY,
      version: 3,
    });
    expect(await versions()).toEqual([1, 2, 3]);
  });

  it('a publish over a version that moved, or of a key taken, is a conflict; another company, staff and a missing key are refused', async () => {
    const designer = await as(DESIGNER, 'vi');
    expect((await refusal(designer.decision.publish({ decision: table(), baseVersion: 1 }))).message).toMatch(
      /^Bảng quyết định "approver-by-amount-and-category" đã ở phiên bản 3 từ /,
    );
    expect((await refusal(designer.decision.publish({ decision: table(), baseVersion: null }))).code).toBe('CONFLICT');
    expect(await versions()).toEqual([1, 2, 3]);
    expect(await refusal(designer.decision.get({ key: 'khong-co' }))).toEqual({
      code: 'NOT_FOUND',
      message: 'Công ty không có bảng quyết định "khong-co".',
    });
    expect((await refusal((await as(demo.ngoc)).decision.list())).code).toBe('FORBIDDEN');
    expect((await refusal((await as(demo.ngoc)).decision.publish({ decision: table(), baseVersion: 3 }))).code).toBe(
      'FORBIDDEN',
    );
    // a decision that is not one is refused naming the field
    expect(
      (await refusal((await as(DESIGNER)).decision.publish({ decision: { id: KEY, inputs: 'none' }, baseVersion: 3 })))
        .message,
    ).toMatch(/^The decision table is invalid at inputs: /);
  });
});
