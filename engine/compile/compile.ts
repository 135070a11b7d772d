/**
 * Compiles a validated definition into an XState v5 machine. Each BPMN element becomes one state
 * node keyed (and id'd) by its element id; element compilers live in elements/, one per type.
 * A parallel or inclusive split with its join becomes a parallel state with one region per branch
 * (model/structure.ts finds the blocks). Effects are named actions whose params are plain data:
 * the runtime collects them from XState's pure `transition` and never executes anything itself.
 */
import { setup, type AnyStateMachine } from 'xstate';
import type { Element, ElementType, InclusiveGateway, ProcessDefinition, SubProcess } from '../model/definition';
import { buildGraph } from '../model/graph';
import { anyWaits, flatten, isScopedMultiInstance, sidePath, type Scope } from '../model/scopes';
import { expandTaskLoops } from '../model/task-loops';
import { analyzeStructure, type Block, type Branch, type Structure } from '../model/structure';
import type { Decision } from '../decisions/model';
import { DEFAULT_LIMITS, withinBudget, type EngineLimits } from '../runtime/budget';
import { EngineError } from '../runtime/errors';
import type { EngineEvent, Variables } from '../runtime/types';
import { validateDefinition } from '../validate/validate';
import { collect, update, type ActionArgs } from './actions';
import { withBoundaries, type StateParts } from './boundaries';
import { runInline, spawnRun } from './inline-path';
import { repeatCycle, waitFor } from './waits';
import { timerLimits, type TimerLimits } from './timer-limits';
import { beginLoop, finishLoop, forgetLoop, noRuns } from './loop-actions';
import { completeRun, runVariables } from './multi-instance';
import {
  leaveAlong,
  onlyOutgoing,
  passAutomatic,
  stateId,
  stateKey,
  targetOf,
  type AuditParams,
  type CompileContext,
  type MachineContext,
} from './context';
import { decide } from './decide';
import { businessRuleTask } from './elements/business-rule-task';
import { callActivity } from './elements/call-activity';
import { catchEvent } from './elements/catch-event';
import { endEvent } from './elements/end-event';
import { eventBasedGateway } from './elements/event-based-gateway';
import { exclusiveGateway } from './elements/exclusive-gateway';
import { passThrough } from './elements/pass-through';
import { serviceTask } from './elements/service-task';
import { startEvent } from './elements/start-event';
import { throwEvent } from './elements/throw-event';
import { userTask } from './elements/user-task';

type ElementCompiler = (element: Element, ctx: CompileContext) => object;

const compilers: Record<ElementType, ElementCompiler> = {
  startEvent,
  endEvent,
  userTask,
  exclusiveGateway,
  parallelGateway: passThrough,
  inclusiveGateway: passThrough,
  eventBasedGateway,
  serviceTask,
  scriptTask: serviceTask,
  businessRuleTask,
  callActivity,
  manualTask: passThrough,
  task: passThrough,
  sendTask: throwEvent,
  intermediateThrowEvent: throwEvent,
  receiveTask: catchEvent,
  intermediateCatchEvent: catchEvent,
  // Only interrupting boundary events are states: the activity's event leads into them, they pass on.
  boundaryEvent: passThrough,
  subProcess: () => {
    throw new Error('subprocesses are compiled by subProcessState');
  },
};

/** Where an instance rests between commands; a token anywhere else (but a join or an end) is stuck. */
export function isWaitState(element: Element): boolean {
  switch (element.type) {
    case 'userTask':
    case 'receiveTask':
    case 'eventBasedGateway':
    case 'callActivity':
      return true;
    case 'subProcess':
      return isScopedMultiInstance(element);
    case 'intermediateCatchEvent':
      return element.event.kind !== 'link';
    case 'serviceTask':
      return element.taskType !== undefined;
    default:
      return false;
  }
}

/** The effect types the machine's named actions carry (everything else XState resolves itself). */
export const EFFECT_ACTIONS = [
  'createTask',
  'cancelTask',
  'startJob',
  'cancelJob',
  'startChildInstance',
  'cancelChildInstance',
  'scheduleTimer',
  'cancelTimer',
  'openSubscription',
  'closeSubscription',
  'sendMessage',
  'broadcastSignal',
  'spawnScopes',
  'cancelScopes',
  'raiseIncident',
  'audit',
] as const;

