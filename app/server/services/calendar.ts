/**
 * The company's calendar: what "today", "tomorrow", "overdue" and "started between" mean for the
 * inbox and the due-date notifications (Vietnam; no per-company time zone yet), and the one
 * schema of a calendar day in an input. Pure: the time is always passed in.
 */
import { z } from 'zod';

/** The company's time zone. */
export const COMPANY_TIME_ZONE = 'Asia/Ho_Chi_Minh';

/** A calendar day in an input: YYYY-MM-DD, of year 1 or later (PostgreSQL has no year 0: it would fail the query). */
export const isoDate = z.iso.date().refine((value) => !value.startsWith('0000'), { message: 'Invalid date' });

/** The day of `now` in the company's calendar (YYYY-MM-DD). */
export function todayIn(now: Date, timeZone = COMPANY_TIME_ZONE): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** The day `days` after `date` (YYYY-MM-DD; negative: before). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}
