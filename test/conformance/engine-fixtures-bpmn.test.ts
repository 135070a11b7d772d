/**
 * The bpmn-elements / bpmn-engine fixtures (test/fixtures/corpus/engine-fixtures), imported from their
 * ORIGINAL BPMN files rather than hand-translated (compare engine-fixtures.test.ts):
 * - [DPE] fixtures complete only under bpmn-elements' dead-path rule; under BPMN 2.0 they deadlock,
 *   and validation must say so before anything runs, naming the gateway;
 * - the others run where the import is complete enough, and must behave as the peer's own tests
 *   assert; where they depend on JavaScript or peer expressions, the import must name exactly those
 *   elements and publishing must refuse the result.
 * Expectations quote the peer test named in the corpus README (file:line).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { importBpmn, type BpmnImport, type ImportOptions } from '@/engine/bpmn/import';
import { compile } from '@/engine/compile/compile';
import {
  processDefinitionSchema,
  type ProcessDefinition,
  type ProcessDefinitionInput,
} from '@/engine/model/definition';
import { flatten } from '@/engine/model/scopes';
import { scenarioSchema } from '@/engine/simulate/scenario';
import { simulate, type SimulationOptions } from '@/engine/simulate/simulate';
import { validateDefinition } from '@/engine/validate/validate';
import { CORPUS } from '../support/corpus';

// The corpus is the repository's copy (test/fixtures/corpus), or where TRELLIS_CORPUS points.
const FIXTURES = path.join(CORPUS, 'engine-fixtures');
if (!existsSync(FIXTURES)) throw new Error(`no engine fixtures at ${FIXTURES}`);

const imports = new Map<string, Promise<BpmnImport>>();
/** The original file, imported once per process choice. */
function imported(file: string, options: ImportOptions = {}): Promise<BpmnImport> {
  const key = `${file}#${options.processId ?? ''}`;
  if (!imports.has(key)) imports.set(key, importBpmn(readFileSync(path.join(FIXTURES, file), 'utf8'), options));
  return imports.get(key)!;
}

const run = (definition: unknown, scenario: unknown, options?: SimulationOptions) =>
  simulate(compile(definition), scenarioSchema.parse(scenario), options);
const count = (list: string[], id: string) => list.filter((p) => p === id).length;

/**
 * The import with what its report and the publishing diagnostics name put right, as their hints
 * ask (properties set on the named elements and flows), and those elements' import issues removed.
 */
function resolved(
  definition: ProcessDefinitionInput,
  fixes: Record<string, Record<string, unknown>>,
): ProcessDefinition {
  const copy = processDefinitionSchema.parse(structuredClone(definition));
  const all = flatten(copy);
  for (const [id, fix] of Object.entries(fixes)) {
    const target = [...all.elements, ...all.flows].find((x) => x.id === id);
    if (!target) throw new Error(`No element or flow "${id}" to resolve`);
    Object.assign(target, fix);
  }
  const issues = (copy.importIssues ?? []).filter((i) => !(i.elementId in fixes));
  return { ...copy, importIssues: issues.length > 0 ? issues : undefined };
}

/**
 * BPMN's implicit start and end made explicit (Trellis refuses them; see engine/README.md "Limits"):
 * a start event before every element nothing flows into, an end event after every element nothing
 * flows out of, as the hand translations did.
 */
function withExplicitStartAndEnd(input: ProcessDefinitionInput): ProcessDefinitionInput {
  const definition = processDefinitionSchema.parse(input);
  const targets = new Set(definition.flows.map((f) => f.target));
  const sources = new Set(definition.flows.map((f) => f.source));
  const first = definition.elements.filter((e) => !targets.has(e.id) && e.type !== 'boundaryEvent');
  const last = definition.elements.filter((e) => !sources.has(e.id));
  return {
    ...definition,
    elements: [
      ...definition.elements,
      { id: 'implicitStart', type: 'startEvent' },
      { id: 'implicitEnd', type: 'endEvent' },
    ],
    flows: [
      ...definition.flows,
      ...first.map((e) => ({ id: `implicitStart-${e.id}`, source: 'implicitStart', target: e.id })),
      ...last.map((e) => ({ id: `${e.id}-implicitEnd`, source: e.id, target: 'implicitEnd' })),
    ],
  };
}

