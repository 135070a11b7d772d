/** Sign in with email and password; a signed-in member goes straight on: to the page they were sent from (`next=`, this site's only), else the inbox. */
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { SignInForm } from '../_components/account-forms';
import { translator } from '../_i18n/messages';
import { signOutAction } from '../server/account-actions';
import { samePath } from '../server/http';
import { requestSession, serverCaller } from '../server/request';

export default async function SignInPage({
  searchParams,
}: {
  searchParams: Promise<{ next?: string | string[]; invite?: string }>;
}) {
  const { ctx } = await serverCaller();
  const params = await searchParams;
  // Where a signed-out visitor was going (signInPath): a page of this site, else nowhere in particular.
  const back = typeof params.next === 'string' ? samePath(params.next, '/inbox') : '/inbox';
  const next = back === '/inbox' ? undefined : back;
  if (ctx.actor) redirect(back);
  const t = translator(ctx.locale);
  const session = await requestSession();
  const signUpQuery = new URLSearchParams([
    ...(params.invite ? [['invite', params.invite]] : []),
    ...(next ? [['next', next]] : []),
  ]).toString();
  const signUp = `/sign-up${signUpQuery ? `?${signUpQuery}` : ''}`;
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
          <p className="muted">{next ? t('signInToContinue') : t('signInIntro')}</p>
          <SignInForm locale={ctx.locale} {...(next ? { next } : {})} />
          <p className="account-links">
            <Link href={signUp}>{t('signUpLink')}</Link>
          </p>
        </>
      )}
    </div>
  );
}
