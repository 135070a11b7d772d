import Link from 'next/link';
import { forbidden } from 'next/navigation';
import { TRPCError } from '@trpc/server';
import { localize } from '@/engine/model/definition';
import { formatDate, formatDuration, formatNumber } from '../_i18n/format';
import { signedInPage } from '../server/page-helpers';
import { analyticsQuery } from '../server/services/analytics';
import { maySeeInstanceList } from '../server/services/instance-list';

type Params = Record<string, string | string[] | undefined>;

/**
 * Process analytics, the overview: per process the caller may see, the instances started in the
 * period and how they stand, with the median cycle time; and the overdue tasks per department. For
 * the instances list's people (admins, auditors, department managers); anyone else gets the 403
 * page. The period is a plain GET form (default: the last 90 days).
 */
export default async function AnalyticsPage({ searchParams }: { searchParams: Promise<Params> }) {
  const { caller, actor, locale, t } = await signedInPage();
  if (!maySeeInstanceList(actor)) forbidden();
  const params = await searchParams;
  const { startedFrom, startedTo } = analyticsQuery((name) =>
    typeof params[name] === 'string' ? params[name] : undefined,
  );
  const asked = { ...(startedFrom ? { startedFrom } : {}), ...(startedTo ? { startedTo } : {}) };
  // A period the service refuses (reversed, too long) is said, and the default period shown instead.
  const [{ overview, problem }, overdue] = await Promise.all([
    caller.analytics.overview(asked).then(
      (overview) => ({ overview, problem: null }),
      async (error: unknown) => {
        if (!(error instanceof TRPCError) || error.code !== 'BAD_REQUEST') throw error;
        return { overview: await caller.analytics.overview(), problem: error.message };
      },
    ),
    caller.analytics.overdue(),
  ]);
  const { range } = overview;
  const query = new URLSearchParams(problem ? {} : asked).toString();
  const none = t('analyticsNone');
  const count = (n: number) => formatNumber(n, locale);
  const duration = (s: number | null) => (s === null ? none : formatDuration(s, locale));
  const from = formatDate(range.startedFrom, locale);
  const to = formatDate(range.startedTo, locale);

  return (
    <>
      <h1>{t('analyticsTitle')}</h1>
      <p className="muted">
        {overview.departments.length === 0
          ? t('analyticsIntroAll', { company: actor.tenantName, from, to })
          : t('analyticsIntroManager', {
              departments: overview.departments.map((d) => localize(d.name, locale) ?? d.key).join(', '),
              from,
              to,
            })}{' '}
        {t('analyticsFresh')}
      </p>

      <form
        method="get"
        action="/analytics"
        className="panel filter-form analytics-range"
        aria-label={t('analyticsRange')}
      >
        <label>
          <span>{t('analyticsFieldFrom')}</span>
          <input type="date" name="startedFrom" defaultValue={range.startedFrom} />
        </label>
        <label>
          <span>{t('analyticsFieldTo')}</span>
          <input type="date" name="startedTo" defaultValue={range.startedTo} />
        </label>
        <div className="filter-buttons">
          <button type="submit" className="primary">
            {t('analyticsApply')}
          </button>
          {Object.keys(asked).length > 0 && <Link href="/analytics">{t('analyticsReset')}</Link>}
        </div>
      </form>
      {problem && (
        <p className="notice error" role="alert">
          {problem}
        </p>
      )}

      <section aria-labelledby="analytics-processes">
        <h2 id="analytics-processes">{t('analyticsProcesses')}</h2>
        {overview.processes.length === 0 ? (
          <div className="panel muted">{t('analyticsNoProcesses')}</div>
        ) : (
          <table className="list analytics-table" aria-labelledby="analytics-processes">
            <thead>
              <tr>
                <th scope="col">{t('analyticsColProcess')}</th>
                <th scope="col" className="num">
                  {t('analyticsColStarted')}
                </th>
                <th scope="col" className="num">
                  {t('analyticsColRunning')}
                </th>
                <th scope="col" className="num">
                  {t('analyticsColCompleted')}
                </th>
                <th scope="col" className="num">
                  {t('analyticsColIncident')}
                </th>
                <th scope="col" className="num">
                  {t('analyticsColCancelled')}
                </th>
                <th scope="col" className="num">
                  {t('analyticsColCycleP50')}
                </th>
              </tr>
            </thead>
            <tbody>
              {overview.processes.map((p) => (
                <tr key={p.key} data-process={p.key}>
                  <td data-label="">
                    <Link
                      href={`/analytics/${encodeURIComponent(p.key)}${query ? `?${query}` : ''}`}
                      className="process-name"
                    >
                      {localize(p.name, locale) ?? p.key}
                    </Link>
                  </td>
                  <td data-label={t('analyticsColStarted')} className="num" data-count="started">
                    {count(p.started)}
                  </td>
                  <td data-label={t('analyticsColRunning')} className="num">
                    {count(p.running)}
                  </td>
                  <td data-label={t('analyticsColCompleted')} className="num">
                    {count(p.completed)}
                  </td>
                  <td data-label={t('analyticsColIncident')} className="num">
                    {count(p.incident)}
                  </td>
                  <td data-label={t('analyticsColCancelled')} className="num">
                    {count(p.cancelled)}
                  </td>
                  <td data-label={t('analyticsColCycleP50')} className="num">
                    {duration(p.cycleP50)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="analytics-overdue" className="analytics-overdue">
        <h2 id="analytics-overdue">{t('analyticsOverdueTitle')}</h2>
        <p className="muted">{t('analyticsOverdueIntro', { today: formatDate(overdue.today, locale) })}</p>
        {overdue.departments.length === 0 ? (
          <div className="panel muted">{t('analyticsOverdueNone')}</div>
        ) : (
          <table className="list analytics-table" aria-labelledby="analytics-overdue">
            <thead>
              <tr>
                <th scope="col">{t('analyticsColDepartment')}</th>
                <th scope="col" className="num">
                  {t('analyticsColOverdue')}
                </th>
                <th scope="col">{t('analyticsColOldestDue')}</th>
              </tr>
            </thead>
            <tbody>
              {overdue.departments.map((d) => (
                <tr key={d.department ?? ''} data-department={d.department ?? ''}>
                  <td data-label="" className="process-name">
                    {d.department === null
                      ? t('analyticsNoDepartment')
                      : (localize(d.name ?? undefined, locale) ?? d.department)}
                  </td>
                  <td data-label={t('analyticsColOverdue')} className="num" data-count="overdue">
                    {count(d.overdue)}
                  </td>
                  <td data-label={t('analyticsColOldestDue')}>{formatDate(d.oldestDue, locale)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
