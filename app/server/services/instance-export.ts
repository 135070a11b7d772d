/**
 * The instances list as a CSV file (GET /api/instances/export): the same filters and the same
 * rule of who sees what as the page (instance-list.ts), streamed in keyset batches so a large
 * company's export never sits in memory, and capped at EXPORT_CAP rows — past it, a last line
 * says so and asks for narrower filters. UTF-8 with a byte-order mark (Excel then reads
 * Vietnamese), every cell through csvCell (no formula runs when the file is opened), headers,
 * statuses and steps in the caller's language, times in the company's time zone.
 */
import { localize } from '@/engine/model/definition';
import { statusLabels, whereText } from '@/app/_shared/where-now-text';
import type { Executor } from '@/db/client';
import type { Actor } from '../actor';
import { translator, type Locale, type Translate } from '../../_i18n/messages';
import { CSV_BOM, csvRow } from '../csv';
import {
  instanceBatches,
  LIST_TIME_ZONE,
  type InstanceFilter,
  type InstanceListRow,
  type InstanceScope,
} from './instance-list';

/** Most rows one export writes. */
export const EXPORT_CAP = 50_000;
/** Rows read per query. */
export const EXPORT_BATCH = 1_000;

const twoDigits = (n: string | undefined) => (n ?? '').padStart(2, '0');

/** "2026-01-05 10:42" in the company's time zone: a form every spreadsheet reads as a date and time. */
export function spreadsheetTime(date: Date | null): string {
  if (!date) return '';
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: LIST_TIME_ZONE,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(date)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${twoDigits(parts.month)}-${twoDigits(parts.day)} ${twoDigits(parts.hour)}:${twoDigits(parts.minute)}`;
}

/** The export's file name: instances-2026-01-05.csv (the company's day). */
export function exportFileName(now: Date): string {
  return `instances-${spreadsheetTime(now).slice(0, 10)}.csv`;
}

function line(row: InstanceListRow, locale: Locale, t: Translate): string {
  return csvRow([
    row.businessKey,
    localize(row.process.name, locale) ?? row.process.key,
    row.process.version,
    t(statusLabels[row.status]) + (row.hasIncident && row.status !== 'incident' ? ` (${t('runnerHasIncident')})` : ''),
    row.startedBy,
    spreadsheetTime(row.startedAt),
    spreadsheetTime(row.endedAt),
    whereText(row.where, row.status, locale, t, spreadsheetTime),
  ]);
}

/**
 * The CSV as a stream of UTF-8 bytes: the byte-order mark and the header line first, then one
 * batch of rows per read. `scope` is the caller's, checked before the response began.
 */
export function instancesCsv(
  db: Executor,
  actor: Actor,
  scope: InstanceScope,
  filter: InstanceFilter,
  options: { cap?: number; batch?: number } = {},
): ReadableStream<Uint8Array> {
  const cap = options.cap ?? EXPORT_CAP;
  const t = translator(actor.locale);
  const encoder = new TextEncoder();
  const batches = instanceBatches(db, actor, scope, filter, { cap, batch: options.batch ?? EXPORT_BATCH });
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        const header = (
          [
            'runnerColBusinessKey',
            'colProcess',
            'runnerColVersion',
            'colStatus',
            'colStartedBy',
            'runnerColStartedAt',
            'runnerColEndedAt',
            'runnerColCurrentStep',
          ] as const
        ).map((k) => t(k));
        controller.enqueue(encoder.encode(CSV_BOM + csvRow(header)));
        return;
      }
      // Each read must enqueue or close: a pull that does neither is not called again.
      for (;;) {
        const next = await batches.next();
        if (next.done) {
          controller.close();
          return;
        }
        const capped = next.value.more
          ? csvRow([t('runnerExportCapped', { cap: cap.toLocaleString(actor.locale === 'vi' ? 'vi-VN' : 'en-US') })])
          : '';
        const text = next.value.rows.map((row) => line(row, actor.locale, t)).join('') + capped;
        if (text) {
          controller.enqueue(encoder.encode(text));
          return;
        }
      }
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
}
