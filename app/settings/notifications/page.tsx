import { signedInPage } from '../../server/page-helpers';
import { NotificationSettingsForm } from '../../_components/notification-settings';

export default async function NotificationSettingsPage() {
  const { caller, locale, t } = await signedInPage();
  const settings = await caller.collab.notificationSettings();
  return (
    <>
      <h1>{t('notifySettingsTitle')}</h1>
      <p className="muted">{t('notifySettingsIntro')}</p>
      <NotificationSettingsForm settings={settings} locale={locale} />
    </>
  );
}
