/**
 * A case in a few fields (the process's summary variables, labelled by its forms), as the task
 * page shows it at its top and the instance page to a reader who may not see all of its data.
 * Values are the requester's text: shown as text.
 */
import { translator, type Locale } from '../_i18n/messages';

export interface SummaryField {
  name: string;
  label: string;
  value: unknown;
}

export function CaseSummary({ fields, locale, label }: { fields: SummaryField[]; locale: Locale; label?: string }) {
  const t = translator(locale);
  if (fields.length === 0) return null;
  const number = new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-US');
  return (
    <dl className="facts case-summary" aria-label={label ?? t('inboxColSummary')}>
      {fields.map((f) => (
        <div key={f.name}>
          <dt>{f.label}</dt>
          <dd>
            {typeof f.value === 'number'
              ? number.format(f.value)
              : typeof f.value === 'boolean'
                ? f.value
                  ? t('valueYes')
                  : t('valueNo')
                : String(f.value)}
          </dd>
        </div>
      ))}
    </dl>
  );
}
