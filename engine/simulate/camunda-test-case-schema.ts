/**
 * Camunda Process Test's JSON test cases ("cpt-test-cases", files `*.test.json`): the format, as
 * Camunda's JSON schema defines it (camunda/camunda
 * `testing/camunda-process-test-dsl/src/main/resources/schema/cpt-test-cases.schema.json`, published
 * as https://camunda.com/json-schema/cpt-test-cases/<version>/schema.json), and its parsing.
 *
 * Parsing never throws: a malformed file gives errors naming the test case, the instruction and
 * the field. Instructions Trellis cannot play are kept (not errors): the runner fails the test
 * cases that use them, with the reason.
 */
import { z } from 'zod';

const variables = z.record(z.string(), z.unknown());
const text = z.string().min(1);

/** A selector needs at least one of its fields (the schema's `anyOf: [{ required: [...] }]`). */
function selector<S extends Record<string, z.ZodOptional<z.ZodString>>>(shape: S) {
  const keys = Object.keys(shape);
  return z
    .strictObject(shape)
    .refine(
      (o) => keys.some((k) => (o as Record<string, unknown>)[k] !== undefined),
      `needs at least one of ${keys.join(', ')}`,
    );
}

const processDefinitionSelector = z.strictObject({ processDefinitionId: text });
const processInstanceSelector = z.strictObject({ processDefinitionId: text });
const elementSelector = selector({ elementId: text.optional(), elementName: text.optional() });
const jobSelector = selector({
  jobType: text.optional(),
  elementId: text.optional(),
  processDefinitionId: text.optional(),
});
const userTaskSelector = selector({
  elementId: text.optional(),
  taskName: text.optional(),
  processDefinitionId: text.optional(),
});
const messageSelector = z.strictObject({ messageName: text, correlationKey: z.string().optional() });

const elementState = z.enum(['IS_ACTIVE', 'IS_COMPLETED', 'IS_TERMINATED']);

