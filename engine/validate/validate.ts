/**
 * Definition validation: structure (zod) first, then one semantic rule per file in rules/.
 * The compiler only ever sees definitions that passed here.
 */
import { processDefinitionSchema, type ProcessDefinition } from '../model/definition';
import { buildGraph } from '../model/graph';
import type { Diagnostic, Rule } from './diagnostic';
import { exclusiveGateway } from './rules/exclusive-gateway';
import { expressions } from './rules/expressions';
import { flowReferences } from './rules/flow-references';
import { outgoingFlows } from './rules/outgoing-flows';
import { reachability } from './rules/reachability';
import { startEndEvents } from './rules/start-end-events';
import { structure } from './rules/structure';
import { uniqueIds } from './rules/unique-ids';

export const rules: readonly Rule[] = [uniqueIds, flowReferences, startEndEvents, outgoingFlows, exclusiveGateway, reachability, structure, expressions];

export type ValidationResult =
  | { ok: true; definition: ProcessDefinition; diagnostics: Diagnostic[] }
  | { ok: false; diagnostics: Diagnostic[] };

export function validateDefinition(input: unknown): ValidationResult {
  const parsed = processDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, diagnostics: parsed.error.issues.map((issue) => schemaDiagnostic(input, issue)) };
  }
  const definition = parsed.data;
  const graph = buildGraph(definition);
  const diagnostics = rules.flatMap((rule) => rule.check(definition, graph));
  const ok = !diagnostics.some((d) => d.severity === 'error');
  return ok ? { ok, definition, diagnostics } : { ok, diagnostics };
}

function schemaDiagnostic(input: unknown, issue: { path: PropertyKey[]; message: string }): Diagnostic {
  const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  const elementId = idAt(input, issue.path);
  const where = elementId ? `"${elementId}" (${path})` : path || 'definition';
  return { ruleId: 'schema', elementId, path, severity: 'error', message: `${where}: ${issue.message}` };
}

/** The id of the element or flow an issue path points into, if it has one. */
function idAt(input: unknown, path: PropertyKey[]): string | undefined {
  const [list, index] = path;
  if ((list === 'elements' || list === 'flows') && typeof index === 'number' && input && typeof input === 'object') {
    const item = (input as Record<string, unknown[]>)[list]?.[index];
    const id = (item as { id?: unknown } | undefined)?.id;
    if (typeof id === 'string') return id;
  }
  return undefined;
}
