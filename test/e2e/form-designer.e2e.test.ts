/**
 * The form designer in a real browser, mouse and keyboard: Hoàng Thu Trang builds an expense claim
 * from nothing (the employee, a table of expense lines with a date, a category and an amount in
 * VND, the total, and a reason for the exception shown only above 10,000,000 ₫), sees it as staff
 * will in English and Vietnamese side by side, with the validation staff meet, reads the JSON it
 * publishes, deletes a field and undoes it, and publishes version 1; then opens a form of the
 * template library, which renders as it does on the task page. English and Vietnamese, desktop
 * and phone.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '@/app/server/seed';
import { call, signIn } from './api-client';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;

const { shot, signInAs } = appInBrowser({
  ready: (started) => {
    ({ app, page } = started);
    page.on('pageerror', (error) => console.log('pageerror:', error.message));
    page.on(
      'console',
      (message) => message.type() === 'error' && console.log('console error:', message.text().slice(0, 500)),
    );
  },
});

const settings = (p: Page) => p.getByTestId('field-settings');

/** Labels the selected field in both languages and makes its key from the English label. */
async function label(p: Page, en: string, vi: string) {
  await settings(p).getByTestId('field-label-en').fill(en);
  await settings(p).getByTestId('field-label-vi').fill(vi);
  await settings(p).getByRole('button', { name: 'Make the key from the label' }).click();
}

