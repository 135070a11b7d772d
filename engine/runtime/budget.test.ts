import { describe, expect, it } from 'vitest';
import { compile } from '../compile/compile';
import { simulate } from '../simulate/simulate';
import { validateDefinition } from '../validate/validate';
import { evaluateExpression } from '../expressions/feel';
import { DEFAULT_LIMITS, jsonBytes } from './budget';
import { send, start } from './step';

/** start → a (sets n) → gw: back to a while n > 0 is false, else out: a loop with no wait state. */
function automaticLoop(condition: string, set: Record<string, string> = { n: 'n + 1' }) {
  return {
    formatVersion: 1,
    key: 'automatic-loop',
    version: 1,
    name: 'Automatic loop',
    elements: [
      { id: 'start', type: 'startEvent' },
      { id: 'a', type: 'serviceTask', set },
      { id: 'gw', type: 'exclusiveGateway', default: 'back' },
      { id: 'end', type: 'endEvent' },
    ],
    flows: [
      { id: 'f1', source: 'start', target: 'a' },
      { id: 'f2', source: 'a', target: 'gw' },
      { id: 'back', source: 'gw', target: 'a' },
      { id: 'out', source: 'gw', target: 'end', condition },
    ],
  };
}

describe('the budget of one command', () => {
  it('stops an automatic loop with an incident naming the elements of the loop, not a hang', () => {
    // given a loop whose way out its data never reaches
    const process = compile(automaticLoop('n < 0'));
    // when an instance starts
    const { state, effects } = start(process, { n: 0 });
    // then it stops at the gateway, in an incident that names the loop and the limit
    expect(state.status).toBe('incident');
    expect(state.incident).toMatchObject({ elementId: 'gw', code: 'BUDGET_EXCEEDED' });
    expect(state.incident!.message).toContain('"gw" → "a" → "gw"');
    expect(state.incident!.message).toContain('took 10,000 steps');
    expect(effects.at(-1)).toMatchObject({ type: 'raiseIncident', incident: { code: 'BUDGET_EXCEEDED' } });
    // and it stopped at the limit: n counts the passes through a (two elements a pass)
    expect(state.variables.n).toBeGreaterThanOrEqual(DEFAULT_LIMITS.maxElementEntries / 2);
    expect(state.variables.n).toBeLessThan(DEFAULT_LIMITS.maxElementEntries / 2 + 5);
    // the host is asked to record the loop's first and last 100 passes, not all 10,000
    expect(effects.filter((e) => e.type === 'audit')).toHaveLength(200);
  });

  it('lets a loop that ends within the budget run to its end', () => {
    const process = compile(automaticLoop('n >= 1000'));
    const { state } = start(process, { n: 0 });
    expect(state).toMatchObject({ status: 'completed', variables: { n: 1000 } });
  });

  it("is the host's to set, and a retried incident gets a fresh budget", () => {
    const process = compile(automaticLoop('n >= 60'), { limits: { maxElementEntries: 100 } });
    const first = start(process, { n: 0 });
    expect(first.state).toMatchObject({ status: 'incident', incident: { elementId: 'gw', code: 'BUDGET_EXCEEDED' } });
    const retried = send(process, first.state, { type: 'incident.retried', elementId: 'gw' });
    expect(retried.state).toMatchObject({ status: 'completed' });
    expect(retried.state.variables.n).toBe(60);
  });

  it('counts expression evaluations too', () => {
    // each pass evaluates the loop's own mapping and the condition: 2 evaluations per entry of a
    const process = compile(automaticLoop('n < 0'), { limits: { maxEvaluations: 500 } });
    const { state } = start(process, { n: 0 });
    expect(state.incident).toMatchObject({ code: 'BUDGET_EXCEEDED' });
    expect(state.incident!.message).toContain('evaluated 500 expressions');
    // stopped between two passes: the variables are real values, never a null the budget made up
    expect(state.variables.n).toBeGreaterThan(200);
    expect(state.variables.n).toBeLessThanOrEqual(251);
  });

  it('refuses a step whose variables outgrow the limit, naming the element and the size', () => {
    // given a loop that doubles a text on every pass
    const process = compile(automaticLoop('string length(s) > 100000000', { s: 's + s' }), {
      limits: { maxVariableBytes: 100_000 },
    });
    // when it starts, then nothing is kept: the step is refused with the size and the limit
    expect(() => start(process, { s: 'x'.repeat(1000) })).toThrow(
      /variables would take more than .* at "a"; the limit is 98 KB/,
    );
    try {
      start(process, { s: 'x'.repeat(1000) });
    } catch (error) {
      expect((error as { code: string }).code).toBe('VARIABLES_TOO_LARGE');
    }
  });

  it('refuses a job result that would pass the limit, naming the service task', () => {
    const definition = {
      formatVersion: 1,
      key: 'fetch',
      version: 1,
      name: 'Fetch',
      elements: [
        { id: 'start', type: 'startEvent' },
        { id: 'fetch', type: 'serviceTask', taskType: 'http' },
        { id: 'end', type: 'endEvent' },
      ],
      flows: [
        { id: 'f1', source: 'start', target: 'fetch' },
        { id: 'f2', source: 'fetch', target: 'end' },
      ],
    };
    const process = compile(definition, { limits: { maxVariableBytes: 10_000 } });
    const { state } = start(process, {});
    expect(() =>
      send(process, state, { type: 'job.completed', elementId: 'fetch', variables: { body: 'x'.repeat(20_000) } }),
    ).toThrow(/at "fetch"; the limit is/);
  });

  it('stops an expression whose built-in functions do too much work, naming it, before it fills the memory', () => {
    // given a mapping that upper-cases a 200 KB text 10,000 times (2 GB of text, seconds of work, before)
    const definition = automaticLoop('true', { copies: 'for i in 1..10000 return upper case(s)' });
    const process = compile(definition);
    const began = performance.now();
    // when it starts, then the step is refused, naming the expression, after about 125 calls
    expect(() => start(process, { s: 'x'.repeat(200_000) })).toThrow(
      /The expression "for i in 1\.\.10000 return upper case\(s\)" \(by "a"\) made its built-in functions do more work than one step may \(50,000,000/,
    );
    expect(performance.now() - began).toBeLessThan(2_000);
    // and without a command (a connector's setting) the evaluation alone is stopped: no value, a warning
    const alone = evaluateExpression('for i in 1..10000 return upper case(s)', { s: 'x'.repeat(200_000) });
    expect(alone.value).toBeNull();
    expect(alone.warnings.join(' ')).toContain('"upper case" was stopped');
  });

  it('meters the other built-ins that copy texts and lists, through any call path', () => {
    const big = Array.from({ length: 10_000 }, (_, i) => i);
    for (const expression of [
      'for i in 1..10000 return count(items)',
      'for i in 1..10000 return (sort)(items, function(a, b) a < b)',
      'string join(for i in 1..10000 return s, "")',
      'for i in 1..10000 return { f: reverse }.f(items)',
    ]) {
      const { value, warnings } = evaluateExpression(expression, { items: big, s: 'y'.repeat(10_000) });
      if (value !== null) throw new Error(`${expression} was not stopped`);
      expect(warnings.join(' ')).toMatch(/was stopped|not allowed|defining functions/);
    }
  });

  it('raises no incident when the budget went on work asked of the host and every token reached a wait state', () => {
    // 150 tasks of one multi-instance task: more than a budget of 100 steps, but bounded by the definition
    const definition = {
      formatVersion: 1,
      key: 'many-tasks',
      version: 1,
      name: 'Many tasks',
      elements: [
        { id: 'start', type: 'startEvent' },
        {
          id: 'each',
          type: 'userTask',
          candidateGroups: ['hr'],
          multiInstance: { cardinality: '150', elementVariable: 'i' },
        },
        { id: 'end', type: 'endEvent' },
      ],
      flows: [
        { id: 'f1', source: 'start', target: 'each' },
        { id: 'f2', source: 'each', target: 'end' },
      ],
    };
    const { state, effects } = start(compile(definition, { limits: { maxElementEntries: 100 } }), {});
    expect(state).toMatchObject({ status: 'active', active: ['each'] });
    expect(effects.filter((e) => e.type === 'createTask')).toHaveLength(150);
  });

  const runs = (cardinality: number) => ({
    formatVersion: 1,
    key: 'runs',
    version: 1,
    name: 'Runs',
    elements: [
      { id: 'start', type: 'startEvent' },
      {
        id: 'outer',
        type: 'subProcess',
        multiInstance: { cardinality: String(cardinality), elementVariable: 'i' },
        elements: [
          { id: 'in', type: 'startEvent' },
          { id: 'review', type: 'userTask', candidateGroups: ['hr'] },
          { id: 'out', type: 'endEvent' },
        ],
        flows: [
          { id: 's1', source: 'in', target: 'review' },
          { id: 's2', source: 'review', target: 'out' },
        ],
      },
      { id: 'end', type: 'endEvent' },
    ],
    flows: [
      { id: 'f1', source: 'start', target: 'outer' },
      { id: 'f2', source: 'outer', target: 'end' },
    ],
  });

  it('refuses a step whose budget runs out with multi-instance runs still to start (none is left unstarted for ever)', () => {
    const process = compile(runs(100), { limits: { maxElementEntries: 100 } });
    expect(() => start(process, {})).toThrow(
      /Multi-instance "outer" would start more runs \(100 in all\) than one step may carry/,
    );
    expect(start(compile(runs(20), { limits: { maxElementEntries: 100 } }), {}).state.status).toBe('active');
  });

  it('caps the variables, and the whole state with its runs at 16 times that: runs copy the variables', () => {
    // 250 runs of a subprocess, each with its own copy of 6 KB of variables: 1.5 MB of state, legitimately
    const { state } = start(compile(runs(250)), { notes: 'n'.repeat(6_000) });
    expect(state.status).toBe('active');
    expect(Object.keys(state.scopes ?? {})).toHaveLength(250);
    // but not past 16 × the variables' limit
    expect(() =>
      start(compile(runs(250), { limits: { maxVariableBytes: 50_000 } }), { notes: 'n'.repeat(6_000) }),
    ).toThrow(
      /state, with its multi-instance runs, would take more than .* the limit is 781 KB \(16 × the variables' limit\)/,
    );
  });

  it('measures JSON size without building the text, and stops counting past the cap', () => {
    expect(jsonBytes({ a: 'xy', b: [1, true, null] }, 1_000)).toBeGreaterThan(10);
    let big = 'x'.repeat(1000);
    for (let i = 0; i < 19; i++) big = big + big; // a rope of 524 million characters: never flattened
    expect(jsonBytes({ big }, 1_000_000)).toBeGreaterThan(1_000_000);
  });
});

describe('call activities', () => {
  const selfCalling = {
    formatVersion: 1,
    key: 'self-call',
    version: 1,
    name: 'Calls itself',
    elements: [
      { id: 'start', type: 'startEvent' },
      { id: 'again', type: 'callActivity', calledElement: 'self-call' },
      { id: 'end', type: 'endEvent' },
    ],
    flows: [
      { id: 'f1', source: 'start', target: 'again' },
      { id: 'f2', source: 'again', target: 'end' },
    ],
  };

  it('start no child past the depth limit: an incident at the call activity instead', () => {
    const process = compile(selfCalling);
    const atLimit = start(process, {}, { callDepth: DEFAULT_LIMITS.maxCallDepth });
    expect(atLimit.state).toMatchObject({
      status: 'incident',
      callDepth: DEFAULT_LIMITS.maxCallDepth,
      incident: { elementId: 'again', code: 'CALL_DEPTH_EXCEEDED' },
    });
    expect(atLimit.state.incident!.message).toContain('the limit is 10');
    expect(atLimit.effects.some((e) => e.type === 'startChildInstance')).toBe(false);
    const below = start(process, {}, { callDepth: DEFAULT_LIMITS.maxCallDepth - 1 });
    expect(below.effects).toContainEqual(
      expect.objectContaining({ type: 'startChildInstance', processKey: 'self-call' }),
    );
  });

  it('the simulator (CLI) stops a process that calls itself at the same limit', () => {
    const process = compile(selfCalling);
    const result = simulate(
      process,
      { variables: {}, services: {}, jobs: 'complete', steps: [] },
      { library: new Map([['self-call', process]]) },
    );
    const incidents = JSON.stringify(result);
    expect(incidents).toContain('CALL_DEPTH_EXCEEDED');
  });
});

describe('design-time warnings (validate rule "loops")', () => {
  const warnings = (input: unknown) => {
    const result = validateDefinition(input);
    return result.diagnostics.filter((d) => d.ruleId === 'loops');
  };

  it('warns of a loop with no wait state, naming its elements at its gateway', () => {
    expect(warnings(automaticLoop('n < 0'))).toEqual([
      expect.objectContaining({
        elementId: 'gw',
        severity: 'warning',
        message: expect.stringContaining('"a", "gw" form a loop with no wait state'),
      }),
    ]);
    // a warning, not an error: a loop over a counter is legal and may be published
    expect(validateDefinition(automaticLoop('n < 0')).ok).toBe(true);
  });

  it('says nothing of a loop through a wait state', () => {
    const withTask = automaticLoop('n < 0');
    withTask.elements[1] = { id: 'a', type: 'userTask', candidateGroups: ['hr'] } as never;
    expect(warnings(withTask)).toEqual([]);
  });

  it('refuses a loop whose only wait is a timer shorter than a minute: every pass is a command of its own', () => {
    const polling = (duration: string) => {
      const d = automaticLoop('n > 100');
      d.elements[1] = { id: 'a', type: 'intermediateCatchEvent', event: { kind: 'timer', duration } } as never;
      return d;
    };
    const result = validateDefinition(polling('PT0S'));
    expect(result.ok).toBe(false);
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({
        ruleId: 'loops',
        elementId: 'a',
        severity: 'error',
        message: expect.stringContaining('whose only wait is a timer of under 60 seconds'),
      }),
    );
    expect(validateDefinition(polling('PT5M')).diagnostics.filter((d) => d.ruleId === 'loops')).toEqual([]);
    // a duration computed at run time cannot be judged here
    expect(validateDefinition(polling('=wait')).ok).toBe(true);
  });

  it('warns of a process that calls itself', () => {
    const calls = {
      formatVersion: 1,
      key: 'org-chart',
      version: 1,
      name: 'Org chart',
      elements: [
        { id: 'start', type: 'startEvent' },
        { id: 'sub', type: 'callActivity', calledElement: 'org-chart' },
        { id: 'end', type: 'endEvent' },
      ],
      flows: [
        { id: 'f1', source: 'start', target: 'sub' },
        { id: 'f2', source: 'sub', target: 'end' },
      ],
    };
    expect(warnings(calls)).toEqual([
      expect.objectContaining({
        elementId: 'sub',
        severity: 'warning',
        message: expect.stringContaining('calls this process ("org-chart") itself'),
      }),
    ]);
  });
});
