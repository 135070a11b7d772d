/**
 * Issue 17's expense claim, end to end in Chromium, mouse and keyboard: Hoàng Thu Trang builds the
 * form from nothing in the form designer — the employee (a person), the department (dragged from the palette), a table of
 * expense lines (date, category, amount in VND, receipt file), a total worked out from the lines,
 * and a reason for the exception shown only above 10,000,000 ₫ — sees the preview in English and
 * Vietnamese, publishes it, links it to the claim process's user task in the process designer and
 * publishes the process. Bùi Thị Ngọc fills it in from her inbox: a program dressed as a PDF is
 * refused, her receipt is uploaded. Her manager Đỗ Minh Quân, who approves, downloads the receipt
 * (an attachment, not sniffed); a colleague with no part in the claim is refused, and the admin of
 * another company, signed up in the browser, does not find it.
 */
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { users } from '@/db/schema';
import { resolveActor } from '@/app/server/actor';
import { DEMO_PASSWORD } from '@/app/server/seed';
import { saveDraft } from '@/app/server/services/drafts';
import { call, signIn } from './api-client';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n');
const EXE = Buffer.from([0x4d, 0x5a, 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0, ...new Array(64).fill(0)]);
const RECEIPT = 'Hóa đơn taxi Đà Nẵng.pdf';

const { shot, signInAs, signOut, submitSignUp } = appInBrowser({
  ready: (started) => {
    ({ app, page } = started);
    page.on('pageerror', (error) => console.log('pageerror:', error.message));
    page.on(
      'console',
      (message) =>
        message.type() === 'error' &&
        !message.text().includes('status of 4') &&
        console.log('console error:', message.text().slice(0, 500)),
    );
  },
  // The claim process as a draft (start → Ngọc fills the claim → her manager approves → end); its form is linked in the browser.
  async prepare(db) {
    const [trang] = await db.select({ id: users.id }).from(users).where(eq(users.email, 'trang.hoang@senvang.example'));
    const actor = (await resolveActor(db, trang!.id, 'en'))!;
    await saveDraft(db, actor, {
      key: 'expense-claim-process',
      revision: null,
      content: {
        formatVersion: 1,
        key: 'expense-claim-process',
        version: 1,
        name: { en: 'Expense claim', vi: 'Đề nghị thanh toán' },
        elements: [
          { id: 'start', type: 'startEvent', name: 'Claim started' },
          { id: 'fill', type: 'userTask', name: 'Fill in the claim', assignee: '=initiator.email' },
          {
            id: 'approve',
            type: 'userTask',
            name: 'Approve the claim',
            assignee: '=initiator.manager',
            formKey: 'invoice-decision',
          },
          { id: 'end', type: 'endEvent', name: 'Claim decided' },
        ],
        flows: [
          { id: 'f1', source: 'start', target: 'fill' },
          { id: 'f2', source: 'fill', target: 'approve' },
          { id: 'f3', source: 'approve', target: 'end' },
        ],
      },
    });
  },
});

const settings = (p: Page) => p.getByTestId('field-settings');

/** Labels the selected field in both languages and makes its key from the English label. */
async function label(p: Page, en: string, vi: string) {
  await settings(p).getByTestId('field-label-en').fill(en);
  await settings(p).getByTestId('field-label-vi').fill(vi);
  await settings(p).getByRole('button', { name: 'Make the key from the label' }).click();
}

let attachmentId = '';

