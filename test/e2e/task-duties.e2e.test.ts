/**
 * In a real browser: an accountant takes a department task from the inbox; the invoice he
 * submitted himself says why he may not approve it (four-eyes rule); he delegates his tasks to a
 * colleague of his department for today (in Vietnamese: a claimed department task passes only to
 * a delegate who is a candidate of it); the colleague sees the task "on behalf of" him, completes
 * it, and the history names both. Screenshots land in test/e2e/screenshots (duties-*).
 */
import type { Page } from 'playwright-core';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { tasks } from '@/db/schema';
import { callerFor, demo } from '../support/callers';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;
const ids = { ownTask: '', instance: '' };

const invoice = (invoiceNumber: string) => ({
  vendor: 'Công ty TNHH Thương mại Hòa Bình',
  invoiceNumber,
  amount: 12_000_000,
  category: 'it-equipment',
  dueDate: '2026-12-20',
});

const { shot, signInAs, signOut } = appInBrowser({
  ready: (started) => ({ app, page } = started),
  async prepare(db) {
    // Ngọc submits one invoice; Hùng (an accountant) submits another himself.
    ids.instance = (
      await (
        await callerFor(db, demo.ngoc)
      ).instance.start({ definitionKey: 'invoice-approval', variables: invoice('HD-E2E-DUTY') })
    ).id;
    const own = (
      await (
        await callerFor(db, demo.hung)
      ).instance.start({ definitionKey: 'invoice-approval', variables: invoice('HD-E2E-SELF') })
    ).id;
    ids.ownTask = (
      await db
        .select({ id: tasks.id })
        .from(tasks)
        .where(and(eq(tasks.instanceId, own), eq(tasks.status, 'open')))
    )[0]!.id;
  },
});

describe('claims, the four-eyes rule and delegation in the browser', () => {
  it('the accountant takes a department task, and is not offered the invoice he submitted', async () => {
    await signInAs('Trần Văn Hùng');
    const row = page.locator('tr', { hasText: 'HD-E2E-DUTY' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await page.locator('tr', { hasText: 'HD-E2E-SELF' }).count()).toBe(0);
    expect(await row.locator('[data-assignee]').textContent()).toContain('Department (not taken)');
    await shot('duties-01-inbox');
    await row.getByRole('button', { name: 'Take' }).click();
    await expect.poll(() => row.locator('[data-assignee]').textContent(), { timeout: 15_000 }).toBe('You');
    await shot('duties-02-taken');

    // his own invoice's task page says why he may not approve it
    await page.goto(`${app.url}/tasks/${ids.ownTask}`);
    await expect
      .poll(() => page.locator('[data-four-eyes]').textContent())
      .toContain('You may not work this task: started this process');
    expect(await page.getByRole('button', { name: 'Complete task' }).count()).toBe(0);
    await shot('duties-03-four-eyes');
  });

  it('he delegates his tasks to a colleague for today, in Vietnamese', async () => {
    await page.goto(`${app.url}/inbox`);
    await page.getByRole('link', { name: 'Out of office: delegate my tasks' }).click();
    await page.waitForURL('**/delegations');
    await page.getByRole('button', { name: 'VI' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Ủy quyền (vắng mặt)');
    await page.waitForLoadState('networkidle');
    await page.locator('select[name="delegateId"]').selectOption({ label: 'Nguyễn Thị Lan — Kế toán trưởng' });
    await page.locator('input[name="reason"]').fill('Nghỉ phép đột xuất');
    await page.getByRole('button', { name: 'Ủy quyền', exact: true }).click();
    const row = page.locator('tr', { hasText: 'Nguyễn Thị Lan' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('Đang hiệu lực');
    expect(await row.textContent()).toContain('Nghỉ phép đột xuất');
    await shot('duties-04-delegation-vi');
    await page.getByRole('button', { name: 'EN' }).click();
    await signOut();
  });

  it('the colleague completes it on his behalf, and the history names both', async () => {
    await signInAs('Nguyễn Thị Lan');
    const row = page.locator('tr', { hasText: 'HD-E2E-DUTY' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator('[data-assignee]').textContent()).toBe('on behalf of Trần Văn Hùng');
    await shot('duties-05-delegate-inbox');
    await row.getByRole('link', { name: 'Accounting approval' }).click();
    await page.waitForURL('**/tasks/*');
    await page.waitForLoadState('networkidle');
    expect(await page.locator('[data-on-behalf]').textContent()).toContain('on behalf of Trần Văn Hùng');
    await page.getByLabel('Approve', { exact: true }).check();
    await shot('duties-06-delegate-task');
    await page.getByRole('button', { name: 'Complete task' }).click();
    await page.waitForURL('**/inbox?done=*');

    await page.goto(`${app.url}/instances/${ids.instance}`);
    const history = await page.locator('ol.history li').allTextContents();
    expect(history.join('\n')).toContain('Trần Văn Hùng took “Accounting approval”');
    expect(history.join('\n')).toContain('Nguyễn Thị Lan completed “Accounting approval” on behalf of Trần Văn Hùng');
    await shot('duties-07-history');
  });
});
