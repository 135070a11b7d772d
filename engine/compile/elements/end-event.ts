import type { Element } from '../../model/definition';
import { raise } from 'xstate';
import { update } from '../actions';
import type { AuditParams, CompileContext } from '../context';

/**
 * An end event consumes its token: a final state of its branch (or of its scope). A terminate
 * end event is always a final state of its scope, so reaching it exits every branch there.
 * An error end event throws to the enclosing subprocesses' error boundary events; while none
 * catches it the token stays, and the runtime reports an incident. An escalation end event
 * ends its token and escalates (an uncaught escalation is ignored, as in BPMN).
 */
export function endEvent(element: Element, ctx: CompileContext) {
  if (element.type !== 'endEvent') throw new Error(`endEvent compiler got ${element.type}`);
  const enclosing = ctx.scopeOf.get(element.id)?.enclosing ?? [];
  if (element.event?.kind === 'message' || element.event?.kind === 'signal') {
    const audit: AuditParams = {
      event: 'element.completed',
      elementId: element.id,
      elementType: element.type,
      flowId: null,
      data: { [element.event.kind]: element.event.name },
    };
    const send = {
      type: element.event.kind === 'message' ? ('sendMessage' as const) : ('broadcastSignal' as const),
      params: { elementId: element.id, name: element.event.name, payload: {} },
    };
    return {
      type: 'final' as const,
      entry: [
        { type: 'audit' as const, params: audit },
        send,
        ...(element.outcome ? [update(() => ({ outcome: element.outcome! }))] : []),
      ],
    };
  }
  if (element.event) {
    const thrown = {
      type: element.event.kind === 'error' ? 'error.thrown' : 'escalation.thrown',
      elementId: enclosing[0] ?? element.id,
      code: element.event.code ?? '',
      scopes: enclosing,
    };
    const audit: AuditParams = {
      event: 'element.completed',
      elementId: element.id,
      elementType: element.type,
      flowId: null,
      data: { [element.event.kind]: element.event.code ?? null },
    };
    if (element.event.kind === 'error') return { entry: [raise(thrown as never)] };
    return { type: 'final' as const, entry: [{ type: 'audit' as const, params: audit }, raise(thrown as never)] };
  }
  const params: AuditParams = {
    event: 'element.completed',
    elementId: element.id,
    elementType: element.type,
    flowId: null,
    data: element.terminate ? { terminated: true } : null,
  };
  const outcome = element.outcome;
  return {
    type: 'final' as const,
    entry: [{ type: 'audit' as const, params }, ...(outcome ? [update(() => ({ outcome }))] : [])],
  };
}
