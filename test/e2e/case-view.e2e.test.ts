/**
 * The task page's case view, in Chromium, in Vietnamese and in English: where the task sits on the
 * version's diagram (its element outlined, where the case waits marked as on the instance page),
 * the case's history, and "what happens next" in words — the next task and who gets it, each
 * branch with its condition as written, the ends. No serious or critical accessibility problem
 * (axe) on the task page and the instance page, and nothing scrolls sideways at phone width
 * (390 px). Screenshots land in test/e2e/screenshots (case-*).
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

const noSidewaysScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);
const inCase = (id: string, marker = '') => page.locator(`.case-where .djs-element[data-element-id="${id}"]${marker}`);

interface Words {
  locale: 'vi' | 'en';
  reference: string;
  where: string;
  next: string;
  history: string;
  /** Lines "what happens next" says after the accounting approval. */
  says: string[];
  /** A line of the history. */
  created: string;
  data: string;
}

const CASES: Words[] = [
  {
    locale: 'vi',
    reference: 'HD-CASE-VI',
    where: 'Công việc này nằm ở đâu',
    next: 'Tiếp theo là gì',
    history: 'Lịch sử hồ sơ',
    says: [
      'Khi công việc này hoàn thành:',
      'Công việc “Trưởng phòng Vận hành phê duyệt”',
      'cho trưởng phòng Vận hành',
      'Nếu decision = "reject"',
      'Quy trình kết thúc: “Hóa đơn bị từ chối”',
      'Nếu không',
    ],
    created: 'Tạo công việc “Kế toán phê duyệt” cho Kế toán',
    data: 'Dữ liệu',
  },
  {
    locale: 'en',
    reference: 'HD-CASE-EN',
    where: 'Where this task sits',
    next: 'What happens next',
    history: 'History of this case',
    says: [
      'When this task is completed:',
      'Task “Operations manager approval”',
      'for managers of Operations',
      'If decision = "reject"',
      'The process ends: “Invoice rejected”',
      'Otherwise',
    ],
    created: 'Task “Accounting approval” created for Accounting',
    data: 'Data',
  },
];

async function setLocale(locale: 'vi' | 'en') {
  const button = page.getByRole('button', { name: locale.toUpperCase(), exact: true });
  if ((await button.getAttribute('aria-pressed')) !== 'true') {
    await button.click();
    await expect.poll(() => button.getAttribute('aria-pressed')).toBe('true');
  }
}

describe.each(CASES)('the case around a task ($locale)', (w) => {
  let instanceId = '';
  let taskId = '';

  it('the task page shows where the task sits, what happens next and the history', async () => {
    // given Ngọc submitted an invoice above the threshold: it waits for Accounting
    const ngoc = await signIn(app.url, demo.ngoc, DEMO_PASSWORD);
    const started = await call<{ id: string; taskIds: string[] }>(app.url, ngoc, 'instance.start', {
      definitionKey: 'invoice-approval',
      variables: {
        vendor: 'Công ty TNHH Minh Khai',
        invoiceNumber: w.reference,
        amount: 90_000_000,
        category: 'it-equipment',
        dueDate: '2099-01-20',
        description: 'Máy in',
      },
    });
    expect(started.status).toBe(200);
    instanceId = started.data!.id;
    taskId = started.data!.taskIds[0]!;

    // when Hùng (Accounting) opens the task
    await signInAs('Trần Văn Hùng');
    await setLocale(w.locale);
    await page.goto(`${app.url}/tasks/${taskId}`);
    await page.waitForLoadState('networkidle');

    // then the diagram, with this task outlined and waiting
    expect(await page.getByRole('heading', { name: w.where }).count()).toBe(1);
    await expect.poll(() => inCase('accountingApproval', '.trellis-active').count(), { timeout: 20_000 }).toBe(1);
    const dashes = await inCase('accountingApproval')
      .locator('.djs-visual > :first-child')
      .evaluate((el) => getComputedStyle(el).strokeDasharray);
    expect(dashes).toMatch(/^8(px)?,? 4(px)?$/);
    expect(await inCase('operationsApproval', '.trellis-active').count()).toBe(0);

    // what happens next, in words
    expect(await page.getByRole('heading', { name: w.next }).count()).toBe(1);
    const next = (await page.getByTestId('next-steps').textContent()) ?? '';
    for (const line of w.says) expect(next).toContain(line);
    // a condition is shown as written, as text
    expect(
      await page.locator('[data-testid="next-steps"] code', { hasText: 'decision = "reject"' }).count(),
    ).toBeGreaterThan(0);

    // the history, by names
    expect(await page.getByRole('heading', { name: w.history }).count()).toBe(1);
    expect(await page.getByTestId('case-history').textContent()).toContain(w.created);

    await shot(`case-${w.locale}-01-task`);
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it('at phone width (390 px) the task page does not scroll sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${app.url}/tasks/${taskId}`);
      await page.waitForLoadState('networkidle');
      await expect.poll(() => inCase('accountingApproval', '.trellis-active').count(), { timeout: 20_000 }).toBe(1);
      expect(await noSidewaysScroll()).toBe(true);
      await shot(`case-${w.locale}-02-task-phone`);
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    await signOut();
  });

  it('the instance page: the requester sees its data; no accessibility problem; fits a phone', async () => {
    await signInAs('Bùi Thị Ngọc');
    await setLocale(w.locale);
    await page.goto(`${app.url}/instances/${instanceId}`);
    await page.waitForLoadState('networkidle');
    await expect
      .poll(() => page.locator('.djs-element[data-element-id="accountingApproval"].trellis-active').count(), {
        timeout: 20_000,
      })
      .toBe(1);
    const data = page.getByTestId('instance-data');
    expect(await data.getByRole('heading', { name: w.data }).count()).toBe(1);
    expect(await data.textContent()).toContain('Công ty TNHH Minh Khai');
    expect(await page.locator('[data-data-hidden]').count()).toBe(0);
    await shot(`case-${w.locale}-03-instance`);
    expect(await accessibilityProblems(page)).toEqual([]);

    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.reload();
      await page.waitForLoadState('networkidle');
      expect(await noSidewaysScroll()).toBe(true);
      await shot(`case-${w.locale}-04-instance-phone`);
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    await signOut();
  });
});
