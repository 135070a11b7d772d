/**
 * A definition's scopes: the process itself and every embedded subprocess, each with its own
 * elements and flows. Ids are unique across all of them (as in BPMN), so one flat index serves
 * compilation, while validation checks each scope on its own.
 */
import type { Element, ProcessDefinition, SequenceFlow, SubProcess } from './definition';

export interface Scope {
  /** The subprocess id, or null for the process. */
  id: string | null;
  kind: 'process' | 'subProcess' | 'eventSubProcess';
  elements: Element[];
  flows: SequenceFlow[];
  /** Enclosing subprocess ids, innermost first. */
  enclosing: string[];
}

export function scopesOf(definition: Pick<ProcessDefinition, 'elements' | 'flows'>): Scope[] {
  const out: Scope[] = [];
  const visit = (
    id: string | null,
    kind: Scope['kind'],
    elements: Element[],
    flows: SequenceFlow[],
    enclosing: string[],
  ) => {
    out.push({ id, kind, elements, flows, enclosing });
    for (const e of elements) {
      if (e.type === 'subProcess')
        visit(e.id, e.triggeredByEvent ? 'eventSubProcess' : 'subProcess', e.elements, e.flows, [e.id, ...enclosing]);
    }
  };
  visit(null, 'process', definition.elements, definition.flows, []);
  return out;
}

/** Every element and flow of every scope, with the scope each belongs to. */
export function flatten(definition: Pick<ProcessDefinition, 'elements' | 'flows'>) {
  const scopes = scopesOf(definition);
  const scopeOf = new Map<string, Scope>();
  for (const scope of scopes) for (const e of [...scope.elements, ...scope.flows]) scopeOf.set(e.id, scope);
  return {
    scopes,
    elements: scopes.flatMap((s) => s.elements),
    flows: scopes.flatMap((s) => s.flows),
    scopeOf,
  };
}

export function isSubProcess(e: Element | undefined): e is SubProcess {
  return e?.type === 'subProcess';
}

/** Whether anything inside a subprocess (at any depth) waits for people, time, messages or jobs. */
export function waitsInside(sub: SubProcess): boolean {
  return sub.elements.some((e) => {
    if (e.type === 'subProcess') return waitsInside(e);
    return (
      e.type === 'userTask' ||
      e.type === 'receiveTask' ||
      e.type === 'callActivity' ||
      e.type === 'eventBasedGateway' ||
      (e.type === 'intermediateCatchEvent' && e.event.kind !== 'link') ||
      (e.type === 'serviceTask' && e.taskType !== undefined)
    );
  });
}

/**
 * A parallel multi-instance subprocess with something inside that waits: its runs are separate
 * scope instances (runtime/scopes.ts), since a statechart cannot hold a varying number of them.
 */
export function isScopedMultiInstance(e: Element | undefined): boolean {
  return e?.type === 'subProcess' && e.multiInstance !== undefined && !e.multiInstance.sequential && waitsInside(e);
}

/** Whether any of these elements (at any depth) waits. */
export function anyWaits(elements: Element[]): boolean {
  return waitsInside({ id: '', type: 'subProcess', elements, flows: [] });
}

/**
 * The path a non-interrupting boundary event starts, as a process of its own: the boundary event
 * becomes its none start event, followed by every element only that path reaches.
 */
export function sidePath(
  boundaryId: string,
  inline: ReadonlySet<string>,
  elements: Element[],
  flows: SequenceFlow[],
): { elements: Element[]; flows: SequenceFlow[] } {
  const reached = new Set<string>();
  const stack = flows.filter((f) => f.source === boundaryId).map((f) => f.target);
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (reached.has(id) || !inline.has(id)) continue;
    reached.add(id);
    for (const f of flows) if (f.source === id) stack.push(f.target);
  }
  return {
    elements: [
      { id: boundaryId, type: 'startEvent', interrupting: true },
      ...elements.filter((e) => reached.has(e.id)),
    ],
    flows: flows.filter((f) => (f.source === boundaryId || reached.has(f.source)) && reached.has(f.target)),
  };
}
