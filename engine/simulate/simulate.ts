/**
 * Runs a process in memory against a scenario, playing the host: a simulated clock and timer
 * table, mocked service jobs, and the scripted completions, messages and signals. Pure: the
 * same code serves the CLI, the tests and (later) the designer's test runs in the browser.
 */
import type { CompiledProcess } from '../compile/compile';
import { EngineError } from '../runtime/errors';
import { send, start } from '../runtime/step';
import type { Effect, EngineEvent, Incident, InstanceState, StepResult, Variables } from '../runtime/types';
import { addDuration, parseDuration, parseInstant } from '../time/iso8601';
import type { Scenario, ScenarioStep } from './scenario';

export interface SimulationResult {
  status: 'completed' | 'waiting' | 'incident' | 'error';
  /** Element ids in the order they completed. */
  path: string[];
  /** Element ids waiting. */
  active: string[];
  variables: Variables;
  incidents: Incident[];
  /** Unmet expectations and refused steps, readable. */
  failures: string[];
  /** Effects the host would have carried out, in order (for debugging scenarios). */
  effects: Effect[];
}

const DEFAULT_START = '2026-01-01T00:00:00.000Z';

export function simulate(process: CompiledProcess, scenario: Scenario): SimulationResult {
  const sim = new Simulation(process, scenario);
  return sim.run();
}

class Simulation {
  private state: InstanceState | null = null;
  private now: Date;
  private readonly timers = new Map<string, string>();
  private readonly queue: EngineEvent[] = [];
  private readonly path: string[] = [];
  private readonly incidents: Incident[] = [];
  private readonly failures: string[] = [];
  private readonly effects: Effect[] = [];

  constructor(
    private readonly process: CompiledProcess,
    private readonly scenario: Scenario,
  ) {
    this.now = parseInstant(scenario.startAt ?? DEFAULT_START) ?? new Date(DEFAULT_START);
  }

  run(): SimulationResult {
    try {
      this.apply(start(this.process, this.scenario.variables, { now: this.now.toISOString() }));
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

  private result(forced?: 'error'): SimulationResult {
    const state = this.state;
    const status = forced ?? (state === null ? 'error' : state.status === 'completed' ? 'completed' : state.status === 'incident' ? 'incident' : 'waiting');
    return { status, path: this.path, active: state?.active ?? [], variables: state?.variables ?? {}, incidents: this.incidents, failures: this.failures, effects: this.effects };
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
      if ('complete' in step) this.queue.push({ type: 'task.completed', elementId: step.complete, variables: step.variables ?? {} });
      else if ('throwError' in step) this.queue.push({ type: 'error.thrown', elementId: step.throwError, code: step.code, variables: step.variables });
      else if ('escalate' in step) this.queue.push({ type: 'escalation.thrown', elementId: step.escalate, code: step.code, variables: step.variables });
      else if ('message' in step) this.queue.push({ type: 'message.received', name: step.message, correlationKey: step.correlationKey ?? null, variables: step.variables });
      else if ('signal' in step) this.queue.push({ type: 'signal.received', name: step.signal, variables: step.variables });
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
      const next = [...this.timers.entries()].sort((a, b) => a[1].localeCompare(b[1]) || a[0].localeCompare(b[0]))[0];
      if (!next || next[1] > until.toISOString()) break;
      const [timerId, dueAt] = next;
      this.timers.delete(timerId);
      this.now = new Date(dueAt);
      this.queue.push({ type: 'timer.fired', timerId, dueAt });
      this.drain();
    }
    this.now = until;
  }

  private drain(): void {
    while (this.queue.length > 0 && this.state?.status === 'active') {
      const event = this.queue.shift()!;
      this.apply(send(this.process, this.state, event, { now: this.now.toISOString() }));
    }
  }

  /** The host's side of a step: remember state, keep timers, run mocked jobs, record the path. */
  private apply(result: StepResult): void {
    this.state = result.state;
    for (const effect of result.effects) {
      this.effects.push(effect);
      switch (effect.type) {
        case 'audit':
          this.path.push(effect.elementId);
          break;
        case 'scheduleTimer':
          this.timers.set(effect.timerId, effect.dueAt);
          break;
        case 'cancelTimer':
          this.timers.delete(effect.timerId);
          break;
        case 'raiseIncident':
          this.incidents.push(effect.incident);
          break;
        case 'startJob': {
          const mock = this.scenario.services[effect.elementId] ?? this.scenario.services[effect.taskType];
          if (mock && 'error' in mock) this.queue.push({ type: 'error.thrown', elementId: effect.elementId, code: mock.error, message: mock.message });
          else this.queue.push({ type: 'job.completed', elementId: effect.elementId, variables: mock?.result ?? {} });
          break;
        }
        default:
          break;
      }
    }
  }
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
}
