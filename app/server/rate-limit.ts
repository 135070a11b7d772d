/**
 * Rate limits kept in the database, so every app process counts the same attempts (better-auth's
 * in-memory store would let each process allow its own quota). A fixed window per key, counted
 * in one INSERT … ON CONFLICT DO UPDATE, so concurrent requests cannot all slip past a stale
 * read. Keys are stored as sha256 hashes: they may hold an email address.
 *
 * A row outlives its window only until pruneRateLimits (the worker's housekeeping) forgets it: a row
 * whose window has passed counts as empty anyway, so forgetting it changes no decision — provided
 * no rule's window is longer than the age it is pruned at (MAX_RATE_WINDOW_SECONDS, checked on use).
 */
import { createHash } from 'node:crypto';
import { eq, lte, sql } from 'drizzle-orm';
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

/** The longest window a rule may have: rows older than this are pruned, whatever rule counted them. */
export const MAX_RATE_WINDOW_SECONDS = 24 * 3600;

const hashed = (key: string) => createHash('sha256').update(key).digest('hex');

// Qualified: inside ON CONFLICT DO UPDATE a bare column name would be ambiguous with EXCLUDED.
const current = { count: sql.raw('"rate_limits"."count"'), start: sql.raw('"rate_limits"."window_start"') };
const expired = (rule: RateRule) => sql`${current.start} <= now() - make_interval(secs => ${rule.window})`;

/** Counts one attempt against `key`; refused (and not counted) when the window is full. */
export async function consumeRateLimit(db: Executor, key: string, rule: RateRule): Promise<RateDecision> {
  if (rule.window > MAX_RATE_WINDOW_SECONDS)
    throw new Error(
      `Rate limit window of ${rule.window} seconds for "${key.split(':')[0]}" is longer than MAX_RATE_WINDOW_SECONDS (${MAX_RATE_WINDOW_SECONDS}), after which pruneRateLimits forgets its rows; shorten the window or raise the constant.`,
    );
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

/**
 * Forgets rows whose window has passed under every rule (older than MAX_RATE_WINDOW_SECONDS): each
 * bad request to a new key (an address, a hook) leaves one, and nothing else removes them. The
 * worker loop calls it now and then; a small batch per call keeps each delete short.
 */
export async function pruneRateLimits(db: Executor, batch = 1_000): Promise<number> {
  const old = db
    .select({ key: rateLimits.key })
    .from(rateLimits)
    .where(lte(rateLimits.windowStart, sql`now() - make_interval(secs => ${MAX_RATE_WINDOW_SECONDS})`))
    .limit(batch);
  const deleted = await db
    .delete(rateLimits)
    .where(sql`${rateLimits.key} in ${old}`)
    .returning({ key: rateLimits.key });
  return deleted.length;
}
