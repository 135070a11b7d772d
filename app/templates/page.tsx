/**
 * The template library, browsed by department: the packs (definitions/<department>/pack.json) as a
 * list, and one pack at a time (`?pack=<key>`, the first by default) with its processes — diagram,
 * forms, README — and the form that imports it into the company, mapping the pack's departments to
 * the company's own. `?welcome=1` (where a new company's sign-up lands) greets its admin and
 * offers to start from packs. Texts from packs are rendered as text.
 */
import { notFound } from 'next/navigation';
import { localize } from '@/engine';
import { DiagramViewLoader } from '../_components/diagram/diagram-view-loader';
import { PackFileImport, TemplateImport } from '../_components/template-import';
import { TemplateUpgrade } from '../_components/template-upgrade';
import { pageData, signedInPage } from '../server/page-helpers';

export default async function TemplatesPage({
  searchParams,
}: {
  searchParams: Promise<{ pack?: string; welcome?: string }>;
}) {
  const { caller, actor, locale, t } = await signedInPage();
  const params = await searchParams;
  const library = await pageData(caller.template.library());
  const chosen = library.find((p) => p.key === params.pack) ?? library[0];
  if (params.pack !== undefined && chosen?.key !== params.pack) notFound();
  const [origins, directory] = await Promise.all([caller.template.origins(), caller.member.directory()]);
  const departments = directory.departments.map((d) => ({ key: d.key, name: localize(d.name, locale) ?? d.key }));
  return (
    <>
      <h1>{t('templatesTitle')}</h1>
      {params.welcome === '1' && (
        <p className="notice" role="note" data-testid="templates-welcome">
          {t('templatesWelcome', { company: actor.tenantName })} <a href="/inbox">{t('templatesWelcomeSkip')}</a>
        </p>
      )}
      <p className="muted">{t('templatesIntro')}</p>
      <nav aria-label={t('templatesByDepartment')} className="template-packs">
        <ul>
          {library.map((pack) => (
            <li key={pack.key}>
              <a
                href={`/templates?pack=${encodeURIComponent(pack.key)}${params.welcome === '1' ? '&welcome=1' : ''}`}
                aria-current={pack.key === chosen?.key ? 'page' : undefined}
                data-pack-link={pack.key}
              >
                {pack.name[locale]}
              </a>{' '}
              <span className="muted small">
                {pack.templates.length === 1
                  ? t('templatesCountOne')
                  : t('templatesCount', { count: pack.templates.length })}
              </span>
            </li>
          ))}
        </ul>
      </nav>
      {(chosen ? [chosen] : []).map((pack) => (
        <section
          key={pack.key}
          className="panel template-pack"
          aria-labelledby={`pack-${pack.key}`}
          data-pack={pack.key}
        >
          <h2 id={`pack-${pack.key}`}>
            {pack.name[locale]} <span className="muted small">{t('templatesVersion', { version: pack.version })}</span>
          </h2>
          {pack.description && <p>{localize(pack.description, locale)}</p>}
          <p className="muted small">
            {t('templatesExpects')}:{' '}
            {pack.departments
              .map((d) => `${d.name[locale]}${d.roles.includes('manager') ? ` (${t('templatesRoleManager')})` : ''}`)
              .join(', ')}
          </p>
          {pack.templates.map((tpl) => {
            const origin = origins.find((o) => o.processKey === tpl.key);
            return (
              <article key={tpl.key} className="template" data-template={tpl.key}>
                <h3>{tpl.name}</h3>
                {tpl.description && <p>{tpl.description}</p>}
                {origin && (
                  <p className="notice" role="note">
                    {t('templatesHave', { pack: origin.packKey, version: origin.packVersion })} ·{' '}
                    <a href={`/processes/${encodeURIComponent(tpl.key)}`}>{t('templatesOpen', { name: tpl.name })}</a>
                  </p>
                )}
                {origin && origin.packKey === pack.key && olderVersion(origin.packVersion, pack.version) && (
                  <TemplateUpgrade
                    processKey={tpl.key}
                    name={tpl.name}
                    from={origin.packVersion}
                    to={pack.version}
                    locale={locale}
                  />
                )}
                <DiagramViewLoader
                  definition={tpl.definition}
                  locale={locale}
                  label={t('templatesDiagram', { name: tpl.name })}
                />
                <p className="muted small">
                  {t('templatesForms')}: {tpl.forms.join(', ') || '—'}
                </p>
                {tpl.readme && (
                  <details>
                    <summary>{t('templatesReadme')}</summary>
                    <div className="readme">{tpl.readme}</div>
                  </details>
                )}
              </article>
            );
          })}
          {pack.changelog.length > 0 && (
            <details>
              <summary>{t('templatesChangelog')}</summary>
              <ul>
                {pack.changelog.map((c) => (
                  <li key={c.version}>
                    <strong>{c.version}</strong>: {c.changes[locale]}
                  </li>
                ))}
              </ul>
            </details>
          )}
          <TemplateImport
            pack={{
              key: pack.key,
              name: pack.name[locale],
              departments: pack.departments.map((d) => ({ key: d.key, name: d.name[locale] })),
              templates: pack.templates.map((tpl) => ({
                key: tpl.key,
                name: tpl.name,
                have: origins.some((o) => o.processKey === tpl.key),
                departments: tpl.departments,
              })),
            }}
            company={actor.tenantName}
            departments={departments}
            mayCreate={actor.role === 'admin'}
            locale={locale}
          />
        </section>
      ))}
      <PackFileImport
        company={actor.tenantName}
        departments={departments}
        mayCreate={actor.role === 'admin'}
        locale={locale}
      />
    </>
  );
}

/** Whether semver `a` is older than `b` (major, minor, patch compared as numbers). */
function olderVersion(a: string, b: string): boolean {
  const [x, y] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if ((x![i] ?? 0) !== (y![i] ?? 0)) return (x![i] ?? 0) < (y![i] ?? 0);
  return false;
}
