import { describe, expect, it } from 'vitest';
import { offered } from './trellis-modeling';

describe('what the modeler offers', () => {
  it('only what the validator runs: no complex gateway, transaction, ad-hoc subprocess, compensation, conditional or cancel event', () => {
    for (const id of [
      'replace-with-exclusive-gateway',
      'replace-with-parallel-gateway',
      'replace-with-inclusive-gateway',
      'replace-with-event-based-gateway',
      'replace-with-user-task',
      'replace-with-timer-boundary',
      'replace-with-message-start',
      'replace-with-error-end',
    ]) {
      expect(offered(id), id).toBe(true);
    }
    for (const id of [
      'replace-with-complex-gateway',
      'replace-with-transaction',
      'replace-with-conditional-start',
      'replace-with-conditional-boundary',
      'replace-with-compensation-boundary',
      'replace-with-compensation-end',
      'replace-with-cancel-boundary',
    ]) {
      expect(offered(id), id).toBe(false);
    }
  });
});
