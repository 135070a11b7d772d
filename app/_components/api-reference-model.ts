/**
 * The API reference page's reading of the REST API's OpenAPI document (app/server/api/openapi.ts):
 * its operations grouped by area, and every schema, parameter and header as a tree of fields a
 * person can read. Pure and wordless: the document in, plain data out; the words are the
 * renderer's (api-reference.tsx), in the reader's language. It reads only the document, so the
 * page cannot say what the API does not.
 *
 * `$ref`s into components are followed with a depth limit and stopped at a cycle, so any document
 * renders in bounded size.
 */

type Json = Record<string, unknown>;

/** What the page reads of an OpenAPI 3.1 document (openApiDocument() is one). */
export interface ApiDocument {
  info: { title: string; version: string; description?: string };
  servers?: { url: string }[];
  security?: Record<string, unknown[]>[];
  paths: Record<string, Record<string, unknown>>;
  components?: {
    securitySchemes?: Record<string, unknown>;
    parameters?: Record<string, unknown>;
    responses?: Record<string, unknown>;
    schemas?: Record<string, unknown>;
  };
}

/** The page's sections, in their order: an operation's is the first segment of its path. */
export const AREAS = ['instances', 'messages', 'jobs', 'hooks', 'document', 'other'] as const;
export type Area = (typeof AREAS)[number];
const AREA_OF_SEGMENT: Record<string, Area> = {
  instances: 'instances',
  messages: 'messages',
  signals: 'messages',
  jobs: 'jobs',
  hooks: 'hooks',
  'openapi.json': 'document',
};

/** Nesting levels of a field tree shown; deeper fields are left to the document. */
export const MAX_DEPTH = 6;

export const CONSTRAINT_KINDS = [
  'format',
  'enum',
  'const',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'exclusiveMinimum',
  'maximum',
  'exclusiveMaximum',
  'minItems',
  'maxItems',
  'default',
  'examples',
] as const;
export type ConstraintKind = (typeof CONSTRAINT_KINDS)[number];
/** A rule of a field: its values are shown as code (literals JSON-encoded, so `"active"` and `10` read apart). */
export interface Constraint {
  kind: ConstraintKind;
  values: string[];
}

export interface FieldNode {
  /** A property's, parameter's or header's name; '' for a whole schema, an array's items, a map's values or a variant. */
  name: string;
  role: 'schema' | 'property' | 'parameter' | 'header' | 'items' | 'values' | 'variant';
  /** Where a parameter goes: `path`, `header`, `query`. */
  in?: string;
  /** JSON types (`string`, `null`…); empty when the schema says none (any value). */
  types: string[];
  required: boolean;
  description?: string;
  /** The component it is (`#/components/schemas/<ref>`). */
  ref?: string;
  constraints: Constraint[];
  /** An object's fields beyond those listed: refused (`additionalProperties: false`) or allowed; unsaid when absent. */
  others?: 'refused' | 'allowed';
  children: FieldNode[];
  /** Not followed further: its component is one of its own ancestors, or it lies deeper than MAX_DEPTH. */
  stopped?: 'cycle' | 'depth';
}

export interface Answer {
  /** The HTTP status, as the document keys it (`201`). */
  status: string;
  /** The shared response it is (`Unauthorized`), when a component. */
  name?: string;
  description: string;
  headers: FieldNode[];
  body?: FieldNode;
}

export interface ReferenceOperation {
  id: string;
  method: string;
  /** The full path: the first server's address and the operation's path. */
  path: string;
  summary: string;
  description: string;
  area: Area;
  /** `key`: a security scheme (an API key); `signed`: no scheme, a signature of its own; `none`: public. */
  security: 'key' | 'signed' | 'none';
  parameters: FieldNode[];
  body?: FieldNode;
  success?: Answer;
  refusals: Answer[];
}

export interface SecurityScheme {
  name: string;
  type: string;
  scheme?: string;
  description?: string;
}

export interface Reference {
  title: string;
  version: string;
  description?: string;
  servers: string[];
  schemes: SecurityScheme[];
  areas: { area: Area; operations: ReferenceOperation[] }[];
  /** The schema every shared refusal answers with, when they share one (`Error`). */
  errorSchema?: FieldNode;
}

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const asObject = (value: unknown): Json => (isObject(value) ? value : {});
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

/** The component name a `$ref` of `kind` names (`#/components/schemas/Error` → `Error`). */
function refName(value: unknown, kind: 'schemas' | 'parameters' | 'responses'): string | undefined {
  const ref = text(asObject(value).$ref);
  const prefix = `#/components/${kind}/`;
  return ref?.startsWith(prefix) ? ref.slice(prefix.length) : undefined;
}

/** Resolves a parameter's or response's `$ref` (one level: components of those kinds are not references). */
function resolved(value: unknown, kind: 'parameters' | 'responses', doc: ApiDocument): { name?: string; value: Json } {
  const name = refName(value, kind);
  if (name === undefined) return { value: asObject(value) };
  return { name, value: asObject(doc.components?.[kind]?.[name]) };
}

