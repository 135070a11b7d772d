/**
 * The transaction side of the host: steps of instances inside the caller's transaction, and what
 * a step does to other instances. A step is planned (plan.ts) and written (write.ts) like any
 * other; what reaches beyond its instance — a message or signal delivered, a process called or
 * ended, a parent resumed, a buffered message taken — is carried out here, in its place, and the
 * steps it causes in other instances are follow-ups driven in the same transaction, so a command
 * either happens with all its consequences or not at all.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, eq, gt, inArray, isNotNull, isNull, notInArray, or, sql } from 'drizzle-orm';
import { EngineError, send, start, type Effect, type EngineEvent, type Variables } from '@/engine';
import type { Executor } from '@/db/client';
import {
  apiKeys,
  auditEvents,
  memberships,
  messages,
  processDefinitions,
  processInstances,
  subscriptions,
  type ProcessDefinitionRow,
} from '@/db/schema';
import { AppError } from '../errors';
import { appendAudit } from '../services/audit';
import type { Actor } from '../actor';
import { isKeyCaller, type KeyCall } from '../caller';
import { auditAsKey, keyMayStart, keyRefusal, type ApiKeyRef } from '../services/api-keys';
import { businessKeyOf, mayStart, processOf, startRefusal } from '../services/definitions';
import { initiatorFor, withInitiator, withoutInitiator } from '../services/initiator';
import { resolvePeople } from '../services/task-people';
import { checkMessageTo, checkStart, refusedSenders, signalReach } from '../services/sending';
import { instanceSearchText } from '../services/search';
import { INSTANCE_WITH_DEFINITION } from './read';
import { planStep, type PlanOptions, type ReachingEffect, type StepWrite } from './plan';
import { endOpenWork, writeInTransaction, type TransactionResult } from './write';

export interface EffectScope {
  tenantId: string;
  instanceId: string;
  /** Who caused it; null for the system (a timer, a worker). */
  actorId: string | null;
  /** Form key → pinned form id of the definition version being run. */
  formIds: Record<string, string>;
}

type AuditRow = typeof auditEvents.$inferInsert;

/** A step still to take in this transaction: an event for an instance. */
export interface FollowUp {
  instanceId: string;
  event: EngineEvent;
  audit?: AuditRow[];
}

/** Longest chain of follow-up steps one command may cause (a message ping-pong would loop). */
const MAX_FOLLOW_UPS = 1_000;
/** Messages and signals one instance may receive within one command. */
const MAX_MESSAGES_PER_INSTANCE = 50;

/** The database's clock for this transaction (timers are due by it, workers fire by it). */
export async function dbNow(tx: Executor): Promise<string> {
  const [row] = await tx
    .select({ now: sql<string>`to_char(now() at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` })
    .from(sql`(select 1) as one`);
  return row!.now;
}

/**
 * Writes a step's plan (plan.ts) in the caller's transaction, carrying out what reaches other
 * instances in its place, then drives the follow-ups it caused (unless the caller collects them in
 * `followUps`). Returns which guard missed, if one did (then the caller throws: nothing stays).
 */
export async function applyPlan(tx: Executor, plan: StepWrite, followUps?: FollowUp[]): Promise<TransactionResult> {
  const queue = followUps ?? [];
  const { tenantId, instanceId, actorId, formIds } = plan.ctx;
  const scope: EffectScope = { tenantId, instanceId, actorId, formIds };
  const written = await writeInTransaction(tx, plan, (effect) => reachOut(tx, scope, effect, queue));
  if (written === 'written' && !followUps) await driveFollowUps(tx, actorId, queue);
  return written;
}

