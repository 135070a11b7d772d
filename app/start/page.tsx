import Link from 'next/link';
import { localize } from '@/engine/model/definition';
import { signedInPage } from '../server/page-helpers';

export default async function StartListPage() {
  const { caller, actor, locale, t } = await signedInPage();
  const processes = await caller.definition.list();
  return (
    <>
      <h1>{t('startTitle')}</h1>
      <p className="muted">{t('startIntro', { company: actor.tenantName })}</p>
      {processes.length === 0 ? (
        <div className="panel muted">{t('startEmpty')}</div>
      ) : (
        <div className="cards">
          {processes.map((p) => (
            <article className="card" key={p.id}>
              <h2>{localize(p.name, locale)}</h2>
              <p className="muted">{localize(p.description ?? undefined, locale)}</p>
              <div>
                <Link className="button" href={`/start/${p.key}`}>
                  {t('startButton')}
                </Link>
              </div>
            </article>
          ))}
        </div>
      )}
    </>
  );
}