// ——— Field trees ———

interface Walk {
  schemas: Record<string, unknown>;
  /** Components on the way here: meeting one again is a cycle. */
  trail: readonly string[];
  depth: number;
}

type Base = Pick<FieldNode, 'name' | 'role' | 'required'> & Partial<Pick<FieldNode, 'in' | 'description'>>;

/** zod writes an integer's bounds as the safe-integer range: a limit of the language, not a rule of the API. */
const SAFE = Number.MAX_SAFE_INTEGER;

function constraintsOf(schema: Json): Constraint[] {
  const out: Constraint[] = [];
  const literal = (value: unknown) => JSON.stringify(value) ?? String(value);
  for (const kind of CONSTRAINT_KINDS) {
    const value = schema[kind];
    if (value === undefined) continue;
    // A format's pattern is zod's spelling of the format (a uuid's is 200 characters): the format says it.
    if (kind === 'pattern' && schema.format !== undefined) continue;
    if ((kind === 'minimum' || kind === 'maximum') && (value === SAFE || value === -SAFE)) continue;
    if (kind === 'enum' || kind === 'examples') {
      if (Array.isArray(value)) out.push({ kind, values: value.map(literal) });
    } else if (kind === 'const' || kind === 'default') {
      out.push({ kind, values: [literal(value)] });
    } else {
      out.push({ kind, values: [String(value)] });
    }
  }
  return out;
}

function typesOf(schema: Json): string[] {
  const { type } = schema;
  if (typeof type === 'string') return [type];
  if (Array.isArray(type)) return type.filter((t): t is string => typeof t === 'string');
  if (isObject(schema.properties)) return ['object'];
  if (schema.items !== undefined) return ['array'];
  return [];
}

/**
 * A schema's variants (anyOf, oneOf): one besides `null` reads as that one, nullable; several are
 * listed as options. Returns the schema to read on, and the options if any.
 */
function variantsOf(schema: Json): { schema: Json; options?: Json[] } {
  const list = Array.isArray(schema.anyOf) ? schema.anyOf : Array.isArray(schema.oneOf) ? schema.oneOf : undefined;
  if (!list) return { schema };
  const { anyOf: _anyOf, oneOf: _oneOf, ...rest } = schema;
  const options = list.map(asObject);
  const nullable = options.some((o) => o.type === 'null');
  const others = options.filter((o) => o.type !== 'null');
  if (others.length === 1 && others[0]!.$ref === undefined) {
    const only = others[0]!;
    const types = [...typesOf(only), ...(nullable ? ['null'] : [])];
    // The outer schema's own words (its description) come first, as a property's description does over its type's.
    return { schema: { ...only, ...rest, type: types } };
  }
  return { schema: rest, options };
}

function walk(raw: unknown, at: Walk, base: Base): FieldNode {
  let schema = asObject(raw);
  let ref: string | undefined;
  let trail = at.trail;
  const name = refName(schema, 'schemas');
  if (name !== undefined) {
    ref = name;
    const { $ref: _ref, ...siblings } = schema;
    if (trail.includes(name)) {
      const description = base.description ?? text(siblings.description);
      return {
        ...base,
        ...(description !== undefined ? { description } : {}),
        ref,
        types: [],
        constraints: [],
        children: [],
        stopped: 'cycle',
      };
    }
    // Words beside a reference (a property's description) are the property's: they win over the component's.
    schema = { ...asObject(at.schemas[name]), ...siblings };
    trail = [...trail, name];
  }
  const { schema: read, options } = variantsOf(schema);
  const description = base.description ?? text(read.description);
  const node: FieldNode = {
    ...base,
    ...(description !== undefined ? { description } : {}),
    ...(ref !== undefined ? { ref } : {}),
    types: options ? [...new Set(options.flatMap((o) => typesOf(o)))] : typesOf(read),
    constraints: constraintsOf(read),
    children: [],
  };
  const properties = asObject(read.properties);
  const additional = read.additionalProperties;
  if (additional === false) node.others = 'refused';
  else if (additional !== undefined) node.others = 'allowed';

  const below: { raw: unknown; base: Base }[] = [];
  const required = new Set(Array.isArray(read.required) ? read.required : []);
  for (const [key, value] of Object.entries(properties))
    below.push({ raw: value, base: { name: key, role: 'property', required: required.has(key) } });
  if (isObject(additional) && Object.keys(additional).length > 0)
    below.push({ raw: additional, base: { name: '', role: 'values', required: false } });
  if (read.items !== undefined) below.push({ raw: read.items, base: { name: '', role: 'items', required: false } });
  for (const option of options ?? []) below.push({ raw: option, base: { name: '', role: 'variant', required: false } });

  if (below.length === 0) return node;
  if (at.depth >= MAX_DEPTH) return { ...node, stopped: 'depth' };
  const next: Walk = { schemas: at.schemas, trail, depth: at.depth + 1 };
  node.children = below.map((b) => walk(b.raw, next, b.base));
  return node;
}

