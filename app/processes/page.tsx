/**
 * The company's processes by department, for designers and admins: each with its status (a draft,
 * a published version, or a draft ahead of one) and who changed it last. New process, Import file
 * and Open lead to the designer. Names are rendered as text.
 */
import Link from 'next/link';
import { localize } from '@/engine/model/definition';
import { ImportProcessFile } from '../_components/designer/import-file';
import { formatDateTime } from '../_i18n/format';
import { pageData, signedInPage } from '../server/page-helpers';

export default async function ProcessesPage() {
  const { caller, locale, t } = await signedInPage();
  const processes = await pageData(caller.process.list());
  const departments = new Map((await caller.process.departments()).map((d) => [d.key, localize(d.name, locale)]));
  const groups = new Map<string, typeof processes>();
  for (const p of processes) groups.set(p.category ?? '', [...(groups.get(p.category ?? '') ?? []), p]);
  const groupName = (key: string) => (key === '' ? t('departmentNone') : (departments.get(key) ?? key));
  const ordered = [...groups.keys()].sort((a, b) =>
    a === '' ? 1 : b === '' ? -1 : groupName(a).localeCompare(groupName(b), locale),
  );

  return (
    <>
      <h1>{t('processesTitle')}</h1>
      <p className="muted">{t('processesIntro')}</p>
      <div className="processes-actions">
        <Link href="/processes/new" className="button">
          {t('processNew')}
        </Link>
        <ImportProcessFile locale={locale} />
      </div>
      {processes.length === 0 ? (
        <div className="panel muted">{t('processesEmpty')}</div>
      ) : (
        ordered.map((key) => (
          <section key={key} aria-labelledby={`department-${key || 'none'}`}>
            <h2 id={`department-${key || 'none'}`}>{groupName(key)}</h2>
            <table className="list" aria-label={groupName(key)}>
              <thead>
                <tr>
                  <th>{t('colProcess')}</th>
                  <th>{t('colProcessStatus')}</th>
                  <th>{t('colLastChange')}</th>
                  <th>
                    <span className="visually-hidden">{t('processOpen')}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {groups.get(key)!.map((p) => (
                  <tr key={p.key} data-process-key={p.key}>
                    <td>
                      {localize(p.name, locale)}
                      <div className="muted small">
                        <code>{p.key}</code>
                      </div>
                    </td>
                    <td>
                      <span className="badge">
                        {p.status === 'draft'
                          ? t('processStatus_draft')
                          : t(p.status === 'ahead' ? 'processStatus_ahead' : 'processStatus_published', {
                              version: p.latestVersion ?? 0,
                            })}
                      </span>
                    </td>
                    <td>
                      {p.updatedBy
                        ? t('processChangedBy', { date: formatDateTime(p.updatedAt, locale), name: p.updatedBy.name })
                        : formatDateTime(p.updatedAt, locale)}
                    </td>
                    <td>
                      <Link
                        href={`/processes/${encodeURIComponent(p.key)}`}
                        aria-label={`${t('processOpen')}: ${localize(p.name, locale)}`}
                      >
                        {t('processOpen')}
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        ))
      )}
    </>
  );
}
