/** What element compilers share: the machine's context and helpers to leave an element. */
import type { ProcessDefinition, SequenceFlow } from '../model/definition';
import type { ProcessGraph } from '../model/graph';
import type { Effect, Variables } from '../runtime/types';

export interface MachineContext {
  variables: Variables;
}

export type AuditParams = Omit<Extract<Effect, { type: 'audit' }>, 'type'>;
export type CreateTaskParams = Omit<Extract<Effect, { type: 'createTask' }>, 'type'>;
export type CompleteInstanceParams = Omit<Extract<Effect, { type: 'completeInstance' }>, 'type'>;

export interface CompileContext {
  definition: ProcessDefinition;
  graph: ProcessGraph;
}

/** The XState transition that leaves `elementId` along `flow`, recording it for the audit trail. */
export function leaveAlong(elementId: string, elementType: string, flow: SequenceFlow, data: AuditParams['data'] = null) {
  const params: AuditParams = { event: 'element.completed', elementId, elementType, flowId: flow.id, data };
  return { target: flow.target, actions: [{ type: 'audit' as const, params }] };
}

/** The single outgoing flow of a non-gateway element (validation guarantees exactly one). */
export function onlyOutgoing(ctx: CompileContext, elementId: string): SequenceFlow {
  const flow = ctx.graph.outgoing.get(elementId)?.[0];
  if (!flow) throw new Error(`Element "${elementId}" has no outgoing flow; validate the definition before compiling.`);
  return flow;
}
