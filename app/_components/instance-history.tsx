import { formatDateTime } from '../_i18n/format';
import { translator, type Locale } from '../_i18n/messages';
import { describeEvent, historyNames, type HistoryEvent, type HistorySources } from './history-text';

/**
 * An instance's audit timeline, oldest first, each event a sentence naming things by their names
 * (history-text.ts). Shown on the instance page; the task page may show its instance's the same way.
 */
export function InstanceHistory({
  events,
  sources,
  locale,
}: {
  events: (HistoryEvent & { id: number; at: Date })[];
  sources: HistorySources;
  locale: Locale;
}) {
  const t = translator(locale);
  const names = historyNames(sources, locale);
  return (
    <ol className="history" aria-label={t('history')}>
      {events.map((event) => (
        <li key={event.id} data-event={event.type}>
          <time dateTime={event.at.toISOString()}>{formatDateTime(event.at, locale)}</time>
          <span>{describeEvent(event, names, t)}</span>
        </li>
      ))}
    </ol>
  );
}
