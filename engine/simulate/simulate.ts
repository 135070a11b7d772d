/**
 * Runs a process in memory against a scenario: starts it on the simulated host (`host.ts`), plays
 * the scripted completions, jobs, errors, clock moves, messages and signals, and checks the
 * expectations. Pure: the same code serves the CLI, the tests and (later) the designer's test
 * runs in the browser.
 */
import type { CompiledProcess } from '../compile/compile';
import { EngineError } from '../runtime/errors';
import type { Effect, Incident, Variables } from '../runtime/types';
import { parseDuration } from '../time/iso8601';
import { SimulatedHost, type InstanceView, type UserTaskRecord } from './host';
import type { ExpectedTask, Scenario, ScenarioStep } from './scenario';

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

export function simulate(
  process: CompiledProcess,
  scenario: Scenario,
  options: SimulationOptions = {},
): SimulationResult {
  return replay(process, scenario, options).result;
}

/** A simulation with the host it ran on, to ask what is open now (the designer's test run). */
export interface Replay {
  result: SimulationResult;
  host: SimulatedHost;
  /** The instance the scenario started; null when it could not start. */
  rootId: number | null;
  /** How many steps ran before one failed (all of them when none did). */
  stepsRun: number;
}

/**
 * Runs the scenario and keeps the host: the designer's test run is a scenario grown a step at a
 * time and replayed from the start after each (the engine is pure and deterministic, so the replay
 * is the run), which is also why a test run saved as a scenario passes in `trellis test`.
 */
export function replay(process: CompiledProcess, scenario: Scenario, options: SimulationOptions = {}): Replay {
  const host = new SimulatedHost({
    library: options.library,
    startAt: scenario.startAt,
    services: scenario.services,
    unmockedJobs: scenario.jobs,
  });
  const failures: string[] = [];
  let root: InstanceView | null = null;
  let stepsRun = 0;
  try {
    root = host.start(process, scenario.variables);
    for (const [index, step] of scenario.steps.entries()) {
      if (!runStep(host, root.id, step, `step ${index + 1}`, failures)) break;
      stepsRun = index + 1;
    }
  } catch (error) {
    failures.push(error instanceof Error ? error.message : String(error));
    return { result: resultOf(host, root?.id ?? null, failures, 'error'), host, rootId: root?.id ?? null, stepsRun };
  }
  return { result: resultOf(host, root.id, failures), host, rootId: root.id, stepsRun };
}

function resultOf(host: SimulatedHost, rootId: number | null, failures: string[], forced?: 'error'): SimulationResult {
  const state = rootId === null ? null : (host.instance(rootId)?.state ?? null);
  const status =
    forced ??
    (state === null
      ? 'error'
      : state.status === 'completed'
        ? 'completed'
        : state.status === 'incident'
          ? 'incident'
          : 'waiting');
  return {
    status,
    path: host.path,
    active: rootId === null ? [] : host.waiting(rootId),
    variables: state?.variables ?? {},
    incidents: host.incidents,
    failures,
    effects: host.effects,
  };
}

/** Carries out one step; false stops the run (an unmet expectation or a refused step). */
function runStep(host: SimulatedHost, rootId: number, step: ScenarioStep, where: string, failures: string[]): boolean {
  try {
    if ('expect' in step) {
      const problems = check(host, rootId, step.expect);
      if (problems.length === 0) return true;
      failures.push(`${where} (expect):\n  - ${problems.join('\n  - ')}`);
      return false;
    }
    if ('advance' in step) {
      const d = parseDuration(step.advance);
      if (!d) throw new Error(`${where}: "${step.advance}" is not an ISO 8601 duration`);
      host.advance(d);
    } else if ('complete' in step) {
      host.sendToWaiting(step.complete, {
        type: 'task.completed',
        elementId: step.complete,
        variables: step.variables ?? {},
        ...(step.loopIndex === undefined ? {} : { loopIndex: step.loopIndex }),
      });
    } else if ('completeJob' in step) {
      host.completeJob(openJob(host, step.completeJob), step.variables ?? {});
    } else if ('throwError' in step) {
      const job = host
        .jobs()
        .find((j) => j.state === 'created' && (j.elementId === step.throwError || j.taskType === step.throwError));
      if (job) host.throwJobError(job, step.code, step.message, step.variables);
      else
        host.sendToWaiting(step.throwError, {
          type: 'error.thrown',
          elementId: step.throwError,
          code: step.code,
          ...(step.message ? { message: step.message } : {}),
          variables: step.variables,
        });
    } else if ('escalate' in step) {
      host.sendToWaiting(step.escalate, {
        type: 'escalation.thrown',
        elementId: step.escalate,
        code: step.code,
        variables: step.variables,
      });
    } else if ('message' in step) {
      host.publish({
        type: 'message.received',
        name: step.message,
        correlationKey: step.correlationKey ?? null,
        variables: step.variables,
      });
    } else if ('signal' in step) {
      host.publish({ type: 'signal.received', name: step.signal, variables: step.variables });
    }
    return true;
  } catch (error) {
    if (error instanceof EngineError) {
      failures.push(`${where}: ${error.message}`);
      return false;
    }
    throw error;
  }
}

