import type { Diagnostic, Rule } from '../diagnostic';
import { successors, type ProcessGraph } from '../../model/graph';

/**
 * Every element can be reached from the start and can lead to an end. Both are warnings: a step
 * nothing leads to is never entered, and a path that never ends (a loop with no way out) leaves the
 * instance waiting; the engine runs both as drawn, but the designer should know.
 */
export const reachability: Rule = {
  id: 'reachability',
  check(definition, graph) {
    const out: Diagnostic[] = [];
    const startIds = definition.elements.filter((e) => e.type === 'startEvent').map((e) => e.id);
    if (startIds.length === 0) return out;
    const forward = walk(startIds, (id) => successors(graph, id), graph);
    const ends = definition.elements.filter((e) => e.type === 'endEvent').map((e) => e.id);
    // Backwards, a boundary event comes from its activity and a link catch from its throws.
    const attachedTo = (id: string) => {
      const e = graph.elements.get(id);
      if (e?.type === 'boundaryEvent') return [e.attachedTo];
      if (e?.type === 'intermediateCatchEvent' && e.event.kind === 'link') {
        const name = e.event.name;
        return definition.elements
          .filter((t) => t.type === 'intermediateThrowEvent' && t.event?.kind === 'link' && t.event.name === name)
          .map((t) => t.id);
      }
      return [];
    };
    const backward = walk(
      ends,
      (id) => [...(graph.incoming.get(id) ?? []).map((f) => f.source), ...attachedTo(id)],
      graph,
    );
    for (const e of definition.elements) {
      // Event subprocesses are started by their trigger, not by a flow.
      if (e.type === 'subProcess' && e.triggeredByEvent) continue;
      if (!forward.has(e.id)) {
        out.push({
          ruleId: this.id,
          elementId: e.id,
          severity: 'warning',
          message: `${e.type} "${e.id}" cannot be reached from a start event (${startIds.join(', ')}), so it never runs.`,
        });
      } else if (!backward.has(e.id)) {
        out.push({
          ruleId: this.id,
          elementId: e.id,
          severity: 'warning',
          message: `${e.type} "${e.id}" has no path to an end event: an instance that gets there never completes.`,
        });
      }
    }
    return out;
  },
};

function walk(from: string[], next: (id: string) => string[], graph: ProcessGraph): Set<string> {
  const seen = new Set<string>();
  const stack = from.filter((id) => graph.elements.has(id));
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const n of next(id)) if (graph.elements.has(n) && !seen.has(n)) stack.push(n);
  }
  return seen;
}
