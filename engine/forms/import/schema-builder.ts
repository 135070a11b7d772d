/**
 * Builds the JSON Schema and uiSchema of an imported form from flat field declarations: nested
 * property paths, the order fields were declared in, required fields (also inside groups) and
 * requirements that only hold while a field is visible (`if`/`else` at the root).
 *
 * Property names come from foreign files, so entries live in Maps until the very end; `__proto__`
 * is refused because it cannot safely be a property name in every consumer.
 */
import type { JsonSchema } from '../form';
import type { FieldType } from './feel-condition';

export interface FieldSpec {
  /** Property path from the object being built: `['address', 'street']`. */
  path: string[];
  schema: JsonSchema;
  ui?: Record<string, unknown>;
  required?: boolean;
  /**
   * What "required" demands beyond presence, as the source product means it: a non-empty text
   * (`{ minLength: 1 }`), a ticked checkbox (`{ enum: [true] }`), a non-empty choice list
   * (`{ minItems: 1 }`).
   */
  requirement?: JsonSchema;
}

interface Leaf {
  kind: 'leaf';
  schema: JsonSchema;
  ui: Record<string, unknown>;
}

interface ObjectNode {
  kind: 'object';
  schema: JsonSchema;
  ui: Record<string, unknown>;
  entries: Map<string, Leaf | ObjectNode>;
  required: Set<string>;
}

const FORBIDDEN_NAMES = new Set(['__proto__']);
const MAX_NAME_LENGTH = 200;
const MAX_PATH_DEPTH = 20;
const FIELD_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);

function objectNode(schema: JsonSchema = {}, ui: Record<string, unknown> = {}): ObjectNode {
  return { kind: 'object', schema, ui, entries: new Map(), required: new Set() };
}

export class ObjectSchemaBuilder {
  private readonly root = objectNode();
  private readonly conditions: JsonSchema[] = [];
  private readonly descriptions: string[] = [];

  /** Adds a field; returns why it cannot be added (a clash or a bad name), else null. */
  add(field: FieldSpec): string | null {
    const problem = checkPath(field.path);
    if (problem) return problem;
    const parent = this.parentOf(field.path);
    if (typeof parent === 'string') return parent;
    const name = field.path[field.path.length - 1]!;
    if (parent.entries.has(name)) return `another field already stores its value in "${field.path.join('.')}"`;
    const schema = { ...field.schema };
    if (field.required) {
      mergeRequirement(schema, field.requirement ?? {});
      this.markRequired(field.path);
    }
    parent.entries.set(name, { kind: 'leaf', schema, ui: { ...(field.ui ?? {}) } });
    return null;
  }

  /** Declares the object a group of fields is stored in, with its title (before its fields). */
  object(path: string[], schema: JsonSchema, ui: Record<string, unknown> = {}): string | null {
    const problem = checkPath(path);
    if (problem) return problem;
    const parent = this.parentOf(path);
    if (typeof parent === 'string') return parent;
    const name = path[path.length - 1]!;
    const existing = parent.entries.get(name);
    if (existing?.kind === 'leaf') return `"${path.join('.')}" is already a field`;
    if (existing) Object.assign(existing.schema, schema);
    else parent.entries.set(name, objectNode({ ...schema }, { ...ui }));
    return null;
  }

  /** The JSON type of the field or group stored at `path`; undefined when there is none. */
  typeOf(path: string[]): FieldType | undefined {
    let node: Leaf | ObjectNode | undefined = this.root;
    for (const segment of path) node = node?.kind === 'object' ? node.entries.get(segment) : undefined;
    if (!node) return undefined;
    if (node.kind === 'object') return 'object';
    const type = node.schema.type;
    return typeof type === 'string' && FIELD_TYPES.has(type) ? (type as FieldType) : 'unknown';
  }

  /** Makes the field at `path` (added before) required, with `requirement`. */
  require(path: string[], requirement: JsonSchema): void {
    let node: Leaf | ObjectNode | undefined = this.root;
    for (const segment of path) node = node?.kind === 'object' ? node.entries.get(segment) : undefined;
    if (node?.kind !== 'leaf') return;
    mergeRequirement(node.schema, requirement);
    this.markRequired(path);
  }

