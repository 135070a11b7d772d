/**
 * In a real browser: staff see no API keys link and the page refuses them with HTTP 403 (in both
 * languages). The admin, in Vietnamese, sends the form empty and is told beside each field what
 * is missing (in the field's description, with one alert for the form and the focus on the first
 * field); then creates "Kết nối ERP kế toán" that may start invoice approval and read instances,
 * and sees its token once — in a read-only field with a copy button and a warning, and not after a
 * reload. The token works against the REST API at once (an instance started with it and read back;
 * an unknown instance is 404, not 401), and the list shows the key used. Revoking asks first, in a
 * row under the key's, naming the key's prefix as the list does; revoked, the focus is on the row's
 * status, the live region says so, and the same token is refused with 401. The page reads in
 * English too, fits a phone (390 px) without sideways scrolling, shows a key named with markup as
 * text (no dialog opens), and axe finds no serious problem. Screenshots land in
 * test/e2e/screenshots (api-keys-*).
 */
import { randomUUID } from 'node:crypto';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { accessibilityProblems } from './axe';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;
/** Every dialog the page opened (dismissed at once): user text run as markup would open one. */
const dialogs: string[] = [];

const { shot, signInAs, signOut } = appInBrowser({
  ready: (started) => {
    ({ app, page } = started);
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  },
});

const KEY_NAME = 'Kết nối ERP kế toán';
/** A name that is markup: shown as text, it loads no image and runs no handler. */
const MARKUP_NAME = 'Kho dữ liệu <img src=x onerror=alert(1)>';
const TOKEN = /^trk_[0-9a-f]{8}_[A-Za-z0-9_-]{43}$/;

const row = () => page.locator('tr[data-apikey]');
const noSidewaysScroll = () => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1);

