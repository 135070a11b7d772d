import Link from 'next/link';
import { notFound } from 'next/navigation';
import { localize } from '@/engine/model/definition';
import { formatDate, formatDateTime } from '../../_i18n/format';
import { FormDataView } from '../../_components/form-data-view';
import { CommandForm } from '../../_components/command-form';
import { ClaimButton, ReassignForm } from '../../_components/task-actions';
import { Comments } from '../../_components/comments';
import { CaseFiles } from '../../_components/case-files';
import type { Translate } from '../../_i18n/messages';
import type { Locale } from '../../server/actor';
import { isUuid, pageData, signedInPage } from '../../server/page-helpers';

export default async function TaskPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { caller, actor, locale, t } = await signedInPage();
  if (!isUuid(id)) notFound();
  // Not offered to them: 403, with this segment's forbidden.tsx.
  const task = await pageData(caller.task.get({ id }));
  // Whoever sees the task may open its case; should a rule ever disagree, the page shows the task without them rather than fail.
  const [comments, people, files] = await Promise.all([
    caller.collab.comments({ taskId: id }).catch(() => []),
    actor.role === 'auditor' ? Promise.resolve([]) : caller.collab.mentionable({ taskId: id }).catch(() => []),
    caller.collab.files({ taskId: id }).catch(() => ({ instanceId: '', files: [] })),
  ]);
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
      {task.summary.length > 0 && (
        <dl className="facts case-summary" aria-label={t('inboxColSummary')}>
          {task.summary.map((f) => (
            <div key={f.name}>
              <dt>{f.label}</dt>
              <dd>{typeof f.value === 'number' ? new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-US').format(f.value) : typeof f.value === 'boolean' ? (f.value ? t('valueYes') : t('valueNo')) : String(f.value)}</dd>
            </div>
          ))}
        </dl>
      )}
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
      <CaseFiles
        instanceId={task.instanceId}
        files={files.files.map((f) => ({ id: f.id, name: f.name, size: f.size, uploadedBy: f.uploadedBy, when: formatDateTime(f.createdAt, locale), viaForm: f.viaForm }))}
        canAttach={actor.role !== 'auditor'}
        locale={locale}
      />
      <Comments
        target={{ taskId: task.id }}
        comments={comments.map((c) => ({ id: c.id, body: c.body, author: c.author, when: formatDateTime(c.createdAt, locale), task: c.taskId === task.id ? null : c.task }))}
        people={people}
        canPost={actor.role !== 'auditor'}
        locale={locale}
      />
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
