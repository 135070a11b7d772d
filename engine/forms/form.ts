/**
 * Form definitions: a JSON Schema (what is valid), a uiSchema (how RJSF lays it out) and
 * per-locale texts. Pure data helpers shared by the server (validation) and the browser (RJSF).
 */
import { z } from 'zod';
import { keySchema, localizedTextSchema, localize } from '../model/definition';

const fieldTexts = z.strictObject({
  title: z.string().max(500).optional(),
  description: z.string().max(2_000).optional(),
  /** Labels for the `const` values of a `oneOf` list, by value. */
  options: z.record(z.string(), z.string().max(500)).optional(),
});

export const formDefinitionSchema = z.strictObject({
  $schema: z.string().optional(),
  key: keySchema,
  version: z.number().int().min(1),
  title: localizedTextSchema,
  /** A JSON Schema (draft 2019-09 subset that ajv and RJSF both understand) for an object. */
  schema: z.looseObject({ type: z.literal('object') }),
  uiSchema: z.record(z.string(), z.unknown()).default({}),
  /** Texts per locale, overriding the schema's own (English) titles by top-level field name. */
  i18n: z.record(z.string().regex(/^[a-z]{2}$/), z.strictObject({ title: z.string().optional(), fields: z.record(z.string(), fieldTexts).default({}) })).default({}),
});

export type FormDefinition = z.infer<typeof formDefinitionSchema>;
export type JsonSchema = Record<string, unknown>;
/** The parts of a form that carry texts: what localization needs. */
export type LocalizableForm = { schema: JsonSchema; i18n: FormDefinition['i18n'] };

/** The form's schema with titles and option labels in `locale`. Does not modify its input. */
export function localizeFormSchema(form: LocalizableForm, locale: string): JsonSchema {
  const schema = structuredClone(form.schema) as JsonSchema;
  const texts = form.i18n[locale];
  if (!texts) return schema;
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, t] of Object.entries(texts.fields)) {
    const prop = properties[name];
    if (!prop) continue;
    if (t.title !== undefined) prop.title = t.title;
    if (t.description !== undefined) prop.description = t.description;
    if (t.options && Array.isArray(prop.oneOf)) {
      prop.oneOf = (prop.oneOf as JsonSchema[]).map((o) => {
        const label = typeof o.const === 'string' ? t.options?.[o.const] : undefined;
        return label === undefined ? o : { ...o, title: label };
      });
    }
  }
  return schema;
}

export function localizeFormTitle(form: Pick<FormDefinition, 'title' | 'i18n'>, locale: string): string {
  return form.i18n[locale]?.title ?? localize(form.title, locale) ?? '';
}

/** Field titles in `locale`, for naming fields in error messages and history. */
export function fieldTitles(form: LocalizableForm, locale: string): Record<string, string> {
  const schema = localizeFormSchema(form, locale);
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  return Object.fromEntries(Object.entries(properties).map(([name, p]) => [name, typeof p.title === 'string' ? p.title : name]));
}
