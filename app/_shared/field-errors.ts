/**
 * A refused form value in a person's words, naming the field by its label in the reader's
 * language: "Vendor is required", "Số tiền (VND) phải từ 1 ₫ trở lên". The server's refusals
 * (app/server/forms.ts) and the browser's validation and money preview (json-form.tsx) word ajv's
 * errors here, so both say the same thing. Pure: no React, no server.
 */
import { fieldSchemas, patternMessageAt, type JsonSchema } from '@/engine/forms/form';
import { formatVnd } from '../_i18n/format';
import { translator, type Locale, type MessageKey } from '../_i18n/messages';

/** What ajv reports of one refused value (RJSF passes on the same keyword and params). */
export interface Refusal {
  keyword: string;
  params: Record<string, unknown>;
}

type Ui = Record<string, unknown>;
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
/** `parent[key]` when both are plain objects (a schema's or uiSchema's part), else undefined. */
const child = (parent: unknown, key: string): Record<string, unknown> | undefined => {
  const value = isObject(parent) && Object.hasOwn(parent, key) ? parent[key] : undefined;
  return isObject(value) ? value : undefined;
};
const titleOf = (schema: JsonSchema | undefined, fallback: string) =>
  typeof schema?.title === 'string' ? schema.title : fallback;

export interface FieldAt {
  /** The field's label in the reader's language: "Amount (VND)"; a table's cell "Amount (row 2 of Lines)". */
  label: string;
  /** The field's own schema, when the form has it. */
  schema?: JsonSchema;
  /** Whether it holds VND (the `vnd` widget). */
  money: boolean;
}

/**
 * The field at `path` (["lines", "2", "amount"]) of a form. `schema` is the form's schema
 * localized (localizeFormSchema), so its titles are the reader's.
 */
export function fieldAt(
  schema: JsonSchema,
  uiSchema: Ui | undefined,
  path: readonly string[],
  locale: Locale,
): FieldAt {
  const t = translator(locale);
  const [name, index, column] = path;
  if (name === undefined) return { label: t('valTheForm'), schema, money: false };
  const declared = fieldSchemas(schema, name);
  const field = declared.find((s) => typeof s.title === 'string') ?? declared[0];
  const table = titleOf(field, name);
  const ui = child(uiSchema, name);
  if (index === undefined || !/^\d+$/.test(index))
    return { label: table, ...(field ? { schema: field } : {}), money: ui?.['ui:widget'] === 'vnd' };
  const row = Number(index) + 1;
  const items = child(field, 'items');
  if (column === undefined)
    return { label: t('valItem', { table, row }), ...(items ? { schema: items } : {}), money: false };
  const cell = child(child(items, 'properties'), column);
  const label = t('valCell', { field: titleOf(cell, column), row, table });
  return {
    label,
    ...(cell ? { schema: cell } : {}),
    money: child(child(ui, 'items'), column)?.['ui:widget'] === 'vnd',
  };
}

/**
 * The sentence for one refused value of the field `label`. `field.schema` is the refused field's
 * own schema (a list's items say whether it holds rows or choices); `field.money` words limits
 * and fractions as VND.
 */
export function refusalText(
  refusal: Refusal,
  label: string,
  field: { schema?: JsonSchema | undefined; money?: boolean },
  locale: Locale,
): string {
  const t = translator(locale);
  const p = refusal.params;
  const plain = new Intl.NumberFormat(locale === 'vi' ? 'vi-VN' : 'en-US', { maximumFractionDigits: 20 });
  const number = (n: unknown) =>
    typeof n !== 'number' ? String(n) : field.money ? formatVnd(n, locale) : plain.format(n);
  const say = (key: MessageKey, values: Record<string, string | number> = {}) => t(key, { field: label, ...values });
  const limit = p.limit;
  const rows = isObject(field.schema?.items) && (field.schema.items as JsonSchema).type === 'object';
  switch (refusal.keyword) {
    case 'required':
      return say('valRequired');
    case 'minimum':
      return limit === 0 ? say('valNotNegative') : say('valAtLeast', { limit: number(limit) });
    case 'exclusiveMinimum':
      return say('valMoreThan', { limit: number(limit) });
    case 'maximum':
      return say('valAtMost', { limit: number(limit) });
    case 'exclusiveMaximum':
      return say('valLessThan', { limit: number(limit) });
    case 'multipleOf':
      return say('valMultipleOf', { limit: number(p.multipleOf) });
    case 'minLength':
      // An empty text where one is needed is a missing value, whatever the limit's wording.
      return typeof limit === 'number' && limit <= 1
        ? say('valRequired')
        : say('valMinLength', { limit: number(limit) });
    case 'maxLength':
      return say('valMaxLength', { limit: number(limit) });
    case 'minItems':
      if (rows) return limit === 1 ? say('valMinRow') : say('valMinRows', { limit: number(limit) });
      return limit === 1 ? say('valMinChoice') : say('valMinChoices', { limit: number(limit) });
    case 'maxItems':
      if (rows) return limit === 1 ? say('valMaxRow') : say('valMaxRows', { limit: number(limit) });
      return say('valMaxChoices', { limit: number(limit) });
    case 'uniqueItems': {
      const [first, second] = [Number(p.j), Number(p.i)].sort((a, b) => a - b);
      return say('valUnique', { first: (first ?? 0) + 1, second: (second ?? 0) + 1 });
    }
    case 'pattern':
      return say('valPattern');
    case 'format':
      return say(FORMAT_KEYS[String(p.format)] ?? 'valFormat');
    case 'type': {
      const type = String(p.type);
      if (type === 'integer' && field.money) return say('valMoneyWhole');
      return say(TYPE_KEYS[type] ?? 'valWrongKind');
    }
    case 'enum':
    case 'const':
    case 'oneOf':
    case 'anyOf':
      return say('valChoice');
    case 'additionalProperties':
    case 'unevaluatedProperties':
      return say('valNotAField');
    default:
      return say('valInvalid');
  }
}

