/**
 * ISO 8601 dates, durations and repeating intervals for timers, in UTC, without a clock:
 * every "now" is passed in. Calendar parts (years, months, weeks, days) move the calendar date;
 * hours, minutes and seconds move the instant.
 */

export interface Duration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export function parseDuration(text: string): Duration | null {
  const m = DURATION.exec(text.trim());
  if (!m || text.trim() === 'P' || text.trim().endsWith('T')) return null;
  const n = (i: number) => (m[i] ? Number(m[i]) : 0);
  return { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) };
}

export function addDuration(instant: Date, d: Duration): Date {
  const out = new Date(instant.getTime());
  out.setUTCFullYear(out.getUTCFullYear() + d.years, out.getUTCMonth() + d.months, out.getUTCDate() + d.weeks * 7 + d.days);
  return new Date(out.getTime() + ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000);
}

export function parseInstant(text: string): Date | null {
  // A date without a time means the start of that day in UTC.
  const iso = /^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(iso)) return null;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? null : date;
}

/** `R3/PT10H`, `R/P1D` (unbounded) or `R2/2026-12-01T09:00:00Z/P1W`. */
export interface Cycle {
  /** Repetitions in all; null = unbounded. */
  repetitions: number | null;
  start: Date | null;
  interval: Duration;
}

export function parseCycle(text: string): Cycle | null {
  const parts = text.trim().split('/');
  const r = /^R(\d*)$/.exec(parts[0] ?? '');
  if (!r || parts.length < 2 || parts.length > 3) return null;
  const interval = parseDuration(parts[parts.length - 1]!);
  const start = parts.length === 3 ? parseInstant(parts[1]!) : null;
  if (!interval || (parts.length === 3 && !start)) return null;
  return { repetitions: r[1] === '' ? null : Number(r[1]), start, interval };
}
