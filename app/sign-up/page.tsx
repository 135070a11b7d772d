/**
 * Create an account and a company (its creator its admin). With `?invite=<token>` the company
 * field goes away: the account joins the inviting company instead (account-actions.ts, joinerFor).
 */
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { SignUpForm } from '../_components/account-forms';
import { translator } from '../_i18n/messages';
import { samePath } from '../server/http';
import { serverCaller } from '../server/request';
import { PASSWORD_MIN } from '../server/sign-up';

export default async function SignUpPage({
  searchParams,
}: {
  searchParams: Promise<{ invite?: string; next?: string }>;
}) {
  const { caller, ctx } = await serverCaller();
  const params = await searchParams;
  const invite = params.invite && params.invite.length <= 200 ? params.invite : undefined;
  const next = params.next ? samePath(params.next) : undefined;
  if (ctx.actor && !invite) redirect('/inbox');
  const t = translator(ctx.locale);
  // The invited address, prefilled (a dead link is explained by the form when it is sent).
  const invited = invite ? await caller.invitation.preview({ token: invite }).catch(() => null) : null;
  return (
    <div className="account">
      <h1>{t('signUpTitle')}</h1>
      <p className="muted">{invite ? t('signUpInviteIntro') : t('signUpIntro')}</p>
      <SignUpForm
        locale={ctx.locale}
        minPassword={PASSWORD_MIN}
        {...(invite ? { invite } : {})}
        {...(invited ? { email: invited.email } : {})}
        {...(next ? { next } : {})}
      />
      <p className="account-links">
        <Link href={`/sign-in${invite ? `?invite=${encodeURIComponent(invite)}` : ''}`}>{t('signInLink')}</Link>
      </p>
    </div>
  );
}
