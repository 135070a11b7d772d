/**
 * Runs a process in memory against a scenario, playing the host: a simulated clock and timer
 * table, mocked service jobs, child instances for call activities, and the scripted completions,
 * messages and signals. Pure: the same code serves the CLI, the tests and (later) the designer's
 * test runs in the browser.
 */
import type { CompiledProcess } from '../compile/compile';
import { EngineError } from '../runtime/errors';
import { send, start } from '../runtime/step';
import type { Effect, EngineEvent, Incident, InstanceState, StepResult, Variables } from '../runtime/types';
import { addDuration, parseDuration, parseInstant } from '../time/iso8601';
import type { Scenario, ScenarioStep } from './scenario';

export interface SimulationResult {
  status: 'completed' | 'waiting' | 'incident' | 'error';
  /** Element ids in the order they completed (child instances' included). */
  path: string[];
  /** Element ids waiting, in the main instance and its running child instances. */
  active: string[];
  variables: Variables;
  incidents: Incident[];
  /** Unmet expectations and refused steps, readable. */
  failures: string[];
  /** Effects the host would have carried out, in order (for debugging scenarios). */
  effects: Effect[];
}

export interface SimulationOptions {
  /** Processes call activities may start, by process key. */
  library?: ReadonlyMap<string, CompiledProcess>;
}

const DEFAULT_START = '2026-01-01T00:00:00.000Z';
/** Deepest chain of call activities followed, against processes that call themselves. */
const MAX_CHILD_DEPTH = 20;

interface Instance {
  id: number;
  process: CompiledProcess;
  state: InstanceState | null;
  parent: { instance: Instance; elementId: string } | null;
  /** Running children by call activity element id. */
  children: Map<string, Instance>;
  depth: number;
}

export function simulate(process: CompiledProcess, scenario: Scenario, options: SimulationOptions = {}): SimulationResult {
  return new Simulation(process, scenario, options.library ?? new Map()).run();
}

class Simulation {
  private now: Date;
  private nextId = 1;
  private readonly root: Instance;
  private readonly instances: Instance[] = [];
  private readonly timers = new Map<string, { instance: Instance; scope?: string; timerId: string; dueAt: string }>();
  private readonly queue: { instance: Instance; event: EngineEvent }[] = [];
  private readonly path: string[] = [];
  private readonly incidents: Incident[] = [];
  private readonly failures: string[] = [];
  private readonly effects: Effect[] = [];

  constructor(
    process: CompiledProcess,
    private readonly scenario: Scenario,
    private readonly library: ReadonlyMap<string, CompiledProcess>,
  ) {
    this.now = parseInstant(scenario.startAt ?? DEFAULT_START) ?? new Date(DEFAULT_START);
    this.root = this.create(process, null, 0);
  }

  run(): SimulationResult {
    try {
      this.begin(this.root, this.scenario.variables);
      this.drain();
      for (const [index, step] of this.scenario.steps.entries()) {
        if (!this.step(step, index)) break;
      }
    } catch (error) {
      this.failures.push(error instanceof Error ? error.message : String(error));
      return this.result('error');
    }
    return this.result();
  }

  private create(process: CompiledProcess, parent: Instance['parent'], depth: number): Instance {
    const instance: Instance = { id: this.nextId++, process, state: null, parent, children: new Map(), depth };
    this.instances.push(instance);
    return instance;
  }

  private begin(instance: Instance, variables: Variables): void {
    this.apply(instance, start(instance.process, variables, { now: this.now.toISOString() }));
  }

  private result(forced?: 'error'): SimulationResult {
    const state = this.root.state;
    const status = forced ?? (state === null ? 'error' : state.status === 'completed' ? 'completed' : state.status === 'incident' ? 'incident' : 'waiting');
    return { status, path: this.path, active: this.waiting(this.root), variables: state?.variables ?? {}, incidents: this.incidents, failures: this.failures, effects: this.effects };
  }

  /** What waits in an instance, with running children and scoped runs shown by what waits in them. */
  private waiting(instance: Instance): string[] {
    return (instance.state?.active ?? []).flatMap((id) => {
      const child = instance.children.get(id);
      return child ? this.waiting(child) : [id];
    }).filter((id) => !Object.keys(instance.state?.scopes ?? {}).some((k) => k.startsWith(`${id}#`))).concat(runsWaiting(instance.state));
  }

