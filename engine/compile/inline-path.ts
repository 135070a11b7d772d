/**
 * Runs the path after a non-interrupting boundary event straight through within one step:
 * automatic elements only (script/service tasks without a job, manual tasks, send tasks, throw
 * events, exclusive gateways) up to an end event. Validation rejects anything that would wait.
 */
import { evaluateExpression } from '../expressions/feel';
import type { Element } from '../model/definition';
import type { Variables } from '../runtime/types';
import { collect, eventVariables, update, type Enqueue } from './actions';
import type { CompileContext } from './context';
import { decide } from './decide';

/** Longest inline path walked before it is treated as a loop. */
const MAX_INLINE_STEPS = 1_000;

export function runInline(ctx: CompileContext, boundary: Pick<Element, 'id' | 'type'>): unknown {
  return collect(({ context, event, enqueue }) => {
    const variables: Variables = { ...context.variables, ...eventVariables(event) };
    let flow = ctx.graph.outgoing.get(boundary.id)?.[0];
    enqueue({
      type: 'audit',
      params: {
        event: 'element.completed',
        elementId: boundary.id,
        elementType: boundary.type,
        flowId: flow?.id ?? null,
        data: { interrupting: false },
      },
    });
    for (let step = 0; flow && step < MAX_INLINE_STEPS; step++) {
      const element = ctx.graph.elements.get(flow.target);
      if (!element) break;
      flow = passInline(ctx, element.id, variables, enqueue);
    }
    enqueue(update(() => ({ variables })));
  });
}

/** Carries out one inline element; returns the flow to follow next, or undefined at the end. */
function passInline(ctx: CompileContext, elementId: string, variables: Variables, enqueue: Enqueue) {
  const element = ctx.graph.elements.get(elementId)!;
  const outgoing = ctx.graph.outgoing.get(elementId) ?? [];
  let next = outgoing[0];
  switch (element.type) {
    case 'scriptTask':
    case 'serviceTask':
      for (const [name, expression] of Object.entries(element.set))
        variables[name] = evaluateExpression(expression, variables).value;
      break;
    case 'sendTask':
      enqueue({
        type: 'sendMessage',
        params: { elementId, name: element.message.name, payload: payloadOf(element.message.payload, variables) },
      });
      break;
    case 'intermediateThrowEvent':
      if (element.event?.kind === 'message')
        enqueue({ type: 'sendMessage', params: { elementId, name: element.event.name, payload: {} } });
      if (element.event?.kind === 'signal')
        enqueue({ type: 'broadcastSignal', params: { elementId, name: element.event.name, payload: {} } });
      break;
    case 'exclusiveGateway': {
      const decision = decide(element, outgoing, variables);
      if (decision.kind === 'incident') {
        enqueue({ type: 'raiseIncident', params: { incident: decision.incident } });
        return undefined;
      }
      next = outgoing.find((f) => f.id === decision.flowIds[0]);
      break;
    }
    case 'endEvent':
      if (element.event?.kind === 'message')
        enqueue({ type: 'sendMessage', params: { elementId, name: element.event.name, payload: {} } });
      if (element.event?.kind === 'signal')
        enqueue({ type: 'broadcastSignal', params: { elementId, name: element.event.name, payload: {} } });
      next = undefined;
      break;
    default:
      break;
  }
  enqueue({
    type: 'audit',
    params: { event: 'element.completed', elementId, elementType: element.type, flowId: next?.id ?? null, data: null },
  });
  return next;
}

export function payloadOf(payload: Record<string, string> | undefined, variables: Variables): Variables {
  const out: Variables = {};
  for (const [name, expression] of Object.entries(payload ?? {}))
    out[name] = evaluateExpression(expression, variables).value;
  return out;
}

/** A non-interrupting event whose path waits: each firing starts a run of that path's machine. */
export function spawnRun(elementId: string): unknown {
  return collect(({ context, event, enqueue }) => {
    const index = context.runs[elementId] ?? 0;
    const variables = { ...context.variables, ...eventVariables(event) };
    enqueue({
      type: 'audit',
      params: {
        event: 'element.completed',
        elementId,
        elementType: 'event',
        flowId: null,
        data: { interrupting: false, run: index },
      },
    });
    enqueue({ type: 'spawnScopes', params: { elementId, runs: [{ index, variables }] } });
    enqueue(update(({ context: c }) => ({ runs: { ...c.runs, [elementId]: index + 1 } })));
  });
}
