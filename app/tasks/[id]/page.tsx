import Link from 'next/link';
import { notFound } from 'next/navigation';
import { localize } from '@/engine/model/definition';
import { nextSteps } from '@/engine/model/next-steps';
import { formatDate, formatDateTime } from '../../_i18n/format';
import { FormDataView } from '../../_components/form-data-view';
import { CommandForm } from '../../_components/command-form';
import { ClaimButton, ReassignForm } from '../../_components/task-actions';
import { Comments } from '../../_components/comments';
import { CaseFiles } from '../../_components/case-files';
import { CaseSummary } from '../../_components/case-summary';
import { CaseWhere } from '../../_components/case-where';
import { InstanceHistory } from '../../_components/instance-history';
import { NextStepsView } from '../../_components/next-steps';
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
  // The case (its diagram, history, what follows) by the instance's own read rule (instance.get): refused, the page shows the task alone.
  const [comments, people, files, instance] = await Promise.all([
    caller.collab.comments({ taskId: id }).catch(() => []),
    actor.role === 'auditor' ? Promise.resolve([]) : caller.collab.mentionable({ taskId: id }).catch(() => []),
    caller.collab.files({ taskId: id }).catch(() => ({ instanceId: '', files: [] })),
    caller.instance.get({ id: task.instanceId }).catch((e: unknown) => {
      if ((e as { code?: string }).code === 'FORBIDDEN') return null;
      throw e;
    }),
  ]);
  const taskName = localize(task.name ?? undefined, locale) ?? task.elementId;
  const next = instance ? nextSteps(instance.diagram, task.elementId) : null;
  return (
    <>
      <p className="muted">
        {localize(task.processName, locale)} · {task.businessKey ? <>{task.businessKey} · </> : null}
        <Link href={`/instances/${task.instanceId}`}>{t('viewInstance')}</Link>
      </p>
      <h1>{taskName}</h1>
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
      <CaseSummary fields={task.summary} locale={locale} />
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
              {p.name ? t('fourEyesBehalf', { name: p.name }) : t('fourEyesYou')} {reasonsText(p.reasons, t, locale)}
              .{' '}
            </span>
          ))}
        </div>
      )}
      <div className="grid2">
        <section className="panel">
          <h2>{t('taskContext')}</h2>
          {task.dataWithheld ? (
            <p className="muted" data-data-hidden>
              {t('caseDataHidden')} {t('caseDataHiddenWhy')}
            </p>
          ) : (
            <FormDataView forms={task.contextForms} data={task.variables} locale={locale} />
          )}
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
            <CommandForm
              command={{ kind: 'completeTask', taskId: task.id, version: task.version }}
              form={task.form}
              initialData={task.variables}
              locale={locale}
              submitLabel={t('complete')}
            />
          ) : task.status === 'open' ? (
            <p className="muted">{task.fourEyes ? t('fourEyesTitle') : t('taskNotYours')}</p>
          ) : (
            <>
              <p>
                {t('taskClosed', {
                  name: task.completedBy ?? '—',
                  date: task.completedAt ? formatDateTime(task.completedAt, locale) : '—',
                })}
              </p>
              {task.data && <FormDataView form={task.form} data={task.data} locale={locale} />}
            </>
          )}
        </section>
      </div>
      {next && instance && (
        <section className="panel" aria-labelledby="case-next-title">
          <h2 id="case-next-title">{t('caseNextTitle')}</h2>
          <NextStepsView steps={next} departments={instance.departments} locale={locale} />
        </section>
      )}
      {instance && <CaseWhere instance={instance} elementId={task.elementId} taskName={taskName} locale={locale} />}
      <CaseFiles
        instanceId={task.instanceId}
        files={files.files.map((f) => ({
          id: f.id,
          name: f.name,
          size: f.size,
          uploadedBy: f.uploadedBy,
          when: formatDateTime(f.createdAt, locale),
          viaForm: f.viaForm,
        }))}
        canAttach={actor.role !== 'auditor'}
        locale={locale}
      />
      <Comments
        target={{ taskId: task.id }}
        comments={comments.map((c) => ({
          id: c.id,
          body: c.body,
          author: c.author,
          when: formatDateTime(c.createdAt, locale),
          task: c.taskId === task.id ? null : c.task,
        }))}
        people={people}
        canPost={actor.role !== 'auditor'}
        locale={locale}
      />
      {instance && (
        <section className="panel" aria-labelledby="case-history-title" data-testid="case-history">
          <h2 id="case-history-title">{t('caseHistoryTitle')}</h2>
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
      )}
      {task.reassignTo && (
        <section className="panel">
          <h2>{t('reassign')}</h2>
          <ReassignForm
            taskId={task.id}
            version={task.version}
            people={task.reassignTo.filter((p) => p.id !== task.assignee?.id)}
            locale={locale}
          />
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
    .map((r) =>
      r.rule === 'initiator'
        ? t('fourEyesInitiator')
        : t('fourEyesCompleted', {
            element: localize(r.element as Parameters<typeof localize>[0], locale) ?? r.elementId,
          }),
    )
    .join(locale === 'vi' ? ' và ' : ' and ');
}
