/**
 * What follows an element of a process, read from its definition alone: the next steps people
 * see (user tasks and who gets them, as declared), where it waits (timers, messages, called
 * processes), where it ends, and at each split every branch with its condition as written. The
 * task page says it in words ("what happens next").
 *
 * Pure and bounded: it never evaluates a condition or an assignment (they are shown as written),
 * stops at the first step a person or the outside world takes on each path, marks a path that
 * comes back to an element already on it (a loop) instead of following it again, and stops
 * walking when a budget of visits, listed steps or nested splits runs out, saying so (`more`,
 * `truncated`). It must never grow with the size of the process beyond its budget.
 */
import type { BoundaryEvent, Element, LocalizedText, ProcessDefinition, SequenceFlow } from './definition';
import { flatten, type Scope } from './scopes';

/** Who gets a user task, as its definition declares it: lists as they are, expressions (`=…`) as text. */
export interface DeclaredAssignment {
  candidateGroups?: string[] | string;
  candidateRole: 'member' | 'manager';
  assignee?: string;
  candidateUsers?: string[] | string;
}

/** What a waiting step waits for. */
export type Awaited =
  | { kind: 'timer'; duration?: string; date?: string; cycle?: string }
  | { kind: 'message'; name: string }
  | { kind: 'signal'; name: string }
  | { kind: 'conditional'; condition: string };

/** What an end event throws or sends as its token ends. */
export type Thrown =
  | { kind: 'error'; code?: string }
  | { kind: 'escalation'; code?: string }
  | { kind: 'message'; name: string }
  | { kind: 'signal'; name: string };

export type SplitKind = 'exclusive' | 'inclusive' | 'parallel' | 'event';

export type NextStep =
  | { kind: 'userTask'; id: string; name?: LocalizedText; assignment: DeclaredAssignment; multiInstance: boolean }
  | { kind: 'end'; id: string; name?: LocalizedText; outcome?: string; terminate: boolean; throws?: Thrown }
  | { kind: 'wait'; id: string; name?: LocalizedText; waitsFor: Awaited }
  | { kind: 'callActivity'; id: string; name?: LocalizedText; calledElement: string }
  /** A split: one branch per outgoing flow; `omitted` branches were left out for the budget. */
  | { kind: 'split'; id: string; name?: LocalizedText; split: SplitKind; branches: Branch[]; omitted: number }
  /** The path comes back to an element already on it, or to the element asked about (a loop). */
  | { kind: 'back'; id: string; name?: LocalizedText }
  /** The budget ran out here: more follows that is not listed. */
  | { kind: 'more' };

export interface Branch {
  flowId: string;
  name?: LocalizedText;
  /** The flow's condition as written (FEEL), if it has one. */
  condition?: string;
  /** The gateway's default flow: taken when no condition holds. */
  isDefault: boolean;
  next: NextStep[];
}

/** An event attached to the element: what follows when it happens while the element waits. */
export interface Escape {
  id: string;
  name?: LocalizedText;
  event?: BoundaryEvent['event'];
  /** Interrupting: the element is left; otherwise its path runs beside it. */
  interrupting: boolean;
  next: NextStep[];
}

export interface NextSteps {
  /** What follows when the element completes. */
  after: NextStep[];
  /** What follows each of its boundary events. */
  boundaries: Escape[];
  /** Whether a budget cut something short (a `more` step, or a split's `omitted` branches). */
  truncated: boolean;
}

export interface NextStepsBudget {
  /** Elements visited in all (pass-through steps included). */
  visits: number;
  /** Steps and branches listed in all. */
  items: number;
  /** Splits nested within one another on one path. */
  depth: number;
}

export const DEFAULT_NEXT_STEPS_BUDGET: NextStepsBudget = { visits: 200, items: 40, depth: 4 };

interface Walk {
  elements: Map<string, Element>;
  outgoing: Map<string, SequenceFlow[]>;
  boundaries: Map<string, BoundaryEvent[]>;
  linkCatches: Map<string, string[]>;
  scopeOf: Map<string, Scope>;
  origin: string;
  left: { visits: number; items: number };
  maxDepth: number;
  truncated: boolean;
}

/**
 * What follows `elementId` in `definition` (any scope), or null when it has no such element.
 * Conditions and assignments are returned as written, never evaluated.
 */
