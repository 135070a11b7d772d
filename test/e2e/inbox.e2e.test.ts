/**
 * The inbox in Chromium (issue 19): an accountant sees All open with the lists' counts, searches
 * without accents in Vietnamese ("hoa binh" finds "Hòa Bình"), filters overdue work, claims two
 * department tasks at once, finds them under My tasks, saves the view and opens it again; the page
 * has no serious or critical accessibility violations (axe-core) and fits a phone (360 and 430 px)
 * as cards. Screenshots land in test/e2e/screenshots (inbox-*).
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '@/app/server/seed';
import { callerFor, demo } from '../support/callers';
import { call, signIn } from './api-client';
import { accessibilityProblems } from './axe';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;

const invoice = (invoiceNumber: string, vendor: string, amount: number, dueDate: string) => ({
  vendor,
  invoiceNumber,
  amount,
  category: 'office-supplies',
  dueDate,
  description: 'Văn phòng phẩm quý IV',
});

const { shot, signInAs } = appInBrowser({
  ready: (started) => ({ app, page } = started),
  async prepare(db) {
    const ngoc = await callerFor(db, demo.ngoc);
    await ngoc.instance.start({
      definitionKey: 'invoice-approval',
      variables: invoice('HD-INBOX-01', 'Công ty TNHH Thương mại Hòa Bình', 12_500_000, '2026-01-15'),
    });
    await ngoc.instance.start({
      definitionKey: 'invoice-approval',
      variables: invoice('HD-INBOX-02', 'Nhà sách Đông Á', 1_200_000, '2099-03-01'),
    });
    await ngoc.instance.start({
      definitionKey: 'invoice-approval',
      variables: invoice('HD-INBOX-03', 'Văn phòng phẩm Sen Vàng', 3_400_000, '2099-04-01'),
    });
  },
});

const rows = () => page.locator('table.inbox-table tbody tr');
const rowOf = (reference: string) => page.locator('table.inbox-table tbody tr', { hasText: reference });

describe('the inbox in the browser', () => {
  it('shows all open work with the lists’ counts, overdue at a glance, and passes axe', async () => {
    await signInAs('Trần Văn Hùng');
    await expect.poll(() => rows().count()).toBe(3);
    expect(
      await page
        .getByRole('navigation', { name: 'Inbox lists' })
        .getByRole('link', { name: /All open\s*3/ })
        .getAttribute('aria-current'),
    ).toBe('page');
    expect(await rowOf('HD-INBOX-01').locator('.badge.overdue').textContent()).toBe('Overdue');
    expect(await rowOf('HD-INBOX-01').textContent()).toContain('Công ty TNHH Thương mại Hòa Bình · 12,500,000');
    await shot('inbox-01-all');
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it('shows a new task without a reload, and says when a colleague took one', async () => {
    const ngoc = await signIn(app.url, demo.ngoc, DEMO_PASSWORD);
    const started = await call<{ id: string; taskIds: string[] }>(app.url, ngoc, 'instance.start', {
      definitionKey: 'invoice-approval',
      variables: invoice('HD-INBOX-LIVE', 'Công ty Cổ phần Mới', 2_000_000, '2099-05-01'),
    });
    expect(started.status).toBe(200);
    await expect.poll(() => rowOf('HD-INBOX-LIVE').count(), { timeout: 15_000 }).toBe(1);
    // the note follows the row by one render: wait for it too
    await expect
      .poll(() => page.getByText('New: “Accounting approval”.').count(), { timeout: 5_000 })
      .toBeGreaterThan(0);
    await shot('inbox-01b-live-new');
    // Lan, a colleague of the department, takes it: it leaves Hùng's list with a note, without a reload.
    const lan = await signIn(app.url, demo.lan, DEMO_PASSWORD);
    expect((await call(app.url, lan, 'task.claim', { id: started.data!.taskIds[0] })).status).toBe(200);
    await expect.poll(() => rowOf('HD-INBOX-LIVE').count(), { timeout: 15_000 }).toBe(0);
    await expect
      .poll(
        () =>
          page
            .getByText('“Accounting approval” left this list: a colleague took or completed it, or it moved on.')
            .count(),
        { timeout: 5_000 },
      )
      .toBe(1);
    await shot('inbox-01c-live-gone');
  });

  it('searches without accents and filters, in Vietnamese', async () => {
    await page.getByRole('button', { name: 'VI' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Hộp công việc của tôi');
    await page.locator('.inbox-filters > summary').click();
    await page.getByLabel('Tìm kiếm', { exact: true }).fill('hoa binh');
    await page.getByRole('button', { name: 'Áp dụng' }).click();
    await page.waitForURL(/q=hoa\+binh/);
    await expect.poll(() => rows().count()).toBe(1);
    expect(await rowOf('HD-INBOX-01').count()).toBe(1);
    await shot('inbox-02-search-vi');
    // the due filter on its own
    await page.goto(`${app.url}/inbox?due=overdue`);
    await expect.poll(() => rows().count()).toBe(1);
    await page.goto(`${app.url}/inbox?q=${encodeURIComponent('đông á')}`);
    await expect.poll(() => rows().count()).toBe(1);
    expect(await rowOf('HD-INBOX-02').count()).toBe(1);
  });

  it('claims two department tasks at once; they move to My tasks', async () => {
    await page.goto(`${app.url}/inbox?list=departments`);
    await expect.poll(() => rows().count()).toBe(3);
    await rowOf('HD-INBOX-02').getByRole('checkbox').check();
    await rowOf('HD-INBOX-03').getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Nhận các việc đã chọn' }).click();
    await expect.poll(() => page.getByText('Đã nhận 2 việc.').count(), { timeout: 15_000 }).toBe(1);
    await expect.poll(() => rows().count(), { timeout: 15_000 }).toBe(1);
    await page.getByRole('link', { name: /Việc của tôi/ }).click();
    await page.waitForURL(/list=mine/);
    await expect.poll(() => rows().count()).toBe(2);
    expect(await page.getByRole('link', { name: /Việc của tôi\s*2/ }).getAttribute('aria-current')).toBe('page');
    await shot('inbox-03-mine-vi');
  });

  it('saves a view and opens it again', async () => {
    await page.goto(`${app.url}/inbox?list=mine&sort=priority&q=${encodeURIComponent('sen vàng')}`);
    await expect.poll(() => rows().count()).toBe(1);
    await page.getByLabel('Tên bộ lọc').fill('Hóa đơn Sen Vàng');
    await page.getByRole('button', { name: 'Lưu bộ lọc này' }).click();
    await expect.poll(() => page.getByText('Đã lưu bộ lọc “Hóa đơn Sen Vàng”.').count(), { timeout: 15_000 }).toBe(1);
    await page.goto(`${app.url}/inbox`);
    await page.locator('.inbox-filters > summary').click();
    await page.getByRole('link', { name: 'Hóa đơn Sen Vàng' }).click();
    await page.waitForURL(/q=sen/);
    await expect.poll(() => rows().count()).toBe(1);
    expect(await rowOf('HD-INBOX-03').count()).toBe(1);
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it('fits a phone: no sideways scrolling at 360 and 430 px, each task a card', async () => {
    for (const width of [360, 430]) {
      await page.setViewportSize({ width, height: 860 });
      await page.goto(`${app.url}/inbox`);
      await expect.poll(() => rows().count()).toBe(3);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
      expect(await page.locator('table.inbox-table thead').isVisible()).toBe(false);
      await shot(`inbox-04-phone-${width}`);
    }
    await page.getByRole('button', { name: 'EN' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('My inbox');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(430);
    await shot('inbox-05-phone-en');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('works from the keyboard: the lists, a task, with the focus visible', async () => {
    await page.goto(`${app.url}/inbox`);
    await expect.poll(() => rows().count()).toBe(3);
    // Tab from the top of the page to the first task's link, then open it with Enter.
    const target = rowOf('HD-INBOX-02').getByRole('link').first();
    const href = await target.getAttribute('href');
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate((h) => document.activeElement?.getAttribute('href') === h, href);
    }
    expect(reached).toBe(true);
    // the focused link is outlined (:focus-visible)
    expect(await page.evaluate(() => getComputedStyle(document.activeElement!).outlineStyle)).toBe('solid');
    await page.keyboard.press('Enter');
    await page.waitForURL(`**${href}`);
  });
});
