/**
 * Open incidents, for admins: failed jobs and instances the engine stopped, newest first, with a
 * Retry button each. Filter by process. Names, errors and business keys are rendered as text.
 */
import Link from 'next/link';
import { keySchema, localize } from '@/engine/model/definition';
import { RetryButton } from '../../_components/incident-actions';
import { formatDateTime } from '../../_i18n/format';
import type { MessageKey } from '../../_i18n/messages';
import { pageData, signedInPage } from '../../server/page-helpers';

export default async function IncidentsPage({ searchParams }: { searchParams: Promise<{ process?: string }> }) {
  const { caller, actor, locale, t } = await signedInPage();
  const params = await searchParams;
  const processKey = keySchema.safeParse(params.process).success ? params.process : undefined;
  const all = await pageData(caller.incident.list());
  const incidents = processKey ? await caller.incident.list({ processKey }) : all;
  // The filter offers the processes that have incidents now.
  const processes = [...new Map(all.map((i) => [i.process.key, i.process.name])).entries()].sort(([a], [b]) =>
    a.localeCompare(b),
  );

  return (
    <>
      <h1>{t('incidentsTitle')}</h1>
      <p className="muted">{t('incidentsIntro', { company: actor.tenantName })}</p>
      {processes.length > 0 && (
        <nav className="filters" aria-label={t('colProcess')}>
          <Link href="/admin/incidents" aria-current={processKey ? undefined : 'page'}>
            {t('incidentsAllProcesses')}
          </Link>
          {processes.map(([key, name]) => (
            <Link
              key={key}
              href={`/admin/incidents?process=${encodeURIComponent(key)}`}
              aria-current={key === processKey ? 'page' : undefined}
            >
              {localize(name, locale)}
            </Link>
          ))}
        </nav>
      )}
      {incidents.length === 0 ? (
        <div className="panel muted">{t('incidentsEmpty')}</div>
      ) : (
        <table className="list incidents" aria-label={t('incidentsTitle')}>
          <thead>
            <tr>
              <th>{t('colProcess')}</th>
              <th>{t('colReference')}</th>
              <th>{t('colStep')}</th>
              <th>{t('colError')}</th>
              <th>{t('colAttempts')}</th>
              <th>{t('colSince')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {incidents.map((incident) => (
              <tr key={`${incident.kind}:${incident.id}`} data-incident={incident.id}>
                <td>
                  {incident.instanceId ? (
                    <Link href={`/instances/${incident.instanceId}`}>{localize(incident.process.name, locale)}</Link>
                  ) : (
                    localize(incident.process.name, locale)
                  )}
                  <div className="muted">
                    {incident.process.key} · v{incident.process.version}
                  </div>
                </td>
                <td>{incident.businessKey ?? '—'}</td>
                <td>{localize(incident.elementName ?? undefined, locale) ?? incident.elementId}</td>
                <td className="message">
                  <span className="badge incident">{t(`incident_${incident.kind}` as MessageKey)}</span> {incident.code}
                  <div>{incident.message}</div>
                </td>
                <td>{incident.attempts ?? '—'}</td>
                <td className="nowrap">{incident.since ? formatDateTime(incident.since, locale) : '—'}</td>
                <td>
                  <RetryButton target={{ kind: incident.kind, id: incident.id }} locale={locale} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
