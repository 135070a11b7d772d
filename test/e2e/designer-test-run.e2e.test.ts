/**
 * The designer's test run, in a real browser: Hoàng Thu Trang opens a draft of the invoice approval
 * (imported from its Trellis JSON), presses Test run, starts it with the company's real start form,
 * sees the waiting task highlighted on the diagram, completes tasks with their real forms, follows
 * both paths (above and below the threshold), keeps each as a scenario with the process and
 * downloads them; the kept scenarios run with one click, and the downloaded files pass in
 * `trellis test` unchanged beside the draft exported as JSON. English and Vietnamese, and a phone.
 */
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { main } from '@/app/_cli/cli';
import { DEMO_PASSWORD } from '@/app/server/seed';
import { call, signIn } from './api-client';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;
const folder = mkdtempSync(path.join(tmpdir(), 'trellis-test-run-'));

const { shot, signInAs } = appInBrowser({
  ready: (started) => {
    ({ app, page } = started);
    page.on('pageerror', (error) => console.log('pageerror:', error.message));
  },
});

const testRun = (p: Page) => p.getByTestId('test-run');
const status = (p: Page) => p.getByTestId('test-run-status');
const marked = (p: Page, id: string, marker: string) => p.locator(`.djs-element[data-element-id="${id}"].${marker}`);

/** Fills the invoice start form in the test run, as the start page would be filled. */
async function submitInvoice(p: Page, amount: string, submit: string) {
  const run = testRun(p);
  await run.locator('#root_vendor').fill('Công ty TNHH Minh Phát');
  await run.locator('#root_invoiceNumber').fill('HD-0042');
  await run.locator('#root_amount').fill(amount);
  await run.locator('#root_category').selectOption({ index: 2 });
  await run.locator('#root_dueDate').fill('2026-12-15');
  await run.getByRole('button', { name: submit }).click();
}

/** Saves the click's download into the shared folder under its own name. */
async function download(p: Page, click: () => Promise<void>): Promise<string> {
  const [file] = await Promise.all([p.waitForEvent('download'), click()]);
  const target = path.join(folder, file.suggestedFilename());
  await file.saveAs(target);
  return target;
}

describe('a test run in the designer', () => {
  it('runs the draft with its real start form, highlights what waits, and completes tasks with their forms', async () => {
    const cookie = await signIn(app.url, 'trang.hoang@senvang.example', DEMO_PASSWORD);
    const content = readFileSync(
      path.join(process.cwd(), 'engine', 'runtime', 'fixtures', 'invoice-approval.json'),
      'utf8',
    );
    const imported = await call(app.url, cookie, 'process.import', {
      fileName: 'process.json',
      content,
      key: 'invoice-trial',
    });
    expect(imported.error).toBeUndefined();
    await signInAs('Hoàng Thu Trang');
    await page.goto(`${app.url}/processes/invoice-trial`);
    await page.locator('.djs-element[data-element-id="submitted"]').waitFor();
    await page.getByRole('button', { name: 'Test run' }).click();
    await testRun(page).locator('#root_vendor').waitFor();
    await shot('test-run-01-start-form');
    // above the threshold: accounting, then the operations manager
    await submitInvoice(page, '75000000', 'Start the test run');
    await expect.poll(() => status(page).textContent()).toMatch(/^Waiting/);
    await expect.poll(() => marked(page, 'accountingApproval', 'trellis-active').count()).toBe(1);
    expect(await marked(page, 'submitted', 'trellis-done').count()).toBe(1);
    await shot('test-run-02-waiting');
    await testRun(page).getByLabel('Approve', { exact: true }).check();
    await testRun(page).getByRole('button', { name: 'Complete' }).click();
    await expect.poll(() => marked(page, 'operationsApproval', 'trellis-active').count()).toBe(1);
    await testRun(page).getByLabel('Approve', { exact: true }).check();
    await testRun(page).getByRole('button', { name: 'Complete' }).click();
    await expect.poll(() => status(page).textContent()).toMatch(/^Completed/);
    expect(await page.getByTestId('test-run-path').textContent()).toContain('Operations manager approval');
    await shot('test-run-03-completed');
  });

  it('keeps the run as a scenario with the process and downloads it; the other path too', async () => {
    await testRun(page).getByLabel('Scenario name').fill('Trên ngưỡng: hai cấp duyệt');
    await testRun(page).getByRole('button', { name: 'Keep with the process' }).click();
    await expect.poll(() => page.getByTestId('kept-scenarios').textContent()).toContain('Trên ngưỡng: hai cấp duyệt');
    await download(page, () => testRun(page).getByRole('button', { name: 'Download', exact: true }).click());
    // start again below the threshold: accounting alone
    await testRun(page).getByRole('button', { name: 'Start again' }).click();
    await submitInvoice(page, '20000000', 'Start the test run');
    await expect.poll(() => marked(page, 'accountingApproval', 'trellis-active').count()).toBe(1);
    await testRun(page).getByLabel('Approve', { exact: true }).check();
    await testRun(page).getByRole('button', { name: 'Complete' }).click();
    await expect.poll(() => status(page).textContent()).toMatch(/^Completed/);
    expect(await marked(page, 'operationsApproval', 'trellis-done').count()).toBe(0);
    await testRun(page).getByLabel('Scenario name').fill('Dưới ngưỡng: kế toán duyệt');
    await testRun(page).getByRole('button', { name: 'Keep with the process' }).click();
    await expect.poll(() => page.getByTestId('kept-scenarios').locator('li').count()).toBe(2);
    await download(page, () => testRun(page).getByRole('button', { name: 'Download', exact: true }).click());
    // one click runs every kept scenario against the draft
    await testRun(page).getByRole('button', { name: 'Run all scenarios' }).click();
    await expect.poll(() => page.getByTestId('kept-scenarios').locator('li.scenario-passed').count()).toBe(2);
    await shot('test-run-04-kept-passed');
  });

  it('the scenarios saved from the page pass in trellis test unchanged, beside the draft exported as JSON', async () => {
    await download(page, () => page.getByRole('button', { name: 'Export JSON' }).click());
    const files = readdirSync(folder).sort();
    expect(files).toEqual([
      'invoice-trial.duoi-nguong-ke-toan-duyet.scenario.json',
      'invoice-trial.json',
      'invoice-trial.tren-nguong-hai-cap-duyet.scenario.json',
    ]);
    const lines: string[] = [];
    const code = await main(['test', folder], { log: (t) => lines.push(t), error: (t) => lines.push(t) });
    expect(lines.join('\n')).toMatch(/^2 passed, 0 failed$/m);
    expect(code).toBe(0);
  });

  it('speaks Vietnamese, and fits a phone', async () => {
    await page.getByRole('button', { name: 'VI' }).click();
    await page.getByRole('button', { name: 'Chạy thử' }).waitFor();
    await page.getByRole('button', { name: 'Chạy thử' }).click();
    await testRun(page).getByRole('button', { name: 'Chạy mọi kịch bản' }).click();
    await expect.poll(() => page.getByTestId('kept-scenarios').textContent()).toContain('Đạt');
    await testRun(page).locator('#root_amount').fill('75000000');
    await shot('test-run-05-vi');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot('test-run-06-vi-phone');
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
