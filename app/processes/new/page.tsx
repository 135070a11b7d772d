/** A new process: names, key and department; it opens as a blank draft in the designer. */
import Link from 'next/link';
import { localize } from '@/engine/model/definition';
import { NewProcessForm } from '../../_components/designer/new-process';
import { pageData, signedInPage } from '../../server/page-helpers';

export default async function NewProcessPage() {
  const { caller, locale, t } = await signedInPage();
  const departments = await pageData(caller.process.departments());
  return (
    <>
      <p>
        <Link href="/processes">← {t('designerBack')}</Link>
      </p>
      <h1>{t('newProcessTitle')}</h1>
      <p className="muted">{t('newProcessIntro')}</p>
      <NewProcessForm
        locale={locale}
        departments={departments.map((d) => ({ key: d.key, name: localize(d.name, locale) ?? d.key }))}
      />
    </>
  );
}
