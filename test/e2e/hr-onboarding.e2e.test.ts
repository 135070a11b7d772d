/**
 * Issue 18's second "done when", in Chromium, once in Vietnamese and once in English: a company
 * signed up a minute ago lands on the template library, opens the HR pack, maps the pack's "hr" to
 * a department of its own and creates the others in the same step, publishes at once, and starts
 * employee onboarding for a new hire. HR checks the paperwork; then the parallel preparations
 * arrive in the right departments' inboxes — IT's accounts and laptop for its IT person, payroll for
 * its accountant, the buddy for HR — and in nobody else's. Screenshots land in test/e2e/screenshots.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { accounts, groupMembers, groups, memberships, tenants, users } from '@/db/schema';
import { hashPassword } from '@/app/server/passwords';
import { call, signIn } from './api-client';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;

const PASSWORD = 'Mật khẩu nhân sự 2026';
type Locale = 'en' | 'vi';
type Text = Record<Locale, string>;

/** The onboarding template as the library ships it: its task names, read rather than copied. */
const onboarding = JSON.parse(
  readFileSync(path.join(process.cwd(), 'definitions', 'hr', 'employee-onboarding', 'process.json'), 'utf8'),
) as { name: Text; elements: { id: string; name?: Text }[] };
const taskName = (id: string, locale: Locale) => onboarding.elements.find((e) => e.id === id)!.name![locale];

interface Person {
  name: string;
  email: string;
}
interface Company {
  locale: Locale;
  name: string;
  admin: Person;
  hr: Person;
  it: Person;
  accountant: Person;
  hire: string;
}

const COMPANIES: Company[] = [
  {
    locale: 'vi',
    name: 'Công ty TNHH Sao Mai',
    admin: { name: 'Võ Thị Hạnh', email: 'hanh.vo@saomai.example' },
    hr: { name: 'Lê Thị Thu', email: 'thu.le@saomai.example' },
    it: { name: 'Phạm Văn Kiên', email: 'kien.pham@saomai.example' },
    accountant: { name: 'Nguyễn Thị Mai Anh', email: 'maianh.nguyen@saomai.example' },
    hire: 'Đặng Văn Long',
  },
  {
    locale: 'en',
    name: 'Công ty Cổ phần Bình Minh',
    admin: { name: 'Trương Minh Đức', email: 'duc.truong@binhminh.example' },
    hr: { name: 'Hồ Thị Lệ', email: 'le.ho@binhminh.example' },
    it: { name: 'Lý Quốc Khánh', email: 'khanh.ly@binhminh.example' },
    accountant: { name: 'Mạc Thị Yến', email: 'yen.mac@binhminh.example' },
    hire: 'Trịnh Thị Hà',
  },
];

const WORDS = {
  en: {
    welcome: 'is ready.',
    import: 'Import',
    imported: 'Imported: ',
    created: 'Departments created: ',
    submit: 'Submit',
    complete: 'Complete task',
    proceed: 'Paperwork complete: start the preparations',
    hrName: 'Human resources',
  },
  vi: {
    welcome: 'đã sẵn sàng.',
    import: 'Nhập',
    imported: 'Đã nhập: ',
    created: 'Đã tạo phòng ban: ',
    submit: 'Gửi',
    complete: 'Hoàn thành',
    proceed: 'Hồ sơ đầy đủ: bắt đầu chuẩn bị',
    hrName: 'Nhân sự',
  },
} as const;

const { shot, submitSignUp, submitSignIn, signOut } = appInBrowser({
  ready: (started) => {
    ({ app, page } = started);
    page.on('pageerror', (error) => console.log('pageerror:', error.message));
  },
  // The staff who will join each new company: accounts of their own, in no company yet.
  async prepare(db) {
    const hash = await hashPassword(PASSWORD);
    for (const c of COMPANIES) {
      for (const p of [c.hr, c.it, c.accountant]) {
        const [user] = await db
          .insert(users)
          .values({ email: p.email, displayName: p.name })
          .returning({ id: users.id });
        await db
          .insert(accounts)
          .values({ userId: user!.id, accountId: user!.id, providerId: 'credential', password: hash });
      }
    }
  },
});

async function useLocale(locale: Locale) {
  const button = page.getByRole('button', { name: locale.toUpperCase(), exact: true });
  if ((await button.getAttribute('aria-pressed')) !== 'true') await button.click();
  await expect.poll(() => button.getAttribute('aria-pressed')).toBe('true');
}

async function signInAs(person: Person, locale: Locale) {
  await page.goto(`${app.url}/sign-in`);
  await submitSignIn(person.email, PASSWORD);
  await page.waitForURL('**/inbox');
  await useLocale(locale);
}

/** The names of the tasks in the inbox that are about this hire. */
async function inboxFor(hire: string): Promise<string[]> {
  await page.reload();
  await page.locator('h1').waitFor();
  return (await page.locator('tr', { hasText: hire }).locator('a').allTextContents())
    .filter((t) => onboarding.elements.some((e) => e.name?.en === t || e.name?.vi === t))
    .sort();
}

