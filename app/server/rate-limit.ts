/**
 * Rate limits kept in the database, so every app process counts the same attempts (better-auth's
 * in-memory store would let each process allow its own quota). A fixed window per key, counted
 * in one INSERT … ON CONFLICT DO UPDATE, so concurrent requests cannot all slip past a stale
 * read. Keys are stored as sha256 hashes: they may hold an email address.
 */
import { createHash } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import type { Executor } from '@/db/client';
import { rateLimits } from '@/db/schema';

export interface RateRule {
  /** Window length in seconds. */
  window: number;
  /** Attempts allowed per window. */
  max: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the window frees up (when not allowed). */
  retryAfter: number | null;
}

const hashed = (key: string) => createHash('sha256').update(key).digest('hex');

// Qualified: inside ON CONFLICT DO UPDATE a bare column name would be ambiguous with EXCLUDED.
const current = { count: sql.raw('"rate_limits"."count"'), start: sql.raw('"rate_limits"."window_start"') };
const expired = (rule: RateRule) => sql`${current.start} <= now() - make_interval(secs => ${rule.window})`;

/** Counts one attempt against `key`; refused (and not counted) when the window is full. */
export async function consumeRateLimit(db: Executor, key: string, rule: RateRule): Promise<RateDecision> {
  const id = hashed(key);
  const [row] = await db
    .insert(rateLimits)
    .values({ key: id, count: 1, windowStart: sql`now()` })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${expired(rule)} then 1 else ${current.count} + 1 end`,
        windowStart: sql`case when ${expired(rule)} then now() else ${current.start} end`,
      },
      setWhere: sql`${expired(rule)} or ${current.count} < ${rule.max}`,
    })
    .returning({ count: rateLimits.count });
  if (row) return { allowed: true, retryAfter: null };
  return { allowed: false, retryAfter: await secondsLeft(db, id, rule) };
}

/** Gives back one attempt counted against `key` (one that turned out not to be a failure). */
export async function refundRateLimit(db: Executor, key: string): Promise<void> {
  await db
    .update(rateLimits)
    .set({ count: sql`greatest(${rateLimits.count} - 1, 0)` })
    .where(eq(rateLimits.key, hashed(key)));
}

/** Forgets the attempts counted against `key` (a successful sign-in). */
export async function clearRateLimit(db: Executor, key: string): Promise<void> {
  await db.delete(rateLimits).where(eq(rateLimits.key, hashed(key)));
}

async function secondsLeft(db: Executor, id: string, rule: RateRule): Promise<number> {
  const [row] = await db
    .select({
      left: sql<number>`greatest(1, ceil(extract(epoch from (${current.start} + make_interval(secs => ${rule.window}) - now()))))::int`,
    })
    .from(rateLimits)
    .where(eq(rateLimits.key, id));
  return row?.left ?? rule.window;
}
