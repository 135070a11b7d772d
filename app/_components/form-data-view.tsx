import { localizeFormSchema, type LocalizableForm } from '@/engine/forms/form';
import { formatDate, formatVnd } from '../_i18n/format';
import type { Locale } from '../_i18n/messages';

type Schema = Record<string, unknown>;

/**
 * Shows submitted form data read-only, labelled and formatted by the form that collected it:
 * VND amounts as money, dates as dates, choices by their label. Values are rendered as text.
 */
export function FormDataView({ form, data, locale }: { form: (LocalizableForm & { uiSchema: Record<string, unknown> }) | null; data: Record<string, unknown>; locale: Locale }) {
  const rows: { key: string; label: string; value: string }[] = [];
  if (form) {
    const schema = localizeFormSchema(form, locale);
    const properties = (schema.properties ?? {}) as Record<string, Schema>;
    const order = (form.uiSchema['ui:order'] as string[] | undefined) ?? Object.keys(properties);
    for (const key of order.filter((k) => k in properties)) {
      if (data[key] === undefined || data[key] === null || data[key] === '') continue;
      const ui = form.uiSchema[key] as { 'ui:widget'?: string } | undefined;
      rows.push({ key, label: String(properties[key]!.title ?? key), value: display(data[key], properties[key]!, ui?.['ui:widget'], locale) });
    }
  } else {
    for (const [key, value] of Object.entries(data)) rows.push({ key, label: key, value: typeof value === 'string' ? value : JSON.stringify(value) });
  }
  return (
    <dl className="facts">
      {rows.map((r) => (
        <div key={r.key} style={{ display: 'contents' }} data-field={r.key}>
          <dt>{r.label}</dt>
          <dd>{r.value}</dd>
        </div>
      ))}
    </dl>
  );
}

function display(value: unknown, schema: Schema, widget: string | undefined, locale: Locale): string {
  if (widget === 'vnd' && typeof value === 'number') return formatVnd(value, locale);
  if (schema.format === 'date' && typeof value === 'string') return formatDate(value, locale);
  if (Array.isArray(schema.oneOf)) {
    const option = (schema.oneOf as Schema[]).find((o) => o.const === value);
    if (option && typeof option.title === 'string') return option.title;
  }
  if (typeof value === 'number') return new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-US').format(value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}
