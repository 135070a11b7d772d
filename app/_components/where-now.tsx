import { formatDateTime } from '../_i18n/format';
import { translator, type Locale } from '../_i18n/messages';
import { statusLabels, stepName, whereText, whoHas } from '../_shared/where-now-text';
import type { InstanceStatus, Whereabouts } from '../server/services/where-now';

/**
 * Where an instance is now (My requests, /instances): each open task with who has it and since
 * when, else where it waits, else how it ended. Names are people's and designers' text: rendered
 * as text, never as markup.
 */
export function WhereNow({
  where,
  status,
  endedAt,
  locale,
}: {
  where: Whereabouts;
  status: InstanceStatus;
  endedAt: Date | null;
  locale: Locale;
}) {
  const t = translator(locale);
  if (where.tasks.length > 0) {
    return (
      <ul className="where-now">
        {where.tasks.map((step) => (
          <li key={step.taskId} data-step={step.elementId}>
            <span className="step-name">{stepName(step, locale)}</span>{' '}
            <span className="who">{whoHas(step, locale, t)}</span>{' '}
            <span className="muted since">{t('runnerSince', { since: formatDateTime(step.since, locale) })}</span>
          </li>
        ))}
      </ul>
    );
  }
  return (
    <span className="where-now">
      {whereText(where, status, locale, t, (date) => formatDateTime(date, locale))}
      {endedAt && <span className="muted"> · {t('runnerEndedAt', { date: formatDateTime(endedAt, locale) })}</span>}
    </span>
  );
}

/** The status as a badge, with a second one when a running instance has an open incident (a job out of retries). */
export function StatusBadges({
  status,
  hasIncident,
  locale,
}: {
  status: InstanceStatus;
  hasIncident: boolean;
  locale: Locale;
}) {
  const t = translator(locale);
  return (
    <>
      <span className={`badge ${status}`}>{t(statusLabels[status])}</span>
      {hasIncident && status !== 'incident' && (
        <>
          {' '}
          <span className="badge incident">{t('runnerHasIncident')}</span>
        </>
      )}
    </>
  );
}
