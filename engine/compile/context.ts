/** What element compilers share: the machine's context, state ids, and how to leave an element. */
import type { Decision } from '../decisions/model';
import { assign } from 'xstate';
import { evaluateExpression } from '../expressions/feel';
import type { Element, ProcessDefinition, SequenceFlow } from '../model/definition';
import type { ProcessGraph } from '../model/graph';
import type { Scope } from '../model/scopes';
import type { Structure } from '../model/structure';
import type { TimerLimits } from './timer-limits';
import type { Effect, LoopState, TimerState, Variables } from '../runtime/types';

export interface MachineContext {
  variables: Variables;
  /** Outcome of the last end event reached that declares one. */
  outcome: string | null;
  /** The host's "now" for this step (ISO 8601), or null when it gave none. */
  now: string | null;
  /** Running timers by id: due time and repetitions left (a firing for another due time is stale). */
  timers: Record<string, TimerState>;
  /** Running multi-instance activities, by element id. */
  loops: Record<string, LoopState>;
  /** Which start event the host fired (for processes with several). */
  startEvent: string | null;
  /** Side-path runs started so far by each non-interrupting event. */
  runs: Record<string, number>;
}

/** Any effect the compiled machine may ask for; the action's type is the effect's type. */
export type EffectAction = {
  [K in Effect['type']]: { type: K; params: Omit<Extract<Effect, { type: K }>, 'type'> };
}[Effect['type']];

export type AuditParams = Omit<Extract<Effect, { type: 'audit' }>, 'type'>;
export type CreateTaskParams = Omit<Extract<Effect, { type: 'createTask' }>, 'type'>;
export type CancelTaskParams = Omit<Extract<Effect, { type: 'cancelTask' }>, 'type'>;

export interface CompileContext {
  definition: ProcessDefinition;
  graph: ProcessGraph;
  structure: Structure;
  /** Decision tables business rule tasks may call, by id. */
  decisions: ReadonlyMap<string, Decision>;
  /** The scope (process or subprocess) of every element and flow. */
  scopeOf: ReadonlyMap<string, Scope>;
  /** Non-interrupting events whose path waits: each firing starts a scoped run. */
  spawning: ReadonlySet<string>;
  /** Floors and caps the texts of `=FEEL` timer cycles must keep when evaluated (compile/timer-limits.ts). */
  timerLimits: TimerLimits;
}

/**
 * State ids (`#id` targets) and state keys. Element states are keyed by the element id. Region
 * end states are keyed by BPMN ids too, marked with a character element ids cannot contain:
 * `@flow` — a token arrived at a join over that flow; `!flow` — an inclusive branch not taken;
 * `?flow` — deciding whether an inclusive branch is taken (never a resting place).
 */
export const stateId = {
  element: (id: string) => `el_${id}`,
  arrived: (flowId: string) => `at_${flowId}`,
  skipped: (flowId: string) => `skip_${flowId}`,
  deciding: (flowId: string) => `cond_${flowId}`,
  /** Where a scope (the process, or subprocess `id`) ends when branches without a join are all done. */
  complete: (scopeId: string | null) => (scopeId === null ? 'trellis_complete' : `done_${scopeId}`),
  loop: (subProcessId: string) => `loop_${subProcessId}`,
};
export const stateKey = {
  arrived: (flowId: string) => `@${flowId}`,
  skipped: (flowId: string) => `!${flowId}`,
  deciding: (flowId: string) => `?${flowId}`,
  complete: '$complete',
  start: '$start',
  /** Where a multi-instance subprocess decides its next run. */
  loop: '$loop',
};

/** The `#id` a flow leads to: its target element, or the branch's end when it enters a join. */
export function targetOf(ctx: CompileContext, flow: SequenceFlow): string {
  if (ctx.structure.joins.has(flow.target)) return `#${stateId.arrived(flow.id)}`;
  return `#${stateId.element(flow.target)}`;
}

/** The XState transition that leaves `elementId` along `flow`, recording it for the audit trail. */
export function leaveAlong(
  ctx: CompileContext,
  elementId: string,
  elementType: string,
  flow: SequenceFlow,
  data: AuditParams['data'] = null,
) {
  const params: AuditParams = { event: 'element.completed', elementId, elementType, flowId: flow.id, data };
  const onward = passAutomatic(ctx, flow);
  return { target: targetOf(ctx, onward.flow), actions: [{ type: 'audit' as const, params }, ...onward.actions] };
}

/**
 * Script tasks, service tasks without a job and manual tasks that `flow` leads into are passed
 * within the same transition (their variable updates and audit records become its actions), so
 * a step takes fewer XState microsteps. Their states remain, for restoring and as initial states.
 */
export function passAutomatic(ctx: CompileContext, flow: SequenceFlow): { flow: SequenceFlow; actions: unknown[] } {
  const actions: unknown[] = [];
  let current = flow;
  for (let steps = 0; steps < 100; steps++) {
    const next = ctx.graph.elements.get(current.target);
    if (!next || ctx.structure.joins.has(next.id) || !(isFoldable(next) || isMerge(ctx, next))) break;
    const out = ctx.graph.outgoing.get(next.id);
    if (!out || out.length !== 1) break;
    const set = next.type === 'scriptTask' || next.type === 'serviceTask' ? next.set : {};
    const entries = Object.entries(set);
    if (entries.length > 0) {
      actions.push(
        assign(({ context }: { context: MachineContext }) => {
          const variables = { ...context.variables };
          for (const [name, expression] of entries) variables[name] = evaluateExpression(expression, variables).value;
          return { variables };
        }),
      );
    }
    const flowId = out[0]!.id;
    actions.push({
      type: 'audit' as const,
      params: ({ context }: { context: MachineContext }): AuditParams => ({
        event: 'element.completed',
        elementId: next.id,
        elementType: next.type,
        flowId,
        data:
          entries.length > 0
            ? Object.fromEntries(entries.map(([name]) => [name, context.variables[name] ?? null]))
            : null,
      }),
    });
    current = out[0]!;
  }
  return { flow: current, actions };
}

function isFoldable(e: Element): boolean {
  return (
    e.type === 'scriptTask' ||
    e.type === 'manualTask' ||
    e.type === 'task' ||
    (e.type === 'serviceTask' && e.taskType === undefined)
  );
}

/** An exclusive gateway that only merges (one unconditional outgoing flow) has nothing to decide. */
function isMerge(ctx: CompileContext, e: Element): boolean {
  if (e.type !== 'exclusiveGateway' || e.default !== undefined) return false;
  const out = ctx.graph.outgoing.get(e.id) ?? [];
  return out.length === 1 && out[0]!.condition === undefined;
}

/** The single outgoing flow of a non-gateway element (validation guarantees exactly one). */
export function onlyOutgoing(ctx: CompileContext, elementId: string): SequenceFlow {
  const flow = ctx.graph.outgoing.get(elementId)?.[0];
  if (!flow) throw new Error(`Element "${elementId}" has no outgoing flow; validate the definition before compiling.`);
  return flow;
}
