/**
 * The form designer's model: a form as an operations manager builds it, a list of fields (short
 * text, money in VND, a date, a choice with options, a table of rows, a field shown only when
 * another holds some value), each labelled in English and Vietnamese; and the two-way translation
 * with the form definition staff meet (JSON Schema, uiSchema and per-locale texts: what RJSF
 * renders and ajv checks). Pure: the designer runs it in the browser, the server and the tests
 * alike.
 *
 * Nothing a form holds is lost on the way through: a schema keyword or uiSchema option a field
 * kind does not edit is kept with the field (`keep`) and written back as it was; a property no kind
 * fits is a `custom` field, shown, moved and deleted in the designer but written back unchanged;
 * so is what the form's root holds besides its fields.
 */
import { z } from 'zod';
import { keySchema, localize, type LocalizedText } from '../model/definition';
import { PATTERN_MESSAGE, type FormDefinition, type JsonSchema } from './form';
import { ATTACHMENT, attachmentSchema } from './attachments';
import { COMPUTE, computationOf } from './compute';

export const FIELD_KINDS = [
  'text',
  'longText',
  'number',
  'money',
  'percent',
  'date',
  'dateTime',
  'email',
  'phone',
  'select',
  'radio',
  'checkboxes',
  'yesNo',
  'person',
  'department',
  'file',
  'heading',
  'rows',
  'custom',
] as const;
export type FieldKind = (typeof FIELD_KINDS)[number];

/** A text in both of the designer's languages ('' when not given). */
export interface Texts {
  en: string;
  vi: string;
}

export interface FieldOption {
  value: string;
  label: Texts;
}

/** When a field is shown (and only then asked for): a condition on an earlier field's value. */
export interface ShowWhen {
  field: string;
  is: 'equals' | 'notEquals' | 'above' | 'below' | 'yes' | 'no' | 'filled';
  /** For equals / notEquals (text or number) and above / below (number). */
  value?: string | number;
}

export interface DesignField {
  key: string;
  kind: FieldKind;
  label: Texts;
  help: Texts;
  required: boolean;
  readOnly: boolean;
  /** Numbers, money and percentages: the smallest and largest value; rows: the fewest and most rows. */
  min?: number;
  max?: number;
  /** Numbers: whole numbers only. */
  integer?: boolean;
  /** Texts: the shortest and longest length. */
  minLength?: number;
  maxLength?: number;
  /** Texts: a regular expression the value must match (run by the linear-time engine). */
  pattern?: string;
  /** What a value that does not match the pattern is told, in both languages. */
  patternMessage?: Texts;
  default?: string | number | boolean;
  /** Select, radio and checkboxes. */
  options?: FieldOption[];
  showWhen?: ShowWhen;
  /** Rows: the columns of each row (no rows within rows). */
  columns?: DesignField[];
  /**
   * Numbers, money and percentages worked out rather than typed (read-only): the sum of a table's
   * column (`rows.column`, on a top-level field), or the product of the row's other columns (on a column).
   */
  compute?: { sum: string } | { product: string[] };
  /** What the field holds that its kind does not edit, written back as it was. */
  keep?: { schema?: JsonSchema; ui?: Record<string, unknown>; texts?: Record<string, unknown> };
}

export interface DesignForm {
  key: string;
  version: number;
  title: Texts;
  fields: DesignField[];
  /** What the form's root holds besides its fields (definitions, other locales' texts…), written back as it was. */
  keep?: { schema?: JsonSchema; ui?: Record<string, unknown>; i18n?: Record<string, unknown> };
}

// ---------------------------------------------------------------------------------------------
// The model as data a browser sends: bounded in every dimension

const texts = (max: number) => z.strictObject({ en: z.string().max(max), vi: z.string().max(max) });
const kept = z
  .record(z.string().max(200), z.unknown())
  .refine((v) => Object.keys(v).length <= 200, 'at most 200 entries');
