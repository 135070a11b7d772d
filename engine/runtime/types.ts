/**
 * The engine's data at its boundary: persisted instance state, events in, effects out.
 * All of it is plain JSON so the host can store it, send it over the wire, or replay it.
 */
import type { LocalizedText } from '../model/definition';

export const STATE_FORMAT_VERSION = 1;

export type Variables = Record<string, unknown>;

export interface Incident {
  elementId: string;
  code: 'CONDITION_NOT_BOOLEAN' | 'NO_FLOW_TAKEN';
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
  variables: Variables;
  incident?: Incident;
  /** Outcome of the end event reached, when completed. */
  outcome?: string;
}

/** Facts the host tells the engine. */
export type EngineEvent = {
  type: 'task.completed';
  elementId: string;
  /** Form data submitted; merged into the instance variables. */
  variables: Variables;
};

/** Imperatives the engine asks the host to carry out, in order. */
export type Effect =
  | {
      type: 'createTask';
      elementId: string;
      name: LocalizedText | null;
      formKey: string;
      candidateGroups: string[];
      candidateRole: 'member' | 'manager';
      /** ISO 8601 date or date-time, or null. */
      dueDate: string | null;
    }
  /** The task of a user task left other than by its completion (terminated, interrupted). */
  | { type: 'cancelTask'; elementId: string }
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
