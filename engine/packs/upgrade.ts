/**
 * Upgrading a company's copy of a template to the template's new version without losing local
 * changes: a three-way comparison of the template as it was imported (`base`), the template's new
 * version (`theirs`) and the company's copy (`ours`), item by item — each element and flow (a
 * subprocess with what it holds), and each process setting. A change the template made is offered:
 * taken by default when the company left that item alone (or made the same change), kept back when
 * the company changed it too (a conflict: the designer takes it or keeps their own). What the
 * company changed and the template did not is always kept. Pure.
 */
import { canonicalDefinition } from '../model/canonical';
import type { ProcessDefinition } from '../model/definition';

type Json = Record<string, unknown>;

export interface UpgradeChange {
  /** An element's or flow's id, or `process.<setting>` for a process setting. */
  id: string;
  kind: 'added' | 'removed' | 'changed';
  /** What the item is (an element type, "sequenceFlow", or "setting"). */
  type: string;
  /** Whether the company changed the same item differently: taking the template's change overwrites theirs. */
  conflict: boolean;
  /** What the company did to the item since the import. */
  local: 'untouched' | 'same' | 'changed' | 'removed' | 'added';
  /** The item's name in the template's new version (or the old, for a removal), when it has one. */
  name?: unknown;
}

interface Items {
  elements: Map<string, Json>;
  flows: Map<string, Json>;
  settings: Map<string, unknown>;
}

const SKIPPED_SETTINGS = new Set(['elements', 'flows', 'diagrams', 'version', 'key']);
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

function itemsOf(definition: ProcessDefinition): Items {
  const d = canonicalDefinition(definition) as Json;
  return {
    elements: new Map(((d.elements ?? []) as Json[]).map((e) => [e.id as string, e])),
    flows: new Map(((d.flows ?? []) as Json[]).map((f) => [f.id as string, f])),
    settings: new Map(Object.entries(d).filter(([k]) => !SKIPPED_SETTINGS.has(k))),
  };
}

type Slot = 'elements' | 'flows' | 'settings';
const slots: Slot[] = ['settings', 'elements', 'flows'];
const idOf = (slot: Slot, key: string) => (slot === 'settings' ? `process.${key}` : key);

/** What the template changed between `base` and `theirs`, and how each meets what the company did in `ours`. */
export function planUpgrade(
  base: ProcessDefinition,
  theirs: ProcessDefinition,
  ours: ProcessDefinition,
): UpgradeChange[] {
  const [b, t, o] = [itemsOf(base), itemsOf(theirs), itemsOf(ours)];
  const changes: UpgradeChange[] = [];
  for (const slot of slots) {
    const keys = new Set([...b[slot].keys(), ...t[slot].keys()]);
    for (const key of keys) {
      const was = b[slot].get(key);
      const now = t[slot].get(key);
      if (same(was, now)) continue;
      const mine = o[slot].get(key);
      const kind: UpgradeChange['kind'] = was === undefined ? 'added' : now === undefined ? 'removed' : 'changed';
      const local: UpgradeChange['local'] = same(mine, now)
        ? 'same'
        : same(mine, was)
          ? 'untouched'
          : was === undefined
            ? 'added'
            : mine === undefined
              ? 'removed'
              : 'changed';
      const conflict = local === 'changed' || local === 'added' || (local === 'removed' && kind === 'changed');
      const item = (now ?? was) as Json | undefined;
      const type =
        slot === 'settings' ? 'setting' : slot === 'flows' ? 'sequenceFlow' : String(item?.type ?? 'element');
      changes.push({
        id: idOf(slot, key),
        kind,
        type,
        conflict,
        local,
        ...(slot !== 'settings' && item?.name !== undefined ? { name: item.name } : {}),
      });
    }
  }
  return changes;
}

/**
 * The company's copy with the template's changes applied where `take` says so (by change id;
 * absent: taken unless a conflict). Everything else stays as the company has it, their layout
 * included (a new element is drawn where the template draws it, when it does).
 */
export function applyUpgrade(
  base: ProcessDefinition,
  theirs: ProcessDefinition,
  ours: ProcessDefinition,
  take: Readonly<Record<string, boolean>> = {},
): ProcessDefinition {
  const changes = planUpgrade(base, theirs, ours);
  const t = itemsOf(theirs);
  const result = canonicalDefinition(ours) as Json;
  const elements = new Map(((result.elements ?? []) as Json[]).map((e) => [e.id as string, e]));
  const flows = new Map(((result.flows ?? []) as Json[]).map((f) => [f.id as string, f]));
  const taken: string[] = [];
  for (const change of changes) {
    if (!(take[change.id] ?? !change.conflict)) continue;
    taken.push(change.id);
    if (change.id.startsWith('process.')) {
      const key = change.id.slice('process.'.length);
      if (t.settings.has(key)) result[key] = t.settings.get(key);
      else delete result[key];
      continue;
    }
    const into = t.elements.has(change.id) || elements.has(change.id) ? elements : flows;
    const from = into === elements ? t.elements : t.flows;
    if (from.has(change.id)) into.set(change.id, from.get(change.id)!);
    else into.delete(change.id);
  }
  result.elements = [...elements.values()];
  result.flows = [...flows.values()];
  // The picture: the company's, with the template's shapes for what was taken and is new to it.
  const theirDiagrams = ((canonicalDefinition(theirs) as Json).diagrams ?? []) as { shapes?: Json; edges?: Json }[];
  const ourDiagrams = (result.diagrams ?? []) as { shapes?: Json; edges?: Json }[];
  if (ourDiagrams.length > 0 && theirDiagrams.length > 0) {
    const [mine, theirsPicture] = [ourDiagrams[0]!, theirDiagrams[0]!];
    for (const id of taken) {
      if (theirsPicture.shapes?.[id] && !mine.shapes?.[id])
        mine.shapes = { ...(mine.shapes ?? {}), [id]: theirsPicture.shapes[id] };
      if (theirsPicture.edges?.[id] && !mine.edges?.[id])
        mine.edges = { ...(mine.edges ?? {}), [id]: theirsPicture.edges[id] };
    }
  }
  return result as unknown as ProcessDefinition;
}
