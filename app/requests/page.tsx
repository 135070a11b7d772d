import Link from 'next/link';
import { TRPCError } from '@trpc/server';
import { localize } from '@/engine/model/definition';
import { formatDateTime } from '../_i18n/format';
import { signedInPage } from '../server/page-helpers';
import { StatusBadges, WhereNow } from '../_components/where-now';

type Params = Record<string, string | string[] | undefined>;

/** My requests: what the caller started, newest first, and where each one is now (keyset pages: `?cursor=`). */
export default async function RequestsPage({ searchParams }: { searchParams: Promise<Params> }) {
  const { caller, locale, t } = await signedInPage();
  const raw = (await searchParams).cursor;
  const cursor = typeof raw === 'string' && /^[A-Za-z0-9_-]{1,200}$/.test(raw) ? raw : undefined;
  // A damaged or stale cursor is the reader's to start over from, not an error page.
  const page = await caller.runner.requests({ limit: 25, ...(cursor ? { cursor } : {}) }).catch((error: unknown) => {
    if (error instanceof TRPCError && error.code === 'BAD_REQUEST') return null;
    throw error;
  });
  return (
    <>
      <h1>{t('runnerRequestsTitle')}</h1>
      <p className="muted">{t('runnerRequestsIntro')}</p>
      {page === null ? (
        <div className="panel notice error" role="alert">
          {t('runnerErrCursor')} <Link href="/requests">{t('runnerFirstPage')}</Link>
        </div>
      ) : page.items.length === 0 && !cursor ? (
        <div className="panel muted">
          {t('runnerRequestsEmpty')} <Link href="/start">{t('startTitle')}</Link>
        </div>
      ) : (
        <>
          <table className="list runner-table requests-table" aria-label={t('runnerRequestsTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('colProcess')}</th>
                <th scope="col">{t('colReference')}</th>
                <th scope="col">{t('colStatus')}</th>
                <th scope="col">{t('runnerColWhere')}</th>
                <th scope="col">{t('runnerColStarted')}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((r) => (
                <tr key={r.id} data-instance-id={r.id}>
                  <td data-label="">
                    <Link href={`/instances/${r.id}`} className="process-name">
                      {localize(r.process.name, locale) ?? r.process.key}
                    </Link>
                  </td>
                  <td data-label={t('colReference')}>{r.businessKey ?? '—'}</td>
                  <td data-label={t('colStatus')}>
                    <StatusBadges status={r.status} hasIncident={r.hasIncident} locale={locale} />
                  </td>
                  <td data-label={t('runnerColWhere')} data-where>
                    <WhereNow where={r.where} status={r.status} endedAt={r.endedAt} locale={locale} />
                  </td>
                  <td data-label={t('runnerColStarted')} className="nowrap">
                    {formatDateTime(r.startedAt, locale)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {(page.next || cursor) && (
            <nav className="pager" aria-label={t('runnerPages')}>
              {cursor && <Link href="/requests">{t('runnerFirstPage')}</Link>}
              {page.next && <Link href={`/requests?cursor=${page.next}`}>{t('runnerNextPage')}</Link>}
            </nav>
          )}
        </>
      )}
    </>
  );
}
