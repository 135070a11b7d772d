/**
 * The designer's whole walk, in a real browser with mouse and keyboard only: Hoàng Thu Trang builds
 * *Leave request* from a blank draft — its start form (days, from, to, reason) made in the form
 * designer from the start event's "New form…", an exclusive gateway (more than 5 days → the
 * requester's manager approves, otherwise HR), a reminder timer on the manager's approval that
 * emails them, an end; she sees the marker on a condition with a typo and sees it go when fixed,
 * test-runs both paths in the page (in English, then in Vietnamese), keeps them as scenarios, and
 * publishes version 1. Bùi Thị Ngọc then starts it from /start: seven days reach her manager Đỗ
 * Minh Quân's inbox, three days reach HR's (Lê Thị Mai), in English and in Vietnamese.
 */
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_PASSWORD } from '@/app/server/seed';
import { call, signIn } from './api-client';
import { appInBrowser, SCREENSHOTS, type App } from './harness';

let app: App;
let page: Page;
/** The ids bpmn-js gave the elements drawn, found as each appears. */
const drawn: Record<
  'gateway' | 'manager' | 'hr' | 'end' | 'timer' | 'remind' | 'reminded' | 'toManager' | 'toHr',
  string
> = {
  gateway: '',
  manager: '',
  hr: '',
  end: '',
  timer: '',
  remind: '',
  reminded: '',
  toManager: '',
  toHr: '',
};
let formKey = '';

const { shot, signInAs, signOut } = appInBrowser({
  ready: (started) => {
    ({ app, page } = started);
    page.on('pageerror', (error) => console.log('pageerror:', error.message));
    page.on(
      'console',
      (message) => message.type() === 'error' && console.log('console error:', message.text().slice(0, 500)),
    );
    page.on('dialog', (dialog) => {
      throw new Error(`a dialog opened: ${dialog.message()}`);
    });
  },
});

const element = (p: Page, id: string) => p.locator(`.djs-element[data-element-id="${id}"]`);
const props = (p: Page) => p.getByTestId('properties');
const testRun = (p: Page) => p.getByTestId('test-run');
const runStatus = (p: Page) => p.getByTestId('test-run-status');
const saveStatus = (p: Page) => p.getByTestId('save-status');