export interface CompiledProcess {
  definition: ProcessDefinition;
  elements: Map<string, Element>;
  machine: AnyStateMachine;
  /** Every place a token can rest (element ids and `@flow`/`!flow` branch ends) → its state path. */
  paths: Map<string, string[]>;
  decisions: ReadonlyMap<string, Decision>;
  /** Machines of scoped multi-instance subprocesses, by subprocess id (see runtime/scopes.ts). */
  scopeMachines: ReadonlyMap<string, CompiledProcess>;
  /** The budget of each command of its instances (runtime/budget.ts). */
  limits: EngineLimits;
}

const NO_INPUT = Object.freeze({ reason: 'no input: not a real start' });

export interface CompileOptions {
  /** Decision tables the process's business rule tasks call (from .dmn files or JSON). */
  decisions?: Decision[];
  /** The budget of every command (defaults: DEFAULT_LIMITS); the host may set its own. */
  limits?: Partial<EngineLimits>;
  /** Floors and caps of timer cycles, for validation and for `=FEEL` timers as they run (compile/timer-limits.ts). */
  timerLimits?: Partial<TimerLimits>;
  /** A version the host published before and stored: see ValidateOptions.stored. */
  stored?: boolean;
}

export function compile(input: unknown, options: CompileOptions = {}): CompiledProcess {
  const result = validateDefinition(input, {
    decisions: options.decisions,
    timerLimits: options.timerLimits,
    stored: options.stored,
  });
  if (!result.ok) {
    // Warnings do not stop a definition: the message counts and names the errors.
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    const first = errors[0]?.message ?? 'unknown problem';
    throw new EngineError(
      'INVALID_DEFINITION',
      `Definition is not valid (${errors.length} problem(s)); first: ${first}`,
    );
  }
  // Loops on tasks other than user tasks run as multi-instance subprocesses around the task.
  const definition = expandTaskLoops(result.definition);
  const decisions = new Map((options.decisions ?? []).map((d) => [d.id, d]));
  const all = flatten(definition);
  const graph = buildGraph(all);
  const structure = mergedStructure(definition, all.scopes);
  // Runs that a statechart cannot hold a fixed number of become instances of machines of their
  // own (runtime/scopes.ts): parallel multi-instance subprocesses that wait, and the paths of
  // non-interrupting boundary events and event subprocesses that wait. Those nested inside a
  // scoped subprocess are compiled with it.
  const scopeMachines = new Map<string, CompiledProcess>();
  const spawning = new Set<string>();
  const asProcess = (elements: Element[], flows: ProcessDefinition['flows']) =>
    compile(
      {
        formatVersion: definition.formatVersion,
        key: definition.key,
        version: definition.version,
        name: definition.name,
        elements,
        flows,
      },
      options,
    );
  for (const scope of all.scopes) {
    if (scope.enclosing.some((id) => isScopedMultiInstance(graph.elements.get(id)))) continue;
    for (const e of scope.elements) {
      if (e.type === 'subProcess' && isScopedMultiInstance(e)) scopeMachines.set(e.id, asProcess(e.elements, e.flows));
      if (e.type === 'boundaryEvent' && !e.cancelActivity) {
        const path = sidePath(e.id, structure.inline, scope.elements, scope.flows);
        if (anyWaits(path.elements)) {
          scopeMachines.set(e.id, asProcess(path.elements, path.flows));
          spawning.add(e.id);
        }
      }
      if (e.type === 'subProcess' && e.triggeredByEvent && anyWaits(e.elements)) {
        const start = e.elements.find((x) => x.type === 'startEvent');
        if (start?.type === 'startEvent' && !start.interrupting) {
          const elements = e.elements.map((x) =>
            x.id === start.id ? { id: x.id, type: 'startEvent' as const, interrupting: true } : x,
          );
          scopeMachines.set(e.id, asProcess(elements, e.flows));
          spawning.add(e.id);
        }
      }
    }
  }
  const ctx: CompileContext = {
    definition,
    graph,
    structure,
    decisions,
    scopeOf: all.scopeOf,
    spawning,
    timerLimits: timerLimits(options.timerLimits),
  };
  const paths = new Map<string, string[]>();
  const start = definition.elements.find((e) => e.type === 'startEvent')!;

  const states = level(ctx, definition.elements, null, [], paths);
  states[stateKey.complete] = { id: stateId.complete(null), type: 'final' };
  const starts = definition.elements.filter((e) => e.type === 'startEvent');
  // Several start events (a none start and message/timer/signal starts): the host says which fired.
  if (starts.length > 1) {
    const fallback = starts.find((e) => e.type === 'startEvent' && e.event === undefined) ?? starts[0]!;
    states[stateKey.start] = {
      always: [
        ...starts.map((e) => ({
          guard: ({ context }: ActionArgs) => context.startEvent === e.id,
          target: `#${stateId.element(e.id)}`,
        })),
        { target: `#${stateId.element(fallback.id)}` },
      ],
    };
  }
  const root = eventSubProcessTriggers(ctx, definition.elements, null);
  metered(states);

  // Effects are named actions that do nothing here: the runtime turns them into data for the host.
  const actions = Object.fromEntries(EFFECT_ACTIONS.map((type) => [type, () => {}]));
  const machine = setup({
    types: {} as {
      context: MachineContext;
      events: EngineEvent;
      input: { variables: Variables; now: string | null; startEvent: string | null };
    },
    actions,
  }).createMachine({
    id: definition.key,
    context: ({ input }) => {
      // XState's pure transition functions create a throwaway actor, which computes an initial
      // snapshot without input; stop that at once, cheaply (a thrown Error would capture a stack).
      if (!input) throw NO_INPUT;
      return {
        variables: input.variables,
        outcome: null,
        now: input.now,
        timers: {},
        loops: {},
        startEvent: input.startEvent,
        runs: {},
      };
    },
    initial: starts.length > 1 ? stateKey.start : start.id,
    entry: root.entry as never,
    on: root.on as never,
    // Built from data, so XState cannot type-check the state configs; the element compilers do.
    states: states as Record<string, {}>,
  });
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  return { definition, elements: graph.elements, machine, paths, decisions, scopeMachines, limits };
}

