/**
 * Issue 19, polish found when tried as a new user would, on the built app: every page answers the
 * status it means (a mistyped /start/<key> or /tasks/abc 404, another's instance or an admin's page
 * 403, a signed-out visitor 307 to sign in with next=); the signed-out visitor following a link to a
 * task lands on it after signing in (and a next= to another site is not followed); the 404 and 403
 * pages speak the reader's language and name no ids; the VND preview shows no rounded or negative
 * amount and the form's errors name their fields in people's words; completing a task already
 * completed in another tab says so, by whom and when; the history names departments and options.
 * Screenshots land in test/e2e/screenshots (pages-*).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { tasks } from '@/db/schema';
import { DEMO_PASSWORD } from '@/app/server/seed';
import { callerFor, demo } from '../support/callers';
import { signIn } from './api-client';
import { appInBrowser, SCREENSHOTS, type App } from './harness';

let app: App;
let page: Page;
const ids = { instance: '', task: '', tabsInstance: '', tabsTask: '' };
const NOBODY = '00000000-0000-4000-8000-000000000000';

const invoice = (invoiceNumber: string) => ({
  vendor: 'Công ty TNHH Thương mại Hòa Bình',
  invoiceNumber,
  amount: 12_000_000,
  category: 'it-equipment',
  dueDate: '2026-12-20',
});

const { shot, signInAs, signOut, submitSignIn } = appInBrowser({
  ready: (started) => ({ app, page } = started),
  async prepare(db) {
    // Ngọc submits two invoices: each waits for Accounting (Hùng may work them; Tuấn, in IT, has no part in them).
    const ngoc = await callerFor(db, demo.ngoc);
    const openTask = async (instanceId: string) =>
      (
        await db
          .select({ id: tasks.id })
          .from(tasks)
          .where(and(eq(tasks.instanceId, instanceId), eq(tasks.status, 'open')))
      )[0]!.id;
    ids.instance = (
      await ngoc.instance.start({ definitionKey: 'invoice-approval', variables: invoice('HD-E2E-PAGES') })
    ).id;
    ids.task = await openTask(ids.instance);
    ids.tabsInstance = (
      await ngoc.instance.start({ definitionKey: 'invoice-approval', variables: invoice('HD-E2E-TABS') })
    ).id;
    ids.tabsTask = await openTask(ids.tabsInstance);
  },
});

/** The status of a GET of `path` as `cookie`'s session (none: signed out), and where a redirect goes. */
async function answer(path: string, cookie?: string) {
  const res = await fetch(`${app.url}${path}`, { redirect: 'manual', headers: cookie ? { cookie } : {} });
  const location = res.headers.get('location');
  await res.arrayBuffer();
  return {
    status: res.status,
    to: location ? (({ pathname, search }) => pathname + search)(new URL(location, app.url)) : null,
  };
}

