/** Indexes over a definition's elements and flows, built once and shared by validation and compilation. */
import type { BoundaryEvent, Element, ProcessDefinition, SequenceFlow } from './definition';

export interface ProcessGraph {
  elements: Map<string, Element>;
  flows: Map<string, SequenceFlow>;
  outgoing: Map<string, SequenceFlow[]>;
  incoming: Map<string, SequenceFlow[]>;
  /** Boundary events by the id of the activity they are attached to. */
  boundaries: Map<string, BoundaryEvent[]>;
  /** Link catch events by link name. */
  linkCatches: Map<string, string[]>;
}

/**
 * Where a token can go next from `id`: along its outgoing flows, and — from an activity — to its
 * boundary events (only the interrupting ones when `interruptingOnly`: a non-interrupting one
 * starts a separate token, the activity's own token still goes on).
 */
export function successors(graph: ProcessGraph, id: string, interruptingOnly = false): string[] {
  const next = (graph.outgoing.get(id) ?? []).map((f) => f.target);
  for (const b of graph.boundaries.get(id) ?? []) if (!interruptingOnly || b.cancelActivity) next.push(b.id);
  const e = graph.elements.get(id);
  if (e?.type === 'intermediateThrowEvent' && e.event?.kind === 'link')
    next.push(...(graph.linkCatches.get(e.event.name) ?? []));
  return next;
}

/** The graph of the given elements and flows (one scope, or all of them flattened). */
export function buildGraph(definition: Pick<ProcessDefinition, 'elements' | 'flows'>): ProcessGraph {
  const elements = new Map(definition.elements.map((e) => [e.id, e]));
  const flows = new Map(definition.flows.map((f) => [f.id, f]));
  const outgoing = new Map<string, SequenceFlow[]>();
  const incoming = new Map<string, SequenceFlow[]>();
  for (const e of definition.elements) {
    outgoing.set(e.id, []);
    incoming.set(e.id, []);
  }
  for (const f of definition.flows) {
    outgoing.get(f.source)?.push(f);
    incoming.get(f.target)?.push(f);
  }
  const boundaries = new Map<string, BoundaryEvent[]>();
  for (const e of definition.elements) {
    if (e.type !== 'boundaryEvent') continue;
    const list = boundaries.get(e.attachedTo) ?? [];
    list.push(e);
    boundaries.set(e.attachedTo, list);
  }
  const linkCatches = new Map<string, string[]>();
  for (const e of definition.elements) {
    if (e.type === 'intermediateCatchEvent' && e.event.kind === 'link')
      linkCatches.set(e.event.name, [...(linkCatches.get(e.event.name) ?? []), e.id]);
  }
  return { elements, flows, outgoing, incoming, boundaries, linkCatches };
}
