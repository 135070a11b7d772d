import type { ProcessDefinition } from '../model/definition';
import type { ProcessGraph } from '../model/graph';

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
  check(definition: ProcessDefinition, graph: ProcessGraph): Diagnostic[];
}
