import Link from 'next/link';
import { localize } from '@/engine/model/definition';
import { formatDate, formatDateTime } from '../../_i18n/format';
import { FormDataView } from '../../_components/form-data-view';
import { CommandForm } from '../../_components/command-form';
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
        {localize(task.processName, locale)} · {task.businessKey} · <Link href={`/instances/${task.instanceId}`}>{t('viewInstance')}</Link>
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
      </p>
      <div className="grid2">
        <section className="panel">
          <h2>{t('taskContext')}</h2>
          <FormDataView form={task.startForm} data={task.variables} locale={locale} />
        </section>
        <section className="panel">
          <h2>{t('taskYourPart')}</h2>
          {task.canComplete ? (
            <CommandForm command={{ kind: 'completeTask', taskId: task.id }} form={task.form} locale={locale} submitLabel={t('complete')} />
          ) : (
            <>
              <p>{t('taskClosed', { name: task.completedBy ?? '—', date: task.completedAt ? formatDateTime(task.completedAt, locale) : '—' })}</p>
              {task.data && <FormDataView form={task.form} data={task.data} locale={locale} />}
            </>
          )}
        </section>
      </div>
    </>
  );
}
