/**
 * Runs Camunda Process Test JSON test cases (`*.test.json`, see camunda-test-case-schema.ts)
 * against compiled processes on the simulated host, so teams moving from Camunda 8 keep their
 * tests. Each test case gets a fresh host; its instructions run in order and the first that fails
 * ends it, as in Camunda's runner. Jobs wait for COMPLETE_JOB (or a mocked worker), as they do in
 * an engine without workers; the clock starts at `startAt` and moves only when told.
 *
 * A test case never throws: a refused step, an unmet assertion or an instruction Trellis cannot
 * play becomes a readable failure.
 */
import type { CompiledProcess } from '../compile/compile';
import type { LocalizedText } from '../model/definition';
import { toKey } from '../model/keys';
import { parseDuration, parseInstant } from '../time/iso8601';
import {
  parseCamundaTestCases,
  type CamundaTestCase,
  type CamundaTestCaseFile,
  type Instruction,
} from './camunda-test-case-schema';
import {
  SimulatedHost,
  elementIndex,
  type ElementInstance,
  type InstanceView,
  type JobRecord,
  type UserTaskRecord,
} from './host';

export {
  parseCamundaTestCases,
  type CamundaTestCase,
  type CamundaTestCaseFile,
  type CamundaTestCaseParse,
} from './camunda-test-case-schema';

export interface CamundaTestCaseResult {
  name: string;
  passed: boolean;
  /** Why it failed, naming the instruction: expected against actual. */
  failures: string[];
}

export interface CamundaTestCaseOptions {
  /** The simulated clock's start (default 2026-01-01T00:00:00Z). */
  startAt?: string;
  /** Files beside the test case that could not be loaded (named when a process is not found). */
  notLoaded?: readonly string[];
}

/**
 * The processes a test case may start or call, keyed by BPMN process id or Trellis key: a
 * selector's `processDefinitionId` is looked up as given, then as `toKey(id)`, then among the
 * processes' keys — so `ReviewInvoice` finds the process imported as `review-invoice`.
 */
export type ProcessCatalog = ReadonlyMap<string, CompiledProcess>;

/** Zeebe's default message time-to-live (the Java client's), used when PUBLISH_MESSAGE gives none. */
const DEFAULT_MESSAGE_TTL_MS = 60 * 60 * 1000;
/** Camunda's priority of a user task that sets none. */
const DEFAULT_TASK_PRIORITY = 50;

/** Parses a file and runs every test case; a malformed file runs nothing and says why. */
export function runCamundaTestCaseFile(
  json: unknown,
  processes: ProcessCatalog,
  options: CamundaTestCaseOptions = {},
): { errors: string[]; results: CamundaTestCaseResult[] } {
  const parsed = parseCamundaTestCases(json);
  if (!parsed.ok) return { errors: parsed.errors, results: [] };
  return { errors: [], results: runCamundaTestCases(parsed.file, processes, options) };
}

export function runCamundaTestCases(
  file: CamundaTestCaseFile,
  processes: ProcessCatalog,
  options: CamundaTestCaseOptions = {},
): CamundaTestCaseResult[] {
  return file.testCases.map((testCase) => runCamundaTestCase(testCase, processes, options));
}

