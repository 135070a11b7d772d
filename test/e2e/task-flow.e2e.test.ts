/**
 * Issue 19's "done when", in Chromium, once in Vietnamese and once in English: an accountant sees a
 * new invoice task appear in the inbox without a reload, claims it, comments with an @mention of
 * the chief accountant, attaches a file to the case and completes the task; the requester sees in
 * My requests that it moved on and, on the diagram, where it waits now; the mentioned colleague
 * has a notification under the bell. Screenshots land in test/e2e/screenshots (flow-*).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '@/app/server/seed';
import { demo } from '../support/callers';
import { call, signIn } from './api-client';
import { accessibilityProblems } from './axe';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;

const { shot, signInAs, signOut } = appInBrowser({ ready: (started) => ({ app, page } = started) });

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n');

const marked = (id: string, marker: string) => page.locator(`.djs-element[data-element-id="${id}"].${marker}`);

interface Words {
  locale: 'vi' | 'en';
  reference: string;
  vendor: string;
  task: string;
  claim: string;
  comment: string;
  post: string;
  posted: string;
  attachLabel: string;
  attached: string;
  approve: string;
  complete: string;
  requests: string;
  mentioned: string;
  bell: RegExp;
}

const FLOWS: Words[] = [
  {
    locale: 'vi',
    reference: 'HD-FLOW-VI',
    vendor: 'Công ty TNHH Điện máy Hòa Phát',
    task: 'Kế toán phê duyệt',
    claim: 'Nhận việc',
    comment: 'chị xem giúp điều khoản thanh toán 30 ngày',
    post: 'Gửi bình luận',
    posted: 'Đã gửi bình luận.',
    attachLabel: 'Đính kèm tệp vào hồ sơ',
    attached: 'Đã đính kèm “Biên bản giao hàng.pdf”.',
    approve: 'Đồng ý',
    complete: 'Hoàn thành',
    requests: 'Yêu cầu của tôi',
    mentioned: 'Trần Văn Hùng đã nhắc đến bạn trong “Kế toán phê duyệt”',
    bell: /^Thông báo, 1 chưa đọc$/,
  },
  {
    locale: 'en',
    reference: 'HD-FLOW-EN',
    vendor: 'Nhà sách Phương Nam',
    task: 'Accounting approval',
    claim: 'Take',
    comment: 'please check the 30-day payment terms',
    post: 'Post comment',
    posted: 'Comment posted.',
    attachLabel: 'Attach a file to the case',
    attached: '“Biên bản giao hàng.pdf” attached.',
    approve: 'Approve',
    complete: 'Complete task',
    requests: 'My requests',
    mentioned: 'Trần Văn Hùng mentioned you on “Accounting approval”',
    bell: /^Notifications, 1 unread$/,
  },
];

async function setLocale(locale: 'vi' | 'en') {
  const button = page.getByRole('button', { name: locale.toUpperCase(), exact: true });
  if ((await button.getAttribute('aria-pressed')) !== 'true') {
    await button.click();
    await expect.poll(() => button.getAttribute('aria-pressed')).toBe('true');
  }
}

describe.each(FLOWS)('a task from the inbox to done ($locale)', (w) => {
  let instanceId = '';

  it('the accountant sees the new task appear, claims it, comments with a mention, attaches a file and completes it', async () => {
    await signInAs('Trần Văn Hùng');
    await setLocale(w.locale);
    await page.waitForLoadState('networkidle');
    const ngoc = await signIn(app.url, demo.ngoc, DEMO_PASSWORD);
    const started = await call<{ id: string; taskIds: string[] }>(app.url, ngoc, 'instance.start', {
      definitionKey: 'invoice-approval',
      variables: {
        vendor: w.vendor,
        invoiceNumber: w.reference,
        amount: 90_000_000,
        category: 'it-equipment',
        dueDate: '2099-01-20',
        description: 'Máy chủ cho phòng Dữ liệu',
      },
    });
    expect(started.status).toBe(200);
    instanceId = started.data!.id;
    const row = page.locator('table.inbox-table tbody tr', { hasText: w.reference });
    await expect.poll(() => row.count(), { timeout: 15_000 }).toBe(1);
    await shot(`flow-${w.locale}-01-live`);
    await row.getByRole('button', { name: w.claim }).click();
    await expect
      .poll(() => row.locator('[data-assignee]').textContent(), { timeout: 15_000 })
      .toBe(w.locale === 'vi' ? 'Bạn' : 'You');
    await row.getByRole('link', { name: w.task }).click();
    await page.waitForURL('**/tasks/*');
    await page.waitForLoadState('networkidle');
    // the case in a few fields
    expect(await page.locator('dl.case-summary').textContent()).toContain(w.vendor);
    // @mention: type "@Lan", pick her from the suggestions
    const box = page.locator('#comment-body');
    await box.click();
    await box.pressSequentially('@lan');
    await page.getByRole('option', { name: /Nguyễn Thị Lan/ }).click();
    await box.pressSequentially(w.comment);
    expect(await box.inputValue()).toBe(`@Nguyễn Thị Lan ${w.comment}`);
    await page.getByRole('button', { name: w.post }).click();
    await expect.poll(() => page.getByText(w.posted).count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.locator('.comment-list li').count()).toBe(1);
    // a file for the case
    await page
      .getByLabel(w.attachLabel)
      .setInputFiles({ name: 'Biên bản giao hàng.pdf', mimeType: 'application/pdf', buffer: PDF });
    await expect.poll(() => page.getByText(w.attached).count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => page.locator('.case-files a', { hasText: 'Biên bản giao hàng.pdf' }).count()).toBe(1);
    await shot(`flow-${w.locale}-02-task`);
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.getByLabel(w.approve, { exact: true }).check();
    await page.getByRole('button', { name: w.complete }).click();
    await page.waitForURL('**/inbox?done=*');
    await signOut();
  });

  it('the requester sees in My requests that it moved on, and where it waits on the diagram', async () => {
    await signInAs('Bùi Thị Ngọc');
    await setLocale(w.locale);
    await page.getByRole('link', { name: w.requests }).click();
    await page.waitForURL('**/requests');
    const row = page.locator('table.runner-table tbody tr', { hasText: w.reference });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toMatch(
      w.locale === 'vi' ? /Trưởng phòng Vận hành duyệt|Vận hành/ : /Operations manager approval/,
    );
    await shot(`flow-${w.locale}-03-requests`);
    await row.getByRole('link').first().click();
    await page.waitForURL(`**/instances/${instanceId}`);
    await expect.poll(() => marked('operationsApproval', 'trellis-active').count(), { timeout: 20_000 }).toBe(1);
    expect(await marked('accountingApproval', 'trellis-done').count()).toBe(1);
    await shot(`flow-${w.locale}-04-diagram`);
    expect(await accessibilityProblems(page)).toEqual([]);
    await signOut();
  });

  it('the mentioned colleague has a notification under the bell', async () => {
    await signInAs('Nguyễn Thị Lan');
    await setLocale(w.locale);
    const bell = page.locator('.bell-button');
    await expect.poll(() => bell.getAttribute('aria-label')).toMatch(w.bell);
    await bell.click();
    // (the first flow's mention is there too, read, in this language now: this flow's is the one with its words)
    const item = page.locator('.bell-panel li', { hasText: w.mentioned }).filter({ hasText: w.comment });
    await expect.poll(() => item.count(), { timeout: 15_000 }).toBe(1);
    expect(await item.getAttribute('class')).toBe('unread');
    await shot(`flow-${w.locale}-05-bell`);
    await item.getByRole('link').click();
    await page.waitForURL('**/tasks/*');
    await expect.poll(() => page.locator('.comment-list li').count()).toBe(1);
    await signOut();
  });
});
