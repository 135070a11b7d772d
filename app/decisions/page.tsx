/**
 * The company's decision tables, for designers and admins: each with its latest version, to open in
 * the table editor; New decision table starts one. Names are rendered as text.
 */
import Link from 'next/link';
import { formatDateTime } from '../_i18n/format';
import { pageData, signedInPage } from '../server/page-helpers';

export default async function DecisionsPage() {
  const { caller, locale, t } = await signedInPage();
  const tables = await pageData(caller.decision.list());
  return (
    <>
      <h1>{t('decisionsTitle')}</h1>
      <p className="muted">{t('decisionsIntro')}</p>
      <div className="processes-actions">
        <Link href="/decisions/new" className="button">
          {t('decisionsNew')}
        </Link>
      </div>
      {tables.length === 0 ? (
        <div className="panel muted">{t('decisionsEmpty')}</div>
      ) : (
        <table className="list" aria-label={t('decisionsTitle')}>
          <thead>
            <tr>
              <th>{t('decisionsColTable')}</th>
              <th>{t('decisionsColPolicy')}</th>
              <th>{t('decisionsColRules')}</th>
              <th>{t('decisionsColVersion')}</th>
              <th>
                <span className="visually-hidden">{t('decisionsOpen')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {tables.map((d) => (
              <tr key={d.key} data-decision-key={d.key}>
                <td>
                  {d.name}
                  <div className="muted small">
                    <code>{d.key}</code>
                  </div>
                </td>
                <td>{d.hitPolicy}</td>
                <td>{d.rules}</td>
                <td>
                  v{d.version}
                  <div className="muted small">{formatDateTime(d.publishedAt, locale)}</div>
                </td>
                <td>
                  <Link
                    href={`/decisions/${encodeURIComponent(d.key)}`}
                    aria-label={`${t('decisionsOpen')}: ${d.name}`}
                  >
                    {t('decisionsOpen')}
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
