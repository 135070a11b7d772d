/**
 * In a real browser: the admin finds the incidents page in the navigation (staff do not), sees a
 * failed bank job of "Thanh toán nhà cung cấp" and an instance the engine stopped, retries the
 * job (it leaves the list), then fixes the stopped instance's amount on its page and retries it.
 * Screenshots land in test/e2e/screenshots.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { publishProcess } from '@/app/server/services/definitions';
import { createWorker } from '@/app/server/host/worker';
import { callerFor, demo } from '../support/callers';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;
let stoppedId = '';

const flow = (id: string, source: string, target: string, condition?: string) => ({
  id,
  source,
  target,
  ...(condition ? { condition } : {}),
});

const { shot, signInAs } = appInBrowser({
  ready: (started) => {
    ({ app, page } = started);
    page.on('dialog', () => {
      throw new Error('a dialog opened: user text was run as markup');
    });
  },
  async prepare(db, tenantId) {
    await publishProcess(
      db,
      tenantId,
      {
        definition: {
          formatVersion: 1,
          key: 'supplier-payment',
          version: 1,
          name: { en: 'Supplier payment', vi: 'Thanh toán nhà cung cấp' },
          startForm: 'payment-start',
          businessKey: 'invoiceNumber',
          elements: [
            { id: 's', type: 'startEvent' },
            {
              id: 'charge',
              type: 'serviceTask',
              taskType: 'charge-card',
              name: { en: 'Pay by bank', vi: 'Chuyển khoản ngân hàng' },
            },
            { id: 'e', type: 'endEvent' },
          ],
          flows: [flow('f1', 's', 'charge'), flow('f2', 'charge', 'e')],
        },
        forms: [
          {
            key: 'payment-start',
            version: 1,
            title: 'Thanh toán',
            schema: { type: 'object', properties: { invoiceNumber: { type: 'string' } } },
          },
        ],
      },
      null,
    );
    await publishProcess(
      db,
      tenantId,
      {
        definition: {
          formatVersion: 1,
          key: 'amount-routing',
          version: 1,
          name: { en: 'Route by amount', vi: 'Phân luồng theo số tiền' },
          startForm: 'routing-start',
          businessKey: 'reference',
          elements: [
            { id: 's', type: 'startEvent' },
            {
              id: 'size',
              type: 'exclusiveGateway',
              default: 'toSmall',
              name: { en: 'Large amount?', vi: 'Số tiền lớn?' },
            },
            {
              id: 'big',
              type: 'userTask',
              formKey: 'decision',
              candidateGroups: ['accounting'],
              name: { en: 'Chief accountant approval', vi: 'Kế toán trưởng duyệt' },
            },
            { id: 'small', type: 'userTask', formKey: 'decision', candidateGroups: ['accounting'] },
            { id: 'e', type: 'endEvent' },
          ],
          flows: [
            flow('f0', 's', 'size'),
            flow('toBig', 'size', 'big', 'amount > 1000000'),
            flow('toSmall', 'size', 'small'),
            flow('f3', 'big', 'e'),
            flow('f4', 'small', 'e'),
          ],
        },
        forms: [
          {
            key: 'decision',
            version: 1,
            title: 'Quyết định',
            schema: { type: 'object', properties: { decision: { type: 'string', enum: ['approve', 'reject'] } } },
          },
          {
            key: 'routing-start',
            version: 1,
            title: 'Số tiền',
            schema: { type: 'object', properties: { reference: { type: 'string' }, amount: { type: 'number' } } },
          },
        ],
      },
      null,
    );
    const ngoc = await callerFor(db, demo.ngoc);
    await ngoc.instance.start({ definitionKey: 'supplier-payment', variables: { invoiceNumber: 'HD-2026/0117' } });
    // The bank refuses for good: the job is an incident at once.
    await createWorker(db, {
      connectors: {
        'charge-card': async () => {
          throw Object.assign(new Error('Ngân hàng từ chối: tài khoản nhận bị phong tỏa <script>alert(1)</script>'), {
            retryable: false,
          });
        },
      },
    }).tick();
    // No amount: the gateway cannot decide; the engine stops the instance.
    stoppedId = (await ngoc.instance.start({ definitionKey: 'amount-routing', variables: { reference: 'PL-2026-07' } }))
      .id;
  },
});

describe('incidents in the browser', () => {
  it('are not in the navigation of staff, and their page refuses them', async () => {
    await signInAs('Bùi Thị Ngọc');
    expect(await page.getByRole('link', { name: 'Incidents' }).count()).toBe(0);
    await page.goto(`${app.url}/admin/incidents`);
    await expect.poll(() => page.locator('.notice.error').textContent()).toContain('Only an admin');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL('**/sign-in');
  });

  it('the admin sees both incidents in Vietnamese and retries the failed job', async () => {
    await signInAs('Ngô Quốc Bảo');
    await page.getByRole('button', { name: 'VI' }).click();
    await page.waitForURL('**/inbox');
    await page.getByRole('link', { name: 'Sự cố' }).click();
    await page.waitForURL('**/admin/incidents');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Sự cố');
    const job = page.locator('tr', { hasText: 'HD-2026/0117' });
    const stopped = page.locator('tr', { hasText: 'PL-2026-07' });
    await expect.poll(() => job.count()).toBe(1);
    expect(await job.textContent()).toContain('Thanh toán nhà cung cấp');
    expect(await job.textContent()).toContain('Chuyển khoản ngân hàng');
    // the connector's error, markup and all, is shown as text
    expect(await job.locator('td.message').textContent()).toContain('<script>alert(1)</script>');
    expect(await stopped.textContent()).toContain('Phân luồng theo số tiền');
    expect(await stopped.textContent()).toContain('Số tiền lớn?');
    await page.waitForLoadState('networkidle');
    await shot('incidents-01-list-vi');

    // filtered by process
    await page.locator('nav.filters').getByRole('link', { name: 'Phân luồng theo số tiền' }).click();
    await page.waitForURL('**/admin/incidents?process=amount-routing');
    await expect.poll(() => page.locator('tr', { hasText: 'HD-2026/0117' }).count()).toBe(0);
    expect(await page.locator('tr', { hasText: 'PL-2026-07' }).count()).toBe(1);
    await page.locator('nav.filters').getByRole('link', { name: 'Tất cả quy trình' }).click();
    await page.waitForURL(/\/admin\/incidents$/);
    await page.waitForLoadState('networkidle');

    // when the admin retries the failed job, it leaves the list
    await page.locator('tr', { hasText: 'HD-2026/0117' }).getByRole('button', { name: 'Thử lại' }).click();
    await expect.poll(() => page.locator('tr', { hasText: 'HD-2026/0117' }).count(), { timeout: 15_000 }).toBe(0);
    expect(await page.locator('tr', { hasText: 'PL-2026-07' }).count()).toBe(1);
    await shot('incidents-02-job-retried-vi');
  });

  it("the admin fixes the stopped instance's amount on its page and retries it", async () => {
    await page.locator('tr', { hasText: 'PL-2026-07' }).getByRole('link', { name: 'Phân luồng theo số tiền' }).click();
    await page.waitForURL(`**/instances/${stoppedId}`);
    await page.waitForLoadState('networkidle');
    const panel = page.getByTestId('incident');
    expect(await panel.textContent()).toContain('Số tiền lớn?');
    await shot('incidents-03-instance-incident-vi');
    await panel.locator('textarea').fill('{"amount": 250000000}');
    await panel.getByRole('button', { name: 'Thử lại' }).click();
    await expect.poll(() => page.getByTestId('instance-status').textContent(), { timeout: 15_000 }).toBe('Đang xử lý');
    expect(await page.getByTestId('incident').count()).toBe(0);
    const history = (await page.locator('ol.history li').allTextContents()).join('\n');
    expect(history).toContain('Ngô Quốc Bảo đã thử lại sự cố tại “Số tiền lớn?”');
    expect(history).toContain('Kế toán trưởng duyệt');
    await shot('incidents-04-instance-retried-vi');
    await page.getByRole('button', { name: 'EN' }).click();
  });
});
