/**
 * Enumerates the distinct ways through a process, start to end, so a process owner can see which
 * have no scenario yet. Choices branch (exclusive and inclusive gateways, interrupting boundary
 * events); the branches of a parallel gateway are all part of one path. A path lists the elements
 * completed along it, as an instance's history does: an activity an interrupting boundary event
 * cut short is not on it, its boundary event is. Each flow is taken at most twice on a path, so a
 * loop is shown going round once; a walk the bound stops before an end is no path and is dropped.
 * At most `limit` paths are listed. The path after a non-interrupting event (a reminder) ends on
 * its own beside the main one: it is no path of its own, and `coverage` leaves it out of runs.
 */
import type { CompiledProcess } from '../compile/compile';
import { buildGraph, type ProcessGraph } from '../model/graph';
import { inlineElements } from '../model/structure';

export interface PathsResult {
  paths: string[][];
  truncated: boolean;
}

export function enumeratePaths(process: CompiledProcess, limit = 200): PathsResult {
  const { definition } = process;
  const graph = buildGraph(definition);
  const start = definition.elements.find((e) => e.type === 'startEvent');
  const paths: string[][] = [];
  let truncated = false;

  // A walk holds the tokens still to move; a parallel split adds one token per branch.
  const walk = (tokens: string[], path: string[], used: Map<string, number>) => {
    if (paths.length >= limit) {
      truncated = true;
      return;
    }
    if (tokens.length === 0) {
      paths.push(path);
      return;
    }
    // Move a token that is not waiting at a join; when all wait at joins, merge those at the same one.
    const isJoin = (id: string) => {
      const e = graph.elements.get(id);
      return (
        (e?.type === 'parallelGateway' || e?.type === 'inclusiveGateway') && (graph.incoming.get(id)?.length ?? 0) > 1
      );
    };
    const index = tokens.findIndex((t) => !isJoin(t));
    const current = index === -1 ? tokens[0]! : tokens[index]!;
    const rest = index === -1 ? tokens.filter((t) => t !== current) : tokens.filter((_, i) => i !== index);
    const element = graph.elements.get(current)!;
    const nextPath = [...path, current];
    const all = graph.outgoing.get(current) ?? [];
    const outgoing = all.filter((f) => (used.get(f.id) ?? 0) < 2);
    // Round a loop once more than the bound allows: not a way through, dropped.
    if (all.length > 0 && outgoing.length === 0) return;
    const take = (flowIds: string[]) => {
      const u = new Map(used);
      for (const id of flowIds) u.set(id, (u.get(id) ?? 0) + 1);
      return u;
    };
    const targets = (flowIds: string[]) => flowIds.map((id) => graph.flows.get(id)!.target);
    const alternatives: string[][] = [];
    if (element.type === 'parallelGateway' && outgoing.length > 1) alternatives.push(outgoing.map((f) => f.id));
    else if (element.type === 'inclusiveGateway' && outgoing.length > 1) {
      for (const f of outgoing) alternatives.push([f.id]);
      alternatives.push(outgoing.filter((f) => f.id !== element.default).map((f) => f.id));
    } else for (const f of outgoing) alternatives.push([f.id]);
    // Interrupting boundary events are alternatives to completing the activity.
    for (const b of graph.boundaries.get(current) ?? []) if (b.cancelActivity) alternatives.push([`boundary:${b.id}`]);

    if (alternatives.length === 0) {
      walk(rest, nextPath, used);
      return;
    }
    for (const alt of alternatives) {
      if (alt[0]?.startsWith('boundary:')) {
        // The activity was cut short: its boundary event, not the activity, is on the path.
        walk([alt[0].slice('boundary:'.length), ...rest], path, used);
        continue;
      }
      walk([...targets(alt), ...rest], nextPath, take(alt));
    }
  };
  if (start) walk([start.id], [], new Map());
  const unique = [...new Map(paths.map((p) => [p.join('>'), p])).values()];
  return { paths: unique, truncated };
}

/**
 * What a run's history holds beside its path: the side paths of non-interrupting boundary events
 * (as the engine finds them, stopping where the main flow is) and the event subprocesses, which
 * are no path's elements (their firing is recorded under the subprocess's id).
 */
function besidePaths(process: CompiledProcess, graph: ProcessGraph): Set<string> {
  const beside = inlineElements(process.definition, graph);
  for (const e of process.definition.elements) if (e.type === 'subProcess' && e.triggeredByEvent) beside.add(e.id);
  return beside;
}

export interface Coverage extends PathsResult {
  /** For each path, whether a run went along it. */
  covered: boolean[];
}

/**
 * Which of the process's paths the given runs went along. A run is the history of one completed
 * instance (the elements completed, in order, as a scenario's `path`). It covers a path when it
 * completed the same elements of the process's own level, as many times each, whatever the order
 * parallel branches ran in; what ran on side paths (reminders, non-interrupting escalations), in
 * event subprocesses and inside subprocesses is not compared.
 */
export function coverage(process: CompiledProcess, runs: readonly (readonly string[])[], limit = 200): Coverage {
  const graph = buildGraph(process.definition);
  const side = besidePaths(process, graph);
  const key = (p: readonly string[]) =>
    p
      .filter((id) => graph.elements.has(id) && !side.has(id))
      .sort()
      .join('\u0000');
  const done = new Set(runs.map(key));
  const { paths, truncated } = enumeratePaths(process, limit);
  return { paths, truncated, covered: paths.map((p) => done.has(key(p))) };
}
