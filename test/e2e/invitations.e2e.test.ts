/**
 * In a real browser: a new person signs up and creates a company; as its admin they add a
 * department and invite a colleague from the members page; the invitation email shows in the
 * company's outbox; the colleague opens its link signed out, creates an account through it and
 * lands in that company's inbox, which shows none of the demo company's tasks — not even one
 * offered to a department with the same key ("accounting"). The link then no longer works.
 */
import { eq, sql } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { emailOutbox, users } from '@/db/schema';
import { createContextInner } from '@/app/server/trpc/init';
import { createCaller } from '@/app/server/trpc/root';
import { appInBrowser, type App } from './harness';

let app: App;
let page: Page;
let invitePath = '';
/** The demo company's invitation of ADMIN (made before the app starts). */
let demoInvitePath = '';

const ADMIN = {
  name: 'Đinh Công Minh',
  email: 'minh.dinh@anhduong.example',
  password: 'Mật khẩu của Minh 2026',
  company: 'Công ty TNHH Ánh Dương',
};
const COLLEAGUE = { name: 'Lương Thị Ánh', email: 'anh.luong@anhduong.example', password: 'Ánh ơi, mật khẩu 2026' };
/** An open task of the demo company, offered to its accounting department. */
const DEMO_INVOICE = 'HD-2026/0777';

const { shot, signOut, submitSignUp, submitSignIn } = appInBrowser({
  ready: (started) => ({ app, page } = started),
  async prepare(db, tenantId) {
    const [ngoc] = await db.select({ id: users.id }).from(users).where(eq(users.email, 'ngoc.bui@senvang.example'));
    const caller = createCaller(await createContextInner({ db, userId: ngoc!.id, tenantId, locale: 'vi' }));
    await caller.instance.start({
      definitionKey: 'invoice-approval',
      variables: {
        vendor: 'Công ty TNHH Thương mại Hòa Bình',
        invoiceNumber: DEMO_INVOICE,
        amount: 75_000_000,
        category: 'it-equipment',
        dueDate: '2026-12-15',
        description: 'Máy tính xách tay',
      },
    });
    // The demo company's admin invites the future admin of the new company as an auditor.
    const [bao] = await db.select({ id: users.id }).from(users).where(eq(users.email, 'bao.ngo@senvang.example'));
    const admin = createCaller(await createContextInner({ db, userId: bao!.id, tenantId, locale: 'vi' }));
    await admin.invitation.create({ email: ADMIN.email, role: 'auditor' });
    const [mail] = await db
      .select({ body: emailOutbox.body })
      .from(emailOutbox)
      .where(sql`${emailOutbox.to} @> ${JSON.stringify([ADMIN.email])}::jsonb`);
    demoInvitePath = /\/invite\/[A-Za-z0-9_-]{43}/.exec(mail!.body)![0];
  },
});