/** An effect of `scope`'s step that reaches other instances (or the message buffer), in the transaction. */
async function reachOut(tx: Executor, scope: EffectScope, e: ReachingEffect, queue: FollowUp[]): Promise<void> {
  switch (e.type) {
    case 'openSubscription':
      await correlateBuffered(tx, scope, e, queue);
      break;
    case 'sendMessage':
      await publish(
        tx,
        scope.tenantId,
        {
          name: e.name,
          correlationKey: typeof e.payload.correlationKey === 'string' ? e.payload.correlationKey : null,
          variables: e.payload,
          ttlSeconds: 0,
        },
        queue,
      );
      break;
    case 'broadcastSignal':
      await broadcast(tx, scope.tenantId, e.name, e.payload, queue);
      break;
    case 'startChildInstance':
      await startChild(tx, scope, e, queue);
      break;
    case 'cancelChildInstance':
      await endChildren(tx, scope.tenantId, scope.instanceId, {
        actorId: scope.actorId,
        at: { elementId: e.elementId, scope: e.scope ?? null },
      });
      break;
    case 'cancelScope':
      // a process called from within the run ends with it, as the simulator ends it
      await endChildren(tx, scope.tenantId, scope.instanceId, { actorId: scope.actorId, within: e.scope });
      break;
    case 'completeInstance': {
      const [row] = await tx
        .select({
          parentId: processInstances.parentId,
          parentElementId: processInstances.parentElementId,
          parentScope: processInstances.parentScope,
          state: processInstances.state,
        })
        .from(processInstances)
        .where(eq(processInstances.id, scope.instanceId));
      if (row?.parentId && row.parentElementId) {
        queue.push({
          instanceId: row.parentId,
          event: {
            type: 'child.completed',
            elementId: row.parentElementId,
            variables: row.state.variables,
            ...(row.parentScope ? { scope: row.parentScope } : {}),
          },
        });
      }
      break;
    }
  }
}

/**
 * Who a command's steps are done by, as their audit rows name them: a person (their id), no one
 * (null: a timer, a built-in worker, a process), or an API key — no person as the actor, the key
 * named in every row's data (auditAsKey), as for its start.
 */
export type Doer = string | null | KeyCall;

/** Takes the follow-up steps in order (each may add more), in the caller's transaction. */
export async function driveFollowUps(tx: Executor, doer: Doer, queue: FollowUp[]): Promise<void> {
  // A signal reaches many instances once each, and a parent may hear from many children; one instance
  // receiving message after message within one command is processes messaging each other in a loop.
  // These refusals are the published processes' doing, not a race: BAD_REQUEST, so a job that runs into
  // one becomes an incident at once instead of being retried (jobs.ts retries a CONFLICT at once, for ever).
  const received = new Map<string, number>();
  for (let steps = 0; queue.length > 0; steps++) {
    if (steps >= MAX_FOLLOW_UPS)
      throw new AppError(
        'BAD_REQUEST',
        `One command caused more than ${MAX_FOLLOW_UPS} follow-up steps (processes sending each other messages in a loop?); nothing was changed.`,
      );
    const next = queue.shift()!;
    if (next.event.type === 'message.received' || next.event.type === 'signal.received') {
      const count = (received.get(next.instanceId) ?? 0) + 1;
      received.set(next.instanceId, count);
      if (count > MAX_MESSAGES_PER_INSTANCE) {
        const what = `${next.event.type === 'message.received' ? 'message' : 'signal'} "${next.event.name}"`;
        throw new AppError(
          'BAD_REQUEST',
          `One command sent process instance "${next.instanceId}" more than ${MAX_MESSAGES_PER_INSTANCE} messages and signals (the last: ${what}): processes are messaging each other in a loop. Nothing was changed; give the loop a way out.`,
        );
      }
    }
    await stepInstance(tx, doer, next.instanceId, next.event, next.audit ?? [], queue);
  }
}

/**
 * One engine step of an instance, persisted: load, step, write the state (version-checked), carry
 * out the effects. Returns false when the instance no longer takes the event (ended, or it waits
 * elsewhere) — a late timer or message is then dropped, which is what a durable host must do.
 */
