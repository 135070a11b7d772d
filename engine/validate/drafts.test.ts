/**
 * Drafts (imported files, designs in progress) may leave things open and still be simulated;
 * what is left open is named, and publishing needs it closed.
 */
import { describe, expect, it } from 'vitest';
import { start } from '../runtime/step';
import { compile } from '../compile/compile';
import { validateDefinition } from './validate';

const flow = (id: string, source: string, target: string, condition?: string) => ({
  id,
  source,
  target,
  ...(condition ? { condition } : {}),
});
const process = (elements: object[], flows: object[], extra: object = {}) => ({
  formatVersion: 1,
  key: 'draft',
  version: 1,
  name: 'Draft',
  elements,
  flows,
  ...extra,
});

describe('drafts', () => {
  const openTask = process(
    [
      { id: 's', type: 'startEvent' },
      { id: 'review', type: 'userTask', assignee: '=reviewer' },
      { id: 'note', type: 'task' },
      { id: 'e', type: 'endEvent' },
    ],
    [flow('f1', 's', 'review'), flow('f2', 'review', 'note'), flow('f3', 'note', 'e')],
    {
      importIssues: [
        { elementId: 'review', what: 'A camunda taskListener runs a javascript script.', hint: 'Model it as a step.' },
      ],
    },
  );

  it('a user task without a form validates for simulation, not for publishing, and the import issues are named', () => {
    expect(validateDefinition(openTask).ok).toBe(true);
    const publishing = validateDefinition(openTask, { publishing: true });
    expect(publishing.ok).toBe(false);
    expect(publishing.diagnostics.map((d) => d.message)).toEqual([
      'User task "review" has no form; choose the form it shows (formKey) before publishing.',
      '"review": A camunda taskListener runs a javascript script. Trellis will not run this. Model it as a step.',
    ]);
  });

  it('simulates it: the assignee expression names the person, and a plain task passes through', () => {
    const { state, effects } = start(compile(openTask), { reviewer: 'nguyen.van.an' });
    expect(state.active).toEqual(['review']);
    expect(effects.find((e) => e.type === 'createTask')).toMatchObject({
      elementId: 'review',
      formKey: null,
      assignee: 'nguyen.van.an',
      candidateGroups: [],
    });
  });

  it("counts a relative due date from the task's creation", () => {
    const p = process(
      [
        { id: 's', type: 'startEvent' },
        { id: 'pay', type: 'userTask', formKey: 'f', candidateGroups: ['accounting'], dueDate: '"P7D"', priority: 80 },
        { id: 'e', type: 'endEvent' },
      ],
      [flow('f1', 's', 'pay'), flow('f2', 'pay', 'e')],
    );
    const { effects } = start(compile(p), {}, { now: '2026-11-27T03:00:00Z' });
    expect(effects.find((e) => e.type === 'createTask')).toMatchObject({
      dueDate: '2026-12-04T03:00:00.000Z',
      priority: 80,
    });
  });

  it.each([
    [
      'a conditional event',
      { id: 'wait', type: 'intermediateCatchEvent', event: { kind: 'conditional', condition: 'paid' } },
      /conditional events are not supported yet/,
    ],
    [
      'a timer that does not say when',
      { id: 'wait', type: 'intermediateCatchEvent', event: { kind: 'timer' } },
      /has no duration, date or cycle/,
    ],
    [
      'multi-instance over nothing',
      { id: 'wait', type: 'userTask', formKey: 'f', candidateGroups: ['it'], multiInstance: {} },
      /needs a collection .* or a cardinality/,
    ],
  ])('refuses to run %s, naming the element', (_what, element, message) => {
    const result = validateDefinition(
      process(
        [{ id: 's', type: 'startEvent' }, element, { id: 'e', type: 'endEvent' }],
        [flow('f1', 's', 'wait'), flow('f2', 'wait', 'e')],
      ),
    );
    expect(result.ok).toBe(false);
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({ elementId: 'wait', message: expect.stringMatching(message) }),
    );
  });

  it('a boundary event that does not say what it waits for is named', () => {
    const result = validateDefinition(
      process(
        [
          { id: 's', type: 'startEvent' },
          { id: 't', type: 'userTask', formKey: 'f', candidateGroups: ['it'] },
          { id: 'b', type: 'boundaryEvent', attachedTo: 't' },
          { id: 'e', type: 'endEvent' },
          { id: 'e2', type: 'endEvent' },
        ],
        [flow('f1', 's', 't'), flow('f2', 't', 'e'), flow('f3', 'b', 'e2')],
      ),
    );
    expect(result.diagnostics).toContainEqual(
      expect.objectContaining({ elementId: 'b', message: expect.stringContaining('does not say what it waits for') }),
    );
  });

  it('a gateway choosing between a condition and its negation is a warning, not an error', () => {
    const p = process(
      [
        { id: 's', type: 'startEvent' },
        { id: 'g', type: 'exclusiveGateway' },
        { id: 'yes', type: 'endEvent' },
        { id: 'no', type: 'endEvent' },
      ],
      [flow('f1', 's', 'g'), flow('f2', 'g', 'yes', 'approved'), flow('f3', 'g', 'no', 'not(approved)')],
    );
    const result = validateDefinition(p);
    expect(result.ok).toBe(true);
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        elementId: 'g',
        severity: 'warning',
        message: expect.stringContaining('if "approved" is null, neither flow is taken'),
      }),
    ]);
  });
});
