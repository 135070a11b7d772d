/**
 * ISO 8601 dates, durations and repeating intervals for timers, in UTC, without a clock:
 * every "now" is passed in. Calendar parts (years, months, weeks, days) move the calendar date;
 * hours, minutes and seconds move the instant.
 *
 * The `read…` functions say why a text is refused, naming it (an impossible date such as
 * 2024-02-30 is refused, never rolled over into March as JavaScript's Date would); the `parse…`
 * functions are the same checks answering null.
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

/** A text read, or why it cannot be (a phrase naming the text, without a final full stop). */
export type Reading<T> = { ok: true; value: T } | { ok: false; message: string };

const DURATION = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
/** Past this no calendar date can be reached: a timer that long is a typing error, not a plan. */
const LONGEST_DURATION_SECONDS = 10_000 * 365 * 86_400;

const SECONDS = { minute: 60, hour: 3_600, day: 86_400 } as const;

export function readDuration(text: string): Reading<Duration> {
  const trimmed = text.trim();
  const m = DURATION.exec(trimmed);
  if (!m || trimmed === 'P' || trimmed.endsWith('T'))
    return { ok: false, message: `"${text}" is not an ISO 8601 duration such as P2D or PT4H` };
  const n = (i: number) => (m[i] ? Number(m[i]) : 0);
  const d = { years: n(1), months: n(2), weeks: n(3), days: n(4), hours: n(5), minutes: n(6), seconds: n(7) };
  if (!(shortestSeconds(d) <= LONGEST_DURATION_SECONDS))
    return { ok: false, message: `"${text}" is longer than 10,000 years` };
  return { ok: true, value: d };
}

export function parseDuration(text: string): Duration | null {
  const r = readDuration(text);
  return r.ok ? r.value : null;
}

/** The shortest a duration can last, in seconds: a month counts 28 days and a year 365. */
export function shortestSeconds(d: Duration): number {
  const days = d.years * 365 + d.months * 28 + d.weeks * 7 + d.days;
  return days * SECONDS.day + d.hours * SECONDS.hour + d.minutes * SECONDS.minute + d.seconds;
}

export function addDuration(instant: Date, d: Duration): Date {
  const out = new Date(instant.getTime());
  out.setUTCFullYear(
    out.getUTCFullYear() + d.years,
    out.getUTCMonth() + d.months,
    out.getUTCDate() + d.weeks * 7 + d.days,
  );
  return new Date(out.getTime() + ((d.hours * 60 + d.minutes) * 60 + d.seconds) * 1000);
}

/** A date (midnight UTC), or a date-time with its offset: 2026-12-31, 2026-12-31T17:00:00+07:00, …Z. */
const INSTANT =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):(\d{2})))?$/;
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** An instant in UTC; unlike Date.UTC, years 0–99 are themselves, not 1900–1999. */
function utc(year: number, month0: number, day: number, hour = 0, minute = 0, second = 0, ms = 0): Date {
  const out = new Date(0);
  out.setUTCFullYear(year, month0, day);
  out.setUTCHours(hour, minute, second, ms);
  return out;
}

function daysIn(year: number, month: number): number {
  return utc(year, month, 0).getUTCDate();
}

