/**
 * The element inventory of a definition, in the names `read.ts`'s `inventory` (and the corpus
 * tool) use for BPMN files: an import is faithful when, type by type, the two agree.
 */
import type {
  Artifact,
  Element,
  Lane,
  ProcessDefinition,
  ProcessDefinitionInput,
  SequenceFlow,
} from '../model/definition';

type Scope = { elements: Element[]; flows: SequenceFlow[]; artifacts?: Artifact[] };

export function definitionInventory(definition: ProcessDefinition | ProcessDefinitionInput): Record<string, number> {
  const counts: Record<string, number> = {};
  const add = (name: string, n = 1) => {
    if (n > 0) counts[name] = (counts[name] ?? 0) + n;
  };
  const lanes = (list: Lane[] | undefined) => {
    for (const l of list ?? []) {
      add('lane');
      lanes(l.lanes);
    }
  };
  const scope = (s: Scope) => {
    add('sequenceFlow', s.flows.length);
    // Associations, and a process's inputs and outputs, are not counted by the corpus tool either.
    for (const a of s.artifacts ?? [])
      if (a.type !== 'dataAssociation' && a.type !== 'dataInput' && a.type !== 'dataOutput') add(a.type);
    for (const e of s.elements) {
      add(label(e));
      const event = 'event' in e ? e.event : undefined;
      if (event) add(`${event.kind}EventDefinition`);
      if (e.type === 'endEvent' && e.terminate) add('terminateEventDefinition');
      if ('multiInstance' in e && e.multiInstance) add(`multiInstance(${e.multiInstance.sequential ? 'seq' : 'par'})`);
      if (e.type === 'subProcess') scope(e);
    }
  };
  const d = definition as ProcessDefinition;
  add('process');
  scope(d);
  lanes(d.lanes);
  for (const p of d.pools ?? []) {
    add('process');
    scope(p);
    lanes(p.lanes);
  }
  if (d.collaboration) {
    add('collaboration');
    add('participant', d.collaboration.participants.length);
    add('messageFlow', d.collaboration.messageFlows.length);
    for (const a of d.collaboration.artifacts ?? []) if (a.type !== 'dataAssociation') add(a.type);
  }
  return counts;
}

function label(e: Element): string {
  if (e.type === 'boundaryEvent' && e.cancelActivity === false) return 'boundaryEvent(non-interrupting)';
  if (e.type === 'startEvent' && e.interrupting === false) return 'startEvent(non-interrupting)';
  if (e.type === 'subProcess' && e.triggeredByEvent) return 'eventSubProcess';
  return e.type;
}
