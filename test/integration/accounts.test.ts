/**
 * Accounts (PGlite, and PostgreSQL when DATABASE_URL is set), through better-auth's real
 * endpoints over our tables: sign-up with a company, argon2id hashes, sign-in and its failure
 * limit, password reset tokens (single use, expiry), CSRF refusals, company switching and a
 * membership revoked mid-session.
 */
import { createHash } from 'node:crypto';
import { and, eq, like } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { accounts, emailOutbox, memberships, sessions, tenants, users, verifications } from '@/db/schema';
import {
  clientAddress,
  getAuth,
  RESET_REQUESTS_PER_ADDRESS,
  RESET_REQUESTS_PER_EMAIL,
  SIGN_IN_FAILURES,
  SIGN_IN_FAILURES_PER_EMAIL,
  SIGN_UPS_PER_ADDRESS,
} from '@/app/server/auth';
import { authBaseURL, ipAddressOptions, readEnv } from '@/app/server/env';
import { crossSiteRefusal } from '@/app/server/csrf';
import { DEMO_PASSWORD, seedDemo } from '@/app/server/seed';
import { createCompany, slugify, switchCompany } from '@/app/server/services/accounts';
import { signUp } from '@/app/server/sign-up';
import { createContextInner } from '@/app/server/trpc/init';
import { createCaller } from '@/app/server/trpc/root';
import { POST as trpcPost } from '@/app/api/trpc/[trpc]/route';
import { createTestDatabase } from '@/test/support/database';

// These tests give each client its own X-Forwarded-For, as a trusted proxy would (read when
// better-auth is first made for the database); the untrusted default is tested with its own instance.
process.env.TRELLIS_TRUSTED_PROXY = '1';

const ORIGIN = 'http://localhost:3000';
let handle: DatabaseHandle;
let demoTenant: string;
let ipCounter = 1;
/** Each test its own client address, so the failure limits of one do not touch another. */
const client = (extra: Record<string, string> = {}) =>
  new Headers({ 'x-forwarded-for': `203.0.113.${ipCounter++}`, ...extra });
/** The session cookie a response set, as a browser would send it back. */
const cookieOf = (headers: Headers) =>
  headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');

beforeAll(async () => {
  handle = await createTestDatabase();
  demoTenant = await seedDemo(handle.db);
});
afterAll(async () => {
  await handle?.close();
});

