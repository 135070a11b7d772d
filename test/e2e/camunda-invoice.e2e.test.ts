/**
 * The Camunda 7 invoice example (corpus) on a real server, in a real browser: an admin makes the
 * departments its decision table names; a designer publishes the imported BPMN with its DMN and
 * converted forms (adapted as test/support/camunda-invoice.ts says, and nothing else); then the
 * invoice runs from the inbox to its end — the decision routes the approval to accounting and
 * sales, a rejection calls the review, whose reviewer is chosen in a form and gets the task in
 * her inbox by the assignee expression `=reviewer`, she clarifies, sales approves, accounting
 * prepares the transfer, and the archive email ends it. Screenshots in English and Vietnamese.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '@/app/server/seed';
import { camundaInvoice } from '../support/camunda-invoice';
import { call, signIn } from './api-client';
import { appInBrowser, type App } from './harness';

const NGOC = 'ngoc.bui@senvang.example'; // operations staff: enters invoices, the team assistant
const LAN = 'lan.nguyen@senvang.example'; // chief accountant: the reviewer chosen
const HUONG = 'huong.dang@senvang.example'; // joins sales here
const QUAN = 'quan.do@senvang.example'; // manages management here
const INVOICE_NUMBER = 'GPFE-2026-0042';

let app: App;
let page: Page;

beforeAll(() => {
  // No SMTP server, whatever the machine's environment says: the archive email waits in the outbox and the process goes on.
  process.env.TRELLIS_SMTP_URL = '';
});
const { shot, signInAs, signOut } = appInBrowser({ ready: (started) => ({ app, page } = started) });

async function api(email: string) {
  const cookie = await signIn(app.url, email, DEMO_PASSWORD);
  return async <T>(procedure: string, input?: unknown, kind: 'query' | 'mutation' = 'mutation') => {
    const answer = await call<T>(app.url, cookie, procedure, input, kind);
    if (answer.status !== 200)
      throw new Error(`${procedure} as ${email} answered ${answer.status}: ${answer.error?.message}`);
    return answer.data as T;
  };
}

/** Opens the task named `task` from the inbox (the one row for it) and waits for its form. */
async function openFromInbox(task: string) {
  const row = page.locator('tr', { hasText: task });
  await expect.poll(() => row.count()).toBe(1);
  await row.getByRole('link', { name: task }).click();
  await page.waitForURL('**/tasks/*');
  await page.waitForLoadState('networkidle');
}

async function completeTask(label = 'Complete task') {
  await page.getByRole('button', { name: label }).click();
  await page.waitForURL('**/inbox?done=*');
}