export async function stepInstance(
  tx: Executor,
  doer: Doer,
  instanceId: string,
  event: EngineEvent,
  leadingAudit: AuditRow[],
  queue: FollowUp[],
  /** What the command closes along with the step (a job this worker holds). */
  options: Pick<PlanOptions, 'finishJob'> = {},
): Promise<boolean> {
  const [instance] = await tx
    .select(INSTANCE_WITH_DEFINITION)
    .from(processInstances)
    .innerJoin(processDefinitions, eq(processDefinitions.id, processInstances.definitionId))
    .where(eq(processInstances.id, instanceId));
  // An instance stopped by an incident takes one event: the retry of that incident.
  if (
    !instance ||
    (instance.status !== 'active' && !(instance.status === 'incident' && event.type === 'incident.retried'))
  )
    return false;
  const process = await processOf(tx, instance.def);
  const now = await dbNow(tx);
  let stepped;
  try {
    stepped = send(process, instance.state, event, { now });
  } catch (error) {
    if (
      error instanceof EngineError &&
      (error.code === 'ELEMENT_NOT_ACTIVE' ||
        error.code === 'EVENT_NOT_ACCEPTED' ||
        error.code === 'INSTANCE_NOT_ACTIVE')
    )
      return false;
    throw error;
  }
  const result = await resolvePeople(tx, instance.tenantId, stepped);
  const key = doer !== null && typeof doer === 'object' ? doer : null;
  const ctx = {
    tenantId: instance.tenantId,
    instanceId: instance.id,
    actorId: key ? null : (doer as string | null),
    formIds: instance.def.formIds,
    now: new Date(now),
    parentId: instance.parentId,
  };
  const plan = planStep(
    ctx,
    { kind: 'update', version: instance.version },
    result.state,
    result.effects,
    leadingAudit,
    options,
  );
  // A key's rows name the key (a leading row already naming it keeps its own data: auditAsKey sets the key last).
  const written = await applyPlan(
    tx,
    key ? { ...plan, audit: plan.audit.map((event) => auditAsKey(key, event)) } : plan,
    queue,
  );
  if (written === 'instance-moved')
    throw new AppError('CONFLICT', `Process instance "${instance.id}" was changed by someone else; try again.`);
  if (written !== 'written')
    throw new AppError(
      'CONFLICT',
      `The ${written === 'job-gone' ? 'job' : 'task'} this step closes of process instance "${instance.id}" was closed by someone else; try again.`,
    );
  return true;
}

// ---- messages and signals ---------------------------------------------------------------------

export interface PublishInput {
  name: string;
  correlationKey: string | null;
  variables: Variables;
  /** How long an uncorrelated message waits for a receiver (0: it is dropped). */
  ttlSeconds: number;
  /** Publishing the same id twice has no effect the second time. */
  messageId?: string | null;
  /**
   * Who publishes it; absent when a process sends it. A person (message.publish): it reaches only
   * an element that lets them send (sending.ts), an instance it starts is theirs, and a buffered
   * one keeps their id to be checked when it is correlated. An API key (POST /api/v1/messages): its
   * scope was checked by the caller, so it goes where a process's would; it is kept as sent_by_key
   * for the record, and an instance it starts is nobody's (startAtEvent).
   */
  by?: Sender;
}

/**
 * Who sends a message or signal from outside the processes: a person, or an outside system by its
 * API key. Sending.ts's rules are about people; a key's right is its scope, checked before this.
 */
export type Sender = Actor | KeyCall;

/** The person among the senders, if it is one: only a person's send is checked by sending.ts. */
function personOf(by: Sender | undefined): Actor | undefined {
  return by && !isKeyCaller(by) ? by : undefined;
}

/**
 * Delivers a message to the instance waiting for it (name, and correlation key where either side
 * has one), else starts an instance at a matching message start event, else buffers it for its
 * time to live. Returns where it went.
 */