describe('inviting a colleague', () => {
  it('a new admin signs up and creates a company', async () => {
    await page.goto(`${app.url}/sign-up`);
    await submitSignUp(ADMIN);
    await page.waitForURL('**/templates?welcome=1');
    await expect.poll(() => page.locator('.who').textContent()).toContain(`${ADMIN.name} · ${ADMIN.company}`);
  });

  it('adds a department and invites a colleague from the members page; a wrong address is named', async () => {
    await page.getByRole('link', { name: 'Members', exact: true }).click();
    await page.waitForURL('**/admin/members');
    await expect.poll(() => page.locator('h1').textContent()).toBe('Members and departments');
    expect(await page.locator(`tr[data-member="${ADMIN.email}"]`).textContent()).toContain(ADMIN.name);

    await page.locator('#department-key').fill('accounting');
    await page.locator('#department-new-name-vi').fill('Kế toán');
    await page.locator('#department-new-name-en').fill('Accounting');
    await page.getByRole('button', { name: 'Add department' }).click();
    await page.locator('[data-department="accounting"]').waitFor();
    expect(await page.locator('[data-department="accounting"] h3').textContent()).toContain('Accounting');

    await page.locator('#invite-email').fill('không phải email');
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await expect.poll(() => page.locator('[data-field="email"]').textContent()).toContain('is not an email address');
    await shot('invitations-01-invalid-email');

    await page.locator('#invite-email').fill(COLLEAGUE.email);
    await page.locator('#invite-role').selectOption('staff');
    await page.getByRole('checkbox', { name: 'Accounting' }).check();
    await page.getByRole('button', { name: 'Send invitation' }).click();
    await expect
      .poll(() => page.getByRole('status').first().textContent())
      .toContain(`Invitation sent to ${COLLEAGUE.email}`);
    await page.locator(`tr[data-invitation="${COLLEAGUE.email}"]`).waitFor();
    expect(await page.locator(`tr[data-invitation="${COLLEAGUE.email}"]`).textContent()).toContain('Accounting');
    await shot('invitations-02-members-page');
  });

  it('the invitation email is in the company’s outbox, with the link', async () => {
    await page.getByRole('link', { name: 'Email outbox' }).click();
    await page.waitForURL('**/admin/outbox');
    const row = page.locator('table.outbox tbody tr', { hasText: COLLEAGUE.email });
    await row.waitFor();
    expect(await row.locator('.email-subject').textContent()).toContain(ADMIN.company);
    await row.getByText('Show the text').click();
    const body = (await row.locator('pre.email-body').textContent()) ?? '';
    const link = /\/invite\/[A-Za-z0-9_-]{43}/.exec(body);
    expect(link, body).not.toBeNull();
    invitePath = link![0];
    await shot('invitations-03-outbox');
  });

  it('the colleague opens the link signed out, creates an account through it and sees only that company’s inbox', async () => {
    await signOut();
    await page.goto(`${app.url}${invitePath}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe(`Invitation to ${ADMIN.company}`);
    const card = (await page.getByTestId('invitation').textContent()) ?? '';
    expect(card).toContain(`join ${ADMIN.company} as Staff`);
    expect(card).toContain(COLLEAGUE.email);
    await shot('invitations-04-invitation-signed-out');

    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.waitForURL('**/sign-up?invite=*');
    // Joining a company: there is no company to create.
    expect(await page.locator('#account-company').count()).toBe(0);
    // The invited address is filled in; another one is refused, naming the field, before any account is made.
    expect(await page.locator('#account-email').inputValue()).toBe(COLLEAGUE.email);
    await submitSignUp({ name: COLLEAGUE.name, email: 'someone.else@anhduong.example', password: COLLEAGUE.password });
    await expect
      .poll(() => page.locator('#account-email-error').textContent())
      .toBe(`This invitation is for ${COLLEAGUE.email}: sign up with that address.`);
    await shot('invitations-05-sign-up-other-address');
    await submitSignUp({ email: COLLEAGUE.email, password: COLLEAGUE.password });
    await page.waitForURL('**/inbox');
    await expect.poll(() => page.locator('.who').textContent()).toContain(`${COLLEAGUE.name} · ${ADMIN.company}`);
    // In "accounting" of her company, and the demo company's accounting task is not hers to see.
    const inbox = (await page.locator('main').textContent()) ?? '';
    expect(inbox).not.toContain(DEMO_INVOICE);
    expect(inbox).not.toContain('Hòa Bình');
    expect(await page.locator('tr[data-task-id]').count()).toBe(0);
    expect(inbox).toContain('Nothing to do');
    // Staff: no admin links.
    expect(await page.getByRole('link', { name: 'Members', exact: true }).count()).toBe(0);
    await shot('invitations-06-colleague-inbox');
  });

  it('the link works once', async () => {
    await page.goto(`${app.url}${invitePath}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('This invitation cannot be used');
    expect(await page.locator('.invite-card [role="alert"]').textContent()).toContain('already used');
  });

  it('the admin sees the colleague among the members, in Accounting; the invitation is no longer pending', async () => {
    await signOut();
    await submitSignIn(ADMIN.email, ADMIN.password);
    await page.waitForURL('**/inbox');
    await page.goto(`${app.url}/admin/members`);
    const row = page.locator(`tr[data-member="${COLLEAGUE.email}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Accounting');
    expect(await page.locator(`tr[data-invitation="${COLLEAGUE.email}"]`).count()).toBe(0);
    await shot('invitations-07-members-after');
  });

  it('shows the members page in Vietnamese', async () => {
    await page.getByRole('button', { name: 'VI', exact: true }).click();
    await page.waitForLoadState('networkidle');
    await page.goto(`${app.url}/admin/members`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Thành viên và phòng ban');
    expect(await page.locator(`tr[data-member="${COLLEAGUE.email}"]`).textContent()).toContain('Kế toán');
    expect(await page.getByRole('button', { name: 'Gửi lời mời' }).count()).toBe(1);
    await shot('invitations-08-members-vi');
  });

  it('signed in as a member of another company, accepts by button and then works in both companies', async () => {
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await page.waitForLoadState('networkidle');
    await page.goto(`${app.url}${demoInvitePath}`);
    await expect.poll(() => page.locator('h1').textContent()).toBe('Invitation to Công ty Cổ phần Sen Vàng');
    const card = (await page.getByTestId('invitation').textContent()) ?? '';
    expect(card).toContain('as Auditor');
    expect(card).toContain(`You are signed in as ${ADMIN.email}`);
    await shot('invitations-09-accept-signed-in');
    await page.getByRole('button', { name: 'Join Công ty Cổ phần Sen Vàng' }).click();
    await page.waitForURL('**/inbox');
    await expect.poll(() => page.locator('.who').textContent()).toContain(`${ADMIN.name} · Công ty Cổ phần Sen Vàng`);
    // An auditor there: no admin pages; still the admin of his own company.
    expect(await page.getByRole('link', { name: 'Members', exact: true }).count()).toBe(0);
    await page.goto(`${app.url}/admin/members`);
    expect(await page.locator('main').textContent()).toContain('Only an admin may manage members and departments.');
  });
});
