'use client';

import Form from '@rjsf/core';
import { englishStringTranslator, TranslatableString, type ErrorSchema, type RJSFSchema, type RJSFValidationError, type UiSchema, type WidgetProps } from '@rjsf/utils';
import { useMemo, useState } from 'react';
import { localizeFormSchema, patternMessageAt, type JsonSchema, type LocalizableForm } from '@/engine/forms/form';
import { formatVnd } from '../_i18n/format';
import { translator, type Locale } from '../_i18n/messages';
import type { FieldError } from '../server/errors';
import { formValidator } from './form-validator';
import { prefill } from './prefill';
import { describeFailure, type ClientFailure } from './trpc';

export interface JsonFormProps {
  form: LocalizableForm & { uiSchema: Record<string, unknown> };
  locale: Locale;
  submitLabel: string;
  /** Sends the data; resolves when done, rejects with the server's error. */
  onSubmit: (data: Record<string, unknown>) => Promise<void>;
  /** What the fields show at first: a task form shows the instance's current values (see prefill). */
  initialData?: Record<string, unknown>;
  /** Prefix of the fields' ids ("root" unless given): two forms on one page keep their ids apart. */
  idPrefix?: string;
}

/** Renders a form definition with RJSF; shows the server's field errors next to the fields. */
export function JsonForm({ form, locale, submitLabel, onSubmit, initialData, idPrefix }: JsonFormProps) {
  const t = translator(locale);
  const schema = useMemo(() => localizeFormSchema(form, locale) as RJSFSchema, [form, locale]);
  const uiSchema = useMemo<UiSchema>(() => ({ ...form.uiSchema, 'ui:submitButtonOptions': { submitText: submitLabel } }), [form.uiSchema, submitLabel]);
  const [formData, setFormData] = useState<Record<string, unknown>>(() => prefill(form.schema as Record<string, unknown>, initialData));
  const [failure, setFailure] = useState<ClientFailure | null>(null);
  const [busy, setBusy] = useState(false);

  return (
    <>
      {failure && (
        <div className="notice error" role="alert">
          <strong>{failure.code === 'CONFLICT' ? t('conflict') : t('errorTitle')}</strong>
          {failure.fields.length > 0 ? (
            <>
              <div>{t('errorFields')}</div>
              <ul>
                {failure.fields.map((f) => (
                  <li key={`${f.field}-${f.message}`}>
                    {f.label}: {f.message}
                  </li>
                ))}
              </ul>
            </>
          ) : (
            <div>{failure.message}</div>
          )}
        </div>
      )}
      <Form
        schema={schema}
        uiSchema={uiSchema}
        formData={formData}
        validator={formValidator}
        widgets={WIDGETS}
        idPrefix={idPrefix}
        translateString={(text, params) => (locale === 'vi' ? (RJSF_VI[text] ?? englishStringTranslator(text, params)) : englishStringTranslator(text, params))}
        formContext={{ locale }}
        noHtml5Validate
        // A choice list must be chosen, not pre-filled with its first option.
        experimental_defaultFormStateBehavior={{ constAsDefaults: 'skipOneOf' }}
        showErrorList={false}
        // A field shown only when a condition holds sends nothing once hidden again (the server would refuse it).
        omitExtraData
        // An unmet `if`/`then` is reported on the fields `then` requires; its own summary only adds noise.
        transformErrors={(errors) => errors.filter((e) => e.name !== 'if').map((e) => withPatternMessage(locale === 'vi' ? toVietnamese(e) : e, schema as JsonSchema))}
        extraErrors={failure ? toErrorSchema(failure.fields) : undefined}
        disabled={busy}
        onChange={(e) => setFormData(e.formData as Record<string, unknown>)}
        onSubmit={async (e) => {
          setBusy(true);
          setFailure(null);
          try {
            await onSubmit((e.formData ?? {}) as Record<string, unknown>);
          } catch (error) {
            setFailure(describeFailure(error));
            setBusy(false);
          }
        }}
      />
    </>
  );
}

/** Whole-dong amounts, with the amount written out in VND as the user types. */
function VndWidget(props: WidgetProps) {
  const { id, value, required, disabled, readonly, onChange, onBlur, onFocus, registry } = props;
  const locale = ((registry.formContext as { locale?: Locale } | undefined)?.locale ?? 'vi') as Locale;
  return (
    <>
      <input
        id={id}
        name={id}
        type="number"
        inputMode="numeric"
        step={1}
        min={0}
        value={typeof value === 'number' ? value : ''}
        required={required}
        disabled={disabled || readonly}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
        onBlur={(e) => onBlur(id, e.target.value)}
        onFocus={(e) => onFocus(id, e.target.value)}
      />
      {typeof value === 'number' && Number.isFinite(value) && (
        <div className="money-hint" aria-live="polite">
          {formatVnd(value, locale)}
        </div>
      )}
    </>
  );
}

