/**
 * Technical failures of a form import: the file cannot be read as a form at all. Everything a
 * readable file contains that Trellis cannot express is not an error but a report entry.
 */
export type FormImportErrorCode = 'TOO_LARGE' | 'INVALID_JSON' | 'NOT_A_FORM' | 'TOO_MANY_FIELDS';

export class FormImportError extends Error {
  override readonly name = 'FormImportError';
  readonly retryable = false;
  constructor(
    readonly code: FormImportErrorCode,
    message: string,
  ) {
    super(message);
  }
}