describe('the form designer', () => {
  it('builds an expense claim from nothing, previews it in both languages, and publishes version 1', async () => {
    await signInAs('Hoàng Thu Trang');
    await page.goto(`${app.url}/forms`);
    expect(await page.locator('[data-form-key="invoice-submission"]').count()).toBe(1);
    await page.getByRole('link', { name: 'New form' }).click();
    await page.getByTestId('new-form-key').fill('Expense Claim');
    await expect.poll(() => page.locator('main .field-error').textContent()).toContain('lower-case letters');
    await page.getByTestId('new-form-key').fill('expense-claim');
    await page.getByRole('button', { name: 'Start designing' }).click();
    await page.getByLabel('Title (English)').fill('Expense claim');
    await page.getByLabel('Title (Vietnamese)').fill('Đề nghị thanh toán chi phí');
    await page.getByLabel('Title (Vietnamese)').press('Tab');

    // the employee: a person, required
    await page.getByRole('button', { name: '+ Person' }).click();
    await label(page, 'Employee', 'Nhân viên');
    await settings(page).getByTestId('field-required').check();
    // the expense lines: a table with a date, a category and an amount
    await page.getByRole('button', { name: '+ Repeating rows' }).click();
    await label(page, 'Expense lines', 'Các khoản chi');
    const columns = page.getByTestId('columns');
    await columns.getByTestId('column-kind').selectOption('date');
    await columns.getByTestId('column-add').click();
    await columns.getByTestId('column-kind').selectOption('select');
    await columns.getByTestId('column-add').click();
    await columns.getByTestId('column-kind').selectOption('money');
    await columns.getByTestId('column-add').click();
    await columns.getByRole('button', { name: 'Edit “Select”' }).click();
    await label(page, 'Category', 'Loại chi phí');
    await settings(page).getByTestId('option-0-value').fill('travel');
    await settings(page).getByTestId('option-0-en').fill('Travel');
    await settings(page).getByTestId('option-0-vi').fill('Công tác');
    await page.getByRole('button', { name: '← Expense lines' }).click();
    // the total, and the reason shown only above 10,000,000 ₫
    await page.getByRole('button', { name: '+ Money (VND)' }).click();
    await label(page, 'Total', 'Tổng cộng');
    await settings(page).getByTestId('field-required').check();
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
    ).toEqual(['employee', 'expenseLines', 'total', 'reasonForException']);
    expect(await page.getByTestId('form-problems').count()).toBe(0);

    // the preview, as staff will see it: the reason appears above the threshold only, in both languages
    const vi = page.getByTestId('preview-vi');
    const en = page.getByTestId('preview-en');
    expect(await vi.getByText('Các khoản chi').count()).toBeGreaterThan(0);
    expect(await en.getByText('Reason for exception').count()).toBe(0);
    await en.getByLabel(/^Total/).fill('12000000');
    await expect.poll(() => en.getByText('Reason for exception').count()).toBeGreaterThan(0);
    await vi.getByLabel(/^Tổng cộng/).fill('12000000');
    await expect.poll(() => vi.getByText('Lý do ngoại lệ').count()).toBeGreaterThan(0);
    // the validation staff meet: the employee and the reason are required
    await vi.getByRole('button', { name: 'Kiểm tra (xem trước)' }).click();
    await expect.poll(() => vi.locator('.error-detail, .text-danger, [class*="error"]').count()).toBeGreaterThan(0);
    await shot('forms-01-expense-claim');
    await en.getByLabel(/^Total/).fill('900000');
    await expect.poll(() => en.getByText('Reason for exception').count()).toBe(0);

    // the JSON it publishes
    await page.getByRole('tab', { name: 'JSON' }).click();
    const json = await page.getByTestId('form-json').textContent();
    expect(json).toContain('"exclusiveMinimum": 10000000');
    expect(json).toContain('"title": "Lý do ngoại lệ"');
    await page.getByRole('tab', { name: 'Preview' }).click();

    // a field deleted comes back with Undo
    await page.getByRole('button', { name: 'Delete “Total”' }).click();
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'Deleted “Total”' }).count()).toBe(1);
    // the reason's condition names a field the form no longer has: listed as a problem
    await expect
      .poll(() => page.getByTestId('form-problems').textContent())
      .toContain('field “reasonForException” is shown on a field the form does not have');
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => page.getByTestId('form-problems').count()).toBe(0);

    // published as version 1
    await page.getByRole('button', { name: 'Publish form' }).click();
    await page.waitForURL('**/forms/expense-claim');
    await expect.poll(() => page.getByTestId('form-status').textContent(), { timeout: 15_000 }).toContain('Version 1');
    const cookie = await signIn(app.url, 'trang.hoang@senvang.example', DEMO_PASSWORD);
    const listed = (await call<{ key: string; version: number }[]>(app.url, cookie, 'form.list', undefined, 'query'))
      .data!;
    expect(listed.find((f) => f.key === 'expense-claim')).toMatchObject({ version: 1 });
    const opened = (
      await call<{
        design: {
          fields: { key: string; kind: string; showWhen?: unknown; columns?: { key: string; kind: string }[] }[];
        };
      }>(app.url, cookie, 'form.design', { key: 'expense-claim' }, 'query')
    ).data!;
    expect(opened.design.fields.map((f) => [f.key, f.kind])).toEqual([
      ['employee', 'person'],
      ['expenseLines', 'rows'],
      ['total', 'money'],
      ['reasonForException', 'longText'],
    ]);
    expect(opened.design.fields[1]!.columns!.map((c) => [c.key, c.kind])).toEqual([
      ['date', 'date'],
      ['category', 'select'],
      ['moneyVnd', 'money'],
    ]);
    expect(opened.design.fields[3]!.showWhen).toEqual({ field: 'total', is: 'above', value: 10_000_000 });
  });

  it('reorders fields by the keyboard and by dragging, and takes a default value the field accepts', async () => {
    await page.goto(`${app.url}/forms/expense-claim`);
    const order = () =>
      page
        .getByTestId('form-fields')
        .locator('li')
        .evaluateAll((items) => items.map((i) => i.getAttribute('data-key')));
    await expect.poll(order).toEqual(['employee', 'expenseLines', 'total', 'reasonForException']);
    // the keyboard: focus Total's handle, Space picks it up, ↑ moves it, Space drops it
    await page.getByRole('button', { name: 'Move “Total” (drag, or Space then ↑ ↓)' }).focus();
    // (a moment between keys: the drag measures the list when it starts and after each move)
    await page.keyboard.press('Space');
    await page.waitForTimeout(300);
    await page.keyboard.press('ArrowUp');
    await page.waitForTimeout(300);
    await page.keyboard.press('Space');
    await expect.poll(order).toEqual(['employee', 'total', 'expenseLines', 'reasonForException']);
    // the mouse: Employee's handle dragged past the end of the list, once the keyboard's drop has settled
    // (pauses while dragging: the list follows the pointer a frame later, and a drop reads where it is over)
    await page.waitForTimeout(500);
    const handle = (await page
      .getByRole('button', { name: 'Move “Employee” (drag, or Space then ↑ ↓)' })
      .boundingBox())!;
    const last = (await page.getByTestId('form-fields').locator('li[data-key="reasonForException"]').boundingBox())!;
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
    await page.mouse.down();
    await page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2 + 12, { steps: 4 });
    await page.locator('li.dragging').waitFor();
    await page.mouse.move(handle.x + handle.width / 2, last.y + last.height + 40, { steps: 16 });
    await page.waitForTimeout(500);
    await page.mouse.move(handle.x + handle.width / 2, last.y + last.height + 44, { steps: 2 });
    await page.waitForTimeout(500);
    await page.mouse.up();
    await expect.poll(order).toEqual(['total', 'expenseLines', 'reasonForException', 'employee']);
    // a default the field would refuse is a problem; one it accepts is published as the schema's default
    await page.getByRole('button', { name: 'Edit “Total”' }).click();
    await settings(page).getByTestId('field-default').fill('-5');
    await expect
      .poll(() => page.getByTestId('form-problems').textContent())
      .toContain('field “total” has a default value it would refuse');
    await settings(page).getByTestId('field-default').fill('0');
    await expect.poll(() => page.getByTestId('form-problems').count()).toBe(0);
    await page.getByRole('tab', { name: 'JSON' }).click();
    expect(await page.getByTestId('form-json').textContent()).toMatch(/"total": \{[^}]*"default": 0/);
    await page.getByRole('tab', { name: 'Preview' }).click();
    // a pattern with a message in both languages: staff read the message, not the regular expression
    await page.getByRole('button', { name: '+ Short text', exact: true }).click();
    await label(page, 'Tax code', 'Mã số thuế');
    await settings(page).getByTestId('field-pattern').fill('^[0-9]{10}([0-9]{3})?$');
    await settings(page).getByTestId('field-patternMessage-en').fill('Write the tax code as 10 or 13 digits');
    await settings(page).getByTestId('field-patternMessage-vi').fill('Mã số thuế gồm 10 hoặc 13 chữ số');
    const vi = page.getByTestId('preview-vi');
    await vi.getByLabel(/^Mã số thuế/).fill('0312-ABC');
    await vi.getByRole('button', { name: 'Kiểm tra (xem trước)' }).click();
    await expect
      .poll(() => vi.locator('.error-detail').allTextContents())
      .toContain('Mã số thuế gồm 10 hoặc 13 chữ số');
    const en = page.getByTestId('preview-en');
    await en.getByLabel(/^Tax code/).fill('0312-ABC');
    await en.getByRole('button', { name: 'Check (preview)' }).click();
    await expect
      .poll(() => en.locator('.error-detail').allTextContents())
      .toContain('Write the tax code as 10 or 13 digits');
    await shot('forms-01b-reordered');
    // all of it is in the draft, saved a moment after each change: opened again, the form is as left
    await expect
      .poll(() => page.getByTestId('form-draft-status').getAttribute('data-state'), { timeout: 15_000 })
      .toBe('saved');
    await page.reload();
    await expect.poll(order).toEqual(['total', 'taxCode', 'expenseLines', 'reasonForException', 'employee']);
    expect(await page.getByTestId('form-status').textContent()).toContain('Version 1');
    await expect
      .poll(() => page.getByTestId('form-draft-status').textContent())
      .toMatch(/^Draft saved \(revision \d+\)$/);
    await page.goto(`${app.url}/forms`);
    expect(await page.locator('[data-form-key="expense-claim"]').textContent()).toMatch(/v1.*draft/);
  });

  it('opens a form of the template library in Vietnamese and on a phone', async () => {
    await page.goto(`${app.url}/forms/invoice-submission`);
    await page.getByRole('button', { name: 'VI', exact: true }).click();
    await page.getByRole('heading', { name: 'Gửi hóa đơn' }).waitFor();
    expect(await page.getByTestId('preview-vi').getByText('Nhà cung cấp').count()).toBeGreaterThan(0);
    await shot('forms-02-invoice-vi');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole('heading', { name: 'Gửi hóa đơn' }).waitFor();
    await shot('forms-03-invoice-vi-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('button', { name: 'EN', exact: true }).click();
  });

  it('is reached from the process designer: a task’s form opens in it, and a new one starts with a key made from the task', async () => {
    const cookie = await signIn(app.url, 'trang.hoang@senvang.example', DEMO_PASSWORD);
    const content = readFileSync(
      path.join(process.cwd(), 'engine', 'runtime', 'fixtures', 'invoice-approval.json'),
      'utf8',
    );
    expect(
      (await call(app.url, cookie, 'process.import', { fileName: 'process.json', content, key: 'invoice-forms' }))
        .error,
    ).toBeUndefined();
    await page.goto(`${app.url}/processes/invoice-forms`);
    const task = page.locator('.djs-element[data-element-id="accountingApproval"]');
    await task.waitFor();
    await page.waitForTimeout(600);
    const box = (await task.boundingBox())!;
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
    const open = page
      .getByTestId('properties')
      .getByRole('link', { name: 'Open “invoice-decision” in the form designer' });
    expect(await open.getAttribute('href')).toBe('/forms/invoice-decision');
    const fresh = page.getByTestId('properties').getByRole('link', { name: 'New form…' });
    expect(await fresh.getAttribute('href')).toBe('/forms/new?key=accounting-approval-form');
    await page.goto(`${app.url}/forms/new?key=accounting-approval-form`);
    expect(await page.getByTestId('new-form-key').inputValue()).toBe('accounting-approval-form');
    // a suggested key that is not one is ignored
    await page.goto(`${app.url}/forms/new?key=%3Cscript%3E`);
    expect(await page.getByTestId('new-form-key').inputValue()).toBe('');
  });

  it('imports a Camunda 7 HTML form: it opens as a new form with the import’s report, and publishes', async () => {
    await page.goto(`${app.url}/forms/new`);
    await page
      .getByTestId('import-form-file')
      .setInputFiles(
        path.join(
          process.cwd(),
          'test',
          'fixtures',
          'corpus',
          'backoffice',
          'camunda7-invoice',
          'forms',
          'start-form.html',
        ),
      );
    const report = page.getByTestId('form-import-report');
    await expect.poll(() => report.textContent()).toMatch(/Imported from start-form\.html.*\d+ parts translated/);
    expect(await page.getByTestId('form-fields').locator('li').count()).toBeGreaterThan(2);
    await shot('forms-04-imported');
    await page.getByRole('button', { name: 'Publish form' }).click();
    await page.waitForURL(/\/forms\/[a-z][a-z0-9-]*$/);
    await expect.poll(() => page.getByTestId('form-status').textContent(), { timeout: 15_000 }).toContain('Version 1');
    // a file that is not a form is named, and nothing opens
    await page.goto(`${app.url}/forms/new`);
    await page
      .getByTestId('import-form-file')
      .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') });
    await expect
      .poll(() => page.locator('main .field-error').textContent())
      .toContain('notes.txt could not be imported');
    expect(await page.getByTestId('form-import-report').count()).toBe(0);
  });
});
