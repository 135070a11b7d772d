/**
 * What a connector is to the job runner (host/jobs.ts): a function from a job and its variables to
 * the variables that move the instance on, or a business error an error boundary can catch.
 * Connectors implement this; the runner calls it. Neither knows the other's internals.
 */
import type { Variables } from '@/engine';
import type { Job } from '@/db/schema';

/** A job that works for an instance: every job but a start timer (which belongs to a definition version). */
export type InstanceJob = Job & { instanceId: string };

/**
 * What a connector is given: the job (its id is the idempotency key to pass on), the variables
 * the job was given, and the service task's connector settings with `=FEEL` values evaluated.
 */
export interface ConnectorCall {
  job: InstanceJob;
  variables: Variables;
  settings: Record<string, unknown>;
}

/** Runs a service job: the side effect happens outside any transaction; what it returns moves the instance on. */
export type Connector = (call: ConnectorCall) => Promise<Variables>;

/** A business error from a connector (caught by an error boundary event), as opposed to a failure. */
export class ConnectorBusinessError extends Error {
  override readonly name = 'ConnectorBusinessError';
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}