const showWhenSchema = z.strictObject({
  field: z.string().max(64),
  is: z.enum(['equals', 'notEquals', 'above', 'below', 'yes', 'no', 'filled']),
  value: z.union([z.string().max(500), z.number()]).optional(),
});
const fieldShape = {
  key: z.string().max(64),
  kind: z.enum(FIELD_KINDS),
  label: texts(500),
  help: texts(2_000),
  required: z.boolean(),
  readOnly: z.boolean(),
  min: z.number().optional(),
  max: z.number().optional(),
  integer: z.boolean().optional(),
  minLength: z.number().int().min(0).max(100_000).optional(),
  maxLength: z.number().int().min(0).max(100_000).optional(),
  pattern: z.string().max(500).optional(),
  patternMessage: texts(500).optional(),
  default: z.union([z.string().max(2_000), z.number(), z.boolean()]).optional(),
  options: z
    .array(z.strictObject({ value: z.string().max(200), label: texts(500) }))
    .max(200)
    .optional(),
  showWhen: showWhenSchema.optional(),
  compute: z
    .union([
      z.strictObject({ sum: z.string().max(130) }),
      z.strictObject({ product: z.array(z.string().max(64)).min(1).max(10) }),
    ])
    .optional(),
  keep: z.strictObject({ schema: kept.optional(), ui: kept.optional(), texts: kept.optional() }).optional(),
};
/** A column of a table: a field without rows of its own. */
const columnSchema = z.strictObject(fieldShape);
export const designFieldSchema = z.strictObject({ ...fieldShape, columns: z.array(columnSchema).max(50).optional() });
/** The designer's form as the server takes it: every list, text and number bounded. */
export const designFormSchema = z.strictObject({
  key: keySchema,
  version: z.number().int().min(1),
  title: texts(500),
  fields: z.array(designFieldSchema).max(300),
  keep: z.strictObject({ schema: kept.optional(), ui: kept.optional(), i18n: kept.optional() }).optional(),
});

const WIDGET: Partial<Record<FieldKind, string>> = {
  longText: 'textarea',
  money: 'vnd',
  percent: 'percent',
  radio: 'radio',
  checkboxes: 'checkboxes',
  person: 'person',
  department: 'department',
  phone: 'phone',
};
/** Characters a phone number is written with: digits, spaces, dots, dashes, brackets, a leading +. */
export const PHONE_PATTERN = '^\\+?[0-9 ().-]{6,20}$';

const blank = (): Texts => ({ en: '', vi: '' });
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A new field of a kind, with its key and label (the designer makes the key from the label). */
export function newField(kind: FieldKind, key: string, label: Texts): DesignField {
  const field: DesignField = { key, kind, label, help: blank(), required: false, readOnly: false };
  if (kind === 'select' || kind === 'radio' || kind === 'checkboxes')
    field.options = [{ value: 'option-1', label: { en: 'Option 1', vi: 'Lựa chọn 1' } }];
  if (kind === 'rows') field.columns = [];
  if (kind === 'money') field.min = 0;
  if (kind === 'percent') Object.assign(field, { min: 0, max: 100 });
  return field;
}

// ---------------------------------------------------------------------------------------------
// Model → form definition

/** The form definition the model stands for: JSON Schema, uiSchema and the Vietnamese texts. */
export function toFormDefinition(form: DesignForm): FormDefinition {
  const schema: JsonSchema = { ...(form.keep?.schema ?? {}), type: 'object' };
  const properties: Record<string, JsonSchema> = {};
  const required: string[] = [];
  const conditions: JsonSchema[] = [];
  const uiSchema: Record<string, unknown> = { ...(form.keep?.ui ?? {}) };
  const viFields: Record<string, Record<string, unknown>> = {};
  for (const field of form.fields) {
    const { schema: fieldSchema, ui, vi } = compileField(field);
    if (field.showWhen) {
      // Shown only when the condition holds: the field lives in the condition's `then`, where it is also required.
      conditions.push({
        if: conditionSchema(field.showWhen),
        then: { properties: { [field.key]: fieldSchema }, ...(field.required ? { required: [field.key] } : {}) },
      });
    } else {
      properties[field.key] = fieldSchema;
      if (field.required) required.push(field.key);
    }
    if (Object.keys(ui).length > 0) uiSchema[field.key] = ui;
    if (Object.keys(vi).length > 0) viFields[field.key] = vi;
  }
  schema.properties = properties;
  if (required.length > 0) schema.required = required;
  else delete schema.required;
  const keptAllOf = Array.isArray(form.keep?.schema?.allOf) ? (form.keep!.schema!.allOf as JsonSchema[]) : [];
  if (conditions.length + keptAllOf.length > 0) schema.allOf = [...keptAllOf, ...conditions];
  uiSchema['ui:order'] = form.fields.map((f) => f.key);
  const i18n: Record<string, { title?: string; fields: Record<string, Record<string, unknown>> }> = {
    ...((form.keep?.i18n ?? {}) as Record<string, { title?: string; fields: Record<string, Record<string, unknown>> }>),
  };
  if (form.title.vi || Object.keys(viFields).length > 0)
    i18n.vi = { ...(form.title.vi ? { title: form.title.vi } : {}), fields: viFields };
  const title: LocalizedText = form.title.vi
    ? { en: form.title.en || form.title.vi, vi: form.title.vi }
    : form.title.en;
  return {
    key: form.key,
    version: form.version,
    title,
    schema: schema as FormDefinition['schema'],
    uiSchema,
    i18n: i18n as FormDefinition['i18n'],
  };
}