/** The instructions Trellis plays, one schema each, keyed by `type`. */
export const instructionSchemas = {
  CREATE_PROCESS_INSTANCE: z.strictObject({
    type: z.literal('CREATE_PROCESS_INSTANCE'),
    processDefinitionSelector,
    variables: variables.optional(),
    startInstructions: z.array(z.strictObject({ elementId: text })).optional(),
    runtimeInstructions: z
      .array(z.strictObject({ type: z.literal('TERMINATE_PROCESS_INSTANCE'), afterElementId: text }))
      .optional(),
  }),
  COMPLETE_USER_TASK: z.strictObject({
    type: z.literal('COMPLETE_USER_TASK'),
    userTaskSelector,
    variables: variables.optional(),
    useExampleData: z.boolean().optional(),
  }),
  COMPLETE_JOB: z.strictObject({
    type: z.literal('COMPLETE_JOB'),
    jobSelector,
    variables: variables.optional(),
    useExampleData: z.boolean().optional(),
  }),
  THROW_BPMN_ERROR_FROM_JOB: z.strictObject({
    type: z.literal('THROW_BPMN_ERROR_FROM_JOB'),
    jobSelector,
    errorCode: text,
    errorMessage: z.string().optional(),
    variables: variables.optional(),
  }),
  MOCK_JOB_WORKER_COMPLETE_JOB: z.strictObject({
    type: z.literal('MOCK_JOB_WORKER_COMPLETE_JOB'),
    jobType: text,
    variables: variables.optional(),
    useExampleData: z.boolean().optional(),
  }),
  MOCK_JOB_WORKER_THROW_BPMN_ERROR: z.strictObject({
    type: z.literal('MOCK_JOB_WORKER_THROW_BPMN_ERROR'),
    jobType: text,
    errorCode: text,
    errorMessage: z.string().optional(),
    variables: variables.optional(),
  }),
  MOCK_CHILD_PROCESS: z.strictObject({
    type: z.literal('MOCK_CHILD_PROCESS'),
    processDefinitionId: text,
    variables: variables.optional(),
  }),
  PUBLISH_MESSAGE: z.strictObject({
    type: z.literal('PUBLISH_MESSAGE'),
    name: text,
    correlationKey: z.string().optional(),
    variables: variables.optional(),
    /** Milliseconds. */
    timeToLive: z.number().int().min(0).optional(),
    messageId: z.string().optional(),
  }),
  CORRELATE_MESSAGE: z.strictObject({
    type: z.literal('CORRELATE_MESSAGE'),
    name: text,
    correlationKey: z.string().optional(),
    variables: variables.optional(),
  }),
  BROADCAST_SIGNAL: z.strictObject({
    type: z.literal('BROADCAST_SIGNAL'),
    signalName: text,
    variables: variables.optional(),
  }),
  INCREASE_TIME: z.strictObject({ type: z.literal('INCREASE_TIME'), duration: text }),
  SET_TIME: z.strictObject({ type: z.literal('SET_TIME'), time: text }),
  UPDATE_VARIABLES: z.strictObject({
    type: z.literal('UPDATE_VARIABLES'),
    processInstanceSelector,
    variables,
    elementSelector: elementSelector.optional(),
  }),
  ASSERT_PROCESS_INSTANCE: z.strictObject({
    type: z.literal('ASSERT_PROCESS_INSTANCE'),
    processInstanceSelector,
    state: z.enum(['IS_ACTIVE', 'IS_COMPLETED', 'IS_CREATED', 'IS_TERMINATED']).optional(),
    hasActiveIncidents: z.boolean().optional(),
  }),
  ASSERT_ELEMENT_INSTANCE: z.strictObject({
    type: z.literal('ASSERT_ELEMENT_INSTANCE'),
    processInstanceSelector,
    elementSelector,
    state: elementState,
    amount: z.number().int().min(1).optional(),
  }),
  ASSERT_ELEMENT_INSTANCES: z.strictObject({
    type: z.literal('ASSERT_ELEMENT_INSTANCES'),
    processInstanceSelector,
    elementSelectors: z.array(elementSelector),
    state: z.enum([
      'IS_ACTIVE',
      'IS_COMPLETED',
      'IS_TERMINATED',
      'IS_NOT_ACTIVE',
      'IS_NOT_ACTIVATED',
      'IS_ACTIVE_EXACTLY',
      'IS_COMPLETED_IN_ORDER',
    ]),
  }),
  ASSERT_USER_TASK: z.strictObject({
    type: z.literal('ASSERT_USER_TASK'),
    userTaskSelector,
    state: z.enum(['IS_CREATED', 'IS_COMPLETED', 'IS_CANCELED', 'IS_FAILED']).optional(),
    assignee: z.string().optional(),
    candidateGroups: z.array(z.string()).optional(),
    priority: z.number().int().optional(),
    elementId: z.string().optional(),
    name: z.string().optional(),
    dueDate: z.string().optional(),
    followUpDate: z.string().optional(),
  }),
  ASSERT_VARIABLES: z.strictObject({
    type: z.literal('ASSERT_VARIABLES'),
    processInstanceSelector,
    elementSelector: elementSelector.optional(),
    variableNames: z.array(z.string()).optional(),
    variables: variables.optional(),
  }),
  ASSERT_PROCESS_INSTANCE_MESSAGE_SUBSCRIPTION: z.strictObject({
    type: z.literal('ASSERT_PROCESS_INSTANCE_MESSAGE_SUBSCRIPTION'),
    processInstanceSelector,
    messageSelector,
    state: z.enum(['IS_WAITING', 'IS_NOT_WAITING', 'IS_CORRELATED']),
  }),
} as const;

/** Instructions of the format that Trellis does not play, and why. */
export const UNSUPPORTED_INSTRUCTIONS: Readonly<Record<string, string>> = {
  ASSERT_DECISION:
    'decision evaluations are not recorded by the simulation; assert the variables the business rule task set instead',
  EVALUATE_DECISION: 'decisions run only inside a business rule task here',
  MOCK_DMN_DECISION: 'decisions are part of the compiled process and cannot be replaced while it runs',
  RESOLVE_INCIDENT: 'Trellis incidents are business outcomes with no retry',
  COMPLETE_JOB_AD_HOC_SUB_PROCESS: 'ad-hoc subprocesses are not part of the Trellis model',
  COMPLETE_JOB_USER_TASK_LISTENER: 'task listeners are not run by Trellis',
  EVALUATE_CONDITIONAL_START_EVENT: 'conditional start events are not supported by the simulation',
};

