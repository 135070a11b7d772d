/**
 * Where an invitation link lands (/invite/<token>): the company, the role and the invited
 * address — the preview tells no more. Signed out: create an account or sign in (helper pages
 * carry the token and come back here). Signed in with the invited address (in another company or
 * none): one button joins and opens the company's inbox. Signed in as someone else: says so.
 * A link that is unknown, used, revoked or expired says why, and nothing else.
 */
import Link from 'next/link';
import { TRPCError } from '@trpc/server';
import { AcceptInvitationButton } from '../../_components/invitation-accept';
import { translator } from '../../_i18n/messages';
import { signOutAction } from '../../server/account-actions';
import { requestSession, serverCaller } from '../../server/request';

export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token: raw } = await params;
  let token = raw.slice(0, 200);
  try {
    token = decodeURIComponent(raw).slice(0, 200);
  } catch {
    // A malformed escape: the preview below says the link is not valid.
  }
  const { caller, ctx } = await serverCaller();
  const t = translator(ctx.locale);
  let invitation: Awaited<ReturnType<typeof caller.invitation.preview>>;
  try {
    invitation = await caller.invitation.preview({ token });
  } catch (error) {
    if (
      !(error instanceof TRPCError) ||
      !['NOT_FOUND', 'CONFLICT', 'PRECONDITION_FAILED', 'BAD_REQUEST'].includes(error.code)
    )
      throw error;
    return (
      <div className="panel invite-card">
        <h1>{t('inviteUnusable')}</h1>
        <p className="notice error" role="alert">
          {error.message}
        </p>
        <Link href="/">{t('inviteGoHome')}</Link>
      </div>
    );
  }
  const { companyName: company, email } = invitation;
  const role = t(`role_${invitation.role}`);
  const session = await requestSession();
  const here = `/invite/${encodeURIComponent(token)}`;
  const sameAddress = session && session.email.trim().toLowerCase() === email;

  return (
    <div className="panel invite-card" data-testid="invitation">
      <h1>{t('inviteTitlePage', { company })}</h1>
      <p>{t('inviteRoleLine', { company, role })}</p>
      <p className="muted">{t('inviteForEmail', { email })}</p>
      {!session ? (
        <>
          <p>{t('inviteSignedOutHint', { email, company })}</p>
          <div className="buttons">
            <Link className="button" href={`/sign-up?invite=${encodeURIComponent(token)}`}>
              {t('inviteSignUp')}
            </Link>
            <Link href={`/sign-in?invite=${encodeURIComponent(token)}&next=${encodeURIComponent(here)}`}>
              {t('inviteSignIn')}
            </Link>
          </div>
        </>
      ) : sameAddress ? (
        <>
          <p className="muted">{t('inviteSignedInAs', { email: session.email })}</p>
          <div className="buttons">
            <AcceptInvitationButton token={token} company={company} locale={ctx.locale} />
          </div>
        </>
      ) : (
        <>
          <p className="notice error" role="alert">
            {t('inviteWrongAccount', { email, current: session.email })}
          </p>
          <form action={signOutAction}>
            <button type="submit" className="secondary">
              {t('signOut')}
            </button>
          </form>
        </>
      )}
    </div>
  );
}
