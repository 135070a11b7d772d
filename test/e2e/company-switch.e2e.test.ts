/**
 * In a real browser: a person who belongs to two companies signs in and works in the first
 * (her inbox shows only its task), switches company in the header, then sees only the second
 * company's task, and the choice survives a reload; switching back works in Vietnamese too.
 *
 * Prepared before the app starts: Nguyễn Thị Lan (accounting, demo company) also creates a second
 * company, Hoa Mai, as its admin (services/accounts.ts), with its own accounting department and
 * the invoice process; Bùi Thị Ngọc joins it by invitation and starts one invoice there. In the
 * demo company, Ngọc starts another: each company has one open accounting task for Lan.
 */
import { eq, sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Executor } from '@/db/client';
import { emailOutbox, users } from '@/db/schema';
import { createCompany } from '@/app/server/services/accounts';
import { publishProcess } from '@/app/server/services/definitions';
import { acceptInvitation } from '@/app/server/services/invitations';
import { loadTemplatePacks } from '@/app/server/templates';
import { createContextInner } from '@/app/server/trpc/init';
import { createCaller } from '@/app/server/trpc/root';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;

const DEMO_COMPANY = 'Công ty Cổ phần Sen Vàng';
const SECOND_COMPANY = 'Công ty TNHH Hoa Mai Đà Lạt';
const DEMO_INVOICE = { invoiceNumber: 'HD-2026/0777', vendor: 'Công ty TNHH Thương mại Hòa Bình' };
const SECOND_INVOICE = { invoiceNumber: 'HM-2026/0042', vendor: 'Hợp tác xã Cà phê Cầu Đất' };

async function userId(db: Executor, email: string): Promise<string> {
  const [row] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
  return row!.id;
}

function invoice(number: { invoiceNumber: string; vendor: string }) {
  return {
    definitionKey: 'invoice-approval',
    variables: {
      ...number,
      amount: 12_500_000,
      category: 'it-equipment',
      dueDate: '2026-12-15',
      description: 'Thiết bị văn phòng',
    },
  };
}

const { shot, signInAs } = appInBrowser({
  ready: (started) => ({ app, page } = started),
  async prepare(db, demoTenantId) {
    const lan = await userId(db, 'lan.nguyen@senvang.example');
    const ngoc = await userId(db, 'ngoc.bui@senvang.example');
    const as = async (user: string, tenantId: string) =>
      createCaller(await createContextInner({ db, userId: user, tenantId, locale: 'vi' }));
    await (await as(ngoc, demoTenantId)).instance.start(invoice(DEMO_INVOICE));

    // Lan's second company: she is its admin; it gets the invoice process and an accounting department with her in it.
    const { tenantId } = await createCompany(db, lan, SECOND_COMPANY, 'vi');
    for (const pack of loadTemplatePacks()) await publishProcess(db, tenantId, pack, lan);
    const admin = await as(lan, tenantId);
    const accounting = await admin.department.create({ key: 'accounting', name: { en: 'Accounting', vi: 'Kế toán' } });
    await admin.department.addMember({ groupId: accounting.id, userId: lan });
    // Ngọc joins it by invitation and submits an invoice there (Lan may not approve her own).
    await admin.invitation.create({ email: 'ngoc.bui@senvang.example', role: 'staff' });
    const [mail] = await db
      .select({ body: emailOutbox.body })
      .from(emailOutbox)
      .where(
        sql`${emailOutbox.tenantId} = ${tenantId} and ${emailOutbox.to} @> ${JSON.stringify(['ngoc.bui@senvang.example'])}::jsonb`,
      );
    const token = /\/invite\/([A-Za-z0-9_-]{43})/.exec(mail!.body)![1]!;
    await acceptInvitation(db, { userId: ngoc, locale: 'vi' }, token);
    await (await as(ngoc, tenantId)).instance.start(invoice(SECOND_INVOICE));
  },
});

/** The business keys in the inbox's task list. */
async function inboxKeys(): Promise<string[]> {
  const rows = page.locator('tr[data-task-id]');
  const keys: string[] = [];
  for (let i = 0; i < (await rows.count()); i++)
    keys.push(((await rows.nth(i).locator('[data-reference]').textContent()) ?? '').trim());
  return keys;
}