describe('sign-up', () => {
  it('creates the user, an argon2id credential, a company with a unique slug and an admin membership; Vietnamese names kept', async () => {
    // when
    const first = await signUp(
      handle.db,
      {
        name: '  Nguyễn Thị   Hà ',
        email: 'Ha.Nguyen@Example.VN',
        password: 'mật-khẩu-đủ-dài',
        company: 'Công ty TNHH Đồng Xanh',
      },
      { headers: client(), locale: 'vi' },
    );
    const second = await signUp(
      handle.db,
      {
        name: 'Đặng Văn Đức',
        email: 'duc.dang@example.vn',
        password: 'another-long-one',
        company: 'Công ty TNHH Đồng Xanh',
      },
      { headers: client(), locale: 'vi' },
    );
    // then
    expect(first.ok && second.ok).toBe(true);
    if (!first.ok || !second.ok) return;
    const [user] = await handle.db.select().from(users).where(eq(users.id, first.userId));
    expect(user).toMatchObject({ displayName: 'Nguyễn Thị Hà', email: 'ha.nguyen@example.vn' });
    const [credential] = await handle.db
      .select()
      .from(accounts)
      .where(and(eq(accounts.userId, first.userId), eq(accounts.providerId, 'credential')));
    expect(credential!.password).toMatch(/^\$argon2id\$/);
    const companies = await handle.db
      .select({ id: tenants.id, slug: tenants.slug, name: tenants.name })
      .from(tenants)
      .where(like(tenants.slug, 'cong-ty-tnhh-dong-xanh%'));
    expect(companies.map((c) => c.slug).sort()).toEqual(['cong-ty-tnhh-dong-xanh', 'cong-ty-tnhh-dong-xanh-2']);
    const [membership] = await handle.db.select().from(memberships).where(eq(memberships.userId, first.userId));
    expect(membership).toMatchObject({ tenantId: first.tenantId, role: 'admin' });
    // The new session is signed in, in the new company.
    const session = await getAuth(handle.db).api.getSession({
      headers: new Headers({ cookie: cookieOf(first.headers) }),
    });
    expect(session?.user.id).toBe(first.userId);
    expect((session?.session as { activeTenantId?: string }).activeTenantId).toBe(first.tenantId);
  });

  it('refuses a taken email and missing fields, naming the field, and creates nothing', async () => {
    const before = { users: await handle.db.$count(users), tenants: await handle.db.$count(tenants) };
    const taken = await signUp(
      handle.db,
      { name: 'Lan', email: 'lan.nguyen@senvang.example', password: 'long-enough-1', company: 'Khác' },
      { headers: client(), locale: 'en' },
    );
    const empty = await signUp(
      handle.db,
      { name: ' ', email: 'not-an-email', password: 'short', company: '' },
      { headers: client(), locale: 'vi' },
    );
    expect(taken).toMatchObject({
      ok: false,
      fields: { email: 'An account with this email already exists: sign in instead.' },
    });
    expect(empty).toMatchObject({
      ok: false,
      fields: {
        name: 'Hãy nhập họ và tên.',
        password: 'Mật khẩu phải có ít nhất 8 ký tự.',
        company: 'Hãy nhập tên công ty.',
      },
    });
    expect(empty.ok ? null : empty.fields.email).toMatch(/email hợp lệ/);
    expect({ users: await handle.db.$count(users), tenants: await handle.db.$count(tenants) }).toEqual(before);
  });

  it('joins the company of an invitation instead of creating one (the hook for invitations)', async () => {
    const before = await handle.db.$count(tenants);
    const result = await signUp(
      handle.db,
      { name: 'Lý Thị Thu', email: 'thu.ly@example.vn', password: 'long-enough-2' },
      {
        headers: client(),
        locale: 'en',
        join: async (db, user) => {
          await db.insert(memberships).values({ tenantId: demoTenant, userId: user.userId, role: 'staff' });
          return { tenantId: demoTenant };
        },
      },
    );
    expect(result).toMatchObject({ ok: true, tenantId: demoTenant });
    expect(await handle.db.$count(tenants)).toBe(before);
  });

  it('keeps nothing when joining the company fails: no user, credential or session, and the email stays free', async () => {
    const before = {
      users: await handle.db.$count(users),
      accounts: await handle.db.$count(accounts),
      sessions: await handle.db.$count(sessions),
    };
    const failing = signUp(
      handle.db,
      { name: 'Trịnh Văn Lỗi', email: 'loi.trinh@example.vn', password: 'long-enough-3' },
      {
        headers: client(),
        locale: 'vi',
        join: async () => {
          throw new Error('the invitation was revoked meanwhile');
        },
      },
    );
    await expect(failing).rejects.toThrow('revoked meanwhile');
    expect({
      users: await handle.db.$count(users),
      accounts: await handle.db.$count(accounts),
      sessions: await handle.db.$count(sessions),
    }).toEqual(before);
    const again = await signUp(
      handle.db,
      { name: 'Trịnh Văn Lỗi', email: 'loi.trinh@example.vn', password: 'long-enough-3', company: 'Công ty Lỗi' },
      { headers: client(), locale: 'vi' },
    );
    expect(again.ok).toBe(true);
  });

  it("refuses better-auth's public sign-up route: accounts come only with a company", async () => {
    const auth = getAuth(handle.db, { baseURL: ORIGIN });
    const response = await auth.handler(
      new Request(`${ORIGIN}/api/auth/sign-up/email`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          origin: ORIGIN,
          'x-forwarded-for': client().get('x-forwarded-for')!,
        },
        body: JSON.stringify({ name: 'No Company', email: 'no.company@example.vn', password: 'long-enough-4' }),
      }),
    );
    expect(response.status).toBe(404);
    expect(await handle.db.select().from(users).where(eq(users.email, 'no.company@example.vn'))).toEqual([]);
  });

  it(`limits sign-ups to ${SIGN_UPS_PER_ADDRESS.max} an hour per address`, async () => {
    const from = client();
    for (let i = 0; i < SIGN_UPS_PER_ADDRESS.max; i++) {
      const made = await signUp(
        handle.db,
        { name: `Người ${i}`, email: `many-${i}@example.vn`, password: 'long-enough-5', company: `Công ty ${i}` },
        { headers: new Headers(from), locale: 'en' },
      );
      expect(made.ok).toBe(true);
    }
    const refused = await signUp(
      handle.db,
      { name: 'Một nữa', email: 'one-more@example.vn', password: 'long-enough-5', company: 'Thêm' },
      { headers: new Headers(from), locale: 'vi' },
    );
    expect(refused).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^Quá nhiều yêu cầu: hãy thử lại sau \d+ giây\.$/),
    });
    expect(await handle.db.select().from(users).where(eq(users.email, 'one-more@example.vn'))).toEqual([]);
  });

  it('slugs Vietnamese company names to ASCII', () => {
    expect(slugify('Công ty Cổ phần Sen Vàng')).toBe('cong-ty-co-phan-sen-vang');
    expect(slugify('Đường sắt Bắc–Nam')).toBe('duong-sat-bac-nam');
    expect(slugify('!!!')).toBe('company');
  });
});