export function runCamundaTestCase(
  testCase: CamundaTestCase,
  processes: ProcessCatalog,
  options: CamundaTestCaseOptions = {},
): CamundaTestCaseResult {
  const { name } = testCase;
  // Refuse up front, all at once: a run cut short by a step we cannot play proves nothing.
  const refused = testCase.instructions.flatMap((p, i) => {
    const reason = p.supported ? unsupportedUse(p.instruction) : p.reason;
    return reason
      ? [`instruction #${i + 1} (${p.supported ? p.instruction.type : p.type}): not supported — ${reason}`]
      : [];
  });
  if (refused.length > 0) return { name, passed: false, failures: refused };

  const run = new TestCaseRun(processes, options);
  for (const [i, p] of testCase.instructions.entries()) {
    if (!p.supported) continue;
    let problem: string | null;
    try {
      problem = run.execute(p.instruction);
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    if (problem !== null)
      return { name, passed: false, failures: [`instruction #${i + 1} (${p.instruction.type}): ${problem}`] };
  }
  return { name, passed: true, failures: [] };
}

/** A supported instruction asking for something Trellis has no counterpart for. */
function unsupportedUse(instruction: Instruction): string | null {
  switch (instruction.type) {
    case 'CREATE_PROCESS_INSTANCE':
      return instruction.startInstructions?.length
        ? 'startInstructions (starting before a chosen element); instances start at their start event'
        : null;
    case 'COMPLETE_USER_TASK':
    case 'COMPLETE_JOB':
    case 'MOCK_JOB_WORKER_COMPLETE_JOB':
      return instruction.useExampleData
        ? 'useExampleData (the BPMN example data is not imported); give the variables'
        : null;
    case 'UPDATE_VARIABLES':
    case 'ASSERT_VARIABLES':
      return instruction.elementSelector
        ? 'elementSelector (local variables); Trellis keeps process variables only'
        : null;
    case 'ASSERT_USER_TASK':
      return instruction.followUpDate !== undefined ? 'followUpDate; Trellis user tasks have no follow-up date' : null;
    default:
      return null;
  }
}

type ProcessInstanceSelector = { processDefinitionId: string };
type ElementSelector = { elementId?: string; elementName?: string };
type UserTaskSelector = { elementId?: string; taskName?: string; processDefinitionId?: string };
type JobSelector = { jobType?: string; elementId?: string; processDefinitionId?: string };

class TestCaseRun {
  private readonly host: SimulatedHost;

  private readonly notLoaded: readonly string[];

  constructor(
    private readonly processes: ProcessCatalog,
    options: CamundaTestCaseOptions,
  ) {
    this.notLoaded = options.notLoaded ?? [];
    const library = new Map([...processes.values()].map((p) => [p.definition.key, p] as const));
    this.host = new SimulatedHost({ library, startAt: options.startAt, unmockedJobs: 'wait' });
  }

  /** Carries out one instruction; a string says why it failed. */
  execute(instruction: Instruction): string | null {
    const host = this.host;
    switch (instruction.type) {
      case 'CREATE_PROCESS_INSTANCE': {
        const id = instruction.processDefinitionSelector.processDefinitionId;
        const process = this.processFor(id);
        if (!process) {
          const missing = this.notLoaded.length > 0 ? `; not loaded: ${this.notLoaded.join(', ')}, see why above` : '';
          return `no process "${id}" was given to the test run (known: ${[...this.processes.keys()].join(', ') || 'none'}${missing})`;
        }
        host.start(process, instruction.variables ?? {}, {
          terminateAfter: (instruction.runtimeInstructions ?? []).map((r) => r.afterElementId),
        });
        return null;
      }
      case 'COMPLETE_USER_TASK': {
        const task = host
          .tasks()
          .find((t) => t.state === 'created' && this.taskMatches(t, instruction.userTaskSelector));
        if (!task)
          return `no open user task matches ${describe(instruction.userTaskSelector)} (open tasks: ${this.openTasks()})`;
        host.completeTask(task, instruction.variables ?? {});
        return null;
      }
      case 'COMPLETE_JOB':
      case 'THROW_BPMN_ERROR_FROM_JOB': {
        const job = host.jobs().find((j) => j.state === 'created' && this.jobMatches(j, instruction.jobSelector));
        if (!job) return `no open job matches ${describe(instruction.jobSelector)} (open jobs: ${this.openJobs()})`;
        if (instruction.type === 'COMPLETE_JOB') host.completeJob(job, instruction.variables ?? {});
        else host.throwJobError(job, instruction.errorCode, instruction.errorMessage, instruction.variables);
        return null;
      }
      case 'MOCK_JOB_WORKER_COMPLETE_JOB':
        host.mockWorker(instruction.jobType, { result: instruction.variables ?? {} });
        return null;
      case 'MOCK_JOB_WORKER_THROW_BPMN_ERROR':
        host.mockWorker(instruction.jobType, {
          error: instruction.errorCode,
          ...(instruction.errorMessage ? { message: instruction.errorMessage } : {}),
          ...(instruction.variables ? { variables: instruction.variables } : {}),
        });
        return null;
      case 'MOCK_CHILD_PROCESS':
        host.mockChild(this.keyFor(instruction.processDefinitionId), instruction.variables ?? {});
        return null;
      case 'PUBLISH_MESSAGE':
        // Published, not correlated: nobody waiting is fine; it waits for its time to live.
        host.publish(
          {
            type: 'message.received',
            name: instruction.name,
            correlationKey: instruction.correlationKey ?? null,
            variables: instruction.variables,
          },
          { keepFor: instruction.timeToLive ?? DEFAULT_MESSAGE_TTL_MS },
        );
        return null;
      case 'CORRELATE_MESSAGE':
        host.publish({
          type: 'message.received',
          name: instruction.name,
          correlationKey: instruction.correlationKey ?? null,
          variables: instruction.variables,
        });
        return null;
      case 'BROADCAST_SIGNAL':
        host.publish(
          { type: 'signal.received', name: instruction.signalName, variables: instruction.variables },
          { keepFor: 0 },
        );
        return null;
      case 'INCREASE_TIME': {
        const duration = parseDuration(instruction.duration);
        if (!duration) return `"${instruction.duration}" is not an ISO 8601 duration such as PT1H or P2D`;
        host.advance(duration);
        return null;
      }
      case 'SET_TIME': {
        const time = parseInstant(instruction.time);
        if (!time) return `"${instruction.time}" is not an ISO 8601 instant such as 2026-03-15T10:00:00Z`;
        host.advanceTo(time);
        return null;
      }
      case 'UPDATE_VARIABLES':
        host.updateVariables(this.instanceOf(instruction.processInstanceSelector).id, instruction.variables);
        return null;
      case 'ASSERT_PROCESS_INSTANCE':
        return this.assertProcessInstance(instruction);
      case 'ASSERT_ELEMENT_INSTANCE': {
        const instance = this.instanceOf(instruction.processInstanceSelector);
        const target = this.elementsOf(instance, instruction.elementSelector);
        const expected = instruction.amount ?? 1;
        const state = ELEMENT_STATES[instruction.state];
        const found = this.history(instance).filter(
          (r) => target.ids.includes(r.elementId) && r.state === state,
        ).length;
        if (found === expected) return null;
        return `expected ${expected} ${state} instance${expected === 1 ? '' : 's'} of ${target.label} in ${this.describeInstance(instance)}, found ${found} (${this.summary(instance, target.ids)})`;
      }
      case 'ASSERT_ELEMENT_INSTANCES':
        return this.assertElementInstances(instruction);
      case 'ASSERT_USER_TASK':
        return this.assertUserTask(instruction);
      case 'ASSERT_VARIABLES': {
        const instance = this.instanceOf(instruction.processInstanceSelector);
        const actual = instance.state?.variables ?? {};
        const problems: string[] = [];
        const missing = (instruction.variableNames ?? []).filter((n) => !Object.hasOwn(actual, n));
        if (missing.length > 0)
          problems.push(`missing variable${missing.length > 1 ? 's' : ''} ${missing.map((n) => `"${n}"`).join(', ')}`);
        for (const [name, value] of Object.entries(instruction.variables ?? {})) {
          if (!Object.hasOwn(actual, name))
            problems.push(`${name}: expected ${JSON.stringify(value)}, but it is not set`);
          else if (!deepEqual(actual[name], value))
            problems.push(`${name}: expected ${JSON.stringify(value)}, got ${JSON.stringify(actual[name])}`);
        }
        return problems.length === 0 ? null : `variables of ${this.describeInstance(instance)}: ${problems.join('; ')}`;
      }
      case 'ASSERT_PROCESS_INSTANCE_MESSAGE_SUBSCRIPTION': {
        const instance = this.instanceOf(instruction.processInstanceSelector);
        const { messageName, correlationKey } = instruction.messageSelector;
        const subs = host
          .subscriptions()
          .filter(
            (s) =>
              s.instanceId === instance.id &&
              s.kind === 'message' &&
              s.name === messageName &&
              (correlationKey === undefined || s.correlationKey === correlationKey),
          );
        const label = `message "${messageName}"${correlationKey === undefined ? '' : ` with correlation key "${correlationKey}"`}`;
        const waiting = subs.some((s) => s.state === 'waiting');
        if (instruction.state === 'IS_WAITING' && !waiting)
          return `expected ${this.describeInstance(instance)} to wait for ${label}, but it does not (${subs.length === 0 ? 'it never did' : `its subscriptions: ${subs.map((s) => s.state).join(', ')}`})`;
        if (instruction.state === 'IS_NOT_WAITING' && waiting)
          return `expected ${this.describeInstance(instance)} not to wait for ${label}, but it does`;
        if (instruction.state === 'IS_CORRELATED' && !subs.some((s) => s.state === 'correlated'))
          return `expected ${label} to have been correlated to ${this.describeInstance(instance)}, but it was not (${subs.length === 0 ? 'it never waited for it' : `its subscriptions: ${subs.map((s) => s.state).join(', ')}`})`;
        return null;
      }
    }
  }

  private assertProcessInstance(instruction: Extract<Instruction, { type: 'ASSERT_PROCESS_INSTANCE' }>): string | null {
    const instance = this.instanceOf(instruction.processInstanceSelector);
    const problems: string[] = [];
    const actual = instance.status === 'incident' ? 'active (with an incident)' : instance.status;
    const ok: Record<NonNullable<typeof instruction.state>, boolean> = {
      IS_CREATED: true,
      IS_ACTIVE: instance.status === 'active' || instance.status === 'incident',
      IS_COMPLETED: instance.status === 'completed',
      IS_TERMINATED: instance.status === 'terminated',
    };
    if (instruction.state && !ok[instruction.state]) {
      const waiting = this.host.waiting(instance.id);
      problems.push(
        `expected it to be ${instruction.state.slice(3).toLowerCase()}, but it is ${actual}${waiting.length > 0 ? ` (waiting at ${waiting.join(', ')})` : ''}`,
      );
    }
    const incident = instance.status === 'incident';
    if (instruction.hasActiveIncidents !== undefined && instruction.hasActiveIncidents !== incident) {
      problems.push(
        instruction.hasActiveIncidents
          ? 'expected an active incident, but it has none'
          : `expected no active incident, but it has one: ${instance.state?.incident?.message ?? ''}`,
      );
    }
    return problems.length === 0 ? null : `${this.describeInstance(instance)}: ${problems.join('; ')}`;
  }

  private assertElementInstances(
    instruction: Extract<Instruction, { type: 'ASSERT_ELEMENT_INSTANCES' }>,
  ): string | null {
    const instance = this.instanceOf(instruction.processInstanceSelector);
    const history = this.history(instance);
    const targets = instruction.elementSelectors.map((s) => this.elementsOf(instance, s));
    const runs = (ids: string[], state?: ElementInstance['state']) =>
      history.filter((r) => ids.includes(r.elementId) && (state === undefined || r.state === state));
    const where = `in ${this.describeInstance(instance)}`;
    const failing = (test: (ids: string[]) => boolean) => targets.filter((t) => !test(t.ids));
    const explain = (list: typeof targets) =>
      list.map((t) => `${t.label}: ${this.summary(instance, t.ids)}`).join('; ');
    switch (instruction.state) {
      case 'IS_ACTIVE':
      case 'IS_COMPLETED':
      case 'IS_TERMINATED': {
        const state = ELEMENT_STATES[instruction.state];
        const bad = failing((ids) => runs(ids, state).length > 0);
        return bad.length === 0 ? null : `expected ${labels(targets)} to be ${state} ${where}, but ${explain(bad)}`;
      }
      case 'IS_NOT_ACTIVE': {
        const bad = failing((ids) => runs(ids, 'active').length === 0);
        return bad.length === 0 ? null : `expected ${labels(targets)} not to be active ${where}, but ${explain(bad)}`;
      }
      case 'IS_NOT_ACTIVATED': {
        const bad = failing((ids) => runs(ids).length === 0);
        return bad.length === 0
          ? null
          : `expected ${labels(targets)} never to have been entered ${where}, but ${explain(bad)}`;
      }
      case 'IS_ACTIVE_EXACTLY': {
        const active = [...new Set(history.filter((r) => r.state === 'active').map((r) => r.elementId))].sort();
        const expected = [...new Set(targets.flatMap((t) => t.ids))].sort();
        const missing = targets.filter((t) => !t.ids.some((id) => active.includes(id)));
        const extra = active.filter((id) => !expected.includes(id));
        if (missing.length === 0 && extra.length === 0) return null;
        return `expected exactly ${labels(targets)} to be active ${where}, but the active elements are [${active.join(', ')}]`;
      }
      case 'IS_COMPLETED_IN_ORDER': {
        const all = targets.flatMap((t) => t.ids);
        const order = history
          .filter((r) => r.state === 'completed' && all.includes(r.elementId))
          .sort((a, b) => (a.endedAt ?? 0) - (b.endedAt ?? 0))
          .map((r) => r.elementId);
        // Each target in turn, at or after where the one before completed (repeats are ignored).
        let at = 0;
        for (const t of targets) {
          const found = order.findIndex((id, i) => i >= at && t.ids.includes(id));
          if (found < 0)
            return `expected ${labels(targets)} to complete in this order ${where}, but ${t.label} did not complete${at > 0 ? ` after the ones before it` : ''} (completion order: [${order.join(', ')}])`;
          at = found + 1;
        }
        return null;
      }
    }
  }

  private assertUserTask(instruction: Extract<Instruction, { type: 'ASSERT_USER_TASK' }>): string | null {
    const matching = this.host.tasks().filter((t) => this.taskMatches(t, instruction.userTaskSelector));
    // The open one if there is one, else the last created (a task completed and created again).
    const task = matching.find((t) => t.state === 'created') ?? matching[matching.length - 1];
    if (!task)
      return `no user task matches ${describe(instruction.userTaskSelector)} (tasks so far: ${
        this.host
          .tasks()
          .map((t) => `${t.elementId} (${t.state})`)
          .join(', ') || 'none'
      })`;
    const problems: string[] = [];
    const expect = (field: string, expected: unknown, actual: unknown, same: boolean) => {
      if (!same) problems.push(`${field}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    };
    if (instruction.state !== undefined)
      expect('state', instruction.state, TASK_STATES[task.state], TASK_STATES[task.state] === instruction.state);
    if (instruction.assignee !== undefined)
      expect('assignee', instruction.assignee, task.assignee, task.assignee === instruction.assignee);
    // Camunda's hasCandidateGroups: the task has (at least) all of them.
    if (instruction.candidateGroups !== undefined)
      expect(
        'candidateGroups',
        instruction.candidateGroups,
        task.candidateGroups,
        instruction.candidateGroups.every((g) => task.candidateGroups.includes(g)),
      );
    if (instruction.priority !== undefined)
      expect(
        'priority',
        instruction.priority,
        task.priority ?? DEFAULT_TASK_PRIORITY,
        (task.priority ?? DEFAULT_TASK_PRIORITY) === instruction.priority,
      );
    if (instruction.elementId !== undefined)
      expect('elementId', instruction.elementId, task.elementId, task.elementId === instruction.elementId);
    if (instruction.name !== undefined)
      expect('name', instruction.name, task.name, nameIs(task.name, instruction.name));
    if (instruction.dueDate !== undefined)
      expect('dueDate', instruction.dueDate, task.dueDate, sameInstant(task.dueDate, instruction.dueDate));
    return problems.length === 0 ? null : `user task ${describe(instruction.userTaskSelector)}: ${problems.join('; ')}`;
  }

  // ---- selectors -------------------------------------------------------------------------------

  private processFor(id: string): CompiledProcess | undefined {
    return (
      this.processes.get(id) ??
      this.processes.get(toKey(id)) ??
      [...this.processes.values()].find((p) => p.definition.key === toKey(id))
    );
  }

  private keyFor(id: string): string {
    return this.processFor(id)?.definition.key ?? toKey(id);
  }

  /** The first instance created of the process (Camunda's selector by process id finds the first too). */
  private instanceOf(selector: ProcessInstanceSelector): InstanceView {
    const key = this.keyFor(selector.processDefinitionId);
    const instance = this.host.instances().find((i) => i.process.definition.key === key);
    if (!instance) {
      const started = this.host.instances().map((i) => i.process.definition.key);
      throw new Error(
        `no instance of process "${selector.processDefinitionId}" was created (instances: ${[...new Set(started)].join(', ') || 'none'})`,
      );
    }
    return instance;
  }

  private elementsOf(instance: InstanceView, selector: ElementSelector): { label: string; ids: string[] } {
    if (selector.elementId !== undefined) return { label: `"${selector.elementId}"`, ids: [selector.elementId] };
    const name = selector.elementName ?? '';
    const ids = [...elementIndex(instance.process).elements.values()]
      .filter((e) => nameIs(e.name ?? null, name))
      .map((e) => e.id);
    if (ids.length === 0) throw new Error(`no element named "${name}" in process "${instance.process.definition.key}"`);
    return { label: `"${name}"`, ids };
  }

  private taskMatches(task: UserTaskRecord, selector: UserTaskSelector): boolean {
    if (selector.elementId !== undefined && task.elementId !== selector.elementId) return false;
    if (selector.taskName !== undefined && !nameIs(task.name, selector.taskName)) return false;
    if (
      selector.processDefinitionId !== undefined &&
      this.host.instance(task.instanceId)?.process.definition.key !== this.keyFor(selector.processDefinitionId)
    )
      return false;
    return true;
  }

  private jobMatches(job: JobRecord, selector: JobSelector): boolean {
    if (selector.jobType !== undefined && job.taskType !== selector.jobType) return false;
    // A looped service task's jobs run at `<id>__item` (engine/compile's expansion).
    if (
      selector.elementId !== undefined &&
      job.elementId !== selector.elementId &&
      job.elementId !== `${selector.elementId}__item`
    )
      return false;
    if (
      selector.processDefinitionId !== undefined &&
      this.host.instance(job.instanceId)?.process.definition.key !== this.keyFor(selector.processDefinitionId)
    )
      return false;
    return true;
  }

  // ---- descriptions ----------------------------------------------------------------------------

  private history(instance: InstanceView): readonly ElementInstance[] {
    return this.host.elementInstances(instance.id);
  }

  private describeInstance(instance: InstanceView): string {
    return `process "${instance.process.definition.key}"`;
  }

  /** What happened to some elements: "1 completed, 1 active", or "never entered". */
  private summary(instance: InstanceView, ids: string[]): string {
    const runs = this.history(instance).filter((r) => ids.includes(r.elementId));
    if (runs.length === 0) return 'never entered';
    const counts = new Map<string, number>();
    for (const r of runs) counts.set(r.state, (counts.get(r.state) ?? 0) + 1);
    return [...counts].map(([state, n]) => `${n} ${state}`).join(', ');
  }

  private openTasks(): string {
    return (
      this.host
        .tasks()
        .filter((t) => t.state === 'created')
        .map((t) => `${t.elementId} in "${this.host.instance(t.instanceId)?.process.definition.key ?? '?'}"`)
        .join(', ') || 'none'
    );
  }

  private openJobs(): string {
    return (
      this.host
        .jobs()
        .filter((j) => j.state === 'created')
        .map((j) => `${j.elementId} (type "${j.taskType}")`)
        .join(', ') || 'none'
    );
  }
}

const ELEMENT_STATES = { IS_ACTIVE: 'active', IS_COMPLETED: 'completed', IS_TERMINATED: 'terminated' } as const;
const TASK_STATES: Record<UserTaskRecord['state'], string> = {
  created: 'IS_CREATED',
  completed: 'IS_COMPLETED',
  canceled: 'IS_CANCELED',
};

function labels(targets: { label: string }[]): string {
  return `[${targets.map((t) => t.label).join(', ')}]`;
}

function describe(selector: Record<string, string | undefined>): string {
  return `{ ${Object.entries(selector)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}: "${v}"`)
    .join(', ')} }`;
}

function nameIs(name: LocalizedText | null, text: string): boolean {
  if (name === null) return false;
  return typeof name === 'string' ? name === text : Object.values(name).includes(text);
}

function sameInstant(actual: string | null, expected: string): boolean {
  if (actual === null) return false;
  const a = parseInstant(actual);
  const b = parseInstant(expected);
  return a && b ? a.getTime() === b.getTime() : actual === expected;
}

/** Structural equality of JSON values; object keys in any order. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return (
    ka.length === kb.length &&
    ka.every(
      (k) => Object.hasOwn(b, k) && deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]),
    )
  );
}
