/**
 * In a real browser: an accountant who may read an invoice's process (its task is offered to his
 * department) but did not start it sees no "Cancel process" control; the operations staff member
 * who started it cancels it in Vietnamese — asked to confirm, told by name that the reason is
 * missing, then with a reason — and the page shows it cancelled, its task withdrawn, and the
 * history row with the reason. Screenshots land in test/e2e/screenshots (cancel-*).
 */
import type { Page } from 'playwright-core';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEvents, processInstances } from '@/db/schema';
import { callerFor, demo } from '../support/callers';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;
let instanceId = '';
const REASON = 'Nhập trùng hóa đơn — đã gửi lại bản đúng';

const { shot, signInAs, signOut } = appInBrowser({
  ready: (started) => ({ app, page } = started),
  async prepare(db) {
    const invoice = {
      vendor: 'Công ty TNHH Thương mại Hòa Bình',
      invoiceNumber: 'HD-E2E-CANCEL',
      amount: 8_500_000,
      category: 'it-equipment',
      dueDate: '2026-12-20',
    };
    instanceId = (
      await (await callerFor(db, demo.ngoc)).instance.start({ definitionKey: 'invoice-approval', variables: invoice })
    ).id;
  },
});

const status = () => page.getByTestId('instance-status').textContent();

describe('cancelling a process in the browser', () => {
  it('a staff member who did not start it reads it but has no cancel control', async () => {
    await signInAs('Trần Văn Hùng');
    await page.goto(`${app.url}/instances/${instanceId}`);
    await expect.poll(status).toBe('In progress');
    await page.waitForLoadState('networkidle');
    expect(await page.getByRole('button', { name: 'Cancel process' }).count()).toBe(0);
    expect(await page.locator('#cancel-reason').count()).toBe(0);
    await shot('cancel-01-not-initiator');
    await signOut();
  });

  it('the initiator cancels it in Vietnamese: a confirmation, the reason required by name, then the history row', async () => {
    await signInAs('Bùi Thị Ngọc');
    await page.goto(`${app.url}/instances/${instanceId}`);
    await page.getByRole('button', { name: 'VI' }).click();
    await expect.poll(status).toBe('Đang xử lý');
    await page.waitForLoadState('networkidle');

    // The first press only asks; "Không hủy" steps back without cancelling.
    await page.getByRole('button', { name: 'Hủy quy trình', exact: true }).click();
    const confirm = page.getByRole('group', { name: 'Hủy quy trình' });
    await expect.poll(() => confirm.locator('p').first().textContent()).toContain('Hủy quy trình này?');
    await confirm.getByRole('button', { name: 'Không hủy' }).click();
    await expect.poll(() => page.locator('#cancel-reason').count()).toBe(0);

    // No reason: the field says what it needs, and nothing is cancelled.
    await page.getByRole('button', { name: 'Hủy quy trình', exact: true }).click();
    await confirm.getByRole('button', { name: 'Xác nhận hủy' }).click();
    await expect.poll(() => page.locator('[data-field="reason"]').textContent()).toBe('Lý do hủy: Hãy nhập lý do hủy.');
    expect(await page.locator('#cancel-reason').getAttribute('aria-invalid')).toBe('true');
    expect(await status()).toBe('Đang xử lý');
    await shot('cancel-02-reason-required-vi');

    await page.getByLabel('Lý do hủy').fill(REASON);
    await shot('cancel-03-confirm-vi');
    await confirm.getByRole('button', { name: 'Xác nhận hủy' }).click();
    await expect.poll(status).toBe('Đã hủy');
    const row = page.locator('li[data-event="instance.cancelled"]');
    await expect.poll(() => row.textContent()).toContain(`Bùi Thị Ngọc đã hủy quy trình: ${REASON}`);
    expect(await page.getByRole('button', { name: 'Hủy quy trình', exact: true }).count()).toBe(0);
    expect(await page.locator('span.badge.cancelled').count()).toBeGreaterThan(0); // the accounting task, withdrawn
    expect(await page.locator('dl.facts').first().textContent()).not.toContain('Đang chờ tại'); // it waits nowhere now
    await shot('cancel-04-cancelled-vi');

    // What the app wrote: the instance ended, one cancellation with the reason, by its initiator.
    const written = await app.withDatabase(async (db) => ({
      status: (
        await db
          .select({ status: processInstances.status })
          .from(processInstances)
          .where(eq(processInstances.id, instanceId))
      )[0]?.status,
      cancellations: await db
        .select({ data: auditEvents.data })
        .from(auditEvents)
        .where(and(eq(auditEvents.instanceId, instanceId), eq(auditEvents.type, 'instance.cancelled'))),
    }));
    expect(written.status).toBe('terminated');
    expect(written.cancellations).toHaveLength(1);
    expect(written.cancellations[0]!.data).toMatchObject({ by: 'initiator', reason: REASON });

    await page.goto(`${app.url}/instances/${instanceId}`);
    await expect.poll(status).toBe('Đã hủy');
    await page.getByRole('button', { name: 'EN' }).click();
    await expect.poll(status).toBe('Cancelled');
    await signOut();
  });
});
