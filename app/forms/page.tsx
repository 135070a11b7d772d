/**
 * The company's forms, for designers and admins: each with its latest version, to open in the
 * form designer; New form starts one. Titles are rendered as text.
 */
import Link from 'next/link';
import { pageData, signedInPage } from '../server/page-helpers';

export default async function FormsPage() {
  const { caller, t } = await signedInPage();
  const published = await pageData(caller.form.list());
  // Drafts: of a published form (a draft ahead of it), or of a form not published yet.
  const drafts = new Map((await caller.form.drafts()).map((d) => [d.key, d]));
  const forms = [
    ...published.map((f) => ({ ...f, version: f.version as number | null, draft: drafts.get(f.key) ?? null })),
    ...[...drafts.values()]
      .filter((d) => !published.some((f) => f.key === d.key))
      .map((d) => ({ key: d.key, title: d.title, version: null as number | null, draft: d })),
  ].sort((a, b) => a.key.localeCompare(b.key));
  return (
    <>
      <h1>{t('formsTitle')}</h1>
      <p className="muted">{t('formsIntro')}</p>
      <div className="processes-actions">
        <Link href="/forms/new" className="button">
          {t('formsNew')}
        </Link>
      </div>
      {forms.length === 0 ? (
        <div className="panel muted">{t('formsEmpty')}</div>
      ) : (
        <table className="list" aria-label={t('formsTitle')}>
          <thead>
            <tr>
              <th>{t('formsColForm')}</th>
              <th>{t('formsColVersion')}</th>
              <th>
                <span className="visually-hidden">{t('formsOpen')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {forms.map((f) => (
              <tr key={f.key} data-form-key={f.key}>
                <td>
                  {f.title}
                  <div className="muted small">
                    <code>{f.key}</code>
                  </div>
                </td>
                <td>
                  {f.version === null ? '—' : `v${f.version}`}
                  {f.draft && (
                    <div className="muted small">
                      {t('formDraftLabel')} · {t('formDraftSaved', { revision: f.draft.revision })}
                    </div>
                  )}
                </td>
                <td>
                  <Link href={`/forms/${encodeURIComponent(f.key)}`} aria-label={`${t('formsOpen')}: ${f.title}`}>
                    {t('formsOpen')}
                  </Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
