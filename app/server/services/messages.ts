/**
 * Publishing messages and broadcasting signals into a company's processes from outside them: by a
 * person (message.publish, signal.broadcast) or by an outside system through its API key (POST
 * /api/v1/messages, /api/v1/signals). One implementation for both, one transaction with everything
 * each causes, always inside the sender's company (a key's is the one that made it).
 *
 * What they carry is capped first (message-limits.ts), alike for both. Where they may go differs:
 * - a person's is sending.ts's rule (sendableBy, startableBy), applied by effects.ts (publish,
 *   deliverSignal); an instance it starts is theirs;
 * - a key's right is its scope, naming the message or signal exactly, checked before anything is
 *   read (a key learns nothing of names it may not send). Past that it goes where a process's own
 *   message or signal would: sendableBy names people, and the admin granted this name to this
 *   system. An instance it starts has no initiator, as a timer's, and is audited as the key.
 * Neither may set the `initiator` variable, which the server alone sets (initiator.ts): merged into
 * a waiting instance it would redirect `=initiator.manager` assignments, so it is dropped.
 */
import { z } from 'zod';
import type { Executor } from '@/db/client';
import type { Actor } from '../actor';
import { messageLimits, readEnv } from '../env';
import { checkTimeToLive, checkVariablesSize, type MessageLimits } from '../message-limits';
import { deliverSignal, driveFollowUps, publish, type Doer, type FollowUp } from '../host/effects';
import { hinted } from '../host/job-signal';
import { auditAsKey, keyMayBroadcast, keyMaySend, keyRefusal } from './api-keys';
import { isKeyCaller } from '../caller';
import type { AuditInsert } from './audit';
import { withoutInitiator } from './initiator';
import type { KeyCall } from '../caller';

/** Who sends: a person, or an outside system by its API key (with the language its answers speak). */
export type Sender = Actor | KeyCall;

/** Who the steps a send causes are done by: a person (their id as the actor), or the key (named in every row). */
function doerOf(sender: Sender): Doer {
  return isKeyCaller(sender) ? sender : sender.userId;
}

/** An audit row of the sender's: a person as its actor, a key as auditAsKey names it. */
function auditOf(sender: Sender, event: Required<Pick<AuditInsert, 'type' | 'instanceId' | 'data'>>): AuditInsert {
  return isKeyCaller(sender)
    ? auditAsKey(sender, event)
    : { ...event, tenantId: sender.tenantId, actorId: sender.userId };
}

/**
 * What a message and a signal send, checked where they arrive (POST /api/v1/messages and
 * /api/v1/signals; the tRPC procedures say the same): names as long as the engine's may be.
 * Variables and time to live are capped here, by the limits the server runs with.
 */
export const publishInputShape = {
  name: z.string().min(1).max(200),
  correlationKey: z.string().max(500).nullish(),
  variables: z.record(z.string(), z.unknown()).default({}),
  timeToLive: z.int().min(0).default(0),
  messageId: z.string().min(1).max(200).nullish(),
};

export const broadcastInputShape = {
  name: publishInputShape.name,
  variables: publishInputShape.variables,
};

export interface PublishMessageInput {
  name: string;
  correlationKey?: string | null;
  variables?: Record<string, unknown>;
  /** Seconds an uncorrelated message waits for a receiver (default 0: dropped; at most the limit, 7 days by default). */
  timeToLive?: number;
  /** An id the sender gives; a second message with the same id is ignored. */
  messageId?: string | null;
}

export interface PublishedMessage {
  /**
   * Where it went: to a waiting `instance`; `started` an instance at a message start event;
   * `buffered` for its time to live; `dropped` (no receiver, no time to live); or a `duplicate` of
   * a message id already published, which did nothing.
   */
  correlated: 'instance' | 'started' | 'buffered' | 'dropped' | 'duplicate';
  instanceId?: string;
}

/**
 * Publishes a message: to the first instance waiting for it (name, and correlation key where either
 * side has one), else a process whose newest version starts at it starts, else it is kept for its
 * time to live. A key needs its `messages` scope to name it (else FORBIDDEN, saying nothing of which
 * scope); a person, the receiving element's sendableBy (sending.ts).
 */
export async function publishMessage(
  db: Executor,
  sender: Sender,
  input: PublishMessageInput,
  limits: MessageLimits = messageLimits(readEnv()),
): Promise<PublishedMessage> {
  if (isKeyCaller(sender) && !keyMaySend(sender, input.name)) throw keyRefusal(sender);
  checkVariablesSize(input.variables, 'message', limits, sender.locale);
  checkTimeToLive(input.timeToLive ?? 0, limits, sender.locale);
  return hinted(
    db.transaction(async (tx) => {
      const queue: FollowUp[] = [];
      const result = await publish(
        tx,
        sender.tenantId,
        {
          name: input.name,
          correlationKey: input.correlationKey ?? null,
          variables: withoutInitiator(input.variables ?? {}),
          ttlSeconds: input.timeToLive ?? 0,
          messageId: input.messageId ?? null,
          by: sender,
        },
        queue,
      );
      // Delivered to a waiting instance: its step is queued first. (An instance it started has its own
      // `instance.started` row; what that start caused is queued for other instances, not this message.)
      if (result.correlated === 'instance' && queue[0])
        queue[0].audit = [
          auditOf(sender, {
            instanceId: queue[0].instanceId,
            type: 'message.received',
            data: {
              name: input.name,
              correlationKey: input.correlationKey ?? null,
              ...(input.messageId ? { messageId: input.messageId } : {}),
            },
          }),
        ];
      await driveFollowUps(tx, doerOf(sender), queue);
      return result;
    }),
  );
}

export interface BroadcastSignalInput {
  name: string;
  variables?: Record<string, unknown>;
}

/**
 * Broadcasts a signal, as a process's signal throw event does: every instance waiting for it moves
 * on (its history says who sent it), and every process whose newest version has a signal start
 * event of that name starts an instance. A person's must be public for them and reaches only the
 * elements that let them (sending.ts); a key's needs its `signals` scope to name it (else FORBIDDEN)
 * and then reaches every waiting instance, as a process's, but starts only the processes its `start`
 * scope names. Returns the instances reached, each once: at most 1,000 of
 * each, as one command steps and starts no more (effects.ts), past which nothing is changed.
 */
export async function broadcastSignal(
  db: Executor,
  sender: Sender,
  input: BroadcastSignalInput,
  limits: MessageLimits = messageLimits(readEnv()),
): Promise<{ delivered: string[]; started: string[] }> {
  if (isKeyCaller(sender) && !keyMayBroadcast(sender, input.name)) throw keyRefusal(sender);
  checkVariablesSize(input.variables, 'signal', limits, sender.locale);
  return hinted(
    db.transaction(async (tx) => {
      const queue: FollowUp[] = [];
      const result = await deliverSignal(
        tx,
        sender.tenantId,
        input.name,
        withoutInitiator(input.variables ?? {}),
        queue,
        sender,
      );
      // The deliveries are queued first, before anything the started instances caused.
      for (const delivery of queue.slice(0, result.delivered.length))
        delivery.audit = [
          auditOf(sender, { instanceId: delivery.instanceId, type: 'signal.received', data: { name: input.name } }),
        ];
      await driveFollowUps(tx, doerOf(sender), queue);
      // An instance waiting for it at two elements (parallel branches) received it twice: named once.
      return { delivered: [...new Set(result.delivered)], started: result.started };
    }),
  );
}