export type InstructionType = keyof typeof instructionSchemas;
export type Instruction = { [K in InstructionType]: z.infer<(typeof instructionSchemas)[K]> }[InstructionType];

/** An instruction as read: one Trellis plays, or one it cannot (with the reason). */
export type ParsedInstruction =
  { supported: true; instruction: Instruction } | { supported: false; type: string; reason: string };

export interface CamundaTestCase {
  name: string;
  description?: string;
  instructions: ParsedInstruction[];
}

export interface CamundaTestCaseFile {
  /** Web Modeler's link to the BPMN process the file tests (optional). */
  processId?: string;
  testCases: CamundaTestCase[];
}

export type CamundaTestCaseParse = { ok: true; file: CamundaTestCaseFile } | { ok: false; errors: string[] };

// Web Modeler adds `processId` and `metadata`; newer schema versions allow more at these levels.
const fileSchema = z.looseObject({
  $schema: z.string().optional(),
  processId: z.string().optional(),
  testCases: z.array(z.unknown()),
});
const testCaseSchema = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
  instructions: z.array(z.unknown()),
});

const isSupported = (type: string): type is InstructionType => Object.hasOwn(instructionSchemas, type);

export function parseCamundaTestCases(json: unknown): CamundaTestCaseParse {
  const file = fileSchema.safeParse(json);
  if (!file.success)
    return { ok: false, errors: file.error.issues.map((i) => `${pathOf(i.path) || '(root)'}: ${messageOf(i)}`) };
  const errors: string[] = [];
  const testCases: CamundaTestCase[] = [];
  for (const [index, raw] of file.data.testCases.entries()) {
    const named =
      typeof (raw as { name?: unknown } | null)?.name === 'string' ? ` "${(raw as { name: string }).name}"` : '';
    const where = `test case #${index + 1}${named}`;
    const testCase = testCaseSchema.safeParse(raw);
    if (!testCase.success) {
      errors.push(...testCase.error.issues.map((i) => `${where}: ${pathOf(i.path) || '(test case)'}: ${messageOf(i)}`));
      continue;
    }
    const instructions: ParsedInstruction[] = [];
    for (const [n, item] of testCase.data.instructions.entries()) {
      const type = (item as { type?: unknown } | null)?.type;
      const at = `${where}, instruction #${n + 1}`;
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        errors.push(`${at}: must be an object with a "type"`);
      } else if (typeof type !== 'string') {
        errors.push(`${at}: needs a "type" naming the instruction, e.g. "COMPLETE_USER_TASK"`);
      } else if (!isSupported(type)) {
        instructions.push({
          supported: false,
          type,
          reason:
            UNSUPPORTED_INSTRUCTIONS[type] ??
            'not an instruction type of the cpt-test-cases format Trellis knows (check the spelling)',
        });
      } else {
        const parsed = instructionSchemas[type].safeParse(item);
        if (parsed.success) instructions.push({ supported: true, instruction: parsed.data as Instruction });
        else
          errors.push(
            ...parsed.error.issues.map((i) => `${at} (${type}): ${pathOf(i.path) || '(instruction)'}: ${messageOf(i)}`),
          );
      }
    }
    testCases.push({
      name: testCase.data.name,
      ...(testCase.data.description !== undefined ? { description: testCase.data.description } : {}),
      instructions,
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    file: { ...(file.data.processId !== undefined ? { processId: file.data.processId } : {}), testCases },
  };
}

/** `elementSelectors[1].elementId`, as a reader of the JSON would write it. */
function pathOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (out, part) => (typeof part === 'number' ? `${out}[${part}]` : out ? `${out}.${String(part)}` : String(part)),
    '',
  );
}

function messageOf(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys')
    return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message))
    return `missing (expected ${issue.expected})`;
  if (issue.code === 'invalid_value' && issue.values.length > 0)
    return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  return issue.message;
}