function conditionSchema(when: ShowWhen): JsonSchema {
  const test: JsonSchema =
    when.is === 'equals'
      ? { const: when.value ?? '' }
      : when.is === 'notEquals'
        ? { not: { const: when.value ?? '' } }
        : when.is === 'above'
          ? { type: 'number', exclusiveMinimum: Number(when.value ?? 0) }
          : when.is === 'below'
            ? { type: 'number', exclusiveMaximum: Number(when.value ?? 0) }
            : when.is === 'yes'
              ? { const: true }
              : when.is === 'no'
                ? { const: false }
                : { minLength: 1 };
  return { properties: { [when.field]: test }, required: [when.field] };
}

function compileField(field: DesignField): {
  schema: JsonSchema;
  ui: Record<string, unknown>;
  vi: Record<string, unknown>;
} {
  if (field.kind === 'custom') {
    return {
      schema: { ...(field.keep?.schema ?? {}) },
      ui: { ...(field.keep?.ui ?? {}) },
      vi: { ...(field.keep?.texts ?? {}) },
    };
  }
  const s: JsonSchema = { ...(field.keep?.schema ?? {}) };
  const ui: Record<string, unknown> = { ...(field.keep?.ui ?? {}) };
  const vi: Record<string, unknown> = { ...(field.keep?.texts ?? {}) };
  if (field.label.en) s.title = field.label.en;
  if (field.help.en) s.description = field.help.en;
  if (field.label.vi) vi.title = field.label.vi;
  if (field.help.vi) vi.description = field.help.vi;
  if (field.readOnly) s.readOnly = true;
  if (field.default !== undefined && field.default !== '') s.default = field.default;
  const widget = WIDGET[field.kind];
  if (widget) ui['ui:widget'] = widget;
  switch (field.kind) {
    case 'text':
    case 'longText':
    case 'phone':
      s.type = 'string';
      if (field.kind === 'phone') s.pattern = field.pattern ?? PHONE_PATTERN;
      else if (field.pattern) s.pattern = field.pattern;
      if (s.pattern && field.patternMessage?.en) s[PATTERN_MESSAGE] = field.patternMessage.en;
      if (s.pattern && field.patternMessage?.vi) vi.patternMessage = field.patternMessage.vi;
      setNumber(s, 'minLength', field.minLength);
      setNumber(s, 'maxLength', field.maxLength);
      break;
    case 'email':
    case 'person':
      Object.assign(s, { type: 'string', format: 'email' });
      break;
    case 'department':
      s.type = 'string';
      break;
    case 'date':
    case 'dateTime':
      Object.assign(s, { type: 'string', format: field.kind === 'date' ? 'date' : 'date-time' });
      break;
    case 'number':
    case 'money':
    case 'percent':
      s.type = field.kind === 'money' || field.integer ? 'integer' : 'number';
      setNumber(s, 'minimum', field.min);
      setNumber(s, 'maximum', field.max);
      if (field.compute) {
        s[COMPUTE] = 'sum' in field.compute ? { sum: field.compute.sum } : { product: [...field.compute.product] };
        s.readOnly = true;
      }
      break;
    case 'yesNo':
      s.type = 'boolean';
      break;
    case 'select':
    case 'radio':
      s.type = 'string';
      s.oneOf = (field.options ?? []).map((o) => ({ const: o.value, title: o.label.en || o.value }));
      break;
    case 'checkboxes':
      Object.assign(s, {
        type: 'array',
        uniqueItems: true,
        items: {
          type: 'string',
          oneOf: (field.options ?? []).map((o) => ({ const: o.value, title: o.label.en || o.value })),
        },
      });
      break;
    case 'heading':
      s.type = 'null';
      break;
    case 'file':
      Object.assign(s, attachmentSchema());
      ui['ui:field'] = 'attachment';
      break;
    case 'rows': {
      const columns = field.columns ?? [];
      const items: JsonSchema = { ...(isObject(s.items) ? s.items : {}), type: 'object', properties: {} };
      const itemUi: Record<string, unknown> = { ...(isObject(ui.items) ? ui.items : {}) };
      const columnTexts: Record<string, unknown> = {};
      const needed: string[] = [];
      for (const column of columns) {
        const compiled = compileField(column);
        (items.properties as Record<string, JsonSchema>)[column.key] = compiled.schema;
        if (Object.keys(compiled.ui).length > 0) itemUi[column.key] = compiled.ui;
        if (Object.keys(compiled.vi).length > 0) columnTexts[column.key] = compiled.vi;
        if (column.required) needed.push(column.key);
      }
      if (needed.length > 0) items.required = needed;
      else delete items.required;
      itemUi['ui:order'] = columns.map((c) => c.key);
      Object.assign(s, { type: 'array', items });
      setNumber(s, 'minItems', field.min);
      setNumber(s, 'maxItems', field.max);
      ui.items = itemUi;
      if (Object.keys(columnTexts).length > 0) vi.columns = columnTexts;
      break;
    }
  }
  if (field.options && (field.kind === 'select' || field.kind === 'radio' || field.kind === 'checkboxes')) {
    const labels = Object.fromEntries(field.options.filter((o) => o.label.vi).map((o) => [o.value, o.label.vi]));
    if (Object.keys(labels).length > 0) vi.options = labels;
  }
  return { schema: s, ui, vi };
}

