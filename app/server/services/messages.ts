/**
 * Publishing messages and broadcasting signals into a company's processes, by a person: one
 * transaction with everything each causes. What they carry is capped first (message-limits.ts);
 * where they may go is sending.ts's rule, applied by effects.ts (publish, deliverSignal).
 */
import type { Executor } from '@/db/client';
import type { Actor } from '../actor';
import { messageLimits, readEnv } from '../env';
import { checkTimeToLive, checkVariablesSize, type MessageLimits } from '../message-limits';
import { deliverSignal, driveFollowUps, publish, type FollowUp } from '../host/effects';
import { hinted } from '../host/job-signal';

export interface PublishMessageInput {
  name: string;
  correlationKey?: string | null;
  variables?: Record<string, unknown>;
  /** Seconds an uncorrelated message waits for a receiver (default 0: dropped; at most the limit, 7 days by default). */
  timeToLive?: number;
  /** An id the sender gives; a second message with the same id is ignored. */
  messageId?: string | null;
}

export async function publishMessage(
  db: Executor,
  actor: Actor,
  input: PublishMessageInput,
  limits: MessageLimits = messageLimits(readEnv()),
) {
  checkVariablesSize(input.variables, 'message', limits, actor.locale);
  checkTimeToLive(input.timeToLive ?? 0, limits, actor.locale);
  return hinted(
    db.transaction(async (tx) => {
      const queue: FollowUp[] = [];
      const result = await publish(
        tx,
        actor.tenantId,
        {
          name: input.name,
          correlationKey: input.correlationKey ?? null,
          variables: input.variables ?? {},
          ttlSeconds: input.timeToLive ?? 0,
          messageId: input.messageId ?? null,
          by: actor,
        },
        queue,
      );
      if (queue[0])
        queue[0].audit = [
          {
            tenantId: actor.tenantId,
            instanceId: queue[0].instanceId,
            actorId: actor.userId,
            type: 'message.received',
            data: {
              name: input.name,
              correlationKey: input.correlationKey ?? null,
              ...(input.messageId ? { messageId: input.messageId } : {}),
            },
          },
        ];
      await driveFollowUps(tx, actor.userId, queue);
      return result;
    }),
  );
}

export interface BroadcastSignalInput {
  name: string;
  variables?: Record<string, unknown>;
}

/**
 * Broadcasts a signal, as a process's signal throw event does — if it is public for the person
 * (sending.ts): every instance waiting for it at an element that lets them moves on (its history
 * says who sent it), and every process whose newest version has a signal start event of that name
 * they may use starts an instance. Returns the instances reached.
 */
export async function broadcastSignal(
  db: Executor,
  actor: Actor,
  input: BroadcastSignalInput,
  limits: MessageLimits = messageLimits(readEnv()),
): Promise<{ delivered: string[]; started: string[] }> {
  checkVariablesSize(input.variables, 'signal', limits, actor.locale);
  return hinted(
    db.transaction(async (tx) => {
      const queue: FollowUp[] = [];
      const result = await deliverSignal(tx, actor.tenantId, input.name, input.variables ?? {}, queue, actor);
      // The deliveries are queued first, before anything the started instances caused.
      for (const delivery of queue.slice(0, result.delivered.length)) {
        delivery.audit = [
          {
            tenantId: actor.tenantId,
            instanceId: delivery.instanceId,
            actorId: actor.userId,
            type: 'signal.received',
            data: { name: input.name },
          },
        ];
      }
      await driveFollowUps(tx, actor.userId, queue);
      return result;
    }),
  );
}