type Transition = { guard?: (args: ActionArgs) => boolean };

/**
 * Every eventless transition first asks whether the command is within its budget
 * (runtime/budget.ts): a loop of automatic elements stops where its token is, whatever the
 * element compilers built. Transitions on events need no such check: one event, one transition.
 */
function metered(states: Record<string, object>): void {
  for (const config of Object.values(states) as {
    always?: Transition | Transition[];
    states?: Record<string, object>;
  }[]) {
    if (config.always) config.always = (Array.isArray(config.always) ? config.always : [config.always]).map(budgeted);
    if (config.states) metered(config.states);
  }
}

function budgeted(transition: Transition): Transition {
  const own = transition.guard;
  if (own !== undefined && typeof own !== 'function')
    throw new Error('Eventless transitions take guard functions (compile.ts metered).');
  return {
    ...transition,
    guard: own
      ? (args) => withinBudget(args.context.variables) && own(args)
      : (args) => withinBudget(args.context.variables),
  };
}

/** Block analysis of every scope, in one index (ids are unique across scopes). */
function mergedStructure(definition: ProcessDefinition, scopes: Scope[]): Structure {
  const merged: Structure = { blocks: new Map(), owner: new Map(), joins: new Map(), problems: [], inline: new Set() };
  for (const scope of scopes) {
    const scoped = { ...definition, elements: scope.elements, flows: scope.flows };
    const s = analyzeStructure(scoped, buildGraph(scoped));
    for (const [k, v] of s.blocks) merged.blocks.set(k, v);
    for (const [k, v] of s.owner) merged.owner.set(k, v);
    for (const [k, v] of s.joins) merged.joins.set(k, v);
    for (const id of s.inline) merged.inline.add(id);
  }
  return merged;
}

/** The states of one level: a scope's own elements (branch null) or one branch of a block. */
function level(
  ctx: CompileContext,
  elements: Element[],
  branch: Branch | null,
  path: string[],
  paths: Map<string, string[]>,
): Record<string, object> {
  const states: Record<string, object> = {};
  for (const element of elements) {
    if (ctx.structure.inline.has(element.id) || placement(ctx, element) !== branch) continue;
    paths.set(element.id, [...path, element.id]);
    const block = ctx.structure.blocks.get(element.id);
    const config = block
      ? blockState(ctx, block, elements, [...path, element.id], paths)
      : element.type === 'subProcess'
        ? element.triggeredByEvent
          ? eventSubProcessState(ctx, element, [...path, element.id], paths)
          : isScopedMultiInstance(element)
            ? scopedSubProcess(ctx, element)
            : subProcessState(ctx, element, [...path, element.id], paths)
        : compilers[element.type](element, ctx);
    states[element.id] = { id: stateId.element(element.id), ...(block ? config : retriable(element.id, config)) };
  }
  return states;
}

