/** One decision table in the table editor: its latest version. A key that is not the company's is 404. */
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { decisionSchema } from '@/engine/decisions/model';
import { DecisionEditorLoader } from '../../_components/decision-editor/loader';
import { pageData, signedInPage } from '../../server/page-helpers';

export default async function DecisionPage({ params }: { params: Promise<{ key: string }> }) {
  const { caller, locale, t } = await signedInPage();
  const { key } = await params;
  if (!decisionSchema.shape.id.safeParse(key).success) notFound();
  const opened = await pageData(caller.decision.get({ key }));
  return (
    <>
      <p>
        <Link href="/decisions">← {t('decisionsTitle')}</Link>
      </p>
      <h1>{opened.decision.name || key}</h1>
      <DecisionEditorLoader
        key={opened.version}
        locale={locale}
        decision={opened.decision}
        baseVersion={opened.version}
        publishedAt={opened.publishedAt.toISOString()}
      />
    </>
  );
}