/** RJSF's own button texts (a table's rows: add, remove, move), in Vietnamese; shown as the buttons' text (globals.css). */
const RJSF_VI: Partial<Record<TranslatableString, string>> = {
  [TranslatableString.AddButton]: 'Thêm dòng',
  [TranslatableString.AddItemButton]: 'Thêm dòng',
  [TranslatableString.RemoveButton]: 'Xóa dòng',
  [TranslatableString.MoveUpButton]: 'Lên',
  [TranslatableString.MoveDownButton]: 'Xuống',
  [TranslatableString.CopyButton]: 'Chép',
};

/** A percentage: a number with its sign beside it. */
function PercentWidget(props: WidgetProps) {
  const { id, value, required, disabled, readonly, onChange, onBlur, onFocus, schema } = props;
  return (
    <span className="percent-input">
      <input
        id={id}
        name={id}
        type="number"
        inputMode="decimal"
        step="any"
        min={typeof schema.minimum === 'number' ? schema.minimum : undefined}
        max={typeof schema.maximum === 'number' ? schema.maximum : undefined}
        value={typeof value === 'number' ? value : ''}
        required={required}
        disabled={disabled || readonly}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
        onBlur={(e) => onBlur(id, e.target.value)}
        onFocus={(e) => onFocus(id, e.target.value)}
      />
      <span aria-hidden="true"> %</span>
    </span>
  );
}

/** A one-line text input of a given kind (a phone number, a colleague's email, a department's key). */
function textInput(type: 'tel' | 'email' | 'text', autoComplete: string) {
  return function TextKindWidget(props: WidgetProps) {
    const { id, value, required, disabled, readonly, onChange, onBlur, onFocus } = props;
    return (
      <input
        id={id}
        name={id}
        type={type}
        autoComplete={autoComplete}
        value={typeof value === 'string' ? value : ''}
        required={required}
        disabled={disabled || readonly}
        onChange={(e) => onChange(e.target.value === '' ? undefined : e.target.value)}
        onBlur={(e) => onBlur(id, e.target.value)}
        onFocus={(e) => onFocus(id, e.target.value)}
      />
    );
  };
}

/** The widgets the form designer's kinds name (engine/forms/authoring.ts): VND amounts, percentages, phone numbers, people, departments. */
const WIDGETS = { vnd: VndWidget, percent: PercentWidget, phone: textInput('tel', 'tel'), person: textInput('email', 'off'), department: textInput('text', 'off') };

function toErrorSchema(fields: FieldError[]): ErrorSchema {
  const schema: Record<string, { __errors: string[] }> = {};
  for (const f of fields) {
    const key = f.field.split('.')[0] ?? f.field;
    (schema[key] ??= { __errors: [] }).__errors.push(f.message);
  }
  return schema as unknown as ErrorSchema;
}

const VI_MESSAGES: Record<string, (params: Record<string, unknown>) => string> = {
  required: () => 'là trường bắt buộc',
  minLength: (p) => `cần ít nhất ${String(p.limit)} ký tự`,
  maxLength: (p) => `tối đa ${String(p.limit)} ký tự`,
  minimum: (p) => `phải lớn hơn hoặc bằng ${String(p.limit)}`,
  maximum: (p) => `phải nhỏ hơn hoặc bằng ${String(p.limit)}`,
  pattern: () => 'không đúng định dạng',
  format: (p) => (p.format === 'date' ? 'phải là ngày hợp lệ' : 'không đúng định dạng'),
  type: () => 'sai kiểu dữ liệu',
  oneOf: () => 'phải chọn một giá trị trong danh sách',
  const: () => 'phải chọn một giá trị trong danh sách',
};

/** A pattern error says what the designer wrote for the field (its pattern message), not the regular expression. */
function withPatternMessage(error: RJSFValidationError, schema: JsonSchema): RJSFValidationError {
  if (error.name !== 'pattern' || !error.schemaPath) return error;
  const message = patternMessageAt(schema, error.schemaPath);
  return message ? { ...error, message, stack: `${error.property ?? ''} ${message}`.trim() } : error;
}

function toVietnamese(error: RJSFValidationError): RJSFValidationError {
  const make = error.name ? VI_MESSAGES[error.name] : undefined;
  return make ? { ...error, message: make((error.params ?? {}) as Record<string, unknown>) } : error;
}

