/**
 * The in-memory host the simulations run on: a simulated clock and timer table, service jobs
 * (mocked, or held until a step completes them), child instances for call activities, and the
 * records a host keeps and a test asserts on — user tasks, jobs, message subscriptions and the
 * history of every element instance (active, completed, terminated) per process instance.
 *
 * It owns carrying out effects and remembering what happened; it never decides what a process
 * does (that is the engine's `start`/`send`) and never touches a real clock, file or network.
 * Both runners drive it: `simulate.ts` (Trellis scenarios) and `camunda-test-case.ts`.
 */
import type { CompiledProcess } from '../compile/compile';
import type { Element, LocalizedText } from '../model/definition';
import { EngineError } from '../runtime/errors';
import { send, start } from '../runtime/step';
import type { Effect, EngineEvent, Incident, InstanceState, StepResult, Variables } from '../runtime/types';
import { addDuration, parseInstant, type Duration } from '../time/iso8601';

/** What a mocked job does: complete with a result, or throw a business (BPMN) error. */
export type JobOutcome = { result: Variables } | { error: string; message?: string; variables?: Variables };

export interface HostOptions {
  /** Processes call activities may start, by process key. */
  library?: ReadonlyMap<string, CompiledProcess>;
  /** The simulated clock's start (default 2026-01-01T00:00:00Z). */
  startAt?: string;
  /** Job outcomes by service task id or task type. */
  services?: Readonly<Record<string, JobOutcome>>;
  /**
   * A job no mock covers: `complete` (default) completes it at once with no variables; `wait`
   * leaves it open until `completeJob` or `throwJobError`, as a real engine without a worker does.
   */
  unmockedJobs?: 'complete' | 'wait';
}

export type InstanceStatus = 'active' | 'completed' | 'terminated' | 'incident';

export interface InstanceView {
  readonly id: number;
  readonly process: CompiledProcess;
  readonly parent: { readonly id: number; readonly elementId: string } | null;
  readonly status: InstanceStatus;
  readonly state: InstanceState | null;
}

/** One run of an element in one process instance, as an engine's history shows it. */
export interface ElementInstance {
  instanceId: number;
  elementId: string;
  state: 'active' | 'completed' | 'terminated';
  /** When it ended, as a sequence number across the simulation (orders completions). */
  endedAt?: number;
}

export interface UserTaskRecord {
  instanceId: number;
  scope?: string;
  elementId: string;
  loopIndex?: number;
  name: LocalizedText | null;
  candidateGroups: string[];
  candidateUsers: string[];
  assignee: string | null;
  priority: number | null;
  dueDate: string | null;
  /** The task's own variables from its input mappings (what its form would show beside the process's). */
  inputs?: Variables;
  state: 'created' | 'completed' | 'canceled';
}

export interface JobRecord {
  instanceId: number;
  scope?: string;
  elementId: string;
  taskType: string;
  variables: Variables;
  state: 'created' | 'completed' | 'errorThrown' | 'canceled';
}

export interface SubscriptionRecord {
  instanceId: number;
  scope?: string;
  elementId: string;
  kind: 'message' | 'signal';
  name: string;
  correlationKey: string | null;
  state: 'waiting' | 'correlated' | 'closed';
}

export const DEFAULT_START = '2026-01-01T00:00:00.000Z';
/** Timer firings one clock move may cause (cycles), against runaway loops. */
const MAX_TIMER_FIRINGS = 10_000;

interface Instance {
  id: number;
  process: CompiledProcess;
  state: InstanceState | null;
  parent: { instance: Instance; elementId: string; scope?: string } | null;
  /** Running children by call activity (and scope, for runs of a multi-instance call). */
  children: Map<string, Instance>;
  depth: number;
  terminated: boolean;
  /** TERMINATE_PROCESS_INSTANCE after this element completes (Camunda's runtime instruction). */
  terminateAfter: Set<string>;
  history: ElementInstance[];
}

