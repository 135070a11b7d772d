/**
 * The REST API's OpenAPI 3.1 document (served at /api/v1/openapi.json), built from the very zod
 * schemas the handlers check requests with (schemas.ts) by zod's own z.toJSONSchema: requests as a
 * client writes them, answers as the server writes them. `operations` is the one list of routes:
 * test/integration/api-v1.test.ts fails for a route handler under app/api/v1 that it does not
 * describe. Pure: no I/O; built once per process.
 */
import { z } from 'zod';
import { HTTP_STATUS } from '../error-answers';
import { hookOperations } from './hooks';
import { jobOperations } from './jobs';
import { messageOperations } from './messages';
import { KEYED, type JsonSchema, type Operation, type Refusal } from './operation';

export type { Operation };
import {
  instancePath,
  instanceView,
  requestRegistry,
  responseRegistry,
  startedInstance,
  startHeaders,
  startInstanceRequest,
  type ApiMeta,
} from './schemas';

/** Where the API lives: operations' paths are under it. */
export const API_BASE = '/api/v1';

export const operations: Operation[] = [
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    summary: 'This document',
    description: 'The OpenAPI 3.1 description of this API. Needs no key.',
    public: true,
    success: { status: 200, description: 'The document.' },
    refusals: ['INTERNAL_SERVER_ERROR'],
  },
  {
    method: 'post',
    path: '/instances',
    operationId: 'startInstance',
    summary: 'Start a process instance',
    description:
      'Starts the latest published version of a process. Needs a key whose `start` scope lists the process. The instance has no initiator (a key is no person); its audit trail names the key. Variables are checked against the start form as a person’s start is: a refusal names each field (`variables.<field>`).',
    headers: startHeaders,
    body: startInstanceRequest,
    success: {
      status: 201,
      description: 'Started (or, for a retry with the same Idempotency-Key and body, the first start’s answer).',
      schema: startedInstance,
      headers: { Location: { type: 'string', description: 'The instance’s address in this API.' } },
    },
    refusals: [...KEYED, 'NOT_FOUND', 'CONFLICT', 'PAYLOAD_TOO_LARGE'],
  },
  {
    method: 'get',
    path: '/instances/{id}',
    operationId: 'getInstance',
    summary: 'Read a process instance',
    description:
      'Its status and variables. Needs a key whose scopes allow reading instances. Another company’s instance is not found, as an id that names none.',
    pathParams: instancePath,
    success: { status: 200, description: 'The instance.', schema: instanceView },
    refusals: [...KEYED, 'NOT_FOUND'],
  },
  ...messageOperations,
  ...jobOperations,
  ...hookOperations,
];

/** The shared response of each refusal: its name in the document, what it means, and the headers it carries. */
const REFUSALS: Record<Refusal, { name: string; description: string; headers?: Record<string, unknown> }> = {
  BAD_REQUEST: {
    name: 'BadRequest',
    description: 'The request does not match this description, or what it asks is refused; `fields` names each field.',
  },
  UNAUTHORIZED: {
    name: 'Unauthorized',
    description:
      'No valid key: missing, malformed, unknown, revoked or expired, told apart to no one. Revoking a key refuses its next request.',
    headers: { 'WWW-Authenticate': { schema: { type: 'string' }, description: 'Always `Bearer realm="trellis"`.' } },
  },
  FORBIDDEN: { name: 'Forbidden', description: 'The key’s scopes do not allow this (which scope is not said).' },
  NOT_FOUND: { name: 'NotFound', description: 'Nothing of that id or key in the key’s company.' },
  CONFLICT: {
    name: 'Conflict',
    description:
      'The Idempotency-Key was used with another body, by another caller or for another command; or the request collided with another (`retryable`: send it again).',
  },
  PAYLOAD_TOO_LARGE: { name: 'PayloadTooLarge', description: 'The body, or the instance’s variables, are too large.' },
  TOO_MANY_REQUESTS: {
    name: 'TooManyRequests',
    description: 'Too many requests with no valid key from this address.',
    headers: { 'Retry-After': { schema: { type: 'integer' }, description: 'Seconds to wait.' } },
  },
  INTERNAL_SERVER_ERROR: {
    name: 'InternalServerError',
    description: 'A failure of the server: the message carries a reference the administrator finds in the log.',
  },
  SERVICE_UNAVAILABLE: {
    name: 'ServiceUnavailable',
    description: 'The database could not be reached (`retryable`: send it again, with the same Idempotency-Key).',
  },
};

const ref = (kind: 'schemas' | 'responses' | 'parameters', name: string) => ({ $ref: `#/components/${kind}/${name}` });

