import type { Element } from '../../model/definition';
import type { Variables } from '../../runtime/types';
import { collect, effect, eventVariables, update } from '../actions';
import { callDepth, limits } from '../../runtime/budget';
import { waitingActivity } from '../activity';
import { leaveAlong, onlyOutgoing, type CompileContext } from '../context';
import { taskOutputs } from '../mappings';

function mapVariables(mapping: Record<string, string> | undefined, source: Variables): Variables {
  return mapping ? taskOutputs(mapping, source) : { ...source };
}

/** A call activity: asks the host to start a child instance, then waits for `child.completed`. */
export function callActivity(element: Element, ctx: CompileContext) {
  if (element.type !== 'callActivity') throw new Error(`callActivity compiler got ${element.type}`);
  const leave = leaveAlong(ctx, element.id, element.type, onlyOutgoing(ctx, element.id));
  return waitingActivity(ctx, element, {
    start: [
      collect(({ context, enqueue }) => {
        // A chain of call activities (a process calling itself, or A → B → A) ends at the limit, as an incident here.
        const { maxCallDepth } = limits();
        if (callDepth() + 1 > maxCallDepth) {
          const message = `Call activity "${element.id}" would start "${element.calledElement}" ${callDepth() + 1} calls deep; the limit is ${maxCallDepth}. Does the process call itself (directly or through another process)?`;
          enqueue({
            type: 'raiseIncident',
            params: { incident: { elementId: element.id, code: 'CALL_DEPTH_EXCEEDED', message } },
          });
          return;
        }
        enqueue(
          effect('startChildInstance', {
            elementId: element.id,
            processKey: element.calledElement,
            variables: mapVariables(element.inputs, context.variables),
          }),
        );
      }),
    ],
    cancel: { type: 'cancelChildInstance', params: { elementId: element.id } },
    done: 'child.completed',
    target: leave.target,
    onDone: [
      update(({ context, event }) => ({
        variables: { ...context.variables, ...mapVariables(element.outputs, eventVariables(event)) },
      })),
      ...leave.actions,
    ],
  });
}
