/** Which flows a gateway takes, shared by its guards and by the runtime's incident report. */
import { evaluateExpression } from '../expressions/feel';
import type { ExclusiveGateway, InclusiveGateway, SequenceFlow } from '../model/definition';
import type { Incident, Variables } from '../runtime/types';

export type Decision = { kind: 'flow'; flowIds: string[] } | { kind: 'incident'; incident: Incident };

// Every guard of a gateway asks for the same decision within one microstep: decide once per
// variables object (assign always makes a new one, so the cache cannot go stale).
const cache = new WeakMap<Variables, Map<string, Decision>>();

/**
 * Exclusive: the first flow (in definition order) whose condition is true, else the default.
 * Inclusive: every flow whose condition is true, else the default. A condition that gives
 * anything but true or false is an incident, never a silent false.
 */
export function decide(
  gateway: ExclusiveGateway | InclusiveGateway,
  flows: SequenceFlow[],
  variables: Variables,
): Decision {
  let perGateway = cache.get(variables);
  const hit = perGateway?.get(gateway.id);
  if (hit) return hit;
  const decision = decideUncached(gateway, flows, variables);
  if (!perGateway) cache.set(variables, (perGateway = new Map()));
  perGateway.set(gateway.id, decision);
  return decision;
}

function decideUncached(
  gateway: ExclusiveGateway | InclusiveGateway,
  flows: SequenceFlow[],
  variables: Variables,
): Decision {
  const taken: string[] = [];
  for (const flow of flows) {
    if (flow.id === gateway.default || flow.condition === undefined) continue;
    const { value, warnings } = evaluateExpression(flow.condition, variables);
    if (value === true) {
      taken.push(flow.id);
      if (gateway.type === 'exclusiveGateway') break;
    } else if (value !== false) {
      const why = warnings.length > 0 ? ` (${warnings.join('; ')})` : '';
      return {
        kind: 'incident',
        incident: {
          elementId: gateway.id,
          code: 'CONDITION_NOT_BOOLEAN',
          message: `Condition "${flow.condition}" of flow "${flow.id}" at gateway "${gateway.id}" gave ${JSON.stringify(value)}, not true or false${why}.`,
        },
      };
    }
  }
  if (taken.length > 0) return { kind: 'flow', flowIds: taken };
  if (gateway.default !== undefined) return { kind: 'flow', flowIds: [gateway.default] };
  return {
    kind: 'incident',
    incident: {
      elementId: gateway.id,
      code: 'NO_FLOW_TAKEN',
      message: `No condition of gateway "${gateway.id}" is true and it has no default flow.`,
    },
  };
}
