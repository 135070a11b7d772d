/**
 * What a person's message or signal may carry: its variables' size (serialized JSON, bytes) and how
 * long an uncorrelated message is kept for a receiver. Checked before anything is read or written
 * (services/messages.ts), refused with BAD_REQUEST naming the field. Defaults here; env.ts
 * (TRELLIS_MAX_MESSAGE_BYTES, TRELLIS_MAX_MESSAGE_TTL_SECONDS) overrides them.
 */
import { translator, type Locale } from '../_i18n/messages';
import { AppError } from './errors';

export interface MessageLimits {
  /** Largest `variables` of a message or signal, as UTF-8 JSON bytes. */
  maxBytes: number;
  /** Longest `timeToLive` of a message, in seconds. */
  maxTtlSeconds: number;
}

/** 64 KiB of variables (a form's worth, not a file), kept at most 7 days. */
export const DEFAULT_MESSAGE_LIMITS: MessageLimits = { maxBytes: 64 * 1024, maxTtlSeconds: 7 * 24 * 3600 };

/** Refuses variables larger than the limit, naming the field `variables`. */
export function checkVariablesSize(
  variables: unknown,
  what: 'message' | 'signal',
  limits: MessageLimits,
  locale: Locale,
): void {
  // Counted as stored (jsonb from this text) and as a receiver gets it; UTF-8, so Vietnamese counts its real bytes.
  const size = Buffer.byteLength(JSON.stringify(variables ?? {}), 'utf8');
  if (size <= limits.maxBytes) return;
  const t = translator(locale);
  const message = t('messageTooLarge', {
    what: t(what === 'message' ? 'what_message' : 'what_signal'),
    max: limits.maxBytes,
    size,
  });
  throw new AppError('BAD_REQUEST', message, [{ field: 'variables', label: t('fieldMessageVariables'), message }]);
}

/** Refuses a time to live beyond the limit, naming the field `timeToLive`. */
export function checkTimeToLive(ttlSeconds: number, limits: MessageLimits, locale: Locale): void {
  if (ttlSeconds <= limits.maxTtlSeconds) return;
  const t = translator(locale);
  const message = t('messageTtlTooLong', { max: limits.maxTtlSeconds, ttl: ttlSeconds });
  throw new AppError('BAD_REQUEST', message, [{ field: 'timeToLive', label: t('fieldTimeToLive'), message }]);
}