describe.each(COMPANIES)('a new company takes the HR pack and onboards its first hire ($locale)', (c) => {
  const w = WORDS[c.locale];
  const at = (name: string) => `hr-${c.locale}-${name}`;

  it('signs up and is offered the library; maps “hr” to its own department, creates the others, publishes at once', async () => {
    await page.goto(`${app.url}/sign-up`);
    await useLocale(c.locale);
    await submitSignUp({ name: c.admin.name, email: c.admin.email, password: PASSWORD, company: c.name });
    await page.waitForURL('**/templates?welcome=1', { timeout: 15_000 });
    await expect.poll(() => page.getByTestId('templates-welcome').textContent()).toContain(`${c.name} ${w.welcome}`);
    // the company already has its HR department, under its own key
    const cookie = await signIn(app.url, c.admin.email, PASSWORD);
    expect(
      (await call(app.url, cookie, 'department.create', { key: 'nhan-su', name: { en: 'People', vi: 'Nhân sự' } }))
        .error,
    ).toBeUndefined();
    await page.locator('[data-pack-link="hr"]').click();
    await page.waitForURL('**/templates?pack=hr*');
    const pack = page.locator('[data-pack="hr"]');
    await expect
      .poll(() => pack.getByRole('heading', { level: 2 }).textContent())
      .toContain(c.locale === 'vi' ? 'Nhân sự' : 'Human resources');
    expect(await pack.locator('[data-template="employee-onboarding"] h3').textContent()).toBe(
      onboarding.name[c.locale],
    );
    await pack.locator('[data-template="employee-onboarding"] .djs-container').waitFor();
    const form = page.getByTestId('import-hr');
    await form.getByTestId('map-hr').selectOption('nhan-su');
    for (const key of ['it', 'accounting', 'operations'])
      expect(await form.getByTestId(`map-${key}`).inputValue()).toBe(`create:${key}`);
    await form.getByTestId('import-publish').check();
    await shot(at('01-library'));
    await form.getByRole('button', { name: w.import, exact: true }).click();
    const result = form.getByTestId('import-result');
    await expect
      .poll(() => result.textContent(), { timeout: 20_000 })
      .toContain(`${w.imported}${onboarding.name[c.locale]}`);
    expect(await result.textContent(), 'import result').toContain(`${w.created}it, accounting, operations.`);
    await shot(at('02-imported'));
  });

  it('its people join their departments; the admin starts onboarding for a new hire', async () => {
    // Joining is issue 9's (invitations): here the people are put in their departments directly.
    await app.withDatabase(async (db) => {
      const [tenant] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.name, c.name));
      for (const [person, key] of [
        [c.hr, 'nhan-su'],
        [c.it, 'it'],
        [c.accountant, 'accounting'],
      ] as const) {
        const [user] = await db.select({ id: users.id }).from(users).where(eq(users.email, person.email));
        const [group] = await db
          .select({ id: groups.id })
          .from(groups)
          .where(and(eq(groups.tenantId, tenant!.id), eq(groups.key, key)));
        await db.insert(memberships).values({ tenantId: tenant!.id, userId: user!.id, role: 'staff' });
        await db
          .insert(groupMembers)
          .values({ tenantId: tenant!.id, groupId: group!.id, userId: user!.id, role: 'member' });
      }
    });
    await page.goto(`${app.url}/start/employee-onboarding`);
    await page.locator('#root_fullName').waitFor();
    await page.locator('#root_fullName').fill(c.hire);
    await page.locator('#root_personalEmail').fill(`${c.locale}.hire@gmail.example`);
    await page.locator('#root_position').fill(c.locale === 'vi' ? 'Chuyên viên kế toán' : 'Accountant');
    await page.locator('#root_firstDay').fill('2027-01-04');
    await shot(at('03-start-form'));
    await page.getByRole('button', { name: w.submit, exact: true }).click();
    await page.waitForURL('**/instances/*', { timeout: 15_000 });
    await signOut();
  });

  it('HR checks the paperwork from its inbox', async () => {
    await signInAs(c.hr, c.locale);
    expect(await inboxFor(c.hire)).toEqual([taskName('paperworkCheck', c.locale)]);
    await page
      .locator('tr', { hasText: c.hire })
      .getByRole('link', { name: taskName('paperworkCheck', c.locale) })
      .click();
    await page.waitForURL('**/tasks/*');
    await page.waitForLoadState('networkidle');
    await page.getByLabel(w.proceed, { exact: true }).check();
    await page.getByRole('button', { name: w.complete, exact: true }).click();
    await page.waitForURL('**/inbox?done=*');
    // the buddy is HR's part of the preparations
    expect(await inboxFor(c.hire)).toEqual([taskName('buddyAssignment', c.locale)]);
    await shot(at('04-hr-inbox'));
    await signOut();
  });

  it('the parallel preparations are in IT’s and Accounting’s inboxes, each only its own', async () => {
    await signInAs(c.it, c.locale);
    expect(await inboxFor(c.hire)).toEqual(
      [taskName('itAccount', c.locale), taskName('prepareLaptop', c.locale)].sort(),
    );
    await shot(at('05-it-inbox'));
    if (c.locale === 'vi') {
      await page.setViewportSize({ width: 390, height: 844 });
      await page.reload();
      await page.locator('h1').waitFor();
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)).toBe(true);
      await shot(at('06-it-inbox-phone'));
      await page.setViewportSize({ width: 1280, height: 900 });
    }
    await signOut();
    await signInAs(c.accountant, c.locale);
    expect(await inboxFor(c.hire)).toEqual([taskName('payrollSetup', c.locale)]);
    await shot(at('07-accounting-inbox'));
    await signOut();
  });
});
