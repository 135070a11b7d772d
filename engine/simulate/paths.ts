/**
 * Enumerates the distinct ways through a process, start to end, so a process owner can see which
 * have no scenario yet. Choices branch (exclusive and inclusive gateways, boundary events); the
 * branches of a parallel gateway are all part of one path. Each flow is taken at most twice on a
 * path (a loop is shown once around), and at most `limit` paths are listed.
 */
import type { CompiledProcess } from '../compile/compile';
import { buildGraph } from '../model/graph';

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
      return (e?.type === 'parallelGateway' || e?.type === 'inclusiveGateway') && (graph.incoming.get(id)?.length ?? 0) > 1;
    };
    const index = tokens.findIndex((t) => !isJoin(t));
    const current = index === -1 ? tokens[0]! : tokens[index]!;
    const rest = index === -1 ? tokens.filter((t) => t !== current) : tokens.filter((_, i) => i !== index);
    const element = graph.elements.get(current)!;
    const nextPath = [...path, current];
    const outgoing = (graph.outgoing.get(current) ?? []).filter((f) => (used.get(f.id) ?? 0) < 2);
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
        walk([alt[0].slice('boundary:'.length), ...rest], nextPath, used);
        continue;
      }
      walk([...targets(alt), ...rest], nextPath, take(alt));
    }
  };
  if (start) walk([start.id], [], new Map());
  const unique = [...new Map(paths.map((p) => [p.join('>'), p])).values()];
  return { paths: unique, truncated };
}