export function nextSteps(
  definition: Pick<ProcessDefinition, 'elements' | 'flows'>,
  elementId: string,
  budget: Partial<NextStepsBudget> = {},
): NextSteps | null {
  const { elements, flows, scopeOf } = flatten(definition);
  const walk: Walk = {
    elements: new Map(elements.map((e) => [e.id, e])),
    outgoing: new Map(),
    boundaries: new Map(),
    linkCatches: new Map(),
    scopeOf,
    origin: elementId,
    left: {
      visits: budget.visits ?? DEFAULT_NEXT_STEPS_BUDGET.visits,
      items: budget.items ?? DEFAULT_NEXT_STEPS_BUDGET.items,
    },
    maxDepth: budget.depth ?? DEFAULT_NEXT_STEPS_BUDGET.depth,
    truncated: false,
  };
  if (!walk.elements.has(elementId)) return null;
  for (const f of flows) listed(walk.outgoing, f.source).push(f);
  for (const e of elements) {
    if (e.type === 'boundaryEvent') listed(walk.boundaries, e.attachedTo).push(e);
    if (e.type === 'intermediateCatchEvent' && e.event.kind === 'link')
      listed(walk.linkCatches, e.event.name).push(e.id);
  }
  const path = new Set([elementId]);
  const after = leave(walk, elementId, path, 0);
  const boundaries = (walk.boundaries.get(elementId) ?? []).map((b) => ({
    id: b.id,
    ...named(b),
    ...(b.event ? { event: b.event } : {}),
    interrupting: b.cancelActivity,
    next: leave(walk, b.id, new Set([elementId, b.id]), 0),
  }));
  return { after, boundaries, truncated: walk.truncated };
}

function listed<T>(map: Map<string, T[]>, key: string): T[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}

const named = (e: { name?: LocalizedText }) => (e.name === undefined ? {} : { name: e.name });

/** Takes one listed step (or branch) from the budget; false when it is spent. */
function take(walk: Walk): boolean {
  if (walk.left.items <= 0) return false;
  walk.left.items--;
  return true;
}

/** Where the budget ran out: said once per path (it costs an item while any are left, so a list stays within twice the budget). */
function more(walk: Walk): NextStep[] {
  walk.truncated = true;
  take(walk);
  return [{ kind: 'more' }];
}

/**
 * What follows when the token leaves `id` along its outgoing flows: one flow is followed; several
 * without conditions all run (their steps listed one after another); several with a condition are
 * BPMN's conditional flows, a split like an inclusive gateway's.
 */
function leave(walk: Walk, id: string, path: Set<string>, depth: number): NextStep[] {
  const element = walk.elements.get(id);
  // A link throw goes on at its catch events of the same name.
  const outgoing = walk.outgoing.get(id) ?? [];
  if (element?.type === 'intermediateThrowEvent' && element.event?.kind === 'link') {
    return (walk.linkCatches.get(element.event.name) ?? []).flatMap((target) => enter(walk, target, path, depth));
  }
  if (outgoing.some((f) => f.condition !== undefined))
    return split(walk, element ?? { id }, 'inclusive', outgoing, undefined, path, depth);
  return outgoing.flatMap((f) => enter(walk, f.target, path, depth));
}

/** The steps a token entering `id` reaches first. */
function enter(walk: Walk, id: string, path: Set<string>, depth: number): NextStep[] {
  if (walk.left.visits <= 0) return more(walk);
  walk.left.visits--;
  const element = walk.elements.get(id);
  // A flow to nothing (a broken draft) leads nowhere worth saying.
  if (!element) return [];
  if (id === walk.origin || path.has(id)) return take(walk) ? [{ kind: 'back', id, ...named(element) }] : more(walk);
  path.add(id);
  try {
    const behaviour = behaviours[element.type] ?? passThrough;
    return behaviour(walk, element, path, depth);
  } finally {
    path.delete(id);
  }
}

type Behaviour = (walk: Walk, element: Element, path: Set<string>, depth: number) => NextStep[];

/** A step listed where the path stops: a person's task, a wait, a called process, an end. */
function stop(walk: Walk, step: NextStep): NextStep[] {
  return take(walk) ? [step] : more(walk);
}

const passThrough: Behaviour = (walk, element, path, depth) => leave(walk, element.id, path, depth);

const gateway =
  (kind: SplitKind): Behaviour =>
  (walk, element, path, depth) => {
    const outgoing = walk.outgoing.get(element.id) ?? [];
    // One way out: a merge (or a join) the path passes through.
    if (outgoing.length <= 1) return passThrough(walk, element, path, depth);
    const defaultFlow = 'default' in element ? element.default : undefined;
    return split(walk, element, kind, outgoing, defaultFlow, path, depth);
  };

