/**
 * Runs of scoped multi-instance subprocesses: each run is an instance state of the subprocess's
 * own machine, kept in `state.scopes["<element>#<index>"]`. The runtime starts and stops runs when
 * the parent machine asks (spawnScopes / cancelScopes), routes events that name a scope to their
 * run, prefixes the runs' effects with their scope, and tells the parent (`scope.completed`) when
 * a run is done.
 */
import type { CompiledProcess } from '../compile/compile';
import { spent } from './budget';
import { EngineError } from './errors';
import { sendMachine } from './machine-step';
import type { Effect, EngineEvent, InstanceState, StepOptions, StepResult, Variables } from './types';

type Scopes = Record<string, InstanceState>;

/**
 * Starts a run or sends it an event as an instance of its own: step.ts's `start` and `send` (budget, actors, its own
 * runs and retries). Passed in by step.ts rather than imported, because step.ts steps scoped runs through this module.
 */
export interface InstanceSteps {
  start(process: CompiledProcess, variables: Variables, options: StepOptions): StepResult;
  send(process: CompiledProcess, state: InstanceState, event: EngineEvent, options: StepOptions): StepResult;
}

function within(effects: Effect[], key: string): Effect[] {
  // A run's completion is not the instance's: the parent hears of it as scope.completed.
  return effects
    .filter((e) => e.type !== 'completeInstance')
    .map((e) => ({ ...e, scope: e.scope ? `${key}/${e.scope}` : key }));
}

/** Runs of a multi-instance subprocess report back to it; side-path runs just end. */
function reportsBack(process: CompiledProcess, elementId: string): boolean {
  const e = process.elements.get(elementId);
  return e?.type === 'subProcess' && !e.triggeredByEvent && e.multiInstance !== undefined;
}

/** Whether a terminate end event directly in this machine's process (not in a subprocess of it) was reached. */
function terminatedHere(process: CompiledProcess, effects: Effect[]): boolean {
  return effects.some(
    (e) =>
      e.type === 'audit' &&
      e.scope === undefined &&
      (e.data as { terminated?: unknown } | null)?.terminated === true &&
      process.definition.elements.some((el) => el.id === e.elementId && el.type === 'endEvent' && el.terminate),
  );
}

function machineOf(process: CompiledProcess, key: string): CompiledProcess {
  const elementId = key.slice(0, key.lastIndexOf('#'));
  const machine = process.scopeMachines.get(elementId);
  if (!machine)
    throw new EngineError(
      'INVALID_STATE',
      `Scope "${key}" belongs to no scoped subprocess of "${process.definition.key}".`,
    );
  return machine;
}

/** Carries out a machine step's internal effects and feeds finished runs back to the parent. */
export function withScopes(
  process: CompiledProcess,
  first: StepResult,
  scopes: Scopes,
  options: StepOptions,
  steps: InstanceSteps,
): StepResult {
  const current: Scopes = { ...scopes };
  const effects: Effect[] = [];
  const queue: EngineEvent[] = [];
  let state = first.state;
  let pending = first.effects;
  let childIncident: InstanceState['incident'];
  for (let guard = 0; guard < 10_000; guard++) {
    for (const effect of pending) {
      if (effect.type === 'spawnScopes') {
        for (const run of effect.runs) {
          // Out of budget with runs still to start: the command is refused whole (a run left unstarted would never start).
          if (spent()) {
            throw new EngineError(
              'BUDGET_EXCEEDED',
              `Multi-instance "${effect.elementId}" would start more runs (${effect.runs.length} in all) than one step may carry with its other work; nothing was changed. Run it over fewer items.`,
            );
          }
          const key = `${effect.elementId}#${run.index}`;
          const child = steps.start(process.scopeMachines.get(effect.elementId)!, run.variables, options);
          effects.push(...within(child.effects, key));
          if (child.state.status === 'completed') {
            if (reportsBack(process, effect.elementId))
              queue.push({
                type: 'scope.completed',
                elementId: effect.elementId,
                index: run.index,
                variables: child.state.variables,
              });
          } else {
            current[key] = child.state;
            if (child.state.status === 'incident') childIncident = child.state.incident;
          }
        }
      } else if (effect.type === 'cancelScopes') {
        for (const index of effect.indexes) {
          const key = `${effect.elementId}#${index}`;
          if (!(key in current)) continue;
          delete current[key];
          effects.push({ type: 'cancelScope', scope: key });
        }
      } else effects.push(effect);
    }
    pending = [];
    const next = queue.shift();
    if (!next || state.status !== 'active') break;
    const r = sendMachine(process, state, next, options);
    state = r.state;
    pending = r.effects;
  }
  const open = Object.keys(current).length > 0;
  if (state.status === 'completed') {
    if (!open) return { state, effects };
    // A terminate end event of this level ends everything in it, the runs still waiting too.
    if (terminatedHere(process, effects)) {
      const done = effects.findIndex((e) => e.type === 'completeInstance');
      const cancels: Effect[] = Object.keys(current).map((scope) => ({ type: 'cancelScope', scope }));
      return {
        state,
        effects:
          done === -1 ? [...effects, ...cancels] : [...effects.slice(0, done), ...cancels, ...effects.slice(done)],
      };
    }
    // The main flow ended while side paths still run: complete when the last of them does.
    const held = effects.filter((e) => e.type !== 'completeInstance');
    return {
      state: { ...state, status: 'active', active: [], scopes: current, mainEnded: { outcome: state.outcome ?? null } },
      effects: held,
    };
  }
  const withRuns = open ? { ...state, scopes: current } : state;
  if (childIncident && withRuns.status === 'active')
    return { state: { ...withRuns, status: 'incident', incident: childIncident }, effects };
  return { state: withRuns, effects };
}

