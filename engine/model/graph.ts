/** Indexes over a definition's elements and flows, built once and shared by validation and compilation. */
import type { Element, ProcessDefinition, SequenceFlow } from './definition';

export interface ProcessGraph {
  elements: Map<string, Element>;
  flows: Map<string, SequenceFlow>;
  outgoing: Map<string, SequenceFlow[]>;
  incoming: Map<string, SequenceFlow[]>;
}

export function buildGraph(definition: ProcessDefinition): ProcessGraph {
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
  return { elements, flows, outgoing, incoming };
}
