/**
 * Reads BPMN 2.0 XML with bpmn-moddle, after the safety checks, and takes the inventory of its
 * semantic elements by type (the import report's `elements`). Pure: XML text in, data out.
 * The translation into the canonical JSON definition builds on this (issue: BPMN interchange).
 */
import { BpmnModdle } from 'bpmn-moddle';
import { assertSafeXml, type XmlLimits } from './safe-xml';
import { trellisModdle } from './trellis-moddle';

export interface ModdleElement {
  $type: string;
  id?: string;
  [key: string]: unknown;
}

export interface BpmnDocument {
  definitions: ModdleElement;
  warnings: string[];
}

export async function readBpmn(xml: string, limits?: XmlLimits): Promise<BpmnDocument> {
  assertSafeXml(xml, limits);
  const moddle = BpmnModdle({ trellis: trellisModdle });
  const { rootElement, warnings } = await moddle.fromXML(xml, 'bpmn:Definitions');
  return { definitions: rootElement as ModdleElement, warnings: warnings.map((w) => w.message) };
}

/** Properties that hold references or DI, not contained semantic elements. */
const NOT_CONTAINED = new Set([
  '$parent',
  '$attrs',
  '$descriptor',
  '$type',
  'incoming',
  'outgoing',
  'sourceRef',
  'targetRef',
  'attachedToRef',
  'default',
  'processRef',
  'flowNodeRef',
  'diagrams',
  'extensionElements',
  'di',
]);
/** BPMN types the inventory leaves out (supporting parts of elements, as the corpus inventory does). */
const NOT_COUNTED = new Set([
  'definitions',
  'documentation',
  'formalExpression',
  'expression',
  'laneSet',
  'inputOutputSpecification',
  'dataInput',
  'dataOutput',
  'inputSet',
  'outputSet',
  'dataInputAssociation',
  'dataOutputAssociation',
  'assignment',
  'itemDefinition',
  'import',
  'property',
  'extension',
  'rendering',
  'escalation',
  'error',
  'signal',
  'message',
  'interface',
  'operation',
  'resource',
  'category',
  'dataStore',
  'relationship',
  'endPoint',
  'categoryValue',
  'dataState',
  'resourceAssignmentExpression',
  'potentialOwner',
  'humanPerformer',
  'performer',
  'correlationKey',
  'correlationProperty',
  'correlationPropertyBinding',
  'correlationSubscription',
  'correlationPropertyRetrievalExpression',
  'complexBehaviorDefinition',
  'inputOutputBinding',
  'partnerEntity',
  'partnerRole',
  'conversationLink',
  'text',
  'script',
]);

/** Counts by BPMN type, as the corpus tool `test/fixtures/corpus/tools/count_elements.py` reports them. */
export function inventory(definitions: ModdleElement): Record<string, number> {
  const counts: Record<string, number> = {};
  const add = (name: string) => (counts[name] = (counts[name] ?? 0) + 1);
  const visit = (element: ModdleElement) => {
    for (const [key, value] of Object.entries(element)) {
      if (NOT_CONTAINED.has(key) || key.startsWith('$')) continue;
      for (const child of Array.isArray(value) ? value : [value]) {
        if (!child || typeof child !== 'object' || typeof (child as ModdleElement).$type !== 'string') continue;
        const c = child as ModdleElement;
        if (!c.$type.startsWith('bpmn:')) continue;
        const name = label(c);
        if (name !== null) add(name);
        visit(c);
      }
    }
  };
  visit(definitions);
  return counts;
}

function label(e: ModdleElement): string | null {
  const type = e.$type.slice('bpmn:'.length);
  const name = type.charAt(0).toLowerCase() + type.slice(1);
  if (NOT_COUNTED.has(name)) return null;
  if (name === 'multiInstanceLoopCharacteristics') return `multiInstance(${e.isSequential ? 'seq' : 'par'})`;
  if (name === 'standardLoopCharacteristics') return 'standardLoop';
  if (name === 'boundaryEvent') return e.cancelActivity === false ? 'boundaryEvent(non-interrupting)' : 'boundaryEvent';
  if (name === 'startEvent' && e.isInterrupting === false) return 'startEvent(non-interrupting)';
  if (name === 'subProcess' && e.triggeredByEvent) return 'eventSubProcess';
  return name;
}