/** Components of one registry, as `io` reads them; zod's `$schema` and `$id` dropped (OpenAPI sets the dialect). */
function componentsOf(registry: z.core.$ZodRegistry<ApiMeta>, io: 'input' | 'output'): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io,
    metadata: registry,
    uri: (id) => `#/components/schemas/${id}`,
  });
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $schema: _dialect, $id: _id, ...rest } = schema as JsonSchema;
      return [id, rest];
    }),
  );
}

/** A schema written in place (a parameter's), as `io` reads it. */
function inline(schema: z.ZodType, registry: z.core.$ZodRegistry<ApiMeta>, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io, metadata: registry });
  return rest as JsonSchema;
}

/** A component reference to a schema that has an id (every body and answer has one). */
function schemaRef(schema: z.ZodType, registry: z.core.$ZodRegistry<ApiMeta>) {
  const id = registry.get(schema)?.id;
  if (!id) throw new Error('An API body or answer schema has no component id: register it with one in schemas.ts.');
  return ref('schemas', id);
}

function parameters(operation: Operation) {
  const of = (where: 'path' | 'header', shape: z.ZodObject) =>
    Object.entries(shape.shape).map(([name, field]) => {
      const schema = field as z.ZodType;
      const optional = schema.safeParse(undefined).success;
      const inner = schema instanceof z.ZodOptional ? (schema.unwrap() as z.ZodType) : schema;
      // The description is the parameter's, not its schema's.
      const { description, ...schemaOf } = inline(inner, requestRegistry, 'input');
      return {
        name,
        in: where,
        required: where === 'path' || !optional,
        ...(typeof description === 'string' ? { description } : {}),
        schema: schemaOf,
      };
    });
  return [
    ...(operation.pathParams ? of('path', operation.pathParams) : []),
    ...(operation.headers ? of('header', operation.headers) : []),
    ...(operation.public && !operation.signed ? [] : [ref('parameters', 'AcceptLanguage')]),
  ];
}

function operationObject(operation: Operation) {
  const params = parameters(operation);
  const { success } = operation;
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    description: operation.description,
    security: operation.public ? [] : [{ apiKey: [] }],
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(operation.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: schemaRef(operation.body, requestRegistry) } },
          },
        }
      : {}),
    responses: {
      [String(success.status)]: {
        description: success.description,
        ...(success.headers
          ? {
              headers: Object.fromEntries(
                Object.entries(success.headers).map(([name, schema]) => [
                  name,
                  { schema: { type: schema.type }, description: schema.description },
                ]),
              ),
            }
          : {}),
        content: {
          'application/json': {
            schema: success.schema ? schemaRef(success.schema, responseRegistry) : { type: 'object' },
          },
        },
      },
      ...Object.fromEntries(
        operation.refusals.map((code) => [String(HTTP_STATUS[code]), ref('responses', REFUSALS[code].name)]),
      ),
    },
  };
}

function build() {
  const requests = componentsOf(requestRegistry, 'input');
  const answers = componentsOf(responseRegistry, 'output');
  for (const id of Object.keys(requests))
    if (id in answers) throw new Error(`Schema "${id}" is both a request and an answer: give each its own id.`);

  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) (paths[operation.path] ??= {})[operation.method] = operationObject(operation);

  return {
    openapi: '3.1.0',
    info: {
      title: 'Trellis API',
      version: '1',
      description:
        'For outside systems, with a company’s API key (`Authorization: Bearer trk_…`): start process instances and read them, publish messages and broadcast signals into processes, and do the work of service tasks as an external job worker (fetch and lock, complete, fail, raise a BPMN error, extend the lock). Inbound webhooks (`/hooks/{id}`) are signed instead of keyed. JSON in and out; refusals are `Error` objects in the language Accept-Language asks for (en, vi).',
    },
    servers: [{ url: API_BASE }],
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API key a company’s admin created (`trk_<prefix>_<secret>`), shown once when created. Its scopes say what it may do.',
        },
      },
      parameters: {
        AcceptLanguage: {
          name: 'Accept-Language',
          in: 'header',
          required: false,
          description: 'The language of messages: `en` (the default) or `vi`.',
          schema: { type: 'string', examples: ['vi', 'en-US,en;q=0.8'] },
        },
      },
      responses: Object.fromEntries(
        Object.values(REFUSALS).map(({ name, description, headers }) => [
          name,
          {
            description,
            ...(headers ? { headers } : {}),
            content: { 'application/json': { schema: ref('schemas', 'Error') } },
          },
        ]),
      ),
      schemas: { ...requests, ...answers },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof build>;

let built: OpenApiDocument | undefined;

/** The document (built on first use: the schemas do not change while the process runs). */
export function openApiDocument(): OpenApiDocument {
  built ??= build();
  return built;
}
