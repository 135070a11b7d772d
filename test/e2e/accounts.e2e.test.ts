/**
 * In a real browser: a new person signs up with a Vietnamese name and creates their company,
 * lands in its (empty) inbox as its admin, signs out, is refused with a wrong password (the
 * error shown on the page, what they typed kept), and signs in again with the right one.
 */
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;
const { shot, signOut, submitSignUp, submitSignIn } = appInBrowser({ ready: (started) => ({ app, page } = started) });
const EMAIL = 'thao.trinh@hoasen.example';
const PASSWORD = 'Mật khẩu của Thảo 2026';

describe('accounts in the browser', () => {
  it('signs up with a Vietnamese name and creates a company', async () => {
    await page.goto(`${app.url}/sign-in`);
    await shot('accounts-01-sign-in');
    await page.getByRole('link', { name: 'No account yet? Create one' }).click();
    await page.waitForURL('**/sign-up');
    // A field left wrong is named, and nothing is created.
    await submitSignUp({
      name: 'Trịnh Thị Phương Thảo',
      email: EMAIL,
      password: 'ngắn',
      company: 'Công ty TNHH Hoa Sen Đỏ',
    });
    await expect
      .poll(() => page.locator('#account-password-error').textContent())
      .toBe('The password must be at least 8 characters.');
    expect(await page.locator('#account-name').inputValue()).toBe('Trịnh Thị Phương Thảo');
    await shot('accounts-02-sign-up-error');

    await submitSignUp({ password: PASSWORD });
    // A new company's admin is offered the template library first.
    await page.waitForURL('**/templates?welcome=1');
    await page.getByTestId('templates-welcome').waitFor();
    await expect
      .poll(() => page.locator('.who').textContent())
      .toContain('Trịnh Thị Phương Thảo · Công ty TNHH Hoa Sen Đỏ');
    // The creator is the company's admin.
    expect(await page.getByRole('link', { name: 'Email outbox' }).count()).toBe(1);
    await shot('accounts-03-new-company-welcome');
  });

  it('signs out, is refused with a wrong password, and signs in again', async () => {
    await signOut();
    await submitSignIn(EMAIL, 'not my password');
    await expect.poll(() => page.getByRole('alert').first().textContent()).toBe('Wrong email or password.');
    expect(await page.locator('#account-email').inputValue()).toBe(EMAIL);
    expect(page.url()).toContain('/sign-in');
    await shot('accounts-04-wrong-password');

    await submitSignIn(EMAIL, PASSWORD);
    await page.waitForURL('**/inbox');
    await expect
      .poll(() => page.locator('.who').textContent())
      .toContain('Trịnh Thị Phương Thảo · Công ty TNHH Hoa Sen Đỏ');
  });

  it('shows the account pages in Vietnamese', async () => {
    await signOut();
    await page.getByRole('button', { name: 'VI', exact: true }).click();
    await page.waitForLoadState('networkidle');
    await page.goto(`${app.url}/sign-up`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Tạo tài khoản');
    await shot('accounts-05-sign-up-vi');
    await page.goto(`${app.url}/forgot-password`);
    await page.locator('#account-email').fill(EMAIL);
    await page.getByRole('button', { name: 'Gửi liên kết' }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toContain(EMAIL);
    await shot('accounts-06-forgot-vi');
  });
});
