/**
 * Server-side validation of form submissions with ajv, against the exact form version the
 * task or start event uses. Errors name each failing field by path and label. `pattern`s run on
 * the linear-time engine (engine/forms/patterns.ts), never on JavaScript's backtracking RegExp.
 */
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { JsonSchema } from '@/engine';
import {
  localizeFormSchema,
  localizeFormTitle,
  patternMessageAt,
  topLevelFields,
  type LocalizableForm,
} from '@/engine/forms/form';
import { computeFormValues } from '@/engine/forms/compute';
import { formPatternProblems, isRunnablePattern, re2PatternEngine } from '@/engine/forms/patterns';
import { checkVariableDepth } from '@/engine/runtime/budget';
import type { FormRow } from '@/db/schema';
import { fieldAt, refusalText } from '../_shared/field-errors';
import { isLocale, translator, type Locale } from '../_i18n/messages';
import { AppError, type FieldError } from './errors';

const ajv = new Ajv2019({
  allErrors: true,
  strict: false,
  coerceTypes: false,
  useDefaults: false,
  // A field named like an Object.prototype member ("constructor") is the submission's own or missing, never inherited.
  ownProperties: true,
  code: { regExp: re2PatternEngine() },
});
addFormats(ajv);
// ajv-formats' `regex` checks JavaScript's syntax; a pattern Trellis accepts is one RE2 can run.
ajv.addFormat('regex', isRunnablePattern);

// Published form versions are immutable, so a compiled validator can be kept for good.
const validators = new Map<string, ValidateFunction>();

/** Largest submission accepted, as JSON: forms hold back-office data, not files. */
export const MAX_SUBMISSION_BYTES = 256 * 1024;

/**
 * Throws a clear error when `schema` is not a JSON Schema ajv can compile. A submission may only
 * carry the form's own fields: extra keys would otherwise overwrite process variables (say, the
 * flag that decides whether a second approval is needed).
 */
export function compileFormSchema(schema: JsonSchema, formKey: string): ValidateFunction {
  const patterns = formPatternProblems(schema);
  if (patterns.length > 0) {
    const fields = patterns.map((p) => ({
      field: p.field || '(form)',
      label: p.field || formKey,
      message: `${p.path}: ${p.message}`,
    }));
    const list = fields.map((f) => `${f.field} (${f.message})`).join('; ');
    const message = `Form "${formKey}" has patterns that cannot run in linear time: ${list}. Rewrite them without backreferences or lookaround.`;
    throw new AppError('BAD_REQUEST', message, fields);
  }
  try {
    // Unevaluated rather than additional: a field shown only when a condition holds lives in the condition's `then`,
    // and is a field of the form exactly then.
    return ajv.compile(
      'additionalProperties' in schema || 'unevaluatedProperties' in schema
        ? schema
        : { ...schema, unevaluatedProperties: false },
    );
  } catch (error) {
    throw new AppError('BAD_REQUEST', `Form "${formKey}" has an invalid JSON Schema: ${(error as Error).message}`);
  }
}

/** What validateSubmission reads of a form: its title and uiSchema, when given, name it and its money fields. */
export type SubmittedForm = Pick<FormRow, 'id' | 'key' | 'schema' | 'i18n'> &
  Partial<Pick<FormRow, 'title' | 'uiSchema'>>;

/**
 * Validates `data` against `form`; throws BAD_REQUEST naming every failing field by its label, in
 * the caller's language ("Vendor is required"; app/_shared/field-errors.ts words them, as the
 * browser does). Computed fields (engine/forms/compute.ts) are worked out here from the submitted
 * values, whatever was sent for them.
 */
export function validateSubmission(form: SubmittedForm, sent: unknown, locale: string): Record<string, unknown> {
  let validate = validators.get(form.id);
  if (!validate) {
    validate = compileFormSchema(form.schema, form.key);
    validators.set(form.id, validate);
  }
  // Before anything recursive (JSON.stringify, ajv) reads it: data nested past the limit is refused, naming where.
  checkVariableDepth(sent, `The form "${form.key}" submission's fields`);
  const data = computeFormValues(form.schema, sent);
  const size = JSON.stringify(data ?? null).length;
  if (size > MAX_SUBMISSION_BYTES)
    throw new AppError(
      'BAD_REQUEST',
      `The form "${form.key}" submission is ${size} bytes; the limit is ${MAX_SUBMISSION_BYTES}.`,
    );
  if (validate(data)) return data as Record<string, unknown>;
  const language: Locale = isLocale(locale) ? locale : 'en';
  const t = translator(language);
  const localized = localizeFormSchema({ schema: form.schema, i18n: form.i18n } as LocalizableForm, language);
  // Listed in the order the form shows its fields, as a person reads it (ajv reports by schema keyword).
  const shown = fieldOrder(form.schema, form.uiSchema);
  const place = (field: string) => shown.indexOf(field.split('.')[0]!) >>> 0;
  const refused = (validate.errors ?? [])
    .filter((e) => e.keyword !== 'if')
    .map((e) => toFieldError(e, localized, form.uiSchema, language))
    .sort((a, b) => place(a.field.field) - place(b.field.field));
  const fields = uniqueFields(refused.map((r) => r.field));
  const problems = [...new Set(refused.map((r) => r.sentence))].join('; ');
  const title = form.title ? localizeFormTitle({ title: form.title, i18n: form.i18n }, language) || form.key : form.key;
  throw new AppError('BAD_REQUEST', t('valFormRefused', { form: title, problems }), fields);
}

/** The form's top-level fields in the order it shows them: its `ui:order`, then the rest as declared. */
function fieldOrder(schema: JsonSchema, uiSchema: Record<string, unknown> | undefined): string[] {
  const declared = topLevelFields(schema).map(([name]) => name);
  const order = Array.isArray(uiSchema?.['ui:order'])
    ? (uiSchema['ui:order'] as unknown[]).filter((k): k is string => typeof k === 'string' && declared.includes(k))
    : [];
  return [...order, ...declared.filter((k) => !order.includes(k))];
}

/** One ajv error as a field error (its message names the field), and the sentence the summary gives it. */
function toFieldError(
  error: ErrorObject,
  schema: JsonSchema,
  uiSchema: Record<string, unknown> | undefined,
  locale: Locale,
): { field: FieldError; sentence: string } {
  const segments = error.instancePath
    .split('/')
    .filter(Boolean)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required')
    segments.push(String((error.params as { missingProperty: string }).missingProperty));
  if (error.keyword === 'additionalProperties')
    segments.push(String((error.params as { additionalProperty: string }).additionalProperty));
  if (error.keyword === 'unevaluatedProperties')
    segments.push(String((error.params as { unevaluatedProperty: string }).unevaluatedProperty));
  const at = fieldAt(schema, uiSchema, segments, locale);
  const field = segments.join('.') || '(form)';
  // A pattern the designer explained is refused in their words, in the caller's language.
  const explained = error.keyword === 'pattern' ? patternMessageAt(schema, error.schemaPath) : undefined;
  if (explained)
    return {
      field: { field, label: at.label, message: explained },
      sentence: translator(locale)('valExplained', { field: at.label, message: explained }),
    };
  const message = refusalText(
    { keyword: error.keyword, params: error.params as Record<string, unknown> },
    at.label,
    at,
    locale,
  );
  return { field: { field, label: at.label, message }, sentence: message };
}

function uniqueFields(fields: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return fields.filter((f) => {
    const key = `${f.field}\u0000${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
