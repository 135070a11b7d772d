/**
 * The runner in Chromium (issue 19), in Vietnamese: a staff member searches the start page without
 * accents ("hoa don" finds "Phê duyệt hóa đơn", grouped under its department) and starts nothing;
 * sees in My requests where her prepared requests are (the step, who has it, since when), with a
 * hostile reference shown as text; is refused the instances list (HTTP 403); the admin filters the
 * instances list by process and downloads it as CSV (byte-order mark, a formula cell quoted). No
 * serious or critical accessibility violations (axe-core) on /start, /requests and /instances.
 * Screenshots land in test/e2e/screenshots (runner-*).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { publishProcess } from '@/app/server/services/definitions';
import { callerFor, demo } from '../support/callers';
import { accessibilityProblems } from './axe';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;

const HOSTILE = '<img src=x onerror=alert(1)>';
const FORMULA = '=1+1';

const invoice = (invoiceNumber: string, vendor: string, amount: number, dueDate: string) => ({
  vendor,
  invoiceNumber,
  amount,
  category: 'office-supplies',
  dueDate,
  description: 'Văn phòng phẩm quý IV',
});

const { shot, signInAs, signOut } = appInBrowser({
  ready: (started) => ({ app, page } = started),
  async prepare(db, tenantId) {
    // A process whose reference is free text: what a requester types reaches the lists and the export as is.
    await publishProcess(
      db,
      tenantId,
      {
        definition: {
          formatVersion: 1,
          key: 'reference-check',
          version: 1,
          name: { en: 'Reference check', vi: 'Kiểm tra mã tham chiếu' },
          category: 'accounting',
          startForm: 'reference-check-start',
          businessKey: 'reference',
          elements: [
            { id: 'start', type: 'startEvent' },
            {
              id: 'check',
              type: 'userTask',
              name: { en: 'Check the reference', vi: 'Kiểm tra mã' },
              formKey: 'reference-check-decision',
              candidateGroups: ['accounting'],
            },
            { id: 'done', type: 'endEvent' },
          ],
          flows: [
            { id: 'f1', source: 'start', target: 'check' },
            { id: 'f2', source: 'check', target: 'done' },
          ],
        },
        forms: [
          {
            key: 'reference-check-start',
            version: 1,
            title: 'Start',
            schema: { type: 'object', properties: { reference: { type: 'string', maxLength: 100 } } },
          },
          {
            key: 'reference-check-decision',
            version: 1,
            title: 'Decision',
            schema: { type: 'object', properties: { ok: { type: 'boolean' } } },
          },
        ],
      },
      null,
    );
    const ngoc = await callerFor(db, demo.ngoc);
    await ngoc.instance.start({
      definitionKey: 'invoice-approval',
      variables: invoice('HD-RUN-01', 'Công ty TNHH Thương mại Hòa Bình', 12_500_000, '2099-01-15'),
    });
    await ngoc.instance.start({ definitionKey: 'reference-check', variables: { reference: FORMULA } });
    await ngoc.instance.start({ definitionKey: 'reference-check', variables: { reference: HOSTILE } });
  },
});

/** On the inbox after signing in: switches to Vietnamese (kept by a cookie) and waits until the page speaks it. */
async function inVietnamese() {
  await page.getByRole('button', { name: 'VI', exact: true }).click();
  await expect.poll(() => page.locator('h1').textContent()).toBe('Hộp công việc của tôi');
}

const rowOf = (text: string) => page.locator('table.runner-table tbody tr', { hasText: text });