/** A REST API call with the token as its bearer, as an outside system makes it. */
async function api(token: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${app.url}/api/v1${path}`, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('API keys in the browser', () => {
  it('are not in the navigation of staff, and their page refuses them with 403 in their language', async () => {
    await signInAs('Bùi Thị Ngọc');
    expect(await page.locator('a[href="/admin/api-keys"]').count()).toBe(0);
    const response = await page.goto(`${app.url}/admin/api-keys`);
    expect(response?.status()).toBe(403);
    await expect.poll(() => page.locator('.notice.error').textContent()).toBe('Only an admin may manage API keys.');
    expect(await page.locator('#apikey-name').count()).toBe(0);
    await page.getByRole('button', { name: 'VI', exact: true }).click();
    await expect
      .poll(() => page.locator('.notice.error').textContent())
      .toBe('Chỉ quản trị viên mới được quản lý khóa API.');
    await shot('api-keys-01-staff-refused-vi');
    await signOut();
  });

  let token = '';

  it('the admin, in Vietnamese, is told beside each field what is missing, then creates a key and sees its token once', async () => {
    await signInAs('Ngô Quốc Bảo');
    await page.getByRole('link', { name: 'Khóa API', exact: true }).click();
    await page.waitForURL('**/admin/api-keys');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Khóa API');
    await page.waitForLoadState('networkidle');
    expect(await page.locator('.panel.muted').textContent()).toBe('Chưa có khóa API nào.');

    // nothing filled in: the name and the rights say what they need, and the name takes the focus
    await page.getByRole('button', { name: 'Tạo khóa', exact: true }).click();
    await expect
      .poll(() => page.locator('[data-field="name"]').textContent())
      .toBe('Tên: Hãy đặt tên cho khóa, nói rõ hệ thống nào dùng nó, ví dụ "Kết nối ERP kế toán".');
    expect(await page.locator('[data-field="scopes"]').textContent()).toContain('Khóa này sẽ không có quyền nào');
    expect(await page.locator('[data-field="expiresInDays"]').count()).toBe(0);
    expect(await page.getByLabel('Tên', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Tên', { exact: true }).getAttribute('aria-describedby')).toContain(
      'apikey-name-error',
    );
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('apikey-name');
    // each refusal is its field's description, not an alert of its own: the form says it once
    expect(await page.locator('[data-field][role]').count()).toBe(0);
    const alerts = page.locator('form.apikey-form [role="alert"]');
    expect(await alerts.count()).toBe(1);
    expect(await alerts.textContent()).toBe('Một số trường cần sửa: xem thông báo bên cạnh từng trường.');
    await shot('api-keys-02-field-errors-vi');
    expect(await accessibilityProblems(page)).toEqual([]);

    // a wildcard job type is refused beside its list, naming the entry
    await page.getByLabel('Tên', { exact: true }).fill(KEY_NAME);
    await page.getByLabel('Loại công việc được xử lý').fill('*');
    await page.getByRole('button', { name: 'Tạo khóa', exact: true }).click();
    await expect.poll(() => page.locator('[data-field="scopes.jobTypes"]').count()).toBe(1);
    expect(await page.locator('[data-field="scopes.jobTypes"]').textContent()).toContain('mục 1 ("*") chứa "*"');
    expect(await page.locator('[data-field="name"]').count()).toBe(0);

    // the key: may start invoice approval and read instances, valid for 90 days (the default)
    await page.getByLabel('Loại công việc được xử lý').fill('');
    expect(await page.getByLabel('Hiệu lực (ngày)').inputValue()).toBe('90');
    await page.getByRole('checkbox', { name: /Phê duyệt hóa đơn/ }).check();
    await page.getByRole('checkbox', { name: 'Xem phiên quy trình' }).check();
    await page.getByRole('button', { name: 'Tạo khóa', exact: true }).click();
    const panel = page.getByTestId('apikey-token-panel');
    await expect.poll(() => panel.count()).toBe(1);
    const field = page.getByRole('textbox', { name: 'Mã khóa', exact: true });
    token = await field.inputValue();
    expect(token).toMatch(TOKEN);
    expect(await field.getAttribute('readonly')).not.toBeNull();
    expect(await panel.locator('h3').textContent()).toBe(`Mã khóa của “${KEY_NAME}”`);
    expect(await panel.textContent()).toContain('Mã chỉ hiển thị một lần này và sẽ không hiển thị lại');
    expect(await page.locator('[data-field]').count()).toBe(0);

    // the copy button puts the token on the clipboard
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
    expect(await panel.getByRole('status').textContent()).toBe('');
    await panel.getByRole('button', { name: 'Sao chép mã khóa', exact: true }).click();
    await expect.poll(() => panel.getByRole('status').textContent()).toBe('Đã sao chép.');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(token);

    // the list shows it: its name with diacritics as text, its prefix, its rights, active, never used
    await expect.poll(() => row().count()).toBe(1);
    expect(await row().locator('.apikey-name').textContent()).toBe(KEY_NAME);
    expect(await row().locator('.prefix code').textContent()).toBe(`trk_${token.slice(4, 12)}_…`);
    expect(await row().locator('td.rights').textContent()).toContain('Phê duyệt hóa đơn');
    expect(await row().locator('td.rights').textContent()).toContain('Xem phiên quy trình');
    expect(await row().getByTestId('apikey-status').textContent()).toBe('Đang hoạt động');
    expect(await row().textContent()).toContain('do Ngô Quốc Bảo tạo');
    expect(await page.locator('thead th').last().textContent()).toBe('Thao tác');
    expect(await row().textContent()).toContain('Chưa dùng');
    await shot('api-keys-03-token-once-vi');
    expect(await accessibilityProblems(page)).toEqual([]);

    // shown once: a reload has no trace of it
    await page.reload();
    await page.waitForLoadState('networkidle');
    await expect.poll(() => row().count()).toBe(1);
    expect(await page.getByTestId('apikey-token-panel').count()).toBe(0);
    expect(await page.content()).not.toContain(token.slice(13));
  });

  it('the token works against the REST API at once, and the list shows it used', async () => {
    // an unknown instance is not found (the key is accepted), not unauthorized
    expect((await api(token, `/instances/${randomUUID()}`)).status).toBe(404);
    // it starts what its scope names, and reads it back
    const started = await api(token, '/instances', {
      method: 'POST',
      body: JSON.stringify({
        definitionKey: 'invoice-approval',
        variables: {
          vendor: 'Công ty TNHH Thương mại Hòa Bình',
          invoiceNumber: `HD-${randomUUID().slice(0, 8)}`,
          amount: 12_000_000,
          category: 'office-supplies',
          dueDate: '2026-12-15',
        },
      }),
    });
    expect(started.status).toBe(201);
    expect((await api(token, `/instances/${String(started.body.id)}`)).status).toBe(200);
    // but nothing it was not given
    expect(
      (await api(token, '/instances', { method: 'POST', body: JSON.stringify({ definitionKey: 'leave-application' }) }))
        .status,
    ).toBe(403);

    await page.reload();
    await page.waitForLoadState('networkidle');
    expect(await row().textContent()).not.toContain('Chưa dùng');
    expect(await row().locator('td').nth(5).textContent()).toMatch(/\d{4}/);
  });

  it('revoking asks first; revoked, the token is refused with 401', async () => {
    await row()
      .getByRole('button', { name: `Thu hồi “${KEY_NAME}”`, exact: true })
      .click();
    const confirm = page.getByRole('group', { name: `Thu hồi “${KEY_NAME}”` });
    expect(await confirm.textContent()).toContain(`Thu hồi khóa “${KEY_NAME}” (trk_${token.slice(4, 12)}_…)?`);
    // the question takes the focus on its safe answer
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Hủy bỏ');
    await shot('api-keys-04-revoke-confirm-vi');
    await confirm.getByRole('button', { name: 'Hủy bỏ', exact: true }).click();
    expect(await row().getByTestId('apikey-status').textContent()).toBe('Đang hoạt động');
    expect((await api(token, `/instances/${randomUUID()}`)).status).toBe(404);

    await row()
      .getByRole('button', { name: `Thu hồi “${KEY_NAME}”`, exact: true })
      .click();
    await page.getByRole('button', { name: 'Đồng ý thu hồi', exact: true }).click();
    await expect.poll(() => row().getByTestId('apikey-status').textContent()).toBe('Đã thu hồi');
    // the focus is on the row's status, not lost to the page, and the live region says what happened
    const keyId = await row().getAttribute('data-apikey');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(`apikey-status-${keyId}`);
    expect(await row().getByRole('status').textContent()).toBe('Đã thu hồi khóa.');
    expect(
      await row()
        .getByRole('button', { name: /Thu hồi/ })
        .count(),
    ).toBe(0);
    const refused = await api(token, `/instances/${randomUUID()}`);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('UNAUTHORIZED');
    await page.waitForLoadState('networkidle');
    await shot('api-keys-05-revoked-vi');
  });

  it('the page reads in English too, and axe finds nothing', async () => {
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await expect.poll(() => page.locator('h1').textContent()).toBe('API keys');
    expect(await row().getByTestId('apikey-status').textContent()).toBe('Revoked');
    expect(await row().locator('.apikey-name').textContent()).toBe(KEY_NAME);
    expect(await row().locator('td.rights').textContent()).toContain('Invoice approval');
    expect(await page.getByRole('link', { name: 'API keys', exact: true }).count()).toBe(1);
    await page.waitForLoadState('networkidle');
    await shot('api-keys-06-list-en');
    expect(await accessibilityProblems(page)).toEqual([]);
  });

  it('fits a phone (390 px): no sideways scroll, the token field included', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    try {
      await page.reload();
      await page.waitForLoadState('networkidle');
      expect(await noSidewaysScroll()).toBe(true);
      await shot('api-keys-07-phone-en');
      // a second key, named with markup, to see its token at phone width
      await page.getByLabel('Name', { exact: true }).fill(MARKUP_NAME);
      await page.getByLabel('Task types it may work on').fill('erp.create-payment\nerp.sync-vendors');
      await page.getByRole('button', { name: 'Create key', exact: true }).click();
      await expect.poll(() => page.getByTestId('apikey-token-panel').count()).toBe(1);
      expect(await page.getByRole('textbox', { name: 'Token', exact: true }).inputValue()).toMatch(TOKEN);
      // the list has the new key too (newest first) before the page is photographed
      await expect.poll(() => row().count()).toBe(2);
      expect(await row().first().locator('.apikey-name').textContent()).toBe(MARKUP_NAME);
      expect(await page.getByTestId('apikey-token-panel').locator('h3').textContent()).toBe(
        `Token for “${MARKUP_NAME}”`,
      );
      expect(await page.locator('main img').count()).toBe(0);
      expect(await row().first().locator('td.rights').textContent()).toContain('erp.create-payment, erp.sync-vendors');
      await page.waitForLoadState('networkidle');
      expect(await noSidewaysScroll()).toBe(true);
      await shot('api-keys-08-token-phone-en');
      expect(await accessibilityProblems(page)).toEqual([]);
      expect(dialogs).toEqual([]);

      // the revoke question under the key's card; Escape closes it and gives the focus back
      const revokeMarkup = row()
        .first()
        .getByRole('button', { name: `Revoke “${MARKUP_NAME}”`, exact: true });
      await revokeMarkup.click();
      const question = page.getByRole('group', { name: `Revoke “${MARKUP_NAME}”` });
      expect(await question.textContent()).toContain(`Revoke the key “${MARKUP_NAME}” (trk_`);
      expect(await noSidewaysScroll()).toBe(true);
      await shot('api-keys-09-revoke-phone-en');
      await page.keyboard.press('Escape');
      expect(await question.count()).toBe(0);
      expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(
        `Revoke “${MARKUP_NAME}”`,
      );
    } finally {
      await page.setViewportSize({ width: 1280, height: 900 });
    }
  });
});