describe('the Camunda invoice example on the server', () => {
  let instanceUrl = '';

  it('an admin makes the departments the decision names; a designer publishes the imported invoice with its DMN and forms', async () => {
    const admin = await api('bao.ngo@senvang.example');
    const users = await admin<{ userId: string; email: string }[]>('member.list', undefined, 'query');
    const idOf = (email: string) => users.find((u) => u.email === email)!.userId;
    const sales = await admin<{ id: string }>('department.create', {
      key: 'sales',
      name: { en: 'Sales', vi: 'Kinh doanh' },
    });
    await admin('department.addMember', { groupId: sales.id, userId: idOf(HUONG) });
    const management = await admin<{ id: string }>('department.create', {
      key: 'management',
      name: { en: 'Management', vi: 'Ban giám đốc' },
    });
    await admin('department.setManager', { groupId: management.id, userId: idOf(QUAN) });

    const { review, invoice } = await camundaInvoice({
      teamAssistant: NGOC,
      reviewers: [
        { email: LAN, name: 'Nguyễn Thị Lan' },
        { email: 'hung.tran@senvang.example', name: 'Trần Văn Hùng' },
        { email: QUAN, name: 'Đỗ Minh Quân' },
      ],
      archive: 'luu-tru@senvang.example',
    });
    const designer = await api('trang.hoang@senvang.example');
    expect(await designer('definition.publish', review)).toMatchObject({ key: 'review-invoice', version: 1 });
    const published = await designer<{ key: string; warnings: { elementId: string }[] }>('definition.publish', invoice);
    // published, with the validator's two warnings (the gateways' conditions have no default flow)
    expect(published).toMatchObject({ key: 'invoice' });
    expect(published.warnings.map((w) => w.elementId).sort()).toEqual(['invoice_approved', 'reviewSuccessful_gw']);
  });

  it('the team assistant enters an invoice in the browser', async () => {
    await signInAs('Bùi Thị Ngọc');
    await page.getByRole('link', { name: 'Start a process' }).click();
    await page.waitForURL('**/start');
    await page
      .locator('article', { hasText: 'Invoice Receipt' })
      .getByRole('link', { name: 'Start', exact: true })
      .click();
    await page.waitForURL('**/start/invoice');
    await page.waitForLoadState('networkidle');
    await page.locator('#root_creditor').fill('Great Pizza for Everyone Inc.');
    await page.locator('#root_amount').fill('300');
    await page.locator('#root_invoiceCategory').selectOption({ label: 'Travel Expenses' });
    await page.locator('#root_invoiceNumber').fill(INVOICE_NUMBER);
    await shot('camunda-invoice-01-start-form');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL('**/instances/*');
    instanceUrl = page.url();
    await expect.poll(() => page.getByTestId('instance-status').textContent()).toBe('In progress');
    await signOut();
  });

  it('an accountant finds the approval the decision table gave accounting and sales, and does not approve it (in Vietnamese)', async () => {
    await signInAs('Trần Văn Hùng');
    await page.getByRole('button', { name: 'VI' }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Hộp công việc của tôi');
    await shot('camunda-invoice-02-accountant-inbox-vi');
    await openFromInbox('Approve Invoice');
    expect(await page.locator('#root_approved').isChecked()).toBe(false);
    await shot('camunda-invoice-03-approve-vi');
    await completeTask('Hoàn thành');
    await page.getByRole('button', { name: 'EN' }).click();
    await signOut();
  });

  it('the review is called: the team assistant has "Assign Reviewer" (assigned to her address) and chooses the chief accountant', async () => {
    await signInAs('Bùi Thị Ngọc');
    await openFromInbox('Assign Reviewer');
    expect(await page.locator('[data-assignee]').textContent()).toBe('You');
    await page.locator('#root_reviewer').selectOption({ label: 'Nguyễn Thị Lan' });
    await shot('camunda-invoice-04-assign-reviewer');
    await completeTask();
    await signOut();
  });

  it('the reviewer finds "Review Invoice" in her inbox — assigned by the expression =reviewer — and clarifies it; nobody else has it', async () => {
    const hung = await api('hung.tran@senvang.example');
    expect(
      (await hung<{ elementId: string }[]>('task.list', undefined, 'query')).map((t) => t.elementId),
    ).not.toContain('reviewInvoice');
    await signInAs('Nguyễn Thị Lan');
    const row = page.locator('tr', { hasText: 'Review Invoice' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.locator('[data-assignee]').textContent()).toBe('You');
    await shot('camunda-invoice-05-reviewer-inbox');
    await openFromInbox('Review Invoice');
    const taskUrl = page.url();
    // the called process's history says whom its tasks were for by their names (the process named them by address)
    await page.getByRole('link', { name: 'View the process' }).click();
    await page.waitForURL('**/instances/*');
    const history = (await page.locator('ol.history li').allTextContents()).join('\n');
    expect(history).toContain('Task “Assign Reviewer” created for Bùi Thị Ngọc');
    expect(history).toContain('Task “Review Invoice” created for Nguyễn Thị Lan');
    await shot('camunda-invoice-06-review-history');
    await page.goto(taskUrl);
    await page.waitForLoadState('networkidle');
    await page.locator('#root_clarified').check();
    await shot('camunda-invoice-07-review');
    await completeTask();
    await signOut();
  });

  it('sales approves it this time', async () => {
    await signInAs('Đặng Thị Hương');
    await openFromInbox('Approve Invoice');
    await page.locator('#root_approved').check();
    await completeTask();
    await signOut();
  });

  it('accounting prepares the bank transfer; the archive email ends the invoice, and its history says who had what', async () => {
    await signInAs('Nguyễn Thị Lan');
    await openFromInbox('Prepare Bank Transfer');
    await completeTask();
    await signOut();
    await signInAs('Bùi Thị Ngọc');
    // the app's worker sends the archive email (held in the outbox: no SMTP) and the invoice ends
    await expect
      .poll(
        async () => {
          await page.goto(instanceUrl);
          return page.getByTestId('instance-status').textContent();
        },
        { timeout: 30_000, interval: 500 },
      )
      .toBe('Completed');
    const history = (await page.locator('ol.history li').allTextContents()).join('\n');
    // departments by their names, not their keys (issue 19)
    expect(history).toContain('Task “Approve Invoice” created for Accounting, Sales');
    expect(history).toContain('Trần Văn Hùng completed “Approve Invoice”');
    expect(history).toContain('Đặng Thị Hương completed “Approve Invoice”');
    await shot('camunda-invoice-08-completed');
    // nothing is left in anyone's inbox
    for (const email of [NGOC, LAN, HUONG, 'hung.tran@senvang.example'])
      expect(await (await api(email))('task.list', undefined, 'query')).toEqual([]);
  });
});
