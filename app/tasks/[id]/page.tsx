import Link from 'next/link';
import { localize } from '@/engine/model/definition';
import { formatDate, formatDateTime } from '../../_i18n/format';
import { FormDataView } from '../../_components/form-data-view';
import { CommandForm } from '../../_components/command-form';
import { ClaimButton, ReassignForm } from '../../_components/task-actions';
import type { Translate } from '../../_i18n/messages';
import type { Locale } from '../../server/actor';
import { orNotFound, signedInPage } from '../../server/page-helpers';

export default async function TaskPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { caller, locale, t } = await signedInPage();
  if (!/^[0-9a-f-]{36}$/i.test(id)) return <div className="notice error">{t('notFound')}</div>;
  const task = await orNotFound(caller.task.get({ id }));
  if ('forbidden' in task) return <div className="notice error">{t('taskNotYours')}</div>;
  return (
    <>
      <p className="muted">
        {localize(task.processName, locale)} · {task.businessKey ? <>{task.businessKey} · </> : null}<Link href={`/instances/${task.instanceId}`}>{t('viewInstance')}</Link>
      </p>
      <h1>{localize(task.name ?? undefined, locale) ?? task.elementId}</h1>
      <p className="muted">
        {t('startedBy')}: {task.startedBy}
        {task.dueDate && (
          <>
            {' '}
            · {t('colDue')}: {formatDate(task.dueDate, locale)}
          </>
        )}
        {task.status === 'open' && (
          <>
            {' '}
            · {t('taskAssignee')}:{' '}
            <span data-assignee>
              {task.assignee
                ? task.assignee.isMe
                  ? t('assigneeMe')
                  : task.assignee.name
                : task.candidateGroups.length > 0
                  ? t('assigneeDepartment')
                  : t('assigneeNamedList', { names: task.candidateUsers.map((u) => u.name).join(', ') })}
            </span>
          </>
        )}
      </p>
      {task.onBehalfOf && (
        <p className="notice" role="note" data-on-behalf>
          {t('taskOnBehalf', { name: task.onBehalfOf })}
        </p>
      )}
      {task.fourEyes && (
        <div className="notice error" role="note" data-four-eyes>
          <strong>{t('fourEyesTitle')}.</strong>{' '}
          {task.fourEyes.map((p, i) => (
            <span key={i}>
              {p.name ? t('fourEyesBehalf', { name: p.name }) : t('fourEyesYou')} {reasonsText(p.reasons, t, locale)}.{' '}
            </span>
          ))}
        </div>
      )}
      <div className="grid2">
        <section className="panel">
          <h2>{t('taskContext')}</h2>
          <FormDataView forms={task.contextForms} data={task.variables} locale={locale} />
        </section>
        <section className="panel">
          <h2>{t('taskYourPart')}</h2>
          {task.status === 'open' && (task.canClaim || task.canUnclaim) && (
            <p className="muted">
              {task.canClaim && (
                <>
                  {t('taskClaimHint')} <ClaimButton taskId={task.id} locale={locale} />
                </>
              )}
              {task.canUnclaim && <ClaimButton taskId={task.id} locale={locale} release />}
            </p>
          )}
          {task.canComplete ? (
            <CommandForm command={{ kind: 'completeTask', taskId: task.id, version: task.version }} form={task.form} initialData={task.variables} locale={locale} submitLabel={t('complete')} />
          ) : task.status === 'open' ? (
            <p className="muted">{task.fourEyes ? t('fourEyesTitle') : t('taskNotYours')}</p>
          ) : (
            <>
              <p>{t('taskClosed', { name: task.completedBy ?? '—', date: task.completedAt ? formatDateTime(task.completedAt, locale) : '—' })}</p>
              {task.data && <FormDataView form={task.form} data={task.data} locale={locale} />}
            </>
          )}
        </section>
      </div>
      {task.reassignTo && (
        <section className="panel">
          <h2>{t('reassign')}</h2>
          <ReassignForm taskId={task.id} version={task.version} people={task.reassignTo.filter((p) => p.id !== task.assignee?.id)} locale={locale} />
        </section>
      )}
    </>
  );
}

type Reason = { rule: 'initiator' } | { rule: 'completed'; elementId: string; element: unknown };

/** The four-eyes rule's reasons, in the reader's language. */
function reasonsText(reasons: Reason[], t: Translate, locale: Locale): string {
  if (reasons.length === 0) return t('fourEyesExcluded');
  return reasons
    .map((r) => (r.rule === 'initiator' ? t('fourEyesInitiator') : t('fourEyesCompleted', { element: localize(r.element as Parameters<typeof localize>[0], locale) ?? r.elementId })))
    .join(locale === 'vi' ? ' và ' : ' and ');
}