function split(
  walk: Walk,
  element: { id: string; name?: LocalizedText },
  kind: SplitKind,
  outgoing: SequenceFlow[],
  defaultFlow: string | undefined,
  path: Set<string>,
  depth: number,
): NextStep[] {
  if (depth >= walk.maxDepth || !take(walk)) return more(walk);
  const branches: Branch[] = [];
  let omitted = 0;
  for (const flow of outgoing) {
    if (!take(walk)) {
      omitted++;
      continue;
    }
    branches.push({
      flowId: flow.id,
      ...named(flow),
      ...(flow.condition !== undefined ? { condition: flow.condition } : {}),
      isDefault: flow.id === defaultFlow,
      next: enter(walk, flow.target, path, depth + 1),
    });
  }
  if (omitted > 0) walk.truncated = true;
  return [{ kind: 'split', id: element.id, ...named(element), split: kind, branches, omitted }];
}

/** An end event ends its scope: the process (listed), or a subprocess, after which the path goes on. */
const endEvent: Behaviour = (walk, element, path, depth) => {
  if (element.type !== 'endEvent') return [];
  const scope = walk.scopeOf.get(element.id);
  const throws = element.event?.kind === 'error' || element.event?.kind === 'escalation';
  if (scope?.kind === 'subProcess' && scope.id && !throws) return leave(walk, scope.id, path, depth);
  const event = element.event;
  const thrown: Thrown | undefined =
    event === undefined
      ? undefined
      : event.kind === 'error' || event.kind === 'escalation'
        ? { kind: event.kind, ...(event.code ? { code: event.code } : {}) }
        : { kind: event.kind, name: event.name };
  return stop(walk, {
    kind: 'end',
    id: element.id,
    ...named(element),
    ...(element.outcome ? { outcome: element.outcome } : {}),
    terminate: element.terminate === true,
    ...(thrown ? { throws: thrown } : {}),
  });
};

/** An embedded subprocess is entered at its none start event. */
const subProcess: Behaviour = (walk, element, path, depth) => {
  if (element.type !== 'subProcess' || element.triggeredByEvent) return [];
  const start = element.elements.find((e) => e.type === 'startEvent' && e.event === undefined);
  return start ? enter(walk, start.id, path, depth) : leave(walk, element.id, path, depth);
};

const catchEvent: Behaviour = (walk, element, path, depth) => {
  if (element.type !== 'intermediateCatchEvent') return [];
  const event = element.event;
  if (event.kind === 'link') return passThrough(walk, element, path, depth);
  const waitsFor: Awaited =
    event.kind === 'timer'
      ? {
          kind: 'timer',
          ...(event.duration ? { duration: event.duration } : {}),
          ...(event.date ? { date: event.date } : {}),
          ...(event.cycle ? { cycle: event.cycle } : {}),
        }
      : event.kind === 'conditional'
        ? { kind: 'conditional', condition: event.condition }
        : { kind: event.kind, name: event.name };
  return stop(walk, { kind: 'wait', id: element.id, ...named(element), waitsFor });
};

const behaviours: Partial<Record<Element['type'], Behaviour>> = {
  userTask: (walk, e) =>
    e.type !== 'userTask'
      ? []
      : stop(walk, {
          kind: 'userTask',
          id: e.id,
          ...named(e),
          assignment: {
            ...(e.candidateGroups !== undefined ? { candidateGroups: e.candidateGroups } : {}),
            candidateRole: e.candidateRole ?? 'member',
            ...(e.assignee !== undefined ? { assignee: e.assignee } : {}),
            ...(e.candidateUsers !== undefined ? { candidateUsers: e.candidateUsers } : {}),
          },
          multiInstance: e.multiInstance !== undefined,
        }),
  receiveTask: (walk, e) =>
    e.type !== 'receiveTask'
      ? []
      : stop(walk, { kind: 'wait', id: e.id, ...named(e), waitsFor: { kind: 'message', name: e.message.name } }),
  intermediateCatchEvent: catchEvent,
  callActivity: (walk, e) =>
    e.type !== 'callActivity'
      ? []
      : stop(walk, { kind: 'callActivity', id: e.id, ...named(e), calledElement: e.calledElement }),
  endEvent,
  subProcess,
  exclusiveGateway: gateway('exclusive'),
  inclusiveGateway: gateway('inclusive'),
  parallelGateway: gateway('parallel'),
  eventBasedGateway: gateway('event'),
};

/** Every step listed in `steps`, nested ones included (for tests and budgets). */
export function countSteps(steps: NextStep[]): number {
  return steps.reduce(
    (n, s) => n + 1 + (s.kind === 'split' ? s.branches.reduce((m, b) => m + 1 + countSteps(b.next), 0) : 0),
    0,
  );
}
