/**
 * The refusals of the declared access (app/server/trpc/init.ts) speak the caller's language: a
 * Vietnamese caller is told in Vietnamese, with the action named in Vietnamese, and the tRPC codes
 * stay UNAUTHORIZED and FORBIDDEN. Every admin and designer procedure of the router is tried, so a
 * new one without a translated action fails here. Runs on PGlite, and on PostgreSQL when
 * DATABASE_URL is set.
 */
import type { AnyProcedure } from '@trpc/server';
import { TRPCError } from '@trpc/server';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '@/db/client';
import { memberships, users } from '@/db/schema';
import { seedDemo } from '@/app/server/seed';
import type { Locale } from '@/app/server/actor';
import { createContextInner, type Meta } from '@/app/server/trpc/init';
import { appRouter, createCaller } from '@/app/server/trpc/root';
import { demo } from '../support/callers';
import { createTestDatabase } from '../support/database';

const DESIGNER = 'trang.hoang@senvang.example';
const AUDITOR = 'kiem.toan@senvang.example';

let handle: DatabaseHandle;
let tenantId: string;

beforeAll(async () => {
  handle = await createTestDatabase();
  tenantId = await seedDemo(handle.db);
  const [auditor] = await handle.db.insert(users).values({ email: AUDITOR, displayName: 'Kiểm Toán Viên' }).returning();
  await handle.db.insert(memberships).values({ tenantId, userId: auditor!.id, role: 'auditor' });
});
afterAll(async () => handle?.close());

async function as(email: string | null, locale: Locale) {
  let userId: string | null = null;
  if (email)
    [{ id: userId }] = (await handle.db.select({ id: users.id }).from(users).where(eq(users.email, email))) as [
      { id: string },
    ];
  return createCaller(await createContextInner({ db: handle.db, userId, tenantId: email ? tenantId : null, locale }));
}

/** Calls `path` (input as given: the access check runs before the input is parsed) and returns the refusal. */
async function refusal(
  caller: Awaited<ReturnType<typeof as>>,
  path: string,
  input?: unknown,
): Promise<{ code: string; message: string }> {
  const fn = path.split('.').reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], caller) as (
    input: unknown,
  ) => Promise<unknown>;
  try {
    await fn(input);
  } catch (error) {
    if (error instanceof TRPCError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error(`${path} was not refused`);
}

const declared = () =>
  Object.entries(appRouter._def.procedures as unknown as Record<string, AnyProcedure>).map(
    ([path, p]) => [path, p._def.meta as Meta] as const,
  );

describe('access refusals in the caller’s language', () => {
  it('signed out: "sign in" in Vietnamese or English, UNAUTHORIZED', async () => {
    expect(await refusal(await as(null, 'vi'), 'session.companies')).toEqual({
      code: 'UNAUTHORIZED',
      message: 'Hãy đăng nhập để tiếp tục.',
    });
    expect(await refusal(await as(null, 'en'), 'session.companies')).toEqual({
      code: 'UNAUTHORIZED',
      message: 'Sign in to continue.',
    });
    // The account procedures (signed in, in a company or not) refuse the same way.
    expect(await refusal(await as(null, 'vi'), 'invitation.accept', { token: 'x'.repeat(43) })).toEqual({
      code: 'UNAUTHORIZED',
      message: 'Hãy đăng nhập để tiếp tục.',
    });
  });

  it('an auditor starting a process: read-only, in Vietnamese or English, FORBIDDEN', async () => {
    const input = { definitionKey: 'leave-request', variables: {} };
    expect(await refusal(await as(AUDITOR, 'vi'), 'instance.start', input)).toEqual({
      code: 'FORBIDDEN',
      message: 'Kiểm toán viên chỉ có quyền xem.',
    });
    expect(await refusal(await as(AUDITOR, 'en'), 'instance.start', input)).toEqual({
      code: 'FORBIDDEN',
      message: 'Auditors have read-only access.',
    });
  });

  it('staff and designers calling admin procedures, staff calling designer procedures: the action named in Vietnamese', async () => {
    const vi = await as(demo.ngoc, 'vi');
    expect(await refusal(vi, 'webhook.list')).toEqual({
      code: 'FORBIDDEN',
      message: 'Chỉ quản trị viên mới được quản lý webhook.',
    });
    expect(await refusal(vi, 'task.reassign', {})).toEqual({
      code: 'FORBIDDEN',
      message: 'Chỉ quản trị viên mới được chuyển giao công việc.',
    });
    expect(await refusal(vi, 'definition.publish', {})).toEqual({
      code: 'FORBIDDEN',
      message: 'Chỉ người thiết kế quy trình hoặc quản trị viên mới được xuất bản quy trình.',
    });
    expect(await refusal(await as(DESIGNER, 'vi'), 'member.list')).toEqual({
      code: 'FORBIDDEN',
      message: 'Chỉ quản trị viên mới được quản lý thành viên.',
    });
    expect(await refusal(await as(DESIGNER, 'vi'), 'apiKeys.create', {})).toEqual({
      code: 'FORBIDDEN',
      message: 'Chỉ quản trị viên mới được quản lý khóa API.',
    });
    // The same calls in English keep their wording.
    const en = await as(demo.ngoc, 'en');
    expect(await refusal(en, 'webhook.list')).toEqual({
      code: 'FORBIDDEN',
      message: 'Only an admin may manage webhooks.',
    });
    expect(await refusal(en, 'definition.publish', {})).toEqual({
      code: 'FORBIDDEN',
      message: 'Only a designer or an admin may publish processes.',
    });
    expect(await refusal(en, 'apiKeys.list')).toEqual({
      code: 'FORBIDDEN',
      message: 'Only an admin may manage API keys.',
    });
  });

  it('every admin and designer procedure names its action, differently in each language', async () => {
    const vi = await as(demo.ngoc, 'vi');
    const en = await as(demo.ngoc, 'en');
    const restricted = declared().filter(([, meta]) => meta.access === 'admin' || meta.access === 'designer');
    expect(restricted.length).toBeGreaterThan(10);
    for (const [path, meta] of restricted) {
      expect(meta.action, `${path} declares its action`).toMatch(/^action_/);
      const inVi = await refusal(vi, path, {});
      const inEn = await refusal(en, path, {});
      expect(inVi.code, path).toBe('FORBIDDEN');
      expect(inEn.code, path).toBe('FORBIDDEN');
      expect(inVi.message, path).toMatch(
        meta.access === 'admin'
          ? /^Chỉ quản trị viên mới được \S.+\.$/
          : /^Chỉ người thiết kế quy trình hoặc quản trị viên mới được \S.+\.$/,
      );
      expect(inEn.message, path).toMatch(
        meta.access === 'admin' ? /^Only an admin may [a-z].+\.$/ : /^Only a designer or an admin may [a-z].+\.$/,
      );
      // The Vietnamese action is not the English one left in place.
      expect(inVi.message.replace(/^Chỉ .* mới được /, ''), path).not.toBe(inEn.message.replace(/^Only .* may /, ''));
    }
  });
});
