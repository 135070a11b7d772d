/**
 * The REST API's requests and answers as zod schemas: the handlers check what arrives with them,
 * and openapi.ts describes the API by them, so the document and the checks cannot disagree. Field
 * rules are the app's own (startInputShape, idempotencyKeySchema): a system's start is checked as
 * a person's is.
 *
 * Two registries hold each schema's component id and descriptions: requests are described as a
 * client writes them (a field with a default is optional), answers as the server writes them.
 * Private registries, not zod's global one: Next loads a module several times in one process, and
 * the global registry refuses an id twice.
 */
import { z } from 'zod';
import { instanceStatuses } from '@/db/schema';
import { HTTP_STATUS, type AnswerCode } from '../error-answers';
import { idempotencyKeySchema } from '../services/idempotency';
import { startInputShape } from '../services/instances';

/** What the document says of a schema: its component id (schemas without one are written in place) and a description. */
export interface ApiMeta {
  id?: string;
  description?: string;
}

/** Schemas of what clients send (bodies, path parameters, headers). */
export const requestRegistry = z.registry<ApiMeta>();
/** Schemas of what the server answers. */
export const responseRegistry = z.registry<ApiMeta>();

/** A copy of `schema` described in `registry` (a copy: a shared rule, such as a key, may be described otherwise elsewhere). */
export function described<T extends z.ZodType>(registry: z.core.$ZodRegistry<ApiMeta>, schema: T, meta: ApiMeta): T {
  const copy = schema.clone() as T;
  registry.add(copy, meta);
  return copy;
}

// ——— Requests ———

export const startInstanceRequest = described(
  requestRegistry,
  z.strictObject({
    definitionKey: described(requestRegistry, startInputShape.definitionKey, {
      description:
        'The key of the process to start, e.g. "invoice-approval": its latest published version starts. The key’s `start` scope must list it.',
    }),
    variables: described(requestRegistry, startInputShape.variables, {
      description:
        'The values of the process’s start form, by field name, checked against the form as a person’s start is. Leave it out for a process without a start form.',
    }),
  }),
  { id: 'StartInstanceRequest', description: 'Starts an instance of a process.' },
);

export const instancePath = z.strictObject({
  id: described(requestRegistry, z.uuid(), { description: 'The instance’s id, as the start answered it.' }),
});

/** The headers a start reads (names as sent; checked case-insensitively). */
export const startHeaders = z.object({
  'Idempotency-Key': described(requestRegistry, idempotencyKeySchema, {
    description:
      'Makes the start safe to send again: a retry with the same key and body answers the first start’s result and starts nothing; the same key with another body is refused (409). Results are kept 24 hours.',
  }).optional(),
});

// ——— Answers ———
// Loose objects: an answer may gain fields within v1, and a client must read past those it does not know.

const status = described(responseRegistry, z.enum(instanceStatuses), {
  description:
    '`active`: running; `completed`: reached an end; `terminated`: cancelled; `incident`: stopped by an error an administrator must resolve.',
});
const timestamp = z.iso.datetime();

export const startedInstance = described(
  responseRegistry,
  z.looseObject({
    id: z.uuid(),
    status,
  }),
  {
    id: 'StartedInstance',
    description: 'The instance started: its id, and its status once its first step is done.',
  },
);

export const instanceView = described(
  responseRegistry,
  z.looseObject({
    id: z.uuid(),
    definitionKey: z.string(),
    definitionVersion: described(responseRegistry, z.int().min(1), {
      description: 'The version of the process definition the instance runs.',
    }),
    status,
    businessKey: described(responseRegistry, z.string().nullable(), {
      description: 'The reference the process takes from its start form (e.g. an invoice number), if it names one.',
    }),
    outcome: described(responseRegistry, z.string().nullable(), {
      description: 'The outcome its end event names, once it has ended at one that names one.',
    }),
    startedAt: timestamp,
    endedAt: timestamp.nullable(),
    variables: described(responseRegistry, z.record(z.string(), z.unknown()), {
      description: 'Its variables now.',
    }),
  }),
  { id: 'Instance', description: 'A process instance: where it stands and its variables.' },
);

const answerCodes = Object.keys(HTTP_STATUS) as [AnswerCode, ...AnswerCode[]];

export const apiError = described(
  responseRegistry,
  z.looseObject({
    code: z.enum(answerCodes),
    message: described(responseRegistry, z.string(), {
      description: 'What went wrong and how to fix it, in the language Accept-Language asks for (en, vi).',
    }),
    retryable: described(responseRegistry, z.literal(true).optional(), {
      description: 'Present when the same request may succeed if sent again (with the same Idempotency-Key).',
    }),
    fields: described(
      responseRegistry,
      z
        .array(
          z.looseObject({
            path: described(responseRegistry, z.string(), {
              description:
                'Where in the request: a body field by its path (`definitionKey`, `variables.amount`), a path parameter (`id`) or a header (`Idempotency-Key`).',
            }),
            label: described(responseRegistry, z.string(), {
              description: 'The field as a person reads it (a form field’s title), else its path.',
            }),
            message: z.string(),
          }),
        )
        .optional(),
      { description: 'The fields refused, each named.' },
    ),
    details: described(responseRegistry, z.record(z.string(), z.unknown()).optional(), {
      description: 'Facts a client may act on beyond the message.',
    }),
  }),
  { id: 'Error', description: 'Every refusal and failure.' },
);

export type ApiErrorBody = z.input<typeof apiError>;
