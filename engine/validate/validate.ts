/**
 * Definition validation: structure (zod) first, then one semantic rule per file in rules/.
 * The compiler only ever sees definitions that passed here.
 */
import { timerLimits, type TimerLimits } from '../compile/timer-limits';
import type { Decision } from '../decisions/model';
import { processDefinitionSchema, type ProcessDefinition } from '../model/definition';
import { buildGraph } from '../model/graph';
import { flatten } from '../model/scopes';
import type { Diagnostic, Rule } from './diagnostic';
import { publishingProblems } from './publishable';
import { events } from './rules/events';
import { exclusiveGateway } from './rules/exclusive-gateway';
import { expressions } from './rules/expressions';
import { flowReferences } from './rules/flow-references';
import { loops } from './rules/loops';
import { outgoingFlows } from './rules/outgoing-flows';
import { reachability } from './rules/reachability';
import { separationOfDuties } from './rules/separation-of-duties';
import { startEndEvents } from './rules/start-end-events';
import { structure } from './rules/structure';
import { timers } from './rules/timers';
import { uniqueIds } from './rules/unique-ids';
import { checkVariables, type FormSchemas, type GivenVariables } from './variables';

/** Rules checked in every scope (unique-ids runs once over all scopes). */
export const rules: readonly Rule[] = [
  flowReferences,
  startEndEvents,
  outgoingFlows,
  exclusiveGateway,
  reachability,
  structure,
  events,
  timers,
  expressions,
  loops,
];

export type ValidationResult =
  { ok: true; definition: ProcessDefinition; diagnostics: Diagnostic[] } | { ok: false; diagnostics: Diagnostic[] };

/** BPMN elements Trellis knows but does not run yet, with what to do instead. */
const NOT_YET_SUPPORTED: Record<string, string> = {
  complexGateway: 'use exclusive, inclusive or parallel gateways',
  transaction: 'transactions and compensation are not supported',
  compensateEvent: 'compensation is not supported',
  adHocSubProcess: 'ad-hoc subprocesses are not supported',
};
/** Event kinds Trellis models (so imports keep them) but does not run yet. */
const EVENTS_NOT_YET_SUPPORTED: Record<string, string> = {
  conditional:
    'conditional events are not supported yet; use a timer or message event, or an exclusive gateway after the step that changes the data',
  cancel:
    'a cancel event belongs to a transaction, and Trellis does not run transactions (one imports as a plain subprocess, which is never cancelled); model the cancellation with an error end event and an error boundary event',
};

/**
 * Why Trellis does not run a BPMN element (its Trellis type, e.g. `complexGateway`, and event kind,
 * e.g. `conditional`), or undefined when it does: the designer offers only what runs, from here.
 */
export function notRunReason(type: string, eventKind?: string): string | undefined {
  if (NOT_YET_SUPPORTED[type]) return NOT_YET_SUPPORTED[type];
  if (eventKind === 'compensate') return NOT_YET_SUPPORTED.compensateEvent;
  return eventKind ? EVENTS_NOT_YET_SUPPORTED[eventKind] : undefined;
}

export interface ValidateOptions {
  /** Decision tables available to business rule tasks; when given, every decisionRef must be among them. */
  decisions?: readonly Decision[];
  /** Also require what publishing needs (forms, assignment, no untranslated imports); see publishable.ts. */
  publishing?: boolean;
  /** Floors and caps for timer cycles (defaults: DEFAULT_TIMER_LIMITS, compile/timer-limits.ts). */
  timerLimits?: Partial<TimerLimits>;
  /**
   * The definition is a version published before (a host compiling what it stored): checks that
   * only guard publishing — timer floors, caps and dates — are not made again, so versions stored
   * before such a check existed keep running (their timers become incidents if they cannot fire).
   */
  stored?: boolean;
  /**
   * The schemas of the forms the process names, by key: when given, variables are typed from them
   * and reads no earlier step writes, or comparisons with the wrong type, are flagged (variables.ts).
   */
  forms?: FormSchemas;
  /** Variables the host gives a started instance besides the start form's (the server's `initiator`), with their types. */
  given?: GivenVariables;
}