export function readInstant(text: string): Reading<Date> {
  const m = INSTANT.exec(text);
  if (!m)
    return {
      ok: false,
      message: `"${text}" is not an ISO 8601 date or date-time such as 2026-12-31 or 2026-12-31T17:00:00+07:00`,
    };
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const notA = (what: string, why: string): Reading<Date> => ({
    ok: false,
    message: `"${text}" is not a real ${what}: ${why}`,
  });
  if (month < 1 || month > 12) return notA('date', `there is no month ${m[2]}`);
  if (day < 1) return notA('date', 'there is no day 00');
  if (day > daysIn(year, month)) return notA('date', `${MONTHS[month - 1]} ${m[1]} has ${daysIn(year, month)} days`);
  if (m[4] === undefined) return { ok: true, value: utc(year, month - 1, day) };
  const [hour, minute, second] = [Number(m[4]), Number(m[5]), Number(m[6] ?? 0)];
  if (hour > 23) return notA('time', `there is no hour ${m[4]}${hour === 24 ? '; write 00:00 of the next day' : ''}`);
  if (minute > 59) return notA('time', `there is no minute ${m[5]}`);
  if (second > 59) return notA('time', `there is no second ${m[6]}`);
  const offsetHours = m[9] === undefined ? 0 : Number(m[10]);
  const offsetMinutes = m[9] === undefined ? 0 : Number(m[11]);
  if (offsetHours > 23 || offsetMinutes > 59)
    return notA('time', `there is no time zone offset ${m[9]}${m[10]}:${m[11]}`);
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  const offset = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMinutes) * 60_000;
  return { ok: true, value: new Date(utc(year, month - 1, day, hour, minute, second, ms).getTime() - offset) };
}

export function parseInstant(text: string): Date | null {
  const r = readInstant(text);
  return r.ok ? r.value : null;
}

/** `R3/PT10H`, `R/P1D` (unbounded) or `R2/2026-12-01T09:00:00Z/P1W`. */
export interface Cycle {
  /** Repetitions in all; null = unbounded. */
  repetitions: number | null;
  start: Date | null;
  interval: Duration;
}

export function readCycle(text: string): Reading<Cycle> {
  const parts = text.trim().split('/');
  const r = /^R(\d*)$/.exec(parts[0] ?? '');
  if (!r || parts.length < 2 || parts.length > 3) {
    return {
      ok: false,
      message: `"${text}" is not an ISO 8601 repeating interval such as R3/PT10H (cron expressions are not supported)`,
    };
  }
  const interval = readDuration(parts[parts.length - 1]!);
  if (!interval.ok) return { ok: false, message: `"${text}" has an interval that is not one: ${interval.message}` };
  let start: Date | null = null;
  if (parts.length === 3) {
    const at = readInstant(parts[1]!);
    if (!at.ok) return { ok: false, message: `"${text}" has a start that is not one: ${at.message}` };
    start = at.value;
  }
  return { ok: true, value: { repetitions: r[1] === '' ? null : Number(r[1]), start, interval: interval.value } };
}

export function parseCycle(text: string): Cycle | null {
  const r = readCycle(text);
  return r.ok ? r.value : null;
}

/** Most calendar steps taken to pass a long stretch of missed occurrences (a month counts ≥ 28 days: 10,000 steps pass 760 years). */
const MAX_CALENDAR_STEPS = 10_000;

/**
 * The first occurrence of a cycle after `after`, counting from the occurrence at `last`, and how
 * many occurrences between them are skipped (missed while nobody fired them). A cycle that cannot
 * move on (a zero interval, as a definition stored before intervals were checked may hold) is due
 * at `after` itself: whoever fires it must cap how often.
 */
export function nextOccurrence(last: Date, interval: Duration, after: Date): { at: Date; skipped: number } {
  let at = addDuration(last, interval);
  if (at.getTime() > after.getTime()) return { at, skipped: 0 };
  if (interval.years === 0 && interval.months === 0) {
    // A fixed length (days are exactly 24 hours in UTC): jump over the missed ones at once.
    const step = shortestSeconds(interval) * 1000;
    if (!(step > 0)) return { at: after, skipped: 0 };
    const skipped = Math.floor((after.getTime() - at.getTime()) / step) + 1;
    return { at: new Date(at.getTime() + skipped * step), skipped };
  }
  for (let skipped = 1; skipped <= MAX_CALENDAR_STEPS; skipped++) {
    at = addDuration(at, interval);
    if (at.getTime() > after.getTime()) return { at, skipped };
  }
  return { at: addDuration(after, interval), skipped: MAX_CALENDAR_STEPS };
}