export async function publish(
  tx: Executor,
  tenantId: string,
  input: PublishInput,
  queue: FollowUp[],
): Promise<{ correlated: 'instance' | 'started' | 'buffered' | 'dropped' | 'duplicate'; instanceId?: string }> {
  // (A message start event is tried after waiting instances: a waiting instance has the message first.)
  if (input.messageId) {
    const [seen] = await tx
      .select({ id: messages.id })
      .from(messages)
      .where(
        and(eq(messages.tenantId, tenantId), eq(messages.name, input.name), eq(messages.messageId, input.messageId)),
      );
    if (seen) return { correlated: 'duplicate' };
  }
  const [waiting] = await tx
    .select()
    .from(subscriptions)
    .where(
      and(
        eq(subscriptions.tenantId, tenantId),
        eq(subscriptions.kind, 'message'),
        eq(subscriptions.name, input.name),
        keyMatches(input.correlationKey),
      ),
    )
    .orderBy(asc(subscriptions.createdAt))
    .limit(1)
    .for('update', { skipLocked: true });
  const record = async (correlatedTo: string | null, ttl: number) => {
    if (!input.messageId && ttl <= 0) return;
    await tx.insert(messages).values({
      tenantId,
      name: input.name,
      correlationKey: input.correlationKey,
      messageId: input.messageId ?? null,
      variables: input.variables,
      expiresAt: sql`now() + make_interval(secs => ${ttl})`,
      correlatedAt: correlatedTo ? sql`now()` : null,
      correlatedTo,
      sentBy: personOf(input.by)?.userId ?? null,
      sentByKey: input.by && isKeyCaller(input.by) ? input.by.keyId : null,
    });
  };
  if (waiting) {
    // A person's message goes where it would go anyway, or nowhere: FORBIDDEN, and nothing is written.
    const person = personOf(input.by);
    if (person) await checkMessageTo(tx, person, waiting, input.name);
    await tx.delete(subscriptions).where(eq(subscriptions.id, waiting.id));
    queue.push({
      instanceId: waiting.instanceId,
      event: {
        type: 'message.received',
        name: input.name,
        correlationKey: input.correlationKey,
        variables: input.variables,
        ...(waiting.scope ? { scope: waiting.scope } : {}),
      },
    });
    await record(waiting.instanceId, 0);
    return { correlated: 'instance', instanceId: waiting.instanceId };
  }
  const started = await startByMessage(tx, tenantId, input, queue);
  if (started) {
    await record(started, 0);
    return { correlated: 'started', instanceId: started };
  }
  if (input.ttlSeconds > 0 || input.messageId) await record(null, input.ttlSeconds);
  return { correlated: input.ttlSeconds > 0 ? 'buffered' : 'dropped' };
}

/** A process whose (latest published version's) start event waits for this message starts an instance. */
async function startByMessage(
  tx: Executor,
  tenantId: string,
  input: PublishInput,
  queue: FollowUp[],
): Promise<string | null> {
  const [def] = await newestWithStartEvent(tx, tenantId, 'message', input.name);
  if (!def) return null;
  const startEventId = startEventOf(def, 'message', input.name)!;
  const person = personOf(input.by);
  if (person) await checkStart(tx, person, def, startEventId, input.name);
  // A key's message starts a process only if its `start` scope names it too: the messages scope lets it
  // move instances, not start processes it was not given.
  if (input.by && isKeyCaller(input.by) && !keyMayStart(input.by, def.key)) throw keyRefusal(input.by);
  return startAtEvent(tx, def, startEventId, input.variables, { message: input.name }, queue, input.by);
}

/**
 * The newest published version of each process key in the company, where that version has a
 * start event of `kind` named `name` (an older version that had one starts nothing).
 */
async function newestWithStartEvent(
  tx: Executor,
  tenantId: string,
  kind: 'message' | 'signal',
  name: string,
): Promise<ProcessDefinitionRow[]> {
  return tx
    .select()
    .from(processDefinitions)
    .where(
      and(
        eq(processDefinitions.tenantId, tenantId),
        sql`${processDefinitions.version} = (select max(p.version) from process_definitions p where p.tenant_id = ${processDefinitions.tenantId} and p.key = ${processDefinitions.key})`,
        sql`exists (select 1 from jsonb_array_elements(${processDefinitions.definition}->'elements') e where e->>'type' = 'startEvent' and e->'event'->>'kind' = ${kind} and e->'event'->>'name' = ${name})`,
      ),
    )
    .orderBy(processDefinitions.key);
}

