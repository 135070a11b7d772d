/** Router callers for seeded demo users, as the app would build them from a signed-in request. */
import { eq } from 'drizzle-orm';
import type { Executor } from '@/db/client';
import { users } from '@/db/schema';
import type { Locale } from '@/app/server/actor';
import { createContextInner } from '@/app/server/trpc/init';
import { createCaller } from '@/app/server/trpc/root';

export async function callerFor(db: Executor, email: string | null, locale: Locale = 'en') {
  let userId: string | null = null;
  if (email) {
    const [user] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
    if (!user) throw new Error(`No user ${email} in the test database`);
    userId = user.id;
  }
  return createCaller(await createContextInner({ db, userId, locale }));
}

export const demo = {
  ngoc: 'ngoc.bui@senvang.example', // operations staff: submits invoices
  hung: 'hung.tran@senvang.example', // accountant
  lan: 'lan.nguyen@senvang.example', // chief accountant
  quan: 'quan.do@senvang.example', // operations manager
  tuan: 'tuan.pham@senvang.example', // IT
};
