/**
 * Who a definition lets send its messages and broadcast its signals (`sendableBy`), read for the
 * host, which knows the people and decides: the declaration of the element a message or signal
 * subscription waits at, and every declaration of a signal (whether the signal is public). Only
 * reads the definition; never decides who someone is.
 */
import type { Element, LocalizedText, ProcessDefinition, SendableBy } from './definition';
import { flatten } from './scopes';
import { expandTaskLoops } from './task-loops';

/** An element that waits for (or starts on) a message or signal, with what it declares. */
export interface SendTarget {
  elementId: string;
  elementName?: LocalizedText;
  kind: 'message' | 'signal';
  name: string;
  /** A start event of the process itself (not of an event subprocess): a person's message or signal starts an instance there. */
  processStart: boolean;
  sendableBy?: SendableBy;
}

const indexes = new WeakMap<object, Map<string, SendTarget>>();

/**
 * Every element of the definition that waits for a message or signal, by the id its subscription
 * carries: multi-instance receive tasks wait as `X__item` (model/task-loops.ts). Kept per
 * definition object (published versions never change).
 */
function targets(definition: ProcessDefinition): Map<string, SendTarget> {
  let index = indexes.get(definition);
  if (index) return index;
  index = new Map();
  const topLevel = new Set(definition.elements.map((e) => e.id));
  const add = (e: Element, event: { kind: string; name?: string; sendableBy?: SendableBy } | undefined) => {
    if (!event || (event.kind !== 'message' && event.kind !== 'signal') || event.name === undefined) return;
    index!.set(e.id, {
      elementId: e.id,
      ...(e.name !== undefined ? { elementName: e.name } : {}),
      kind: event.kind,
      name: event.name,
      processStart: e.type === 'startEvent' && topLevel.has(e.id),
      ...(event.sendableBy ? { sendableBy: event.sendableBy } : {}),
    });
  };
  for (const e of flatten(expandTaskLoops(definition)).elements) {
    if (e.type === 'receiveTask') add(e, { kind: 'message', ...e.message });
    else if (e.type === 'intermediateCatchEvent' || e.type === 'boundaryEvent' || e.type === 'startEvent')
      add(e, e.event);
  }
  indexes.set(definition, index);
  return index;
}

/** The message or signal element `elementId` waits for, and who may send it; undefined when it waits for neither. */
export function sendTargetOf(definition: ProcessDefinition, elementId: string): SendTarget | undefined {
  return targets(definition).get(elementId);
}

/** Every element waiting for (or starting on) signal `name` that declares who may broadcast it. */
export function signalDeclarations(definition: ProcessDefinition, name: string): SendTarget[] {
  return [...targets(definition).values()].filter(
    (t) => t.kind === 'signal' && t.name === name && t.sendableBy !== undefined,
  );
}

/** The names of the messages the definition waits for or starts on. */
export function messagesHeard(definition: ProcessDefinition): Set<string> {
  return new Set([...targets(definition).values()].filter((t) => t.kind === 'message').map((t) => t.name));
}

/** The messages the definition sends itself (send tasks, message throw and end events), by element. */
export function messagesSent(definition: ProcessDefinition): { elementId: string; name: string }[] {
  const sent: { elementId: string; name: string }[] = [];
  for (const e of flatten(definition).elements) {
    if (e.type === 'sendTask') sent.push({ elementId: e.id, name: e.message.name });
    else if ((e.type === 'intermediateThrowEvent' || e.type === 'endEvent') && e.event?.kind === 'message')
      sent.push({ elementId: e.id, name: e.event.name });
  }
  return sent;
}
