import { describe, expect, it } from 'vitest';
import invoice from './fixtures/invoice-approval.json';
import { compile } from '../compile/compile';
import { EngineError } from './errors';
import { send, start } from './step';
import type { InstanceState } from './types';

const process = compile(invoice);
const submission = {
  vendor: 'Công ty TNHH Minh Phát',
  invoiceNumber: 'HD-0042',
  amount: 75_000_000,
  category: 'it-equipment',
  dueDate: '2026-12-15',
};

describe('invoice approval, stepped purely', () => {
  it('starts, sets variables in the service task and waits for Accounting', () => {
    // given a large invoice
    // when the instance starts
    const { state, effects } = start(process, submission);
    // then it waits at the accounting task with the variables set by the service task
    expect(state).toMatchObject({
      status: 'active',
      active: ['accountingApproval'],
      definition: { key: 'invoice-approval', version: 1 },
    });
    expect(state.variables).toMatchObject({
      amount: 75_000_000,
      approvalThreshold: 50_000_000,
      needsOperationsApproval: true,
    });
    expect(effects.map((e) => e.type)).toEqual(['audit', 'audit', 'createTask']);
    expect(effects[2]).toEqual({
      type: 'createTask',
      elementId: 'accountingApproval',
      name: { en: 'Accounting approval', vi: 'Kế toán phê duyệt' },
      formKey: 'invoice-decision',
      candidateGroups: ['accounting'],
      candidateRole: 'member',
      assignee: null,
      candidateUsers: [],
      priority: null,
      dueDate: '2026-12-15',
      // The four-eyes rule excludes the initiator; none was given here.
      excludedUsers: [],
    });
  });

  it('routes an approved large invoice to the operations manager, then completes', () => {
    const s1 = start(process, submission).state;
    const s2 = send(process, s1, {
      type: 'task.completed',
      elementId: 'accountingApproval',
      variables: { decision: 'approve' },
    });
    expect(s2.state.active).toEqual(['operationsApproval']);
    expect(s2.effects).toContainEqual(
      expect.objectContaining({ type: 'createTask', candidateGroups: ['operations'], candidateRole: 'manager' }),
    );
    expect(s2.effects).toContainEqual(
      expect.objectContaining({ type: 'audit', elementId: 'amountCheck', flowId: 'aboveThreshold' }),
    );

    const s3 = send(process, s2.state, {
      type: 'task.completed',
      elementId: 'operationsApproval',
      variables: { decision: 'approve' },
    });
    expect(s3.state).toMatchObject({ status: 'completed', active: [], outcome: 'approved' });
    expect(s3.effects.at(-2)).toMatchObject({ type: 'audit', elementId: 'approved', elementType: 'endEvent' });
    expect(s3.effects.at(-1)).toEqual({ type: 'completeInstance', outcome: 'approved' });
  });

  it('completes a small invoice after Accounting alone', () => {
    const s1 = start(process, { ...submission, amount: 12_500_000 }).state;
    const s2 = send(process, s1, {
      type: 'task.completed',
      elementId: 'accountingApproval',
      variables: { decision: 'approve' },
    });
    expect(s2.state).toMatchObject({ status: 'completed', outcome: 'approved' });
  });

  it('ends as rejected when Accounting rejects, keeping the reason', () => {
    const s1 = start(process, submission).state;
    const s2 = send(process, s1, {
      type: 'task.completed',
      elementId: 'accountingApproval',
      variables: { decision: 'reject', rejectionReason: 'Sai mã số thuế' },
    });
    expect(s2.state).toMatchObject({
      status: 'completed',
      outcome: 'rejected',
      variables: { rejectionReason: 'Sai mã số thuế' },
    });
  });

  it('survives a JSON round trip of its persisted state', () => {
    const s1 = JSON.parse(JSON.stringify(start(process, submission).state)) as InstanceState;
    const s2 = send(process, s1, {
      type: 'task.completed',
      elementId: 'accountingApproval',
      variables: { decision: 'approve' },
    });
    expect(s2.state.active).toEqual(['operationsApproval']);
    expect(JSON.stringify(s2.state).length).toBeLessThan(2_048);
  });

  it('refuses an event for an element that is not waiting, changing nothing', () => {
    const s1 = start(process, submission).state;
    const before = structuredClone(s1);
    expect(() =>
      send(process, s1, { type: 'task.completed', elementId: 'operationsApproval', variables: {} }),
    ).toThrowError(expect.objectContaining({ code: 'ELEMENT_NOT_ACTIVE' }));
    expect(s1).toEqual(before);
  });

  it('refuses state saved for another definition version', () => {
    const s1 = start(process, submission).state;
    const other = compile({ ...invoice, version: 2 });
    expect(() =>
      send(other, s1, { type: 'task.completed', elementId: 'accountingApproval', variables: {} }),
    ).toThrowError(EngineError);
    expect(() =>
      send(other, s1, { type: 'task.completed', elementId: 'accountingApproval', variables: {} }),
    ).toThrowError(/version 1, not "invoice-approval" version 2/);
  });

  it('raises an incident, not a silent false, when a condition is not a boolean', () => {
    // given a gateway whose condition reads a variable that does not exist
    const broken = structuredClone(invoice);
    const flow = broken.flows.find((f) => f.id === 'aboveThreshold')!;
    flow.condition = 'missingVariable > 3';
    const p = compile(broken);
    const s1 = start(p, submission).state;
    // when Accounting approves
    const s2 = send(p, s1, {
      type: 'task.completed',
      elementId: 'accountingApproval',
      variables: { decision: 'approve' },
    });
    // then the instance stops at the gateway with an incident naming it
    expect(s2.state).toMatchObject({
      status: 'incident',
      active: ['amountCheck'],
      incident: { elementId: 'amountCheck', code: 'CONDITION_NOT_BOOLEAN' },
    });
    expect(s2.effects).toContainEqual(expect.objectContaining({ type: 'raiseIncident' }));
  });

  it('does not let expressions reach JavaScript prototypes', () => {
    const p = compile({
      formatVersion: 1,
      key: 'proto',
      version: 1,
      name: 'Proto',
      elements: [
        { id: 'start', type: 'startEvent' },
        {
          id: 'probe',
          type: 'serviceTask',
          set: { ctor: 'constructor', proto: 'x.__proto__', len: 'string length(name)' },
        },
        { id: 'end', type: 'endEvent' },
      ],
      flows: [
        { id: 'f1', source: 'start', target: 'probe' },
        { id: 'f2', source: 'probe', target: 'end' },
      ],
    });
    const { state } = start(p, { x: {}, name: 'Nguyễn Thị Ánh' });
    expect(state.variables).toMatchObject({ ctor: null, proto: null, len: 14 });
  });
});