function startEventOf(def: ProcessDefinitionRow, kind: 'message' | 'signal', name: string): string | undefined {
  return def.definition.elements.find((e) => e.type === 'startEvent' && e.event?.kind === kind && e.event.name === name)
    ?.id;
}

/**
 * How deep starts by messages and signals nest in one command (by its follow-up queue): an
 * instance whose start sends the message or throws the signal that starts its process again
 * would start instances for ever, inside the same call.
 */
const startDepth = new WeakMap<FollowUp[], number>();

/**
 * Instances one command may start (called processes, starts by message or signal), counted on its
 * follow-up queue. The depth limits bound how deep such chains go, not how wide: a process that
 * calls itself from a multi-instance call activity doubles at every level.
 */
const MAX_STARTS_PER_COMMAND = 1_000;
const starts = new WeakMap<FollowUp[], number>();

function countStart(queue: FollowUp[], key: string): void {
  const n = (starts.get(queue) ?? 0) + 1;
  starts.set(queue, n);
  if (n > MAX_STARTS_PER_COMMAND) {
    throw new AppError(
      'BAD_REQUEST',
      `One command started more than ${MAX_STARTS_PER_COMMAND} process instances (the last of "${key}"): call activities or start events that start each other without end. Nothing was changed.`,
    );
  }
}
const MAX_START_DEPTH = 50;

/**
 * Starts an instance of version `def` at its start event `startEventId`. `by`: the person whose
 * command started it (message.publish, signal.broadcast) — it is theirs as if they had started it
 * (initiator, started_by), so the process's startableBy must let them (else FORBIDDEN, and the
 * caller's transaction writes nothing). Without a person (a timer, a process's message or signal,
 * an API key's) the engine records no initiator — no four-eyes `notInitiator` exclusion, nobody
 * reads or cancels it as its initiator — and started_by (a display column here) names whoever
 * published the version, else the company's admin; a key's start names the key's creator there,
 * drops an `initiator` variable it sent (the server alone sets it), and every row of its first step
 * is audited as the key, as instances.ts does for a key's start. `how` says what started it, in
 * the `instance.started` audit row.
 */
export async function startAtEvent(
  tx: Executor,
  def: ProcessDefinitionRow,
  startEventId: string,
  variables: Variables,
  how: Record<string, unknown>,
  queue: FollowUp[],
  by?: Sender,
): Promise<string> {
  const depth = (startDepth.get(queue) ?? 0) + 1;
  if (depth > MAX_START_DEPTH) {
    throw new AppError(
      'BAD_REQUEST',
      `Starting "${def.key}" at "${startEventId}" started another instance, which started another, ${MAX_START_DEPTH} deep: does the process throw the signal (or send the message) that starts it? Nothing was changed.`,
    );
  }
  startDepth.set(queue, depth);
  try {
    return await startInstanceAt(tx, def, startEventId, variables, how, queue, by);
  } finally {
    startDepth.set(queue, depth - 1);
  }
}

