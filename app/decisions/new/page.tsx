/** A new decision table: the table editor on a blank table (nothing is kept until it is published). */
import Link from 'next/link';
import { decisionSchema } from '@/engine/decisions/model';
import { DecisionEditorLoader } from '../../_components/decision-editor/loader';
import { pageData, signedInPage } from '../../server/page-helpers';

export default async function NewDecisionPage({
  searchParams,
}: {
  searchParams: Promise<{ key?: string | string[] }>;
}) {
  const { caller, locale, t } = await signedInPage();
  await pageData(caller.decision.list());
  // A key suggested by the process designer (a business rule task's table); anything else is ignored.
  const { key } = await searchParams;
  const suggested = typeof key === 'string' && decisionSchema.shape.id.safeParse(key).success ? key : '';
  return (
    <>
      <p>
        <Link href="/decisions">← {t('decisionsTitle')}</Link>
      </p>
      <h1>{t('decisionNewTitle')}</h1>
      <DecisionEditorLoader
        locale={locale}
        decision={null}
        suggestedKey={suggested}
        baseVersion={null}
        publishedAt={null}
      />
    </>
  );
}
