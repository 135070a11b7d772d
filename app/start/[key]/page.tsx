import { localize } from '@/engine/model/definition';
import { CommandForm } from '../../_components/command-form';
import { pageData, signedInPage } from '../../server/page-helpers';

const EMPTY_FORM = { schema: { type: 'object', properties: {} }, uiSchema: {}, i18n: {} };

export default async function StartPage({ params }: { params: Promise<{ key: string }> }) {
  const { key } = await params;
  const { caller, locale, t } = await signedInPage();
  const process = await pageData(caller.definition.get({ key }));
  return (
    <>
      <h1>{localize(process.name, locale)}</h1>
      <p className="muted">{localize(process.description ?? undefined, locale)}</p>
      <section className="panel">
        <CommandForm
          command={{ kind: 'startProcess', definitionKey: process.key }}
          form={process.startForm ?? EMPTY_FORM}
          locale={locale}
          submitLabel={t('submit')}
        />
      </section>
    </>
  );
}
