/**
 * The last steps every importer shares: choosing the form's key and title, checking that a
 * pattern means the same to ajv and RJSF as it did to the source product, describing a field
 * for the report, and parsing the result as a Trellis form definition.
 */
import { toKey } from '../../model/keys';
import { formDefinitionSchema, type FormDefinition, type JsonSchema } from '../form';
import { preview } from './input';
import type { FormImportOptions } from './result';
import type { ObjectSchemaBuilder } from './schema-builder';
import { baseName, humanize } from './text';

/** The key: the caller's, else the file's own id, else the file name. */
export function formKey(options: FormImportOptions, sourceId: string | undefined): string {
  const source = options.key ?? sourceId ?? (options.fileName ? baseName(options.fileName) : undefined);
  return toKey(source ?? '', 'imported-form');
}

/** The title: the caller's, else the file's own name for the form, else one made from the file name or id. */
export function formTitle(
  options: FormImportOptions,
  sourceTitle: string | undefined,
  sourceId: string | undefined,
): string {
  const title =
    options.title ??
    sourceTitle ??
    (options.fileName ? humanize(baseName(options.fileName)) : sourceId ? humanize(sourceId) : undefined);
  const trimmed = title?.replace(/\s+/g, ' ').trim().slice(0, 500);
  return trimmed || 'Imported form';
}

export function finishForm(builder: ObjectSchemaBuilder, key: string, title: string): FormDefinition {
  const { schema, uiSchema } = builder.build();
  return formDefinitionSchema.parse({ key, version: 1, title, schema, uiSchema, i18n: {} });
}

/**
 * ajv (and RJSF's validator) compile JSON Schema patterns as ECMAScript regular expressions with
 * the `u` flag, which refuses some escapes the products accept without it (`\-`, `\ `, ...).
 * Returns why `pattern` cannot be used, or null. Compiling a RegExp evaluates no code.
 */
export function patternProblem(pattern: string): string | null {
  try {
    new RegExp(pattern, 'u');
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

/** "text, required, pattern (true|false)" — a short description of a field for the report. */
export function describeField(schema: JsonSchema, required: boolean): string {
  const parts: string[] = [];
  const type = schema.type;
  const choices = Array.isArray(schema.oneOf) ? schema.oneOf.length : undefined;
  const items = schema.items as JsonSchema | undefined;
  if (type === 'array')
    parts.push(
      Array.isArray(items?.oneOf)
        ? `several of ${items.oneOf.length} options`
        : items?.type === 'object'
          ? 'repeating group'
          : 'list',
    );
  else if (choices !== undefined) parts.push(`one of ${choices} options`);
  else if (type === 'string') parts.push(typeof schema.format === 'string' ? `text (${schema.format})` : 'text');
  else if (type === 'integer') parts.push('whole number');
  else if (type === 'number') parts.push('number');
  else if (type === 'boolean') parts.push('yes/no');
  else parts.push(String(type ?? 'any value'));
  if (required) parts.push('required');
  if (typeof schema.pattern === 'string') parts.push(`pattern ${schema.pattern}`);
  if (typeof schema.minLength === 'number' && !(required && schema.minLength === 1))
    parts.push(`at least ${schema.minLength} characters`);
  if (typeof schema.maxLength === 'number') parts.push(`at most ${schema.maxLength} characters`);
  if (typeof schema.minimum === 'number') parts.push(`≥ ${schema.minimum}`);
  if (typeof schema.maximum === 'number') parts.push(`≤ ${schema.maximum}`);
  if (schema.default !== undefined) parts.push(`default ${preview(schema.default)}`);
  return parts.join(', ');
}