async function startInstanceAt(
  tx: Executor,
  def: ProcessDefinitionRow,
  startEventId: string,
  variables: Variables,
  how: Record<string, unknown>,
  queue: FollowUp[],
  sender?: Sender,
): Promise<string> {
  countStart(queue, def.key);
  const tenantId = def.tenantId;
  const key = sender && isKeyCaller(sender) ? sender : undefined;
  const by = personOf(sender);
  if (by && !mayStart(by, def.definition)) throw new AppError('FORBIDDEN', startRefusal(by, def.key, def.definition));
  const process = await processOf(tx, def);
  // A person's start: the process knows who (the initiator variable, initiator.ts); a timer's or a process's: nobody;
  // a key's: nobody either, whatever it sent.
  const startVariables = by
    ? withInitiator(variables, await initiatorFor(tx, by))
    : key
      ? withoutInitiator(variables)
      : variables;
  const now = await dbNow(tx);
  const result = await resolvePeople(
    tx,
    tenantId,
    start(process, startVariables, {
      now,
      startEvent: startEventId,
      ...(by ? { initiator: by.userId } : {}),
    }),
  );
  // Started by no person: shown as started by the key's creator (a key's), else whoever published the version,
  // else the company's admin.
  const [owner] = by
    ? [{ id: by.userId }]
    : key
      ? [{ id: key.createdBy }]
      : def.publishedBy
        ? [{ id: def.publishedBy }]
        : await tx
            .select({ id: memberships.userId })
            .from(memberships)
            .where(eq(memberships.tenantId, tenantId))
            .orderBy(sql`${memberships.role} = 'admin' desc`)
            .limit(1);
  const actorId = by?.userId ?? null;
  const instanceId = randomUUID();
  const businessKey = businessKeyOf(def.definition, variables);
  const started = {
    tenantId,
    instanceId,
    actorId,
    type: 'instance.started',
    data: { definitionKey: def.key, definitionVersion: def.version, ...how, variables: startVariables },
  };
  const ctx = { tenantId, instanceId, actorId, formIds: def.formIds, now: new Date(now), parentId: null };
  const row = {
    id: instanceId,
    tenantId,
    definitionId: def.id,
    businessKey,
    search: instanceSearchText(def.definition, businessKey, variables),
    startedBy: owner!.id,
  };
  const plan = planStep(ctx, { kind: 'insert', row }, result.state, result.effects, [started]);
  await applyPlan(tx, key ? { ...plan, audit: plan.audit.map((event) => auditAsKey(key, event)) } : plan, queue);
  return instanceId;
}

function keyMatches(key: string | null) {
  return key === null ? sql`true` : or(isNull(subscriptions.correlationKey), eq(subscriptions.correlationKey, key))!;
}

/** A subscription just opened: a buffered message it matches is delivered at once. */
async function correlateBuffered(
  tx: Executor,
  scope: EffectScope,
  e: Extract<Effect, { type: 'openSubscription' }>,
  queue: FollowUp[],
) {
  const matching = and(
    eq(messages.tenantId, scope.tenantId),
    eq(messages.name, e.name),
    isNull(messages.correlatedAt),
    gt(messages.expiresAt, sql`now()`),
    e.correlationKey === null
      ? sql`true`
      : or(isNull(messages.correlationKey), eq(messages.correlationKey, e.correlationKey)),
  );
  // Buffering is no way round who may send: a person's message reaches this element only if it lets them now (sending.ts).
  const senders = await tx
    .selectDistinct({ id: messages.sentBy })
    .from(messages)
    .where(and(matching, isNotNull(messages.sentBy)));
  const refused = await refusedSenders(
    tx,
    scope.tenantId,
    scope.instanceId,
    e.elementId,
    senders.map((s) => s.id!),
  );
  const [message] = await tx
    .select()
    .from(messages)
    .where(
      and(
        matching,
        refused.length === 0 ? sql`true` : or(isNull(messages.sentBy), notInArray(messages.sentBy, refused)),
      ),
    )
    .orderBy(asc(messages.createdAt))
    .limit(1)
    .for('update', { skipLocked: true });
  if (!message) return;
  await tx
    .update(messages)
    .set({ correlatedAt: sql`now()`, correlatedTo: scope.instanceId })
    .where(eq(messages.id, message.id));
  await tx
    .delete(subscriptions)
    .where(
      and(
        eq(subscriptions.instanceId, scope.instanceId),
        eq(subscriptions.elementId, e.elementId),
        e.scope === undefined ? isNull(subscriptions.scope) : eq(subscriptions.scope, e.scope),
      ),
    );
  queue.push({
    instanceId: scope.instanceId,
    event: {
      type: 'message.received',
      name: e.name,
      correlationKey: message.correlationKey,
      variables: message.variables,
      ...(e.scope ? { scope: e.scope } : {}),
    },
    audit: await bufferedSenderAudit(tx, scope, message),
  });
}

