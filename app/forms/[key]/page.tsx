/** One form in the form designer: its latest version as the designer's model. A key that is not the company's is 404. */
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { keySchema } from '@/engine/model/definition';
import { FormDesigner } from '../../_components/form-designer/form-designer';
import { pageData, signedInPage } from '../../server/page-helpers';

export default async function FormDesignerPage({ params }: { params: Promise<{ key: string }> }) {
  const { caller, locale, t } = await signedInPage();
  const { key } = await params;
  if (!keySchema.safeParse(key).success) notFound();
  const opened = await pageData(caller.form.design({ key }));
  return (
    <>
      <p>
        <Link href="/forms">← {t('formsTitle')}</Link>
      </p>
      <h1>{opened.design.title[locale] || opened.design.title.en || key}</h1>
      <FormDesigner
        key={`${opened.version}-${opened.draft?.revision ?? 0}`}
        locale={locale}
        design={opened.design}
        baseVersion={opened.version}
        draftRevision={opened.draft?.revision ?? null}
      />
    </>
  );
}