/**
 * An element's state re-enters itself on `incident.retried` naming it (runtime/retry.ts): its
 * exit and entry actions run again, so work that failed to start or ended in an uncaught error
 * starts anew, and a decision is taken again. A final state has no token to retry.
 */
function retriable(elementId: string, config: object): object {
  const state = config as { type?: string; on?: Record<string, unknown> };
  if (state.type === 'final') return config;
  const retry = {
    guard: ({ event }: ActionArgs) => event.type === 'incident.retried' && event.elementId === elementId,
    target: `#${stateId.element(elementId)}`,
    reenter: true,
  };
  return { ...config, on: { ...state.on, 'incident.retried': [retry] } };
}

/** An embedded subprocess: a compound state running its own elements, done when they are. */
function subProcessState(ctx: CompileContext, sub: SubProcess, path: string[], paths: Map<string, string[]>) {
  const start = sub.elements.find((e) => e.type === 'startEvent' && e.event === undefined)!;
  const states = level(ctx, sub.elements, null, path, paths);
  states[stateKey.complete] = { id: stateId.complete(sub.id), type: 'final' };
  const flow = onlyOutgoing(ctx, sub.id);
  const leave = leaveAlong(ctx, sub.id, sub.type, flow);
  const triggers = eventSubProcessTriggers(ctx, sub.elements, sub.id);
  if (!sub.multiInstance) {
    const parts = withBoundaries(ctx, sub, triggers);
    return { initial: start.id, states, onDone: leave, entry: parts.entry, exit: parts.exit, on: parts.on };
  }
  // Multi-instance: the subprocess runs once per item, one run after another (validation allows
  // "parallel" only when nothing inside waits, where running them in turn gives the same result).
  // A transient `$loop` child decides each run, so moving to the next run never leaves the
  // subprocess itself: its boundary timers and subscriptions cover the whole activity.
  const mi = { ...sub.multiInstance, sequential: true };
  const id = sub.id;
  const after = ({ context }: ActionArgs) => {
    const loop = context.loops[id];
    return loop ? completeRun(mi, loop, loop.active[0] ?? 0, null, context.variables) : noRuns(true);
  };
  const finish = finishLoop(id, mi, after);
  const parts = withBoundaries(ctx, sub, {
    entry: [
      ...triggers.entry,
      beginLoop(id, mi, true, (loop, { enqueue }) => {
        if (loop.items.length > 0)
          enqueue(update(({ context: c }) => ({ variables: runVariables(mi, loop, 0, c.variables) })));
      }),
    ],
    exit: [
      ...triggers.exit,
      // Left when its last run is done, `finish` still needs the loop to collect the outputs.
      collect(({ event, enqueue }) => {
        if (!event.type.startsWith('xstate.done.state.')) enqueue(forgetLoop(id));
      }),
    ],
    on: triggers.on,
  });
  const hasItems = ({ context }: ActionArgs) => (context.loops[id]?.items.length ?? 0) > 0;
  states[stateKey.loop] = {
    id: stateId.loop(id),
    always: [
      { guard: hasItems, target: `#${stateId.element(start.id)}` },
      // No items (or the collection could not be read: the incident stops the instance here).
      {
        guard: ({ context }: ActionArgs) => context.loops[id] !== undefined,
        target: leave.target,
        actions: [finish, ...leave.actions],
      },
    ],
  };
  paths.set(stateKey.loop, [...path, stateKey.loop]);
  return {
    initial: stateKey.loop,
    states,
    entry: parts.entry,
    exit: parts.exit,
    on: parts.on,
    onDone: [
      { guard: (args: ActionArgs) => after(args).done, target: leave.target, actions: [finish, ...leave.actions] },
      {
        target: `#${stateId.loop(id)}`,
        actions: [
          update((args) => {
            const result = after(args);
            return {
              loops: { ...args.context.loops, [id]: result.loop },
              variables: runVariables(mi, result.loop, result.next ?? 0, args.context.variables),
            };
          }),
        ],
      },
    ],
  };
}

/**
 * A parallel multi-instance subprocess with wait states: one wait state here; its runs are
 * instances of the subprocess's own machine, started and stopped by the runtime (spawnScopes,
 * cancelScopes) and reported back as `scope.completed`.
 */