/** The open job at a service task (by id) or of a task type; the first one opened. */
function openJob(host: SimulatedHost, name: string) {
  const job = host.jobs().find((j) => j.state === 'created' && (j.elementId === name || j.taskType === name));
  if (job) return job;
  const open = host
    .jobs()
    .filter((j) => j.state === 'created')
    .map((j) => `${j.elementId} (${j.taskType})`);
  throw new EngineError(
    'ELEMENT_NOT_ACTIVE',
    `No job is open at "${name}" (open jobs: ${open.join(', ') || 'none'}). Jobs stay open only with "jobs": "wait"; otherwise they complete at once.`,
  );
}

type Expectation = Extract<ScenarioStep, { expect: unknown }>['expect'];

function check(host: SimulatedHost, rootId: number, expect: Expectation): string[] {
  const actual = resultOf(host, rootId, []);
  const problems: string[] = [];
  if (expect.status !== undefined && expect.status !== actual.status)
    problems.push(`status: expected "${expect.status}", got "${actual.status}"`);
  if (expect.active !== undefined && !sameSet(expect.active, actual.active))
    problems.push(
      `active: expected ${JSON.stringify([...expect.active].sort())}, got ${JSON.stringify([...actual.active].sort())}`,
    );
  if (expect.path !== undefined && JSON.stringify(expect.path) !== JSON.stringify(actual.path))
    problems.push(`path: expected ${JSON.stringify(expect.path)}, got ${JSON.stringify(actual.path)}`);
  for (const [name, value] of Object.entries(expect.variables ?? {})) {
    if (JSON.stringify(actual.variables[name]) !== JSON.stringify(value))
      problems.push(
        `variables.${name}: expected ${JSON.stringify(value)}, got ${JSON.stringify(actual.variables[name] ?? null)}`,
      );
  }
  if (expect.tasks !== undefined)
    problems.push(
      ...checkTasks(
        expect.tasks,
        host.tasks().filter((t) => t.state === 'created'),
      ),
    );
  return problems;
}

/** Each expected task matches one open task at its element; open tasks left over are unexpected. */
export function checkTasks(expected: readonly ExpectedTask[], open: readonly UserTaskRecord[]): string[] {
  const problems: string[] = [];
  const left = [...open];
  for (const want of expected) {
    const at = left.filter((t) => t.elementId === want.element);
    const task = at.find((t) => taskDiffers(want, t).length === 0) ?? at[0];
    if (!task) {
      problems.push(
        `tasks: expected an open task at "${want.element}", but none is open there (open: ${describeOpen(left)})`,
      );
      continue;
    }
    left.splice(left.indexOf(task), 1);
    problems.push(...taskDiffers(want, task).map((d) => `tasks.${want.element}.${d}`));
  }
  for (const extra of left) problems.push(`tasks: unexpected open task at "${extra.elementId}"`);
  return problems;
}

function taskDiffers(want: ExpectedTask, task: UserTaskRecord): string[] {
  const out: string[] = [];
  const sorted = (list: readonly string[]) => JSON.stringify([...new Set(list)].sort());
  if (want.candidateGroups !== undefined && sorted(want.candidateGroups) !== sorted(task.candidateGroups))
    out.push(`candidateGroups: expected ${sorted(want.candidateGroups)}, got ${sorted(task.candidateGroups)}`);
  if (want.candidateUsers !== undefined && sorted(want.candidateUsers) !== sorted(task.candidateUsers))
    out.push(`candidateUsers: expected ${sorted(want.candidateUsers)}, got ${sorted(task.candidateUsers)}`);
  if (want.assignee !== undefined && want.assignee !== task.assignee)
    out.push(`assignee: expected ${JSON.stringify(want.assignee)}, got ${JSON.stringify(task.assignee)}`);
  return out;
}

function describeOpen(tasks: readonly UserTaskRecord[]): string {
  return tasks.map((t) => t.elementId).join(', ') || 'none';
}

function sameSet(a: string[], b: string[]): boolean {
  return a.length === b.length && [...a].sort().every((x, i) => x === [...b].sort()[i]);
}
