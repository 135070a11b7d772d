/**
 * Process analytics in Chromium (issue 19): a staff member is refused (HTTP 403); the admin opens
 * /analytics from the instances list and sees, in Vietnamese, a process's counts and the overdue
 * tasks per department; opens the process: the numbers, the waiting times as a table and as a
 * heat map on the diagram (with a legend, and each time as a badge's text); the same in English;
 * at phone width (390 px) nothing scrolls sideways; an unknown or hostile key is 404 and a version
 * that is not a number is ignored. No serious or critical accessibility violations (axe-core).
 * Screenshots land in test/e2e/screenshots (analytics-*).
 */
import type { Page } from 'playwright-core';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { processInstances, tasks } from '@/db/schema';
import { publishProcess } from '@/app/server/services/definitions';
import { callerFor, demo } from '../support/callers';
import { accessibilityProblems } from './axe';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;

const { shot, signInAs, signOut } = appInBrowser({
  ready: (started) => ({ app, page } = started),
  async prepare(db, tenantId) {
    await publishProcess(
      db,
      tenantId,
      {
        definition: {
          formatVersion: 1,
          key: 'analytics-check',
          version: 1,
          name: { en: 'Analytics check', vi: 'Kiểm tra phân tích' },
          category: 'accounting',
          startForm: 'analytics-check-start',
          businessKey: 'reference',
          elements: [
            { id: 'start', type: 'startEvent' },
            {
              id: 'review',
              type: 'userTask',
              name: { en: 'Review the request', vi: 'Xem xét đề nghị' },
              formKey: 'analytics-check-decision',
              candidateGroups: ['accounting'],
            },
            { id: 'done', type: 'endEvent' },
          ],
          flows: [
            { id: 'f1', source: 'start', target: 'review' },
            { id: 'f2', source: 'review', target: 'done' },
          ],
        },
        forms: [
          {
            key: 'analytics-check-start',
            version: 1,
            title: 'Start',
            schema: { type: 'object', properties: { reference: { type: 'string' } } },
          },
          {
            key: 'analytics-check-decision',
            version: 1,
            title: 'Decision',
            schema: { type: 'object', properties: { ok: { type: 'boolean' } } },
          },
        ],
      },
      null,
    );
    const ngoc = await callerFor(db, demo.ngoc);
    const hung = await callerFor(db, demo.hung);
    const started = [];
    for (const reference of ['PT-1', 'PT-2', 'PT-3'])
      started.push(await ngoc.instance.start({ definitionKey: 'analytics-check', variables: { reference } }));
    for (const s of started.slice(0, 2)) {
      await hung.task.claim({ id: s.taskIds[0]! });
      await hung.task.complete({ id: s.taskIds[0]!, data: { ok: true } });
    }
    // Known times: PT-1 waited 28 hours at the review and took 30; PT-2 4 hours and 6. The median wait is 16 hours.
    const times = [
      { id: started[0]!.id, startedHoursAgo: 32, taskHours: 28, cycleHours: 30 },
      { id: started[1]!.id, startedHoursAgo: 8, taskHours: 4, cycleHours: 6 },
    ];
    for (const t of times) {
      const at = sql`now() - make_interval(hours => ${t.startedHoursAgo})`;
      await db
        .update(processInstances)
        .set({ startedAt: at, endedAt: sql`${at} + make_interval(hours => ${t.cycleHours})` })
        .where(eq(processInstances.id, t.id));
      await db
        .update(tasks)
        .set({ createdAt: at, completedAt: sql`${at} + make_interval(hours => ${t.taskHours})` })
        .where(eq(tasks.instanceId, t.id));
    }
    // PT-3's review is overdue.
    await db.update(tasks).set({ dueDate: '2020-01-15' }).where(eq(tasks.instanceId, started[2]!.id));
  },
});

async function inLanguage(button: 'VI' | 'EN', heading: string) {
  await page.getByRole('button', { name: button, exact: true }).click();
  await expect.poll(() => page.locator('h1').textContent()).toBe(heading);
}

const noSidewaysScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);

