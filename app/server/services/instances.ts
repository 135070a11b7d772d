/** Starting and reading process instances. Every command runs in one transaction. */
import { and, asc, eq } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { evaluateExpression, start } from '@/engine';
import type { Executor } from '@/db/client';
import { auditEvents, jobs, processDefinitions, processInstances, tasks, users } from '@/db/schema';
import type { Actor } from '../actor';
import { AppError } from '../errors';
import { validateSubmission } from '../forms';
import { compiledProcess, formsByIds, latestDefinition, mayStart, startFormOf } from './definitions';
import { applyEffects, dbNow } from './effects';

export interface StartInput {
  definitionKey: string;
  variables: Record<string, unknown>;
}

export async function startInstance(db: Executor, actor: Actor, input: StartInput) {
  return db.transaction(async (tx) => {
    const def = await latestDefinition(tx, actor.tenantId, input.definitionKey);
    if (!mayStart(actor, def.definition)) {
      throw new AppError('FORBIDDEN', `You may not start "${def.key}": it can be started by ${def.definition.startableBy?.join(', ') || 'staff'} only.`);
    }
    let variables: Record<string, unknown> = {};
    const startForm = def.definition.startForm;
    if (startForm) {
      const formId = def.formIds[startForm]!;
      const form = (await formsByIds(tx, actor.tenantId, [formId])).get(formId)!;
      variables = validateSubmission(form, input.variables, actor.locale);
    } else if (Object.keys(input.variables).length > 0) {
      throw new AppError('BAD_REQUEST', `Process "${def.key}" has no start form; start it without variables.`);
    }

    const result = start(compiledProcess(def), variables, { now: await dbNow(tx) });
    const businessKey = def.definition.businessKey ? evaluateExpression(def.definition.businessKey, variables).value : null;
    const [instance] = await tx
      .insert(processInstances)
      .values({
        tenantId: actor.tenantId,
        definitionId: def.id,
        businessKey: businessKey === null ? null : String(businessKey).slice(0, 200),
        status: result.state.status,
        outcome: result.state.outcome ?? null,
        state: result.state,
        startedBy: actor.userId,
        endedAt: result.state.status === 'active' ? null : new Date(),
      })
      .returning({ id: processInstances.id });
    const scope = { tenantId: actor.tenantId, instanceId: instance!.id, actorId: actor.userId, formIds: def.formIds };
    const started = { tenantId: actor.tenantId, instanceId: instance!.id, actorId: actor.userId, type: 'instance.started', data: { definitionKey: def.key, definitionVersion: def.version, variables } };
    const taskIds = await applyEffects(tx, scope, result.effects, [started]);
    return { id: instance!.id, status: result.state.status, taskIds };
  });
}

const completer = alias(users, 'completer');

/** An instance with its tasks and history, if it belongs to the actor's company. */
export async function getInstance(db: Executor, actor: Actor, id: string) {
  const [row] = await db
    .select({
      id: processInstances.id,
      status: processInstances.status,
      outcome: processInstances.outcome,
      businessKey: processInstances.businessKey,
      variables: processInstances.state,
      version: processInstances.version,
      startedAt: processInstances.startedAt,
      endedAt: processInstances.endedAt,
      startedBy: users.displayName,
      definition: { key: processDefinitions.key, version: processDefinitions.version, name: processDefinitions.name, body: processDefinitions.definition, formIds: processDefinitions.formIds },
    })
    .from(processInstances)
    .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
    .innerJoin(users, eq(users.id, processInstances.startedBy))
    .where(and(eq(processInstances.tenantId, actor.tenantId), eq(processInstances.id, id)));
  if (!row) throw new AppError('NOT_FOUND', `Process instance "${id}" was not found.`);

  const [taskRows, history, startForm, failedJobs] = await Promise.all([
    db
      .select({ id: tasks.id, elementId: tasks.elementId, name: tasks.name, status: tasks.status, candidateGroups: tasks.candidateGroups, dueDate: tasks.dueDate, createdAt: tasks.createdAt, completedAt: tasks.completedAt, completedBy: completer.displayName })
      .from(tasks)
      .leftJoin(completer, eq(completer.id, tasks.completedBy))
      .where(and(eq(tasks.tenantId, actor.tenantId), eq(tasks.instanceId, id)))
      .orderBy(asc(tasks.createdAt)),
    db
      .select({ id: auditEvents.id, type: auditEvents.type, elementId: auditEvents.elementId, data: auditEvents.data, at: auditEvents.at, actor: users.displayName })
      .from(auditEvents)
      .leftJoin(users, eq(users.id, auditEvents.actorId))
      .where(and(eq(auditEvents.tenantId, actor.tenantId), eq(auditEvents.instanceId, id)))
      .orderBy(asc(auditEvents.id)),
    startFormOf(db, actor.tenantId, { definition: row.definition.body, formIds: row.definition.formIds }),
    // Jobs whose retries ran out: incidents to resolve (job.retry).
    db
      .select({ id: jobs.id, elementId: jobs.elementId, jobType: jobs.jobType, attempts: jobs.attempts, lastError: jobs.lastError })
      .from(jobs)
      .where(and(eq(jobs.tenantId, actor.tenantId), eq(jobs.instanceId, id), eq(jobs.status, 'failed'))),
  ]);
  const { variables: state, definition, ...rest } = row;
  const names = Object.fromEntries([...definition.body.elements, ...definition.body.flows].map((e) => [e.id, e.name ?? null]));
  return {
    ...rest,
    variables: state.variables,
    active: state.active,
    incident: state.incident ?? null,
    definition: { key: definition.key, version: definition.version, name: definition.name },
    /** Names of elements and flows by id, for the history. */
    names,
    startForm,
    tasks: taskRows,
    history,
    failedJobs,
  };
}
