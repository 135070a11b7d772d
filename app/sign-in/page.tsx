import { redirect } from 'next/navigation';
import { localize } from '@/engine/model/definition';
import { translator } from '../_i18n/messages';
import { serverCaller } from '../server/request';

export default async function SignInPage() {
  const { caller, ctx } = await serverCaller();
  if (ctx.actor) redirect('/inbox');
  const t = translator(ctx.locale);
  // Department by department, people without one last; names compared the Vietnamese way.
  const people = (await caller.session.demoUsers()).sort((a, b) => {
    const da = localize(a.department ?? undefined, ctx.locale) ?? '\uffff';
    const db = localize(b.department ?? undefined, ctx.locale) ?? '\uffff';
    return da.localeCompare(db, 'vi') || a.displayName.localeCompare(b.displayName, 'vi');
  });
  return (
    <>
      <h1>{t('signInTitle')}</h1>
      <p className="muted">{t('signInIntro')}</p>
      <div className="people">
        {people.map((p) => (
          <form key={`${p.id}-${localize(p.department ?? undefined, 'en') ?? ''}`} method="post" action="/api/session">
            <input type="hidden" name="userId" value={p.id} />
            <button type="submit" className="person" aria-label={t('signInAs', { name: p.displayName })} data-email={p.email}>
              <strong>{p.displayName}</strong>
              <span>{p.title}</span>
              <span>
                {localize(p.department ?? undefined, ctx.locale) ?? t(`role_${p.role}`)} · {p.company}
              </span>
            </button>
          </form>
        ))}
      </div>
    </>
  );
}
