/**
 * Every BPMN file of the corpus (test/fixtures/corpus, a copy of the team corpus) is read safely, and its
 * inventory matches the corpus's own tool (tools/count_elements.py). Hostile files are refused
 * before parsing, quickly.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inventory, readBpmn } from '@/engine/bpmn/read';
import { assertSafeXml } from '@/engine/bpmn/safe-xml';
import { CORPUS, bpmnFiles, countElements } from '../support/corpus';

// The corpus is the repository's copy (test/fixtures/corpus), or where TRELLIS_CORPUS points.

describe('reading the BPMN corpus', () => {
  const files = CORPUS ? bpmnFiles(CORPUS) : [];

  it('finds the corpus files', () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it.each(files.map((f) => [path.relative(CORPUS, f), f]))(
    '%s: reads, and its inventory matches count_elements.py',
    async (_name, file) => {
      const { definitions } = await readBpmn(readFileSync(file, 'utf8'));
      expect(inventory(definitions)).toEqual(countElements(file));
    },
  );
});

describe('hostile XML', () => {
  const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">${Array.from({ length: 8 }, (_, i) => `<!ENTITY lol${i + 3} "${`&lol${i + 2};`.repeat(10)}">`).join('')}]><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p" name="&lol9;"/></definitions>`;
  const xxe = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p" name="&xxe;"/></definitions>`;

  it.each([
    ['billion laughs', laughs, /DOCTYPE/],
    ['external entity', xxe, /DOCTYPE/],
    [
      'XInclude',
      '<definitions xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="/etc/passwd"/></definitions>',
      /XInclude/,
    ],
    ['deep nesting', `<a>${'<b>'.repeat(100)}${'</b>'.repeat(100)}</a>`, /nested more than 64/],
    [
      'huge label',
      `<definitions><process id="p" name="${'x'.repeat(30_000)}"/></definitions>`,
      /attribute of 30000 characters/,
    ],
  ])('refuses %s at once', async (_name, xml, why) => {
    const t0 = performance.now();
    await expect(readBpmn(xml)).rejects.toThrow(why);
    expect(performance.now() - t0).toBeLessThan(1_000);
  });

  it('refuses a billion laughs with memory flat (nothing is expanded)', async () => {
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 100; i++) await expect(readBpmn(laughs)).rejects.toThrow(/DOCTYPE/);
    // Expanded, the file would be 10^9 "lol"s (3 GB); refused before parsing, it costs next to nothing.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(20_000_000);
  });

  it('counts elements, not the text inside comments or CDATA', () => {
    expect(() =>
      assertSafeXml(`<definitions><!-- ${'<b>'.repeat(100)} --><![CDATA[${'<c>'.repeat(100)}]]></definitions>`),
    ).not.toThrow();
  });
});