  /** Carries out one step; false stops the run (an unmet expectation or a refused step). */
  private step(step: ScenarioStep, index: number): boolean {
    const where = `step ${index + 1}`;
    try {
      if ('expect' in step) return this.check(step.expect, where);
      if ('advance' in step) {
        const d = parseDuration(step.advance);
        if (!d) throw new Error(`${where}: "${step.advance}" is not an ISO 8601 duration`);
        this.advanceTo(addDuration(this.now, d));
        return true;
      }
      if ('complete' in step) this.toWaiting(step.complete, { type: 'task.completed', elementId: step.complete, variables: step.variables ?? {}, ...(step.loopIndex === undefined ? {} : { loopIndex: step.loopIndex }) });
      else if ('throwError' in step) this.toWaiting(step.throwError, { type: 'error.thrown', elementId: step.throwError, code: step.code, variables: step.variables });
      else if ('escalate' in step) this.toWaiting(step.escalate, { type: 'escalation.thrown', elementId: step.escalate, code: step.code, variables: step.variables });
      else if ('message' in step) this.publish({ type: 'message.received', name: step.message, correlationKey: step.correlationKey ?? null, variables: step.variables }, false);
      else if ('signal' in step) this.publish({ type: 'signal.received', name: step.signal, variables: step.variables }, true);
      this.drain();
      return true;
    } catch (error) {
      if (error instanceof EngineError) {
        this.failures.push(`${where}: ${error.message}`);
        return false;
      }
      throw error;
    }
  }

  /** Sends an element event to the (most recently started) instance, or scoped run, waiting at that element. */
  private toWaiting(elementId: string, given: EngineEvent): void {
    let event = given;
    let target = this.root;
    let found: { scope: string | null; state: InstanceState } | null = null;
    for (const instance of [...this.instances].reverse()) {
      if (instance.state?.status !== 'active') continue;
      found = findWaiting(instance.state, elementId, null);
      if (found) {
        target = instance;
        break;
      }
    }
    if (found?.scope) event = { ...event, scope: found.scope };
    // A run of a multi-instance task not named: the first one still open.
    const loop = found?.state.loops?.[elementId];
    if (event.type === 'task.completed' && event.loopIndex === undefined && loop) event = { ...event, loopIndex: Math.min(...loop.active) };
    this.queue.push({ instance: target, event });
  }

  /** A message goes to the first instance that accepts it; a signal to every one that does. */
  private publish(event: EngineEvent, broadcast: boolean): void {
    let delivered = false;
    for (const instance of this.instances) {
      if (instance.state?.status !== 'active') continue;
      try {
        this.apply(instance, send(instance.process, instance.state, event, { now: this.now.toISOString() }));
        delivered = true;
        if (!broadcast) break;
      } catch (error) {
        if (!(error instanceof EngineError && error.code === 'EVENT_NOT_ACCEPTED')) throw error;
      }
    }
    if (!delivered) throw new EngineError('EVENT_NOT_ACCEPTED', `No instance is waiting for ${event.type === 'signal.received' ? 'signal' : 'message'} "${'name' in event ? event.name : ''}".`);
  }

  private check(expect: Extract<ScenarioStep, { expect: unknown }>['expect'], where: string): boolean {
    const actual = this.result();
    const problems: string[] = [];
    if (expect.status !== undefined && expect.status !== actual.status) problems.push(`status: expected "${expect.status}", got "${actual.status}"`);
    if (expect.active !== undefined && !sameSet(expect.active, actual.active)) problems.push(`active: expected ${JSON.stringify([...expect.active].sort())}, got ${JSON.stringify([...actual.active].sort())}`);
    if (expect.path !== undefined && JSON.stringify(expect.path) !== JSON.stringify(actual.path)) problems.push(`path: expected ${JSON.stringify(expect.path)}, got ${JSON.stringify(actual.path)}`);
    for (const [name, value] of Object.entries(expect.variables ?? {})) {
      if (JSON.stringify(actual.variables[name]) !== JSON.stringify(value)) problems.push(`variables.${name}: expected ${JSON.stringify(value)}, got ${JSON.stringify(actual.variables[name] ?? null)}`);
    }
    if (problems.length === 0) return true;
    this.failures.push(`${where} (expect):\n  - ${problems.join('\n  - ')}`);
    return false;
  }

  /** Fires every timer due by `until`, earliest first (cycles may fire several times). */
  private advanceTo(until: Date): void {
    for (let guard = 0; guard < 10_000; guard++) {
      const next = [...this.timers.entries()].sort((a, b) => a[1].dueAt.localeCompare(b[1].dueAt) || a[0].localeCompare(b[0]))[0];
      if (!next || next[1].dueAt > until.toISOString()) break;
      const [key, timer] = next;
      this.timers.delete(key);
      this.now = new Date(timer.dueAt);
      this.queue.push({ instance: timer.instance, event: { type: 'timer.fired', timerId: timer.timerId, dueAt: timer.dueAt, ...(timer.scope ? { scope: timer.scope } : {}) } });
      this.drain();
    }
    this.now = until;
  }

  private drain(): void {
    while (this.queue.length > 0) {
      const { instance, event } = this.queue.shift()!;
      if (instance.state?.status !== 'active') continue;
      this.apply(instance, send(instance.process, instance.state, event, { now: this.now.toISOString() }));
    }
  }

