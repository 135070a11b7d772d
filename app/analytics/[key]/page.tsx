import Link from 'next/link';
import { forbidden, notFound } from 'next/navigation';
import { TRPCError } from '@trpc/server';
import { keySchema } from '@/engine';
import { localize } from '@/engine/model/definition';
import { formatDate, formatDuration, formatNumber } from '../../_i18n/format';
import type { MessageKey } from '../../_i18n/messages';
import { HeatDiagram, type ElementHeat } from '../../_components/diagram/heat-diagram';
import { HEAT_FAMILY } from '../../_components/diagram/marks';
import { pageData, signedInPage } from '../../server/page-helpers';
import { analyticsQuery, type ProcessAnalytics } from '../../server/services/analytics';
import { maySeeInstanceList } from '../../server/services/instance-list';

type Params = Record<string, string | string[] | undefined>;

const heatLegend: MessageKey[] = [
  'analyticsHeat0',
  'analyticsHeat1',
  'analyticsHeat2',
  'analyticsHeat3',
  'analyticsHeat4',
];

/**
 * One process's analytics: of one version or all, in a period (GET form; default the last 90
 * days) — the instances and how they stand, cycle times, per version; where instances wait, as a
 * table and as a heat map on the diagram. A key that names no process the caller may see is 404,
 * a version not a number is ignored; the key is shown only as text.
 */
