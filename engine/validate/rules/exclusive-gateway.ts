import type { Diagnostic, Rule } from '../diagnostic';

/**
 * Exclusive and inclusive gateways: a condition on every outgoing flow but the default (a flow with
 * neither is never taken: an error). A gateway without a default whose conditions can all be false
 * is legal BPMN, common in Camunda and Flowable models, and runs: when no condition holds the
 * instance stops with a NO_FLOW_TAKEN incident naming the gateway, as those engines raise one. So
 * it is a warning, which the designer shows, not an error.
 */
export const exclusiveGateway: Rule = {
  id: 'exclusive-gateway',
  check(definition, graph) {
    const out: Diagnostic[] = [];
    for (const g of definition.elements) {
      if (g.type !== 'exclusiveGateway' && g.type !== 'inclusiveGateway') continue;
      const flows = graph.outgoing.get(g.id) ?? [];
      const kind = g.type === 'exclusiveGateway' ? 'Exclusive' : 'Inclusive';
      if (g.default !== undefined) {
        const def = flows.find((f) => f.id === g.default);
        if (!def) {
          out.push({
            ruleId: this.id,
            elementId: g.id,
            severity: 'error',
            message: `${kind} gateway "${g.id}" names default flow "${g.default}", which is not one of its outgoing flows.`,
          });
        } else if (def.condition !== undefined) {
          out.push({
            ruleId: this.id,
            elementId: def.id,
            severity: 'error',
            message: `Sequence flow "${def.id}" is the default of gateway "${g.id}" and must not have a condition.`,
          });
        }
      }
      // A merging gateway (one unconditional outgoing flow) has nothing to choose.
      if (flows.length === 1 && flows[0]!.condition === undefined && g.default === undefined) continue;
      for (const f of flows) {
        if (f.id !== g.default && f.condition === undefined) {
          out.push({
            ruleId: this.id,
            elementId: f.id,
            severity: 'error',
            message: `Sequence flow "${f.id}" leaves ${kind.toLowerCase()} gateway "${g.id}" without a condition; add a condition or make it the gateway's default flow.`,
          });
        }
      }
      const alwaysTrue = flows.some((f) => f.condition?.trim() === 'true');
      if (g.type === 'exclusiveGateway') {
        // Conditions are tried in order and the first true one wins: flows after a literal `true` never run.
        const first = flows.findIndex((f) => f.id !== g.default && f.condition?.trim() === 'true');
        for (const f of first < 0 ? [] : flows.slice(first + 1)) {
          if (f.id === g.default) continue;
          out.push({
            ruleId: this.id,
            elementId: f.id,
            severity: 'warning',
            message: `Sequence flow "${f.id}" is never taken: gateway "${g.id}" tries its conditions in order and "${flows[first]!.id}" before it is always true.`,
          });
        }
      }
      const negated = complementaryPair(flows.map((f) => f.condition));
      if (g.default === undefined && !alwaysTrue && negated) {
        // "approved" and "not(approved)" cover every boolean: only a missing value takes neither, and that is an incident.
        out.push({
          ruleId: this.id,
          elementId: g.id,
          severity: 'warning',
          message: `${kind} gateway "${g.id}" chooses between "${negated}" and its negation: if "${negated}" is null, neither flow is taken and the instance stops with an incident; a default flow avoids that.`,
        });
      } else if (g.default === undefined && !alwaysTrue && flows.length > 0) {
        out.push({
          ruleId: this.id,
          elementId: g.id,
          severity: 'warning',
          message: `${kind} gateway "${g.id}" has no default flow: when none of its conditions is true, the instance stops there with an incident. Add a default flow if another path should be taken then.`,
        });
      }
    }
    return out;
  },
};

/** A condition whose negation `not(…)` is also among the conditions, if any. */
function complementaryPair(conditions: (string | undefined)[]): string | null {
  const texts = new Set(
    conditions.filter((c): c is string => c !== undefined).map((c) => c.replace(/\s+/g, ' ').trim()),
  );
  for (const c of texts) {
    const inner = /^not ?\((.*)\)$/.exec(c)?.[1]?.trim();
    if (inner && texts.has(inner)) return inner;
  }
  return null;
}
