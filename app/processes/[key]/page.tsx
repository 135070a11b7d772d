/**
 * One process in the designer: its draft (or, before there is one, its latest version) in the
 * modeler, with its versions and the last import's report. A key that is not the company's is 404.
 */
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { keySchema, localize, type LocalizedText } from '@/engine/model/definition';
import { DesignerLoader } from '../../_components/designer/designer-loader';
import { formatDateTime } from '../../_i18n/format';
import { pageData, signedInPage } from '../../server/page-helpers';

export default async function ProcessDesignerPage({ params }: { params: Promise<{ key: string }> }) {
  const { caller, locale, t } = await signedInPage();
  const { key } = await params;
  if (!keySchema.safeParse(key).success) notFound();
  const process = await pageData(caller.process.get({ key }));
  const definition = process.draft?.content ?? process.latest?.definition;
  const departments = (await caller.process.departments()).map((d) => ({
    key: d.key,
    name: localize(d.name, locale) ?? d.key,
  }));
  // For the pickers: the company's forms, and the processes a call activity may start.
  const forms = await caller.process.formCatalog();
  const decisions = await caller.process.decisionCatalog();
  const people = await caller.process.peopleCatalog();
  const processes = (await caller.process.list())
    .filter((p) => p.key !== key)
    .map((p) => ({ key: p.key, name: localize(p.name, locale) ?? p.key, published: p.latestVersion !== null }));
  const name = localize(((definition as { name?: LocalizedText } | undefined)?.name ?? key) as LocalizedText, locale);
  return (
    <>
      <p>
        <Link href="/processes">← {t('designerBack')}</Link>
      </p>
      <h1>{name}</h1>
      <DesignerLoader
        processKey={key}
        locale={locale}
        definition={definition}
        revision={process.draft?.revision ?? null}
        baseVersion={process.latest?.version ?? null}
        importReport={process.draft?.importReport ?? null}
        departments={departments}
        forms={forms}
        processes={processes}
        decisions={decisions}
        people={people}
      />
      <section className="panel designer-versions" aria-labelledby="versions-title">
        <h2 id="versions-title">{t('designerVersions')}</h2>
        {process.versions.length === 0 ? (
          <p className="muted">{t('designerNoVersions')}</p>
        ) : (
          <ul>
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
        {(process.versions.length > 1 || (process.versions.length > 0 && process.draft)) && (
          <p>
            <Link href={`/processes/${key}/versions`}>{t('versionsOpen')}</Link>
          </p>
        )}
      </section>
    </>
  );
}