describe('the runner in the browser', () => {
  it('finds “Phê duyệt hóa đơn” by “hoa don” on the start page, under its department, and starts nothing', async () => {
    await signInAs('Bùi Thị Ngọc');
    await inVietnamese();
    await page.goto(`${app.url}/start`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Khởi tạo quy trình');
    // grouped by department, in the company's names for them
    expect(await page.locator('section.start-group h2').allTextContents()).toContain('Kế toán');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByLabel('Tìm quy trình').fill('hoa don');
    await page.getByRole('button', { name: 'Tìm', exact: true }).click();
    await page.waitForURL(/q=hoa\+don/);
    const card = page.locator('article.card:has(a[href="/start/invoice-approval"])');
    await expect.poll(() => card.count()).toBe(1);
    expect(await card.locator('h3').textContent()).toBe('Phê duyệt hóa đơn');
    expect(
      await page
        .locator(
          'section.start-group[data-department="accounting"] article.card:has(a[href="/start/invoice-approval"])',
        )
        .count(),
    ).toBe(1);
    expect(await page.locator('article.card:has(a[href="/start/leave-application"])').count()).toBe(0);
    expect(await page.locator('main [role="status"]').textContent()).toMatch(/khớp với “hoa don”/);
    await shot('runner-01-start-search-vi');
    expect(await accessibilityProblems(page)).toEqual([]);
    expect(page.url()).toMatch(/\/start\?q=hoa\+don$/);
  });

  it('shows the requester where each request is now: the step, who has it, since when; user text as text', async () => {
    await page.getByRole('link', { name: 'Yêu cầu của tôi' }).click();
    await page.waitForURL('**/requests');
    await expect.poll(() => page.locator('table.runner-table tbody tr').count()).toBe(3);
    const invoiceRow = rowOf('Phê duyệt hóa đơn');
    expect(await invoiceRow.locator('[data-where] .step-name').textContent()).toBe('Kế toán phê duyệt');
    expect(await invoiceRow.locator('[data-where] .who').textContent()).toBe('giao cho Kế toán');
    expect(await invoiceRow.locator('[data-where] .since').textContent()).toMatch(/^từ /);
    expect(await invoiceRow.textContent()).toContain('HD-RUN-01');
    expect(await invoiceRow.locator('.badge').first().textContent()).toBe('Đang xử lý');
    // the hostile reference is text, not an image
    expect(await rowOf(HOSTILE).count()).toBe(1);
    expect(await page.locator('main img').count()).toBe(0);
    await shot('runner-02-requests-vi');
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it('refuses the instances list to a staff member with HTTP 403, and offers no link to it', async () => {
    expect(await page.locator('header nav a[href="/instances"]').count()).toBe(0);
    const response = await page.goto(`${app.url}/instances`);
    expect(response?.status()).toBe(403);
    await expect
      .poll(() => page.locator('main').textContent())
      .toContain('Chỉ quản trị viên, kiểm toán viên và trưởng phòng');
    await shot('runner-03-instances-403-vi');
    const csv = await page.request.get(`${app.url}/api/instances/export`);
    expect(csv.status()).toBe(403);
  });

  it('lets the admin filter the instances by process and download them as CSV', async () => {
    await signOut();
    await signInAs('Ngô Quốc Bảo');
    await inVietnamese();
    await page.locator('header nav a[href="/instances"]').click();
    await page.waitForURL('**/instances');
    await expect.poll(() => page.locator('table.runner-table tbody tr').count()).toBe(3);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.locator('.instance-filters > summary').click();
    await page.locator('select[name="process"]').selectOption('reference-check');
    await page.getByRole('button', { name: 'Áp dụng', exact: true }).click();
    await page.waitForURL(/process=reference-check/);
    await expect.poll(() => page.locator('table.runner-table tbody tr').count()).toBe(2);
    expect(await rowOf(FORMULA).locator('[data-where] .step-name').textContent()).toBe('Kiểm tra mã');
    expect(await rowOf(HOSTILE).count()).toBe(1);
    expect(await page.locator('main img').count()).toBe(0);
    await shot('runner-04-instances-filtered-vi');
    expect(await accessibilityProblems(page)).toEqual([]);

    const href = await page.locator('a[data-export]').getAttribute('href');
    expect(href).toBe('/api/instances/export?process=reference-check');
    const response = await page.request.get(`${app.url}${href}`);
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers()['content-disposition']).toMatch(
      /^attachment; filename="instances-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const bytes = await response.body();
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
    const lines = text.split('\r\n').filter(Boolean);
    expect(lines[0]).toBe(
      '\uFEFFMã tham chiếu,Quy trình,Phiên bản,Trạng thái,Người khởi tạo,Thời điểm khởi tạo,Thời điểm kết thúc,Bước hiện tại',
    );
    expect(lines).toHaveLength(3);
    expect(text).toContain(`\r\n"'${FORMULA}",Kiểm tra mã tham chiếu,1,Đang xử lý,Bùi Thị Ngọc,`);
    expect(text).toContain(`\r\n${HOSTILE},Kiểm tra mã tham chiếu,1,`);
  });
});
