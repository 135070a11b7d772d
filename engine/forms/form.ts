/**
 * Form definitions: a JSON Schema (what is valid), a uiSchema (how RJSF lays it out) and
 * per-locale texts. Pure data helpers shared by the server (validation) and the browser (RJSF).
 */
import { z } from 'zod';
import { keySchema, localizedTextSchema, localize } from '../model/definition';

const columnTexts = z.strictObject({
  title: z.string().max(500).optional(),
  description: z.string().max(2_000).optional(),
  /** Labels for the `const` values of a `oneOf` list, by value. */
  options: z.record(z.string(), z.string().max(500)).optional(),
  /** What a value that does not match the field's pattern is told (PATTERN_MESSAGE). */
  patternMessage: z.string().max(500).optional(),
});

/**
 * The schema keyword holding what a value that does not match a field's `pattern` is told, in the
 * schema's language ("Write the tax code as 10 or 13 digits"); the other languages' are in the
 * form's texts. Validators ignore it; the renderer and the server's refusals show it instead of
 * the pattern itself.
 */
export const PATTERN_MESSAGE = 'x-pattern-message';
const fieldTexts = columnTexts.extend({
  /** A table's (an array of objects') columns, by name. */
  columns: z.record(z.string(), columnTexts).optional(),
});
type FieldTexts = z.infer<typeof fieldTexts>;

export const formDefinitionSchema = z.strictObject({
  $schema: z.string().optional(),
  key: keySchema,
  version: z.number().int().min(1),
  title: localizedTextSchema,
  /** A JSON Schema (draft 2019-09 subset that ajv and RJSF both understand) for an object. */
  schema: z.looseObject({ type: z.literal('object') }),
  uiSchema: z.record(z.string(), z.unknown()).default({}),
  /** Texts per locale, overriding the schema's own (English) titles by top-level field name. */
  i18n: z
    .record(
      z.string().regex(/^[a-z]{2}$/),
      z.strictObject({ title: z.string().optional(), fields: z.record(z.string(), fieldTexts).default({}) }),
    )
    .default({}),
});

export type FormDefinition = z.infer<typeof formDefinitionSchema>;
export type JsonSchema = Record<string, unknown>;
/** The parts of a form that carry texts: what localization needs. */
export type LocalizableForm = { schema: JsonSchema; i18n: FormDefinition['i18n'] };

/**
 * The form's schema with titles and option labels in `locale`. Does not modify its input. A field
 * is found among the schema's properties, or in a condition's `then` (a field shown only when the
 * condition holds: `if`/`then` at the root or in its `allOf`); a table's columns in its items.
 */
export function localizeFormSchema(form: LocalizableForm, locale: string): JsonSchema {
  const schema = structuredClone(form.schema) as JsonSchema;
  const texts = form.i18n[locale];
  if (!texts) return schema;
  for (const [name, t] of Object.entries(texts.fields))
    for (const prop of fieldSchemas(schema, name)) applyTexts(prop, t);
  return schema;
}

/**
 * The form's top-level fields with their schemas, each once: the root's properties, then those
 * declared in a condition's `then`/`else` (shown only when it holds), at the root or in its `allOf`.
 */
export function topLevelFields(schema: JsonSchema): [string, JsonSchema][] {
  const found = new Map<string, JsonSchema>();
  const from = (s: unknown) => {
    const props = s !== null && typeof s === 'object' ? (s as JsonSchema).properties : undefined;
    if (props === null || typeof props !== 'object' || Array.isArray(props)) return;
    for (const [k, v] of Object.entries(props as Record<string, unknown>))
      if (!found.has(k) && v !== null && typeof v === 'object' && !Array.isArray(v)) found.set(k, v as JsonSchema);
  };
  from(schema);
  from(schema.then);
  from(schema.else);
  if (Array.isArray(schema.allOf))
    for (const item of schema.allOf as unknown[])
      if (item !== null && typeof item === 'object') {
        from((item as JsonSchema).then);
        from((item as JsonSchema).else);
      }
  return [...found];
}

/** Every place a top-level field's schema is written: the properties, and each condition's `then`. */
export function fieldSchemas(schema: JsonSchema, name: string): JsonSchema[] {
  const found: JsonSchema[] = [];
  const own = (s: unknown) => {
    const props = (s as JsonSchema | undefined)?.properties as Record<string, JsonSchema> | undefined;
    const prop = props && Object.hasOwn(props, name) ? props[name] : undefined;
    if (prop && typeof prop === 'object') found.push(prop);
  };
  own(schema);
  own(schema.then);
  own(schema.else);
  if (Array.isArray(schema.allOf))
    for (const item of schema.allOf as JsonSchema[]) {
      own(item?.then);
      own(item?.else);
    }
  return found;
}

function applyTexts(prop: JsonSchema, t: FieldTexts | z.infer<typeof columnTexts>) {
  if (t.title !== undefined) prop.title = t.title;
  if (t.description !== undefined) prop.description = t.description;
  if (t.patternMessage !== undefined) prop[PATTERN_MESSAGE] = t.patternMessage;
  const labelled = (list: unknown) =>
    Array.isArray(list)
      ? (list as JsonSchema[]).map((o) => {
          const label = typeof o.const === 'string' ? t.options?.[o.const] : undefined;
          return label === undefined ? o : { ...o, title: label };
        })
      : list;
  if (t.options && Array.isArray(prop.oneOf)) prop.oneOf = labelled(prop.oneOf);
  const items = prop.items as JsonSchema | undefined;
  if (t.options && items && Array.isArray(items.oneOf)) items.oneOf = labelled(items.oneOf);
  if ('columns' in t && t.columns && items && typeof items.properties === 'object') {
    const columns = items.properties as Record<string, JsonSchema>;
    for (const [column, ct] of Object.entries(t.columns))
      if (Object.hasOwn(columns, column) && columns[column]) applyTexts(columns[column]!, ct);
  }
}

/** The pattern message of the field an error's schema path points at (`#/properties/code/pattern`), if it has one. */
export function patternMessageAt(schema: JsonSchema, schemaPath: string): string | undefined {
  const parts = schemaPath
    .replace(/^#\/?/, '')
    .split('/')
    .slice(0, -1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: unknown = schema;
  for (const part of parts) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, part)) return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  const message =
    node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[PATTERN_MESSAGE] : undefined;
  return typeof message === 'string' && message.trim() !== '' ? message : undefined;
}

export function localizeFormTitle(form: Pick<FormDefinition, 'title' | 'i18n'>, locale: string): string {
  return form.i18n[locale]?.title ?? localize(form.title, locale) ?? '';
}

/** Field titles in `locale`, for naming fields in error messages and history. */
export function fieldTitles(form: LocalizableForm, locale: string): Record<string, string> {
  const schema = localizeFormSchema(form, locale);
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const titles: Record<string, string> = Object.fromEntries(
    Object.entries(properties).map(([name, p]) => [name, typeof p.title === 'string' ? p.title : name]),
  );
  // Fields shown only when a condition holds are named too.
  const conditional = [
    schema.then,
    schema.else,
    ...(Array.isArray(schema.allOf) ? (schema.allOf as JsonSchema[]).flatMap((i) => [i?.then, i?.else]) : []),
  ];
  const names = conditional.flatMap((s) => Object.keys(((s as JsonSchema | undefined)?.properties ?? {}) as object));
  for (const name of names) {
    if (titles[name] !== undefined) continue;
    const title = fieldSchemas(schema, name).find((p) => typeof p.title === 'string')?.title;
    if (typeof title === 'string') titles[name] = title;
  }
  return titles;
}
