/**
 * The engine's data at its boundary: persisted instance state, events in, effects out.
 * All of it is plain JSON so the host can store it, send it over the wire, or replay it.
 */
import type { LocalizedText } from '../model/definition';

export const STATE_FORMAT_VERSION = 1;

export type Variables = Record<string, unknown>;

export interface Incident {
  elementId: string;
  /** With UNHANDLED_ERROR: the business error's code (a parent's call activity may catch it). */
  errorCode?: string;
  code:
    | 'CONDITION_NOT_BOOLEAN'
    | 'NO_FLOW_TAKEN'
    | 'INVALID_TIMER'
    | 'UNHANDLED_ERROR'
    | 'DECISION_FAILED'
    | 'LOOP_FAILED'
    | 'NO_CANDIDATES'
    /** The step passed too many elements or evaluated too many expressions (runtime/budget.ts). */
    | 'BUDGET_EXCEEDED'
    /** A call activity would nest child instances deeper than the limit. */
    | 'CALL_DEPTH_EXCEEDED';
  message: string;
}

/**
 * What a host persists for a running instance. Positions are BPMN ids, never generated state
 * names, so a compiler change cannot strand a stored instance.
 */
export interface InstanceState {
  formatVersion: typeof STATE_FORMAT_VERSION;
  definition: { key: string; version: number };
  status: 'active' | 'completed' | 'incident';
  /** Element ids where the instance waits (or is stuck, when status is "incident"). */
  active: string[];
  /**
   * Where every token rests, when that is more than `active`: element ids, plus `@flow` for a
   * token that reached a join over that flow and `!flow` for an inclusive branch not taken.
   * Absent in format 1 states written before parallel gateways existed (then = `active`).
   */
  positions?: string[];
  /** Running timers by timer id: when each is due, and repetitions left of a cycle (null = unbounded). */
  timers?: Record<string, TimerState>;
  /** Progress of running multi-instance activities, by element id. */
  loops?: Record<string, LoopState>;
  /** Runs of scoped subprocesses and side paths ("<element>#<index>"), each an instance state of its own. */
  scopes?: Record<string, InstanceState>;
  /** How many side-path runs each non-interrupting event has started (their next index). */
  runs?: Record<string, number>;
  /** The main flow has ended; the instance completes when its remaining scoped runs do. */
  mainEnded?: { outcome: string | null };
  variables: Variables;
  incident?: Incident;
  /** Outcome of the end event reached, when completed. */
  outcome?: string;
  /** Who did what, for four-eyes rules (runtime/actors.ts); absent until someone is known. */
  actors?: InstanceActors;
  /** How deep in a chain of call activities this instance was started (absent: 0, a top-level instance). */
  callDepth?: number;
}

/** The people an instance knows of: user ids as the host gives them. */
export interface InstanceActors {
  /** Who started the instance (absent for one started by a timer, a message or a parent). */
  initiator?: string;
  /** User task id → everyone who completed it, or on whose behalf it was completed, in order. */
  completed?: Record<string, string[]>;
}

export interface TimerState {
  dueAt: string;
  left: number | null;
}

export interface LoopState {
  items: unknown[];
  /** Indexes of runs started and not yet completed. */
  active: number[];
  /** Indexes of runs completed, in completion order. */
  finished: number[];
  /** Output of each run, by index (null until it completes). */
  outputs: unknown[];
}

/** Facts the host tells the engine. */
/** `scope` addresses a run inside the instance, as given on the effects that asked for the event. */
export type EngineEvent = EventBody & { scope?: string };

type EventBody =
  | {
      type: 'task.completed';
      elementId: string;
      /** Form data submitted; merged into the instance variables (multi-instance: collected instead). */
      variables: Variables;
      /** Which run of a multi-instance task (0-based). */
      loopIndex?: number;
      /** The user who completed it (recorded for four-eyes rules). */
      actorId?: string;
      /** The user on whose behalf they did (a delegation): recorded too. */
      onBehalfOf?: string;
    }
  | { type: 'job.completed'; elementId: string; variables: Variables }
  /** The child instance started by call activity `elementId` completed with these variables. */
  | { type: 'child.completed'; elementId: string; variables: Variables }
  /** A business error thrown by a user task's form or a job, caught by an error boundary event. */
  | {
      type: 'error.thrown';
      elementId: string;
      code: string;
      message?: string;
      variables?: Variables;
      /** Subprocesses it passes through, innermost first (thrown by an end event). */ scopes?: string[];
    }
  | { type: 'escalation.thrown'; elementId: string; code: string; variables?: Variables; scopes?: string[] }
  /** `dueAt` is the time the timer was scheduled for (cycles repeat from it, without drift). */
  | { type: 'timer.fired'; timerId: string; dueAt: string }
  | { type: 'message.received'; name: string; correlationKey?: string | null; variables?: Variables }
  | { type: 'signal.received'; name: string; variables?: Variables }
  /** Internal: a run of a scoped multi-instance subprocess completed. */
  | { type: 'scope.completed'; elementId: string; index: number; variables: Variables }
  /**
   * Someone resolving the instance's incident at `elementId` asked to try it again, after merging
   * `variables` (the fix) into the variables of the run that is stuck. See runtime/retry.ts.
   */
  | { type: 'incident.retried'; elementId: string; variables?: Variables };

