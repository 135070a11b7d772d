/** Choose a new password with the emailed link's token (single use, expiring: checked when saved). */
import Link from 'next/link';
import { ResetPasswordForm } from '../_components/account-forms';
import { translator } from '../_i18n/messages';
import { requestLocale } from '../server/request';
import { PASSWORD_MIN } from '../server/sign-up';

export default async function ResetPasswordPage({ searchParams }: { searchParams: Promise<{ token?: string; error?: string }> }) {
  const locale = await requestLocale();
  const t = translator(locale);
  const { token } = await searchParams;
  return (
    <div className="account">
      <h1>{t('resetTitle')}</h1>
      {token && token.length <= 200 ? (
        <ResetPasswordForm locale={locale} token={token} minPassword={PASSWORD_MIN} />
      ) : (
        <div className="notice error">
          {t('resetInvalid')} <Link href="/forgot-password">{t('forgotLink')}</Link>
        </div>
      )}
    </div>
  );
}
