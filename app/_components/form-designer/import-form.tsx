'use client';

/**
 * Import file on the forms page: a Camunda form (form-js), a Flowable form or a Camunda 7
 * embedded HTML form, read in the browser by the engine's form importers (size-limited, markup
 * parsed without running anything), opened in the form designer as a new form with the import's
 * report: what was translated and what was not, by the source's field id. Nothing is kept until
 * it is published. Names and hints are rendered as text.
 */
import { useId, useState } from 'react';
import { fromFormDefinition, type DesignForm } from '@/engine/forms/authoring';
import { importFormFile, type ImportReport } from '@/engine/forms/import';
import { translator, type Locale } from '../../_i18n/messages';

export interface ImportedDesign {
  design: DesignForm;
  report: ImportReport;
  fileName: string;
}

/** The import's report above the designer: what was translated, what was not (by the source's id), rendered as text. */
export function ImportReportPanel({ opened, locale }: { opened: ImportedDesign; locale: Locale }) {
  const t = translator(locale);
  const id = useId();
  return (
    <section className="panel" aria-labelledby={`${id}-report`} data-testid="form-import-report">
      <h2 id={`${id}-report`}>{t('formImportReport', { file: opened.fileName })}</h2>
      <p>{t('formImportTranslated', { count: opened.report.translated.length })}</p>
      {opened.report.unsupported.length > 0 && (
        <>
          <p>{t('formImportNotTranslated', { count: opened.report.unsupported.length })}</p>
          <ul>
            {opened.report.unsupported.map((u, i) => (
              <li key={i}>
                <code>{u.elementId}</code>: {u.what} — <span className="muted">{u.hint}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function ImportFormFile({ locale, onOpened }: { locale: Locale; onOpened: (opened: ImportedDesign) => void }) {
  const t = translator(locale);
  const id = useId();
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <div className="props-field">
      <label htmlFor={id}>{t('processImportFile')}</label>
      <input
        id={id}
        type="file"
        accept=".form,.json,.html,.htm"
        aria-describedby={`${id}-note`}
        onChange={async (e) => {
          const file = e.target.files?.[0];
          if (!file) return;
          setProblem(null);
          try {
            const text = await file.text();
            const imported = importFormFile(file.name, text);
            onOpened({ design: fromFormDefinition(imported.form), report: imported.report, fileName: file.name });
          } catch (error) {
            setProblem(t('formImportFailed', { file: file.name, message: (error as Error).message }));
          }
        }}
        data-testid="import-form-file"
      />
      <span id={`${id}-note`} className={problem ? 'field-error' : 'muted small'} role={problem ? 'alert' : undefined}>
        {problem ?? t('formImportHint')}
      </span>
    </div>
  );
}