  /**
   * The field at `path` is required, with `requirement`, except while `hiddenWhen` holds for
   * the form's data (the source hides the field then, and hidden fields are not validated).
   */
  requireUnless(path: string[], requirement: JsonSchema, hiddenWhen: JsonSchema): void {
    this.conditions.push({ if: hiddenWhen, else: requireAt(path, requirement) });
  }

  /** Display-only text: shown as the form's description, in declaration order. */
  describe(text: string): void {
    this.descriptions.push(text);
  }

  /**
   * `closed` adds `additionalProperties: false` at the top (nested objects always get it; the
   * server adds it to a form's top level itself).
   */
  build(options: { closed?: boolean } = {}): { schema: JsonSchema; uiSchema: Record<string, unknown> } {
    const { schema, ui } = buildNode(this.root, options.closed ?? false);
    if (this.conditions.length === 1) Object.assign(schema, this.conditions[0]);
    else if (this.conditions.length > 1) schema.allOf = this.conditions;
    if (this.descriptions.length > 0) ui['ui:description'] = this.descriptions.join('\n\n');
    return { schema, uiSchema: ui };
  }

  private parentOf(path: string[]): ObjectNode | string {
    let node = this.root;
    for (let i = 0; i < path.length - 1; i++) {
      const segment = path[i]!;
      const next = node.entries.get(segment);
      if (next?.kind === 'leaf')
        return `"${path.slice(0, i + 1).join('.')}" is already a field, so nothing can be stored inside it`;
      if (next) node = next;
      else {
        const created = objectNode({ title: segment });
        node.entries.set(segment, created);
        node = created;
      }
    }
    return node;
  }

  private markRequired(path: string[]): void {
    let node = this.root;
    for (const segment of path) {
      node.required.add(segment);
      const next = node.entries.get(segment);
      if (next?.kind !== 'object') return;
      node = next;
    }
  }
}

function checkPath(path: string[]): string | null {
  const long = path.find((s) => s.length > MAX_NAME_LENGTH);
  if (long !== undefined) return `"${long.slice(0, 40)}…" is longer than ${MAX_NAME_LENGTH} characters`;
  if (path.length === 0 || path.length > MAX_PATH_DEPTH || path.some((s) => s === ''))
    return `"${path.join('.').slice(0, 100)}" is not a usable property name`;
  const bad = path.find((s) => FORBIDDEN_NAMES.has(s));
  return bad ? `"${bad}" cannot be used as a property name` : null;
}

/** Adds `requirement` to `schema`; lower bounds keep the stricter value. */
function mergeRequirement(schema: JsonSchema, requirement: JsonSchema): void {
  for (const [keyword, value] of Object.entries(requirement)) {
    const current = schema[keyword];
    if ((keyword === 'minLength' || keyword === 'minItems') && typeof current === 'number' && typeof value === 'number')
      schema[keyword] = Math.max(current, value);
    else schema[keyword] = value;
  }
}

/** `{ required: ['a'], properties: { a: { required: ['b'], properties: { b: requirement } } } }` */
function requireAt(path: string[], requirement: JsonSchema): JsonSchema {
  let schema: JsonSchema | undefined;
  for (let i = path.length - 1; i >= 0; i--) {
    const name = path[i]!;
    const inner = schema ?? requirement;
    schema =
      Object.keys(inner).length > 0
        ? { required: [name], properties: Object.fromEntries([[name, inner]]) }
        : { required: [name] };
  }
  return schema ?? {};
}

function buildNode(node: ObjectNode, closed: boolean): { schema: JsonSchema; ui: Record<string, unknown> } {
  const properties: [string, JsonSchema][] = [];
  const ui: Record<string, unknown> = { ...node.ui };
  for (const [name, entry] of node.entries) {
    const built = entry.kind === 'leaf' ? { schema: entry.schema, ui: entry.ui } : buildNode(entry, true);
    properties.push([name, built.schema]);
    if (Object.keys(built.ui).length > 0) ui[name] = built.ui;
  }
  if (node.entries.size > 1) ui['ui:order'] = [...node.entries.keys()];
  const schema: JsonSchema = { type: 'object', ...node.schema, properties: Object.fromEntries(properties) };
  if (node.required.size > 0) schema.required = [...node.required];
  if (closed) schema.additionalProperties = false;
  return { schema, ui };
}