describe('process analytics in the browser', () => {
  it('refuses a staff member with HTTP 403', async () => {
    await signInAs('Bùi Thị Ngọc');
    const response = await page.goto(`${app.url}/analytics`);
    expect(response?.status()).toBe(403);
    await expect
      .poll(() => page.locator('main').textContent())
      .toMatch(/Chỉ quản trị viên, kiểm toán viên và trưởng phòng|Only admins, auditors and department managers/);
    expect((await page.goto(`${app.url}/analytics/analytics-check`))?.status()).toBe(403);
    await signOut();
  });

  it('shows the admin, in Vietnamese, each process’s counts and the overdue tasks per department', async () => {
    await signInAs('Ngô Quốc Bảo');
    await inLanguage('VI', 'Hộp công việc của tôi');
    await page.goto(`${app.url}/instances`);
    await page.locator('main a[href="/analytics"]').click();
    await page.waitForURL('**/analytics');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Phân tích quy trình');
    const row = page.locator('tr[data-process="analytics-check"]');
    expect(await row.locator('[data-count="started"]').textContent()).toBe('3');
    expect(await row.locator('.process-name').textContent()).toBe('Kiểm tra phân tích');
    const accounting = page.locator('tr[data-department="accounting"]');
    expect(await accounting.locator('.process-name').textContent()).toBe('Kế toán');
    expect(Number(await accounting.locator('[data-count="overdue"]').textContent())).toBeGreaterThanOrEqual(1);
    await shot('analytics-01-overview-vi');
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it('shows one process: the numbers, the waits as a table and as a heat map with a legend', async () => {
    await page.locator('tr[data-process="analytics-check"] a').click();
    await page.waitForURL('**/analytics/analytics-check');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Phân tích: Kiểm tra phân tích');
    expect(await page.locator('[data-stat="started"] dd').textContent()).toBe('3');
    expect(await page.locator('[data-stat="completed"] dd').textContent()).toBe('2');
    expect(await page.locator('[data-stat="running"] dd').textContent()).toBe('1');
    expect(await page.locator('[data-stat="cycle-p50"] dd').textContent()).toBe('18 giờ');
    const review = page.locator('tr[data-element="review"]');
    expect(await review.locator('.process-name').textContent()).toBe('Xem xét đề nghị');
    expect(await review.locator('[data-median]').textContent()).toBe('16 giờ');
    // The diagram: the review coloured by its median wait (8 hours to a day), the time as the badge's text and name.
    await page.locator('[data-testid="diagram-view"][data-ready="true"]').waitFor();
    const badge = page.locator('.trellis-badge-heat-2');
    await expect.poll(() => badge.count()).toBe(1);
    expect(await badge.textContent()).toBe('16 giờ');
    expect(await badge.getAttribute('aria-label')).toMatch(
      /^Xem xét đề nghị: chờ trung vị 16 giờ qua 2 lượt; 1 lượt đang chờ$/,
    );
    expect(await page.locator('.djs-element.trellis-heat-2').count()).toBe(1);
    expect(await page.locator('.heat-legend li').allTextContents()).toEqual([
      'dưới 1 giờ',
      'từ 1 đến 8 giờ',
      'từ 8 giờ đến 1 ngày',
      'từ 1 đến 3 ngày',
      'từ 3 ngày trở lên',
    ]);
    await shot('analytics-02-process-vi');
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it('picks a version with the keyboard through the GET form', async () => {
    await page.getByLabel('Phiên bản', { exact: true }).selectOption('1');
    await page.getByRole('button', { name: 'Xem', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/version=1/);
    expect(await page.locator('[data-stat="started"] dd').textContent()).toBe('3');
  });

  it('speaks English too', async () => {
    await inLanguage('EN', 'Analytics: Analytics check');
    expect(await page.locator('[data-stat="cycle-p50"] dd').textContent()).toBe('18 hours');
    expect(await page.locator('tr[data-element="review"] [data-median]').textContent()).toBe('16 hours');
    await page.locator('[data-testid="diagram-view"][data-ready="true"]').waitFor();
    await expect.poll(() => page.locator('.trellis-badge-heat-2').textContent()).toBe('16 hours');
    await shot('analytics-03-process-en');
    expect(await accessibilityProblems(page)).toEqual([]);
    await page.goto(`${app.url}/analytics`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Process analytics');
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it('fits a phone (390 px): no sideways scroll on the overview or the process', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${app.url}/analytics`);
      await expect.poll(() => page.locator('h1').textContent()).toBe('Process analytics');
      expect(await noSidewaysScroll()).toBe(true);
      await shot('analytics-04-overview-phone');
      await page.goto(`${app.url}/analytics/analytics-check`);
      await page.locator('[data-testid="diagram-view"][data-ready="true"]').waitFor();
      expect(await noSidewaysScroll()).toBe(true);
      await shot('analytics-05-process-phone');
      expect(await accessibilityProblems(page)).toEqual([]);
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });

  it('answers 404 for an unknown or hostile key, and ignores a version that is not a number', async () => {
    expect((await page.goto(`${app.url}/analytics/no-such-process`))?.status()).toBe(404);
    expect(
      (await page.goto(`${app.url}/analytics/${encodeURIComponent('<img src=x onerror=alert(1)>')}`))?.status(),
    ).toBe(404);
    expect(await page.locator('main img').count()).toBe(0);
    const response = await page.goto(`${app.url}/analytics/analytics-check?version=abc&startedFrom=yesterday`);
    expect(response?.status()).toBe(200);
    expect(await page.locator('[data-stat="started"] dd').textContent()).toBe('3');
    // A period that ends before it starts is said, and the last 90 days shown instead.
    await page.goto(`${app.url}/analytics/analytics-check?startedFrom=2026-03-02&startedTo=2026-03-01`);
    await expect
      .poll(() => page.locator('main [role="alert"]').textContent())
      .toContain('The period starts after it ends');
    expect(await page.locator('[data-stat="started"] dd').textContent()).toBe('3');
  });
});