export default async function ProcessAnalyticsPage({
  params,
  searchParams,
}: {
  params: Promise<{ key: string }>;
  searchParams: Promise<Params>;
}) {
  const { key } = await params;
  const { caller, actor, locale, t } = await signedInPage();
  if (!maySeeInstanceList(actor)) forbidden();
  if (!keySchema.safeParse(key).success) notFound();
  const query = await searchParams;
  const asked = analyticsQuery((name) => (typeof query[name] === 'string' ? query[name] : undefined));
  // A period the service refuses (reversed, too long) is said, and the default period shown instead.
  const { data, problem } = await pageData(
    caller.analytics.process({ key, ...asked }).then(
      (data) => ({ data, problem: null }),
      async (error: unknown) => {
        if (!(error instanceof TRPCError) || error.code !== 'BAD_REQUEST') throw error;
        return {
          data: await caller.analytics.process({ key, ...(asked.version ? { version: asked.version } : {}) }),
          problem: error.message,
        };
      },
    ),
  );

  const none = t('analyticsNone');
  const count = (n: number) => formatNumber(n, locale);
  const duration = (s: number | null) => (s === null ? none : formatDuration(s, locale));
  const processName = localize(data.process.name, locale) ?? data.process.key;
  const c = data.counts;
  const stats: [MessageKey, string, string][] = [
    ['analyticsColStarted', count(c.started), 'started'],
    ['analyticsColRunning', count(c.running), 'running'],
    ['analyticsColCompleted', count(c.completed), 'completed'],
    ['analyticsColIncident', count(c.incident), 'incident'],
    ['analyticsColCancelled', count(c.cancelled), 'cancelled'],
    ['analyticsColCycleP50', duration(c.cycleP50), 'cycle-p50'],
    ['analyticsColCycleP90', duration(c.cycleP90), 'cycle-p90'],
  ];
  const elementName = (e: ProcessAnalytics['elements'][number]) => localize(e.name ?? undefined, locale) ?? e.elementId;

  return (
    <>
      <p>
        <Link href="/analytics">← {t('analyticsBack')}</Link>
      </p>
      <h1>{t('analyticsProcessTitle', { name: processName })}</h1>
      <p className="muted">
        {t('analyticsPeriod', {
          from: formatDate(data.range.startedFrom, locale),
          to: formatDate(data.range.startedTo, locale),
        })}{' '}
        {t('analyticsFresh')}
      </p>

      <form
        method="get"
        action={`/analytics/${encodeURIComponent(data.process.key)}`}
        className="panel filter-form analytics-range"
        aria-label={t('analyticsRange')}
      >
        <label>
          {/* Named by its caption alone (inside the label, the chosen option would join the name). */}
          <span id="analytics-version-label">{t('analyticsVersion')}</span>
          <select
            name="version"
            aria-labelledby="analytics-version-label"
            defaultValue={data.version === null ? '' : String(data.version)}
          >
            <option value="">{t('analyticsAllVersions')}</option>
            {data.versions.map((v) => (
              <option key={v} value={v}>
                {t('analyticsVersionN', { version: v })}
              </option>
            ))}
          </select>
        </label>
        <label>
          <span>{t('analyticsFieldFrom')}</span>
          <input type="date" name="startedFrom" defaultValue={data.range.startedFrom} />
        </label>
        <label>
          <span>{t('analyticsFieldTo')}</span>
          <input type="date" name="startedTo" defaultValue={data.range.startedTo} />
        </label>
        <div className="filter-buttons">
          <button type="submit" className="primary">
            {t('analyticsApply')}
          </button>
        </div>
      </form>
      {problem && (
        <p className="notice error" role="alert">
          {problem}
        </p>
      )}

      <section className="panel" aria-labelledby="analytics-headline">
        <h2 id="analytics-headline">{t('analyticsHeadline')}</h2>
        <dl className="analytics-stats">
          {stats.map(([label, value, name]) => (
            <div key={name} data-stat={name}>
              <dt>{t(label)}</dt>
              <dd>{value}</dd>
            </div>
          ))}
        </dl>
        <p className="muted small">{t('analyticsCycleNote')}</p>
        {data.version === null && data.byVersion.length > 1 && (
          <>
            <h3 id="analytics-by-version">{t('analyticsByVersion')}</h3>
            <table className="list analytics-table" aria-labelledby="analytics-by-version">
              <thead>
                <tr>
                  <th scope="col">{t('analyticsColVersion')}</th>
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
                  <th scope="col" className="num">
                    {t('analyticsColCycleP90')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.byVersion.map((v) => (
                  <tr key={v.version} data-version={v.version}>
                    <td data-label="" className="process-name">
                      <Link
                        href={`/analytics/${encodeURIComponent(data.process.key)}?${new URLSearchParams({ version: String(v.version), startedFrom: data.range.startedFrom, startedTo: data.range.startedTo })}`}
                      >
                        {t('analyticsVersionN', { version: v.version })}
                      </Link>
                    </td>
                    <td data-label={t('analyticsColStarted')} className="num">
                      {count(v.started)}
                    </td>
                    <td data-label={t('analyticsColRunning')} className="num">
                      {count(v.running)}
                    </td>
                    <td data-label={t('analyticsColCompleted')} className="num">
                      {count(v.completed)}
                    </td>
                    <td data-label={t('analyticsColIncident')} className="num">
                      {count(v.incident)}
                    </td>
                    <td data-label={t('analyticsColCancelled')} className="num">
                      {count(v.cancelled)}
                    </td>
                    <td data-label={t('analyticsColCycleP50')} className="num">
                      {duration(v.cycleP50)}
                    </td>
                    <td data-label={t('analyticsColCycleP90')} className="num">
                      {duration(v.cycleP90)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </>
        )}
      </section>

      <section className="panel" aria-labelledby="analytics-heat">
        <h2 id="analytics-heat">{t('analyticsHeatTitle')}</h2>
        <p className="muted">
          {t('analyticsHeatIntro')} {t('analyticsDiagramOf', { version: data.diagram.version })}
        </p>
        <HeatDiagram
          definition={data.diagram.definition}
          locale={locale}
          label={t('analyticsHeatDiagram', { name: processName, version: data.diagram.version })}
          heat={heatOf(data.elements, (e) => {
            const seconds = e.p50 ?? e.openP50 ?? 0;
            const text = formatDuration(seconds, locale);
            const label =
              e.p50 !== null
                ? t('analyticsHeatBadge', {
                    element: elementName(e),
                    median: text,
                    count: count(e.count),
                    open: count(e.open),
                  })
                : t('analyticsHeatBadgeOpen', { element: elementName(e), median: text, open: count(e.open) });
            return { seconds, text, label };
          })}
        />
        <div className="heat-legend">
          <span className="heat-legend-title" id="analytics-heat-legend">
            {t('analyticsHeatLegend')}
          </span>
          <ul aria-labelledby="analytics-heat-legend">
            {heatLegend.map((label, level) => (
              <li key={label}>
                <span className={`heat-swatch ${HEAT_FAMILY[level]}`} aria-hidden="true" />
                {t(label)}
              </li>
            ))}
          </ul>
        </div>
      </section>

      <section className="panel" aria-labelledby="analytics-waits">
        <h2 id="analytics-waits">{t('analyticsWaitsTitle')}</h2>
        <p className="muted">{t('analyticsWaitsIntro')}</p>
        {data.elements.length === 0 ? (
          <p className="muted">{t('analyticsWaitsNone')}</p>
        ) : (
          <table className="list analytics-table" aria-labelledby="analytics-waits">
            <thead>
              <tr>
                <th scope="col">{t('analyticsColElement')}</th>
                <th scope="col">{t('analyticsColKind')}</th>
                <th scope="col" className="num">
                  {t('analyticsColWaits')}
                </th>
                <th scope="col" className="num">
                  {t('analyticsColP50')}
                </th>
                <th scope="col" className="num">
                  {t('analyticsColP90')}
                </th>
                <th scope="col" className="num">
                  {t('analyticsColMean')}
                </th>
                <th scope="col" className="num">
                  {t('analyticsColOpen')}
                </th>
                <th scope="col" className="num">
                  {t('analyticsColOpenMax')}
                </th>
              </tr>
            </thead>
            <tbody>
              {data.elements.map((e) => (
                <tr key={`${e.elementId}:${e.kind}`} data-element={e.elementId}>
                  <td data-label="" className="process-name">
                    {elementName(e)}
                  </td>
                  <td data-label={t('analyticsColKind')}>{t(`analyticsKind_${e.kind}` as MessageKey)}</td>
                  <td data-label={t('analyticsColWaits')} className="num">
                    {count(e.count)}
                  </td>
                  <td data-label={t('analyticsColP50')} className="num" data-median>
                    {duration(e.p50)}
                  </td>
                  <td data-label={t('analyticsColP90')} className="num">
                    {duration(e.p90)}
                  </td>
                  <td data-label={t('analyticsColMean')} className="num">
                    {duration(e.mean)}
                  </td>
                  <td data-label={t('analyticsColOpen')} className="num">
                    {count(e.open)}
                  </td>
                  <td data-label={t('analyticsColOpenMax')} className="num">
                    {duration(e.openMax)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {data.sample.limited && (
          <p className="muted small">{t('analyticsSample', { count: count(data.sample.instances) })}</p>
        )}
      </section>
    </>
  );
}

/** Per element on the diagram, its heat: of the element's rows (a user task and its service job, say) the one with the most waits. */
function heatOf(
  elements: ProcessAnalytics['elements'],
  describe: (e: ProcessAnalytics['elements'][number]) => ElementHeat,
): Record<string, ElementHeat> {
  const best = new Map<string, ProcessAnalytics['elements'][number]>();
  for (const e of elements) {
    const seen = best.get(e.elementId);
    if (!seen || e.count + e.open > seen.count + seen.open) best.set(e.elementId, e);
  }
  return Object.fromEntries([...best].map(([id, e]) => [id, describe(e)]));
}
