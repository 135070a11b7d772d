/**
 * Keys (of processes, forms, groups) are lower-case kebab-case. Imported files name things their
 * own way — `ReviewInvoice`, `Process_1`, `invoice.v2`, `Duyệt hóa đơn` — and `toKey` turns any
 * of those into a key deterministically, so a call activity's `calledElement="ReviewInvoice"`
 * and the imported process `ReviewInvoice` meet at the same key "review-invoice".
 */

const MAX_KEY_LENGTH = 64;

export function toKey(text: string, fallback = 'imported'): string {
  const key = text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '') // diacritics
    .replace(/[đĐ]/g, 'd')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2') // camelCase → camel-Case
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1-$2') // HTTPRequest → HTTP-Request
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_KEY_LENGTH)
    .replace(/-+$/, '');
  return key || fallback;
}
