/**
 * Incidents: what stopped and needs a person. Two kinds, one list: a job whose retries ran out
 * (status `failed` in `jobs`; the instance goes on waiting for it) and an instance the engine
 * stopped (status `incident`: a condition that cannot be read, an uncaught business error, …).
 * An admin retries one (the job runs again; the engine tries the element again, after the
 * variables are fixed) or resolves the instance by terminating it. Every resolution leaves an
 * audit row saying who did what. Tenant-scoped throughout; the router admits admins only.
 */
import { and, desc, eq, inArray, isNull, ne, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { EngineError, send, type EngineEvent, type InstanceState, type LocalizedText, type Variables } from '@/engine';
import { flatten } from '@/engine/model/scopes';
import type { Executor } from '@/db/client';
import { auditEvents, jobs, processDefinitions, processInstances } from '@/db/schema';
import type { Actor } from '../actor';
import { AppError } from '../errors';
import { appendAudit } from './audit';
import { hinted } from '../host/job-signal';
import { processOf, type CompilableRow } from './definitions';
import { dbNow, driveFollowUps, endChildren, stepInstance, type FollowUp } from '../host/effects';
import { endOpenWork } from '../host/write';
import { retryJob } from '../host/jobs';
import { toDate } from '../host/job-steps';

export interface IncidentFilter {
  /** Only incidents of this process (any version). */
  processKey?: string;
}

export interface Incident {
  /** `job`: a job whose retries ran out; `instance`: the engine stopped the instance. */
  kind: 'job' | 'instance';
  /** What incident.retry takes: the failed job's id, or the instance's id. */
  id: string;
  /** Null for a failed start timer (it belongs to a process version, not an instance). */
  instanceId: string | null;
  businessKey: string | null;
  process: { key: string; version: number; name: LocalizedText };
  elementId: string;
  elementName: LocalizedText | null;
  /** JOB_FAILED, or the engine's incident code (CONDITION_NOT_BOOLEAN, UNHANDLED_ERROR, …). */
  code: string;
  message: string;
  /** Attempts a failed job made; null for an engine incident. */
  attempts: number | null;
  /** When the incident was raised (its newest `incident.raised` audit row). */
  since: Date | null;
}

/** Longest list returned: incidents are meant to be few; a flood is shown newest first. */
const MAX_LISTED = 500;

const jobInstance = alias(processInstances, 'job_instance');

/** Open incidents of the actor's company, newest first. */
export async function listIncidents(db: Executor, actor: Actor, filter: IncidentFilter = {}): Promise<Incident[]> {
  const raisedAt = (
    instanceId: typeof jobs.instanceId | typeof processInstances.id,
    elementId?: typeof jobs.elementId,
  ) =>
    sql<
      Date | string | null
    >`(select max(a.at) from ${auditEvents} a where a.tenant_id = ${actor.tenantId} and a.instance_id = ${instanceId} and a.type = 'incident.raised'${elementId ? sql` and a.element_id = ${elementId}` : sql``})`;
  const byKey = filter.processKey ? [eq(processDefinitions.key, filter.processKey)] : [];
  const [failed, stopped] = await Promise.all([
    db
      .select({
        id: jobs.id,
        instanceId: jobs.instanceId,
        businessKey: jobInstance.businessKey,
        definitionId: processDefinitions.id,
        key: processDefinitions.key,
        version: processDefinitions.version,
        name: processDefinitions.name,
        elementId: jobs.elementId,
        attempts: jobs.attempts,
        lastError: jobs.lastError,
        since: raisedAt(jobs.instanceId, jobs.elementId),
      })
      .from(jobs)
      .leftJoin(jobInstance, eq(jobInstance.id, jobs.instanceId))
      .innerJoin(
        processDefinitions,
        eq(processDefinitions.id, sql`coalesce(${jobInstance.definitionId}, ${jobs.definitionId})`),
      )
      // A failed job of an instance that has ended is no longer anybody's problem; webhook deliveries are their webhook's.
      // The status as a literal, not a parameter: a prepared statement's generic plan can then use the partial index (jobs_failed_idx).
      .where(
        and(
          eq(jobs.tenantId, actor.tenantId),
          sql`${jobs.status} = 'failed'`,
          ne(jobs.kind, 'webhook'),
          or(isNull(jobs.instanceId), inArray(jobInstance.status, ['active', 'incident'])),
          ...byKey,
        ),
      )
      .orderBy(desc(jobs.createdAt))
      .limit(MAX_LISTED),
    db
      .select({
        id: processInstances.id,
        businessKey: processInstances.businessKey,
        definitionId: processDefinitions.id,
        key: processDefinitions.key,
        version: processDefinitions.version,
        name: processDefinitions.name,
        incident: sql<{
          elementId: string;
          code: string;
          message: string;
        } | null>`${processInstances.state}->'incident'`,
        since: raisedAt(processInstances.id),
      })
      .from(processInstances)
      .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
      .where(and(eq(processInstances.tenantId, actor.tenantId), eq(processInstances.status, 'incident'), ...byKey))
      .orderBy(desc(processInstances.startedAt))
      .limit(MAX_LISTED),
  ]);
  const names = await elementNames(
    db,
    actor.tenantId,
    [...failed, ...stopped].map((r) => r.definitionId),
  );
  const nameOf = (definitionId: string, elementId: string) =>
    names.get(definitionId)?.get(elementId.replace(/__item$/, '')) ?? null;
  const process = (r: { key: string; version: number; name: LocalizedText }) => ({
    key: r.key,
    version: r.version,
    name: r.name,
  });
  const incidents: Incident[] = [
    ...failed.map((r) => ({
      kind: 'job' as const,
      id: r.id,
      instanceId: r.instanceId,
      businessKey: r.businessKey,
      process: process(r),
      elementId: r.elementId,
      elementName: nameOf(r.definitionId, r.elementId),
      code: 'JOB_FAILED',
      message: r.lastError ?? '',
      attempts: r.attempts,
      since: toDate(r.since),
    })),
    ...stopped.map((r) => ({
      kind: 'instance' as const,
      id: r.id,
      instanceId: r.id,
      businessKey: r.businessKey,
      process: process(r),
      elementId: r.incident?.elementId ?? '',
      elementName: r.incident ? nameOf(r.definitionId, r.incident.elementId) : null,
      code: r.incident?.code ?? 'UNKNOWN',
      message: r.incident?.message ?? '',
      attempts: null,
      since: toDate(r.since),
    })),
  ];
  return incidents.sort((a, b) => (b.since?.getTime() ?? 0) - (a.since?.getTime() ?? 0)).slice(0, MAX_LISTED);
}

/** postgres.js gives a subquery's timestamp as text, PGlite as a Date. */

/** Element names of the given definition versions, by definition id then element id (subprocesses included). */
async function elementNames(
  db: Executor,
  tenantId: string,
  definitionIds: string[],
): Promise<Map<string, Map<string, LocalizedText | null>>> {
  const ids = [...new Set(definitionIds)];
  if (ids.length === 0) return new Map();
  const rows = await db
    .select({ id: processDefinitions.id, definition: processDefinitions.definition })
    .from(processDefinitions)
    .where(and(eq(processDefinitions.tenantId, tenantId), inArray(processDefinitions.id, ids)));
  return new Map(rows.map((r) => [r.id, new Map(flatten(r.definition).elements.map((e) => [e.id, e.name ?? null]))]));
}

export type RetryInput = { kind: 'job'; id: string } | { kind: 'instance'; id: string; variables?: Variables };

export interface RetryResult {
  kind: 'job' | 'instance';
  id: string;
  /** The job's status (pending: a worker runs it again), or the instance's after the retry. */
  status: string;
  /** The instance's incident if the retry failed again. */
  incident: { elementId: string; code: string; message: string } | null;
}

/**
 * Retries an incident. A failed job runs again from its first attempt. An instance stopped by
 * the engine is given `variables` (the fix, if any) and its stuck element is tried again; if
 * that fails too the instance stays in an incident with the new reason (returned, and audited
 * as a new `incident.raised`). Timers that came due meanwhile are made due at once.
 */
export async function retryIncident(db: Executor, actor: Actor, input: RetryInput): Promise<RetryResult> {
  if (input.kind === 'job') {
    await hinted(db.transaction((tx) => retryJob(tx, actor.tenantId, input.id, actor.userId)));
    return { kind: 'job', id: input.id, status: 'pending', incident: null };
  }
  return hinted(
    db.transaction(async (tx) => {
      const [instance] = await tx
        .select({
          status: processInstances.status,
          state: processInstances.state,
          def: {
            id: processDefinitions.id,
            tenantId: processDefinitions.tenantId,
            definition: processDefinitions.definition,
            decisionIds: processDefinitions.decisionIds,
          },
        })
        .from(processInstances)
        .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
        .where(and(eq(processInstances.tenantId, actor.tenantId), eq(processInstances.id, input.id)));
      if (!instance) throw new AppError('NOT_FOUND', `Process instance "${input.id}" was not found.`);
      const incident = instance.state.incident;
      if (instance.status !== 'incident' || !incident)
        throw new AppError(
          'CONFLICT',
          `Process instance "${input.id}" is ${instance.status}, not stopped by an incident; there is nothing to retry.`,
        );
      const variables = input.variables ?? {};
      const changes = Object.fromEntries(
        Object.entries(variables).map(([name, after]) => [
          name,
          { before: instance.state.variables[name] ?? null, after },
        ]),
      );
      const event = {
        type: 'incident.retried' as const,
        elementId: incident.elementId,
        ...(input.variables ? { variables } : {}),
      };
      const audit = {
        tenantId: actor.tenantId,
        instanceId: input.id,
        actorId: actor.userId,
        type: 'incident.retried',
        elementId: incident.elementId,
        data: { code: incident.code, message: incident.message, ...(input.variables ? { variables: changes } : {}) },
      };
      const queue: FollowUp[] = [];
      if (!(await stepInstance(tx, actor.userId, input.id, event, [audit], queue))) {
        throw new AppError(
          'CONFLICT',
          `The incident at "${incident.elementId}" cannot be retried: ${await refusal(tx, instance.def, instance.state, event)}`,
        );
      }
      await driveFollowUps(tx, actor.userId, queue);
      const [after] = await tx
        .select({ status: processInstances.status, state: processInstances.state })
        .from(processInstances)
        .where(and(eq(processInstances.tenantId, actor.tenantId), eq(processInstances.id, input.id)));
      if (after!.status === 'active') await releaseHeldTimers(tx, actor.tenantId, input.id);
      const again = after!.state.incident;
      return {
        kind: 'instance',
        id: input.id,
        status: after!.status,
        incident:
          after!.status === 'incident' && again
            ? { elementId: again.elementId, code: again.code, message: again.message }
            : null,
      };
    }),
  );
}

/** Why the engine refused a retry (stepInstance only says that it did). */
async function refusal(tx: Executor, def: CompilableRow, state: InstanceState, event: EngineEvent): Promise<string> {
  const process = await processOf(tx, def);
  try {
    send(process, state, event, { now: await dbNow(tx) });
    return 'the instance changed meanwhile; reload and try again.';
  } catch (error) {
    return error instanceof EngineError ? error.message : String(error);
  }
}

/**
 * Timers that came due while the instance was stopped were held (jobs.ts runTimer marks them
 * `payload.heldAt`): now that it runs again they are due at once.
 */
async function releaseHeldTimers(tx: Executor, tenantId: string, instanceId: string): Promise<void> {
  await tx
    .update(jobs)
    .set({ dueAt: sql`now()`, payload: sql`${jobs.payload} - 'heldAt'` })
    .where(
      and(
        eq(jobs.tenantId, tenantId),
        eq(jobs.instanceId, instanceId),
        eq(jobs.kind, 'timer'),
        eq(jobs.status, 'pending'),
        sql`${jobs.payload} ? 'heldAt'`,
      ),
    );
}

/**
 * Resolves an instance's incidents by ending it: status `terminated`, its open tasks, jobs
 * (failed ones included) and subscriptions cancelled, with the instances its call activities
 * started. A called instance is resolved through its parent (ending it alone would leave the
 * parent waiting for ever).
 */
export async function terminateInstance(
  db: Executor,
  actor: Actor,
  input: { instanceId: string; reason: string },
): Promise<{ id: string; status: 'terminated' }> {
  return db.transaction(async (tx) => {
    const instance = await instanceToEnd(tx, actor, input.instanceId);
    if (instance.status !== 'active' && instance.status !== 'incident')
      throw new AppError('CONFLICT', `Process instance "${input.instanceId}" is already ${instance.status}.`);
    if (instance.parentId) {
      throw new AppError(
        'BAD_REQUEST',
        `Process instance "${input.instanceId}" was started by call activity "${instance.parentElementId}" of instance "${instance.parentId}"; resolve that instance instead (ending it ends this one too).`,
      );
    }
    const failed = await tx
      .select({ id: jobs.id, elementId: jobs.elementId, lastError: jobs.lastError })
      .from(jobs)
      .where(
        and(
          eq(jobs.tenantId, actor.tenantId),
          eq(jobs.instanceId, instance.id),
          eq(jobs.status, 'failed'),
          ne(jobs.kind, 'webhook'),
        ),
      );
    const incident = instance.state.incident;
    if (instance.status !== 'incident' && failed.length === 0) {
      throw new AppError('BAD_REQUEST', `Process instance "${input.instanceId}" has no open incident to resolve.`);
    }
    await endInstance(tx, actor, instance, {
      type: 'instance.terminated',
      data: {
        by: 'admin',
        reason: input.reason,
        before: instance.status,
        ...(incident && instance.status === 'incident'
          ? { incident: { elementId: incident.elementId, code: incident.code, message: incident.message } }
          : {}),
        ...(failed.length > 0
          ? { failedJobs: failed.map((j) => ({ id: j.id, elementId: j.elementId, error: j.lastError })) }
          : {}),
      },
    });
    return { id: instance.id, status: 'terminated' as const };
  });
}

/** The caller's company's instance that terminating or cancelling would end (NOT_FOUND for another company's id). */
export async function instanceToEnd(tx: Executor, actor: Actor, instanceId: string) {
  const [instance] = await tx
    .select({
      id: processInstances.id,
      status: processInstances.status,
      version: processInstances.version,
      state: processInstances.state,
      parentId: processInstances.parentId,
      parentElementId: processInstances.parentElementId,
    })
    .from(processInstances)
    .where(and(eq(processInstances.tenantId, actor.tenantId), eq(processInstances.id, instanceId)));
  if (!instance) throw new AppError('NOT_FOUND', `Process instance "${instanceId}" was not found.`);
  return instance;
}

/**
 * Ends an instance read at `instance.version` (the caller has checked who may, and that it
 * runs): status `terminated`, its open tasks, jobs and subscriptions cancelled, the instances
 * its call activities started ended with it, and one audit row saying who and why. Shared by
 * incident.resolve and instance.cancel; runs inside the caller's transaction.
 */
export async function endInstance(
  tx: Executor,
  actor: Actor,
  instance: { id: string; version: number },
  audit: { type: string; data: Record<string, unknown> },
): Promise<void> {
  const ended = await tx
    .update(processInstances)
    .set({ status: 'terminated', endedAt: sql`now()`, version: instance.version + 1 })
    .where(
      and(
        eq(processInstances.tenantId, actor.tenantId),
        eq(processInstances.id, instance.id),
        eq(processInstances.version, instance.version),
      ),
    )
    .returning({ id: processInstances.id });
  if (ended.length === 0)
    throw new AppError(
      'CONFLICT',
      `Process instance "${instance.id}" was changed by someone else; reload and try again.`,
    );
  await endOpenWork(tx, actor.tenantId, instance.id);
  await appendAudit(tx, [
    { tenantId: actor.tenantId, instanceId: instance.id, actorId: actor.userId, type: audit.type, data: audit.data },
  ]);
  await endChildren(tx, actor.tenantId, instance.id, { actorId: actor.userId });
}
