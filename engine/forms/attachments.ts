/**
 * File fields: a form field that holds one uploaded file, as a reference to the attachment the
 * server stored ({ id, name, size, type }), never the bytes. The schema marks it with
 * `x-attachment`; the renderer uploads the file and writes the reference, and the server checks
 * each reference names a file the submitter may attach (and rewrites name, size and type from what
 * it stored). Pure: where the references are in a submission, by the form's schema.
 */
import { topLevelFields, type JsonSchema } from './form';

export const ATTACHMENT = 'x-attachment';

export interface AttachmentRef {
  id: string;
  name: string;
  size: number;
  /** The media type sniffed from the content when it was uploaded. */
  type: string;
}

/** The schema of a file field's value. */
export function attachmentSchema(): JsonSchema {
  return {
    type: 'object',
    [ATTACHMENT]: true,
    properties: {
      id: { type: 'string', format: 'uuid' },
      name: { type: 'string', minLength: 1, maxLength: 255 },
      size: { type: 'integer', minimum: 0 },
      type: { type: 'string', maxLength: 255 },
    },
    required: ['id', 'name'],
    additionalProperties: false,
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

export const isAttachmentField = (schema: unknown): boolean => isObject(schema) && schema[ATTACHMENT] === true;

/** Whether a form has a file field (its own, or a table's column): files are uploaded only for such forms. */
export function hasAttachmentField(schema: JsonSchema): boolean {
  return topLevelFields(schema).some(
    ([, field]) =>
      isAttachmentField(field) ||
      (isObject(field.items) &&
        isObject(field.items.properties) &&
        Object.values(field.items.properties).some(isAttachmentField)),
  );
}

/** Most file references one submission may hold (attachmentRefs collects one more, for the caller to refuse). */
export const MAX_ATTACHMENT_REFS = 1_000;

/** Every file reference in `data` (a submission the schema validated), with the field path it is at (`lines.0.receipt`); at most `limit` + 1. */
export function attachmentRefs(
  schema: JsonSchema,
  data: unknown,
  limit = MAX_ATTACHMENT_REFS,
): { path: string[]; ref: AttachmentRef }[] {
  const out: { path: string[]; ref: AttachmentRef }[] = [];
  if (!isObject(data)) return out;
  const seen = new Set<string>();
  for (const [key, field] of topLevelFields(schema)) {
    if (seen.has(key) || !Object.hasOwn(data, key)) continue;
    seen.add(key);
    const value = data[key];
    if (isAttachmentField(field) && isObject(value) && out.length <= limit)
      out.push({ path: [key], ref: value as unknown as AttachmentRef });
    const items = field.items;
    if (Array.isArray(value) && isObject(items) && isObject(items.properties)) {
      const files = Object.entries(items.properties)
        .filter(([, c]) => isAttachmentField(c))
        .map(([c]) => c);
      if (files.length === 0) continue;
      value.forEach((row, index) => {
        if (!isObject(row)) return;
        for (const c of files)
          if (isObject(row[c]) && out.length <= limit)
            out.push({ path: [key, String(index), c], ref: row[c] as unknown as AttachmentRef });
      });
    }
    if (out.length > limit) break;
  }
  return out;
}

/** `data` with the references at `paths` replaced (a new object where it changed). */
export function replaceRefs(
  data: Record<string, unknown>,
  replaced: { path: string[]; ref: AttachmentRef }[],
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  for (const { path, ref } of replaced) {
    if (path.length === 1) out[path[0]!] = ref;
    else {
      const [key, index, column] = path as [string, string, string];
      const rows = [...(out[key] as unknown[])];
      rows[Number(index)] = { ...(rows[Number(index)] as Record<string, unknown>), [column]: ref };
      out[key] = rows;
    }
  }
  return out;
}
