/**
 * Choose a new password with the emailed link's token (single use, expiring). The token is checked
 * when the page opens — a used or expired link says so, with a way to ask for a new one — and
 * again when the form is sent (it may expire in between).
 */
import Link from 'next/link';
import { ResetPasswordForm } from '../_components/account-forms';
import { translator } from '../_i18n/messages';
import { resetTokenWorks } from '../server/auth';
import { getDatabase } from '../server/database';
import { requestLocale } from '../server/request';
import { PASSWORD_MIN } from '../server/sign-up';

export default async function ResetPasswordPage({
  searchParams,
}: {
  searchParams: Promise<{ token?: string; error?: string }>;
}) {
  const locale = await requestLocale();
  const t = translator(locale);
  const { token } = await searchParams;
  const works = token ? await resetTokenWorks((await getDatabase()).db, token) : false;
  if (!token || !works) {
    return (
      <div className="account">
        <h1>{t('resetLinkExpired')}</h1>
        <p>
          <Link href="/forgot-password">{t('resetAskAgain')}</Link>
        </p>
      </div>
    );
  }
  return (
    <div className="account">
      <h1>{t('resetTitle')}</h1>
      <ResetPasswordForm locale={locale} token={token} minPassword={PASSWORD_MIN} />
    </div>
  );
}
