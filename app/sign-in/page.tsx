/** Sign in with email and password; a signed-in member goes straight to the inbox. */
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { SignInForm } from '../_components/account-forms';
import { translator } from '../_i18n/messages';
import { signOutAction } from '../server/account-actions';
import { samePath } from '../server/http';
import { requestSession, serverCaller } from '../server/request';

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ next?: string; invite?: string }> }) {
  const { ctx } = await serverCaller();
  const params = await searchParams;
  const next = params.next ? samePath(params.next) : undefined;
  if (ctx.actor) redirect(next ?? '/inbox');
  const t = translator(ctx.locale);
  const session = await requestSession();
  const signUp = `/sign-up${params.invite ? `?invite=${encodeURIComponent(params.invite)}` : ''}`;
  return (
    <div className="account">
      <h1>{t('signInTitle')}</h1>
      {session ? (
        <div className="panel">
          <p>{t('noCompany', { email: session.email })}</p>
          <form action={signOutAction}>
            <button type="submit" className="primary">
              {t('signOut')}
            </button>
          </form>
        </div>
      ) : (
        <>
          <p className="muted">{t('signInIntro')}</p>
          <SignInForm locale={ctx.locale} {...(next ? { next } : {})} />
          <p className="account-links">
            <Link href={signUp}>{t('signUpLink')}</Link>
          </p>
        </>
      )}
    </div>
  );
}
