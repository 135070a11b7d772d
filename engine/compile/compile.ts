/**
 * Compiles a validated definition into an XState v5 machine. Each BPMN element becomes one
 * state node keyed by its element id; element compilers live in elements/, one per type.
 * Effects are named actions whose params are plain data: the runtime collects them from
 * XState's pure `transition` and never executes anything itself.
 */
import { setup, type AnyStateMachine } from 'xstate';
import type { Element, ElementType, ProcessDefinition } from '../model/definition';
import { buildGraph } from '../model/graph';
import { EngineError } from '../runtime/errors';
import type { EngineEvent, Variables } from '../runtime/types';
import { validateDefinition } from '../validate/validate';
import type { AuditParams, CompileContext, CompleteInstanceParams, CreateTaskParams, MachineContext } from './context';
import { endEvent } from './elements/end-event';
import { exclusiveGateway } from './elements/exclusive-gateway';
import { serviceTask } from './elements/service-task';
import { startEvent } from './elements/start-event';
import { userTask } from './elements/user-task';

type ElementCompiler = (element: Element, ctx: CompileContext) => object;

const compilers: Record<ElementType, ElementCompiler> = {
  startEvent,
  endEvent,
  userTask,
  exclusiveGateway,
  serviceTask,
};

/** Elements where an instance rests between commands; anywhere else it is stuck. */
export const WAIT_STATE_TYPES: ReadonlySet<ElementType> = new Set(['userTask']);

export interface CompiledProcess {
  definition: ProcessDefinition;
  elements: Map<string, Element>;
  machine: AnyStateMachine;
}

export function compile(input: unknown): CompiledProcess {
  const result = validateDefinition(input);
  if (!result.ok) {
    const first = result.diagnostics[0]?.message ?? 'unknown problem';
    throw new EngineError('INVALID_DEFINITION', `Definition is not valid (${result.diagnostics.length} problem(s)); first: ${first}`);
  }
  const definition = result.definition;
  const ctx: CompileContext = { definition, graph: buildGraph(definition) };
  const start = definition.elements.find((e) => e.type === 'startEvent')!;
  const states = Object.fromEntries(definition.elements.map((e) => [e.id, compilers[e.type](e, ctx)]));

  const machine = setup({
    types: {} as { context: MachineContext; events: EngineEvent; input: { variables: Variables } },
    actions: {
      createTask: (_: unknown, _params: CreateTaskParams) => {},
      completeInstance: (_: unknown, _params: CompleteInstanceParams) => {},
      audit: (_: unknown, _params: AuditParams) => {},
    },
  }).createMachine({
    id: definition.key,
    context: ({ input }) => ({ variables: input.variables }),
    initial: start.id,
    // Built from data, so XState cannot type-check the state configs; the element compilers do.
    states: states as Record<string, {}>,
  });
  return { definition, elements: ctx.graph.elements, machine };
}
