/** Publishing messages into a company's processes: one transaction with everything it causes. */
import type { Executor } from '@/db/client';
import type { Actor } from '../actor';
import { driveFollowUps, publish, type FollowUp } from './effects';

export interface PublishMessageInput {
  name: string;
  correlationKey?: string | null;
  variables?: Record<string, unknown>;
  /** Seconds an uncorrelated message waits for a receiver (default 0: dropped). */
  timeToLive?: number;
  /** An id the sender gives; a second message with the same id is ignored. */
  messageId?: string | null;
}

export async function publishMessage(db: Executor, actor: Actor, input: PublishMessageInput) {
  return db.transaction(async (tx) => {
    const queue: FollowUp[] = [];
    const result = await publish(tx, actor.tenantId, { name: input.name, correlationKey: input.correlationKey ?? null, variables: input.variables ?? {}, ttlSeconds: input.timeToLive ?? 0, messageId: input.messageId ?? null }, queue);
    if (queue[0]) queue[0].audit = [{ tenantId: actor.tenantId, instanceId: queue[0].instanceId, actorId: actor.userId, type: 'message.received', data: { name: input.name, correlationKey: input.correlationKey ?? null, ...(input.messageId ? { messageId: input.messageId } : {}) } }];
    await driveFollowUps(tx, actor.userId, queue);
    return result;
  });
}
