/**
 * Finds the split/join blocks of parallel and inclusive gateways, so the compiler can turn each
 * block into XState parallel regions. A block is a split gateway G whose branches meet again only
 * at its immediate post-dominator J (a join of the same kind), or never meet (every branch ends).
 * Anything else — branches that cross, leave the block, or merge elsewhere, or a join no split
 * feeds — is reported with the element id, never compiled into something that behaves differently.
 */
import type { Element, ProcessDefinition } from './definition';
import { successors, type ProcessGraph } from './graph';

export type BlockKind = 'parallel' | 'inclusive';

export interface Branch {
  /** The split's outgoing flow that starts the branch (also the XState region key). */
  flowId: string;
  /** Elements on the branch (nested blocks included), excluding the split and the join. */
  nodes: Set<string>;
  /** The branch's flow into the join, or null when the block has no join. */
  joinFlowId: string | null;
}

export interface Block {
  kind: BlockKind;
  splitId: string;
  joinId: string | null;
  branches: Branch[];
}

export interface StructureProblem {
  ruleId: 'structure' | 'deadlock';
  elementId: string;
  message: string;
}

export interface Structure {
  blocks: Map<string, Block>;
  /** The innermost branch each element belongs to (absent: the process level). */
  owner: Map<string, Branch>;
  /** Join element id → its block. */
  joins: Map<string, Block>;
  problems: StructureProblem[];
  /** Elements run inline by non-interrupting boundary events (see inlineElements). */
  inline: Set<string>;
}

const EXIT = '\u0000exit';

function kindOf(e: Element | undefined): BlockKind | null {
  if (e?.type === 'parallelGateway') return 'parallel';
  if (e?.type === 'inclusiveGateway') return 'inclusive';
  return null;
}

export function analyzeStructure(definition: ProcessDefinition, graph: ProcessGraph): Structure {
  const problems: StructureProblem[] = [];
  const blocks = new Map<string, Block>();
  const joins = new Map<string, Block>();
  const inline = inlineElements(definition, graph);
  const ipdom = immediatePostDominators(definition, graph);

  for (const g of definition.elements) {
    const kind = kindOf(g);
    if (!kind || inline.has(g.id)) continue;
    const outs = graph.outgoing.get(g.id) ?? [];
    const ins = graph.incoming.get(g.id) ?? [];
    if (outs.length > 1 && ins.length > 1) {
      problems.push({
        ruleId: 'structure',
        elementId: g.id,
        message: `Gateway "${g.id}" both joins ${ins.length} flows and splits into ${outs.length}; use two gateways, one to join and one to split.`,
      });
      continue;
    }
    if (outs.length < 2) continue;

    const j = ipdom.get(g.id);
    const joinId = j === undefined || j === EXIT ? null : j;
    if (joinId !== null && kindOf(graph.elements.get(joinId)) !== kind) {
      problems.push({
        ruleId: 'structure',
        elementId: g.id,
        message: `The branches of ${kind} gateway "${g.id}" first meet at "${joinId}", which is not a ${kind} gateway; join them with a ${kind} gateway so each branch's token is waited for.`,
      });
      continue;
    }
    const branches: Branch[] = outs.map((flow) => {
      const nodes = flow.target === joinId ? new Set<string>() : reachWithout(flow.target, joinId, graph);
      return { flowId: flow.id, nodes, joinFlowId: null };
    });
    const problem = checkBranches(g.id, kind, joinId, branches, graph);
    if (problem) {
      problems.push(problem);
      continue;
    }
    const block: Block = { kind, splitId: g.id, joinId, branches };
    blocks.set(g.id, block);
    if (joinId) joins.set(joinId, block);
  }

  for (const e of definition.elements) {
    const kind = kindOf(e);
    if (!kind || inline.has(e.id) || (graph.incoming.get(e.id)?.length ?? 0) < 2 || joins.has(e.id)) continue;
    if (problems.some((p) => p.elementId === e.id)) continue;
    problems.push(
      kind === 'parallel'
        ? {
            ruleId: 'deadlock',
            elementId: e.id,
            message: `Parallel gateway "${e.id}" waits for a token on each of its ${graph.incoming.get(e.id)?.length} incoming flows, but no parallel split starts them all: an instance would deadlock there. Join the paths with an exclusive gateway instead, or start them with one parallel gateway.`,
          }
        : {
            ruleId: 'structure',
            elementId: e.id,
            message: `Inclusive gateway "${e.id}" joins flows that no single inclusive split starts; this join is not supported yet — use an exclusive gateway to merge alternative paths.`,
          },
    );
  }

  const owner = new Map<string, Branch>();
  // Innermost branch wins: visit larger branches first so smaller ones overwrite.
  const all = [...blocks.values()].flatMap((b) => b.branches).sort((a, b) => b.nodes.size - a.nodes.size);
  for (const branch of all) for (const id of branch.nodes) owner.set(id, branch);
  return { blocks, owner, joins, problems, inline };
}

/**
 * Elements that only non-interrupting boundary events lead to: the engine runs those paths
 * straight through within one step (e.g. a reminder), so they are not states of their own.
 */
