/** Instance state persisted by earlier builds must keep running on this one. */
import { describe, expect, it } from 'vitest';
import invoice from './fixtures/invoice-approval.json';
import { compile } from '../compile/compile';
import atAccounting from './fixtures/state-v1-invoice-at-accounting.json';
import atOperations from './fixtures/state-v1-invoice-at-operations.json';
import { send } from './step';
import type { InstanceState } from './types';

describe('state saved by the walking-skeleton build (format 1, no positions)', () => {
  const process = compile(invoice);

  it('continues from the accounting task', () => {
    const { state } = send(process, atAccounting as InstanceState, {
      type: 'task.completed',
      elementId: 'accountingApproval',
      variables: { decision: 'approve' },
    });
    expect(state.active).toEqual(['operationsApproval']);
  });

  it('completes from the operations task', () => {
    const { state } = send(process, atOperations as InstanceState, {
      type: 'task.completed',
      elementId: 'operationsApproval',
      variables: { decision: 'reject', rejectionReason: 'Vượt ngân sách quý' },
    });
    expect(state).toMatchObject({ status: 'completed', outcome: 'rejected' });
  });
});
