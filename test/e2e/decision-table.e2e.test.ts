/**
 * The decision-table editor in a real browser, mouse and keyboard: Hoàng Thu Trang builds
 * *Approver by amount and category* in the grid (amount in VND, the invoice categories), sees a cell
 * with a typo marked and listed, sees the gap the UNIQUE hit policy leaves (IT equipment between
 * 10 and 50 million) named by its inputs, closes it with a rule added from the keyboard, tries the
 * table on sample values, publishes version 1 and exports it as .dmn (which the engine reads back
 * the same); then a process whose business rule task calls it routes each invoice to the approver
 * the table names, in the designer's test run. English and Vietnamese, desktop and phone.
 */
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '@/app/server/seed';
import { importDmn } from '@/engine/decisions/dmn';
import { call, signIn } from './api-client';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;
const KEY = 'approver-by-amount-and-category';

const { shot, signInAs } = appInBrowser({
  ready: (started) => {
    ({ app, page } = started);
    page.on('pageerror', (error) => console.log('pageerror:', error.message));
    page.on(
      'console',
      (message) => message.type() === 'error' && console.log('console error:', message.text().slice(0, 500)),
    );
  },
});

const grid = (p: Page) => p.getByTestId('decision-grid');
const cell = (p: Page, rule: number, column: string) => grid(p).getByLabel(`Rule ${rule}, ${column}`, { exact: true });
const problems = (p: Page) => p.locator('.decision-problems');

/** Types a rule's cells: amount, category, approver. */
async function fillRule(p: Page, rule: number, amount: string, category: string, approver: string) {
  await cell(p, rule, 'Amount').fill(amount);
  await cell(p, rule, 'Category').fill(category);
  await cell(p, rule, 'Approver').fill(approver);
}

