import { describe, expect, it } from 'vitest';
import { send, start } from '../runtime/step';
import type { Effect, InstanceState } from '../runtime/types';
import { validateDefinition } from '../validate/validate';
import { compile } from './compile';
import onboarding from './fixtures/onboarding-documents.json';

const T0 = '2026-12-01T01:00:00.000Z';
const rt = (s: InstanceState) => JSON.parse(JSON.stringify(s)) as InstanceState;
const complete = (elementId: string, variables: Record<string, unknown> = {}) => ({
  type: 'task.completed' as const,
  elementId,
  variables,
});
const of = <K extends Effect['type']>(effects: Effect[], type: K) =>
  effects.filter((e): e is Extract<Effect, { type: K }> => e.type === type);

describe('embedded subprocess', () => {
  const p = compile(onboarding);

  it('runs its elements, nested subprocesses included, then continues after it', () => {
    const s1 = start(p, { employee: 'Nguyễn Văn An' }, { now: T0 });
    expect(s1.state.active).toEqual(['review']);
    expect(of(s1.effects, 'scheduleTimer')).toEqual([
      { type: 'scheduleTimer', timerId: 'tooSlow', elementId: 'tooSlow', dueAt: '2026-12-04T01:00:00.000Z' },
    ]);
    const s2 = send(p, rt(s1.state), complete('review', { documentsComplete: true }));
    expect(s2.state.active).toEqual(['legalCheck']);
    const s3 = send(p, rt(s2.state), complete('legalCheck', { workPermit: true }));
    expect(s3.state.active).toEqual(['createAccounts']);
    // leaving the subprocess stops its timer
    expect(of(s3.effects, 'cancelTimer')).toEqual([{ type: 'cancelTimer', timerId: 'tooSlow' }]);
    expect(s3.effects.filter((e) => e.type === 'audit').map((e) => e.type === 'audit' && e.elementId)).toEqual([
      'legalCheck',
      'legalOk',
      'legalEnd',
      'legal',
      'subEnd',
      'checkDocuments',
    ]);
    expect(send(p, rt(s3.state), complete('createAccounts')).state.outcome).toBe('onboarded');
  });

  it('catches an error end event on the subprocess boundary', () => {
    const s1 = start(p, {}, { now: T0 }).state;
    const s2 = send(p, s1, complete('review', { documentsComplete: false }));
    expect(s2.state.active).toEqual(['requestDocuments']);
    expect(of(s2.effects, 'cancelTimer')).toEqual([{ type: 'cancelTimer', timerId: 'tooSlow' }]);
  });

  it('lets an error thrown two subprocesses deep reach the outer boundary', () => {
    const s1 = start(p, {}, { now: T0 }).state;
    const s2 = send(p, s1, complete('review', { documentsComplete: true })).state;
    const s3 = send(p, rt(s2), complete('legalCheck', { workPermit: false }));
    expect(s3.state).toMatchObject({ status: 'active', active: ['requestDocuments'] });
  });

  it('interrupts the whole subprocess on its timer, cancelling the open task inside', () => {
    const s1 = start(p, {}, { now: T0 }).state;
    const s2 = send(p, s1, complete('review', { documentsComplete: true })).state;
    const s3 = send(p, rt(s2), { type: 'timer.fired', timerId: 'tooSlow', dueAt: '2026-12-04T01:00:00.000Z' });
    expect(s3.state.active).toEqual(['escalateToManager']);
    expect(of(s3.effects, 'cancelTask')).toEqual([{ type: 'cancelTask', elementId: 'legalCheck' }]);
  });

  it('makes an uncaught error end event an incident', () => {
    const uncaught = structuredClone(onboarding);
    uncaught.elements = uncaught.elements.filter((e) => e.id !== 'docsMissingCaught');
    uncaught.flows = uncaught.flows.filter((f) => !['f3', 'f4'].includes(f.id));
    uncaught.elements = uncaught.elements.filter((e) => !['requestDocuments', 'waitingForDocuments'].includes(e.id));
    const q = compile(uncaught);
    const s1 = start(q, {}, { now: T0 }).state;
    const s2 = send(q, s1, complete('review', { documentsComplete: false }));
    expect(s2.state).toMatchObject({ status: 'incident', incident: { elementId: 'missing', code: 'UNHANDLED_ERROR' } });
  });

  it('validates each subprocess as its own scope', () => {
    const bad = structuredClone(onboarding);
    const sub = bad.elements.find((e) => e.id === 'checkDocuments') as {
      elements: { id: string }[];
      flows: { id: string; source: string; target: string }[];
    };
    sub.elements = sub.elements.filter((e) => e.id !== 'subStart');
    sub.flows = sub.flows.filter((f) => f.id !== 's1');
    sub.flows.push({ id: 'cross', source: 'review', target: 'createAccounts' });
    const found = validateDefinition(bad).diagnostics;
    expect(found).toContainEqual(
      expect.objectContaining({
        elementId: 'checkDocuments',
        message: 'Subprocess "checkDocuments" has no start event; add one startEvent.',
      }),
    );
    expect(found).toContainEqual(
      expect.objectContaining({
        elementId: 'cross',
        message: expect.stringContaining('flows cannot cross a subprocess border'),
      }),
    );
  });
});
