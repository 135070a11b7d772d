/** Technical failures of the engine: a code to compare on, a message that names the thing. */
export type EngineErrorCode =
  | 'DEFINITION_MISMATCH'
  | 'INSTANCE_NOT_ACTIVE'
  | 'ELEMENT_NOT_ACTIVE'
  | 'EVENT_NOT_ACCEPTED'
  | 'INVALID_DEFINITION'
  | 'INVALID_STATE'
  | 'VARIABLES_TOO_LARGE'
  | 'BUDGET_EXCEEDED'
  | 'INTERNAL';

export class EngineError extends Error {
  override readonly name = 'EngineError';
  /** The engine is deterministic: the same command fails the same way, so sending it again cannot help (a job's failure is an incident at once). */
  readonly retryable = false;
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
  }
}
