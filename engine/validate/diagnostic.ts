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

/** One semantic check over a structurally valid definition. */
export interface Rule {
  id: string;
  /** Runs once per scope: `definition` holds that scope's elements and flows. */
  check(definition: ProcessDefinition, graph: ProcessGraph, scope: Scope): Diagnostic[];
}
