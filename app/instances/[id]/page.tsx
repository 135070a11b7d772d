import Link from 'next/link';
import { localize } from '@/engine/model/definition';
import { formatDate, formatDateTime } from '../../_i18n/format';
import type { MessageKey, Translate } from '../../_i18n/messages';
import { FormDataView } from '../../_components/form-data-view';
import { RetryButton, TerminateForm } from '../../_components/incident-actions';
import { CancelInstance } from '../../_components/instance-actions';
import { InstanceDiagram } from '../../_components/diagram/instance-diagram';
import { orNotFound, signedInPage } from '../../server/page-helpers';

export default async function InstancePage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { caller, actor, locale, t } = await signedInPage();
  if (!/^[0-9a-f-]{36}$/i.test(id)) return <div className="notice error">{t('notFound')}</div>;
  const instance = await orNotFound(caller.instance.get({ id }));
  if ('forbidden' in instance) return <div className="notice error">{instance.forbidden}</div>;
  // An ended instance whose history says it was cancelled (instance.cancel) shows as cancelled, not just ended.
  const statusKey: MessageKey = instance.status === 'terminated' && instance.history.some((e) => e.type === 'instance.cancelled') ? 'status_cancelled' : (`status_${instance.status}` as MessageKey);
  const name = (elementId: string | null) => (elementId ? (localize(instance.names[elementId] ?? undefined, locale) ?? elementId) : '');

  return (
    <>
      <p className="muted">{t('instanceTitle')}</p>
      <h1>
        {localize(instance.definition.name, locale)} {instance.businessKey && <span className="muted">· {instance.businessKey}</span>}
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
              {actor.role === 'admin' && <RetryButton target={{ kind: 'instance', id: instance.id }} locale={locale} withVariables />}
            </div>
          )}
          {instance.failedJobs.map((job) => (
            <div key={job.id}>
              <p>{t('incidentFailedJob', { element: name(job.elementId), attempts: job.attempts, message: job.lastError ?? '' })}</p>
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
          label={t('instanceDiagram', { name: localize(instance.definition.name, locale) ?? instance.definition.key, version: instance.definition.version })}
          {...instanceMarks(instance)}
          texts={{ waiting: t('badgeWaiting', { count: '{count}' }), done: t('badgeDone', { count: '{count}' }), incident: t('badgeIncident') }}
        />
      </section>

      <div className="grid2">
        <section className="panel">
          <h2>{t('data')}</h2>
          <FormDataView forms={instance.dataForms} data={instance.variables} locale={locale} />
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
                  <td>{task.completedBy ?? (task.dueDate ? `${t('colDue')}: ${formatDate(task.dueDate, locale)}` : '')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>

      <section className="panel">
        <h2>{t('history')}</h2>
        <ol className="history" aria-label={t('history')}>
          {instance.history.map((event) => (
            <li key={event.id} data-event={event.type}>
              <time dateTime={event.at.toISOString()}>{formatDateTime(event.at, locale)}</time>
              <span>{describe(event, name, t)}</span>
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}

/**
 * What the diagram shows of an instance, from its history: the elements it passed (how many times
 * each: a loop shows its count), where its tokens wait now, and its incidents.
 */
function instanceMarks(instance: { status: string; positions: string[]; history: { type: string; elementId: string | null }[]; incident: { elementId?: string | null } | null; failedJobs: { elementId: string | null }[] }) {
  const done: Record<string, number> = {};
  for (const e of instance.history) if (e.elementId && (e.type === 'element.completed' || e.type === 'timer.fired')) done[e.elementId] = (done[e.elementId] ?? 0) + 1;
  const running = instance.status === 'active' || instance.status === 'incident';
  const waiting: Record<string, number> = {};
  if (running) for (const p of instance.positions) if (!p.startsWith('@') && !p.startsWith('!')) waiting[p] = (waiting[p] ?? 0) + 1;
  const incidents = [...(instance.status === 'incident' && instance.incident?.elementId ? [instance.incident.elementId] : []), ...instance.failedJobs.map((j) => j.elementId).filter((id): id is string => !!id)];
  return { done, waiting, incidents };
}

function outcomeLabel(outcome: string, t: Translate): string {
  return outcome === 'approved' || outcome === 'rejected' ? t(`outcome_${outcome}`) : outcome;
}

interface HistoryEvent {
  type: string;
  elementId: string | null;
  actor: string | null;
  data: Record<string, unknown>;
}

function describe(event: HistoryEvent, name: (id: string | null) => string, t: Translate): string {
  const data = event.data;
  switch (event.type) {
    case 'instance.started':
      return t('ev_instanceStarted', { actor: event.actor ?? '—' });
    case 'task.created': {
      const groups = ((data.candidateGroups as string[] | undefined) ?? []).join(', ');
      // Whom it was for: its departments, and the people the process named (as it named them: addresses).
      const people = [...(typeof data.assignee === 'string' ? [data.assignee] : []), ...((data.candidateUsers as string[] | undefined) ?? [])];
      const whom = [...(groups ? [data.candidateRole === 'manager' ? t('managersOf', { groups }) : groups] : []), ...people].join(', ');
      return t('ev_taskCreated', { element: name(event.elementId), groups: whom || t('nobody') });
    }
    case 'task.completed': {
      const submission = (data.submission ?? {}) as Record<string, unknown>;
      const decision = typeof submission.decision === 'string' ? ` — ${submission.decision}` : '';
      // Under a delegation the audit row names both: the delegate acting, and on whose behalf.
      if (typeof data.onBehalfOfName === 'string') return t('ev_taskCompletedOnBehalf', { actor: event.actor ?? '—', element: name(event.elementId), behalf: data.onBehalfOfName }) + decision;
      return t('ev_taskCompleted', { actor: event.actor ?? '—', element: name(event.elementId) }) + decision;
    }
    case 'task.claimed':
      return t('ev_taskClaimed', { actor: event.actor ?? '—', element: name(event.elementId) });
    case 'task.unclaimed':
      return t('ev_taskUnclaimed', { actor: event.actor ?? '—', element: name(event.elementId) });
    case 'task.reassigned':
      // The assignee left the company (members.removeMember): the task went back to its departments.
      if (data.memberRemoved === true) return t('ev_taskReturnedMemberRemoved', { actor: event.actor ?? '—', element: name(event.elementId), from: typeof data.fromName === 'string' ? data.fromName : '—' });
      return t('ev_taskReassigned', { actor: event.actor ?? '—', element: name(event.elementId), from: typeof data.fromName === 'string' ? data.fromName : t('nobody'), to: String(data.toName ?? '—') });
    case 'element.completed': {
      const flowName = typeof data.flowId === 'string' ? localizedOrNull(name, data.flowId) : null;
      return flowName && data.elementType === 'exclusiveGateway' ? t('ev_flowTaken', { element: name(event.elementId), flow: flowName }) : t('ev_elementCompleted', { element: name(event.elementId) });
    }
    case 'instance.completed': {
      const outcome = typeof data.outcome === 'string' ? `: ${outcomeLabel(data.outcome, t)}` : '';
      return t('ev_instanceCompleted') + outcome;
    }
    case 'task.cancelled':
      return t('ev_taskCancelled', { element: name(event.elementId) });
    case 'incident.raised':
      return t('ev_incidentRaised', { element: name(event.elementId), message: String(data.message ?? '') });
    case 'incident.retried':
      return t('ev_incidentRetried', { actor: event.actor ?? '—', element: name(event.elementId) });
    case 'instance.terminated':
      return t('ev_instanceTerminated', { actor: event.actor ?? '—', reason: String(data.reason ?? data.by ?? '') });
    case 'instance.cancelled':
      return t('ev_instanceCancelled', { actor: event.actor ?? '—', reason: String(data.reason ?? '') });
    case 'email.resent': {
      // By an admin ("Send now"), or by the worker's held-mail sweep (no actor).
      const values = { actor: event.actor ?? '—', subject: String(data.subject ?? ''), error: String(data.error ?? '') };
      if (data.by === 'held-mail') return t(data.status === 'sent' ? 'ev_emailHeldSent' : 'ev_emailHeldFailed', values);
      return t(data.status === 'sent' ? 'ev_emailResent' : 'ev_emailResendFailed', values);
    }
    default:
      return event.type;
  }
}

/** The flow's own name if it has one (unnamed flows show nothing extra). */
function localizedOrNull(name: (id: string | null) => string, flowId: string): string | null {
  const label = name(flowId);
  return label === flowId ? null : label;
}
