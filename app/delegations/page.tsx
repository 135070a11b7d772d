import Link from 'next/link';
import { formatDateTime } from '../_i18n/format';
import { DelegationForm, RevokeDelegationButton } from '../_components/delegation-actions';
import { signedInPage } from '../server/page-helpers';

/** One's delegations (out of office): given and received; an admin sees the whole company's. */
export default async function DelegationsPage() {
  const { caller, actor, locale, t } = await signedInPage();
  const [list, colleagues] = await Promise.all([
    caller.delegation.list(),
    actor.role === 'auditor' ? Promise.resolve([]) : caller.delegation.colleagues(),
  ]);
  return (
    <>
      <p className="muted">
        <Link href="/inbox">{t('navInbox')}</Link>
      </p>
      <h1>{t('delegationsTitle')}</h1>
      <p className="muted">{t('delegationsIntro')}</p>
      {actor.role !== 'auditor' && (
        <section className="panel">
          <h2>{t('delegationNew')}</h2>
          <DelegationForm colleagues={colleagues} locale={locale} />
        </section>
      )}
      {list.length === 0 ? (
        <div className="panel muted">{t('delegationEmpty')}</div>
      ) : (
        <table className="list" aria-label={t('delegationsTitle')}>
          <thead>
            <tr>
              <th>{t('colDelegator')}</th>
              <th>{t('colDelegate')}</th>
              <th>{t('colPeriod')}</th>
              <th>{t('colReason')}</th>
              <th>{t('colStatus')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {list.map((d) => (
              <tr key={d.id} data-delegation-id={d.id}>
                <td>{d.delegatorName}</td>
                <td>{d.delegateName}</td>
                <td>
                  {formatDateTime(d.startsAt, locale)} – {formatDateTime(d.endsAt, locale)}
                </td>
                <td>{d.reason ?? '—'}</td>
                <td>{t(`delegation_${d.status}`)}</td>
                <td>{d.mayRevoke && <RevokeDelegationButton id={d.id} locale={locale} />}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
