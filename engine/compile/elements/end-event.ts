import type { Element } from '../../model/definition';
import { update } from '../actions';
import type { AuditParams } from '../context';

/**
 * An end event consumes its token: a final state of its branch (or of the process). A terminate
 * end event is always a final state of the process itself, so reaching it exits every branch.
 */
export function endEvent(element: Element) {
  if (element.type !== 'endEvent') throw new Error(`endEvent compiler got ${element.type}`);
  const params: AuditParams = { event: 'element.completed', elementId: element.id, elementType: element.type, flowId: null, data: element.terminate ? { terminated: true } : null };
  const outcome = element.outcome;
  return {
    type: 'final' as const,
    entry: [{ type: 'audit' as const, params }, ...(outcome ? [update(() => ({ outcome }))] : [])],
  };
}
