/** A new form: its key, then the form designer on an empty form (nothing is kept until it is published). */
import Link from 'next/link';
import { NewForm } from '../../_components/form-designer/new-form';
import { signedInPage, unlessForbidden } from '../../server/page-helpers';

export default async function NewFormPage() {
  const { caller, locale, t } = await signedInPage();
  if ((await unlessForbidden(caller.form.list())) === null) return <div className="notice error">{t('formsDesignersOnly')}</div>;
  return (
    <>
      <p>
        <Link href="/forms">← {t('formsTitle')}</Link>
      </p>
      <h1>{t('formNewTitle')}</h1>
      <NewForm locale={locale} />
    </>
  );
}
