/** Numbers, money and dates for people, in Vietnam's time zone. */
import type { Locale } from './messages';

const TIME_ZONE = 'Asia/Ho_Chi_Minh';

export function formatVnd(amount: number, locale: Locale): string {
  return new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-US', {
    style: 'currency',
    currency: 'VND',
    maximumFractionDigits: 0,
  }).format(amount);
}

/** A calendar date ("2026-12-15") without shifting it through time zones. */
export function formatDate(isoDate: string, locale: Locale): string {
  const [y, m, d] = isoDate.slice(0, 10).split('-').map(Number);
  if (!y || !m || !d) return isoDate;
  return new Intl.DateTimeFormat(locale === 'vi' ? 'vi-VN' : 'en-GB', { dateStyle: 'medium', timeZone: 'UTC' }).format(
    new Date(Date.UTC(y, m - 1, d)),
  );
}

export function formatDateTime(value: Date | string, locale: Locale): string {
  const date = typeof value === 'string' ? new Date(value) : value;
  return new Intl.DateTimeFormat(locale === 'vi' ? 'vi-VN' : 'en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: TIME_ZONE,
  }).format(date);
}

/**
 * A URL as people read it, like a browser's address bar: percent-escapes decoded (a Vietnamese
 * path reads "/hóa-đơn", not "/h%C3%B3a-%C4%91%C6%A1n"), except spaces, control and invisible
 * formatting characters (bidi overrides among them), which stay escaped so the text cannot pass for
 * another address. Display only: render it as text; the URL itself is what is sent to.
 */
export function readableUrl(url: string): string {
  let decoded: string;
  try {
    decoded = decodeURI(url);
  } catch {
    return url;
  }
  return decoded.replace(/[\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, (c) => encodeURIComponent(c));
}

/** A file's size: bytes, KB or MB (1,000s), in the reader's number format (1,5 MB in Vietnamese). */
export function formatFileSize(bytes: number, locale: Locale): string {
  const number = (n: number, digits: number) =>
    new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-US', { maximumFractionDigits: digits }).format(n);
  if (bytes < 1000) return `${number(bytes, 0)} B`;
  if (bytes < 1_000_000) return `${number(bytes / 1000, 1)} KB`;
  return `${number(bytes / 1_000_000, 1)} MB`;
}

/**
 * A length of time for people, in its largest whole unit: seconds, minutes, hours (one decimal)
 * or days (one decimal), in the reader's words and number format ("3.5 hours", "3,5 giờ").
 */
export function formatDuration(seconds: number, locale: Locale): string {
  const unit = (value: number, name: 'second' | 'minute' | 'hour' | 'day', digits: number) =>
    new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-US', {
      style: 'unit',
      unit: name,
      unitDisplay: 'long',
      maximumFractionDigits: digits,
    }).format(value);
  const s = Math.max(0, seconds);
  if (s < 60) return unit(Math.round(s), 'second', 0);
  if (s < 3600) return unit(Math.round(s / 60), 'minute', 0);
  if (s < 86_400) return unit(s / 3600, 'hour', 1);
  return unit(s / 86_400, 'day', 1);
}

/** A count or other plain number in the reader's number format (1,234 / 1.234). */
export function formatNumber(value: number, locale: Locale, maximumFractionDigits = 0): string {
  return new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-US', { maximumFractionDigits }).format(value);
}
