/**
 * In a real browser: a staff member starts a process whose service task sends an email; the
 * app's own worker (no SMTP server configured) keeps it in the outbox and the process completes;
 * the admin finds it under "Email outbox" with its Vietnamese subject and text, shown as text
 * (a vendor named with HTML stays literal). Staff see no link and are refused. "Send now" on the
 * held email is refused, naming TRELLIS_SMTP_URL, and says so as text.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { publishProcess } from '@/app/server/services/definitions';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;

const VENDOR = 'Công ty TNHH <b>Hòa Bình</b>';
const SUBJECT = `Hóa đơn HD-2026/0200 của ${VENDOR} đã được duyệt`;

beforeAll(() => {
  // No SMTP server, whatever the machine's environment says: the email must land in the outbox.
  process.env.TRELLIS_SMTP_URL = '';
});
const { shot, signInAs, signOut } = appInBrowser({
  ready: (started) => ({ app, page } = started),
  async prepare(db, tenantId) {
    await publishProcess(
      db,
      tenantId,
      {
        definition: {
          formatVersion: 1,
          key: 'payment-notice',
          version: 1,
          name: { en: 'Payment notice', vi: 'Thông báo thanh toán' },
          startForm: 'payment-notice-start',
          elements: [
            { id: 's', type: 'startEvent' },
            {
              id: 'notify',
              type: 'serviceTask',
              name: { en: 'Tell accounting', vi: 'Báo kế toán' },
              taskType: 'email',
              settings: {
                to: 'Nguyễn Thị Lan <lan.nguyen@senvang.example>',
                cc: 'hung.tran@senvang.example',
                subject: '="Hóa đơn " + invoiceNumber + " của " + vendor + " đã được duyệt"',
                body: '="Kính gửi chị Lan,\\nHóa đơn " + invoiceNumber + " của " + vendor + " đã được duyệt, đề nghị thanh toán trước ngày 20/12.\\nTrân trọng,\\nPhòng Vận hành"',
              },
            },
            { id: 'e', type: 'endEvent' },
          ],
          flows: [
            { id: 'f1', source: 's', target: 'notify' },
            { id: 'f2', source: 'notify', target: 'e' },
          ],
        },
        forms: [
          {
            key: 'payment-notice-start',
            version: 1,
            title: 'Payment notice',
            schema: {
              type: 'object',
              required: ['invoiceNumber', 'vendor'],
              properties: {
                invoiceNumber: { type: 'string', title: 'Invoice number' },
                vendor: { type: 'string', title: 'Vendor' },
              },
            },
          },
        ],
      },
      null,
    );
  },
});

describe('the email outbox in the browser', () => {
  it('a staff member starts the process; the email is held and the process completes', async () => {
    await signInAs('Bùi Thị Ngọc');
    // staff have no outbox link, and the page refuses them
    expect(await page.getByRole('link', { name: 'Email outbox' }).count()).toBe(0);
    await page.goto(`${app.url}/admin/outbox`);
    await expect
      .poll(() => page.locator('.notice.error').textContent())
      .toBe('Only an admin may read the email outbox.');

    await page.goto(`${app.url}/start/payment-notice`);
    await page.waitForLoadState('networkidle');
    await page.locator('#root_invoiceNumber').fill('HD-2026/0200');
    await page.locator('#root_vendor').fill(VENDOR);
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL('**/instances/*');
    // the app's worker runs the email job within a poll or two
    await expect
      .poll(
        async () => {
          await page.reload();
          return page.getByTestId('instance-status').textContent();
        },
        { timeout: 15_000, interval: 500 },
      )
      .toBe('Completed');
    await signOut();
  });

  it('the admin reads it in the outbox, in Vietnamese, as text', async () => {
    await signInAs('Ngô Quốc Bảo');
    await page.getByRole('link', { name: 'Email outbox' }).click();
    await page.waitForURL('**/admin/outbox');
    await page.getByRole('button', { name: 'VI' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Hộp thư đi');

    const row = page.locator('tr', { hasText: 'HD-2026/0200' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.getByTestId('email-status').textContent()).toBe('Chưa gửi');
    expect(await row.locator('.email-subject').textContent()).toBe(SUBJECT);
    // the vendor's "<b>" is text, not markup
    expect(await row.locator('.email-subject b').count()).toBe(0);
    expect(await row.locator('td.recipients').textContent()).toContain('Nguyễn Thị Lan <lan.nguyen@senvang.example>');
    expect(await row.locator('td.recipients').textContent()).toContain('Cc: hung.tran@senvang.example');
    expect(await row.getByRole('link', { name: 'Thông báo thanh toán' }).count()).toBe(1);

    // the text opens on demand
    expect(await row.locator('pre.email-body').isVisible()).toBe(false);
    await row.getByText('Xem nội dung').click();
    await expect.poll(() => row.locator('pre.email-body').isVisible()).toBe(true);
    expect(await row.locator('pre.email-body').textContent()).toBe(
      `Kính gửi chị Lan,\nHóa đơn HD-2026/0200 của ${VENDOR} đã được duyệt, đề nghị thanh toán trước ngày 20/12.\nTrân trọng,\nPhòng Vận hành`,
    );
    expect(await row.locator('dl.facts').textContent()).toContain('người gửi mặc định của máy chủ');
    await shot('20-admin-outbox-vi');

    // Send now, with no SMTP server configured: refused, naming the setting, shown as text
    await row.getByRole('button', { name: 'Gửi ngay' }).click();
    await expect
      .poll(() => row.getByTestId('send-result').textContent())
      .toBe(
        'Chưa cấu hình máy chủ SMTP nên chưa gửi được: hãy đặt TRELLIS_SMTP_URL (và TRELLIS_MAIL_FROM) trên máy chủ ứng dụng rồi khởi động lại. Email vẫn được giữ trong hộp thư đi.',
      );
    expect(await row.getByTestId('send-result').getAttribute('class')).toBe('error-text');
    expect(await row.getByTestId('email-status').textContent()).toBe('Chưa gửi');
    expect(await row.getByRole('button', { name: 'Gửi ngay' }).isEnabled()).toBe(true);
    await shot('21-admin-outbox-send-now-no-smtp');

    // filtered: nothing has failed
    await page.getByRole('link', { name: 'Gửi lỗi' }).click();
    await page.waitForURL('**/admin/outbox?status=failed');
    await expect.poll(() => page.locator('.panel.muted').textContent()).toBe('Chưa có email nào.');
    await page.getByRole('button', { name: 'EN' }).click();
  });
});
