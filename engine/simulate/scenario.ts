/** The scenario format for `trellis simulate` and `trellis test`: variables, mocked services, steps. */
import { z } from 'zod';

const variables = z.record(z.string(), z.unknown());

/** An open user task an `expect` step looks for; candidate groups and users compare as sets. */
export const expectedTaskSchema = z.strictObject({
  element: z.string(),
  candidateGroups: z.array(z.string()).optional(),
  candidateUsers: z.array(z.string()).optional(),
  assignee: z.string().nullable().optional(),
});

export const scenarioStepSchema = z.union([
  /** Completes a user task; for a multi-instance task, run `loopIndex` (default: the first open run). */
  z.strictObject({
    complete: z.string(),
    loopIndex: z.number().int().min(0).optional(),
    variables: variables.optional(),
  }),
  /** Completes an open job (with `"jobs": "wait"`), named by its service task id or task type. */
  z.strictObject({ completeJob: z.string(), variables: variables.optional() }),
  /** A business error from a user task's form, or from an open job (by service task id or task type). */
  z.strictObject({
    throwError: z.string(),
    code: z.string(),
    message: z.string().optional(),
    variables: variables.optional(),
  }),
  z.strictObject({ escalate: z.string(), code: z.string(), variables: variables.optional() }),
  z.strictObject({ advance: z.string().regex(/^P/, 'an ISO 8601 duration such as PT48H') }),
  z.strictObject({
    message: z.string(),
    correlationKey: z.string().nullable().optional(),
    variables: variables.optional(),
  }),
  z.strictObject({ signal: z.string(), variables: variables.optional() }),
  z.strictObject({
    expect: z.strictObject({
      active: z.array(z.string()).optional(),
      status: z.enum(['completed', 'waiting', 'incident']).optional(),
      variables: variables.optional(),
      path: z.array(z.string()).optional(),
      /** Exactly the user tasks open now (every instance's), each with the given assignment. */
      tasks: z.array(expectedTaskSchema).optional(),
    }),
  }),
]);

export const scenarioSchema = z.strictObject({
  $schema: z.string().optional(),
  description: z.string().optional(),
  /** The definition file this scenario runs, relative to the scenario; default: process.json beside it. */
  definition: z.string().optional(),
  /** The simulated clock's start (default 2026-01-01T00:00:00Z). */
  startAt: z.string().optional(),
  variables: variables.default({}),
  /** Job results by service task id or task type: `{ "result": {...} }` or `{ "error": "CODE" }`. */
  services: z
    .record(
      z.string(),
      z.union([
        z.strictObject({ result: variables }),
        z.strictObject({ error: z.string(), message: z.string().optional() }),
      ]),
    )
    .default({}),
  /**
   * Jobs no service mock covers: `complete` (default) completes them at once with no variables;
   * `wait` leaves them open for a `completeJob` or `throwError` step.
   */
  jobs: z.enum(['complete', 'wait']).default('complete'),
  steps: z.array(scenarioStepSchema).default([]),
});

export type Scenario = z.infer<typeof scenarioSchema>;
export type ScenarioStep = z.infer<typeof scenarioStepSchema>;
export type ExpectedTask = z.infer<typeof expectedTaskSchema>;
