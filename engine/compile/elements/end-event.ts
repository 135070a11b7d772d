import type { Element } from '../../model/definition';
import type { CompleteInstanceParams } from '../context';

/** A none end event: the instance completes with the event's outcome. */
export function endEvent(element: Element) {
  const params: CompleteInstanceParams = {
    endEventId: element.id,
    outcome: element.type === 'endEvent' ? (element.outcome ?? null) : null,
  };
  return { type: 'final' as const, entry: [{ type: 'completeInstance' as const, params }] };
}