/**
 * The row that says who sent a buffered message, leading the step it causes: the person who
 * published it (as the actor), or the key (named as auditAsKey names it, no actor). A process's
 * message needs none — the step's rows are the step's own.
 */
async function bufferedSenderAudit(
  tx: Executor,
  scope: EffectScope,
  message: typeof messages.$inferSelect,
): Promise<AuditRow[]> {
  if (!message.sentBy && !message.sentByKey) return [];
  const data = {
    name: message.name,
    correlationKey: message.correlationKey,
    buffered: true,
    ...(message.messageId ? { messageId: message.messageId } : {}),
  };
  const row = { tenantId: scope.tenantId, instanceId: scope.instanceId, type: 'message.received' };
  if (message.sentBy) return [{ ...row, actorId: message.sentBy, data }];
  const [key] = await tx
    .select({ id: apiKeys.id, name: apiKeys.name, prefix: apiKeys.prefix })
    .from(apiKeys)
    .where(and(eq(apiKeys.tenantId, scope.tenantId), eq(apiKeys.id, message.sentByKey!)));
  const apiKey: ApiKeyRef = key ?? { id: message.sentByKey!, name: '', prefix: '' };
  return [{ ...row, actorId: null, data: { ...data, apiKey } }];
}

/**
 * A signal reaches every instance of the company waiting for it, and starts every process whose
 * newest published version has a signal start event of that name. Returns how many instances it
 * reached, waiting or started.
 */
export async function broadcast(
  tx: Executor,
  tenantId: string,
  name: string,
  variables: Variables,
  queue: FollowUp[],
): Promise<number> {
  const { delivered, started } = await deliverSignal(tx, tenantId, name, variables, queue);
  return delivered.length + started.length;
}

/**
 * What `broadcast` does, told apart: the waiting instances it is delivered to (their follow-ups
 * queued in this order, before anything the started ones cause) and the instances it started, in
 * this transaction. An instance the signal starts does not also receive it, even if it waits for
 * it at once (as in Camunda: a signal is delivered to the subscriptions that existed when thrown).
 */
export async function deliverSignal(
  tx: Executor,
  tenantId: string,
  name: string,
  variables: Variables,
  queue: FollowUp[],
  by?: Sender,
): Promise<{ delivered: string[]; started: string[] }> {
  const subscribed = await tx
    .select()
    .from(subscriptions)
    .where(and(eq(subscriptions.tenantId, tenantId), eq(subscriptions.kind, 'signal'), eq(subscriptions.name, name)));
  const startable = (await newestWithStartEvent(tx, tenantId, 'signal', name)).map((def) => ({
    def,
    startEventId: startEventOf(def, 'signal', name)!,
  }));
  // A person's signal must be public for them, and reaches only what lets them (sending.ts); a process's
  // reaches all, and so does a key's waiting instances (its scope names the signal: the admin granted it).
  // A key's signal starts only the processes its `start` scope names (as a person's starts only those they may).
  const person = personOf(by);
  const key = by && isKeyCaller(by) ? by : undefined;
  const { waiting, starts } = person
    ? await signalReach(tx, person, name, subscribed, startable)
    : { waiting: subscribed, starts: key ? startable.filter((s) => keyMayStart(key, s.def.key)) : startable };
  for (const s of waiting)
    queue.push({
      instanceId: s.instanceId,
      event: { type: 'signal.received', name, variables, ...(s.scope ? { scope: s.scope } : {}) },
    });
  const started: string[] = [];
  for (const { def, startEventId } of starts) {
    started.push(await startAtEvent(tx, def, startEventId, variables, { signal: name }, queue, by));
  }
  return { delivered: waiting.map((s) => s.instanceId), started };
}

// ---- call activities ----------------------------------------------------------------------------