export function validateDefinition(input: unknown, options: ValidateOptions = {}): ValidationResult {
  const unsupported = unsupportedElements(input);
  if (unsupported.length > 0) return { ok: false, diagnostics: unsupported };
  const parsed = processDefinitionSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, diagnostics: parsed.error.issues.map((issue) => schemaDiagnostic(input, issue)) };
  }
  const definition = parsed.data;
  const all = flatten(definition);
  const whole = { ...definition, elements: all.elements, flows: all.flows };
  const wholeGraph = buildGraph(all);
  const diagnostics = uniqueIds.check(whole, wholeGraph, all.scopes[0]!);
  // Four-eyes rules may name user tasks in other scopes (a subprocess), so they are checked once, over all.
  diagnostics.push(...separationOfDuties.check(whole, wholeGraph, all.scopes[0]!));
  const ruleOptions = { timerLimits: timerLimits(options.timerLimits), stored: options.stored ?? false };
  for (const scope of all.scopes) {
    const scoped = { ...definition, elements: scope.elements, flows: scope.flows };
    const graph = buildGraph(scoped);
    diagnostics.push(...rules.flatMap((rule) => rule.check(scoped, graph, scope, ruleOptions)));
  }
  for (const e of all.elements) {
    const kind = 'event' in e ? e.event?.kind : undefined;
    const why = kind ? EVENTS_NOT_YET_SUPPORTED[kind] : undefined;
    if (why)
      diagnostics.push({
        ruleId: 'supported-elements',
        elementId: e.id,
        severity: 'error',
        message: `${e.type} "${e.id}" cannot run in Trellis yet: ${why}.`,
      });
    const mi = 'multiInstance' in e ? e.multiInstance : undefined;
    if (mi && mi.collection === undefined && mi.cardinality === undefined) {
      diagnostics.push({
        ruleId: 'schema',
        elementId: e.id,
        severity: 'error',
        message: `Multi-instance "${e.id}" needs a collection (a FEEL list to run once per item of) or a cardinality (how many times).`,
      });
    }
  }
  if (options.decisions) {
    const known = new Set(options.decisions.map((d) => d.id));
    for (const e of all.elements) {
      if (e.type === 'businessRuleTask' && !known.has(e.decisionRef)) {
        diagnostics.push({
          ruleId: 'decisions',
          elementId: e.id,
          severity: 'error',
          message: `Business rule task "${e.id}" calls decision "${e.decisionRef}", which is not among the decisions given (${[...known].join(', ') || 'none'}).`,
        });
      }
    }
  }
  if (options.publishing) diagnostics.push(...publishingProblems(definition));
  if (options.forms) diagnostics.push(...checkVariables(definition, options.forms, options.given));
  const ok = !diagnostics.some((d) => d.severity === 'error');
  return ok ? { ok, definition, diagnostics } : { ok, diagnostics };
}

function unsupportedElements(input: unknown): Diagnostic[] {
  const elements = (input as { elements?: unknown } | null)?.elements;
  if (!Array.isArray(elements)) return [];
  return elements.flatMap((e: { id?: unknown; type?: unknown }) => {
    const why = typeof e?.type === 'string' ? NOT_YET_SUPPORTED[e.type] : undefined;
    return why
      ? [
          {
            ruleId: 'supported-elements',
            elementId: String(e.id),
            severity: 'error' as const,
            message: `${String(e.type)} "${String(e.id)}" cannot run in Trellis yet: ${why}.`,
          },
        ]
      : [];
  });
}

function schemaDiagnostic(input: unknown, issue: { path: PropertyKey[]; message: string }): Diagnostic {
  const path = issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
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
