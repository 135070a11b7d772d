/** Ask for a password reset link (sent through the outbox; the same answer for any address). */
import Link from 'next/link';
import { ForgotPasswordForm } from '../_components/account-forms';
import { translator } from '../_i18n/messages';
import { RESET_TOKEN_SECONDS } from '../server/auth';
import { requestLocale } from '../server/request';

export default async function ForgotPasswordPage() {
  const locale = await requestLocale();
  const t = translator(locale);
  return (
    <div className="account">
      <h1>{t('forgotTitle')}</h1>
      <p className="muted">{t('forgotIntro', { minutes: RESET_TOKEN_SECONDS / 60 })}</p>
      <ForgotPasswordForm locale={locale} />
      <p className="account-links">
        <Link href="/sign-in">{t('signInLink')}</Link>
      </p>
    </div>
  );
}
