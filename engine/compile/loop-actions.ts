/**
 * The actions every multi-instance activity shares (user tasks, subprocesses run in turn, and
 * subprocess runs as scopes): read the items and start the loop, forget it, and finish it by
 * collecting the outputs. What each kind does per run stays with the kind.
 */
import type { MultiInstance } from '../model/definition';
import type { LoopState } from '../runtime/types';
import { collect, update, without, type ActionArgs, type Enqueue } from './actions';
import { loopItems, startLoop, type AfterRun } from './multi-instance';

/** Reads the items; an unreadable collection is an incident. `begin` starts the first runs. */
export function beginLoop(
  id: string,
  mi: MultiInstance,
  sequential: boolean,
  begin: (loop: LoopState, args: ActionArgs & { enqueue: Enqueue }) => void,
): unknown {
  return collect((args) => {
    const items = loopItems(id, mi, args.context.variables);
    if (!items.ok) {
      args.enqueue({
        type: 'raiseIncident',
        params: { incident: { elementId: id, code: 'LOOP_FAILED', message: items.message } },
      });
      return;
    }
    const loop = startLoop(items.items, sequential);
    args.enqueue(update(({ context: c }) => ({ loops: { ...c.loops, [id]: loop } })));
    begin(loop, args);
  });
}

export function forgetLoop(id: string): unknown {
  return update(({ context }) => ({ loops: without(context.loops, id) }));
}

/** Stores the collected outputs (when asked to) and forgets the loop. */
export function finishLoop(id: string, mi: MultiInstance, after: (args: ActionArgs) => AfterRun): unknown {
  return update((args) => {
    const result = after(args);
    const variables = mi.outputCollection
      ? { ...args.context.variables, [mi.outputCollection]: result.collected }
      : args.context.variables;
    return { variables, loops: without(args.context.loops, id) };
  });
}

/** What finishing a loop that is already gone (an empty collection, skipped) collects: nothing. */
export function noRuns(sequential: boolean): AfterRun {
  return { loop: startLoop([], sequential), done: true, next: null, collected: [] };
}