describe('pages for people', () => {
  it('every page answers the status it means', async () => {
    const ngoc = await signIn(app.url, demo.ngoc, DEMO_PASSWORD);
    const tuan = await signIn(app.url, demo.tuan, DEMO_PASSWORD);
    // what is there, and theirs
    expect(await answer('/start/invoice-approval', ngoc)).toMatchObject({ status: 200 });
    expect(await answer(`/instances/${ids.instance}`, ngoc)).toMatchObject({ status: 200 });
    // what names nothing: 404 (a mistyped key was a 500, a non-id a 200)
    for (const path of [
      '/start/invoice-aproval',
      '/start/Invoice%20Approval',
      '/tasks/abc',
      `/tasks/${NOBODY}`,
      '/instances/abc',
      `/instances/${NOBODY}`,
      '/processes/Not%20A%20Key',
      '/no-such-page',
    ]) {
      expect({ path, ...(await answer(path, ngoc)) }).toMatchObject({ path, status: 404 });
    }
    // what is not theirs: 403 (it was a 200 with a notice)
    expect(await answer(`/instances/${ids.instance}`, tuan)).toMatchObject({ status: 403 });
    expect(await answer(`/tasks/${ids.task}`, tuan)).toMatchObject({ status: 403 });
    for (const path of [
      '/admin/incidents',
      '/admin/outbox',
      '/admin/webhooks',
      '/admin/members',
      '/processes',
      '/forms',
      '/decisions',
      '/templates',
    ]) {
      expect({ path, ...(await answer(path, ngoc)) }).toMatchObject({ path, status: 403 });
    }
    // signed out: to sign in, with the way back
    expect(await answer(`/tasks/${ids.task}`)).toEqual({
      status: 307,
      to: `/sign-in?next=${encodeURIComponent(`/tasks/${ids.task}`)}`,
    });
    expect(await answer('/admin/outbox?status=failed')).toEqual({
      status: 307,
      to: `/sign-in?next=${encodeURIComponent('/admin/outbox?status=failed')}`,
    });
    expect(await answer('/inbox')).toEqual({ status: 307, to: '/sign-in' });
  });

  it('a signed-out visitor following a link to a task lands on the task after signing in', async () => {
    // given a link to a task, opened signed out
    await page.goto(`${app.url}/tasks/${ids.task}`);
    await page.waitForURL(
      (url) => url.pathname === '/sign-in' && url.searchParams.get('next') === `/tasks/${ids.task}`,
    );
    expect(await page.locator('main').textContent()).toContain('Sign in to go on to the page you opened.');
    await shot('pages-01-sign-in-next');
    // when Hùng signs in
    await submitSignIn(demo.hung, DEMO_PASSWORD);
    // then he is on the task, not the inbox
    await page.waitForURL(`**/tasks/${ids.task}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Accounting approval');
    await signOut();
  });

  it('a next= leading off the site is not followed: sign-in goes to the inbox', async () => {
    for (const next of ['//evil.example/tasks/1', '/\\evil.example', 'https://evil.example/']) {
      await page.goto(`${app.url}/sign-in?next=${encodeURIComponent(next)}`);
      await submitSignIn(demo.hung, DEMO_PASSWORD);
      await page.waitForURL('**/inbox');
      expect(new URL(page.url()).origin).toBe(app.url);
      await signOut();
    }
  });

  it('the 404 and 403 pages speak the reader’s language and name no ids', async () => {
    await signInAs('Phạm Minh Tuấn');
    const missing = await page.goto(`${app.url}/tasks/abc`);
    expect(missing?.status()).toBe(404);
    await expect.poll(() => page.locator('main h1').textContent()).toBe('Page not found');
    await shot('pages-02-not-found');
    const notHis = await page.goto(`${app.url}/instances/${ids.instance}`);
    expect(notHis?.status()).toBe(403);
    await expect
      .poll(() => page.locator('main .notice.error').textContent())
      .toBe('This process is not yours to see: you did not start it and none of its tasks was offered to you.');
    expect(await page.locator('main').textContent()).not.toContain(ids.instance);
    await shot('pages-03-forbidden');
    // in Vietnamese
    await page.getByRole('button', { name: 'VI' }).click();
    await expect
      .poll(() => page.locator('main .notice.error').textContent())
      .toBe(
        'Bạn không được xem quy trình này: bạn không khởi tạo nó và không có công việc nào của nó được giao cho bạn.',
      );
    await shot('pages-04-forbidden-vi');
    await page.goto(`${app.url}/start/invoice-aproval`);
    await expect.poll(() => page.locator('main h1').textContent()).toBe('Không tìm thấy trang');
    await page.goto(`${app.url}/admin/incidents`);
    await expect
      .poll(() => page.locator('main .notice.error').textContent())
      .toBe('Chỉ quản trị viên mới được xem và xử lý sự cố.');
    await page.getByRole('button', { name: 'EN' }).click();
    await signOut();
  });

  it('the VND preview shows only an amount the form takes; errors name their fields, in both languages', async () => {
    await signInAs('Bùi Thị Ngọc');
    await page.goto(`${app.url}/start/invoice-approval`);
    await page.waitForLoadState('networkidle');
    const amount = page.locator('#root_amount');
    const hint = page.locator('.money-hint');
    // a fraction: no "₫2", but why it is refused
    await amount.fill('1.5');
    await expect
      .poll(() => hint.textContent())
      .toBe('Amount (VND) must be a whole number of đồng: VND has no smaller unit');
    expect(await hint.getAttribute('data-valid')).toBe('false');
    // a negative amount: no "-₫5"
    await amount.fill('-5');
    await expect.poll(() => hint.textContent()).toBe('Amount (VND) must be at least ₫1');
    await shot('pages-05-money-refused');
    await amount.fill('1500000');
    await expect.poll(() => hint.textContent()).toBe('₫1,500,000');
    // sent without a vendor: the field says so in people's words
    await page.getByRole('button', { name: 'Submit' }).click();
    await expect.poll(() => page.locator('.error-detail').allTextContents()).toContain('Vendor is required');
    expect((await page.locator('.error-detail').allTextContents()).join('\n')).not.toMatch(
      /must have required property|must be >=/,
    );
    await shot('pages-06-errors');

    await page.getByRole('button', { name: 'VI' }).click();
    await page.waitForLoadState('networkidle');
    await page.locator('#root_amount').fill('1500000');
    await expect.poll(() => page.locator('.money-hint').textContent()).toBe('1.500.000\u00a0₫');
    await page.locator('#root_amount').fill('1.5');
    await expect
      .poll(() => page.locator('.money-hint').textContent())
      .toBe('Số tiền (VND) phải là số đồng chẵn: tiền đồng không có đơn vị lẻ');
    await page.getByRole('button', { name: 'Gửi' }).click();
    await expect
      .poll(() => page.locator('.error-detail').allTextContents())
      .toContain('Nhà cung cấp là trường bắt buộc');
    await shot('pages-07-errors-vi');
    await page.getByRole('button', { name: 'EN' }).click();
    await signOut();
  });

  it('completing a task already completed in another tab says so, by whom and when', async () => {
    await signInAs('Trần Văn Hùng');
    const other = await page.context().newPage();
    try {
      for (const tab of [page, other]) {
        await tab.goto(`${app.url}/tasks/${ids.tabsTask}`);
        await tab.waitForLoadState('networkidle');
        await tab.getByLabel('Approve', { exact: true }).check();
      }
      // completed in the first tab
      await page.getByRole('button', { name: 'Complete task' }).click();
      await page.waitForURL('**/inbox?done=*');
      // then sent again from the second
      await other.getByRole('button', { name: 'Complete task' }).click();
      // (the form's notice: Next's route announcer is an alert too)
      const alert = other.locator('div.notice.error[role="alert"]');
      await expect.poll(() => alert.textContent()).toContain('This task was dealt with meanwhile');
      expect(await alert.textContent()).toMatch(
        /“Accounting approval” was already completed by Trần Văn Hùng at .+, perhaps in another tab\. Nothing was sent this time\./,
      );
      expect(await alert.textContent()).not.toContain(ids.tabsTask);
      await other.screenshot({ path: path.join(SCREENSHOTS, 'pages-08-completed-in-another-tab.png'), fullPage: true });
    } finally {
      await other.close();
    }
    await signOut();
  });

  it('the history names departments and the option chosen, in the reader’s language', async () => {
    await signInAs('Bùi Thị Ngọc');
    await page.goto(`${app.url}/instances/${ids.tabsInstance}`);
    const history = async () => (await page.locator('ol.history li').allTextContents()).join('\n');
    await expect.poll(history).toContain('Task “Accounting approval” created for Accounting');
    expect(await history()).toContain('Trần Văn Hùng completed “Accounting approval” — Approve');
    expect(await history()).not.toMatch(/created for accounting|— approve/);
    await shot('pages-09-history');
    await page.getByRole('button', { name: 'VI' }).click();
    await expect.poll(history).toContain('Tạo công việc “Kế toán phê duyệt” cho Kế toán');
    expect(await history()).toContain('Trần Văn Hùng đã hoàn thành “Kế toán phê duyệt” — Đồng ý');
    await shot('pages-10-history-vi');
    await page.getByRole('button', { name: 'EN' }).click();
    await signOut();
  });
});