/** When a step happens: the engine has no clock, so the host says what time it is. */
export interface StepOptions {
  /** ISO 8601 instant, e.g. new Date().toISOString(); needed whenever a timer is scheduled. */
  now?: string;
  /** Starting a called process: how deep the new instance is in the chain of call activities (parent's + 1). */
  callDepth?: number;
}

/** Imperatives the engine asks the host to carry out, in order. */
/** Effects a host carries out; `scope` names the run inside the instance it belongs to (see README). */
export type Effect = EffectBody & { scope?: string };

type EffectBody =
  | {
      type: 'createTask';
      elementId: string;
      name: LocalizedText | null;
      /** Null for a draft's task that has no form yet (simulation only; publishing requires one). */
      formKey: string | null;
      candidateGroups: string[];
      candidateRole: 'member' | 'manager';
      assignee: string | null;
      candidateUsers: string[];
      /** 0–100, or null for the default. */
      priority: number | null;
      /** ISO 8601 date or date-time, or null. */
      dueDate: string | null;
      /** For a run of a multi-instance task: its 0-based index and item. */
      loop?: { index: number; item: unknown };
      /**
       * Users who may not work the task under its four-eyes rule (separationOfDuties): present
       * only when the task declares one.
       */
      excludedUsers?: string[];
      /**
       * The task's own variables from its input mappings (its form may show them; they are not
       * process variables): present only when the task has inputs.
       */
      inputs?: Variables;
      /** The process's summary fields (definition `summary`) from the variables the task is created with: present only when the process declares some. */
      summary?: Record<string, unknown>;
    }
  /** The task of a user task left other than by its completion (terminated, interrupted). */
  | { type: 'cancelTask'; elementId: string; loopIndex?: number }
  /** `retries`: the service task's own, when it sets one (the host's default otherwise). */
  | { type: 'startJob'; elementId: string; taskType: string; variables: Variables; retries?: number }
  | { type: 'startChildInstance'; elementId: string; processKey: string; variables: Variables }
  | { type: 'cancelChildInstance'; elementId: string }
  | { type: 'cancelJob'; elementId: string }
  | { type: 'scheduleTimer'; timerId: string; elementId: string; dueAt: string }
  | { type: 'cancelTimer'; timerId: string }
  /** The instance now waits for a message or signal at `elementId`; the host routes matching ones to it. */
  | {
      type: 'openSubscription';
      elementId: string;
      kind: 'message' | 'signal';
      name: string;
      correlationKey: string | null;
    }
  | { type: 'closeSubscription'; elementId: string }
  | { type: 'sendMessage'; elementId: string; name: string; payload: Variables }
  /** Internal (handled by the runtime, never returned): start runs of a scoped subprocess. */
  | { type: 'spawnScopes'; elementId: string; runs: { index: number; variables: Variables }[] }
  /** Internal: stop runs of a scoped subprocess. */
  | { type: 'cancelScopes'; elementId: string; indexes: number[] }
  /** Drop everything (tasks, jobs, timers, subscriptions) whose scope is `scope` or inside it. */
  | { type: 'cancelScope' }
  | { type: 'broadcastSignal'; elementId: string; name: string; payload: Variables }
  | { type: 'completeInstance'; outcome: string | null }
  | { type: 'raiseIncident'; incident: Incident }
  | {
      type: 'audit';
      event: 'element.completed';
      elementId: string;
      elementType: string;
      /** The sequence flow taken when leaving the element. */
      flowId: string | null;
      data: Variables | null;
    };

export interface StepResult {
  state: InstanceState;
  effects: Effect[];
}
