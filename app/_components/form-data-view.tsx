import type { ReactNode } from 'react';
import { isAttachmentField } from '@/engine/forms/attachments';
import { localizeFormSchema, topLevelFields, type LocalizableForm } from '@/engine/forms/form';
import { formatDate, formatFileSize, formatVnd } from '../_i18n/format';
import { translator, type Locale } from '../_i18n/messages';

type Schema = Record<string, unknown>;
type ViewForm = LocalizableForm & { uiSchema: Record<string, unknown> };

/**
 * Shows submitted form data read-only, labelled and formatted by the forms that collected it (the
 * first form that has a field labels it): VND amounts as money, dates as dates, choices by their
 * label, a table's rows as a table, a file as its download link. Values are rendered as text.
 */
export function FormDataView({
  form,
  forms,
  data,
  locale,
}: {
  form?: ViewForm | null;
  forms?: ViewForm[];
  data: Record<string, unknown>;
  locale: Locale;
}) {
  const all = [...(form ? [form] : []), ...(forms ?? [])];
  const rows: { key: string; label: string; value: ReactNode }[] = [];
  const shown = new Set<string>();
  for (const f of all) {
    const schema = localizeFormSchema(f, locale);
    const properties = Object.fromEntries(topLevelFields(schema)) as Record<string, Schema>;
    const order = (f.uiSchema['ui:order'] as string[] | undefined)?.filter((k) => k in properties) ?? [];
    for (const key of [...order, ...Object.keys(properties).filter((k) => !order.includes(k))]) {
      if (
        shown.has(key) ||
        !Object.hasOwn(data, key) ||
        data[key] === undefined ||
        data[key] === null ||
        data[key] === ''
      )
        continue;
      shown.add(key);
      const ui = f.uiSchema[key] as
        { 'ui:widget'?: string; items?: Record<string, { 'ui:widget'?: string }> } | undefined;
      rows.push({
        key,
        label: String(properties[key]!.title ?? key),
        value: display(data[key], properties[key]!, ui, locale),
      });
    }
  }
  if (all.length === 0) {
    // Who started it is on the page already (its header); the rest, as the process holds it.
    for (const [key, value] of Object.entries(data))
      if (key !== 'initiator')
        rows.push({ key, label: key, value: typeof value === 'string' ? value : JSON.stringify(value) });
  }
  if (rows.length === 0) return <p className="muted">{translator(locale)('dataNone')}</p>;
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

function display(
  value: unknown,
  schema: Schema,
  ui: { 'ui:widget'?: string; items?: Record<string, { 'ui:widget'?: string }> } | undefined,
  locale: Locale,
): ReactNode {
  if (isAttachmentField(schema)) return <FileLink file={value} locale={locale} />;
  const items = schema.items as Schema | undefined;
  if (Array.isArray(value) && items && typeof items.properties === 'object' && items.properties !== null) {
    const all = items.properties as Record<string, Schema>;
    const order = (ui?.items as { 'ui:order'?: unknown } | undefined)?.['ui:order'];
    const ordered = Array.isArray(order)
      ? order.filter((k): k is string => typeof k === 'string' && Object.hasOwn(all, k))
      : [];
    const columns = [...ordered, ...Object.keys(all).filter((k) => !ordered.includes(k))].map(
      (k) => [k, all[k]!] as const,
    );
    return (
      <div className="rows-view">
        <table className="list compact">
          <thead>
            <tr>
              {columns.map(([k, c]) => (
                <th key={k} scope="col">
                  {String(c.title ?? k)}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {value.slice(0, 500).map((row, i) => (
              <tr key={i}>
                {columns.map(([k, c]) => {
                  const cell =
                    row !== null && typeof row === 'object' ? (row as Record<string, unknown>)[k] : undefined;
                  return (
                    <td key={k} className={isAttachmentField(c) ? undefined : 'nowrap'}>
                      {cell === undefined || cell === null || cell === ''
                        ? ''
                        : display(cell, c, ui?.items?.[k], locale)}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }
  return text(value, schema, ui?.['ui:widget'], locale);
}

function text(value: unknown, schema: Schema, widget: string | undefined, locale: Locale): string {
  if (widget === 'vnd' && typeof value === 'number') return formatVnd(value, locale);
  if (schema.format === 'date' && typeof value === 'string') return formatDate(value, locale);
  if (Array.isArray(schema.oneOf)) {
    const option = (schema.oneOf as Schema[]).find((o) => o.const === value);
    if (option && typeof option.title === 'string') return option.title;
  }
  if (typeof value === 'boolean') return translator(locale)(value ? 'valueYes' : 'valueNo');
  if (typeof value === 'number') return new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-US').format(value);
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** A file a form holds: its name as a download link (the server sends it as an attachment), and its size. */
export function FileLink({ file, locale }: { file: unknown; locale: Locale }) {
  const ref = file as { id?: unknown; name?: unknown; size?: unknown } | null;
  if (!ref || typeof ref.id !== 'string' || typeof ref.name !== 'string') return null;
  const size = typeof ref.size === 'number' ? formatFileSize(ref.size, locale) : '';
  return (
    <a
      href={`/api/attachments/${encodeURIComponent(ref.id)}`}
      download={ref.name}
      aria-label={translator(locale)('fileDownload', { name: ref.name, size })}
      data-attachment={ref.id}
    >
      {ref.name}
      {size && <span className="muted small"> ({size})</span>}
    </a>
  );
}