function setNumber(target: JsonSchema, name: string, value: number | undefined) {
  if (value === undefined || !Number.isFinite(value)) delete target[name];
  else target[name] = value;
}

// ---------------------------------------------------------------------------------------------
// Form definition → model

/** The designer's model of a form definition (any form: written by hand, imported, made by the designer). */
export function fromFormDefinition(definition: FormDefinition): DesignForm {
  const root = definition.schema as JsonSchema;
  const ui = (definition.uiSchema ?? {}) as Record<string, unknown>;
  const vi = (definition.i18n?.vi ?? { fields: {} }) as {
    title?: string;
    fields?: Record<string, Record<string, unknown>>;
  };
  const properties = (isObject(root.properties) ? root.properties : {}) as Record<string, JsonSchema>;
  const required = new Set(Array.isArray(root.required) ? (root.required as string[]) : []);

  // Our show-when conditions: `allOf` items { if: one field's test, then: one property (and its required) }.
  const shown = new Map<string, { when: ShowWhen; schema: JsonSchema; required: boolean }>();
  const keptAllOf: JsonSchema[] = [];
  for (const item of Array.isArray(root.allOf) ? (root.allOf as JsonSchema[]) : []) {
    const read = readShowWhen(item);
    if (read && !(read.key in properties) && !shown.has(read.key)) shown.set(read.key, read);
    else keptAllOf.push(item);
  }

  const names = [...Object.keys(properties), ...shown.keys()];
  const order = Array.isArray(ui['ui:order']) ? (ui['ui:order'] as string[]) : [];
  const ordered = [...order.filter((n) => names.includes(n)), ...names.filter((n) => !order.includes(n))];
  const fields = ordered.map((key) => {
    const conditional = shown.get(key);
    const field = readField(
      key,
      conditional?.schema ?? properties[key]!,
      isObject(ui[key]) ? (ui[key] as Record<string, unknown>) : {},
      vi.fields?.[key] ?? {},
      conditional ? conditional.required : required.has(key),
    );
    if (conditional) field.showWhen = conditional.when;
    return field;
  });

  const keepSchema: JsonSchema = {};
  for (const [name, value] of Object.entries(root))
    if (!['type', 'properties', 'required', 'allOf'].includes(name)) keepSchema[name] = value;
  if (keptAllOf.length > 0) keepSchema.allOf = keptAllOf;
  const keepUi: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(ui))
    if (name !== 'ui:order' && !names.includes(name)) keepUi[name] = value;
  // ui:order's wildcard or names that are no field of the form: nothing to edit, nothing lost either (the order is the fields').
  const otherLocales = Object.fromEntries(Object.entries(definition.i18n ?? {}).filter(([locale]) => locale !== 'vi'));
  const keep = {
    ...(Object.keys(keepSchema).length > 0 ? { schema: keepSchema } : {}),
    ...(Object.keys(keepUi).length > 0 ? { ui: keepUi } : {}),
    ...(Object.keys(otherLocales).length > 0 ? { i18n: otherLocales } : {}),
  };
  return {
    key: definition.key,
    version: definition.version,
    title: {
      en: localize(definition.title, 'en') ?? '',
      vi: vi.title ?? (typeof definition.title === 'object' ? (definition.title.vi ?? '') : ''),
    },
    fields,
    ...(Object.keys(keep).length > 0 ? { keep } : {}),
  };
}

function readShowWhen(
  item: JsonSchema,
): { key: string; when: ShowWhen; schema: JsonSchema; required: boolean } | undefined {
  const names = (v: unknown) => (isObject(v) ? Object.keys(v) : []);
  if (names(item).sort().join() !== 'if,then') return undefined;
  const test = item.if as JsonSchema;
  const then = item.then as JsonSchema;
  if (
    !isObject(test) ||
    !isObject(then) ||
    names(test).sort().join() !== 'properties,required' ||
    names(test.properties).length !== 1
  )
    return undefined;
  const field = names(test.properties)[0]!;
  if (!Array.isArray(test.required) || test.required.join() !== field) return undefined;
  const thenKeys = names(then).sort().join();
  if (thenKeys !== 'properties' && thenKeys !== 'properties,required') return undefined;
  if (names(then.properties).length !== 1) return undefined;
  const key = names(then.properties)[0]!;
  if (then.required !== undefined && (!Array.isArray(then.required) || then.required.join() !== key)) return undefined;
  const when = readTest(field, (test.properties as Record<string, JsonSchema>)[field]!);
  if (!when) return undefined;
  const schema = (then.properties as Record<string, JsonSchema>)[key]!;
  if (!isObject(schema) || typeof schema.type !== 'string') return undefined;
  return { key, when, schema, required: then.required !== undefined };
}

