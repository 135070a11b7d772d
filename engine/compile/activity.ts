/**
 * The shape every waiting activity shares (user task, service task with a job, call activity):
 * ask the host to start the work on entry, move on when the host reports that very work done,
 * and ask the host to cancel the work when the activity is left any other way (a boundary event,
 * a terminate end event, an interrupting event subprocess).
 */
import type { Element } from '../model/definition';
import type { EngineEvent } from '../runtime/types';
import { collect, type ActionArgs } from './actions';
import { withBoundaries, type StateParts } from './boundaries';
import type { CompileContext, EffectAction } from './context';

type DoneEvent = Extract<EngineEvent, { type: 'task.completed' | 'job.completed' | 'child.completed' }>['type'];

export interface WaitingActivity {
  /** Entry actions that hand the work to the host. */
  start: unknown[];
  /** What to ask the host when the activity is left before the work reported done. */
  cancel: EffectAction;
  /** The host's event saying the work is done. */
  done: DoneEvent;
  /** Where to go, and what to do, when it is. */
  target: string;
  onDone: unknown[];
}

export function waitingActivity(ctx: CompileContext, element: Element, activity: WaitingActivity): StateParts {
  const isOwn = (event: EngineEvent) => event.type === activity.done && event.elementId === element.id;
  return withBoundaries(ctx, element, {
    entry: activity.start,
    exit: [
      collect(({ event, enqueue }) => {
        if (!isOwn(event)) enqueue(activity.cancel);
      }),
    ],
    on: {
      [activity.done]: [
        { guard: ({ event }: ActionArgs) => isOwn(event), target: activity.target, actions: activity.onDone },
      ],
    },
  });
}