describe('an expense claim with receipts', () => {
  it('is built from nothing in the form designer, previewed in both languages, and published', async () => {
    // A designer's top bar holds more links (two lines at 1280 px): a taller window keeps the palette and the fields in view for the drag.
    await page.setViewportSize({ width: 1280, height: 1100 });
    await signInAs('Hoàng Thu Trang');
    await page.goto(`${app.url}/forms`);
    await page.getByRole('link', { name: 'New form' }).click();
    await page.getByTestId('new-form-key').fill('expense-claim');
    await page.getByRole('button', { name: 'Start designing' }).click();
    await page.getByLabel('Title (English)').fill('Expense claim');
    await page.getByLabel('Title (Vietnamese)').fill('Đề nghị thanh toán chi phí');

    await page.getByRole('button', { name: '+ Person' }).click();
    await label(page, 'Employee', 'Nhân viên');
    await settings(page).getByTestId('field-required').check();
    // the department: dragged from the palette onto the lower half of Employee, so it goes after it
    const source = (await page.getByRole('button', { name: '+ Department' }).boundingBox())!;
    const employee = (await page.getByTestId('form-fields').locator('li[data-key="employee"]').boundingBox())!;
    await page.mouse.move(source.x + source.width / 2, source.y + source.height / 2);
    await page.mouse.down();
    await page.mouse.move(source.x + source.width / 2 + 8, source.y + source.height / 2 + 8, { steps: 4 });
    await page.locator('.palette-ghost').waitFor();
    await page.mouse.move(employee.x + employee.width / 2, employee.y + employee.height * 0.8, { steps: 16 });
    await page.waitForTimeout(400);
    await page.mouse.move(employee.x + employee.width / 2, employee.y + employee.height * 0.8 + 2, { steps: 2 });
    await page.waitForTimeout(400);
    await page.mouse.up();
    await expect
      .poll(() =>
        page
          .getByTestId('form-fields')
          .locator('li')
          .evaluateAll((items) => items.map((i) => i.getAttribute('data-key'))),
      )
      .toEqual(['employee', 'department']);
    await label(page, 'Department', 'Phòng ban');
    // the lines: date, category, amount, receipt
    await page.getByRole('button', { name: '+ Repeating rows' }).click();
    await label(page, 'Expense lines', 'Các khoản chi');
    const columns = page.getByTestId('columns');
    for (const kind of ['date', 'select', 'money', 'file']) {
      await columns.getByTestId('column-kind').selectOption(kind);
      await columns.getByTestId('column-add').click();
    }
    await columns.getByRole('button', { name: 'Edit “Select”' }).click();
    await label(page, 'Category', 'Loại chi phí');
    await settings(page).getByTestId('option-0-value').fill('travel');
    await settings(page).getByTestId('option-0-en').fill('Travel');
    await settings(page).getByTestId('option-0-vi').fill('Công tác');
    await page.getByRole('button', { name: '← Expense lines' }).click();
    await columns.getByRole('button', { name: 'Edit “Money (VND)”' }).click();
    await label(page, 'Amount', 'Số tiền');
    await settings(page).getByTestId('field-required').check();
    await page.getByRole('button', { name: '← Expense lines' }).click();
    await columns.getByRole('button', { name: 'Edit “File upload”' }).click();
    await label(page, 'Receipt', 'Hóa đơn');
    await page.getByRole('button', { name: '← Expense lines' }).click();
    // the total, worked out from the lines
    await page.getByRole('button', { name: '+ Money (VND)' }).click();
    await label(page, 'Total', 'Tổng cộng');
    await settings(page).getByTestId('field-compute').selectOption({ label: 'Sum of Expense lines → Amount' });
    // the reason, only above 10,000,000 ₫
    await page.getByRole('button', { name: '+ Long text' }).click();
    await label(page, 'Reason for exception', 'Lý do ngoại lệ');
    await settings(page).getByTestId('field-required').check();
    await settings(page).getByTestId('show-when-field').selectOption('total');
    await settings(page).getByTestId('show-when-is').selectOption('above');
    await settings(page).getByTestId('show-when-value').fill('10000000');
    expect(
      await page
        .getByTestId('form-fields')
        .locator('li')
        .evaluateAll((items) => items.map((i) => i.getAttribute('data-key'))),
    ).toEqual(['employee', 'department', 'expenseLines', 'total', 'reasonForException']);
    expect(await page.getByTestId('form-problems').count()).toBe(0);

    // the preview in English: a line of 12,000,000 ₫ makes the total, which asks for the reason
    const en = page.getByTestId('preview-en');
    await en.locator('button.btn-add').click();
    await en.locator('#preview_en_expenseLines_0_amount').fill('12000000');
    await expect.poll(() => en.locator('#preview_en_total').inputValue()).toBe('12000000');
    await expect.poll(() => en.getByText('Reason for exception').count()).toBeGreaterThan(0);
    await en
      .locator('#preview_en_expenseLines_0_receipt')
      .setInputFiles({ name: RECEIPT, mimeType: 'application/pdf', buffer: PDF });
    await expect
      .poll(() => en.getByTestId('attachment-status').textContent())
      .toContain('the file stays in your browser');
    expect(await en.locator('[data-attachment-field="preview_en_expenseLines_0_receipt"]').textContent()).toContain(
      RECEIPT,
    );
    // and in Vietnamese, side by side
    const vi = page.getByTestId('preview-vi');
    await vi.locator('button.btn-add').click();
    await vi.locator('#preview_vi_expenseLines_0_amount').fill('4500000');
    await expect.poll(() => vi.locator('#preview_vi_total').inputValue()).toBe('4500000');
    expect(await vi.getByText('Lý do ngoại lệ').count()).toBe(0);
    expect(await vi.getByText('Hóa đơn', { exact: true }).count()).toBeGreaterThan(0);
    await shot('expense-01-designer-preview');
    await vi.locator('#preview_vi_expenseLines_0_amount').fill('15000000');
    await expect.poll(() => vi.getByText('Lý do ngoại lệ').count()).toBeGreaterThan(0);

    await page.getByRole('button', { name: 'Publish form' }).click();
    await page.waitForURL('**/forms/expense-claim');
    await expect.poll(() => page.getByTestId('form-status').textContent(), { timeout: 15_000 }).toContain('Version 1');
  });

  it('is linked to the claim process’s user task, and the process is published', async () => {
    await page.goto(`${app.url}/processes/expense-claim-process`);
    const fill = page.locator('.djs-element[data-element-id="fill"]');
    await fill.waitFor();
    await page.waitForTimeout(600);
    const box = (await fill.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const formPicker = page.getByTestId('properties').getByTestId('prop-form');
    await expect
      .poll(() => formPicker.locator('option').allTextContents(), { timeout: 10_000 })
      .toContain('Expense claim (expense-claim, v1)');
    await formPicker.selectOption('expense-claim');
    await expect.poll(() => page.getByTestId('save-status').textContent(), { timeout: 15_000 }).toMatch(/Saved/);
    await shot('expense-02-linked');
    await page.getByRole('button', { name: 'Publish', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('publish-preview').textContent(), { timeout: 15_000 })
      .toContain('This is the first version');
    await page.getByRole('button', { name: 'Publish version 1' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Published version 1.' }).count(), { timeout: 15_000 })
      .toBe(1);
    await signOut();
  });

  it('Ngọc fills it in from her inbox: a program dressed as a PDF is refused, her receipt is uploaded', async () => {
    await signInAs('Bùi Thị Ngọc');
    await page.goto(`${app.url}/start/expense-claim-process`);
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL('**/instances/*');
    await page.goto(`${app.url}/inbox`);
    await page.getByRole('link', { name: 'Fill in the claim' }).click();
    await page.waitForURL('**/tasks/*');
    // the employee from the company's people (offered by name as she types), the department from its list
    await expect.poll(() => page.locator('#root_employee-people option').count()).toBeGreaterThan(5);
    expect(await page.locator('#root_employee-people option[value="ngoc.bui@senvang.example"]').textContent()).toBe(
      'Bùi Thị Ngọc',
    );
    await page.locator('#root_employee').fill('ngoc.bui@senvang.example');
    await page.locator('#root_department').selectOption({ label: 'Operations' });
    await page.locator('button.btn-add').click();
    await page.locator('#root_expenseLines_0_date').fill('2026-12-01');
    await page.locator('#root_expenseLines_0_category').selectOption({ label: 'Travel' });
    await page.locator('#root_expenseLines_0_amount').fill('12500000');
    await expect.poll(() => page.locator('#root_total').inputValue()).toBe('12500000');
    await page.locator('#root_reasonForException').fill('Hội nghị khách hàng ở Đà Nẵng, đi taxi từ sân bay');
    const receipt = page.locator('#root_expenseLines_0_receipt');
    await receipt.setInputFiles({ name: 'hoa-don.pdf', mimeType: 'application/pdf', buffer: EXE });
    await expect
      .poll(() => page.locator('[data-attachment-field="root_expenseLines_0_receipt"] [role="alert"]').textContent(), {
        timeout: 10_000,
      })
      .toContain('application/x-msdownload');
    await shot('expense-03-refused-file');
    await receipt.setInputFiles({ name: RECEIPT, mimeType: 'application/pdf', buffer: PDF });
    await expect
      .poll(() => page.getByTestId('attachment-status').textContent(), { timeout: 10_000 })
      .toContain(`${RECEIPT} (`);
    const link = page.locator('[data-attachment-field="root_expenseLines_0_receipt"] a[data-attachment]');
    attachmentId = (await link.getAttribute('data-attachment'))!;
    expect(attachmentId).toMatch(/^[0-9a-f-]{36}$/);
    await shot('expense-04-filled');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot('expense-04b-filled-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('button', { name: 'Complete' }).click();
    await page.waitForURL('**/inbox?done=*');
    await signOut();
  });

  it('her manager downloads the receipt as an attachment; a colleague with no part in it is refused', async () => {
    await signInAs('Đỗ Minh Quân');
    await page.getByRole('link', { name: 'Approve the claim' }).click();
    await page.waitForURL('**/tasks/*');
    const context = page.locator('[data-field="expenseLines"]');
    await expect.poll(() => context.textContent()).toContain(RECEIPT);
    expect(await context.textContent()).toContain('₫12,500,000');
    expect(await page.locator('[data-field="total"]').textContent()).toContain('₫12,500,000');
    expect(await page.locator('[data-field="reasonForException"]').textContent()).toContain(
      'Hội nghị khách hàng ở Đà Nẵng',
    );
    await shot('expense-05-approver');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      context.getByRole('link', { name: new RegExp(`^Download ${RECEIPT.replace(/\./g, '\\.')}`) }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(RECEIPT);
    const chunks: Buffer[] = [];
    for await (const chunk of (await download.createReadStream())!) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(PDF)).toBe(true);
    const answer = await page.request.get(`${app.url}/api/attachments/${attachmentId}`);
    expect(answer.status()).toBe(200);
    expect(answer.headers()).toMatchObject({ 'content-type': 'application/pdf', 'x-content-type-options': 'nosniff' });
    expect(answer.headers()['content-disposition']).toMatch(
      /^attachment; filename="Hoa don taxi Da Nang.pdf"; filename\*=UTF-8''H%C3%B3a/,
    );
    // in Vietnamese: the context's table speaks it too
    await page.getByRole('button', { name: 'VI', exact: true }).click();
    await expect.poll(() => page.locator('[data-field="expenseLines"] th').allTextContents()).toContain('Hóa đơn');
    expect(await page.locator('[data-field="total"]').textContent()).toMatch(/12\.500\.000\s₫/);
    await shot('expense-05b-approver-vi');
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await signOut();
    // Nguyễn Thị Lan, accounting's manager, has no part in this claim
    const lan = await signIn(app.url, 'lan.nguyen@senvang.example', DEMO_PASSWORD);
    const refused = await fetch(`${app.url}/api/attachments/${attachmentId}`, { headers: { cookie: lan } });
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toContain('%PDF');
  });

  it('the admin of another company, signed up in the browser, does not find it', async () => {
    await page.goto(`${app.url}/sign-up`);
    await submitSignUp({
      name: 'Trần Thị Hoa',
      email: 'hoa.tran@hoasen.example',
      password: 'Mật khẩu của Hoa 2026',
      company: 'Công ty TNHH Hoa Sen',
    });
    await page.waitForURL((url) => !url.pathname.startsWith('/sign-up'), { timeout: 15_000 });
    const answer = await page.request.get(`${app.url}/api/attachments/${attachmentId}`);
    expect(answer.status()).toBe(404);
    const body = await answer.text();
    expect(body).not.toContain(RECEIPT);
    expect(body).not.toContain('%PDF');
    // and nobody signed out gets anything
    expect((await fetch(`${app.url}/api/attachments/${attachmentId}`)).status).toBe(401);
  });

  it('refuses hostile uploads before reading them: too large, from another site, for another company’s task, signed out', async () => {
    const ngoc = await signIn(app.url, 'ngoc.bui@senvang.example', DEMO_PASSWORD);
    const { taskIds } = (
      await call<{ taskIds: string[] }>(app.url, ngoc, 'instance.start', {
        definitionKey: 'expense-claim-process',
        variables: {},
      })
    ).data!;
    const upload = (cookie: string | null, body: BodyInit, extra: Record<string, string> = {}, name = 'x.pdf') =>
      fetch(`${app.url}/api/attachments?${new URLSearchParams({ taskId: taskIds[0]!, name })}`, {
        method: 'POST',
        body,
        headers: { ...(cookie ? { cookie } : {}), 'content-type': 'application/octet-stream', ...extra },
        duplex: 'half',
      } as RequestInit);
    // 11 MiB stated: refused unread; 11 MiB streamed without a length: refused once 10 MiB are read
    const tooLarge = await upload(ngoc, new Uint8Array(11 * 1024 * 1024));
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { message: string }).message).toContain('10 MiB');
    const chunk = new Uint8Array(1024 * 1024).fill(0x41);
    let sent = 0;
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 1;
        if (sent > 200) controller.close();
        else controller.enqueue(chunk);
      },
    });
    expect((await upload(ngoc, endless)).status).toBe(413);
    expect(sent).toBeLessThan(200);
    expect((await upload(ngoc, PDF, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await upload(null, PDF)).status).toBe(401);
    // the other company's admin, on this company's task: not found; a name with markup is kept as text
    const hoa = await signIn(app.url, 'hoa.tran@hoasen.example', 'Mật khẩu của Hoa 2026');
    expect((await upload(hoa, PDF)).status).toBe(404);
    const marked = await upload(ngoc, PDF, {}, '<img src=x onerror=alert(1)>.pdf');
    expect(marked.status).toBe(201);
    expect(((await marked.json()) as { name: string }).name).toBe('<img src=x onerror=alert(1)>.pdf');
  });
});