interface BufferedMessage {
  event: Extract<EngineEvent, { type: 'message.received' }>;
  expiresAt: string;
}

const childKey = (elementId: string, scope?: string) => `${scope ?? ''}|${elementId}`;
const inScope = (scope: string | undefined, cancelled: string) =>
  scope !== undefined && (scope === cancelled || scope.startsWith(`${cancelled}/`));

export class SimulatedHost {
  private now: Date;
  private nextId = 1;
  private sequence = 0;
  private readonly library: ReadonlyMap<string, CompiledProcess>;
  private readonly services: Record<string, JobOutcome>;
  /** Job workers mocked while running (by task type), after the scenario's services. */
  private readonly workers = new Map<string, JobOutcome>();
  private readonly mockedChildren = new Map<string, Variables>();
  private readonly unmockedJobs: 'complete' | 'wait';
  private readonly all: Instance[] = [];
  private readonly timers = new Map<
    string,
    { instance: Instance; scope?: string; timerId: string; elementId: string; dueAt: string }
  >();
  private readonly queue: { instance: Instance; event: EngineEvent }[] = [];
  private readonly buffered: BufferedMessage[] = [];
  private subscriptionOpened = false;
  private readonly taskRecords: UserTaskRecord[] = [];
  private readonly jobRecords: JobRecord[] = [];
  private readonly subscriptionRecords: SubscriptionRecord[] = [];
  /** Element ids in the order they completed, every instance's. */
  readonly path: string[] = [];
  readonly incidents: Incident[] = [];
  /** Effects carried out, in order (for debugging scenarios). */
  readonly effects: Effect[] = [];

  constructor(options: HostOptions = {}) {
    this.now = parseInstant(options.startAt ?? DEFAULT_START) ?? new Date(DEFAULT_START);
    this.library = options.library ?? new Map();
    this.services = { ...options.services };
    this.unmockedJobs = options.unmockedJobs ?? 'complete';
  }

  // ---- queries -------------------------------------------------------------------------------

  get clock(): string {
    return this.now.toISOString();
  }

  instances(): InstanceView[] {
    return this.all.map((i) => this.view(i));
  }

  instance(id: number): InstanceView | undefined {
    const found = this.all.find((i) => i.id === id);
    return found && this.view(found);
  }

  elementInstances(instanceId: number): readonly ElementInstance[] {
    return this.all.find((i) => i.id === instanceId)?.history ?? [];
  }

  tasks(): readonly UserTaskRecord[] {
    return this.taskRecords;
  }

  jobs(): readonly JobRecord[] {
    return this.jobRecords;
  }

  subscriptions(): readonly SubscriptionRecord[] {
    return this.subscriptionRecords;
  }