  /** The host's side of a step: remember state, keep timers, run jobs and children, record the path. */
  private apply(instance: Instance, result: StepResult): void {
    instance.state = result.state;
    for (const effect of result.effects) {
      this.effects.push(effect);
      switch (effect.type) {
        case 'audit':
          this.path.push(effect.elementId);
          break;
        case 'scheduleTimer':
          this.timers.set(`${instance.id}:${effect.scope ?? ''}:${effect.timerId}`, { instance, scope: effect.scope, timerId: effect.timerId, dueAt: effect.dueAt });
          break;
        case 'cancelTimer':
          this.timers.delete(`${instance.id}:${effect.scope ?? ''}:${effect.timerId}`);
          break;
        case 'cancelScope':
          for (const [key, timer] of [...this.timers]) {
            if (timer.instance === instance && timer.scope !== undefined && (timer.scope === effect.scope || timer.scope.startsWith(`${effect.scope}/`))) this.timers.delete(key);
          }
          break;
        case 'raiseIncident':
          this.incidents.push(effect.incident);
          break;
        case 'startJob': {
          const mock = this.scenario.services[effect.elementId] ?? this.scenario.services[effect.taskType];
          const scope = effect.scope ? { scope: effect.scope } : {};
          if (mock && 'error' in mock) this.queue.push({ instance, event: { type: 'error.thrown', elementId: effect.elementId, code: mock.error, message: mock.message, ...scope } });
          else this.queue.push({ instance, event: { type: 'job.completed', elementId: effect.elementId, variables: mock?.result ?? {}, ...scope } });
          break;
        }
        case 'startChildInstance':
          this.startChild(instance, effect.elementId, effect.processKey, effect.variables);
          break;
        case 'cancelChildInstance':
          this.cancelChild(instance, effect.elementId);
          break;
        default:
          break;
      }
    }
    this.settleWithParent(instance);
  }

  private startChild(parent: Instance, elementId: string, key: string, variables: Variables): void {
    const process = this.library.get(key);
    if (!process) throw new EngineError('INVALID_DEFINITION', `Call activity "${elementId}" calls process "${key}", which was not found (put its definition beside this one, or name it with --with).`);
    if (parent.depth + 1 > MAX_CHILD_DEPTH) throw new EngineError('INVALID_DEFINITION', `Call activity "${elementId}" nests more than ${MAX_CHILD_DEPTH} child instances deep.`);
    const child = this.create(process, { instance: parent, elementId }, parent.depth + 1);
    parent.children.set(elementId, child);
    this.begin(child, variables);
  }

  private cancelChild(parent: Instance, elementId: string): void {
    const child = parent.children.get(elementId);
    if (!child) return;
    parent.children.delete(elementId);
    for (const key of [...this.timers.keys()]) if (this.timers.get(key)!.instance === child) this.timers.delete(key);
    if (child.state) child.state = { ...child.state, status: 'completed', active: [] };
  }

  /** A finished child resumes its parent; a child's uncaught business error goes to the call activity. */
  private settleWithParent(instance: Instance): void {
    const link = instance.parent;
    const state = instance.state;
    if (!link || !state || link.instance.children.get(link.elementId) !== instance) return;
    if (state.status === 'completed') {
      link.instance.children.delete(link.elementId);
      this.queue.push({ instance: link.instance, event: { type: 'child.completed', elementId: link.elementId, variables: state.variables } });
    } else if (state.status === 'incident' && state.incident?.code === 'UNHANDLED_ERROR' && state.incident.errorCode !== undefined) {
      link.instance.children.delete(link.elementId);
      this.queue.push({ instance: link.instance, event: { type: 'error.thrown', elementId: link.elementId, code: state.incident.errorCode } });
    }
  }
}

/** Where `elementId` waits in a state or, depth first, in its scoped runs. */
function findWaiting(state: InstanceState, elementId: string, scope: string | null): { scope: string | null; state: InstanceState } | null {
  if (state.active.includes(elementId) && !Object.keys(state.scopes ?? {}).some((k) => k.startsWith(`${elementId}#`))) return { scope, state };
  for (const [key, run] of Object.entries(state.scopes ?? {})) {
    const found = findWaiting(run, elementId, scope ? `${scope}/${key}` : key);
    if (found) return found;
  }
  return null;
}

/** What waits in the scoped runs of a state (and in theirs). */
function runsWaiting(state: InstanceState | null): string[] {
  return Object.values(state?.scopes ?? {}).flatMap((run) => [
    ...run.active.filter((id) => !Object.keys(run.scopes ?? {}).some((k) => k.startsWith(`${id}#`))),
    ...runsWaiting(run),
  ]);
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
}
