import Link from 'next/link';
import { forbidden } from 'next/navigation';
import { TRPCError } from '@trpc/server';
import { localize } from '@/engine/model/definition';
import { formatDateTime } from '../_i18n/format';
import { statusLabels } from '../_shared/where-now-text';
import { signedInPage } from '../server/page-helpers';
import { EXPORT_CAP } from '../server/services/instance-export';
import {
  filterFromQuery,
  listStatuses,
  maySeeInstanceList,
  queryOfFilter,
  type InstanceFilter,
  type ListStatus,
} from '../server/services/instance-list';
import { StatusBadges, WhereNow } from '../_components/where-now';
import type { MessageKey } from '../_i18n/messages';

type Params = Record<string, string | string[] | undefined>;

const statusOptions: Record<ListStatus, MessageKey> = {
  active: statusLabels.active,
  completed: statusLabels.completed,
  cancelled: statusLabels.terminated,
  incident: statusLabels.incident,
};

/**
 * The company's process instances, newest first, for admins and auditors (all of them) and
 * department managers (their departments' processes); anyone else gets the 403 page. Filters are a
 * plain GET form; the same query downloads the list as CSV (/api/instances/export).
 */
export default async function InstancesPage({ searchParams }: { searchParams: Promise<Params> }) {
  const { caller, actor, locale, t } = await signedInPage();
  if (!maySeeInstanceList(actor)) forbidden();
  const params = await searchParams;
  const one = (name: string) => {
    const v = params[name];
    return typeof v === 'string' ? v : undefined;
  };
  // A value the form could not have sent is ignored (the list shows unfiltered by it), never an error page.
  const { filter } = filterFromQuery(one);
  const rawCursor = one('cursor');
  const cursor = rawCursor && /^[A-Za-z0-9_-]{1,200}$/.test(rawCursor) ? rawCursor : undefined;
  const [page, options] = await Promise.all([
    caller.runner.instances({ ...filter, limit: 50, ...(cursor ? { cursor } : {}) }).catch((error: unknown) => {
      if (error instanceof TRPCError && error.code === 'BAD_REQUEST') return null;
      throw error;
    }),
    caller.runner.instanceFilters(),
  ]);
  const filtered = Object.keys(filter).length > 0;
  const query = queryOfFilter(filter);
  const href = (extra: Partial<InstanceFilter> & { cursor?: string } = {}) => {
    const text = queryOfFilter({ ...filter, ...extra });
    return text ? `/instances?${text}` : '/instances';
  };
  const all = actor.role === 'admin' || actor.role === 'auditor';
  return (
    <>
      <h1>{t('runnerInstancesTitle')}</h1>
      <p className="analytics-link">
        <Link href="/analytics">{t('navAnalytics')}</Link>
      </p>
      <p className="muted">
        {all
          ? t('runnerInstancesIntroAll', { company: actor.tenantName })
          : t('runnerInstancesIntroManager', {
              departments: options.departments.map((d) => localize(d.name, locale) ?? d.key).join(', '),
            })}
      </p>

      <details className="panel instance-filters" open={filtered || undefined}>
        <summary>{t('runnerFilters')}</summary>
        <form method="get" action="/instances" className="filter-form">
          <label>
            <span>{t('runnerFilterProcess')}</span>
            <select name="process" defaultValue={filter.process ?? ''}>
              <option value="">{t('runnerAny')}</option>
              {options.processes.map((p) => (
                <option key={p.key} value={p.key}>
                  {localize(p.name, locale) ?? p.key}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('runnerFilterVersion')}</span>
            <input
              type="number"
              name="version"
              min={1}
              step={1}
              inputMode="numeric"
              defaultValue={filter.version ?? ''}
            />
          </label>
          <label>
            <span>{t('runnerFilterStatus')}</span>
            <select name="status" defaultValue={filter.status ?? ''}>
              <option value="">{t('runnerAny')}</option>
              {listStatuses.map((s) => (
                <option key={s} value={s}>
                  {t(statusOptions[s])}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('runnerFilterStartedBy')}</span>
            <select name="startedBy" defaultValue={filter.startedBy ?? ''}>
              <option value="">{t('runnerAny')}</option>
              {options.people.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </select>
          </label>
          <label>
            <span>{t('runnerFilterStartedFrom')}</span>
            <input type="date" name="startedFrom" defaultValue={filter.startedFrom ?? ''} />
          </label>
          <label>
            <span>{t('runnerFilterStartedTo')}</span>
            <input type="date" name="startedTo" defaultValue={filter.startedTo ?? ''} />
          </label>
          <label className="check">
            <input type="checkbox" name="incident" value="1" defaultChecked={filter.incident === true} />
            <span>{t('runnerFilterIncident')}</span>
          </label>
          <div className="filter-buttons">
            <button type="submit" className="primary">
              {t('runnerApply')}
            </button>
            {filtered && <Link href="/instances">{t('runnerClear')}</Link>}
          </div>
        </form>
      </details>

      <p className="export-link">
        <a href={`/api/instances/export${query ? `?${query}` : ''}`} download data-export>
          {t('runnerExport')}
        </a>{' '}
        <span className="muted">
          {t('runnerExportHint', { cap: EXPORT_CAP.toLocaleString(locale === 'vi' ? 'vi-VN' : 'en-US') })}
        </span>
      </p>

      {page === null ? (
        <div className="panel notice error" role="alert">
          {t('runnerErrCursor')} <Link href={href()}>{t('runnerFirstPage')}</Link>
        </div>
      ) : page.items.length === 0 && !cursor ? (
        <div className="panel muted">{filtered ? t('runnerInstancesNoMatch') : t('runnerInstancesEmpty')}</div>
      ) : (
        <>
          <table className="list runner-table instances-table" aria-label={t('runnerInstancesTitle')}>
            <thead>
              <tr>
                <th scope="col">{t('colReference')}</th>
                <th scope="col">{t('colProcess')}</th>
                <th scope="col">{t('colStatus')}</th>
                <th scope="col">{t('colStartedBy')}</th>
                <th scope="col">{t('runnerColStarted')}</th>
                <th scope="col">{t('runnerColCurrentStep')}</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((r) => (
                <tr key={r.id} data-instance-id={r.id}>
                  <td data-label="">
                    <Link href={`/instances/${r.id}`} className="process-name">
                      {r.businessKey ?? localize(r.process.name, locale) ?? r.process.key}
                    </Link>
                    {r.parentId && (
                      <div className="muted small">
                        <Link href={`/instances/${r.parentId}`}>{t('runnerCalledBy')}</Link>
                      </div>
                    )}
                  </td>
                  <td data-label={t('colProcess')}>
                    {localize(r.process.name, locale) ?? r.process.key}{' '}
                    <span className="muted">v{r.process.version}</span>
                  </td>
                  <td data-label={t('colStatus')}>
                    <StatusBadges status={r.status} hasIncident={r.hasIncident} locale={locale} />
                  </td>
                  <td data-label={t('colStartedBy')}>{r.startedBy}</td>
                  <td data-label={t('runnerColStarted')} className="nowrap">
                    {formatDateTime(r.startedAt, locale)}
                  </td>
                  <td data-label={t('runnerColCurrentStep')} data-where>
                    <WhereNow where={r.where} status={r.status} endedAt={r.endedAt} locale={locale} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {(page.next || cursor) && (
            <nav className="pager" aria-label={t('runnerPages')}>
              {cursor && <Link href={href()}>{t('runnerFirstPage')}</Link>}
              {page.next && <Link href={href({ cursor: page.next })}>{t('runnerNextPage')}</Link>}
            </nav>
          )}
        </>
      )}
    </>
  );
}