describe('the decision-table editor', () => {
  it('builds the table in the grid: a typo is marked on its cell, the gap under UNIQUE is named, and closed from the keyboard', async () => {
    await signInAs('Hoàng Thu Trang');
    await page.getByRole('link', { name: 'Decision tables' }).click();
    await page.waitForURL('**/decisions');
    await page.getByRole('link', { name: 'New decision table' }).click();
    await page.waitForURL('**/decisions/new');
    await page.getByTestId('decision-key').fill(KEY);
    await page.getByTestId('decision-name').fill('Approver by amount and category');
    expect(await page.getByTestId('decision-hit-policy').inputValue()).toBe('UNIQUE');
    // the inputs: the amount in VND (never negative), the invoice's category (its five values)
    await page.getByLabel('Label of input 1').fill('Amount');
    await page.getByLabel('Expression of input 1').fill('amount');
    await page.getByLabel('Type of input 1').selectOption('number');
    await page.getByLabel('Allowed values of input 1').fill('>= 0');
    await page.getByLabel('Allowed values of input 1').press('Enter');
    await page.getByRole('button', { name: '+ Input' }).click();
    await page.getByLabel('Label of input 2').fill('Category');
    await page.getByLabel('Expression of input 2').fill('category');
    await page.getByLabel('Type of input 2').selectOption('string');
    await page
      .getByLabel('Allowed values of input 2')
      .fill('"office-supplies", "it-equipment", "services", "travel", "utilities"');
    await page.getByLabel('Allowed values of input 2').press('Tab');
    await page.getByLabel('Label of output 1').fill('Approver');
    await page.getByLabel('Name of output 1').fill('approver');
    await page.getByLabel('Type of output 1').selectOption('string');
    // three rules, each added with Ctrl+Enter from the row above
    await fillRule(page, 1, '< 10000000', '-', '"hung.tran@senvang.example"');
    await cell(page, 1, 'Approver').press('Control+Enter');
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')))
      .toBe('Rule 2, Approver');
    await fillRule(
      page,
      2,
      '[10000000..50000000',
      '"office-supplies", "services", "travel", "utilities"',
      '"lan.nguyen@senvang.example"',
    );
    await cell(page, 2, 'Approver').press('Control+Enter');
    await fillRule(page, 3, '>= 50000000', '-', '"quan.do@senvang.example"');
    // the typo (a range not closed) is marked on its cell and listed, naming the rule and the input
    await expect.poll(() => cell(page, 2, 'Amount').getAttribute('aria-invalid')).toBe('true');
    await expect.poll(() => problems(page).textContent()).toContain('Rule 2, input 1: FEEL syntax error');
    await shot('decisions-01-typo');
    // the problem is a button that puts the cursor in the cell
    await problems(page)
      .getByRole('button', { name: /^Rule 2, input 1/ })
      .click();
    await expect
      .poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label')))
      .toBe('Rule 2, Amount');
    await page.keyboard.press('End');
    await page.keyboard.type(')');
    await expect.poll(() => cell(page, 2, 'Amount').getAttribute('aria-invalid')).toBe(null);
    // the gap: IT equipment between 10 and 50 million has no rule
    await expect
      .poll(() => problems(page).textContent())
      .toContain('No rule matches Amount [10000000..50000000), Category "it-equipment".');
    await shot('decisions-02-gap');
    // closed from the keyboard: a rule added below rule 2, filled, then moved down under rule 3 with Alt+↓
    await cell(page, 2, 'Approver').press('Control+Enter');
    await fillRule(page, 3, '[10000000..50000000)', '"it-equipment"', '"tuan.pham@senvang.example"');
    await cell(page, 3, 'Approver').press('Alt+ArrowDown');
    await expect.poll(() => cell(page, 4, 'Category').inputValue()).toBe('"it-equipment"');
    expect(await cell(page, 3, 'Amount').inputValue()).toBe('>= 50000000');
    await expect.poll(() => page.getByTestId('decision-no-problems').count()).toBe(1);
    // an overlap is named by its two rows: rule 4 widened to 40 million and above
    await cell(page, 4, 'Amount').fill('>= 10000000');
    await expect
      .poll(() => problems(page).textContent())
      .toContain(
        'Rules 3 and 4 both match Amount >= 50000000, Category "it-equipment"; under the UNIQUE hit policy only one may.',
      );
    expect(await grid(page).locator('tr.rule-overlap').count()).toBe(2);
    await cell(page, 4, 'Amount').fill('[10000000..50000000)');
    await expect.poll(() => page.getByTestId('decision-no-problems').count()).toBe(1);
  });

  it('Try it evaluates the table with the engine and marks the rule that matched', async () => {
    const tryIt = page.locator('.decision-try');
    await tryIt.getByLabel('Value of Amount').fill('20000000');
    await tryIt.getByLabel('Value of Category').fill('it-equipment');
    await tryIt.getByRole('button', { name: 'Evaluate' }).click();
    await expect
      .poll(() => page.getByTestId('decision-try-result').textContent())
      .toBe('Matched: 4. Result: "tuan.pham@senvang.example"');
    expect(await grid(page).locator('tr.rule-matched').getAttribute('data-rule')).toBe('4');
    await tryIt.getByLabel('Value of Amount').fill('75000000');
    await tryIt.getByRole('button', { name: 'Evaluate' }).click();
    await expect
      .poll(() => page.getByTestId('decision-try-result').textContent())
      .toBe('Matched: 3. Result: "quan.do@senvang.example"');
    await shot('decisions-03-try-it');
  });

  it('publishes version 1 and exports a .dmn the engine reads back the same', async () => {
    await page.getByRole('button', { name: 'Publish table' }).click();
    await page.waitForURL(`**/decisions/${KEY}`);
    await expect
      .poll(() => page.getByTestId('decision-status').textContent(), { timeout: 15_000 })
      .toContain('Version 1');
    const cookie = await signIn(app.url, 'trang.hoang@senvang.example', DEMO_PASSWORD);
    const published = (
      await call<{ version: number; decision: { rules: { inputEntries: string[]; outputEntries: string[] }[] } }>(
        app.url,
        cookie,
        'decision.get',
        { key: KEY },
        'query',
      )
    ).data!;
    expect(published.version).toBe(1);
    expect(published.decision.rules.map((r) => [...r.inputEntries, ...r.outputEntries])).toEqual([
      ['< 10000000', '-', '"hung.tran@senvang.example"'],
      ['[10000000..50000000)', '"office-supplies", "services", "travel", "utilities"', '"lan.nguyen@senvang.example"'],
      ['>= 50000000', '-', '"quan.do@senvang.example"'],
      ['[10000000..50000000)', '"it-equipment"', '"tuan.pham@senvang.example"'],
    ]);
    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export .dmn' }).click(),
    ]);
    expect(file.suggestedFilename()).toBe(`${KEY}.dmn`);
    const target = path.join(tmpdir(), `trellis-${Date.now()}-${KEY}.dmn`);
    await file.saveAs(target);
    const [back] = await importDmn(readFileSync(target, 'utf8'));
    expect(back!.rules.map((r) => [...r.inputEntries, ...r.outputEntries])).toEqual(
      published.decision.rules.map((r) => [...r.inputEntries, ...r.outputEntries]),
    );
    // the same file imported into a new table opens it whole
    await page.goto(`${app.url}/decisions/new`);
    await page.getByTestId('decision-import').setInputFiles(target);
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Imported Approver by amount and category' }).count())
      .toBe(1);
    expect(await cell(page, 4, 'Category').inputValue()).toBe('"it-equipment"');
  });

  it('speaks Vietnamese, and fits a phone', async () => {
    await page.goto(`${app.url}/decisions/${KEY}`);
    await page.getByRole('button', { name: 'VI', exact: true }).click();
    await page.getByRole('button', { name: 'Xuất bản bảng' }).waitFor();
    await grid(page).getByLabel('Quy tắc 1, Amount', { exact: true }).fill('< 10000000 ]');
    await expect.poll(() => problems(page).textContent()).toContain('Quy tắc 1, đầu vào 1: FEEL syntax error');
    await shot('decisions-04-vi');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot('decisions-05-vi-phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('button', { name: 'EN', exact: true }).click();
  });

  it('a process whose business rule task calls the table routes by it in the designer’s test run', async () => {
    const cookie = await signIn(app.url, 'trang.hoang@senvang.example', DEMO_PASSWORD);
    const definition = {
      formatVersion: 1,
      key: 'routed-purchase',
      version: 1,
      name: { en: 'Routed purchase', vi: 'Mua hàng theo bảng' },
      startForm: 'invoice-submission',
      elements: [
        { id: 'start', type: 'startEvent' },
        {
          id: 'decide',
          type: 'businessRuleTask',
          name: 'Find the approver',
          decisionRef: KEY,
          resultVariable: 'approver',
          mapDecisionResult: 'singleEntry',
        },
        {
          id: 'approve',
          type: 'userTask',
          name: 'Approve the purchase',
          assignee: '=approver',
          formKey: 'invoice-decision',
        },
        { id: 'end', type: 'endEvent' },
      ],
      flows: [
        { id: 'f1', source: 'start', target: 'decide' },
        { id: 'f2', source: 'decide', target: 'approve' },
        { id: 'f3', source: 'approve', target: 'end' },
      ],
    };
    expect(
      (
        await call(app.url, cookie, 'process.import', {
          fileName: 'routed-purchase.json',
          content: JSON.stringify(definition),
          key: 'routed-purchase',
        })
      ).error,
    ).toBeUndefined();
    await page.goto(`${app.url}/processes/routed-purchase`);
    await page.locator('.djs-element[data-element-id="decide"]').waitFor();
    // the task's panel opens the table it calls in the editor
    await page.waitForTimeout(600);
    const box = (await page.locator('.djs-element[data-element-id="decide"]').boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    expect(await page.getByTestId('open-decision').getAttribute('href')).toBe(`/decisions/${KEY}`);
    const run = page.getByTestId('test-run');
    const start = async (amount: string, category: string) => {
      await run.locator('#root_vendor').fill('Công ty TNHH Minh Phát');
      await run.locator('#root_invoiceNumber').fill(`HD-${amount}`);
      await run.locator('#root_amount').fill(amount);
      await run.locator('#root_category').selectOption({ label: category });
      await run.locator('#root_dueDate').fill('2026-12-31');
      await run.getByRole('button', { name: 'Start the test run' }).click();
    };
    await page.getByRole('button', { name: 'Test run' }).click();
    await run.locator('#root_vendor').waitFor();
    await start('20000000', 'IT equipment');
    await expect
      .poll(() => run.locator('li[data-open="approve"] summary').textContent())
      .toContain('tuan.pham@senvang.example');
    await shot('decisions-06-test-run');
    await run.getByRole('button', { name: 'Start again' }).click();
    await start('75000000', 'Travel');
    await expect
      .poll(() => run.locator('li[data-open="approve"] summary').textContent())
      .toContain('quan.do@senvang.example');
    await run.getByRole('button', { name: 'Start again' }).click();
    await start('20000000', 'Travel');
    await expect
      .poll(() => run.locator('li[data-open="approve"] summary').textContent())
      .toContain('lan.nguyen@senvang.example');
  });
});