  /** Timers scheduled and not yet fired, earliest first: which element waits for each, and until when. */
  pendingTimers(): { instanceId: number; elementId: string; timerId: string; dueAt: string }[] {
    return [...this.timers.values()]
      .map((t) => ({ instanceId: t.instance.id, elementId: t.elementId, timerId: t.timerId, dueAt: t.dueAt }))
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.timerId.localeCompare(b.timerId));
  }

  /** What waits in an instance, with running children and scoped runs shown by what waits in them. */
  waiting(instanceId: number): string[] {
    const instance = this.all.find((i) => i.id === instanceId);
    return instance ? this.waitingIn(instance) : [];
  }

  // ---- actions (each runs until nothing more happens; refusals throw EngineError) ------------

  /** Starts an instance of `process` and runs it until it waits. */
  start(process: CompiledProcess, variables: Variables, options: { terminateAfter?: string[] } = {}): InstanceView {
    const instance = this.create(process, null, 0);
    for (const id of options.terminateAfter ?? []) instance.terminateAfter.add(id);
    this.apply(instance, start(process, variables, { now: this.clock }));
    this.drain();
    return this.view(instance);
  }

  /** Sends an element event to the (most recently started) instance, or scoped run, waiting at that element. */
  sendToWaiting(elementId: string, given: EngineEvent): void {
    let event = given;
    let target: Instance | undefined;
    let found: { scope: string | null; state: InstanceState } | null = null;
    for (const instance of [...this.all].reverse()) {
      if (instance.state?.status !== 'active') continue;
      found = findWaiting(instance.state, elementId, null);
      if (found) {
        target = instance;
        break;
      }
    }
    if (!target || !found) {
      // Let the engine refuse it, naming what waits.
      target = this.all[0];
      if (!target?.state)
        throw new EngineError('ELEMENT_NOT_ACTIVE', `Element "${elementId}" is not waiting: no instance was started.`);
    }
    if (found?.scope) event = { ...event, scope: found.scope };
    // A run of a multi-instance task not named: the first one still open.
    const loop = found?.state.loops?.[elementId];
    if (event.type === 'task.completed' && event.loopIndex === undefined && loop)
      event = { ...event, loopIndex: Math.min(...loop.active) };
    this.queue.push({ instance: target, event });
    this.drain();
  }

  completeTask(task: UserTaskRecord, variables: Variables): void {
    if (task.state !== 'created')
      throw new EngineError('ELEMENT_NOT_ACTIVE', `The task at "${task.elementId}" is ${task.state}.`);
    const scope = task.scope ? { scope: task.scope } : {};
    const loop = task.loopIndex === undefined ? {} : { loopIndex: task.loopIndex };
    this.queue.push({
      instance: this.running(task.instanceId),
      event: { type: 'task.completed', elementId: task.elementId, variables, ...loop, ...scope },
    });
    this.drain();
  }

  completeJob(job: JobRecord, variables: Variables): void {
    if (job.state !== 'created')
      throw new EngineError('ELEMENT_NOT_ACTIVE', `The job at "${job.elementId}" is ${job.state}.`);
    this.queue.push({ instance: this.running(job.instanceId), event: this.jobEvent(job, { result: variables }) });
    this.drain();
  }

  throwJobError(job: JobRecord, code: string, message?: string, variables?: Variables): void {
    if (job.state !== 'created')
      throw new EngineError('ELEMENT_NOT_ACTIVE', `The job at "${job.elementId}" is ${job.state}.`);
    this.queue.push({
      instance: this.running(job.instanceId),
      event: this.jobEvent(job, { error: code, message, variables }),
    });
    this.drain();
  }

  /** Completes jobs of `taskType` from now on (and those already open), as a mocked worker does. */
  mockWorker(taskType: string, outcome: JobOutcome): void {
    this.workers.set(taskType, outcome);
    for (const job of this.jobRecords.filter((j) => j.state === 'created' && j.taskType === taskType)) {
      this.queue.push({ instance: this.byId(job.instanceId), event: this.jobEvent(job, outcome) });
    }
    this.drain();
  }

  /** Call activities calling `processKey` complete at once with these variables instead of starting it. */
  mockChild(processKey: string, variables: Variables): void {
    this.mockedChildren.set(processKey, variables);
  }

  /** Sets process variables, as an operator or API may between steps. */
  updateVariables(instanceId: number, variables: Variables): void {
    const instance = this.byId(instanceId);
    if (!instance.state || instance.state.status === 'completed')
      throw new EngineError(
        'INSTANCE_NOT_ACTIVE',
        `Instance ${instanceId} of "${instance.process.definition.key}" has ended; its variables cannot change.`,
      );
    instance.state = { ...instance.state, variables: { ...instance.state.variables, ...structuredClone(variables) } };
  }

  /**
   * A message goes to the first instance that accepts it; a signal to every one that does.
   * Nothing taking it is refused (EVENT_NOT_ACCEPTED), unless `keepFor` is given: then a message
   * waits that many ms for a subscription to open, as Zeebe's message time-to-live does, and a
   * signal is lost. Returns whether something took it now.
   */
  publish(
    event: Extract<EngineEvent, { type: 'message.received' | 'signal.received' }>,
    options: { keepFor?: number } = {},
  ): boolean {
    const delivered = this.deliver(event);
    if (delivered) this.drain();
    else if (options.keepFor === undefined) {
      throw new EngineError(
        'EVENT_NOT_ACCEPTED',
        `No instance is waiting for ${event.type === 'signal.received' ? 'signal' : 'message'} "${event.name}".`,
      );
    } else if (event.type === 'message.received' && options.keepFor > 0) {
      this.buffered.push({ event, expiresAt: new Date(this.now.getTime() + options.keepFor).toISOString() });
    }
    return delivered;
  }

  /** Moves the clock forward by `duration`, firing every timer due by then, earliest first. */
  advance(duration: Duration): void {
    this.advanceTo(addDuration(this.now, duration));
  }

  /** Sets the clock: forward fires the timers due; backward just moves it (nothing fires). */
  advanceTo(until: Date): void {
    for (let guard = 0; guard < MAX_TIMER_FIRINGS; guard++) {
      const next = [...this.timers.entries()].sort(
        (a, b) => a[1].dueAt.localeCompare(b[1].dueAt) || a[0].localeCompare(b[0]),
      )[0];
      if (!next || next[1].dueAt > until.toISOString()) break;
      const [key, timer] = next;
      this.timers.delete(key);
      if (new Date(timer.dueAt) > this.now) this.now = new Date(timer.dueAt);
      this.queue.push({
        instance: timer.instance,
        event: {
          type: 'timer.fired',
          timerId: timer.timerId,
          dueAt: timer.dueAt,
          ...(timer.scope ? { scope: timer.scope } : {}),
        },
      });
      this.drain();
    }
    this.now = until;
  }

  // ---- the host's side of a step ---------------------------------------------------------------

  private view(instance: Instance): InstanceView {
    const status: InstanceStatus = instance.terminated ? 'terminated' : (instance.state?.status ?? 'active');
    return {
      id: instance.id,
      process: instance.process,
      parent: instance.parent ? { id: instance.parent.instance.id, elementId: instance.parent.elementId } : null,
      status,
      state: instance.state,
    };
  }

  private byId(id: number): Instance {
    const instance = this.all.find((i) => i.id === id);
    if (!instance) throw new EngineError('INVALID_STATE', `No instance ${id} in this simulation.`);
    return instance;
  }

  /** An instance that takes events: not ended, and not stopped by an incident. */
  private running(id: number): Instance {
    const instance = this.byId(id);
    const status = this.view(instance).status;
    if (status !== 'active')
      throw new EngineError(
        'INSTANCE_NOT_ACTIVE',
        `The instance of "${instance.process.definition.key}" is ${status}${instance.state?.incident ? ` (${instance.state.incident.message})` : ''}; it takes no events.`,
      );
    return instance;
  }

  private create(process: CompiledProcess, parent: Instance['parent'], depth: number): Instance {
    const instance: Instance = {
      id: this.nextId++,
      process,
      state: null,
      parent,
      children: new Map(),
      depth,
      terminated: false,
      terminateAfter: new Set(),
      history: [],
    };
    this.all.push(instance);
    return instance;
  }

  private jobEvent(job: JobRecord, outcome: JobOutcome): EngineEvent {
    const scope = job.scope ? { scope: job.scope } : {};
    if ('error' in outcome)
      return {
        type: 'error.thrown',
        elementId: job.elementId,
        code: outcome.error,
        ...(outcome.message ? { message: outcome.message } : {}),
        ...(outcome.variables ? { variables: outcome.variables } : {}),
        ...scope,
      };
    return { type: 'job.completed', elementId: job.elementId, variables: outcome.result, ...scope };
  }

  private waitingIn(instance: Instance): string[] {
    return (instance.state?.active ?? [])
      .flatMap((id) => {
        const child = instance.children.get(childKey(id));
        return child ? this.waitingIn(child) : [id];
      })
      .filter((id) => !Object.keys(instance.state?.scopes ?? {}).some((k) => k.startsWith(`${id}#`)))
      .concat(runsWaiting(instance.state));
  }

  private deliver(event: Extract<EngineEvent, { type: 'message.received' | 'signal.received' }>): boolean {
    let delivered = false;
    for (const instance of this.all) {
      if (instance.state?.status !== 'active') continue;
      let result: StepResult;
      try {
        result = send(instance.process, instance.state, event, { now: this.clock });
      } catch (error) {
        if (error instanceof EngineError && error.code === 'EVENT_NOT_ACCEPTED') continue;
        throw error;
      }
      this.correlated(instance, event);
      this.apply(instance, result);
      delivered = true;
      if (event.type === 'message.received') break;
    }
    return delivered;
  }

  private drain(): void {
    for (;;) {
      while (this.queue.length > 0) {
        const { instance, event } = this.queue.shift()!;
        if (instance.state?.status !== 'active') continue;
        const result = send(instance.process, instance.state, event, { now: this.clock });
        this.consumed(instance, event);
        this.apply(instance, result);
      }
      // Messages published before anyone waited for them meet the subscriptions opened since.
      if (!this.subscriptionOpened || this.buffered.length === 0) return;
      this.subscriptionOpened = false;
      for (const message of [...this.buffered]) {
        if (message.expiresAt <= this.clock) {
          this.buffered.splice(this.buffered.indexOf(message), 1);
          continue;
        }
        if (this.deliver(message.event)) this.buffered.splice(this.buffered.indexOf(message), 1);
      }
    }
  }

  /** The task or job an accepted event finished. */
  private consumed(instance: Instance, event: EngineEvent): void {
    if (event.type === 'task.completed') {
      const task = this.taskRecords.find(
        (t) =>
          t.instanceId === instance.id &&
          t.state === 'created' &&
          t.scope === event.scope &&
          t.elementId === event.elementId &&
          (event.loopIndex === undefined || t.loopIndex === event.loopIndex),
      );
      if (task) task.state = 'completed';
    } else if (event.type === 'job.completed' || event.type === 'error.thrown') {
      const job = this.jobRecords.find(
        (j) =>
          j.instanceId === instance.id &&
          j.state === 'created' &&
          j.scope === event.scope &&
          j.elementId === event.elementId,
      );
      if (job) job.state = event.type === 'job.completed' ? 'completed' : 'errorThrown';
    }
  }

  /** The subscription a delivered message or signal met. */
  private correlated(
    instance: Instance,
    event: Extract<EngineEvent, { type: 'message.received' | 'signal.received' }>,
  ): void {
    const kind = event.type === 'message.received' ? 'message' : 'signal';
    const key = event.type === 'message.received' ? (event.correlationKey ?? null) : null;
    const sub = this.subscriptionRecords.find(
      (s) =>
        s.instanceId === instance.id &&
        s.state === 'waiting' &&
        s.kind === kind &&
        s.name === event.name &&
        (s.correlationKey === null || key === null || s.correlationKey === key),
    );
    if (sub) sub.state = 'correlated';
  }

  /** Remembers the new state and carries out the effects: timers, jobs, children, tasks, history. */
  private apply(instance: Instance, result: StepResult): void {
    instance.state = result.state;
    let terminate = false;
    for (const effect of result.effects) {
      this.effects.push(effect);
      const scope = effect.scope ? { scope: effect.scope } : {};
      switch (effect.type) {
        case 'audit':
          this.path.push(effect.elementId);
          this.completed(instance, effect.elementId);
          if (instance.terminateAfter.has(effect.elementId)) terminate = true;
          break;
        case 'createTask':
          this.taskRecords.push({
            instanceId: instance.id,
            ...scope,
            elementId: effect.elementId,
            ...(effect.loop ? { loopIndex: effect.loop.index } : {}),
            name: effect.name,
            candidateGroups: effect.candidateGroups,
            candidateUsers: effect.candidateUsers,
            assignee: effect.assignee,
            priority: effect.priority,
            dueDate: effect.dueDate,
            ...(effect.inputs ? { inputs: effect.inputs } : {}),
            state: 'created',
          });
          break;
        case 'cancelTask':
          for (const t of this.taskRecords) {
            if (
              t.instanceId === instance.id &&
              t.state === 'created' &&
              t.scope === effect.scope &&
              t.elementId === effect.elementId &&
              (effect.loopIndex === undefined || t.loopIndex === effect.loopIndex)
            )
              t.state = 'canceled';
          }
          break;
        case 'scheduleTimer':
          this.timers.set(`${instance.id}:${effect.scope ?? ''}:${effect.timerId}`, {
            instance,
            ...scope,
            timerId: effect.timerId,
            elementId: effect.elementId,
            dueAt: effect.dueAt,
          });
          break;
        case 'cancelTimer':
          this.timers.delete(`${instance.id}:${effect.scope ?? ''}:${effect.timerId}`);
          break;
        case 'openSubscription':
          this.subscriptionRecords.push({
            instanceId: instance.id,
            ...scope,
            elementId: effect.elementId,
            kind: effect.kind,
            name: effect.name,
            correlationKey: effect.correlationKey,
            state: 'waiting',
          });
          if (effect.kind === 'message') this.subscriptionOpened = true;
          break;
        case 'closeSubscription':
          for (const s of this.subscriptionRecords)
            if (
              s.instanceId === instance.id &&
              s.state === 'waiting' &&
              s.scope === effect.scope &&
              s.elementId === effect.elementId
            )
              s.state = 'closed';
          break;
        case 'cancelScope':
          if (effect.scope !== undefined) this.dropScope(instance, effect.scope);
          break;
        case 'raiseIncident':
          this.incidents.push(effect.incident);
          break;
        case 'startJob':
          this.startJob(instance, effect);
          break;
        case 'cancelJob':
          for (const j of this.jobRecords)
            if (
              j.instanceId === instance.id &&
              j.state === 'created' &&
              j.scope === effect.scope &&
              j.elementId === effect.elementId
            )
              j.state = 'canceled';
          break;
        case 'startChildInstance':
          this.startChild(instance, effect.elementId, effect.processKey, effect.variables, effect.scope);
          break;
        case 'cancelChildInstance':
          this.cancelChild(instance, effect.elementId, effect.scope);
          break;
        default:
          break;
      }
    }
    this.reconcile(instance);
    if (instance.state?.status === 'completed') this.release(instance);
    if (terminate && instance.state?.status !== 'completed') this.terminate(instance);
    this.settleWithParent(instance);
  }

  private startJob(instance: Instance, effect: Extract<Effect, { type: 'startJob' }>): void {
    const job: JobRecord = {
      instanceId: instance.id,
      ...(effect.scope ? { scope: effect.scope } : {}),
      elementId: effect.elementId,
      taskType: effect.taskType,
      variables: effect.variables,
      state: 'created',
    };
    this.jobRecords.push(job);
    const outcome =
      this.services[effect.elementId] ??
      this.services[effect.taskType] ??
      this.workers.get(effect.taskType) ??
      (this.unmockedJobs === 'complete' ? { result: {} } : undefined);
    if (outcome) this.queue.push({ instance, event: this.jobEvent(job, outcome) });
  }

  private startChild(parent: Instance, elementId: string, key: string, variables: Variables, scope?: string): void {
    const mocked = this.mockedChildren.get(key);
    if (mocked) {
      this.queue.push({
        instance: parent,
        event: { type: 'child.completed', elementId, variables: structuredClone(mocked), ...(scope ? { scope } : {}) },
      });
      return;
    }
    const process = this.library.get(key);
    if (!process)
      throw new EngineError(
        'INVALID_DEFINITION',
        `Call activity "${elementId}" calls process "${key}", which was not found (put its definition beside this one, or name it with --with).`,
      );
    // The engine stops a chain deeper than its limit with an incident at the call activity (runtime/budget.ts).
    const child = this.create(process, { instance: parent, elementId, ...(scope ? { scope } : {}) }, parent.depth + 1);
    parent.children.set(childKey(elementId, scope), child);
    this.apply(child, start(process, variables, { now: this.clock, callDepth: parent.depth + 1 }));
  }

  private cancelChild(parent: Instance, elementId: string, scope?: string): void {
    const child = parent.children.get(childKey(elementId, scope));
    if (!child) return;
    parent.children.delete(childKey(elementId, scope));
    this.terminate(child);
  }

  /** Ends an instance from outside (its call activity was interrupted, or a test said so), and its children. */
  private terminate(instance: Instance): void {
    if (instance.terminated) return;
    instance.terminated = true;
    for (const child of instance.children.values()) this.terminate(child);
    instance.children.clear();
    if (instance.state) instance.state = { ...instance.state, status: 'completed', active: [] };
    this.reconcile(instance);
    this.release(instance);
  }

  /** An ended instance holds nothing: its timers, open tasks, jobs and subscriptions go. */
  private release(instance: Instance): void {
    for (const [key, timer] of [...this.timers]) if (timer.instance === instance) this.timers.delete(key);
    for (const t of this.taskRecords) if (t.instanceId === instance.id && t.state === 'created') t.state = 'canceled';
    for (const j of this.jobRecords) if (j.instanceId === instance.id && j.state === 'created') j.state = 'canceled';
    for (const s of this.subscriptionRecords)
      if (s.instanceId === instance.id && s.state === 'waiting') s.state = 'closed';
  }

  private dropScope(instance: Instance, scope: string): void {
    for (const [key, timer] of [...this.timers])
      if (timer.instance === instance && inScope(timer.scope, scope)) this.timers.delete(key);
    for (const t of this.taskRecords)
      if (t.instanceId === instance.id && t.state === 'created' && inScope(t.scope, scope)) t.state = 'canceled';
    for (const j of this.jobRecords)
      if (j.instanceId === instance.id && j.state === 'created' && inScope(j.scope, scope)) j.state = 'canceled';
    for (const s of this.subscriptionRecords)
      if (s.instanceId === instance.id && s.state === 'waiting' && inScope(s.scope, scope)) s.state = 'closed';
    for (const [key, child] of [...instance.children]) {
      if (!inScope(child.parent?.scope, scope)) continue;
      instance.children.delete(key);
      this.terminate(child);
    }
  }

  /** A finished child resumes its parent; a child's uncaught business error goes to the call activity. */
  private settleWithParent(instance: Instance): void {
    const link = instance.parent;
    const state = instance.state;
    const key = link && childKey(link.elementId, link.scope);
    if (!link || !key || !state || instance.terminated || link.instance.children.get(key) !== instance) return;
    const scope = link.scope ? { scope: link.scope } : {};
    if (state.status === 'completed') {
      link.instance.children.delete(key);
      this.queue.push({
        instance: link.instance,
        event: { type: 'child.completed', elementId: link.elementId, variables: state.variables, ...scope },
      });
    } else if (
      state.status === 'incident' &&
      state.incident?.code === 'UNHANDLED_ERROR' &&
      state.incident.errorCode !== undefined
    ) {
      link.instance.children.delete(key);
      this.queue.push({
        instance: link.instance,
        event: { type: 'error.thrown', elementId: link.elementId, code: state.incident.errorCode, ...scope },
      });
    }
  }

  // ---- element-instance history ----------------------------------------------------------------

  /** An element completed (its audit record): its oldest active run, or a run that passed straight through. */
  private completed(instance: Instance, elementId: string): void {
    if (isSynthetic(instance.process, elementId)) return;
    const run = instance.history.find((r) => r.elementId === elementId && r.state === 'active');
    if (run) {
      run.state = 'completed';
      run.endedAt = this.sequence++;
    } else instance.history.push({ instanceId: instance.id, elementId, state: 'completed', endedAt: this.sequence++ });
  }

  /** Matches the history's active runs to what is active now: new runs start, runs gone without completing were terminated. */
  private reconcile(instance: Instance): void {
    const now = activeElements(instance.process, instance.terminated ? null : instance.state);
    const open = new Map<string, ElementInstance[]>();
    for (const r of instance.history)
      if (r.state === 'active') open.set(r.elementId, [...(open.get(r.elementId) ?? []), r]);
    for (const id of new Set([...now.keys(), ...open.keys()])) {
      const want = now.get(id) ?? 0;
      const have = open.get(id) ?? [];
      for (let n = have.length; n < want; n++)
        instance.history.push({ instanceId: instance.id, elementId: id, state: 'active' });
      for (const r of have.slice(want).reverse()) {
        r.state = 'terminated';
        r.endedAt = this.sequence++;
      }
    }
  }
}