/** An event for one run: "<element>#<index>" (or deeper, "a#1/b#2"). */
export function sendToScope(
  process: CompiledProcess,
  state: InstanceState,
  event: EngineEvent,
  options: StepOptions,
  steps: InstanceSteps,
): StepResult {
  const [head, ...rest] = event.scope!.split('/');
  const child = state.scopes?.[head!];
  if (!child) throw new EngineError('EVENT_NOT_ACCEPTED', `No run "${head}" is active in this instance.`);
  if (state.status !== 'active')
    throw new EngineError(
      'INSTANCE_NOT_ACTIVE',
      `Instance of "${state.definition.key}" is ${state.status}; it accepts no events.`,
    );
  const { scope: _, ...plain } = event;
  const inner = (rest.length > 0 ? { ...plain, scope: rest.join('/') } : plain) as EngineEvent;
  const r = steps.send(machineOf(process, head!), child, inner, options);
  const effects = within(r.effects, head!);
  const scopes = { ...state.scopes };
  if (r.state.status !== 'completed') {
    scopes[head!] = r.state;
    const incident = r.state.status === 'incident' ? { status: 'incident' as const, incident: r.state.incident } : {};
    return { state: { ...state, scopes, ...incident }, effects };
  }
  delete scopes[head!];
  const hash = head!.lastIndexOf('#');
  const elementId = head!.slice(0, hash);
  if (state.mainEnded) {
    if (Object.keys(scopes).length > 0) return { state: { ...state, scopes }, effects };
    const { scopes: _s, mainEnded, ...rest } = state;
    return {
      state: { ...rest, status: 'completed', active: [], ...(mainEnded.outcome ? { outcome: mainEnded.outcome } : {}) },
      effects: [...effects, { type: 'completeInstance', outcome: mainEnded.outcome }],
    };
  }
  if (!reportsBack(process, elementId))
    return { state: { ...state, scopes: Object.keys(scopes).length > 0 ? scopes : undefined }, effects };
  const done: EngineEvent = {
    type: 'scope.completed',
    elementId,
    index: Number(head!.slice(hash + 1)),
    variables: r.state.variables,
  };
  const parent = withScopes(
    process,
    sendMachine(process, { ...state, scopes: undefined }, done, options),
    scopes,
    options,
    steps,
  );
  return { state: parent.state, effects: [...effects, ...parent.effects] };
}

/** A message goes to the instance or the first run waiting for it; a signal to all that wait. */
export function broadcast(
  process: CompiledProcess,
  state: InstanceState,
  event: EngineEvent,
  options: StepOptions,
  steps: InstanceSteps,
): StepResult {
  const all = event.type === 'signal.received';
  let current = state;
  const effects: Effect[] = [];
  let accepted = false;
  const attempt = (fn: () => StepResult) => {
    try {
      const r = fn();
      current = r.state;
      effects.push(...r.effects);
      accepted = true;
    } catch (error) {
      if (!(error instanceof EngineError && error.code === 'EVENT_NOT_ACCEPTED')) throw error;
    }
  };
  if (!state.mainEnded)
    attempt(() =>
      withScopes(process, sendMachine(process, current, event, options), current.scopes ?? {}, options, steps),
    );
  for (const key of Object.keys(state.scopes ?? {})) {
    if (accepted && !all) break;
    if (current.status !== 'active' || !current.scopes?.[key]) continue;
    attempt(() => sendToScope(process, current, { ...event, scope: key }, options, steps));
  }
  if (!accepted)
    throw new EngineError(
      'EVENT_NOT_ACCEPTED',
      `Nothing in this instance is waiting for ${all ? 'signal' : 'message'} "${'name' in event ? event.name : ''}".`,
    );
  return { state: current, effects };
}
