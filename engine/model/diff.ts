/**
 * The semantic difference between two versions of a definition: elements and flows added,
 * removed or changed (with each changed property, before and after), process settings changed,
 * and what only moved in the picture. Order and layout-only edits are not changes of meaning.
 * The designer's version view shows this; `trellis diff` prints it.
 */
import { canonicalDefinition } from './canonical';
import type { ProcessDefinition, ProcessDefinitionInput } from './definition';

export interface PropertyChange {
  /** Dotted path inside the element, e.g. "multiInstance.collection". */
  path: string;
  before: unknown;
  after: unknown;
}

export interface DefinitionDiff {
  added: { id: string; type: string; scope: string }[];
  removed: { id: string; type: string; scope: string }[];
  changed: { id: string; type: string; changes: PropertyChange[] }[];
  /** Process-level settings (name, start form, who may start, lanes, ...). */
  process: PropertyChange[];
  /** Elements drawn elsewhere (diagram only). */
  moved: string[];
}

type Definition = ProcessDefinition | ProcessDefinitionInput;
type Item = { id: string; type: string; scope: string; body: Record<string, unknown> };

export function diffDefinitions(before: Definition, after: Definition): DefinitionDiff {
  const a = canonicalDefinition(before) as Record<string, unknown>;
  const b = canonicalDefinition(after) as Record<string, unknown>;
  const itemsA = items(a);
  const itemsB = items(b);
  const diff: DefinitionDiff = { added: [], removed: [], changed: [], process: [], moved: [] };
  for (const [id, item] of itemsB) if (!itemsA.has(id)) diff.added.push({ id, type: item.type, scope: item.scope });
  for (const [id, item] of itemsA) if (!itemsB.has(id)) diff.removed.push({ id, type: item.type, scope: item.scope });
  for (const [id, x] of itemsA) {
    const y = itemsB.get(id);
    if (!y) continue;
    const changes = compare(x.body, y.body, '');
    if (x.scope !== y.scope) changes.unshift({ path: 'scope', before: x.scope, after: y.scope });
    if (changes.length > 0) diff.changed.push({ id, type: y.type, changes });
  }
  const settings = (d: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(d).filter(([k]) => !['elements', 'flows', 'diagrams', 'version'].includes(k)));
  diff.process = compare(settings(a), settings(b), '');
  diff.moved = moved(a, b);
  return diff;
}

/** Every element and flow, at any depth, keyed by id (a subprocess's body without its children). */
function items(d: Record<string, unknown>): Map<string, Item> {
  const out = new Map<string, Item>();
  const walk = (scope: string, elements: unknown, flows: unknown) => {
    for (const e of (elements ?? []) as Record<string, unknown>[]) {
      const { elements: inner, flows: innerFlows, ...body } = e;
      out.set(e.id as string, { id: e.id as string, type: e.type as string, scope, body });
      if (e.type === 'subProcess') walk(e.id as string, inner, innerFlows);
    }
    for (const f of (flows ?? []) as Record<string, unknown>[])
      out.set(f.id as string, { id: f.id as string, type: 'sequenceFlow', scope, body: f });
  };
  walk('process', d.elements, d.flows);
  return out;
}

function compare(x: unknown, y: unknown, path: string): PropertyChange[] {
  if (JSON.stringify(x) === JSON.stringify(y)) return [];
  const isObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject(x) && isObject(y)) {
    return [...new Set([...Object.keys(x), ...Object.keys(y)])].flatMap((k) =>
      compare(x[k], y[k], path ? `${path}.${k}` : k),
    );
  }
  return [{ path, before: x, after: y }];
}

function moved(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  type Diagram = { shapes: Record<string, unknown>; edges: Record<string, unknown> };
  const flat = (d: Record<string, unknown>) => {
    const out = new Map<string, string>();
    for (const diagram of (d.diagrams ?? []) as Diagram[]) {
      for (const [id, s] of Object.entries(diagram.shapes)) out.set(id, JSON.stringify(s));
      for (const [id, e] of Object.entries(diagram.edges)) out.set(id, JSON.stringify(e));
    }
    return out;
  };
  const da = flat(a);
  const db = flat(b);
  return [...db.keys()].filter((id) => da.has(id) && da.get(id) !== db.get(id)).sort();
}