const FORMAT_KEYS: Readonly<Record<string, MessageKey>> = {
  date: 'valDate',
  'date-time': 'valDateTime',
  time: 'valTime',
  email: 'valEmail',
  uri: 'valUrl',
  url: 'valUrl',
};
const TYPE_KEYS: Readonly<Record<string, MessageKey>> = {
  integer: 'valWholeNumber',
  number: 'valNumber',
  string: 'valText',
  boolean: 'valYesNo',
  array: 'valList',
  object: 'valGroup',
};

/**
 * What the VND widget shows under an amount as it is typed: the amount as money when the field
 * would take it, else why not (a fraction, below the minimum, …), in the words the server refuses
 * it with. Null when there is nothing to show (no number yet).
 */
export function moneyPreview(
  value: unknown,
  schema: JsonSchema,
  label: string,
  locale: Locale,
): { valid: boolean; text: string } | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  // As the schema says, no more: the designer's money kind sets a minimum of 0, a refund form may set none.
  const refusal = Number.isInteger(value)
    ? BOUNDS.find(
        ([keyword, outside]) => typeof schema[keyword] === 'number' && outside(value, schema[keyword] as number),
      )
    : undefined;
  if (!Number.isInteger(value))
    return {
      valid: false,
      text: refusalText({ keyword: 'type', params: { type: 'integer' } }, label, { schema, money: true }, locale),
    };
  if (!refusal) return { valid: true, text: formatVnd(value, locale) };
  const [keyword] = refusal;
  const params = keyword === 'multipleOf' ? { multipleOf: schema.multipleOf } : { limit: schema[keyword] };
  return { valid: false, text: refusalText({ keyword, params }, label, { schema, money: true }, locale) };
}

/** The bounds a number field's schema may set, and when a value is outside each (as ajv judges it). */
const BOUNDS: readonly (readonly [string, (value: number, bound: number) => boolean])[] = [
  ['minimum', (v, b) => v < b],
  ['exclusiveMinimum', (v, b) => v <= b],
  ['maximum', (v, b) => v > b],
  ['exclusiveMaximum', (v, b) => v >= b],
  ['multipleOf', (v, b) => b > 0 && v % b !== 0],
];

/** An error as RJSF's validator hands it to `transformErrors` (ajv's keyword as `name`, the path as ".lines.0.amount"). */
export interface BrowserError {
  name?: string;
  property?: string;
  params?: unknown;
  message?: string;
  stack: string;
  schemaPath?: string;
}

/**
 * RJSF's errors as the browser shows them, in the reader's words and naming the field as the
 * server does; a pattern the designer explained, in their words. `schema` is the localized schema
 * RJSF renders. An unmet `if` is left out (it is reported on the fields its `then` requires), and
 * one field's same sentence is given once (a choice list's `const` and `oneOf` errors say the same).
 */
export function inPeoplesWords<E extends BrowserError>(
  errors: E[],
  schema: JsonSchema,
  uiSchema: Ui | undefined,
  locale: Locale,
): E[] {
  const seen = new Set<string>();
  return errors.flatMap((e) => {
    if (e.name === 'if') return [];
    if (!e.name) return [e];
    const at = fieldAt(schema, uiSchema, (e.property ?? '').split('.').filter(Boolean), locale);
    const explained = e.name === 'pattern' && e.schemaPath ? patternMessageAt(schema, e.schemaPath) : undefined;
    const message =
      explained ?? refusalText({ keyword: e.name, params: isObject(e.params) ? e.params : {} }, at.label, at, locale);
    const key = `${e.property ?? ''}\u0000${message}`;
    if (seen.has(key)) return [];
    seen.add(key);
    return [{ ...e, message, stack: message }];
  });
}
