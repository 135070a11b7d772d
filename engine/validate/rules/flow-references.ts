import type { Diagnostic, Rule } from '../diagnostic';

export const flowReferences: Rule = {
  id: 'flow-references',
  check(definition, graph) {
    const out: Diagnostic[] = [];
    for (const flow of definition.flows) {
      for (const end of ['source', 'target'] as const) {
        if (!graph.elements.has(flow[end])) {
          out.push({
            ruleId: this.id,
            elementId: flow.id,
            severity: 'error',
            message: `Sequence flow "${flow.id}" has ${end} "${flow[end]}", which is not an element of the same process or subprocess (flows cannot cross a subprocess border).`,
          });
        }
      }
      if (flow.source === flow.target) {
        out.push({
          ruleId: this.id,
          elementId: flow.id,
          severity: 'error',
          message: `Sequence flow "${flow.id}" connects "${flow.source}" to itself.`,
        });
      }
    }
    return out;
  },
};
