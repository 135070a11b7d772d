import Link from 'next/link';
import { localize } from '@/engine/model/definition';
import { formatDate, formatDateTime } from '../_i18n/format';
import { signedInPage } from '../server/page-helpers';
import { ClaimButton } from '../_components/task-actions';

export default async function InboxPage({ searchParams }: { searchParams: Promise<{ done?: string; instance?: string }> }) {
  const { caller, actor, locale, t } = await signedInPage();
  const [tasks, params] = await Promise.all([caller.task.list(), searchParams]);
  return (
    <>
      {params.done && (
        <p className="notice" role="status">
          {t('taskDone')}{' '}
          {params.instance && /^[0-9a-f-]{36}$/.test(params.instance) && <Link href={`/instances/${params.instance}`}>{t('viewInstance')}</Link>}
        </p>
      )}
      <h1>{t('inboxTitle')}</h1>
      <p className="muted">
        {t('inboxIntro')} {actor.role !== 'auditor' && <Link href="/delegations">{t('delegationsLink')}</Link>}
      </p>
      {tasks.length === 0 ? (
        <div className="panel muted">{t('inboxEmpty')}</div>
      ) : (
        <table className="list" aria-label={t('inboxTitle')}>
          <thead>
            <tr>
              <th>{t('colTask')}</th>
              <th>{t('colAssignee')}</th>
              <th>{t('colProcess')}</th>
              <th>{t('colReference')}</th>
              <th>{t('colStartedBy')}</th>
              <th>{t('colDue')}</th>
              <th>{t('colCreated')}</th>
            </tr>
          </thead>
          <tbody>
            {tasks.map((task) => (
              <tr key={task.id} data-task-id={task.id}>
                <td>
                  <Link href={`/tasks/${task.id}`}>{localize(task.name ?? undefined, locale) ?? task.elementId}</Link>
                </td>
                <td data-assignee>
                  {task.onBehalfOf ? (
                    t('onBehalfOf', { name: task.onBehalfOf })
                  ) : task.assignedToMe ? (
                    t('assigneeMe')
                  ) : (
                    <>
                      {task.candidateGroups.length > 0 ? t('assigneeDepartment') : t('assigneeNamed')} {actor.role !== 'auditor' && <ClaimButton taskId={task.id} locale={locale} compact />}
                    </>
                  )}
                </td>
                <td>{localize(task.processName, locale)}</td>
                <td>{task.businessKey}</td>
                <td>{task.startedBy}</td>
                <td>{task.dueDate ? formatDate(task.dueDate, locale) : '—'}</td>
                <td>{formatDateTime(task.createdAt, locale)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