function readTest(field: string, test: JsonSchema): ShowWhen | undefined {
  const keys = Object.keys(test).sort().join();
  if (keys === 'const' && typeof test.const === 'boolean') return { field, is: test.const ? 'yes' : 'no' };
  if (keys === 'const' && (typeof test.const === 'string' || typeof test.const === 'number'))
    return { field, is: 'equals', value: test.const };
  if (
    keys === 'not' &&
    isObject(test.not) &&
    Object.keys(test.not).join() === 'const' &&
    (typeof test.not.const === 'string' || typeof test.not.const === 'number')
  )
    return { field, is: 'notEquals', value: test.not.const };
  if (keys === 'exclusiveMinimum,type' && test.type === 'number' && typeof test.exclusiveMinimum === 'number')
    return { field, is: 'above', value: test.exclusiveMinimum };
  if (keys === 'exclusiveMaximum,type' && test.type === 'number' && typeof test.exclusiveMaximum === 'number')
    return { field, is: 'below', value: test.exclusiveMaximum };
  if (keys === 'minLength' && test.minLength === 1) return { field, is: 'filled' };
  return undefined;
}

function kindOf(s: JsonSchema, ui: Record<string, unknown>): FieldKind {
  const widget = ui['ui:widget'];
  const consts = (list: unknown) =>
    Array.isArray(list) &&
    list.length > 0 &&
    list.every(
      (o) => isObject(o) && typeof o.const === 'string' && Object.keys(o).every((k) => k === 'const' || k === 'title'),
    );
  switch (s.type) {
    case 'string':
      if (s.format === 'date') return 'date';
      if (s.format === 'date-time') return 'dateTime';
      if (s.format === 'email') return widget === 'person' ? 'person' : 'email';
      if (s.format !== undefined) return 'custom';
      if (consts(s.oneOf))
        return widget === 'radio' ? 'radio' : widget === undefined || widget === 'select' ? 'select' : 'custom';
      if (s.oneOf !== undefined || s.enum !== undefined || s.const !== undefined) return 'custom';
      if (widget === 'textarea') return 'longText';
      if (widget === 'department') return 'department';
      if (widget === 'phone') return 'phone';
      return widget === undefined ? 'text' : 'custom';
    case 'integer':
    case 'number':
      if (widget === 'vnd' && s.type === 'integer') return 'money';
      if (widget === 'percent') return 'percent';
      return widget === undefined || widget === 'updown' ? 'number' : 'custom';
    case 'boolean':
      return widget === undefined || widget === 'radio' || widget === 'checkbox' || widget === 'select'
        ? 'yesNo'
        : 'custom';
    case 'array': {
      const items = s.items as JsonSchema | undefined;
      if (
        isObject(items) &&
        items.type === 'string' &&
        consts(items.oneOf) &&
        s.uniqueItems === true &&
        Object.keys(items).every((k) => ['type', 'oneOf'].includes(k))
      )
        return 'checkboxes';
      if (isObject(items) && items.type === 'object' && isObject(items.properties)) {
        const columns = items.properties as Record<string, JsonSchema>;
        const itemUi = (isObject(ui.items) ? ui.items : {}) as Record<string, unknown>;
        const flat = Object.entries(columns).every(
          ([k, c]) =>
            isObject(c) &&
            !['rows', 'custom'].includes(kindOf(c, isObject(itemUi[k]) ? (itemUi[k] as Record<string, unknown>) : {})),
        );
        if (flat && Object.keys(items).every((k) => ['type', 'properties', 'required'].includes(k))) return 'rows';
      }
      return 'custom';
    }
    case 'object':
      return s[ATTACHMENT] === true && (ui['ui:field'] === undefined || ui['ui:field'] === 'attachment')
        ? 'file'
        : 'custom';
    case 'null':
      return 'heading';
    default:
      return 'custom';
  }
}

