/**
 * Multi-instance on tasks other than user tasks (service, script, business rule, send, receive
 * tasks and call activities) runs as a multi-instance subprocess around one run of the task:
 * `X` becomes subprocess `X` holding `X__start` → `X__item` (the task) → `X__end`. Boundary events
 * on `X` stay on the subprocess, so they cover all runs. Applied when compiling; stored
 * definitions keep what the designer wrote.
 */
import type { Element, ProcessDefinition } from './definition';

const LOOPED_TYPES = new Set([
  'serviceTask',
  'scriptTask',
  'businessRuleTask',
  'sendTask',
  'receiveTask',
  'callActivity',
]);

export function expandTaskLoops(definition: ProcessDefinition): ProcessDefinition {
  return { ...definition, elements: definition.elements.map(expand) };
}

function expand(element: Element): Element {
  if (element.type === 'subProcess') return { ...element, elements: element.elements.map(expand) };
  if (!LOOPED_TYPES.has(element.type) || !('multiInstance' in element) || !element.multiInstance) return element;
  const { multiInstance, name, documentation, ...task } = element;
  const id = element.id;
  return {
    id,
    type: 'subProcess',
    ...(name !== undefined ? { name } : {}),
    ...(documentation !== undefined ? { documentation } : {}),
    multiInstance,
    elements: [
      { id: `${id}__start`, type: 'startEvent', interrupting: true },
      { ...task, id: `${id}__item`, ...(name !== undefined ? { name } : {}) } as Element,
      { id: `${id}__end`, type: 'endEvent' },
    ],
    flows: [
      { id: `${id}__in`, source: `${id}__start`, target: `${id}__item` },
      { id: `${id}__out`, source: `${id}__item`, target: `${id}__end` },
    ],
  };
}
