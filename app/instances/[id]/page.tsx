import Link from 'next/link';
import { notFound } from 'next/navigation';
import { localize } from '@/engine/model/definition';
import { formatDate, formatDateTime } from '../../_i18n/format';
import type { MessageKey } from '../../_i18n/messages';
import { FormDataView } from '../../_components/form-data-view';
import { RetryButton, TerminateForm } from '../../_components/incident-actions';
import { CancelInstance } from '../../_components/instance-actions';
import { InstanceDiagram } from '../../_components/diagram/instance-diagram';
import { InstanceHistory } from '../../_components/instance-history';
import { outcomeLabel } from '../../_components/history-text';
import { instanceMarks } from '../../_components/instance-marks';
import { CaseSummary } from '../../_components/case-summary';
import { isUuid, pageData, signedInPage } from '../../server/page-helpers';

export default async function InstancePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { caller, actor, locale, t } = await signedInPage();
  if (!isUuid(id)) notFound();
  // Not theirs: 403, with this segment's forbidden.tsx.
  const instance = await pageData(caller.instance.get({ id }));
  // An ended instance whose history says it was cancelled (instance.cancel) shows as cancelled, not just ended.
  const statusKey: MessageKey =
    instance.status === 'terminated' && instance.history.some((e) => e.type === 'instance.cancelled')
      ? 'status_cancelled'
      : (`status_${instance.status}` as MessageKey);
  const name = (elementId: string | null) =>
    elementId ? (localize(instance.names[elementId] ?? undefined, locale) ?? elementId) : '';

  return (
    <>
      <p className="muted">{t('instanceTitle')}</p>
      <h1>
        {localize(instance.definition.name, locale)}{' '}
        {instance.businessKey && <span className="muted">· {instance.businessKey}</span>}
      </h1>
      <section className="panel">
        <dl className="facts">
          <dt>{t('status')}</dt>
          <dd>
            <span className={`badge ${instance.status}`} data-testid="instance-status">
              {t(statusKey)}
            </span>
          </dd>
          {instance.outcome && (
            <>
              <dt>{t('outcome')}</dt>
              <dd>
                <span className={`badge ${instance.outcome}`} data-testid="instance-outcome">
                  {outcomeLabel(instance.outcome, t)}
                </span>
              </dd>
            </>
          )}
          {/* Where it waits: only while it runs (a cancelled or ended instance waits nowhere). */}
          {(instance.status === 'active' || instance.status === 'incident') && instance.active.length > 0 && (
            <>
              <dt>{t('waitingAt')}</dt>
              <dd>{instance.active.map(name).join(', ')}</dd>
            </>
          )}
          <dt>{t('startedBy')}</dt>
          <dd>{instance.startedBy}</dd>
          <dt>{t('startedAt')}</dt>
          <dd>{formatDateTime(instance.startedAt, locale)}</dd>
          {/* An instance stopped by an incident has not ended (the incident panel shows it). */}
          {instance.endedAt && instance.status !== 'incident' && (
            <>
              <dt>{t('endedAt')}</dt>
              <dd>{formatDateTime(instance.endedAt, locale)}</dd>
            </>
          )}
        </dl>
        {instance.mayCancel && <CancelInstance instanceId={instance.id} locale={locale} />}
      </section>

      {instance.hasIncident && (
        <section className="panel" aria-label={t('incidentPanel')} data-testid="incident">
          <h2>
            <span className="badge incident">{t('incidentPanel')}</span>
          </h2>
          {instance.status === 'incident' && instance.incident && (
            <div>
              <p>
                {name(instance.incident.elementId)}: {instance.incident.message}
              </p>
              {actor.role === 'admin' && (
                <RetryButton target={{ kind: 'instance', id: instance.id }} locale={locale} withVariables />
              )}
            </div>
          )}
          {instance.failedJobs.map((job) => (
            <div key={job.id}>
              <p>
                {t('incidentFailedJob', {
                  element: name(job.elementId),
                  attempts: job.attempts,
                  message: job.lastError ?? '',
                })}
              </p>
              {actor.role === 'admin' && <RetryButton target={{ kind: 'job', id: job.id }} locale={locale} />}
            </div>
          ))}
          {actor.role === 'admin' && <TerminateForm instanceId={instance.id} locale={locale} />}
        </section>
      )}

      <section className="panel" aria-labelledby="instance-diagram-title">
        <h2 id="instance-diagram-title">{t('instanceDiagramTitle')}</h2>
        <p className="muted">{t('instanceDiagramLegend')}</p>
        <InstanceDiagram
          definition={instance.diagram}
          locale={locale}
          label={t('instanceDiagram', {
            name: localize(instance.definition.name, locale) ?? instance.definition.key,
            version: instance.definition.version,
          })}
          {...instanceMarks(instance)}
          texts={{
            waiting: t('badgeWaiting', { count: '{count}' }),
            done: t('badgeDone', { count: '{count}' }),
            incident: t('badgeIncident'),
          }}
        />
      </section>

      <div className="grid2">
        <section className="panel" data-testid="instance-data">
          <h2>{t('data')}</h2>
          {/* Withheld by the server from a reader who may not see it (a delegate): the summary instead. */}
          {instance.variables ? (
            <FormDataView forms={instance.dataForms} data={instance.variables} locale={locale} />
          ) : (
            <>
              <CaseSummary fields={instance.summary} locale={locale} label={t('caseSummaryTitle')} />
              <p className="notice" role="note" data-data-hidden>
                {t('caseDataHidden')} {t('caseDataHiddenWhy')}
              </p>
            </>
          )}
        </section>
        <section className="panel">
          <h2>{t('tasks')}</h2>
          <table className="list">
            <tbody>
              {instance.tasks.map((task) => (
                <tr key={task.id}>
                  <td>
                    <Link href={`/tasks/${task.id}`}>{localize(task.name ?? undefined, locale) ?? task.elementId}</Link>
                  </td>
                  <td>
                    <span className={`badge ${task.status}`}>{t(`task_${task.status}` as MessageKey)}</span>
                  </td>
                  <td>
                    {task.completedBy ?? (task.dueDate ? `${t('colDue')}: ${formatDate(task.dueDate, locale)}` : '')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>

      <section className="panel">
        <h2>{t('history')}</h2>
        <InstanceHistory
          events={instance.history}
          sources={{
            names: instance.names,
            departments: instance.departments,
            people: instance.people,
            forms: instance.dataForms,
          }}
          locale={locale}
        />
      </section>
    </>
  );
}
