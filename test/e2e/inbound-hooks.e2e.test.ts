/**
 * In a real browser: staff see no Inbound webhooks link and the page refuses them (in both
 * languages). The admin, in Vietnamese, is told which field is wrong, then adds a hook with a
 * Vietnamese name for a message the company's process starts on (offered by the form), sees its
 * secret and address once — not after a reload — and a request signed with that secret (the
 * README's recipe) to that address starts the process. A new secret refuses the old one; a
 * deactivated hook refuses every request. The page is axe-clean in Vietnamese, in English and at
 * phone width. Screenshots land in test/e2e/screenshots.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { publishProcess } from '@/app/server/services/definitions';
import { accessibilityProblems } from './axe';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;

const HOOK_NAME = 'Ngân hàng Vietcombank báo có';

const { shot, signInAs, signOut } = appInBrowser({
  ready: (started) => {
    ({ app, page } = started);
    page.on('dialog', () => {
      throw new Error('a dialog opened: user text was run as markup');
    });
  },
  async prepare(db, tenantId) {
    await publishProcess(
      db,
      tenantId,
      {
        definition: {
          formatVersion: 1,
          key: 'bank-credit',
          version: 1,
          name: { en: 'Bank credit', vi: 'Báo có ngân hàng' },
          elements: [
            { id: 's', type: 'startEvent', event: { kind: 'message', name: 'bank-credit' } },
            { id: 'reconcile', type: 'userTask', formKey: 'reconcile', candidateGroups: ['accounting'] },
            { id: 'e', type: 'endEvent' },
          ],
          flows: [
            { id: 'f1', source: 's', target: 'reconcile' },
            { id: 'f2', source: 'reconcile', target: 'e' },
          ],
        },
        forms: [{ key: 'reconcile', version: 1, title: 'Đối chiếu', schema: { type: 'object', properties: {} } }],
      },
      null,
    );
  },
});

/** A POST to `address` signed with `secret`, as the README shows. */
async function deliver(address: string, secret: string, body: object) {
  const raw = JSON.stringify(body);
  const timestamp = Math.floor(Date.now() / 1000);
  const delivery = randomUUID();
  const res = await fetch(address, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-trellis-timestamp': String(timestamp),
      'x-trellis-delivery': delivery,
      'x-trellis-signature': `sha256=${createHmac('sha256', secret).update(`${delivery}.${timestamp}.${raw}`).digest('hex')}`,
    },
    body: raw,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const card = () => page.locator('li.inbound-hook');

describe('inbound webhooks in the browser', () => {
  it('are not in the navigation of staff, and their page refuses them in their language', async () => {
    await signInAs('Bùi Thị Ngọc');
    expect(await page.locator('a[href="/admin/inbound-hooks"]').count()).toBe(0);
    await page.goto(`${app.url}/admin/inbound-hooks`);
    await expect
      .poll(() => page.locator('.notice.error').textContent())
      .toBe('Only an admin may manage inbound webhooks.');
    await page.getByRole('button', { name: 'VI', exact: true }).click();
    await expect
      .poll(() => page.locator('.notice.error').textContent())
      .toBe('Chỉ quản trị viên mới được quản lý webhook nhận vào.');
    expect(await page.locator('#inbound-name').count()).toBe(0);
    await signOut();
  });

  let secret = '';
  let address = '';

  it('the admin, in Vietnamese, is told which field is wrong, then adds a hook and sees its secret once', async () => {
    await signInAs('Ngô Quốc Bảo');
    await page.getByRole('link', { name: 'Webhook nhận vào', exact: true }).click();
    await page.waitForURL('**/admin/inbound-hooks');
    await page.waitForLoadState('networkidle');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Webhook nhận vào');
    expect(await page.locator('.panel.muted').textContent()).toBe('Chưa có webhook nhận vào nào.');

    // nothing filled in: each required field says so
    await page.getByRole('button', { name: 'Thêm webhook nhận vào', exact: true }).click();
    await expect.poll(() => page.locator('[data-field="name"]').textContent()).toBe('Tên: Hãy điền mục này.');
    expect(await page.locator('[data-field="messageName"]').textContent()).toBe(
      'Thông điệp được gửi: Hãy điền mục này.',
    );

    // the server refuses a bad expression and tolerance, beside their fields, in Vietnamese
    await page.getByLabel('Tên', { exact: true }).fill(HOOK_NAME);
    await page.getByRole('button', { name: 'bank-credit', exact: true }).click();
    expect(await page.getByLabel('Thông điệp được gửi').inputValue()).toBe('bank-credit');
    await page.getByLabel('Khóa tương quan (không bắt buộc)').fill('giao_dich.(');
    await page.getByLabel('Độ lệch thời gian cho phép (giây)').fill('5');
    await page.getByRole('button', { name: 'Thêm webhook nhận vào', exact: true }).click();
    await expect
      .poll(() => page.locator('[data-field="toleranceSeconds"]').textContent())
      .toBe(
        'Độ lệch thời gian cho phép (giây): Độ lệch cho phép là một số nguyên giây từ 30 đến 3600; 5 không hợp lệ.',
      );
    expect(await page.locator('[data-field="correlationKey"]').textContent()).toMatch(
      /^Khóa tương quan \(không bắt buộc\): Không dùng được biểu thức khóa tương quan “giao_dich.\(”/,
    );
    expect(await page.getByLabel('Độ lệch thời gian cho phép (giây)').getAttribute('aria-invalid')).toBe('true');
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot('inbound-hooks-01-refused-vi');

    // fixed: added, the secret and the address shown once
    await page.getByLabel('Khóa tương quan (không bắt buộc)').fill('');
    await page.getByLabel('Độ lệch thời gian cho phép (giây)').fill('300');
    await page.getByRole('button', { name: 'Thêm webhook nhận vào', exact: true }).click();
    const panel = page.getByTestId('inbound-secret-panel');
    await expect.poll(() => panel.count()).toBe(1);
    secret = (await page.getByTestId('inbound-secret').textContent())!;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    address = (await page.getByTestId('inbound-secret-address').textContent())!;
    expect(address).toMatch(new RegExp(`^${app.url.replace(/[.]/g, '\\.')}/api/v1/hooks/[0-9a-f-]{36}$`));
    expect(await panel.locator('h2').textContent()).toBe(`Khóa ký của “${HOOK_NAME}”`);
    const told = (await panel.textContent())!;
    for (const header of ['X-Trellis-Timestamp', 'X-Trellis-Signature', 'X-Trellis-Delivery'])
      expect(told).toContain(header);
    expect(await page.locator('[data-field]').count()).toBe(0);
    await expect.poll(() => card().count()).toBe(1);
    expect(await card().locator('h2').textContent()).toBe(HOOK_NAME);
    expect(await card().getByTestId('inbound-state').textContent()).toBe('Đang hoạt động');
    expect(await card().getByTestId('inbound-address').textContent()).toBe(address);
    expect(await card().getByTestId('inbound-last-delivery').textContent()).toBe('Chưa có');
    await page.waitForLoadState('networkidle');
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot('inbound-hooks-02-secret-once-vi');

    // shown once: a reload has no trace of it
    await page.reload();
    await page.waitForLoadState('networkidle');
    await expect.poll(() => card().count()).toBe(1);
    expect(await page.getByTestId('inbound-secret-panel').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
  });

  it('a request signed with that secret, to that address, starts the process; the page shows the delivery', async () => {
    const sent = await deliver(address, secret, { amount: 25_000_000, bankRef: 'VCB-778812' });
    expect(sent).toEqual({ status: 200, body: { correlated: 'started', instanceId: expect.any(String) } });
    expect((await deliver(address, '0'.repeat(64), { amount: 1 })).status).toBe(401);
    await page.reload();
    await page.waitForLoadState('networkidle');
    expect(await card().getByTestId('inbound-last-delivery').textContent()).toMatch(/\d{4}/);
  });

  it('reads in English, and at phone width', async () => {
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Inbound webhooks');
    expect(await card().getByTestId('inbound-state').textContent()).toBe('Active');
    await page.waitForLoadState('networkidle');
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot('inbound-hooks-03-list-en');

    await page.setViewportSize({ width: 390, height: 844 });
    await page.getByRole('button', { name: 'VI', exact: true }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('Webhook nhận vào');
    await page.waitForLoadState('networkidle');
    // nothing wider than the phone: the page does not scroll sideways
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await accessibilityProblems(page)).toEqual([]);
    await shot('inbound-hooks-04-phone-vi');
  });

  it('a new secret refuses the old one; a deactivated hook refuses every request', async () => {
    await card().getByRole('button', { name: 'Tạo khóa mới', exact: true }).click();
    await card().getByRole('button', { name: 'Đồng ý, tạo khóa mới', exact: true }).click();
    await expect.poll(() => page.getByTestId('inbound-secret').count()).toBe(1);
    const rotated = (await page.getByTestId('inbound-secret').textContent())!;
    expect(rotated).not.toBe(secret);
    expect(await page.getByTestId('inbound-secret-panel').textContent()).toContain('Khóa cũ không còn dùng được');
    await page.waitForLoadState('networkidle');
    await shot('inbound-hooks-05-new-secret-phone-vi');
    expect((await deliver(address, secret, { amount: 1 })).status).toBe(401);
    expect((await deliver(address, rotated, { amount: 1 })).status).toBe(200);
    await page.getByRole('button', { name: 'Tôi đã lưu khóa', exact: true }).click();

    await card().getByRole('button', { name: 'Vô hiệu hóa', exact: true }).click();
    expect(await card().locator('.confirm').textContent()).toContain(`Vô hiệu hóa “${HOOK_NAME}”?`);
    await card().getByRole('button', { name: 'Đồng ý, vô hiệu hóa', exact: true }).click();
    await expect.poll(() => card().getByTestId('inbound-state').textContent()).toBe('Đã vô hiệu hóa');
    expect(await card().getByTestId('inbound-address').count()).toBe(0);
    expect((await deliver(address, rotated, { amount: 1 })).status).toBe(401);
    await page.setViewportSize({ width: 1280, height: 900 });
  });
});
