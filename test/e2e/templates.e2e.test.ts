/**
 * The template library in Chromium (issue 18), mouse and keyboard: the admin of a company just
 * signed up in the browser browses the library, sees the accounting pack's invoice approval (its
 * diagram, forms and README), imports the pack — its two departments created in the same step —
 * published at once, and the page then says where the process came from; in English and
 * Vietnamese, and on a phone.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;

const { shot, submitSignUp } = appInBrowser({
  ready: (started) => {
    ({ app, page } = started);
    page.on('pageerror', (error) => console.log('pageerror:', error.message));
  },
});

describe('the template library', () => {
  it('a new company’s admin imports the accounting pack, creating its departments, published at once', async () => {
    await page.goto(`${app.url}/sign-up`);
    await submitSignUp({ name: 'Trần Thị Hoa', email: 'hoa.tran@hoasen.example', password: 'Mật khẩu của Hoa 2026', company: 'Công ty TNHH Hoa Sen' });
    await page.waitForURL((url) => !url.pathname.startsWith('/sign-up'), { timeout: 15_000 });
    if ((await page.getByRole('button', { name: 'EN', exact: true }).getAttribute('aria-pressed')) !== 'true') await page.getByRole('button', { name: 'EN', exact: true }).click();
    await page.getByRole('link', { name: 'Templates' }).click();
    await page.waitForURL('**/templates');
    const pack = page.locator('[data-pack="accounting"]');
    await expect.poll(() => pack.getByRole('heading', { level: 2 }).textContent()).toContain('Accounting');
    expect(await pack.locator('[data-template="invoice-approval"] h3').textContent()).toBe('Invoice approval');
    await pack.locator('.djs-container').first().waitFor();
    await pack.getByText('Read me').click();
    expect(await pack.locator('.readme').textContent()).toContain('Invoice approval');
    const form = page.getByTestId('import-accounting');
    expect(await form.getByTestId('map-accounting').inputValue()).toBe('create:accounting');
    expect(await form.getByTestId('map-operations').inputValue()).toBe('create:operations');
    await form.getByTestId('import-publish').check();
    await shot('templates-01-library');
    await form.getByRole('button', { name: 'Import' }).click();
    await expect.poll(() => form.getByTestId('import-result').textContent(), { timeout: 15_000 }).toBe('Imported: Invoice approval. Departments created: accounting, operations.Open “Invoice approval” in the designer');
    await expect.poll(() => pack.locator('[data-template="invoice-approval"] [role="note"]').textContent()).toContain('In your company, from accounting 1.0.0');
    // published: the start page offers it
    await page.goto(`${app.url}/start`);
    await expect.poll(() => page.locator('article', { hasText: 'Invoice approval' }).count()).toBe(1);
  });

  it('speaks Vietnamese and fits a phone', async () => {
    await page.goto(`${app.url}/templates`);
    await page.getByRole('button', { name: 'VI', exact: true }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Thư viện quy trình mẫu');
    expect(await page.locator('[data-pack="accounting"] [data-template="invoice-approval"] h3').textContent()).toBe('Phê duyệt hóa đơn');
    await shot('templates-02-vi');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole('heading', { level: 1 }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    await shot('templates-03-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('button', { name: 'EN', exact: true }).click();
  });
});
