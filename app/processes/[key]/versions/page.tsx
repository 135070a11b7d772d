/**
 * A process's version history (who published each version, when) and the semantic diff between any
 * two versions, or between the latest version and the draft: drawn on the newer diagram (added
 * green, changed amber, removed as ghosts) and listed. A plain GET form picks the two, so the page
 * works and can be linked without script.
 */
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { diffDefinitions, type ProcessDefinitionInput } from '@/engine';
import { keySchema, localize, type LocalizedText } from '@/engine/model/definition';
import { VersionCompare } from '../../../_components/diagram/version-compare';
import { formatDateTime } from '../../../_i18n/format';
import { pageData, signedInPage } from '../../../server/page-helpers';

type Side = number | 'draft';

function side(value: string | string[] | undefined): Side | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === 'draft') return 'draft';
  if (v && /^[1-9][0-9]{0,8}$/.test(v)) return Number(v);
  return undefined;
}

export default async function ProcessVersionsPage({
  params,
  searchParams,
}: {
  params: Promise<{ key: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { caller, locale, t } = await signedInPage();
  const { key } = await params;
  if (!keySchema.safeParse(key).success) notFound();
  const process = await pageData(caller.process.get({ key }));
  const query = await searchParams;
  const latest = process.latest?.version ?? null;
  const sides: Side[] = [...(process.draft ? (['draft'] as const) : []), ...process.versions.map((v) => v.version)];
  const exists = (s: Side | undefined) => s !== undefined && sides.includes(s);
  let to = side(query.to);
  if (!exists(to)) to = process.draft ? 'draft' : (latest ?? undefined);
  let from = side(query.from);
  if (!exists(from))
    from = to === 'draft' ? (latest ?? undefined) : typeof to === 'number' && to > 1 ? to - 1 : undefined;
  const load = async (s: Side) =>
    s === 'draft' ? process.draft!.content : (await caller.process.version({ key, version: s })).definition;
  const name =
    localize(
      ((process.draft?.content ?? process.latest?.definition) as { name?: LocalizedText } | undefined)?.name ?? key,
      locale,
    ) ?? key;
  const what = (s: Side) => (s === 'draft' ? t('versionsDraft') : t('versionsOption', { version: s }));
  const canCompare = from !== undefined && to !== undefined && from !== to;
  const before = canCompare ? await load(from!) : null;
  const after = canCompare ? await load(to!) : null;
  let diff = null;
  let diffError: string | null = null;
  if (before && after) {
    try {
      diff = diffDefinitions(before as unknown as ProcessDefinitionInput, after as unknown as ProcessDefinitionInput);
    } catch (error) {
      // A draft not yet in form has no canonical shape to compare.
      diffError = (error as Error).message;
    }
  }
  return (
    <>
      <p>
        <Link href={`/processes/${key}`}>← {name}</Link>
      </p>
      <h1>{t('versionsTitle', { name })}</h1>
      <section className="panel" aria-labelledby="history-title">
        <h2 id="history-title">{t('designerVersions')}</h2>
        {process.versions.length === 0 ? (
          <p className="muted">{t('designerNoVersions')}</p>
        ) : (
          <ul data-testid="version-history">
            {process.versions.map((v) => (
              <li key={v.version}>
                {t('designerVersionLine', {
                  version: v.version,
                  date: formatDateTime(v.publishedAt, locale),
                  name: v.publishedBy?.name ?? '—',
                })}
              </li>
            ))}
          </ul>
        )}
        {sides.length > 1 && (
          <form method="get" className="compare-form">
            <SidePicker name="from" label={t('versionsFrom')} sides={sides} value={from} what={what} />
            <SidePicker name="to" label={t('versionsTo')} sides={sides} value={to} what={what} />
            <button type="submit" className="secondary">
              {t('versionsCompare')}
            </button>
          </form>
        )}
      </section>
      <section className="panel" aria-labelledby="compare-title">
        <h2 id="compare-title">{canCompare ? `${what(from!)} → ${what(to!)}` : t('versionsCompare')}</h2>
        {sides.length < 2 ? (
          <p className="muted">{t('versionsNothing')}</p>
        ) : !canCompare ? (
          <p className="muted">{t('versionsSame')}</p>
        ) : diffError || !diff ? (
          <p className="notice error">{t('draftNotInForm', { why: diffError ?? '' })}</p>
        ) : (
          <>
            <p className="muted">{t('versionsLegend')}</p>
            <VersionCompare
              diff={diff}
              before={before}
              after={after}
              locale={locale}
              label={t('versionsDiagram', { what: what(to!), since: what(from!) })}
            />
          </>
        )}
      </section>
    </>
  );
}

function SidePicker({
  name,
  label,
  sides,
  value,
  what,
}: {
  name: string;
  label: string;
  sides: Side[];
  value: Side | undefined;
  what: (s: Side) => string;
}) {
  return (
    <label>
      {label}{' '}
      <select name={name} defaultValue={value === undefined ? undefined : String(value)}>
        {sides.map((s) => (
          <option key={String(s)} value={String(s)}>
            {what(s)}
          </option>
        ))}
      </select>
    </label>
  );
}
