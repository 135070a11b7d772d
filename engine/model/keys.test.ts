import { describe, expect, it } from 'vitest';
import { toKey } from './keys';
import { keySchema } from './definition';

describe('toKey', () => {
  it.each([
    ['ReviewInvoice', 'review-invoice'],
    ['invoice', 'invoice'],
    ['Process_1', 'process-1'],
    ['invoice.v2', 'invoice-v2'],
    ['HTTPRequestTask', 'http-request-task'],
    ['Duyệt hóa đơn Đà Nẵng', 'duyet-hoa-don-da-nang'],
    ['__', 'imported'],
  ])('%s → %s', (text, key) => {
    expect(toKey(text)).toBe(key);
    expect(keySchema.safeParse(toKey(text)).success).toBe(true);
  });

  it('keeps within the key length limit', () => {
    expect(keySchema.safeParse(toKey('A'.repeat(50) + '_' + 'b'.repeat(50))).success).toBe(true);
  });
});
