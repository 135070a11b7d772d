import type { Diagnostic, Rule } from '../diagnostic';

/** A gateway must always be able to choose a flow: conditions on all but the default. */
export const exclusiveGateway: Rule = {
  id: 'exclusive-gateway',
  check(definition, graph) {
    const out: Diagnostic[] = [];
    for (const g of definition.elements) {
      if (g.type !== 'exclusiveGateway') continue;
      const flows = graph.outgoing.get(g.id) ?? [];
      if (g.default !== undefined) {
        const def = flows.find((f) => f.id === g.default);
        if (!def) {
          out.push({ ruleId: this.id, elementId: g.id, severity: 'error', message: `Exclusive gateway "${g.id}" names default flow "${g.default}", which is not one of its outgoing flows.` });
        } else if (def.condition !== undefined) {
          out.push({ ruleId: this.id, elementId: def.id, severity: 'error', message: `Sequence flow "${def.id}" is the default of gateway "${g.id}" and must not have a condition.` });
        }
      }
      for (const f of flows) {
        if (f.id !== g.default && f.condition === undefined) {
          out.push({ ruleId: this.id, elementId: f.id, severity: 'error', message: `Sequence flow "${f.id}" leaves exclusive gateway "${g.id}" without a condition; add a condition or make it the gateway's default flow.` });
        }
      }
      const alwaysTrue = flows.some((f) => f.condition?.trim() === 'true');
      if (g.default === undefined && !alwaysTrue && flows.length > 0) {
        out.push({ ruleId: this.id, elementId: g.id, severity: 'error', message: `Exclusive gateway "${g.id}" has no default flow and its conditions can all be false; add a default flow.` });
      }
    }
    return out;
  },
};