function readField(
  key: string,
  s: JsonSchema,
  ui: Record<string, unknown>,
  texts: Record<string, unknown>,
  required: boolean,
): DesignField {
  const kind = isObject(s) ? kindOf(s, ui) : 'custom';
  const field: DesignField = {
    key,
    kind,
    label: { en: typeof s?.title === 'string' ? s.title : '', vi: typeof texts.title === 'string' ? texts.title : '' },
    help: {
      en: typeof s?.description === 'string' ? s.description : '',
      vi: typeof texts.description === 'string' ? texts.description : '',
    },
    required,
    readOnly: s?.readOnly === true,
  };
  if (kind === 'custom') {
    field.keep = {
      schema: s,
      ...(Object.keys(ui).length > 0 ? { ui } : {}),
      ...(Object.keys(texts).length > 0 ? { texts } : {}),
    };
    return field;
  }
  const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const assign = <K extends keyof DesignField>(name: K, value: DesignField[K] | undefined) => {
    if (value !== undefined) field[name] = value;
  };
  const keepSchema: JsonSchema = {};
  for (const [name, value] of Object.entries(s)) if (!edits(kind, name)) keepSchema[name] = value;
  if (kind === 'phone' && s.pattern !== PHONE_PATTERN)
    assign('pattern', typeof s.pattern === 'string' ? s.pattern : undefined);
  if (['text', 'longText'].includes(kind)) assign('pattern', typeof s.pattern === 'string' ? s.pattern : undefined);
  if (['text', 'longText', 'phone'].includes(kind)) {
    const message = {
      en: typeof s[PATTERN_MESSAGE] === 'string' ? (s[PATTERN_MESSAGE] as string) : '',
      vi: typeof texts.patternMessage === 'string' ? texts.patternMessage : '',
    };
    if (message.en || message.vi) field.patternMessage = message;
    assign('minLength', num(s.minLength));
    assign('maxLength', num(s.maxLength));
  }
  if (kind === 'number' || kind === 'percent') assign('integer', s.type === 'integer' ? true : undefined);
  if (['number', 'money', 'percent'].includes(kind)) {
    assign('min', num(s.minimum));
    assign('max', num(s.maximum));
    const computation = computationOf(s);
    if (computation) {
      field.compute = computation;
      // Read-only because computed: the field's own setting is what the designer chose besides.
      field.readOnly = false;
    } else if (s[COMPUTE] !== undefined) keepSchema[COMPUTE] = s[COMPUTE];
  }
  if (kind === 'rows') {
    assign('min', num(s.minItems));
    assign('max', num(s.maxItems));
  }
  if (typeof s.default === 'string' || typeof s.default === 'number' || typeof s.default === 'boolean')
    field.default = s.default;
  else if (s.default !== undefined) keepSchema.default = s.default;
  const labels = (isObject(texts.options) ? texts.options : {}) as Record<string, string>;
  if (kind === 'select' || kind === 'radio')
    field.options = (s.oneOf as { const: string; title?: string }[]).map((o) => ({
      value: o.const,
      label: { en: o.title ?? '', vi: labels[o.const] ?? '' },
    }));
  if (kind === 'checkboxes')
    field.options = ((s.items as JsonSchema).oneOf as { const: string; title?: string }[]).map((o) => ({
      value: o.const,
      label: { en: o.title ?? '', vi: labels[o.const] ?? '' },
    }));
  if (kind === 'rows') {
    const items = s.items as JsonSchema;
    const itemUi = (isObject(ui.items) ? ui.items : {}) as Record<string, unknown>;
    const columnTexts = (isObject(texts.columns) ? texts.columns : {}) as Record<string, Record<string, unknown>>;
    const needed = new Set(Array.isArray(items.required) ? (items.required as string[]) : []);
    const columns = items.properties as Record<string, JsonSchema>;
    const order = Array.isArray(itemUi['ui:order']) ? (itemUi['ui:order'] as string[]).filter((k) => k in columns) : [];
    const keys = [...order, ...Object.keys(columns).filter((k) => !order.includes(k))];
    field.columns = keys.map((k) =>
      readField(
        k,
        columns[k]!,
        isObject(itemUi[k]) ? (itemUi[k] as Record<string, unknown>) : {},
        columnTexts[k] ?? {},
        needed.has(k),
      ),
    );
    const keepItemUi = Object.fromEntries(Object.entries(itemUi).filter(([k]) => k !== 'ui:order' && !(k in columns)));
    if (Object.keys(keepItemUi).length > 0) (field.keep ??= {}).ui = { items: keepItemUi };
  }
  // A widget the kind implies is written again by it; another (a select's, a number's updown) is kept as it was; a table's columns are its own.
  const keepUi = Object.fromEntries(
    Object.entries(ui).filter(
      ([name]) =>
        !(name === 'items' && kind === 'rows') &&
        !(name === 'ui:widget' && WIDGET[kind] !== undefined) &&
        !(name === 'ui:field' && kind === 'file'),
    ),
  );
  const keepTexts = Object.fromEntries(
    Object.entries(texts).filter(
      ([name]) =>
        ![
          'title',
          'description',
          'options',
          'columns',
          ...(['text', 'longText', 'phone'].includes(kind) ? ['patternMessage'] : []),
        ].includes(name),
    ),
  );
  if (Object.keys(keepSchema).length > 0) (field.keep ??= {}).schema = keepSchema;
  if (Object.keys(keepUi).length > 0) (field.keep ??= {}).ui = { ...(field.keep?.ui ?? {}), ...keepUi };
  if (Object.keys(keepTexts).length > 0) (field.keep ??= {}).texts = keepTexts;
  return field;
}

