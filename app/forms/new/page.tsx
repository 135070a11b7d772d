/** A new form: its key, then the form designer on an empty form (nothing is kept until it is published). */
import Link from 'next/link';
import { keySchema } from '@/engine/model/definition';
import { NewForm } from '../../_components/form-designer/new-form';
import { pageData, signedInPage } from '../../server/page-helpers';

export default async function NewFormPage({ searchParams }: { searchParams: Promise<{ key?: string | string[] }> }) {
  const { caller, locale, t } = await signedInPage();
  await pageData(caller.form.list());
  // A key suggested by the process designer (a user task's form); anything else is ignored.
  const { key } = await searchParams;
  const suggested = typeof key === 'string' && keySchema.safeParse(key).success ? key : '';
  return (
    <>
      <p>
        <Link href="/forms">← {t('formsTitle')}</Link>
      </p>
      <h1>{t('formNewTitle')}</h1>
      <NewForm locale={locale} suggested={suggested} />
    </>
  );
}