/** A schema as a tree of fields, `$ref`s followed into `schemas` (a document's components.schemas). */
export function fieldTree(
  schema: unknown,
  schemas: Record<string, unknown>,
  base: Base = { name: '', role: 'schema', required: true },
): FieldNode {
  return walk(schema, { schemas, trail: [], depth: 0 }, base);
}

// ——— Operations ———

const jsonSchema = (content: unknown) => asObject(asObject(content)['application/json']).schema;

function headersOf(headers: unknown, schemas: Record<string, unknown>): FieldNode[] {
  return Object.entries(asObject(headers)).map(([name, header]) => {
    const h = asObject(header);
    const description = text(h.description);
    return fieldTree(h.schema, schemas, {
      name,
      role: 'header',
      required: h.required === true,
      ...(description !== undefined ? { description } : {}),
    });
  });
}

function answerOf(status: string, raw: unknown, doc: ApiDocument, schemas: Record<string, unknown>): Answer {
  const { name, value } = resolved(raw, 'responses', doc);
  const schema = jsonSchema(value.content);
  return {
    status,
    ...(name !== undefined ? { name } : {}),
    description: text(value.description) ?? '',
    headers: headersOf(value.headers, schemas),
    ...(schema !== undefined ? { body: fieldTree(schema, schemas) } : {}),
  };
}

function parameterOf(raw: unknown, doc: ApiDocument, schemas: Record<string, unknown>): FieldNode {
  const { value } = resolved(raw, 'parameters', doc);
  const description = text(value.description);
  const where = text(value.in);
  return fieldTree(value.schema, schemas, {
    name: text(value.name) ?? '',
    role: 'parameter',
    required: value.required === true,
    ...(where !== undefined ? { in: where } : {}),
    ...(description !== undefined ? { description } : {}),
  });
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

/**
 * The document as the page shows it. `signed` names the operations that, with no security scheme,
 * are authenticated by a signature of their own (openapi.ts's `signed`: the document says so only
 * in words and headers).
 */
export function apiReference(doc: ApiDocument, signed: ReadonlySet<string> = new Set()): Reference {
  const schemas = doc.components?.schemas ?? {};
  const server = doc.servers?.[0]?.url ?? '';
  const byArea = new Map<Area, ReferenceOperation[]>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, raw] of Object.entries(item)) {
      if (!METHODS.includes(method)) continue;
      const op = asObject(raw);
      const id = text(op.operationId) ?? `${method} ${path}`;
      const area = AREA_OF_SEGMENT[path.split('/')[1] ?? ''] ?? 'other';
      const requirements = Array.isArray(op.security) ? op.security : (doc.security ?? []);
      const keyed = requirements.some((r) => Object.keys(asObject(r)).length > 0);
      const statuses = Object.entries(asObject(op.responses));
      const success = statuses.find(([status]) => status.startsWith('2'));
      const body = jsonSchema(asObject(op.requestBody).content);
      const operation: ReferenceOperation = {
        id,
        method,
        path: `${server}${path}`,
        summary: text(op.summary) ?? '',
        description: text(op.description) ?? '',
        area,
        security: keyed ? 'key' : signed.has(id) ? 'signed' : 'none',
        parameters: (Array.isArray(op.parameters) ? op.parameters : []).map((p) => parameterOf(p, doc, schemas)),
        ...(body !== undefined ? { body: fieldTree(body, schemas) } : {}),
        ...(success ? { success: answerOf(success[0], success[1], doc, schemas) } : {}),
        refusals: statuses
          .filter(([status]) => !status.startsWith('2'))
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([status, response]) => answerOf(status, response, doc, schemas)),
      };
      byArea.set(area, [...(byArea.get(area) ?? []), operation]);
    }
  }

  const errorRefs = new Set(
    Object.values(doc.components?.responses ?? {}).map((r) => refName(jsonSchema(asObject(r).content), 'schemas')),
  );
  const [errorRef] = errorRefs;
  return {
    title: doc.info.title,
    version: doc.info.version,
    ...(doc.info.description !== undefined ? { description: doc.info.description } : {}),
    servers: (doc.servers ?? []).map((s) => s.url),
    schemes: Object.entries(doc.components?.securitySchemes ?? {}).map(([name, raw]) => {
      const s = asObject(raw);
      const scheme = text(s.scheme);
      const description = text(s.description);
      return {
        name,
        type: text(s.type) ?? '',
        ...(scheme !== undefined ? { scheme } : {}),
        ...(description !== undefined ? { description } : {}),
      };
    }),
    areas: AREAS.filter((area) => byArea.has(area)).map((area) => ({ area, operations: byArea.get(area)! })),
    ...(errorRefs.size === 1 && errorRef !== undefined
      ? { errorSchema: fieldTree({ $ref: `#/components/schemas/${errorRef}` }, schemas) }
      : {}),
  };
}