/** What the import must list as not run, per fixture: element id and a phrase of its `what`. */
const NOT_RUN: Record<string, [elementId: string, what: string][]> = {
  'bpmn-elements__bpmn-error.bpmn': [
    ['toEscalate', 'The condition "${environment.services.isAbove(10, environment.output.amount)}" was not translated'],
    ['order', 'camunda:formData defines the task form inline'],
    // bpmn-engine's activity content is not a variable: the output mapping is named, not translated
    ['order', 'The outputParameter "amount" "${content.output.form.amount}" was not translated'],
    ['isScam', 'The outputParameter "errorCode" maps variables on a exclusiveGateway'],
  ],
  'bpmn-elements__call-activity-signal.bpmn': [],
  'bpmn-elements__event-based-gateway.bpmn': [],
  'bpmn-elements__join-inbound.bpmn': [['bound-task3', 'A boundary event that does not say what it waits for']],
  'bpmn-elements__misp-loopback.bpmn': [
    ['subscript', 'A js script (next(null, environment.variables.content.index)'],
    ['backto-task', 'expressions in "js" are not run by Trellis'],
    ['sub', 'The loop cardinality "${environment.variables.cardinality}" was not translated'],
    ['sub', 'Multi-instance without a collection or cardinality'],
    ['sub', 'The outputParameter "process" maps variables on a subProcess'],
  ],
  'bpmn-elements__multiple-joins.bpmn': [
    [
      'flow3',
      'The condition "next(null, this.environment.variables.input <= 50);" was not translated: expressions in "JavaScript"',
    ],
    [
      'flow7',
      'The condition "next(null, this.environment.variables.input >= 50);" was not translated: expressions in "JavaScript"',
    ],
    ['scriptTask1', 'A JavaScript script'],
    ['scriptTask2', 'A JavaScript script'],
  ],
  'bpmn-elements__parallel-join-edgecase.bpmn': [],
  'bpmn-elements__wait-activities.bpmn': [
    ['stask', 'The expression "${environment.services.longRunning}" implements this task'],
    ['utask2cond', 'expressions in "js" are not run by Trellis'],
    // the conditional boundary event's Camunda 7 options: Trellis runs no conditional events
    ['utask2cond', 'camunda:variableName="foo" is not run by Trellis'],
    ['utask2cond', 'camunda:variableEvents="start" is not run by Trellis'],
  ],
  'bpmn-engine__boundary-timeout.bpmn': [['userTask', 'A camunda taskListener (on "create")']],
  'bpmn-engine__call-activity.bpmn': [],
  'bpmn-engine__mother-of-all.bpmn': [
    ['scriptTask1', 'A JavaScript script (next()'],
    ['scriptTask2', 'A JavaScript script (environment.variables.stopLoop = true;'],
    ['subScriptTask1', 'A JavaScript script (next();'],
    [
      'toLoop',
      'The condition "next(null, !environment.variables.stopLoop);" was not translated: expressions in "JavaScript"',
    ],
  ],
};

/** [DPE] fixtures (corpus README): the diagnostics BPMN 2.0 semantics require, by rule and element. */
const DEAD_PATH: [file: string, peer: string, diagnostics: { ruleId: string; elementId: string }[]][] = [
  [
    'bpmn-engine__boundary-timeout.bpmn',
    'issues-feature.js L1017-1070: the user task and its interrupting timer both flow into parallel "join"',
    [{ ruleId: 'deadlock', elementId: 'join' }],
  ],
  [
    'bpmn-elements__event-based-gateway.bpmn',
    'EventBasedGateway-feature.js L26-79: both events after the event-based gateway flow into parallel "join"',
    [{ ruleId: 'deadlock', elementId: 'join' }],
  ],
  [
    'bpmn-elements__wait-activities.bpmn',
    'activity-status-feature.js L47-111: the event-based gateway\'s events meet at parallel "gather"; the inclusive "split" meets at parallel "join"',
    [
      { ruleId: 'deadlock', elementId: 'gather' },
      { ruleId: 'deadlock', elementId: 'join' },
      { ruleId: 'structure', elementId: 'split' },
    ],
  ],
  [
    'bpmn-engine__mother-of-all.bpmn',
    'Engine-feature.js L59-121: inclusive "manyDecisions" (with a default) flows into parallel "join"',
    [
      { ruleId: 'deadlock', elementId: 'join' },
      { ruleId: 'structure', elementId: 'manyDecisions' },
    ],
  ],
  [
    'bpmn-elements__join-inbound.bpmn',
    'parallel-gateway-feature.js L35-51: parallel "join" with 4 inbound from exclusive gateways, a boundary event and inclusive "split"',
    [
      { ruleId: 'deadlock', elementId: 'join' },
      { ruleId: 'structure', elementId: 'split' },
    ],
  ],
  [
    'bpmn-elements__multiple-joins.bpmn',
    'ParallelGateway-test.js L237-269, L407-419: exclusive gateways feed nested parallel joins "join2" and "join1"',
    [
      { ruleId: 'deadlock', elementId: 'join1' },
      { ruleId: 'deadlock', elementId: 'join2' },
    ],
  ],
  [
    'bpmn-elements__parallel-join-edgecase.bpmn',
    'gateway-feature.js L348-363: exclusive "decision" reaches parallel "join" directly and through "task"',
    [{ ruleId: 'deadlock', elementId: 'join' }],
  ],
];

