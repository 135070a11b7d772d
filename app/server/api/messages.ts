/**
 * The REST API's messages and signals (POST /messages, POST /signals): their requests and answers
 * as zod schemas (the handlers check with them, the document describes them) and their operations
 * as openapi.ts describes them. Field rules are the app's own (services/messages.ts
 * publishInputShape): a system's message is checked as a person's is, and capped alike.
 */
import { z } from 'zod';
import { broadcastInputShape, publishInputShape } from '../services/messages';
import { idempotencyKeySchema } from '../services/idempotency';
import { KEYED, type Operation } from './operation';
import { described, requestRegistry, responseRegistry } from './schemas';

// ——— Requests ———

export const publishMessageRequest = described(
  requestRegistry,
  z.strictObject({
    name: described(requestRegistry, publishInputShape.name, {
      description:
        'The message’s name, as the processes’ message events and receive tasks name it, e.g. "payment-received". The key’s `messages` scope must list it exactly.',
    }),
    correlationKey: described(requestRegistry, publishInputShape.correlationKey, {
      description:
        'Which instance it is for: it reaches the first instance waiting for this message whose correlation key is this (or that waits without one), e.g. an invoice number. Leave it out to reach the first waiting for the name.',
    }),
    variables: described(requestRegistry, publishInputShape.variables, {
      description:
        'Values the message carries into the instance it reaches (or starts), by name: at most 64 KiB as JSON by default. An `initiator` is dropped: the server alone sets it.',
    }),
    timeToLive: described(requestRegistry, publishInputShape.timeToLive, {
      description:
        'Seconds the message waits for a receiver when no instance waits for it now (0, the default: it is dropped). At most the server’s limit, 7 days (604800) by default.',
    }),
    messageId: described(requestRegistry, publishInputShape.messageId, {
      description:
        'Your id for the message: a second message of the same name with the same id, from any sender of the company, does nothing and answers `duplicate`.',
    }),
  }),
  {
    id: 'PublishMessageRequest',
    description: 'A message to a process: to the instance waiting for it, or to start one.',
  },
);

export const broadcastSignalRequest = described(
  requestRegistry,
  z.strictObject({
    name: described(requestRegistry, broadcastInputShape.name, {
      description:
        'The signal’s name, as the processes’ signal events name it, e.g. "quarter-closed". The key’s `signals` scope must list it exactly.',
    }),
    variables: described(requestRegistry, broadcastInputShape.variables, {
      description:
        'Values the signal carries into every instance it reaches or starts, by name: at most 64 KiB as JSON by default. An `initiator` is dropped: the server alone sets it.',
    }),
  }),
  { id: 'BroadcastSignalRequest', description: 'A signal to every process of the company that waits for it.' },
);

/** The headers a message or signal reads (names as sent; checked case-insensitively). */
export const sendHeaders = z.object({
  'Idempotency-Key': described(requestRegistry, idempotencyKeySchema, {
    description:
      'Makes the request safe to send again: a retry with the same key and body answers the first one’s result and sends nothing; the same key with another body is refused (409). Results are kept 24 hours.',
  }).optional(),
});

// ——— Answers ———

export const publishedMessage = described(
  responseRegistry,
  z.looseObject({
    correlated: described(responseRegistry, z.enum(['instance', 'started', 'buffered', 'dropped', 'duplicate']), {
      description:
        '`instance`: delivered to an instance that waited for it; `started`: it started an instance at a message start event; `buffered`: nothing waits for it yet, it is kept for its time to live; `dropped`: nothing waits and it has no time to live; `duplicate`: a message of this `messageId` was published before, and this one did nothing.',
    }),
    instanceId: described(responseRegistry, z.uuid().optional(), {
      description: 'The instance it reached or started (`instance`, `started`).',
    }),
  }),
  { id: 'PublishedMessage', description: 'Where the message went.' },
);

export const signalBroadcast = described(
  responseRegistry,
  z.looseObject({
    delivered: described(responseRegistry, z.array(z.uuid()), {
      description: 'The instances that waited for it and received it, each once.',
    }),
    started: described(responseRegistry, z.array(z.uuid()), {
      description: 'The instances it started at a signal start event, one per process.',
    }),
  }),
  {
    id: 'SignalBroadcast',
    description:
      'The instances the signal reached, each once. One request may cause at most 1,000 steps in all (the deliveries, the starts and whatever they cause in turn): a signal that would cause more is refused (400) and changes nothing.',
  },
);

// ——— Operations ———

export const messageOperations: Operation[] = [
  {
    method: 'post',
    path: '/messages',
    operationId: 'publishMessage',
    summary: 'Publish a message',
    description:
      'Delivers a message as a process’s own message is delivered: to the first instance waiting for it (by name and correlation key), else it starts an instance of the process whose latest version has a message start event of that name (refused, 403, unless the key’s `start` scope lists that process too), else it is kept for its time to live and delivered when an instance comes to wait for it. Needs a key whose `messages` scope lists the name. An instance it starts has no initiator (a key is no person); audit rows name the key. Every outcome answers 200: `correlated` says which it was.',
    headers: sendHeaders,
    body: publishMessageRequest,
    success: {
      status: 200,
      description: 'Published (or, for a retry with the same Idempotency-Key and body, the first request’s answer).',
      schema: publishedMessage,
    },
    refusals: [...KEYED, 'CONFLICT', 'PAYLOAD_TOO_LARGE'],
  },
  {
    method: 'post',
    path: '/signals',
    operationId: 'broadcastSignal',
    summary: 'Broadcast a signal',
    description:
      'Broadcasts a signal as a process’s signal throw event does: every instance of the company waiting for it moves on, and every process whose latest version has a signal start event of that name and that the key’s `start` scope lists starts an instance, all in one transaction. Needs a key whose `signals` scope lists the name. Instances it starts have no initiator; audit rows name the key.',
    headers: sendHeaders,
    body: broadcastSignalRequest,
    success: {
      status: 200,
      description: 'Broadcast (or, for a retry with the same Idempotency-Key and body, the first request’s answer).',
      schema: signalBroadcast,
    },
    refusals: [...KEYED, 'CONFLICT', 'PAYLOAD_TOO_LARGE'],
  },
];
