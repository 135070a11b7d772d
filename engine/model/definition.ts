/**
 * The canonical JSON process definition (format version 1).
 *
 * This is the meeting point of everything that produces or runs a process: the JSON files in
 * definitions/, the BPMN importer, the designer and the compiler. It is plain data, versioned
 * by `formatVersion`, and validated structurally here (zod) and semantically by validate/.
 * Element types use BPMN's names so a definition maps 1:1 onto BPMN 2.0.
 */
import { z } from 'zod';

export const DEFINITION_FORMAT_VERSION = 1;

/** Element and flow ids become XState state keys and audit references: NCName without dots. */
const elementId = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_-]{0,99}$/, 'must start with a letter or "_" and contain only letters, digits, "_" or "-" (at most 100)');

/** A key shared by definitions, forms and groups within a company, e.g. "invoice-approval". */
export const keySchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be lower-case letters, digits and "-" (at most 64)');

/** Either one text, or a text per locale (`{ "en": "Invoice", "vi": "Hóa đơn" }`). */
export const localizedTextSchema = z.union([
  z.string().min(1).max(500),
  z.record(z.string().regex(/^[a-z]{2}$/), z.string().min(1).max(500)).refine((v) => Object.keys(v).length > 0, 'needs at least one locale'),
]);
export type LocalizedText = z.infer<typeof localizedTextSchema>;

const expression = z.string().min(1).max(2_000);

const base = {
  id: elementId,
  name: localizedTextSchema.optional(),
  documentation: z.string().max(10_000).optional(),
};

export const startEventSchema = z.strictObject({ ...base, type: z.literal('startEvent') });

export const endEventSchema = z.strictObject({
  ...base,
  type: z.literal('endEvent'),
  /** A short machine-readable result recorded on the instance, e.g. "approved". */
  outcome: z.string().regex(/^[a-z][a-z0-9-]{0,39}$/).optional(),
  /** A terminate end event ends the whole instance at once, cancelling every other path. */
  terminate: z.boolean().optional(),
});

export const userTaskSchema = z.strictObject({
  ...base,
  type: z.literal('userTask'),
  formKey: keySchema,
  /** Departments (group keys) whose members may work the task. */
  candidateGroups: z.array(keySchema).min(1).max(10),
  /** "manager": only the managers of those departments may work it. */
  candidateRole: z.enum(['member', 'manager']).default('member'),
  /** FEEL expression giving the due date (a date or an ISO 8601 date string). */
  dueDate: expression.optional(),
});

export const exclusiveGatewaySchema = z.strictObject({
  ...base,
  type: z.literal('exclusiveGateway'),
  /** Id of the outgoing flow taken when no condition is true. */
  default: elementId.optional(),
});

/** Splits into all outgoing flows, or joins by waiting for a token on every incoming flow. */
export const parallelGatewaySchema = z.strictObject({ ...base, type: z.literal('parallelGateway') });

/** Splits into every outgoing flow whose condition is true (else the default); joins what was split. */
export const inclusiveGatewaySchema = z.strictObject({
  ...base,
  type: z.literal('inclusiveGateway'),
  default: elementId.optional(),
});

export const serviceTaskSchema = z.strictObject({
  ...base,
  type: z.literal('serviceTask'),
  /** Variables to set: name → FEEL expression, evaluated in order against the variables so far. */
  set: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/), expression),
});

export const elementSchema = z.discriminatedUnion('type', [
  startEventSchema,
  endEventSchema,
  userTaskSchema,
  exclusiveGatewaySchema,
  parallelGatewaySchema,
  inclusiveGatewaySchema,
  serviceTaskSchema,
]);

export const sequenceFlowSchema = z.strictObject({
  id: elementId,
  name: localizedTextSchema.optional(),
  source: elementId,
  target: elementId,
  /** FEEL boolean expression; only on flows leaving an exclusive or inclusive gateway. */
  condition: expression.optional(),
});

export const processDefinitionSchema = z.strictObject({
  $schema: z.string().optional(),
  formatVersion: z.literal(DEFINITION_FORMAT_VERSION),
  key: keySchema,
  version: z.number().int().min(1),
  name: localizedTextSchema,
  description: localizedTextSchema.optional(),
  /** Department the process belongs to in the template library, e.g. "accounting". */
  category: keySchema.optional(),
  /** Form shown when starting the process; its data become the initial variables. */
  startForm: keySchema.optional(),
  /** Departments whose members may start the process; absent = every member of the company. */
  startableBy: z.array(keySchema).max(20).optional(),
  /** FEEL expression over the start variables naming the instance for people, e.g. `invoiceNumber`. */
  businessKey: expression.optional(),
  elements: z.array(elementSchema).min(1).max(2_000),
  flows: z.array(sequenceFlowSchema).max(5_000),
});

export type ProcessDefinition = z.infer<typeof processDefinitionSchema>;
export type ProcessDefinitionInput = z.input<typeof processDefinitionSchema>;
export type Element = z.infer<typeof elementSchema>;
export type ElementType = Element['type'];
export type SequenceFlow = z.infer<typeof sequenceFlowSchema>;
export type UserTask = z.infer<typeof userTaskSchema>;
export type ExclusiveGateway = z.infer<typeof exclusiveGatewaySchema>;
export type ServiceTask = z.infer<typeof serviceTaskSchema>;
export type InclusiveGateway = z.infer<typeof inclusiveGatewaySchema>;
export type EndEvent = z.infer<typeof endEventSchema>;

/** The text for `locale`, falling back to English, then to any text there is. */
export function localize(text: LocalizedText | undefined, locale: string): string | undefined {
  if (text === undefined || typeof text === 'string') return text;
  return text[locale] ?? text.en ?? Object.values(text)[0];
}