export function inlineElements(definition: ProcessDefinition, graph: ProcessGraph): Set<string> {
  const main = new Set<string>();
  const start = definition.elements.filter((e) => e.type === 'startEvent').map((e) => e.id);
  // Link catch events and event subprocesses start tokens of their own.
  const stack = [...start];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (main.has(id) || !graph.elements.has(id)) continue;
    main.add(id);
    stack.push(...successors(graph, id, true));
  }
  const inline = new Set<string>();
  for (const e of definition.elements) {
    if (e.type === 'boundaryEvent' && !e.cancelActivity) {
      inline.add(e.id);
      const walk = (graph.outgoing.get(e.id) ?? []).map((f) => f.target);
      while (walk.length > 0) {
        const id = walk.pop()!;
        if (main.has(id) || inline.has(id) || !graph.elements.has(id)) continue;
        inline.add(id);
        walk.push(...(graph.outgoing.get(id) ?? []).map((f) => f.target));
      }
    }
  }
  return inline;
}

function checkBranches(
  splitId: string,
  kind: BlockKind,
  joinId: string | null,
  branches: Branch[],
  graph: ProcessGraph,
): StructureProblem | null {
  const seen = new Map<string, string>();
  for (const b of branches) {
    for (const id of b.nodes) {
      const other = seen.get(id);
      if (other) {
        return {
          ruleId: 'structure',
          elementId: splitId,
          message: `Branches "${other}" and "${b.flowId}" of ${kind} gateway "${splitId}" both reach "${id}" before joining; each branch must stay separate until the join.`,
        };
      }
      seen.set(id, b.flowId);
    }
  }
  for (const b of branches) {
    for (const id of b.nodes) {
      for (const f of graph.incoming.get(id) ?? []) {
        if (f.source !== splitId && !b.nodes.has(f.source)) {
          return {
            ruleId: 'structure',
            elementId: f.id,
            message: `Sequence flow "${f.id}" enters branch "${b.flowId}" of ${kind} gateway "${splitId}" from outside it; a branch can only be entered from its split.`,
          };
        }
      }
    }
    if (joinId === null) continue;
    const intoJoin = (graph.incoming.get(joinId) ?? []).filter((f) =>
      f.source === splitId ? f.id === b.flowId : b.nodes.has(f.source),
    );
    if (intoJoin.length !== 1) {
      return {
        ruleId: intoJoin.length === 0 ? 'structure' : 'deadlock',
        elementId: joinId,
        message:
          intoJoin.length === 0
            ? `Branch "${b.flowId}" of ${kind} gateway "${splitId}" never reaches join "${joinId}".`
            : `Branch "${b.flowId}" of ${kind} gateway "${splitId}" reaches join "${joinId}" by ${intoJoin.length} flows, but only one token travels each branch: the join would wait forever for the others.`,
      };
    }
    b.joinFlowId = intoJoin[0]!.id;
  }
  if (joinId !== null) {
    const expected = branches.length;
    const actual = graph.incoming.get(joinId)?.length ?? 0;
    if (actual !== expected) {
      return {
        ruleId: 'deadlock',
        elementId: joinId,
        message: `Join "${joinId}" has ${actual} incoming flows but split "${splitId}" starts ${expected} branches; the others can never deliver a token.`,
      };
    }
  }
  return null;
}

function reachWithout(from: string, stop: string | null, graph: ProcessGraph): Set<string> {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === stop || seen.has(id) || !graph.elements.has(id)) continue;
    seen.add(id);
    stack.push(...successors(graph, id, true));
  }
  return seen;
}

/** Immediate post-dominator of every element, with end events flowing into a virtual exit. */
function immediatePostDominators(definition: ProcessDefinition, graph: ProcessGraph): Map<string, string> {
  const ids = definition.elements.map((e) => e.id);
  const succ = new Map<string, string[]>();
  for (const id of ids) {
    const targets = successors(graph, id, true).filter((t) => graph.elements.has(t));
    succ.set(id, targets.length === 0 ? [EXIT] : targets);
  }
  const all = new Set([...ids, EXIT]);
  const pdom = new Map<string, Set<string>>(ids.map((id) => [id, new Set(all)]));
  pdom.set(EXIT, new Set([EXIT]));
  for (let changed = true; changed;) {
    changed = false;
    for (const id of ids) {
      let meet = null as Set<string> | null;
      for (const s of succ.get(id)!) {
        const ps = pdom.get(s)!;
        meet = meet === null ? new Set(ps) : new Set([...meet].filter((x) => ps.has(x)));
      }
      const next = new Set(meet ?? []);
      next.add(id);
      if (next.size !== pdom.get(id)!.size) {
        pdom.set(id, next);
        changed = true;
      }
    }
  }
  const ipdom = new Map<string, string>();
  for (const id of ids) {
    const strict = [...pdom.get(id)!].filter((x) => x !== id);
    // The immediate one is post-dominated by all the others: it has the largest pdom set.
    let best: string | undefined;
    for (const c of strict) if (best === undefined || pdom.get(c)!.size > pdom.get(best)!.size) best = c;
    if (best !== undefined) ipdom.set(id, best);
  }
  return ipdom;
}