describe('switching company', () => {
  it('signs in to the first company: its inbox only, and a switcher listing both companies', async () => {
    await signInAs('Nguyễn Thị Lan');
    await expect.poll(() => page.locator('.who').textContent()).toContain(`Nguyễn Thị Lan · ${DEMO_COMPANY}`);
    expect(await inboxKeys()).toEqual([DEMO_INVOICE.invoiceNumber]);
    expect(await page.locator('main').textContent()).not.toContain(SECOND_INVOICE.vendor);
    const switcher = page.getByLabel('Company', { exact: true });
    expect(await switcher.locator('option').allTextContents()).toEqual([DEMO_COMPANY, SECOND_COMPANY]);
    // Staff in the demo company: no admin links.
    expect(await page.getByRole('link', { name: 'Members', exact: true }).count()).toBe(0);
    await shot('company-switch-01-first-company');
  });

  it('switches to the second company: only its task, and she is its admin', async () => {
    await page.getByLabel('Company', { exact: true }).selectOption({ label: SECOND_COMPANY });
    await page.getByRole('button', { name: 'Switch', exact: true }).click();
    await expect.poll(() => page.locator('.who').textContent()).toContain(`Nguyễn Thị Lan · ${SECOND_COMPANY}`);
    expect(page.url()).toMatch(/\/inbox$/);
    // The switcher now shows the company switched to.
    expect(await page.getByLabel('Company', { exact: true }).inputValue()).toBe(
      await page.locator('#company-switch option', { hasText: SECOND_COMPANY }).getAttribute('value'),
    );
    expect(await inboxKeys()).toEqual([SECOND_INVOICE.invoiceNumber]);
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).not.toContain(DEMO_INVOICE.invoiceNumber);
    expect(main).not.toContain(DEMO_INVOICE.vendor);
    expect(await page.getByRole('link', { name: 'Members', exact: true }).count()).toBe(1);
    await shot('company-switch-02-second-company');
  });

  it('the choice sticks after a reload and on other pages', async () => {
    await page.reload();
    await expect.poll(() => page.locator('.who').textContent()).toContain(`Nguyễn Thị Lan · ${SECOND_COMPANY}`);
    expect(await inboxKeys()).toEqual([SECOND_INVOICE.invoiceNumber]);
    expect(await page.getByLabel('Company', { exact: true }).inputValue()).toBe(
      await page.locator('#company-switch option', { hasText: SECOND_COMPANY }).getAttribute('value'),
    );
    await page.goto(`${app.url}/admin/members`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Members and departments');
    expect(await page.locator('tr[data-member="ngoc.bui@senvang.example"]').count()).toBe(1);
    expect(await page.locator('tr[data-member="hung.tran@senvang.example"]').count()).toBe(0);
  });

  it('switches back in Vietnamese', async () => {
    await page.goto(`${app.url}/inbox`);
    await page.getByRole('button', { name: 'VI', exact: true }).click();
    await page.waitForLoadState('networkidle');
    await expect.poll(() => page.locator('label[for="company-switch"]').textContent()).toBe('Công ty');
    await page.getByLabel('Công ty', { exact: true }).selectOption({ label: DEMO_COMPANY });
    await page.getByRole('button', { name: 'Chuyển', exact: true }).click();
    await expect.poll(() => page.locator('.who').textContent()).toContain(`Nguyễn Thị Lan · ${DEMO_COMPANY}`);
    expect(await inboxKeys()).toEqual([DEMO_INVOICE.invoiceNumber]);
    expect(await page.locator('main').textContent()).not.toContain(SECOND_INVOICE.vendor);
    await shot('company-switch-03-back-vi');
    await page.reload();
    await expect.poll(() => page.locator('.who').textContent()).toContain(`Nguyễn Thị Lan · ${DEMO_COMPANY}`);
    expect(await inboxKeys()).toEqual([DEMO_INVOICE.invoiceNumber]);
  });
});
