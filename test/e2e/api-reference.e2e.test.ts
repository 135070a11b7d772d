/**
 * In a real browser, signed out: the REST API's reference (/developers/api) answers 200 with its
 * title, one h1 and headings in order, a named table of contents, and every operation of the
 * document the API serves (/api/v1/openapi.json, linked from the page) — its id, method and path —
 * with StartInstanceRequest's `definitionKey` marked required. It switches to Vietnamese (the
 * page's words; the document's stay English, as the page says), fits a phone (390 px) without
 * sideways scrolling, refusals opened included, and axe finds no serious problem. Screenshots land
 * in test/e2e/screenshots (api-reference-*).
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { accessibilityProblems } from './axe';
import { appInBrowser, SCREENSHOTS, type App } from './harness';

let app: App;
let page: Page;

appInBrowser({ ready: (started) => ({ app, page } = started) });

/** The page is long: a screenshot of what the window shows (a full-page one would be tens of thousands of pixels). */
const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
const noSidewaysScroll = () =>
  page.evaluate(() => document.documentElement.scrollWidth <= document.documentElement.clientWidth);
const openRefusals = () => page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
const scrollTo = (selector: string) => page.locator(selector).evaluate((e) => e.scrollIntoView());

/** The operations of the document the API serves: what the page must show. */
async function servedOperations() {
  const res = await fetch(`${app.url}/api/v1/openapi.json`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as {
    servers: { url: string }[];
    paths: Record<string, Record<string, { operationId: string }>>;
  };
  return Object.entries(doc.paths).flatMap(([p, item]) =>
    Object.entries(item).map(([method, op]) => ({ id: op.operationId, method, path: `${doc.servers[0]!.url}${p}` })),
  );
}

describe('the API reference in the browser', () => {
  it('shows every operation of the served document to a signed-out visitor, in English', async () => {
    const response = await page.goto(`${app.url}/developers/api`);
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(`${app.url}/developers/api`); // not sent to sign in
    expect(await page.locator('h1').allTextContents()).toEqual(['API reference']);
    await expect.poll(() => page.title()).toBe('API reference · Trellis');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');

    // headings never skip a level; the table of contents is a named navigation landmark
    const levels = await page
      .locator('main :is(h1, h2, h3, h4, h5, h6)')
      .evaluateAll((hs) => hs.map((h) => Number(h.tagName[1])));
    expect(levels[0]).toBe(1);
    levels.forEach((level, i) => expect(level - (levels[i - 1] ?? 0)).toBeLessThanOrEqual(1));
    const toc = page.getByRole('navigation', { name: 'Contents', exact: true });
    expect(await toc.count()).toBe(1);

    const operations = await servedOperations();
    expect(operations.length).toBeGreaterThan(10);
    for (const op of operations) {
      const article = page.locator(`article[data-operation="${op.id}"]`);
      expect(await article.count(), op.id).toBe(1);
      expect(await article.locator('code.api-path').textContent()).toBe(op.path);
      expect(await article.locator('.api-method').textContent()).toBe(op.method.toUpperCase());
      expect(await article.locator('.api-facts code').first().textContent()).toBe(op.id);
      expect(await toc.locator(`a[href="#op-${op.id}"]`).count(), op.id).toBe(1);
    }

    const definitionKey = page
      .locator('article[data-operation="startInstance"] li[data-field="definitionKey"]')
      .first();
    expect(await definitionKey.locator('.api-required').textContent()).toBe('Required');
    expect(await definitionKey.textContent()).toContain('The key of the process to start');
    expect(await page.locator('article[data-operation="startInstance"] .api-refusals summary').textContent()).toContain(
      '401',
    );

    // the raw document is linked
    expect(await page.locator('main a[href="/api/v1/openapi.json"]').count()).toBe(1);

    // a link of the table of contents goes to its operation
    await toc.locator('a[href="#op-getInstance"]').click();
    await expect.poll(() => page.evaluate(() => location.hash)).toBe('#op-getInstance');

    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('api-reference-01-top-en');
    await scrollTo('article[data-operation="startInstance"]');
    await shot('api-reference-02-start-instance-en');
    expect(await accessibilityProblems(page)).toEqual([]);
    await openRefusals();
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it('reads in Vietnamese, saying that the API’s descriptions are English', async () => {
    await page.goto(`${app.url}/developers/api`);
    await page.getByRole('button', { name: 'VI', exact: true }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Tài liệu API');
    expect(await page.getByRole('button', { name: 'VI', exact: true }).getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByRole('button', { name: 'EN', exact: true }).getAttribute('aria-pressed')).toBe('false');
    expect(await page.locator('html').getAttribute('lang')).toBe('vi');
    await expect.poll(() => page.title()).toBe('Tài liệu API · Trellis');
    expect(await page.locator('main').textContent()).toContain('Mô tả API bằng tiếng Anh.');
    expect(await page.getByRole('navigation', { name: 'Mục lục', exact: true }).count()).toBe(1);
    const start = page.locator('article[data-operation="startInstance"]');
    expect(await start.locator('h4').allTextContents()).toEqual(['Tham số', 'Thân yêu cầu', 'Trả lời']);
    expect(await start.locator('li[data-field="definitionKey"] .api-required').first().textContent()).toBe('Bắt buộc');
    // the document's own text stays English, marked as such
    expect(await start.locator('h3 span[lang="en"]').textContent()).toBe('Start a process instance');

    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('api-reference-03-top-vi');
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it('fits a phone (390 px): long paths and field trees wrap, the page never scrolls sideways', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.goto(`${app.url}/developers/api`);
      await page.waitForLoadState('networkidle');
      expect(await noSidewaysScroll()).toBe(true);
      await shot('api-reference-04-phone-vi');
      await openRefusals();
      expect(await noSidewaysScroll()).toBe(true);
      await scrollTo('article[data-operation="receiveInboundWebhook"]');
      await shot('api-reference-05-phone-hook-vi');
      await scrollTo('article[data-operation="fetchAndLockJobs"] .api-answer');
      await shot('api-reference-06-phone-answer-vi');
      expect(await accessibilityProblems(page)).toEqual([]);

      await page.getByRole('button', { name: 'EN', exact: true }).click();
      await expect.poll(() => page.locator('h1').textContent()).toBe('API reference');
      expect(await noSidewaysScroll()).toBe(true);
      await shot('api-reference-07-phone-en');
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });
});
