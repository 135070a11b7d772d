import type { ElementType } from '../../model/definition';
import type { Diagnostic, Rule } from '../diagnostic';

const GATEWAYS: ReadonlySet<ElementType> = new Set([
  'exclusiveGateway',
  'parallelGateway',
  'inclusiveGateway',
  'eventBasedGateway',
]);
const CONDITIONAL_SOURCES: ReadonlySet<ElementType> = new Set(['exclusiveGateway', 'inclusiveGateway']);

/** Every activity and event leads somewhere, along exactly one path unless a gateway decides. */
export const outgoingFlows: Rule = {
  id: 'outgoing-flows',
  check(definition, graph) {
    const out: Diagnostic[] = [];
    for (const e of definition.elements) {
      // End events and link throw events have no outgoing flow: one ends, the other jumps.
      if (
        e.type === 'endEvent' ||
        (e.type === 'intermediateThrowEvent' && e.event?.kind === 'link') ||
        (e.type === 'subProcess' && e.triggeredByEvent)
      )
        continue;
      const count = graph.outgoing.get(e.id)?.length ?? 0;
      if (count === 0) {
        out.push({
          ruleId: this.id,
          elementId: e.id,
          severity: 'error',
          message: `${e.type} "${e.id}" has no outgoing sequence flow; connect it to the next step or an end event.`,
        });
      } else if (count > 1 && !GATEWAYS.has(e.type)) {
        out.push({
          ruleId: this.id,
          elementId: e.id,
          severity: 'error',
          message: `${e.type} "${e.id}" has ${count} outgoing sequence flows; put a gateway after it: exclusive to choose one path, parallel to take all.`,
        });
      }
    }
    for (const f of definition.flows) {
      const source = graph.elements.get(f.source);
      if (f.condition !== undefined && source && !CONDITIONAL_SOURCES.has(source.type)) {
        out.push({
          ruleId: this.id,
          elementId: f.id,
          severity: 'error',
          message: `Sequence flow "${f.id}" has a condition but leaves ${source.type} "${source.id}"; conditions belong on flows leaving an exclusive or inclusive gateway.`,
        });
      }
    }
    return out;
  },
};