describe('sign-in', () => {
  it('signs a demo person in with the demo password, and refuses a wrong one', async () => {
    const auth = getAuth(handle.db);
    const ok = await auth.api.signInEmail({
      body: { email: 'lan.nguyen@senvang.example', password: DEMO_PASSWORD },
      headers: client(),
    });
    expect(ok.user.email).toBe('lan.nguyen@senvang.example');
    await expect(
      auth.api.signInEmail({
        body: { email: 'lan.nguyen@senvang.example', password: 'wrong-password' },
        headers: client(),
      }),
    ).rejects.toMatchObject({ statusCode: 401 });
  });

  it('keeps the session in the database behind an httpOnly, SameSite=Lax cookie; signing out deletes it', async () => {
    const auth = getAuth(handle.db);
    const post = (path: string, body: unknown, cookie?: string) =>
      auth.handler(
        new Request(`${ORIGIN}/api/auth/${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            origin: ORIGIN,
            'x-forwarded-for': client().get('x-forwarded-for')!,
            ...(cookie ? { cookie } : {}),
          },
          body: JSON.stringify(body),
        }),
      );
    const signedIn = await post('sign-in/email', { email: 'mai.le@senvang.example', password: DEMO_PASSWORD });
    expect(signedIn.status).toBe(200);
    const setCookie = signedIn.headers.getSetCookie().find((c) => c.includes('session_token='));
    expect(setCookie).toBeDefined();
    expect(setCookie).toMatch(/;\s*HttpOnly/i);
    expect(setCookie).toMatch(/;\s*SameSite=Lax/i);
    expect(setCookie).toMatch(/;\s*Path=\//i);
    // The cookie carries the session token (signed); the session itself is a row.
    const token = decodeURIComponent(/session_token=([^;]+)/.exec(setCookie!)![1]!).split('.')[0]!;
    const [row] = await handle.db.select().from(sessions).where(eq(sessions.token, token));
    const [mai] = await handle.db.select().from(users).where(eq(users.email, 'mai.le@senvang.example'));
    expect(row).toMatchObject({ userId: mai!.id });
    expect(row!.expiresAt.getTime()).toBeGreaterThan(Date.now());
    const signedOut = await post('sign-out', {}, cookieOf(signedIn.headers));
    expect(signedOut.status).toBe(200);
    expect(await handle.db.select().from(sessions).where(eq(sessions.token, token))).toEqual([]);
  });

  it(`refuses the sign-in after ${SIGN_IN_FAILURES.max} failures a minute from one address for one email, even with the right password`, async () => {
    const auth = getAuth(handle.db);
    const from = client();
    const ip = from.get('x-forwarded-for')!;
    for (let i = 0; i < SIGN_IN_FAILURES.max; i++) {
      await expect(
        auth.api.signInEmail({
          body: { email: 'hung.tran@senvang.example', password: `wrong-${i}` },
          headers: new Headers({ 'x-forwarded-for': ip }),
        }),
      ).rejects.toMatchObject({ statusCode: 401 });
    }
    // when: the right password, sixth try
    const refused = auth.api.signInEmail({
      body: { email: 'hung.tran@senvang.example', password: DEMO_PASSWORD },
      headers: new Headers({ 'x-forwarded-for': ip }),
    });
    // then
    await expect(refused).rejects.toMatchObject({ statusCode: 429, body: { code: 'TOO_MANY_FAILED_SIGN_INS' } });
    // Another address, or another email from this one, is not held back.
    await expect(
      auth.api.signInEmail({
        body: { email: 'hung.tran@senvang.example', password: DEMO_PASSWORD },
        headers: client(),
      }),
    ).resolves.toMatchObject({ user: { email: 'hung.tran@senvang.example' } });
    await expect(
      auth.api.signInEmail({
        body: { email: 'mai.le@senvang.example', password: DEMO_PASSWORD },
        headers: new Headers({ 'x-forwarded-for': ip }),
      }),
    ).resolves.toMatchObject({ user: { email: 'mai.le@senvang.example' } });
    // And the window ends: moved a minute back, the sign-in goes through.
    await handle.db.execute(`update rate_limits set window_start = now() - interval '61 seconds'`);
    await expect(
      auth.api.signInEmail({
        body: { email: 'hung.tran@senvang.example', password: DEMO_PASSWORD },
        headers: new Headers({ 'x-forwarded-for': ip }),
      }),
    ).resolves.toBeTruthy();
  });

  it('ignores X-Forwarded-For unless a trusted proxy is configured: rotating it does not reset the limit', async () => {
    const auth = getAuth(handle.db, { trustedProxy: '' });
    const email = 'bao.ngo@senvang.example';
    for (let i = 0; i < SIGN_IN_FAILURES.max; i++) {
      await expect(
        auth.api.signInEmail({ body: { email, password: `wrong-${i}` }, headers: client() }),
      ).rejects.toMatchObject({ statusCode: 401 });
    }
    await expect(
      auth.api.signInEmail({ body: { email, password: DEMO_PASSWORD }, headers: client() }),
    ).rejects.toMatchObject({ statusCode: 429 });
    // The configured proxies are skipped from the right; the client's own entry is not believed.
    const behindProxy = { advanced: { ipAddress: ipAddressOptions(readEnv({ TRELLIS_TRUSTED_PROXY: '10.0.0.1' })) } };
    expect(clientAddress(new Headers({ 'x-forwarded-for': '198.51.100.1, 203.0.113.9, 10.0.0.1' }), behindProxy)).toBe(
      '203.0.113.9',
    );
  });

  it(`refuses an email after ${SIGN_IN_FAILURES_PER_EMAIL.max} failures from any number of addresses`, async () => {
    const auth = getAuth(handle.db);
    const email = 'trang.hoang@senvang.example';
    for (let i = 0; i < SIGN_IN_FAILURES_PER_EMAIL.max; i++) {
      await expect(
        auth.api.signInEmail({ body: { email, password: `wrong-${i}` }, headers: client() }),
      ).rejects.toMatchObject({ statusCode: 401 });
    }
    // when: the right password, from yet another address
    await expect(
      auth.api.signInEmail({ body: { email, password: DEMO_PASSWORD }, headers: client() }),
    ).rejects.toMatchObject({ statusCode: 429, body: { code: 'TOO_MANY_FAILED_SIGN_INS' } });
  });

  it('counts an attempt before checking the password: parallel wrong guesses cannot all pass', async () => {
    const auth = getAuth(handle.db);
    const ip = client().get('x-forwarded-for')!;
    const tries = Array.from({ length: SIGN_IN_FAILURES.max * 2 }, (_, i) =>
      auth.api
        .signInEmail({
          body: { email: 'quan.do@senvang.example', password: `parallel-${i}` },
          headers: new Headers({ 'x-forwarded-for': ip }),
        })
        .then(
          () => 200,
          (error: { statusCode?: number }) => error.statusCode,
        ),
    );
    const statuses = await Promise.all(tries);
    expect(statuses.filter((s) => s === 401)).toHaveLength(SIGN_IN_FAILURES.max);
    expect(statuses.filter((s) => s === 429)).toHaveLength(SIGN_IN_FAILURES.max);
  });
});

/** How better-auth stores a reset token with storeIdentifier 'hashed': SHA-256, base64url. */
const storedIdentifier = (token: string) => createHash('sha256').update(`reset-password:${token}`).digest('base64url');

describe('password reset', () => {
  /** Asks for a reset link for `email` and returns the token from the email in the outbox. */
  async function resetToken(email: string): Promise<string> {
    await getAuth(handle.db).api.requestPasswordReset({
      body: { email, redirectTo: `${ORIGIN}/reset-password` },
      headers: client(),
    });
    const [mail] = await handle.db
      .select()
      .from(emailOutbox)
      .where(eq(emailOutbox.subject, 'Đặt lại mật khẩu Trellis'))
      .orderBy(emailOutbox.createdAt);
    const rows = await handle.db
      .select()
      .from(emailOutbox)
      .where(like(emailOutbox.body, `%${ORIGIN}/reset-password?token=%`));
    const latest = rows.filter((r) => r.to.includes(email)).at(-1) ?? mail;
    expect(latest).toMatchObject({ tenantId: null, jobId: null, status: 'outbox' });
    return /reset-password\?token=([\w-]+)/.exec(latest!.body)![1]!;
  }

  it('sets a new password with the emailed link once; the link then stops working, and other sessions end', async () => {
    const auth = getAuth(handle.db);
    const email = 'tuan.pham@senvang.example';
    const signedIn = await auth.api.signInEmail({
      body: { email, password: DEMO_PASSWORD },
      headers: client(),
      returnHeaders: true,
    });
    const token = await resetToken(email);
    // when
    await auth.api.resetPassword({ body: { token, newPassword: 'mật-khẩu-mới-2025' }, headers: client() });
    // then: used once only
    await expect(
      auth.api.resetPassword({ body: { token, newPassword: 'yet-another-one' }, headers: client() }),
    ).rejects.toMatchObject({ statusCode: 400, body: { code: 'INVALID_TOKEN' } });
    await expect(
      auth.api.signInEmail({ body: { email, password: DEMO_PASSWORD }, headers: client() }),
    ).rejects.toMatchObject({ statusCode: 401 });
    await expect(
      auth.api.signInEmail({ body: { email, password: 'mật-khẩu-mới-2025' }, headers: client() }),
    ).resolves.toBeTruthy();
    expect(await auth.api.getSession({ headers: new Headers({ cookie: cookieOf(signedIn.headers) }) })).toBeNull();
  });

  it('refuses an expired link', async () => {
    const token = await resetToken('anh.vu@senvang.example');
    await handle.db
      .update(verifications)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(verifications.identifier, storedIdentifier(token)));
    await expect(
      getAuth(handle.db).api.resetPassword({ body: { token, newPassword: 'never-saved-1' }, headers: client() }),
    ).rejects.toMatchObject({ body: { code: 'INVALID_TOKEN' } });
    await expect(
      getAuth(handle.db).api.signInEmail({
        body: { email: 'anh.vu@senvang.example', password: DEMO_PASSWORD },
        headers: client(),
      }),
    ).resolves.toBeTruthy();
  });

  it('stores the token only as a hash: no verifications row holds the token from the email', async () => {
    const token = await resetToken('trang.hoang@senvang.example');
    const rows = await handle.db.select().from(verifications);
    expect(rows.filter((r) => `${r.identifier} ${r.value}`.includes(token))).toEqual([]);
    expect(rows.filter((r) => r.identifier === storedIdentifier(token))).toHaveLength(1);
  });

  it('builds the link from the configured base URL, whatever the request says, and refuses a redirectTo on another origin', async () => {
    const auth = getAuth(handle.db, { baseURL: 'https://trellis.example.com' });
    const email = 'quan.do@senvang.example';
    const spoofed = client({ host: 'evil.example', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
    const before = await handle.db.$count(emailOutbox);
    // when: a redirectTo on another origin
    await expect(
      auth.api.requestPasswordReset({
        body: { email, redirectTo: 'https://evil.example/reset-password' },
        headers: spoofed,
      }),
    ).rejects.toMatchObject({ statusCode: 400, body: { code: 'INVALID_REDIRECT_URL' } });
    await expect(
      auth.api.requestPasswordReset({ body: { email, redirectTo: '//evil.example/reset-password' }, headers: spoofed }),
    ).rejects.toMatchObject({ statusCode: 400 });
    expect(await handle.db.$count(emailOutbox)).toBe(before);
    // when: a path, asked through spoofed Host headers
    await auth.api.requestPasswordReset({ body: { email, redirectTo: '/reset-password' }, headers: spoofed });
    const mail = (
      await handle.db.select().from(emailOutbox).where(like(emailOutbox.body, '%reset-password?token=%'))
    ).find((r) => r.to.includes(email));
    expect(mail!.body).toContain('https://trellis.example.com/reset-password?token=');
    expect(mail!.body).not.toContain('evil.example');
  });

  it(`limits reset requests to ${RESET_REQUESTS_PER_EMAIL.max} per email and ${RESET_REQUESTS_PER_ADDRESS.max} per address`, async () => {
    const auth = getAuth(handle.db);
    const ask = (email: string, headers: Headers) =>
      auth.api.requestPasswordReset({ body: { email, redirectTo: `${ORIGIN}/reset-password` }, headers });
    // per email, from a new address each time
    for (let i = 0; i < RESET_REQUESTS_PER_EMAIL.max; i++)
      await expect(ask('reset.target@example.vn', client())).resolves.toMatchObject({ status: true });
    await expect(ask('reset.target@example.vn', client())).rejects.toMatchObject({
      statusCode: 429,
      body: { code: 'TOO_MANY_RESET_REQUESTS' },
    });
    // per address, a new email each time
    const from = client();
    for (let i = 0; i < RESET_REQUESTS_PER_ADDRESS.max; i++)
      await expect(ask(`sprayed-${i}@example.vn`, new Headers(from))).resolves.toMatchObject({ status: true });
    await expect(ask('sprayed-last@example.vn', new Headers(from))).rejects.toMatchObject({ statusCode: 429 });
  });

  it('answers the same for an unknown address and sends nothing', async () => {
    const before = await handle.db.$count(emailOutbox);
    await expect(
      getAuth(handle.db).api.requestPasswordReset({
        body: { email: 'nobody@example.vn', redirectTo: `${ORIGIN}/reset-password` },
        headers: client(),
      }),
    ).resolves.toMatchObject({ status: true });
    expect(await handle.db.$count(emailOutbox)).toBe(before);
  });
});

describe('production settings', () => {
  it('a production server needs BETTER_AUTH_URL; development falls back to the request', () => {
    expect(() => authBaseURL(readEnv({}), 'production')).toThrow(/BETTER_AUTH_URL is not set/);
    expect(authBaseURL(readEnv({ BETTER_AUTH_URL: 'https://trellis.example.com/' }), 'production')).toBe(
      'https://trellis.example.com',
    );
    expect(authBaseURL(readEnv({}), 'development')).toBeNull();
  });

  it('seeds the demo company in production only when asked explicitly', () => {
    expect(readEnv({ NODE_ENV: 'production' }).TRELLIS_SEED).toBe('off');
    expect(readEnv({ NODE_ENV: 'production', TRELLIS_SEED: 'demo' }).TRELLIS_SEED).toBe('demo');
    expect(readEnv({ NODE_ENV: 'development' }).TRELLIS_SEED).toBe('demo');
  });
});

describe('CSRF', () => {
  it('better-auth refuses a cross-site POST to its routes', async () => {
    const auth = getAuth(handle.db, { baseURL: ORIGIN });
    const signedIn = await auth.api.signInEmail({
      body: { email: 'huong.dang@senvang.example', password: DEMO_PASSWORD },
      headers: client(),
      returnHeaders: true,
    });
    const body = JSON.stringify({ email: 'huong.dang@senvang.example', password: DEMO_PASSWORD });
    const post = (headers: Record<string, string>) =>
      auth.handler(
        new Request(`${ORIGIN}/api/auth/sign-in/email`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7', ...headers },
        }),
      );
    // with the session cookie, from another origin
    expect((await post({ origin: 'https://evil.example', cookie: cookieOf(signedIn.headers) })).status).toBe(403);
    // a cross-site form navigation (login CSRF), no cookie
    expect(
      (
        await post({
          origin: 'https://evil.example',
          'sec-fetch-site': 'cross-site',
          'sec-fetch-mode': 'navigate',
          'sec-fetch-dest': 'document',
        })
      ).status,
    ).toBe(403);
    // the same request from the app itself goes through
    expect(
      (
        await post({
          origin: ORIGIN,
          'sec-fetch-site': 'same-origin',
          'sec-fetch-mode': 'cors',
          'sec-fetch-dest': 'empty',
        })
      ).status,
    ).toBe(200);
  });

  it('the tRPC endpoint refuses a cross-site mutation before running anything', async () => {
    const url = `${ORIGIN}/api/trpc/session.switchCompany`;
    const body = JSON.stringify({ tenantId: demoTenant });
    const crossSite = await trpcPost(
      new Request(url, {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          origin: 'https://evil.example',
          'sec-fetch-site': 'cross-site',
          host: 'localhost:3000',
        },
      }),
    );
    expect(crossSite.status).toBe(403);
    const otherOrigin = await trpcPost(
      new Request(url, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json', origin: 'https://evil.example', host: 'localhost:3000' },
      }),
    );
    expect(otherOrigin.status).toBe(403);
    // Same origin passes the check (and reaches the handler, which is not run here).
    expect(
      crossSiteRefusal(
        new Request(url, {
          method: 'POST',
          body,
          headers: { origin: ORIGIN, 'sec-fetch-site': 'same-origin', host: 'localhost:3000' },
        }),
      ),
    ).toBeNull();
    expect(crossSiteRefusal(new Request(url, { method: 'POST', body }))).toBeNull();
  });
});

describe('companies and membership', () => {
  it('switches the session to another of the user’s companies, and refuses one they are not in', async () => {
    const auth = getAuth(handle.db);
    const signedIn = await auth.api.signInEmail({
      body: { email: 'ngoc.bui@senvang.example', password: DEMO_PASSWORD },
      headers: client(),
    });
    const [user] = await handle.db
      .select({ id: users.id })
      .from(users)
      .where(eq(users.email, 'ngoc.bui@senvang.example'));
    const second = await createCompany(handle.db, user!.id, 'Hộ kinh doanh Ngọc Bùi');
    const stranger = await handle.db
      .select({ id: tenants.id })
      .from(tenants)
      .where(eq(tenants.slug, 'cong-ty-tnhh-dong-xanh'));
    const [session] = await handle.db
      .select({ id: sessions.id })
      .from(sessions)
      .where(eq(sessions.token, signedIn.token!));
    // before: the first company
    expect((await createContextInner({ db: handle.db, userId: user!.id, locale: 'en' })).actor?.tenantId).toBe(
      demoTenant,
    );
    // when
    const caller = createCaller(
      await createContextInner({ db: handle.db, userId: user!.id, locale: 'en', sessionId: session!.id }),
    );
    expect(await caller.session.companies()).toHaveLength(2);
    await caller.session.switchCompany({ tenantId: second.tenantId });
    // then
    const [after] = await handle.db
      .select({ active: sessions.activeTenantId })
      .from(sessions)
      .where(eq(sessions.id, session!.id));
    expect(after!.active).toBe(second.tenantId);
    expect(
      (await createContextInner({ db: handle.db, userId: user!.id, tenantId: after!.active, locale: 'en' })).actor,
    ).toMatchObject({ tenantId: second.tenantId, role: 'admin' });
    await expect(caller.session.switchCompany({ tenantId: stranger[0]!.id })).rejects.toMatchObject({
      code: 'NOT_FOUND',
      message: 'No such company.',
    });
    await expect(
      switchCompany(handle.db, { sessionId: session!.id, userId: user!.id, tenantId: stranger[0]!.id, locale: 'vi' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('denies the next call once the membership is revoked mid-session', async () => {
    const [user] = await handle.db
      .select({ id: users.id })
      .from(users)
      .where(eq(users.email, 'mai.le@senvang.example'));
    const ctx = await createContextInner({ db: handle.db, userId: user!.id, tenantId: demoTenant, locale: 'en' });
    const caller = createCaller(ctx);
    await expect(caller.session.companies()).resolves.toHaveLength(1);
    // when: an admin revokes it (after the session was made)
    await handle.db
      .delete(memberships)
      .where(and(eq(memberships.userId, user!.id), eq(memberships.tenantId, demoTenant)));
    // then: the next call is resolved again, and denied
    const next = createCaller(
      await createContextInner({ db: handle.db, userId: user!.id, tenantId: demoTenant, locale: 'en' }),
    );
    await expect(next.session.companies()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(await createContextInner({ db: handle.db, userId: user!.id, locale: 'en' })).toMatchObject({ actor: null });
  });
});
