/** The four-eyes rule in the engine: who did what is recorded, and new tasks name whom they exclude. */
import { describe, expect, it } from 'vitest';
import invoice from './fixtures/invoice-approval.json';
import { exportBpmn } from '../bpmn/export';
import { importBpmn } from '../bpmn/import';
import { compile } from '../compile/compile';
import { validateDefinition } from '../validate/validate';
import { exclusionReasons } from './actors';
import { send, start } from './step';
import type { Effect } from './types';

const process = compile(invoice);
const submission = {
  vendor: 'Công ty TNHH Minh Phát',
  invoiceNumber: 'HD-4EYES',
  amount: 75_000_000,
  category: 'it-equipment',
  dueDate: '2026-12-15',
};
const created = (effects: Effect[]) =>
  effects.filter((e): e is Extract<Effect, { type: 'createTask' }> => e.type === 'createTask');

describe('separation of duties (four-eyes rule)', () => {
  it('records the initiator and excludes them from a task that says notInitiator', () => {
    // when Ngọc starts the invoice
    const { state, effects } = start(process, submission, { initiator: 'ngoc' });
    // then the accounting task excludes her, and the state remembers her
    expect(created(effects)).toEqual([
      expect.objectContaining({ elementId: 'accountingApproval', excludedUsers: ['ngoc'] }),
    ]);
    expect(state.actors).toEqual({ initiator: 'ngoc' });
  });

  it('excludes whoever completed a named task, and whoever they acted for', () => {
    // given Hùng approved for Accounting on behalf of Lan (a delegation)
    const s1 = start(process, submission, { initiator: 'ngoc' }).state;
    const s2 = send(process, s1, {
      type: 'task.completed',
      elementId: 'accountingApproval',
      variables: { decision: 'approve' },
      actorId: 'hung',
      onBehalfOf: 'lan',
    });
    // then the operations task excludes the initiator and both of them
    expect(created(s2.effects)).toEqual([
      expect.objectContaining({ elementId: 'operationsApproval', excludedUsers: ['ngoc', 'hung', 'lan'] }),
    ]);
    expect(s2.state.actors).toEqual({ initiator: 'ngoc', completed: { accountingApproval: ['hung', 'lan'] } });
    // and says why each is excluded
    expect(exclusionReasons(process, s2.state, 'operationsApproval', 'hung')).toEqual([
      { rule: 'completed', elementId: 'accountingApproval' },
    ]);
    expect(exclusionReasons(process, s2.state, 'operationsApproval', 'ngoc')).toEqual([{ rule: 'initiator' }]);
    expect(exclusionReasons(process, s2.state, 'operationsApproval', 'quan')).toEqual([]);
  });

  it('keeps the actors across steps that name nobody (a JSON round trip of the state)', () => {
    const s1 = start(process, submission, { initiator: 'ngoc' }).state;
    const s2 = send(process, JSON.parse(JSON.stringify(s1)), {
      type: 'task.completed',
      elementId: 'accountingApproval',
      variables: { decision: 'approve' },
    });
    expect(s2.state.actors).toEqual({ initiator: 'ngoc' });
  });

  it('leaves effects of tasks without a rule, and states without actors, as they were', () => {
    const plain = compile({
      ...invoice,
      elements: invoice.elements.map(({ separationOfDuties: _, ...e }: Record<string, unknown>) => e),
    } as never);
    const { state, effects } = start(plain, submission);
    expect(state.actors).toBeUndefined();
    expect(created(effects)[0]).not.toHaveProperty('excludedUsers');
  });

  it('refuses rules naming a missing element, an element that is not a user task, or the task itself', () => {
    // given
    const withRule = (rule: unknown) => ({
      ...invoice,
      elements: invoice.elements.map((e) => (e.id === 'operationsApproval' ? { ...e, separationOfDuties: rule } : e)),
    });
    // then
    const problems = (rule: unknown) => {
      const r = validateDefinition(withRule(rule));
      return r.ok ? [] : r.diagnostics.map((d) => [d.elementId, d.message]);
    };
    expect(problems({ notCompletedBy: ['nope'] })).toEqual([
      [
        'operationsApproval',
        'User task "operationsApproval" names "nope" in notCompletedBy, which is not an element of this process.',
      ],
    ]);
    expect(problems({ notCompletedBy: ['assess'] })).toEqual([
      [
        'operationsApproval',
        expect.stringContaining('"assess" in notCompletedBy, which is a serviceTask, not a user task'),
      ],
    ]);
    expect(problems({ notCompletedBy: ['operationsApproval'] })).toEqual([
      ['operationsApproval', expect.stringContaining('names itself')],
    ]);
    expect(problems({ notInitiator: true, notCompletedBy: ['accountingApproval'] })).toEqual([]);
  });

  it('round-trips through BPMN as trellis:notInitiator and trellis:notCompletedBy', async () => {
    const xml = await exportBpmn(invoice as never);
    expect(xml).toContain('trellis:notInitiator="true"');
    expect(xml).toContain('trellis:notCompletedBy="accountingApproval"');
    const back = await importBpmn(xml);
    const elements = (back.definition as { elements: { id: string }[] }).elements;
    const ops = elements.find((e) => e.id === 'operationsApproval');
    expect(ops).toMatchObject({ separationOfDuties: { notInitiator: true, notCompletedBy: ['accountingApproval'] } });
    expect(elements.find((e) => e.id === 'accountingApproval')).toMatchObject({
      separationOfDuties: { notInitiator: true },
    });
  });
});
