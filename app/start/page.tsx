import Link from 'next/link';
import { localize } from '@/engine/model/definition';
import { signedInPage } from '../server/page-helpers';

type Params = Record<string, string | string[] | undefined>;

/** What the caller may start, by department, with a search without accents (`?q=`, a plain GET form: no script needed). */
export default async function StartListPage({ searchParams }: { searchParams: Promise<Params> }) {
  const { caller, actor, locale, t } = await signedInPage();
  const raw = (await searchParams).q;
  const q = typeof raw === 'string' ? raw.trim().slice(0, 200) : '';
  const { groups, total } = await caller.runner.startable(q ? { q } : {});
  const found = groups.reduce((n, g) => n + g.processes.length, 0);
  return (
    <>
      <h1>{t('startTitle')}</h1>
      <p className="muted">{t('startIntro', { company: actor.tenantName })}</p>
      {total === 0 ? (
        <div className="panel muted">{t('startEmpty')}</div>
      ) : (
        <>
          <form method="get" action="/start" role="search" className="start-search">
            <label htmlFor="start-q">{t('runnerStartSearch')}</label>
            <div className="start-search-row">
              <input
                id="start-q"
                type="search"
                name="q"
                defaultValue={q}
                placeholder={t('runnerStartSearchHint')}
                maxLength={200}
              />
              <button type="submit" className="primary">
                {t('runnerStartSearchButton')}
              </button>
              {q && <Link href="/start">{t('runnerStartClear')}</Link>}
            </div>
          </form>
          {q && (
            <p className="muted" role="status">
              {found === 0 ? t('runnerStartNoMatch', { q }) : t('runnerStartFound', { count: found, total, q })}
            </p>
          )}
          {groups.map((group) => {
            const id = `department-${group.key ?? 'other'}`;
            return (
              <section
                key={group.key ?? ''}
                className="start-group"
                aria-labelledby={id}
                data-department={group.key ?? ''}
              >
                <h2 id={id}>
                  {group.key === null ? t('runnerStartOther') : localize(group.name ?? undefined, locale)}
                </h2>
                <div className="cards">
                  {group.processes.map((p) => (
                    <article className="card" key={p.id}>
                      <h3>{localize(p.name, locale)}</h3>
                      <p className="muted">{localize(p.description ?? undefined, locale)}</p>
                      <div>
                        <Link className="button" href={`/start/${p.key}`}>
                          {t('startButton')}
                        </Link>
                      </div>
                    </article>
                  ))}
                </div>
              </section>
            );
          })}
        </>
      )}
    </>
  );
}