function scopedSubProcess(ctx: CompileContext, sub: SubProcess) {
  const mi = sub.multiInstance!;
  const id = sub.id;
  const leave = leaveAlong(ctx, id, sub.type, onlyOutgoing(ctx, id));
  const after = ({ context, event }: ActionArgs) => {
    const loop = context.loops[id];
    return loop && event.type === 'scope.completed'
      ? completeRun(mi, loop, event.index, event.variables, context.variables)
      : noRuns(false);
  };
  const finish = finishLoop(id, mi, after);
  const isMine = ({ context, event }: ActionArgs) =>
    event.type === 'scope.completed' &&
    event.elementId === id &&
    (context.loops[id]?.active ?? []).includes(event.index);
  const parts = withBoundaries(ctx, sub, {
    entry: [
      beginLoop(id, mi, false, (loop, { context, enqueue }) => {
        if (loop.active.length > 0) {
          enqueue({
            type: 'spawnScopes',
            params: {
              elementId: id,
              runs: loop.active.map((index) => ({
                index,
                variables: runVariables(mi, loop, index, context.variables),
              })),
            },
          });
        }
      }),
    ],
    exit: [
      collect(({ context, event, enqueue }) => {
        const finishing = event.type === 'scope.completed' && event.elementId === id ? event.index : undefined;
        const open = (context.loops[id]?.active ?? []).filter((i) => i !== finishing);
        if (open.length > 0) enqueue({ type: 'cancelScopes', params: { elementId: id, indexes: open } });
        if (finishing === undefined) enqueue(forgetLoop(id));
      }),
    ],
    on: {
      'scope.completed': [
        {
          guard: (args: ActionArgs) => isMine(args) && after(args).done,
          target: leave.target,
          actions: [finish, ...leave.actions],
        },
        { guard: isMine, actions: [update((args) => ({ loops: { ...args.context.loops, [id]: after(args).loop } }))] },
      ],
    },
  });
  return {
    ...parts,
    always: [
      {
        guard: ({ context }: ActionArgs) => context.loops[id]?.items.length === 0,
        target: leave.target,
        actions: [finish, ...leave.actions],
      },
    ],
  };
}

/** Terminate end events end their whole scope, so they live at its top level wherever they are drawn. */
function placement(ctx: CompileContext, element: Element): Branch | null {
  if (element.type === 'endEvent' && element.terminate) return null;
  return ctx.structure.owner.get(element.id) ?? null;
}

/** An event subprocess: a compound state entered by its trigger; when it is done, so is its scope. */
function eventSubProcessState(ctx: CompileContext, sub: SubProcess, path: string[], paths: Map<string, string[]>) {
  const start = sub.elements.find((e) => e.type === 'startEvent')!;
  const states = level(ctx, sub.elements, null, path, paths);
  states[stateKey.complete] = { id: stateId.complete(sub.id), type: 'final' };
  const scope = ctx.scopeOf.get(sub.id)?.id ?? null;
  return { initial: start.id, states, onDone: { target: `#${stateId.complete(scope)}` } };
}

/**
 * What a scope (the process, or subprocess `scopeId`) listens for while it runs: the triggers of
 * its event subprocesses. An interrupting one leaves whatever the scope was doing for the event
 * subprocess; a non-interrupting one runs its (straight-through) path beside it.
 */
function eventSubProcessTriggers(ctx: CompileContext, elements: Element[], scopeId: string | null): StateParts {
  const parts: StateParts = { entry: [], exit: [], on: {} };
  for (const sub of elements) {
    if (sub.type !== 'subProcess' || !sub.triggeredByEvent) continue;
    const start = sub.elements.find((e) => e.type === 'startEvent');
    if (start?.type !== 'startEvent' || !start.event) continue;
    const trigger = start.event;
    let eventType: EngineEvent['type'];
    let guard: (args: ActionArgs) => boolean;
    if (trigger.kind === 'error' || trigger.kind === 'escalation') {
      eventType = trigger.kind === 'error' ? 'error.thrown' : 'escalation.thrown';
      guard = ({ event }) => {
        if (event.type !== eventType || (event.type !== 'error.thrown' && event.type !== 'escalation.thrown'))
          return false;
        if (trigger.code !== undefined && trigger.code !== event.code) return false;
        if (scopeId === null) return true;
        const within = [...(event.scopes ?? []), ...(ctx.scopeOf.get(event.elementId)?.enclosing ?? [])];
        return within.includes(scopeId) || event.elementId === scopeId;
      };
    } else {
      const wait = waitFor(start.id, trigger, {
        use: start.interrupting ? 'once' : 'repeating',
        limits: ctx.timerLimits,
      })!;
      parts.entry.push(...wait.entry);
      parts.exit.push(...wait.exit);
      eventType = wait.eventType;
      guard = wait.guard;
    }
    const mergeVariables = update(({ context, event }) => ({
      variables: { ...context.variables, ...('variables' in event && event.variables ? event.variables : {}) },
    }));
    const transition = start.interrupting
      ? { guard, target: `#${stateId.element(sub.id)}`, actions: [mergeVariables] }
      : {
          guard,
          actions: [
            ctx.spawning.has(sub.id) ? spawnRun(sub.id) : runInline(ctx, start),
            repeatCycle(start.id, trigger, ctx.timerLimits),
          ],
        };
    (parts.on[eventType] ??= []).push(transition);
  }
  return parts;
}

