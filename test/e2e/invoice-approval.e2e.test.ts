/**
 * In a real browser: a staff member starts an invoice approval above the threshold; the
 * accountant approves it from the inbox (in Vietnamese); the operations manager approves; the
 * instance page shows it completed with its history. Screenshots land in test/e2e/screenshots.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appInBrowser } from './harness';

let page: Page;
const { shot, signInAs, signOut } = appInBrowser({ ready: (started) => ({ page } = started) });

describe('invoice approval in the browser', () => {
  let instanceUrl = '';

  it('staff member starts an invoice above the threshold', async () => {
    await signInAs('Bùi Thị Ngọc');
    await page.getByRole('link', { name: 'Start a process' }).click();
    await page.waitForURL('**/start');
    await shot('01-start-list');
    await page
      .locator('article', { hasText: 'Invoice approval' })
      .getByRole('link', { name: 'Start', exact: true })
      .click();
    await page.waitForURL('**/start/invoice-approval');
    await page.waitForLoadState('networkidle');

    await page.locator('#root_vendor').fill('Công ty TNHH Thương mại Hòa Bình');
    await page.locator('#root_invoiceNumber').fill('HD-2026/0117');
    await page.locator('#root_amount').fill('125000000');
    await expect.poll(() => page.locator('.money-hint').textContent()).toContain('125,000,000');
    await page.locator('#root_category').selectOption({ label: 'IT equipment' });
    await page.locator('#root_dueDate').fill('2026-12-20');
    await page.locator('#root_description').fill('Máy chủ và thiết bị mạng cho chi nhánh Đà Nẵng');
    await shot('02-start-form');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL('**/instances/*');
    instanceUrl = page.url();
    await expect.poll(() => page.getByTestId('instance-status').textContent()).toBe('In progress');
    await shot('03-instance-started');
    await signOut();
  });

  it('accountant approves it from the inbox, in Vietnamese', async () => {
    await signInAs('Trần Văn Hùng');
    await page.getByRole('button', { name: 'VI' }).click();
    await page.waitForURL('**/inbox');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Hộp công việc của tôi');
    const row = page.locator('tr', { hasText: 'HD-2026/0117' });
    await expect.poll(() => row.count()).toBe(1);
    await shot('04-accountant-inbox-vi');
    await row.getByRole('link', { name: 'Kế toán phê duyệt' }).click();
    await page.waitForURL('**/tasks/*');
    await page.waitForLoadState('networkidle');
    expect(await page.locator('[data-field="amount"] dd').textContent()).toMatch(/125\.000\.000\s*₫/);

    // a rejection without a reason is refused in the browser, naming the field
    await page.getByLabel('Từ chối', { exact: true }).check();
    await page.getByRole('button', { name: 'Hoàn thành' }).click();
    await expect.poll(() => page.locator('.error-detail').first().textContent()).toContain('bắt buộc');
    await shot('05-accountant-task-error');

    await page.getByLabel('Đồng ý', { exact: true }).check();
    await page.locator('#root_comment').fill('Đúng hợp đồng số 12/2026, đủ chứng từ.');
    await shot('06-accountant-task');
    await page.getByRole('button', { name: 'Hoàn thành' }).click();
    await page.waitForURL('**/inbox?done=*');
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Đã hoàn thành công việc');
    expect(await page.locator('tr', { hasText: 'HD-2026/0117' }).count()).toBe(0);
    await shot('07-accountant-done');
    await page.getByRole('button', { name: 'EN' }).click();
    await signOut();
  });

  it('operations manager approves', async () => {
    await signInAs('Đỗ Minh Quân');
    const row = page.locator('tr', { hasText: 'HD-2026/0117' });
    await expect.poll(() => row.count()).toBe(1);
    await shot('08-manager-inbox');
    await row.getByRole('link', { name: 'Operations manager approval' }).click();
    await page.waitForURL('**/tasks/*');
    await page.waitForLoadState('networkidle');
    await page.getByLabel('Approve', { exact: true }).check();
    await page.getByRole('button', { name: 'Complete task' }).click();
    await page.waitForURL('**/inbox?done=*');
  });

  it('the instance page shows it completed with its history', async () => {
    await page.goto(instanceUrl);
    await expect.poll(() => page.getByTestId('instance-status').textContent()).toBe('Completed');
    expect(await page.getByTestId('instance-outcome').textContent()).toBe('Approved');
    const history = await page.locator('ol.history li').allTextContents();
    expect(history.join('\n')).toContain('Bùi Thị Ngọc started the process');
    expect(history.join('\n')).toContain('Trần Văn Hùng completed “Accounting approval”');
    expect(history.join('\n')).toContain('“Above threshold?” → Above the category’s threshold');
    expect(history.join('\n')).toContain('Đỗ Minh Quân completed “Operations manager approval”');
    expect(history.at(-1)).toContain('Process completed: Approved');
    await shot('09-instance-completed');
  });
});