describe('engine fixtures imported from their original BPMN', () => {
  it('every fixture in the corpus folder has its expectations here', () => {
    // given the corpus folder
    const files = readdirSync(FIXTURES)
      .filter((f) => f.endsWith('.bpmn'))
      .sort();
    // then each is covered (a new fixture fails here until it is described)
    expect(Object.keys(NOT_RUN).sort()).toEqual(files);
  });

  it.each(Object.entries(NOT_RUN))(
    '%s: the import lists exactly the elements Trellis will not run',
    async (file, expected) => {
      // given / when
      const { report } = await imported(file);
      // then
      expect(report.unsupported.map((u) => u.elementId).sort()).toEqual(expected.map(([id]) => id).sort());
      for (const [elementId, what] of expected)
        expect(report.unsupported).toContainEqual(
          expect.objectContaining({ elementId, what: expect.stringContaining(what) }),
        );
    },
  );

  describe('[DPE] dead-path fixtures are deadlocks under BPMN 2.0, reported before anything runs', () => {
    it.each(DEAD_PATH)('%s (%s)', async (file, _peer, diagnostics) => {
      // given the imported definition
      const { definition } = await imported(file);
      // when it is validated
      const result = validateDefinition(definition);
      // then it is refused, naming the join (and the split that cannot be joined) by rule
      expect(result.ok).toBe(false);
      for (const d of diagnostics)
        expect(result.diagnostics).toContainEqual(expect.objectContaining({ ...d, severity: 'error' }));
    });
  });

  describe('bpmn-elements__bpmn-error.bpmn (errors-feature.js L592-640)', () => {
    const file = 'bpmn-elements__bpmn-error.bpmn';

    it('the error path is imported as the hand translation has it: endInError throws AmountTooBig, catchError on orderProcess catches it and ends at a signal', async () => {
      // given / when
      const { definition } = await imported(file);
      // then
      const all = flatten(processDefinitionSchema.parse(definition));
      const byId = (id: string) => all.elements.find((e) => e.id === id);
      expect(byId('endInError')).toMatchObject({ type: 'endEvent', event: { kind: 'error', code: 'AmountTooBig' } });
      expect(byId('catchError')).toMatchObject({
        type: 'boundaryEvent',
        attachedTo: 'orderProcess',
        event: { kind: 'error', code: 'AmountTooBig' },
      });
      expect(byId('endWithSignal')).toMatchObject({
        type: 'endEvent',
        event: { kind: 'signal', name: 'Too big signal' },
      });
      expect(all.elements.find((e) => e.id === 'isScam')).toMatchObject({
        type: 'exclusiveGateway',
        default: 'toPlaceOrder',
      });
    });

    it('cannot run as imported: its scam condition calls a peer service, so the import names it and publishing refuses', async () => {
      // given
      const { definition, report } = await imported(file);
      // when
      const draft = validateDefinition(definition);
      const publishing = validateDefinition(definition, { publishing: true });
      // then the flow keeps no condition, and even the draft is refused for it
      expect(report.unsupported).toContainEqual(
        expect.objectContaining({
          elementId: 'toEscalate',
          what: expect.stringContaining('method call "environment.services.isAbove(...)" cannot run in Trellis'),
        }),
      );
      expect((definition.importIssues ?? []).map((i) => i.elementId).sort()).toEqual(['isScam', 'order', 'toEscalate']);
      expect(draft).toMatchObject({
        ok: false,
        diagnostics: [expect.objectContaining({ ruleId: 'exclusive-gateway', elementId: 'toEscalate' })],
      });
      expect(publishing.ok).toBe(false);
      expect(publishing.diagnostics).toContainEqual(
        expect.objectContaining({ ruleId: 'publishable', elementId: 'toEscalate' }),
      );
      expect(publishing.diagnostics).toContainEqual(
        expect.objectContaining({ ruleId: 'publishable', elementId: 'order' }),
      );
    });

    // With only what the report and publishing name put right, the rest of the import runs as the peer.
    // (the output mappings on "order" and "isScam" are not run, as reported: the form's data and the error code reach the variables anyway)
    const fixes = {
      toEscalate: { condition: 'amount > 10' },
      order: { formKey: 'order', candidateGroups: ['operations'] },
      isScam: {},
    };

    it('with the named condition written in FEEL: it publishes', async () => {
      // given
      const { definition } = await imported(file);
      // when
      const result = validateDefinition(resolved(definition, fixes), { publishing: true });
      // then
      expect(result).toMatchObject({ ok: true, diagnostics: [] });
    });

    it('amount 11: the error end event is caught on the sub-process, which is discarded, and the run ends with the signal', async () => {
      // given
      const definition = resolved((await imported(file)).definition, fixes);
      // when
      const result = run(definition, {
        steps: [{ expect: { active: ['order'] } }, { complete: 'order', variables: { amount: 11 } }],
      });
      // then: boundary taken 1, error end event taken 0, sub-process taken 0, signal end taken 1
      expect(result).toMatchObject({ status: 'completed', active: [], failures: [], variables: { amount: 11 } });
      expect(count(result.path, 'catchError')).toBe(1);
      expect(count(result.path, 'endInError')).toBe(0);
      expect(count(result.path, 'orderProcess')).toBe(0);
      expect(count(result.path, 'endWithSignal')).toBe(1);
      expect(result.effects).toContainEqual({
        type: 'broadcastSignal',
        elementId: 'endWithSignal',
        name: 'Too big signal',
        payload: {},
      });
    });

    it('amount 5: the order is placed and the run ends normally', async () => {
      // given
      const definition = resolved((await imported(file)).definition, fixes);
      // when
      const result = run(definition, { steps: [{ complete: 'order', variables: { amount: 5 } }] });
      // then
      expect(result).toMatchObject({ status: 'completed', failures: [] });
      expect(result.path.slice(-4)).toEqual(['placeOrder', 'orderEnd', 'orderProcess', 'end']);
      expect(count(result.path, 'catchError')).toBe(0);
    });
  });

  describe('bpmn-elements__misp-loopback.bpmn (sub-process-feature.js L156-194)', () => {
    const file = 'bpmn-elements__misp-loopback.bpmn';

    it('cannot run as imported: the loop-back condition and the inner script are JavaScript, so the import names both and publishing refuses', async () => {
      // given
      const { definition, report } = await imported(file);
      // when
      const publishing = validateDefinition(definition, { publishing: true });
      // then
      expect(report.unsupported).toContainEqual(
        expect.objectContaining({
          elementId: 'backto-task',
          what: expect.stringContaining('const loopback = environment.variables.loopback;'),
        }),
      );
      expect(report.unsupported).toContainEqual(
        expect.objectContaining({
          elementId: 'subscript',
          what: 'A js script (next(null, environment.variables.content.index)…)',
        }),
      );
      expect(publishing.ok).toBe(false);
      for (const elementId of ['backto-task', 'subscript'])
        expect(publishing.diagnostics).toContainEqual(expect.objectContaining({ ruleId: 'publishable', elementId }));
    });

    it('the draft is refused too: "gw" loses its condition and "sub" has BPMN\'s implicit start and end (the hand translation added them)', async () => {
      // given
      const { definition } = await imported(file);
      // when
      const result = validateDefinition(definition);
      // then
      expect(result.ok).toBe(false);
      expect(result.diagnostics).toContainEqual(
        expect.objectContaining({ ruleId: 'exclusive-gateway', elementId: 'backto-task' }),
      );
      expect(result.diagnostics).toContainEqual(
        expect.objectContaining({
          ruleId: 'start-end-events',
          elementId: 'sub',
          message: 'Subprocess "sub" has no start event; add one startEvent.',
        }),
      );
    });

    // bpmn-engine's `environment` is the peer's engine object, not a variable: reported, not translated.
    it('the peer expression ${environment.variables.cardinality} on "sub" is named as not translated', async () => {
      // given / when
      const { report } = await imported(file);
      // then
      expect(report.unsupported).toContainEqual(
        expect.objectContaining({
          elementId: 'sub',
          what: expect.stringContaining('${environment.variables.cardinality}'),
        }),
      );
    });
  });

  // camunda:inputOutput is run only where Trellis maps variables (service, script, user and
  // business rule tasks); elsewhere, or when its expression reads what only the peer engine has,
  // it cannot run, and the report says so.
  it.each([
    ['bpmn-elements__bpmn-error.bpmn', 'order', 'outputParameter "amount"'],
    ['bpmn-elements__bpmn-error.bpmn', 'isScam', 'outputParameter "errorCode"'],
    ['bpmn-elements__misp-loopback.bpmn', 'sub', 'outputParameter "process"'],
  ])('%s: the camunda:inputOutput on "%s" (%s) is named as not run', async (file, elementId, what) => {
    // given / when
    const { report } = await imported(file);
    // then
    expect(report.unsupported).toContainEqual(
      expect.objectContaining({ elementId, what: expect.stringContaining(what) }),
    );
  });

  // The peer's other call-activity-signal case (L62-93: cancelling the call activity through its
  // API completes the run) has no counterpart: a Trellis host cannot cancel a single activity.
  describe.each([
    ['bpmn-engine__call-activity.bpmn', 'call-activity-feature.js L8-24: reaches "end", call-activity taken 1', 'task'],
    [
      'bpmn-elements__call-activity-signal.bpmn',
      'call-activity-feature.js L38-53: signal "task", then completes, call-activity taken 1',
      'manualTask',
    ],
  ])('%s (%s)', (file, _peer, calledType) => {
    it('imports the executable pool cleanly: "call-activity" calls "called-process", kept as a pool beside it', async () => {
      // given / when
      const { definition, processes } = await imported(file);
      // then
      expect(processes).toEqual([
        { id: 'Process_1', executable: true },
        { id: 'called-process', executable: false },
      ]);
      expect(definition.elements).toContainEqual({
        id: 'call-activity',
        type: 'callActivity',
        calledElement: 'called-process',
      });
      expect(definition.pools).toEqual([
        { id: 'called-process', elements: [{ id: 'task', type: calledType }], flows: [] },
      ]);
      expect(validateDefinition(definition, { publishing: true })).toMatchObject({ ok: true, diagnostics: [] });
    });

    it("the called pool alone is refused: one task, with BPMN's implicit start and end", async () => {
      // given
      const { definition } = await imported(file, { processId: 'called-process' });
      // when
      const result = validateDefinition(definition);
      // then
      expect(definition.key).toBe('called-process');
      expect(result.ok).toBe(false);
      expect(result.diagnostics).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            ruleId: 'start-end-events',
            message: 'The process has no start event; add one startEvent.',
          }),
          expect.objectContaining({ ruleId: 'outgoing-flows', elementId: 'task' }),
        ]),
      );
    });

    // bpmn-elements waits at a manualTask until signalled; in Trellis (and BPMN 2.0) a manual task is
    // done outside the engine and passes through, so no step is needed. The hand translation made
    // it a user task to keep the peer's wait; the import keeps the BPMN type.
    it('with the called pool\'s implicit start and end made explicit, the run reaches "end" at once, the call activity taken once and "task" never waiting', async () => {
      // given the main process, and the called pool imported from the same file
      const { definition } = await imported(file);
      const called = withExplicitStartAndEnd((await imported(file, { processId: 'called-process' })).definition);
      const library = new Map([['called-process', compile(called)]]);
      // when it starts
      const result = run(definition, { steps: [{ expect: { status: 'completed', active: [] } }] }, { library });
      // then
      expect(result).toMatchObject({ status: 'completed', failures: [] });
      expect(count(result.path, 'call-activity')).toBe(1);
      expect(count(result.path, 'task')).toBe(1);
      expect(result.path.at(-1)).toBe('end');
    });
  });
});
