import { describe, expect, it } from 'vitest';
import { readableUrl } from './format';

describe('readableUrl', () => {
  it('decodes a stored (percent-encoded) URL for reading: Vietnamese paths and markup-looking queries read as typed', () => {
    // given the URL as webhookUrlOf stores it
    const stored = new URL('https://erp.senvang.example/hóa-đơn?ref=<script>alert(1)</script>').toString();
    expect(stored).toContain('%3Cscript%3E');
    // then
    expect(readableUrl(stored)).toBe('https://erp.senvang.example/hóa-đơn?ref=<script>alert(1)</script>');
  });

  it('keeps spaces, control and bidi-override characters escaped, and reserved escapes (%2F) as they are', () => {
    expect(readableUrl('https://x.example/a%20b%0Ac%E2%80%AEd%2Fe')).toBe('https://x.example/a%20b%0Ac%E2%80%AEd%2Fe');
  });

  it('returns a URL with a malformed escape unchanged', () => {
    expect(readableUrl('https://x.example/%E0%A4%A')).toBe('https://x.example/%E0%A4%A');
  });
});