async function centre(locator: Locator) {
  const box = (await locator.boundingBox())!;
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/**
 * Clicks an element's centre, apart from the click before (two close together edit the label).
 * First on the empty canvas when something is selected: the selected element's context pad may lie
 * over the one clicked, and one already selected is selected anew, with its context pad.
 */
async function select(p: Page, locator: Locator) {
  await p.waitForTimeout(600);
  if ((await p.locator('.djs-element.selected').count()) > 0) {
    const canvas = (await p.locator('.djs-container').boundingBox())!;
    await p.mouse.click(canvas.x + 60, canvas.y + canvas.height - 40);
    await p.waitForTimeout(600);
  }
  const c = await centre(locator);
  await p.mouse.click(c.x, c.y);
}

const pad = (p: Page, action: string) => p.locator(`.djs-context-pad .entry[data-action="${action}"]`).click();

/** The ids of what the canvas draws now (shapes and connections, not their labels). */
const ids = (p: Page) =>
  p
    .locator('.djs-element[data-element-id]:not([data-element-id$="_label"])')
    .evaluateAll((all) => all.map((e) => e.getAttribute('data-element-id')!));

/** Runs `act` and returns the id of the one element of `prefix` it added. */
async function added(p: Page, prefix: string, act: () => Promise<void>): Promise<string> {
  const before = new Set(await ids(p));
  await act();
  let found: string[] = [];
  await expect
    .poll(async () => {
      found = (await ids(p)).filter((id) => id.startsWith(prefix) && !before.has(id));
      return found.length;
    })
    .toBe(1);
  return found[0]!;
}

/** Names the selected element in both languages in the properties panel. */
async function names(p: Page, en: string, vi: string) {
  await props(p).getByTestId('prop-name-en').fill(en);
  await props(p).getByTestId('prop-name-en').press('Enter');
  await props(p).getByTestId('prop-name-vi').fill(vi);
  await props(p).getByTestId('prop-name-vi').press('Enter');
}

/** Replaces the selected element through the context pad's wrench. */
async function replace(p: Page, id: string, entry: string) {
  await select(p, element(p, id));
  await pad(p, 'replace');
  await p.locator(`.djs-popup .entry[data-id="${entry}"]`).click();
}

/** Fills the leave request's start form (inside `scope`), as staff fill it on /start. */
async function fillLeave(scope: Locator | Page, days: number, from: string, to: string, reason: string) {
  await scope.locator('#root_days').fill(String(days));
  await scope.locator('#root_from').fill(from);
  await scope.locator('#root_to').fill(to);
  await scope.locator('#root_reason').fill(reason);
}

/** Completes what waits at `id` in the test run: with the decision form's choice, or (a service task) its result as JSON. */
async function completeOpen(p: Page, id: string, choice?: string) {
  const open = testRun(p).locator(`li[data-open="${id}"]`);
  await open.waitFor();
  if (choice) await open.getByLabel(choice, { exact: true }).check();
  await open.getByRole('button', { name: /^(Complete|Hoàn thành)$/ }).click();
}

describe('Leave request, from a blank draft to the right inbox', () => {
  it('makes the start form in the form designer from the start event, and picks it', async () => {
    await signInAs('Hoàng Thu Trang');
    await page.getByRole('link', { name: 'Processes' }).click();
    await page.getByRole('link', { name: 'New process' }).click();
    await page.getByLabel('Name (English)').fill('Leave request');
    await page.getByLabel('Name (Vietnamese)').fill('Đơn xin nghỉ phép');
    await page.getByRole('button', { name: 'Create draft' }).click();
    await page.waitForURL('**/processes/leave-request');
    await element(page, 'start').waitFor();
    await select(page, element(page, 'start'));
    await names(page, 'Leave requested', 'Có đơn xin nghỉ');

    // "New form…" opens the form designer in another tab, with a key made from the process
    const [tab] = await Promise.all([page.context().waitForEvent('page'), props(page).getByTestId('new-form').click()]);
    await tab.waitForURL('**/forms/new?key=*');
    formKey = await tab.getByTestId('new-form-key').inputValue();
    expect(formKey).toBe('leave-request-start-form');
    await tab.getByRole('button', { name: 'Start designing' }).click();
    await tab.getByLabel('Title (English)').fill('Leave request');
    await tab.getByLabel('Title (Vietnamese)').fill('Đơn xin nghỉ phép');
    const field = async (kind: string, en: string, vi: string) => {
      await tab.getByRole('button', { name: `+ ${kind}`, exact: true }).click();
      const settings = tab.getByTestId('field-settings');
      await settings.getByTestId('field-label-en').fill(en);
      await settings.getByTestId('field-label-vi').fill(vi);
      await settings.getByRole('button', { name: 'Make the key from the label' }).click();
      await settings.getByTestId('field-required').check();
      return settings;
    };
    const days = await field('Number', 'Days', 'Số ngày');
    await days.getByTestId('field-min').fill('1');
    await field('Date', 'From', 'Từ ngày');
    await field('Date', 'To', 'Đến ngày');
    await field('Long text', 'Reason', 'Lý do');
    expect(
      await tab
        .getByTestId('form-fields')
        .locator('li')
        .evaluateAll((items) => items.map((i) => i.getAttribute('data-key'))),
    ).toEqual(['days', 'from', 'to', 'reason']);
    expect(await tab.getByTestId('preview-vi').getByText('Số ngày').count()).toBeGreaterThan(0);
    await tab.screenshot({ path: path.join(SCREENSHOTS, 'leave-01-start-form.png'), fullPage: true });
    await tab.getByRole('button', { name: 'Publish form' }).click();
    await tab.waitForURL(`**/forms/${formKey}`);
    await expect.poll(() => tab.getByTestId('form-status').textContent(), { timeout: 15_000 }).toContain('Version 1');
    await tab.close();

    // back in the process designer: the picker knows the form just published, without a reload
    const picker = props(page).getByTestId('prop-start-form');
    await expect
      .poll(() => picker.locator('option').allTextContents(), { timeout: 10_000 })
      .toContain(`Leave request (${formKey}, v1)`);
    await picker.selectOption(formKey);
    await expect.poll(() => props(page).getByTestId('open-form').getAttribute('href')).toBe(`/forms/${formKey}`);
  });

  it('draws the gateway, the two approvals and the end; a typo in the condition is marked, and the mark goes when fixed', async () => {
    await select(page, element(page, 'start'));
    drawn.gateway = await added(page, 'Gateway_', () => pad(page, 'append.gateway'));
    drawn.manager = await added(page, 'Activity_', () => pad(page, 'append.append-task'));
    await page.keyboard.press('Escape');
    await select(page, element(page, drawn.gateway));
    drawn.hr = await added(page, 'Activity_', () => pad(page, 'append.append-task'));
    await page.keyboard.press('Escape');
    await select(page, element(page, drawn.gateway));
    await names(page, 'How many days?', 'Nghỉ bao nhiêu ngày?');
    // the first task appended is to the right of the gateway, the second below it
    expect((await element(page, drawn.manager).boundingBox())!.y).toBeLessThan(
      (await element(page, drawn.hr).boundingBox())!.y,
    );

    // more than 5 days: the requester's manager (decided as it runs, from who started it)
    await replace(page, drawn.manager, 'replace-with-user-task');
    await expect.poll(() => props(page).textContent()).toContain('UserTask');
    await names(page, 'Manager approves', 'Trưởng phòng duyệt');
    await props(page).getByTestId('prop-assignee').selectOption('=');
    await props(page).getByTestId('prop-assignee-feel').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('initiator.manager');
    await page.keyboard.press('Enter');
    // its form, the decision: made in the form designer from the task's "New form…", under a key of Trang's
    const [tab] = await Promise.all([page.context().waitForEvent('page'), props(page).getByTestId('new-form').click()]);
    await tab.getByTestId('new-form-key').fill('leave-decision');
    await tab.getByRole('button', { name: 'Start designing' }).click();
    await tab.getByLabel('Title (English)').fill('Leave decision');
    await tab.getByLabel('Title (Vietnamese)').fill('Quyết định nghỉ phép');
    await tab.getByRole('button', { name: '+ Radio buttons', exact: true }).click();
    const settings = tab.getByTestId('field-settings');
    await settings.getByTestId('field-label-en').fill('Decision');
    await settings.getByTestId('field-label-vi').fill('Quyết định');
    await settings.getByRole('button', { name: 'Make the key from the label' }).click();
    await settings.getByTestId('field-required').check();
    await settings.getByTestId('option-0-value').fill('approve');
    await settings.getByTestId('option-0-en').fill('Approve');
    await settings.getByTestId('option-0-vi').fill('Đồng ý');
    await settings.getByRole('button', { name: '+ Add an option' }).click();
    await settings.getByTestId('option-1-value').fill('reject');
    await settings.getByTestId('option-1-en').fill('Reject');
    await settings.getByTestId('option-1-vi').fill('Từ chối');
    await tab.getByRole('button', { name: '+ Long text', exact: true }).click();
    await settings.getByTestId('field-label-en').fill('Comment');
    await settings.getByTestId('field-label-vi').fill('Ghi chú');
    await settings.getByRole('button', { name: 'Make the key from the label' }).click();
    await expect.poll(() => tab.getByTestId('preview-vi').getByText('Từ chối').count()).toBeGreaterThan(0);
    await tab.getByRole('button', { name: 'Publish form' }).click();
    await tab.waitForURL('**/forms/leave-decision');
    await expect.poll(() => tab.getByTestId('form-status').textContent(), { timeout: 15_000 }).toContain('Version 1');
    await tab.close();
    const taskForm = props(page).getByTestId('prop-form');
    await expect
      .poll(() => taskForm.locator('option').allTextContents(), { timeout: 10_000 })
      .toContain('Leave decision (leave-decision, v1)');
    await taskForm.selectOption('leave-decision');
    // otherwise: Human resources, with the same form
    await replace(page, drawn.hr, 'replace-with-user-task');
    await expect.poll(() => props(page).textContent()).toContain('UserTask');
    await names(page, 'HR approves', 'Phòng Nhân sự duyệt');
    await props(page).getByLabel('Human resources').check();
    await props(page).getByTestId('prop-form').selectOption('leave-decision');

    // one end for both
    await select(page, element(page, drawn.manager));
    drawn.end = await added(page, 'Event_', () => pad(page, 'append.end-event'));
    await page.keyboard.press('Escape');
    await select(page, element(page, drawn.hr));
    await pad(page, 'connect');
    const end = await centre(element(page, drawn.end));
    await page.mouse.move(end.x, end.y, { steps: 4 });
    await page.mouse.click(end.x, end.y);
    await select(page, element(page, drawn.end));
    await expect.poll(() => props(page).textContent()).toContain(`EndEvent · ${drawn.end}`);
    await names(page, 'Leave decided', 'Đã quyết định');

    // the flow to the manager: a condition with a typo, read as a variable nothing writes
    const flows = await page
      .locator('.djs-element.djs-connection[data-element-id]')
      .evaluateAll((all) => all.map((e) => e.getAttribute('data-element-id')!));
    const g = (await element(page, drawn.gateway).boundingBox())!;
    const m = (await element(page, drawn.manager).boundingBox())!;
    await page.waitForTimeout(600);
    await page.mouse.click((g.x + g.width + m.x) / 2, m.y + m.height / 2);
    await expect.poll(() => props(page).textContent()).toContain('SequenceFlow');
    drawn.toManager = (await props(page).locator('code').first().textContent())!;
    expect(flows).toContain(drawn.toManager);
    await names(page, 'More than 5 days', 'Trên 5 ngày');
    const condition = props(page).getByTestId('prop-condition');
    await condition.fill('dyas > 5');
    await condition.press('Enter');
    await expect.poll(() => page.getByTestId('problems').textContent(), { timeout: 10_000 }).toContain('reads "dyas"');
    await expect
      .poll(() =>
        page
          .locator(`.djs-element.djs-connection[data-element-id="${drawn.toManager}"]`)
          .evaluate((e) => e.classList.contains('trellis-warning') || e.classList.contains('trellis-error')),
      )
      .toBe(true);
    await shot('leave-02-condition-typo');
    await condition.fill('days > 5');
    await condition.press('Enter');
    await expect.poll(() => page.locator('.designer-side').textContent(), { timeout: 10_000 }).not.toContain('dyas');
    await expect
      .poll(() =>
        page.locator('.djs-element.djs-connection.trellis-warning, .djs-element.djs-connection.trellis-error').count(),
      )
      .toBe(0);
    // the flow to HR: the default
    const h = (await element(page, drawn.hr).boundingBox())!;
    await page.waitForTimeout(600);
    await page.mouse.click(h.x - 20, h.y + h.height / 2);
    await expect.poll(() => props(page).textContent()).toContain('SequenceFlow');
    drawn.toHr = (await props(page).locator('code').first().textContent())!;
    await props(page).getByLabel('Default flow').check();
    await names(page, 'Otherwise', 'Còn lại');
  });

  it('puts a reminder timer on the manager’s approval that emails the manager, and nothing is left to fix', async () => {
    // an intermediate event dropped on the task's upper edge is attached to it; made a non-interrupting timer
    const m = (await element(page, drawn.manager).boundingBox())!;
    drawn.timer = await added(page, 'Event_', async () => {
      await page.locator('.djs-palette .entry[data-action="create.intermediate-event"]').click();
      await page.mouse.move(m.x + m.width * 0.7, m.y + 2, { steps: 6 });
      await page.mouse.click(m.x + m.width * 0.7, m.y + 2);
    });
    await replace(page, drawn.timer, 'replace-with-non-interrupting-timer-boundary');
    await expect.poll(() => props(page).textContent()).toContain('BoundaryEvent');
    // the replaced event has a new id
    drawn.timer = (await props(page).locator('code').first().textContent())!;
    await names(page, 'Two days later', 'Sau hai ngày');
    await props(page).getByTestId('prop-timer-unit').selectOption('D');
    await props(page).getByTestId('prop-timer-amount').fill('2');
    await props(page).getByTestId('prop-timer-amount').press('Tab');
    await expect.poll(() => props(page).textContent()).toContain('P2D');
    // the reminder: an email to the manager, then an end
    await select(page, element(page, drawn.timer));
    drawn.remind = await added(page, 'Activity_', () => pad(page, 'append.append-task'));
    await page.keyboard.press('Escape');
    await replace(page, drawn.remind, 'replace-with-service-task');
    await expect.poll(() => props(page).textContent()).toContain('ServiceTask');
    drawn.remind = (await props(page).locator('code').first().textContent())!;
    await names(page, 'Remind the manager', 'Nhắc trưởng phòng');
    await props(page).getByTestId('prop-connector').selectOption('email');
    const email = page.getByTestId('connector-settings-email');
    await email.getByTestId('setting-to').fill('=initiator.manager');
    await email.getByTestId('setting-subject').fill('="Nhắc duyệt đơn nghỉ phép của " + initiator.name');
    await email.getByTestId('setting-body').fill('Kính gửi anh/chị,\nĐơn xin nghỉ phép đang chờ anh/chị duyệt.');
    await email.getByTestId('setting-body').press('Tab');
    await expect.poll(() => email.getByRole('alert').count()).toBe(0);
    await select(page, element(page, drawn.remind));
    drawn.reminded = await added(page, 'Event_', () => pad(page, 'append.end-event'));
    await page.keyboard.press('Escape');
    await select(page, element(page, drawn.reminded));
    await names(page, 'Reminded', 'Đã nhắc');
    await expect.poll(() => page.getByText('No problems found.').isVisible(), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => saveStatus(page).textContent(), { timeout: 15_000 }).toMatch(/^Saved/);
    await shot('leave-03-drawn');

    // what the page saved is what the engine runs: the form, the condition, the default, the timer
    const cookie = await signIn(app.url, 'trang.hoang@senvang.example', DEMO_PASSWORD);
    type Saved = {
      draft: { content: { startForm?: string; elements: Record<string, unknown>[]; flows: Record<string, unknown>[] } };
    };
    const saved = (await call<Saved>(app.url, cookie, 'process.get', { key: 'leave-request' }, 'query')).data!.draft
      .content;
    expect(saved.startForm).toBe(formKey);
    const byId = (id: string) => saved.elements.find((e) => e.id === id);
    expect(byId(drawn.manager)).toMatchObject({
      type: 'userTask',
      assignee: '=initiator.manager',
      formKey: 'leave-decision',
      name: { en: 'Manager approves', vi: 'Trưởng phòng duyệt' },
    });
    expect(byId(drawn.hr)).toMatchObject({ type: 'userTask', candidateGroups: ['hr'], formKey: 'leave-decision' });
    expect(byId(drawn.gateway)).toMatchObject({ type: 'exclusiveGateway', default: drawn.toHr });
    expect(byId(drawn.timer)).toMatchObject({
      type: 'boundaryEvent',
      attachedTo: drawn.manager,
      cancelActivity: false,
      event: { kind: 'timer', duration: 'P2D' },
    });
    expect(byId(drawn.remind)).toMatchObject({
      type: 'serviceTask',
      taskType: 'email',
      settings: { to: '=initiator.manager' },
    });
    expect(saved.flows.find((f) => f.id === drawn.toManager)).toMatchObject({ condition: 'days > 5' });
  });

  it('test-runs both paths in the page, in English and in Vietnamese, and keeps them as scenarios', async () => {
    await page.getByRole('button', { name: 'Test run' }).click();
    await testRun(page).locator('#root_days').waitFor();
    // started by Ngọc, as the server would start it for her: her manager is the operations manager
    await testRun(page).getByTestId('test-run-started-by').selectOption('ngoc.bui@senvang.example');
    // seven days: the manager's approval waits, Quân's; two days on, the reminder goes out beside it
    await fillLeave(testRun(page), 7, '2026-12-14', '2026-12-22', 'Về quê ăn cưới');
    await testRun(page).getByRole('button', { name: 'Start the test run' }).click();
    await expect
      .poll(() => page.locator(`.djs-element[data-element-id="${drawn.manager}"].trellis-active`).count())
      .toBe(1);
    expect(await testRun(page).locator(`li[data-open="${drawn.manager}"] summary`).textContent()).toContain(
      'quan.do@senvang.example',
    );
    await testRun(page).getByRole('button', { name: 'Fire the timer at Two days later now' }).click();
    await shot('leave-04a-timer-fired');
    await completeOpen(page, drawn.remind);
    await expect
      .poll(() => page.locator(`.djs-element[data-element-id="${drawn.reminded}"].trellis-done`).count())
      .toBe(1);
    // the approval still waits (the reminder did not take it away); completed, the run ends
    expect(await page.locator(`.djs-element[data-element-id="${drawn.manager}"].trellis-active`).count()).toBe(1);
    await completeOpen(page, drawn.manager, 'Approve');
    await expect.poll(() => runStatus(page).textContent()).toMatch(/^Completed/);
    expect(await page.locator(`.djs-element[data-element-id="${drawn.hr}"].trellis-done`).count()).toBe(0);
    await shot('leave-04-test-run-manager');
    await testRun(page).getByLabel('Scenario name').fill('Hơn 5 ngày: trưởng phòng duyệt, có nhắc');
    await testRun(page).getByRole('button', { name: 'Keep with the process' }).click();
    await expect.poll(() => page.getByTestId('kept-scenarios').locator('li').count()).toBe(1);

    // in Vietnamese: three days go to HR
    await page.getByRole('button', { name: 'VI', exact: true }).click();
    await page.getByRole('button', { name: 'Xuất bản' }).waitFor();
    await element(page, drawn.hr).waitFor();
    await page.getByRole('button', { name: 'Chạy thử' }).click();
    await testRun(page).locator('#root_days').waitFor();
    expect(await testRun(page).getByText('Số ngày').count()).toBeGreaterThan(0);
    await testRun(page).getByTestId('test-run-started-by').selectOption('ngoc.bui@senvang.example');
    await fillLeave(testRun(page), 3, '2026-12-28', '2026-12-30', 'Việc gia đình');
    await testRun(page).getByRole('button', { name: 'Bắt đầu chạy thử' }).click();
    await expect.poll(() => page.locator(`.djs-element[data-element-id="${drawn.hr}"].trellis-active`).count()).toBe(1);
    expect(await testRun(page).locator(`li[data-open="${drawn.timer}"]`).count()).toBe(0);
    await completeOpen(page, drawn.hr, 'Đồng ý');
    await expect.poll(() => runStatus(page).textContent()).toMatch(/^Hoàn thành|^Đã hoàn thành/);
    await testRun(page).getByLabel('Tên kịch bản').fill('Tối đa 5 ngày: phòng Nhân sự duyệt');
    await testRun(page).getByRole('button', { name: 'Lưu cùng quy trình' }).click();
    await expect.poll(() => page.getByTestId('kept-scenarios').locator('li').count()).toBe(2);
    // both kept scenarios pass against the draft
    await testRun(page).getByRole('button', { name: 'Chạy mọi kịch bản' }).click();
    await expect.poll(() => page.getByTestId('kept-scenarios').locator('li.scenario-passed').count()).toBe(2);
    await shot('leave-05-test-run-hr-vi');
  });

  it('publishes version 1, in Vietnamese', async () => {
    await page.getByRole('button', { name: 'Xuất bản', exact: true }).click();
    await expect
      .poll(() => page.getByTestId('publish-preview').textContent(), { timeout: 15_000 })
      .toContain('Đây là phiên bản đầu tiên');
    await page.getByRole('button', { name: 'Xuất bản phiên bản 1' }).click();
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Đã xuất bản phiên bản 1.' }).count(), { timeout: 15_000 })
      .toBe(1);
    await shot('leave-06-published-vi');
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await signOut();
  });

  it('Ngọc starts it from /start: seven days reach her manager’s inbox', async () => {
    await signInAs('Bùi Thị Ngọc');
    await page.getByRole('link', { name: 'Start a process' }).click();
    await page.waitForURL('**/start');
    await page
      .locator('article:has(a[href="/start/leave-request"])')
      .getByRole('link', { name: 'Start', exact: true })
      .click();
    await page.waitForURL('**/start/leave-request');
    await page.locator('#root_days').waitFor();
    await fillLeave(page, 7, '2027-01-04', '2027-01-12', 'Nghỉ phép năm, về quê Nghệ An');
    await shot('leave-07-start');
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.waitForURL('**/instances/*');
    await expect.poll(() => page.getByTestId('instance-status').textContent()).toBe('In progress');
    await signOut();
    // Đỗ Minh Quân, the operations manager, has it; HR does not
    await signInAs('Đỗ Minh Quân');
    await page.goto(`${app.url}/inbox`);
    await expect.poll(() => page.getByRole('link', { name: 'Manager approves' }).count(), { timeout: 10_000 }).toBe(1);
    await shot('leave-08-manager-inbox');
    await signOut();
    await signInAs('Lê Thị Mai');
    await page.goto(`${app.url}/inbox`);
    await page.locator('h1').waitFor();
    expect(await page.getByRole('link', { name: /Manager approves|HR approves/ }).count()).toBe(0);
    await signOut();
  });

  it('in Vietnamese, three days reach HR’s inbox, and not the manager’s', async () => {
    await signInAs('Bùi Thị Ngọc');
    await page.getByRole('button', { name: 'VI', exact: true }).click();
    await page.goto(`${app.url}/start`);
    await page
      .locator('article:has(a[href="/start/leave-request"])')
      .getByRole('link', { name: 'Khởi tạo', exact: true })
      .click();
    await page.waitForURL('**/start/leave-request');
    await page.locator('#root_days').waitFor();
    expect(await page.getByText('Lý do').count()).toBeGreaterThan(0);
    // a day count below the form's minimum is refused in Vietnamese, naming the field
    await fillLeave(page, 0, '2027-02-01', '2027-02-03', 'Khám sức khoẻ định kỳ');
    await page.getByRole('button', { name: 'Gửi', exact: true }).click();
    await expect.poll(() => page.locator('.error-detail').first().textContent()).toBeTruthy();
    await page.locator('#root_days').fill('3');
    await shot('leave-09-start-vi');
    await page.getByRole('button', { name: 'Gửi', exact: true }).click();
    await page.waitForURL('**/instances/*');
    await signOut();
    await signInAs('Lê Thị Mai');
    await page.goto(`${app.url}/inbox`);
    await expect
      .poll(() => page.getByRole('link', { name: 'Phòng Nhân sự duyệt' }).count(), { timeout: 10_000 })
      .toBe(1);
    await shot('leave-10-hr-inbox-vi');
    await page.setViewportSize({ width: 390, height: 844 });
    await page.reload();
    await page.getByRole('link', { name: 'Phòng Nhân sự duyệt' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
    await shot('leave-11-hr-inbox-vi-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
    await signOut();
    await signInAs('Đỗ Minh Quân');
    await page.goto(`${app.url}/inbox`);
    await expect
      .poll(() => page.getByRole('link', { name: /Trưởng phòng duyệt/ }).count(), { timeout: 10_000 })
      .toBe(1);
    expect(await page.getByRole('link', { name: 'Phòng Nhân sự duyệt' }).count()).toBe(0);
    await page.getByRole('button', { name: 'EN', exact: true }).click();
  });
});
