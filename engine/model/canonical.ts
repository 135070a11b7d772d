/**
 * The canonical form of a definition: the same model always gives byte-identical JSON, so
 * definitions diff cleanly in git. Keys come in a fixed, readable order; lists whose order means
 * nothing (elements, flows, lanes, candidate groups, diagram entries) are sorted; what was
 * defaulted is left out. Order that means something is kept: FEEL assignments (`set`) run in
 * order, waypoints draw a line, the first diagram is the main one.
 */
import { processDefinitionSchema, type ProcessDefinition, type ProcessDefinitionInput } from './definition';

/** Keys first, in this order; then any others alphabetically; then the bulky lists last. */
const HEAD = [
  '$schema',
  'formatVersion',
  'key',
  'version',
  'processId',
  'id',
  'type',
  'kind',
  'name',
  'description',
  'documentation',
  'category',
  'startForm',
  'startableBy',
  'businessKey',
  'summary',
  'source',
  'target',
  'attachedTo',
  'cancelActivity',
  'interrupting',
  'triggeredByEvent',
  'condition',
  'default',
];
const TAIL = [
  'multiInstance',
  'elements',
  'flows',
  'artifacts',
  'lanes',
  'collaboration',
  'pools',
  'diagrams',
  'importIssues',
];
/** Maps whose entry order is meaningful (evaluated in order). */
const ORDERED_MAPS = new Set(['set', 'inputs', 'outputs', 'payload']);
/** Arrays that are sets. */
const SORTED_STRINGS = new Set(['candidateGroups', 'candidateUsers', 'groups', 'roles', 'elements']);
const BY_ID = new Set(['elements', 'flows', 'artifacts', 'lanes', 'participants', 'messageFlows', 'pools']);

/** Values the schema fills in when absent: left out of the canonical form. */
const DEFAULTS: Record<string, Record<string, unknown>> = {
  startEvent: { interrupting: true },
  boundaryEvent: { cancelActivity: true },
  userTask: { candidateRole: 'member' },
  serviceTask: { set: {} },
  businessRuleTask: { mapDecisionResult: 'resultList' },
};
const MULTI_INSTANCE_DEFAULTS: Record<string, unknown> = { sequential: false, elementVariable: 'item' };

export function canonicalDefinition(definition: ProcessDefinition | ProcessDefinitionInput): ProcessDefinitionInput {
  const out = canonical(definition, '') as ProcessDefinitionInput;
  if (out.diagrams && out.diagrams.length > 1) {
    // The main picture (the collaboration's, else the process's) first; drill-down planes by id.
    const main = out.collaboration?.id ?? out.processId ?? out.key;
    out.diagrams = [...out.diagrams].sort(
      (a, b) => Number(b.plane === main) - Number(a.plane === main) || compare(a.plane, b.plane),
    );
  }
  return out;
}

/** The canonical JSON text of a definition (validated structurally first; throws on a bad one). */
export function canonicalJson(input: unknown): string {
  return `${JSON.stringify(canonicalDefinition(processDefinitionSchema.parse(input)), null, 2)}\n`;
}

function canonical(value: unknown, key: string): unknown {
  if (Array.isArray(value)) {
    const items = value.map((v) => canonical(v, key));
    if (key === 'importIssues') return items.sort((a, b) => compare(JSON.stringify(a), JSON.stringify(b)));
    if (
      BY_ID.has(key) &&
      items.every((i) => typeof i === 'object' && i !== null && typeof (i as { id?: unknown }).id === 'string')
    ) {
      return items.sort((a, b) => compare((a as { id: string }).id, (b as { id: string }).id));
    }
    if (SORTED_STRINGS.has(key) && items.every((i) => typeof i === 'string'))
      return [...new Set(items as string[])].sort(compare);
    return items;
  }
  if (value === null || typeof value !== 'object') return typeof value === 'number' && Object.is(value, -0) ? 0 : value;
  const object = value as Record<string, unknown>;
  const defaults =
    key === 'multiInstance'
      ? MULTI_INSTANCE_DEFAULTS
      : typeof object.type === 'string'
        ? (DEFAULTS[object.type] ?? {})
        : {};
  const keys = Object.keys(object).filter((k) => object[k] !== undefined && !isDefault(object[k], defaults[k]));
  const ordered = ORDERED_MAPS.has(key) ? keys : keys.sort(byKeyOrder);
  return Object.fromEntries(ordered.map((k) => [k, canonical(object[k], k)]));
}

function isDefault(value: unknown, fallback: unknown): boolean {
  return fallback !== undefined && JSON.stringify(value) === JSON.stringify(fallback);
}

function byKeyOrder(a: string, b: string): number {
  const rank = (k: string) => {
    const head = HEAD.indexOf(k);
    if (head >= 0) return head;
    const tail = TAIL.indexOf(k);
    return tail >= 0 ? 1_000 + tail : 500;
  };
  return rank(a) - rank(b) || compare(a, b);
}

/** Code-unit order: the same everywhere, unlike localeCompare. */
function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
