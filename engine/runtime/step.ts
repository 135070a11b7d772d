/**
 * The pure step: (compiled process, persisted state, event) → new state + effects.
 * Uses XState's `initialTransition` / `transition`, which execute nothing; the named actions
 * they return become effects for the host. No I/O, no clock, no randomness.
 *
 * Each `start` and `send` is one command: budget and actors here, one machine's step in machine-step.ts, scoped runs
 * in scopes.ts, retries in retry.ts. A run is an instance of its own, stepped by this module's start and send, which
 * scopes.ts and retry.ts are handed (`InstanceSteps`) instead of importing them back.
 */
import type { CompiledProcess } from '../compile/compile';
import { actorsAfter, withActors } from './actors';
import { callDepth, checkVariableDepth, checkVariableSize, lastEntry, lastWriter, metered } from './budget';
import { EngineError } from './errors';
import { sendMachine, startMachine } from './machine-step';
import { retryIncident } from './retry';
import { broadcast, sendToScope, withScopes, type InstanceSteps } from './scopes';
import type { EngineEvent, InstanceState, StepOptions, StepResult, Variables } from './types';

/**
 * Starts an instance with the given initial variables (e.g. the start form's data). `initiator`:
 * the user starting it, recorded for four-eyes rules (runtime/actors.ts).
 */
export function start(
  process: CompiledProcess,
  variables: Variables,
  options: StepOptions & { startEvent?: string; initiator?: string } = {},
): StepResult {
  const actors = options.initiator ? { initiator: options.initiator } : undefined;
  checkVariableDepth(variables, 'The start variables');
  return command(process, options.callDepth ?? callDepth(), null, () =>
    withActors(process, actors, withScopes(process, startMachine(process, variables, options), {}, options, steps)),
  );
}

/**
 * Applies one event to a persisted instance. An event nothing is waiting for is refused
 * (EVENT_NOT_ACCEPTED), except a business error nobody catches, which becomes an incident.
 * `incident.retried` tries the element an incident stopped at again (runtime/retry.ts).
 * Events with a `scope` go to that run of a scoped subprocess.
 */
export function send(
  process: CompiledProcess,
  state: InstanceState,
  event: EngineEvent,
  options: StepOptions = {},
): StepResult {
  const at = 'elementId' in event ? event.elementId : null;
  if ('variables' in event) checkVariableDepth(event.variables, `The variables of ${event.type}`);
  return command(process, state.callDepth ?? 0, at, () =>
    withActors(process, actorsAfter(state.actors, event), sendEvent(process, state, event, options)),
  );
}

/**
 * One command within its budget (runtime/budget.ts); a command inside a running one (a scoped
 * run's start) shares its budget. The state it leaves may not outgrow the size limit: such a
 * step is refused whole (VARIABLES_TOO_LARGE, naming `elementId` or the last element passed).
 */
function command(process: CompiledProcess, depth: number, elementId: string | null, run: () => StepResult): StepResult {
  return metered(process.limits, depth, run, (result) =>
    checkVariableSize(result.state, lastWriter() ?? elementId ?? lastEntry()),
  );
}

/** How scopes.ts and retry.ts step a run: as an instance, with this module's start and send. */
const steps: InstanceSteps = { start, send };

function sendEvent(
  process: CompiledProcess,
  state: InstanceState,
  event: EngineEvent,
  options: StepOptions,
): StepResult {
  // The host retries the instance's incident; the engine finds the run that is stuck.
  if (event.type === 'incident.retried') return retryIncident(process, state, event, options, steps);
  if (event.scope) return sendToScope(process, state, event, options, steps);
  if (state.mainEnded && event.type !== 'message.received' && event.type !== 'signal.received') {
    throw new EngineError(
      'EVENT_NOT_ACCEPTED',
      `The main flow of this instance has ended; only its running side paths (${Object.keys(state.scopes ?? {}).join(', ')}) take events, by scope.`,
    );
  }
  if (
    (event.type === 'message.received' || event.type === 'signal.received') &&
    state.scopes &&
    Object.keys(state.scopes).length > 0
  ) {
    return broadcast(process, state, event, options, steps);
  }
  return withScopes(process, sendMachine(process, state, event, options), state.scopes ?? {}, options, steps);
}
