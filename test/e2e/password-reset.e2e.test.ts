/**
 * In a real browser: a person who forgot their password asks for a link on the forgot-password
 * page; the email is in the outbox, belonging to no company, in the person's language; its link
 * opens the (Vietnamese) reset page, where a too-short password is refused under the field and a
 * good one is saved. The new password signs in, the old one no longer does, and the link does
 * not work a second time: reopened, it says so before any form.
 */
import { sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { emailOutbox } from '@/db/schema';
import { DEMO_PASSWORD } from '@/app/server/seed';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;
let resetLink = '';

const PERSON = { name: 'Trần Văn Hùng', email: 'hung.tran@senvang.example' };
const NEW_PASSWORD = 'Mật khẩu mới của Hùng 2026';

const { shot, signOut, submitSignIn } = appInBrowser({ ready: (started) => ({ app, page } = started) });

describe('resetting a forgotten password', () => {
  it('asks for a link on the forgot-password page', async () => {
    await page.goto(`${app.url}/sign-in`);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL('**/forgot-password');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Reset your password');
    await page.locator('#account-email').fill(PERSON.email);
    await page.getByRole('button', { name: 'Send the link' }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toBe(`If an account uses ${PERSON.email}, a link to reset its password is on its way.`);
    await shot('password-reset-01-forgot-sent');
  });

  it('the email is in the outbox, for no company, in the person’s language, with the link', async () => {
    const mails = await app.withDatabase((db) =>
      db
        .select({
          tenantId: emailOutbox.tenantId,
          subject: emailOutbox.subject,
          body: emailOutbox.body,
          status: emailOutbox.status,
        })
        .from(emailOutbox)
        .where(sql`${emailOutbox.to} @> ${JSON.stringify([PERSON.email])}::jsonb`),
    );
    expect(mails).toHaveLength(1);
    const mail = mails[0]!;
    expect(mail.tenantId).toBeNull();
    expect(mail.status).toBe('outbox');
    // Demo people read Vietnamese.
    expect(mail.subject).toBe('Đặt lại mật khẩu Trellis');
    expect(mail.body).toContain(`Chào ${PERSON.name},`);
    const link = new RegExp(`${app.url.replace(/[.:/]/g, '\\$&')}/reset-password\\?token=[\\w%-]+`).exec(mail.body);
    expect(link, mail.body).not.toBeNull();
    resetLink = link![0];
  });

  it('opens the link in Vietnamese; a too-short password is refused under its field, a good one is saved', async () => {
    await page.getByRole('button', { name: 'VI', exact: true }).click();
    await page.waitForLoadState('networkidle');
    await page.goto(resetLink);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Chọn mật khẩu mới');
    expect(await page.locator('label[for="account-password"]').textContent()).toBe('Mật khẩu mới');
    await page.locator('#account-password').fill('ngắn');
    await page.getByRole('button', { name: 'Lưu mật khẩu mới' }).click();
    await expect
      .poll(() => page.locator('#account-password-error').textContent())
      .toBe('Mật khẩu phải có ít nhất 8 ký tự.');
    expect(await page.locator('#account-password').getAttribute('aria-describedby')).toBe('account-password-error');
    await shot('password-reset-02-too-short-vi');

    await page.locator('#account-password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Lưu mật khẩu mới' }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toBe('Mật khẩu đã được đổi và các phiên đăng nhập khác đã bị đăng xuất. Hãy đăng nhập bằng mật khẩu mới.');
    await shot('password-reset-03-saved-vi');
  });

  it('the old password is refused, the new one signs in', async () => {
    await page.getByRole('link', { name: 'Đăng nhập' }).click();
    await page.waitForURL('**/sign-in');
    await submitSignIn(PERSON.email, DEMO_PASSWORD);
    await expect.poll(() => page.getByRole('alert').first().textContent()).toBe('Sai email hoặc mật khẩu.');
    expect(page.url()).toContain('/sign-in');
    await shot('password-reset-04-old-password-refused-vi');

    await submitSignIn(PERSON.email, NEW_PASSWORD);
    await page.waitForURL('**/inbox');
    await expect.poll(() => page.locator('.who').textContent()).toContain(`${PERSON.name} · Công ty Cổ phần Sen Vàng`);
  });

  it('the link works once', async () => {
    await signOut();
    // Reopened, the used link says so at once (no form to fill in vain), with a way to ask again.
    await page.goto(resetLink);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Liên kết này đã được dùng hoặc đã hết hạn');
    expect(await page.locator('#account-password').count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Lưu mật khẩu mới' }).count()).toBe(0);
    await shot('password-reset-05-link-used-vi');
    // A made-up token gets the same page.
    await page.goto(`${app.url}/reset-password?token=khong-co-that`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Liên kết này đã được dùng hoặc đã hết hạn');
    await page.getByRole('link', { name: 'Yêu cầu liên kết mới' }).click();
    await page.waitForURL('**/forgot-password');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Đặt lại mật khẩu');
    // Nothing changed: the password saved through the link still signs in.
    await page.goto(`${app.url}/sign-in`);
    await submitSignIn(PERSON.email, NEW_PASSWORD);
    await page.waitForURL('**/inbox');
  });
});
