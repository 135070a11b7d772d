/**
 * What every connector's technical failure carries: a `code` saying what happened (compare by
 * it, not by class) and whether sending again can help (`retryable`; the job runtime retries with
 * backoff when true and raises an incident at once when false).
 */
export class ConnectorError<Code extends string> extends Error {
  readonly retryable: boolean;
  constructor(
    readonly code: Code,
    message: string,
    options: { retryable: boolean; cause?: unknown },
  ) {
    super(message, { cause: options.cause });
    this.retryable = options.retryable;
  }
}