/** Where `elementId` waits in a state or, depth first, in its scoped runs. */
function findWaiting(
  state: InstanceState,
  elementId: string,
  scope: string | null,
): { scope: string | null; state: InstanceState } | null {
  if (state.active.includes(elementId) && !Object.keys(state.scopes ?? {}).some((k) => k.startsWith(`${elementId}#`)))
    return { scope, state };
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

/** Every element of a definition, nested ones included, with the subprocess each sits in. */
export interface ElementIndex {
  elements: Map<string, Element>;
  parentOf: Map<string, string>;
}

const indexes = new WeakMap<CompiledProcess, ElementIndex>();

export function elementIndex(process: CompiledProcess): ElementIndex {
  let index = indexes.get(process);
  if (!index) {
    const elements = new Map<string, Element>();
    const parentOf = new Map<string, string>();
    const walk = (list: readonly Element[], parent: string | null) => {
      for (const e of list) {
        elements.set(e.id, e);
        if (parent) parentOf.set(e.id, parent);
        if (e.type === 'subProcess') walk(e.elements, e.id);
      }
    };
    walk(process.definition.elements, null);
    index = { elements, parentOf };
    indexes.set(process, index);
  }
  return index;
}

/** The ids the compiler adds around a looped task (`X__start`, `X__item`, `X__end`): the history shows `X`. */
function isSynthetic(process: CompiledProcess, elementId: string): boolean {
  const m = /^(.+)__(start|item|end)$/.exec(elementId);
  return m !== null && elementIndex(process).elements.get(m[1]!)?.type === 'subProcess';
}

/**
 * How many runs of each element are active: the wait states and the subprocesses around them
 * (once per run of the scope they are in). A multi-instance activity counts once, as its body:
 * its runs show as tasks and jobs, which the engine completes without an audit record each.
 */
function activeElements(process: CompiledProcess, state: InstanceState | null): Map<string, number> {
  const counts = new Map<string, number>();
  if (!state || state.status === 'completed') return counts;
  const { elements, parentOf } = elementIndex(process);
  const add = (id: string) => {
    if (!isSynthetic(process, id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  };
  const visit = (s: InstanceState, scopeElement: string | null) => {
    const containers = new Set<string>();
    const outside = new Set<string>();
    for (let p = scopeElement; p; p = parentOf.get(p) ?? null) outside.add(p);
    for (const id of s.active) {
      add(id);
      for (let p = parentOf.get(id); p && !outside.has(p); p = parentOf.get(p)) containers.add(p);
    }
    for (const c of containers) if (!s.active.includes(c)) add(c);
    for (const [key, run] of Object.entries(s.scopes ?? {})) {
      // A run of an event subprocess is an instance of it; a multi-instance body is already counted.
      const element = key.slice(0, key.lastIndexOf('#'));
      if (elements.get(element)?.type === 'subProcess' && !s.active.includes(element)) add(element);
      visit(run, element);
    }
  };
  visit(state, null);
  return counts;
}