/** Whether a kind edits a schema keyword (else the keyword is kept as it was). */
function edits(kind: FieldKind, keyword: string): boolean {
  switch (keyword) {
    case 'type':
    case 'title':
    case 'description':
    case 'readOnly':
    case 'default':
      return true;
    case 'minLength':
    case 'maxLength':
      return ['text', 'longText', 'phone'].includes(kind);
    case 'pattern':
    case PATTERN_MESSAGE:
      return ['text', 'longText', 'phone'].includes(kind);
    case 'minimum':
    case 'maximum':
      return ['number', 'money', 'percent'].includes(kind);
    case 'format':
      return ['email', 'person', 'date', 'dateTime'].includes(kind);
    case 'oneOf':
      return kind === 'select' || kind === 'radio';
    case 'items':
    case 'uniqueItems':
      return kind === 'checkboxes' || (kind === 'rows' && keyword === 'items');
    case 'minItems':
    case 'maxItems':
      return kind === 'rows';
    case 'properties':
    case 'required':
    case 'additionalProperties':
    case ATTACHMENT:
      return kind === 'file';
    case COMPUTE:
      return ['number', 'money', 'percent'].includes(kind);
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------------
// Keys and checks

/** A field key: a process variable's name (letters, digits, _), not one JavaScript objects already have. */
export const FIELD_KEY = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const RESERVED_KEYS = new Set([
  '__proto__',
  'constructor',
  'prototype',
  'toString',
  'valueOf',
  'hasOwnProperty',
  'isPrototypeOf',
  'propertyIsEnumerable',
  'toLocaleString',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
]);

/** A key made from a label: Vietnamese letters without their marks, words joined in camelCase ("Lý do ngoại lệ" → lyDoNgoaiLe). */
export function keyFromLabel(label: string, taken: readonly string[] = []): string {
  const words = label
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, (d) => (d === 'đ' ? 'd' : 'D'))
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .slice(0, 8);
  let key =
    words
      .map((w, i) => (i === 0 ? w.toLowerCase() : w.charAt(0).toUpperCase() + w.slice(1).toLowerCase()))
      .join('')
      .slice(0, 60) || 'field';
  if (/^[0-9]/.test(key)) key = `field${key}`;
  if (RESERVED_KEYS.has(key)) key = `${key}Field`;
  let unique = key;
  for (let n = 2; taken.includes(unique); n++) unique = `${key}${n}`;
  return unique;
}

export interface FormProblem {
  /** The field at fault (`lines.amount` for a column), or null for the form. */
  field: string | null;
  code:
    | 'keyEmpty'
    | 'keyInvalid'
    | 'keyReserved'
    | 'keyTaken'
    | 'labelMissing'
    | 'optionsMissing'
    | 'optionTaken'
    | 'rangeInverted'
    | 'lengthInverted'
    | 'patternInvalid'
    | 'columnsMissing'
    | 'showWhenUnknown'
    | 'showWhenLater'
    | 'showWhenType'
    | 'titleMissing'
    | 'defaultWrong'
    | 'computeWrong';
}

/**
 * What stops a designed form from being published, per field: keys empty, unsafe or taken, a
 * choice without options, a minimum above its maximum, a pattern the linear-time engine cannot run
 * (`runnable`, the server's check), a table without columns, a "show when" on a field that is not
 * before it or cannot hold that kind of value. Codes, for the designer to say in its language.
 */
export function checkDesignForm(form: DesignForm, runnable: (pattern: string) => boolean): FormProblem[] {
  const problems: FormProblem[] = [];
  if (!form.title.en.trim() && !form.title.vi.trim()) problems.push({ field: null, code: 'titleMissing' });
  const checkFields = (fields: readonly DesignField[], prefix: string) => {
    const seen = new Set<string>();
    fields.forEach((field, index) => {
      const name = `${prefix}${field.key}`;
      const problem = (code: FormProblem['code']) => problems.push({ field: name, code });
      if (field.key === '') problem('keyEmpty');
      else if (RESERVED_KEYS.has(field.key)) problem('keyReserved');
      else if (!FIELD_KEY.test(field.key)) problem('keyInvalid');
      else if (seen.has(field.key)) problem('keyTaken');
      seen.add(field.key);
      if (field.kind !== 'custom' && !field.label.en.trim() && !field.label.vi.trim()) problem('labelMissing');
      if (['select', 'radio', 'checkboxes'].includes(field.kind)) {
        const values = (field.options ?? []).map((o) => o.value);
        if (values.length === 0 || values.some((v) => v.trim() === '')) problem('optionsMissing');
        else if (new Set(values).size !== values.length) problem('optionTaken');
      }
      if (field.min !== undefined && field.max !== undefined && field.min > field.max) problem('rangeInverted');
      if (field.minLength !== undefined && field.maxLength !== undefined && field.minLength > field.maxLength)
        problem('lengthInverted');
      if (field.pattern !== undefined && (field.pattern === '' || !runnable(field.pattern))) problem('patternInvalid');
      if (field.default !== undefined && field.default !== '' && !defaultFits(field)) problem('defaultWrong');
      if (field.compute && !computeFits(field, fields, prefix !== '')) problem('computeWrong');
      if (field.kind === 'rows') {
        if ((field.columns ?? []).length === 0) problem('columnsMissing');
        checkFields(field.columns ?? [], `${name}.`);
      }
      if (field.showWhen) {
        const at = fields.findIndex((f) => f.key === field.showWhen!.field);
        if (at === -1) problem('showWhenUnknown');
        else if (at >= index) problem('showWhenLater');
        else if (!fits(fields[at]!.kind, field.showWhen.is)) problem('showWhenType');
        else if (
          ['number', 'money', 'percent'].includes(fields[at]!.kind) &&
          (typeof field.showWhen.value !== 'number' || !Number.isFinite(field.showWhen.value))
        )
          problem('showWhenType');
      }
    });
  };
  checkFields(form.fields, '');
  return problems;
}

const NUMERIC: readonly FieldKind[] = ['number', 'money', 'percent'];

/**
 * Whether a computed field reads what it can: a top-level total sums a numeric column of a table
 * of the form; a column's product multiplies other numeric columns of the same row.
 */
function computeFits(field: DesignField, siblings: readonly DesignField[], inTable: boolean): boolean {
  const compute = field.compute!;
  if (!NUMERIC.includes(field.kind)) return false;
  if ('sum' in compute) {
    if (inTable) return false;
    const [rowsKey, column, ...rest] = compute.sum.split('.');
    const table = siblings.find((f) => f.key === rowsKey && f.kind === 'rows');
    return (
      rest.length === 0 && !!table && (table.columns ?? []).some((c) => c.key === column && NUMERIC.includes(c.kind))
    );
  }
  return (
    inTable &&
    compute.product.length > 0 &&
    compute.product.every(
      (name) => name !== field.key && siblings.some((c) => c.key === name && NUMERIC.includes(c.kind) && !c.compute),
    )
  );
}

/** Whether a field's default value is one the field itself accepts: its type, range, length or options. */
function defaultFits(field: DesignField): boolean {
  const value = field.default;
  switch (field.kind) {
    case 'number':
    case 'money':
    case 'percent':
      if (typeof value !== 'number' || !Number.isFinite(value)) return false;
      if ((field.kind === 'money' || field.integer) && !Number.isInteger(value)) return false;
      return (field.min === undefined || value >= field.min) && (field.max === undefined || value <= field.max);
    case 'yesNo':
      return typeof value === 'boolean';
    case 'select':
    case 'radio':
      return typeof value === 'string' && (field.options ?? []).some((o) => o.value === value);
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value));
    case 'text':
    case 'longText':
    case 'email':
    case 'phone':
    case 'person':
    case 'department':
      return (
        typeof value === 'string' &&
        (field.minLength === undefined || value.length >= field.minLength) &&
        (field.maxLength === undefined || value.length <= field.maxLength)
      );
    default:
      return false;
  }
}

/** Which conditions a field of a kind can be tested with. */
export function conditionsFor(kind: FieldKind): ShowWhen['is'][] {
  switch (kind) {
    case 'yesNo':
      return ['yes', 'no'];
    case 'number':
    case 'money':
    case 'percent':
      return ['equals', 'notEquals', 'above', 'below'];
    case 'select':
    case 'radio':
      return ['equals', 'notEquals'];
    case 'text':
    case 'longText':
    case 'email':
    case 'phone':
    case 'person':
    case 'department':
    case 'date':
    case 'dateTime':
      return ['equals', 'notEquals', 'filled'];
    default:
      return [];
  }
}

function fits(kind: FieldKind, is: ShowWhen['is']): boolean {
  return conditionsFor(kind).includes(is);
}
