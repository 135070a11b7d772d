import type { TimerLimits } from '../compile/timer-limits';
import type { ProcessDefinition } from '../model/definition';
import type { ProcessGraph } from '../model/graph';
import type { Scope } from '../model/scopes';

export interface Diagnostic {
  ruleId: string;
  /** The element or flow at fault, when there is one. */
  elementId?: string;
  /** JSON path into the definition, e.g. "elements[2].formKey". */
  path?: string;
  severity: 'error' | 'warning';
  message: string;
}

/** Limits the host set for validation (ValidateOptions), given to every rule. */
export interface RuleOptions {
  timerLimits: TimerLimits;
  /** A version published before (ValidateOptions.stored): checks that only guard publishing are not made again. */
  stored?: boolean;
}

/** One semantic check over a structurally valid definition. */
export interface Rule {
  id: string;
  /** Runs once per scope: `definition` holds that scope's elements and flows. */
  check(definition: ProcessDefinition, graph: ProcessGraph, scope: Scope, options?: RuleOptions): Diagnostic[];
}
