'use client';

import Form from '@rjsf/core';
import {
  englishStringTranslator,
  TranslatableString,
  type ErrorSchema,
  type RJSFSchema,
  type UiSchema,
  type WidgetProps,
} from '@rjsf/utils';
import { useEffect, useMemo, useState } from 'react';
import { computeFormValues } from '@/engine/forms/compute';
import { localizeFormSchema, type JsonSchema, type LocalizableForm } from '@/engine/forms/form';
import { translator, type Locale } from '../_i18n/messages';
import { inPeoplesWords, moneyPreview } from '../_shared/field-errors';
import type { FieldError } from '../server/errors';
import { AttachmentField, type UploadTarget } from './attachment-field';
import { formValidator } from './form-validator';
import { prefill } from './prefill';
import { describeFailure, trpc, type ClientFailure } from './trpc';

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
  /** What chosen files are uploaded for (a task, a start form); none in a preview or a test run, where they stay in the browser. */
  uploads?: UploadTarget;
}

/** Renders a form definition with RJSF; shows the server's field errors next to the fields. */
export function JsonForm({
  form,
  locale,
  submitLabel,
  onSubmit,
  initialData,
  idPrefix,
  uploads = null,
}: JsonFormProps) {
  const t = translator(locale);
  const schema = useMemo(() => localizeFormSchema(form, locale) as RJSFSchema, [form, locale]);
  const uiSchema = useMemo<UiSchema>(
    () => ({ ...form.uiSchema, 'ui:submitButtonOptions': { submitText: submitLabel } }),
    [form.uiSchema, submitLabel],
  );
  const [formData, setFormData] = useState<Record<string, unknown>>(
    () =>
      computeFormValues(form.schema, prefill(form.schema as Record<string, unknown>, initialData)) as Record<
        string,
        unknown
      >,
  );
  const [failure, setFailure] = useState<ClientFailure | null>(null);
  const [busy, setBusy] = useState(false);
  const directory = useDirectory(form.uiSchema);

  return (
    <>
      {failure && (
        <div className="notice error" role="alert">
          <strong>{failure.title ?? (failure.code === 'CONFLICT' ? t('conflict') : t('errorTitle'))}</strong>
          {failure.fields.length > 0 ? (
            <>
              <div>{t('errorFields')}</div>
              <ul>
                {failure.fields.map((f) => (
                  <li key={`${f.field}-${f.message}`}>{namesField(f) ? f.message : `${f.label}: ${f.message}`}</li>
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
        fields={FIELDS}
        idPrefix={idPrefix}
        translateString={(text, params) =>
          locale === 'vi'
            ? (RJSF_VI[text] ?? englishStringTranslator(text, params))
            : englishStringTranslator(text, params)
        }
        formContext={{ locale, uploads, directory }}
        noHtml5Validate
        // A choice list must be chosen, not pre-filled with its first option.
        experimental_defaultFormStateBehavior={{ constAsDefaults: 'skipOneOf' }}
        showErrorList={false}
        // A field shown only when a condition holds sends nothing once hidden again (the server would refuse it).
        omitExtraData
        // ajv's words ("must have required property 'Vendor'") as people say them, naming the field as the server does.
        transformErrors={(errors) => inPeoplesWords(errors, schema as JsonSchema, form.uiSchema, locale)}
        extraErrors={failure ? toErrorSchema(failure.fields) : undefined}
        disabled={busy}
        // Computed fields (a line's amount, a total) follow what the user types.
        onChange={(e) => setFormData(computeFormValues(form.schema, e.formData) as Record<string, unknown>)}
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

/**
 * Whole-dong amounts, with the amount written out in VND as the user types: only an amount the
 * field takes is shown as money; a fraction or one out of bounds shows why it will be refused
 * (never "₫2" for 1.5, or "-₫5").
 */
function VndWidget(props: WidgetProps) {
  const { id, value, required, disabled, readonly, onChange, onBlur, onFocus, registry, schema, label } = props;
  const locale = ((registry.formContext as { locale?: Locale } | undefined)?.locale ?? 'vi') as Locale;
  const preview = moneyPreview(
    value,
    schema as JsonSchema,
    label || (typeof schema.title === 'string' ? schema.title : id),
    locale,
  );
  return (
    <>
      <input
        id={id}
        name={id}
        type="number"
        inputMode="numeric"
        step={1}
        min={typeof schema.minimum === 'number' ? schema.minimum : undefined}
        value={typeof value === 'number' ? value : ''}
        required={required}
        disabled={disabled || readonly}
        aria-describedby={preview ? `${id}-money` : undefined}
        onChange={(e) => onChange(e.target.value === '' ? undefined : Number(e.target.value))}
        onBlur={(e) => onBlur(id, e.target.value)}
        onFocus={(e) => onFocus(id, e.target.value)}
      />
      {preview && (
        <div
          id={`${id}-money`}
          className={preview.valid ? 'money-hint' : 'money-hint invalid'}
          aria-live="polite"
          data-valid={preview.valid}
        >
          {preview.text}
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

type Directory = {
  people: { name: string; email: string }[];
  departments: { key: string; name: string | Record<string, string> }[];
};

/** Whether a uiSchema names a person or a department widget (its own fields' or a table's columns'). */
function namesPeople(ui: unknown, depth = 0): boolean {
  if (ui === null || typeof ui !== 'object' || depth > 4) return false;
  return Object.entries(ui as Record<string, unknown>).some(
    ([k, v]) => (k === 'ui:widget' && (v === 'person' || v === 'department')) || namesPeople(v, depth + 1),
  );
}

/** The company's people and departments (member.directory), read once when the form has person or department fields. */
function useDirectory(uiSchema: Record<string, unknown>): Directory | null {
  const [directory, setDirectory] = useState<Directory | null>(null);
  const needed = useMemo(() => namesPeople(uiSchema), [uiSchema]);
  useEffect(() => {
    if (!needed) return;
    let live = true;
    trpc.member.directory
      .query()
      .then((d) => live && setDirectory(d as Directory))
      .catch(() => {});
    return () => {
      live = false;
    };
  }, [needed]);
  return directory;
}

/** A colleague: their e-mail, chosen from the company's people by name or address (a typed one is checked by the server). */
function PersonWidget(props: WidgetProps) {
  const { id, registry } = props;
  const context = (registry.formContext ?? {}) as { locale?: Locale; directory?: Directory | null };
  const people = context.directory?.people ?? [];
  return (
    <>
      <input
        type="email"
        autoComplete="off"
        list={people.length > 0 ? `${id}-people` : undefined}
        placeholder={translator(context.locale ?? 'vi')('formPickPerson')}
        {...controlProps(props)}
      />
      {people.length > 0 && (
        <datalist id={`${id}-people`}>
          {people.map((p) => (
            <option key={p.email} value={p.email}>
              {p.name}
            </option>
          ))}
        </datalist>
      )}
    </>
  );
}

/** A department of the company, chosen by its name (its key is what the form holds); a text input until the list is read. */
function DepartmentWidget(props: WidgetProps) {
  const { value, registry } = props;
  const context = (registry.formContext ?? {}) as { locale?: Locale; directory?: Directory | null };
  const departments = context.directory?.departments;
  if (!departments || departments.length === 0) return textInput('text', 'off')(props);
  const locale = context.locale ?? 'vi';
  const nameOf = (name: string | Record<string, string>) =>
    typeof name === 'string' ? name : (name[locale] ?? name.en ?? Object.values(name)[0] ?? '');
  const known = typeof value !== 'string' || value === '' || departments.some((d) => d.key === value);
  return (
    <select {...controlProps(props)}>
      <option value="" />
      {!known && <option value={value as string}>{value as string}</option>}
      {departments.map((d) => (
        <option key={d.key} value={d.key}>
          {nameOf(d.name)}
        </option>
      ))}
    </select>
  );
}

/** What a widget's text-like control takes: its id and name, the value as text, its state, and RJSF's handlers (empty is no value). */
function controlProps(props: WidgetProps) {
  const { id, value, required, disabled, readonly, onChange, onBlur, onFocus } = props;
  return {
    id,
    name: id,
    value: typeof value === 'string' ? value : '',
    required,
    disabled: disabled || readonly,
    onChange: (e: { target: { value: string } }) => onChange(e.target.value === '' ? undefined : e.target.value),
    onBlur: (e: { target: { value: string } }) => onBlur(id, e.target.value),
    onFocus: (e: { target: { value: string } }) => onFocus(id, e.target.value),
  };
}

/** A one-line text input of a given kind (a phone number, a colleague's email, a department's key). */
function textInput(type: 'tel' | 'email' | 'text', autoComplete: string) {
  return function TextKindWidget(props: WidgetProps) {
    return <input type={type} autoComplete={autoComplete} {...controlProps(props)} />;
  };
}

/** Fields of the designer's kinds that hold more than one value: a file (its reference). */
const FIELDS = { attachment: AttachmentField };

/** The widgets the form designer's kinds name (engine/forms/authoring.ts): VND amounts, percentages, phone numbers, people, departments. */
const WIDGETS = {
  vnd: VndWidget,
  percent: PercentWidget,
  phone: textInput('tel', 'tel'),
  person: PersonWidget,
  department: DepartmentWidget,
};

function toErrorSchema(fields: FieldError[]): ErrorSchema {
  const schema: Record<string, { __errors: string[] }> = {};
  for (const f of fields) {
    const key = f.field.split('.')[0] ?? f.field;
    (schema[key] ??= { __errors: [] }).__errors.push(f.message);
  }
  return schema as unknown as ErrorSchema;
}

/** Whether a field error's message names its field already ("Vendor is required"), or needs its label before it. */
function namesField(f: FieldError): boolean {
  return f.label !== '' && f.message.includes(f.label);
}