/** Starts the called process (its latest published version) as a child, in this transaction. */
async function startChild(
  tx: Executor,
  parent: EffectScope,
  e: Extract<Effect, { type: 'startChildInstance' }>,
  queue: FollowUp[],
) {
  const [def] = await tx
    .select()
    .from(processDefinitions)
    .where(and(eq(processDefinitions.tenantId, parent.tenantId), eq(processDefinitions.key, e.processKey)))
    .orderBy(sql`${processDefinitions.version} desc`)
    .limit(1);
  if (!def)
    throw new AppError(
      'BAD_REQUEST',
      `Call activity "${e.elementId}" calls process "${e.processKey}", which is not published in this company.`,
    );
  countStart(queue, def.key);
  const [parentRow] = await tx
    .select({ startedBy: processInstances.startedBy, state: processInstances.state })
    .from(processInstances)
    .where(eq(processInstances.id, parent.instanceId));
  // The child is the parent's: it inherits its initiator (four-eyes rules, reading), or its lack of one.
  const initiator = parentRow!.state.actors?.initiator;
  // One level deeper than its parent: the engine stops a chain at its limit with an incident at the call activity.
  const callDepth = (parentRow!.state.callDepth ?? 0) + 1;
  const now = await dbNow(tx);
  const result = await resolvePeople(
    tx,
    parent.tenantId,
    start(await processOf(tx, def), e.variables, {
      now,
      callDepth,
      ...(initiator ? { initiator } : {}),
    }),
  );
  const childId = randomUUID();
  const businessKey = businessKeyOf(def.definition, e.variables);
  const started = {
    tenantId: parent.tenantId,
    instanceId: childId,
    actorId: parent.actorId,
    type: 'instance.started',
    data: {
      definitionKey: def.key,
      definitionVersion: def.version,
      parentId: parent.instanceId,
      variables: e.variables,
    },
  };
  const ctx = {
    tenantId: parent.tenantId,
    instanceId: childId,
    actorId: parent.actorId,
    formIds: def.formIds,
    now: new Date(now),
    parentId: parent.instanceId,
  };
  const row = {
    id: childId,
    tenantId: parent.tenantId,
    definitionId: def.id,
    businessKey,
    search: instanceSearchText(def.definition, businessKey, e.variables),
    startedBy: parentRow!.startedBy,
    parentId: parent.instanceId,
    parentElementId: e.elementId,
    parentScope: e.scope ?? null,
  };
  await applyPlan(tx, planStep(ctx, { kind: 'insert', row }, result.state, result.effects, [started]), queue);
}

/**
 * Ends the instances a parent's call activities started (all of them, or those of one call
 * activity run: `at`) — running or stopped by an incident — with their open work, and theirs in
 * turn. Each one's version moves on, so a command that read it before cannot write over the end,
 * and its history says the parent ended it. Used when the engine interrupts a call activity and
 * when an admin ends the parent (incidents.ts).
 */
export async function endChildren(
  tx: Executor,
  tenantId: string,
  parentId: string,
  options: {
    actorId: string | null;
    at?: { elementId: string; scope: string | null };
    /** Those called from within this run (or runs inside it). */ within?: string;
  },
) {
  const { at, within } = options;
  const children = await tx
    .update(processInstances)
    .set({ status: 'terminated', endedAt: sql`now()`, version: sql`${processInstances.version} + 1` })
    .where(
      and(
        eq(processInstances.tenantId, tenantId),
        eq(processInstances.parentId, parentId),
        inArray(processInstances.status, ['active', 'incident']),
        ...(at
          ? [
              eq(processInstances.parentElementId, at.elementId),
              at.scope === null ? isNull(processInstances.parentScope) : eq(processInstances.parentScope, at.scope),
            ]
          : []),
        ...(within !== undefined
          ? [or(eq(processInstances.parentScope, within), sql`${processInstances.parentScope} like ${`${within}/%`}`)!]
          : []),
      ),
    )
    .returning({ id: processInstances.id });
  for (const c of children) {
    await endOpenWork(tx, tenantId, c.id);
    await appendAudit(tx, [
      {
        tenantId,
        instanceId: c.id,
        actorId: options.actorId,
        type: 'instance.terminated',
        data: { by: 'parent', parentId },
      },
    ]);
    await endChildren(tx, tenantId, c.id, { actorId: options.actorId });
  }
}
