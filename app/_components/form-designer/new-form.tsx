'use client';

/** A new form's key (checked as typed with the definition's own key rule), then the designer on an empty form. */
import { useId, useState } from 'react';
import { keySchema } from '@/engine/model/definition';
import { translator, type Locale } from '../../_i18n/messages';
import { FormDesigner } from './form-designer';
import { ImportFormFile, ImportReportPanel, type ImportedDesign } from './import-form';

export function NewForm({ locale, suggested = '' }: { locale: Locale; suggested?: string }) {
  const t = translator(locale);
  const id = useId();
  const [key, setKey] = useState(suggested);
  const [started, setStarted] = useState<string | null>(null);
  const [imported, setImported] = useState<ImportedDesign | null>(null);
  const invalid = key !== '' && !keySchema.safeParse(key).success;
  if (imported) {
    return (
      <>
        <ImportReportPanel opened={imported} locale={locale} />
        <FormDesigner locale={locale} design={imported.design} baseVersion={null} />
      </>
    );
  }
  if (started)
    return (
      <FormDesigner
        locale={locale}
        design={{ key: started, version: 1, title: { en: '', vi: '' }, fields: [] }}
        baseVersion={null}
      />
    );
  return (
    <>
      <form
        className="panel narrow"
        onSubmit={(e) => {
          e.preventDefault();
          if (key && !invalid) setStarted(key);
        }}
      >
        <label htmlFor={id} className="props-field">
          {t('formNewKey')}
          <input
            id={id}
            value={key}
            onChange={(e) => setKey(e.target.value.trim())}
            aria-invalid={invalid ? true : undefined}
            aria-describedby={`${id}-note`}
            autoComplete="off"
            required
            data-testid="new-form-key"
          />
          <span
            id={`${id}-note`}
            className={invalid ? 'field-error' : 'muted small'}
            role={invalid ? 'alert' : undefined}
          >
            {invalid ? t('formNewKeyInvalid') : t('formNewKeyHint')}
          </span>
        </label>
        <button type="submit">{t('formNewStart')}</button>
      </form>
      <div className="panel narrow">
        <ImportFormFile locale={locale} onOpened={setImported} />
      </div>
    </>
  );
}