/** A split and its branches: a parallel state, one region per outgoing flow, done when all are. */
function blockState(
  ctx: CompileContext,
  block: Block,
  elements: Element[],
  path: string[],
  paths: Map<string, string[]>,
) {
  const split = ctx.graph.elements.get(block.splitId)!;
  const flows = ctx.graph.outgoing.get(block.splitId) ?? [];
  const audit: AuditParams = {
    event: 'element.completed',
    elementId: split.id,
    elementType: split.type,
    flowId: null,
    data: { flowIds: flows.map((f) => f.id) },
  };
  const regions: Record<string, object> = {};
  for (const branch of block.branches) {
    const flow = flows.find((f) => f.id === branch.flowId)!;
    const regionPath = [...path, branch.flowId];
    const states = level(ctx, elements, branch, regionPath, paths);
    if (branch.joinFlowId) {
      states[stateKey.arrived(branch.joinFlowId)] = { id: stateId.arrived(branch.joinFlowId), type: 'final' };
      paths.set(stateKey.arrived(branch.joinFlowId), [...regionPath, stateKey.arrived(branch.joinFlowId)]);
    }
    // Automatic elements at the head of a branch are passed on entering the region.
    const onward = passAutomatic(ctx, flow);
    let initial = initialKey(ctx, onward.flow.target, branch);
    let entry = onward.actions;
    if (block.kind === 'inclusive') {
      const gateway = split as InclusiveGateway;
      const taken = ({ context }: { context: MachineContext }) => {
        const d = decide(gateway, flows, context.variables);
        return d.kind === 'flow' && d.flowIds.includes(flow.id);
      };
      const skipped = ({ context }: { context: MachineContext }) => {
        const d = decide(gateway, flows, context.variables);
        return d.kind === 'flow' && !d.flowIds.includes(flow.id);
      };
      states[stateKey.deciding(flow.id)] = {
        id: stateId.deciding(flow.id),
        always: [
          { guard: taken, target: targetOf(ctx, onward.flow), actions: onward.actions },
          { guard: skipped, target: `#${stateId.skipped(flow.id)}` },
        ],
      };
      entry = [];
      states[stateKey.skipped(flow.id)] = { id: stateId.skipped(flow.id), type: 'final' };
      paths.set(stateKey.skipped(flow.id), [...regionPath, stateKey.skipped(flow.id)]);
      paths.set(stateKey.deciding(flow.id), [...regionPath, stateKey.deciding(flow.id)]);
      initial = stateKey.deciding(flow.id);
    }
    regions[branch.flowId] = { initial, states, ...(entry.length > 0 ? { entry } : {}) };
  }
  return {
    type: 'parallel' as const,
    entry: [{ type: 'audit' as const, params: audit }],
    states: regions,
    // When every branch is done the join passes at once: take its outgoing flow in this transition.
    onDone: block.joinId
      ? leaveAlong(ctx, block.joinId, ctx.graph.elements.get(block.joinId)!.type, onlyOutgoing(ctx, block.joinId))
      : { target: `#${stateId.complete(ctx.scopeOf.get(block.splitId)?.id ?? null)}` },
  };
}

/** The state a branch starts in: its first element, or straight at the join. */
function initialKey(ctx: CompileContext, target: string, branch: Branch): string {
  if (ctx.structure.joins.has(target)) return stateKey.arrived(branch.joinFlowId!);
  return target;
}
