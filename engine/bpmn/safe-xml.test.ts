/**
 * The XML pre-check runs in time linear in the file: hostile shapes that made the old regular
 * expression backtrack (an unterminated tag: O(n²), 200 KB took over 20 s) are answered in
 * milliseconds, and the limits still hold.
 */
import { describe, expect, it } from 'vitest';
import { assertSafeXml, DEFAULT_XML_LIMITS, UnsafeXmlError } from './safe-xml';

/** Throws what assertSafeXml throws and how long it took. */
function timed(xml: string): { ms: number; error: unknown } {
  const t0 = performance.now();
  let error: unknown = null;
  try {
    assertSafeXml(xml);
  } catch (e) {
    error = e;
  }
  return { ms: performance.now() - t0, error };
}

// Generous: linear scans of these take milliseconds; the old scan took seconds to minutes.
const BOUND_MS = 1_000;

describe('assertSafeXml on hostile shapes, in linear time', () => {
  const KB200 = 200_000;
  const MB2 = 2_000_000;

  it.each([
    [
      'an unterminated tag name (200 KB)',
      `<definitions><a${'a'.repeat(KB200)}`,
      /ends inside the tag <a+> that starts at line 1; close it with ">"/,
    ],
    ['an unterminated tag name (2 MB)', `<definitions><a${'a'.repeat(MB2)}`, /ends inside the tag/],
    [
      'an unterminated tag with attributes (2 MB)',
      `<definitions>\n<task ${'x'.repeat(MB2)}`,
      /ends inside the tag <task> that starts at line 2/,
    ],
    [
      'an unterminated attribute value (2 MB)',
      `<definitions><task name="${'x'.repeat(MB2)}`,
      /ends inside an attribute value of <task>/,
    ],
    ['many unterminated tags (200 KB)', '<a'.repeat(KB200 / 2), /ends inside the tag <a>/],
    ['many unterminated comments (200 KB)', '<!--'.repeat(KB200 / 4), /ends inside a comment/],
    ['many unterminated processing instructions (2 MB)', '<?'.repeat(MB2 / 2), /ends inside a processing instruction/],
    ['many unterminated CDATA sections (2 MB)', '<![CDATA['.repeat(MB2 / 9), /ends inside a CDATA section/],
  ])('refuses %s at once, naming where', (_name, xml, why) => {
    const { ms, error } = timed(xml);
    expect(error).toBeInstanceOf(UnsafeXmlError);
    expect((error as Error).message).toMatch(why);
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('accepts a well-formed 2 MB file in linear time (long names, quoted ">", comments and CDATA)', () => {
    const item = `<bpmn:task id="t" name="a > b" /><!-- <x> --><![CDATA[<y>]]>`;
    const xml =
      `<?xml version="1.0"?><bpmn:definitions>${item.repeat(Math.floor(MB2 / item.length / 2))}</bpmn:definitions>`.slice(
        0,
        MB2,
      );
    // Cut to keep under the element limit: count what it holds.
    const elements = xml.split('<bpmn:task').length - 1;
    expect(elements).toBeLessThan(DEFAULT_XML_LIMITS.maxElements);
    const { ms, error } = timed(`${xml.slice(0, xml.lastIndexOf('<bpmn:task'))}</bpmn:definitions>`);
    expect(error).toBeNull();
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('still refuses a file over the size limit before reading it', () => {
    const { ms, error } = timed(`<definitions>${'x'.repeat(DEFAULT_XML_LIMITS.maxBytes)}</definitions>`);
    expect((error as Error).message).toBe(
      `The file is ${DEFAULT_XML_LIMITS.maxBytes + 27} characters long; the limit is ${DEFAULT_XML_LIMITS.maxBytes}.`,
    );
    expect(ms).toBeLessThan(BOUND_MS);
  });

  it('still counts elements, depth and attribute lengths', () => {
    expect(() => assertSafeXml(`<a>${'<b/>'.repeat(50_001)}</a>`)).toThrow('The file has more than 50000 elements.');
    expect(() => assertSafeXml(`${'<b>'.repeat(65)}${'</b>'.repeat(65)}`)).toThrow(
      'Elements are nested more than 64 levels deep (at <b>).',
    );
    expect(() => assertSafeXml(`${'<b x="1">'.repeat(64)}${'</b>'.repeat(64)}`)).not.toThrow();
    expect(() => assertSafeXml(`<a b='${'x'.repeat(20_001)}'/>`)).toThrow(
      'Element <a> has an attribute of 20001 characters; the limit is 20000.',
    );
    // A ">" inside a quoted value does not end the tag; a self-closing tag does not nest.
    expect(() =>
      assertSafeXml(`${'<b x="1>2"/>'.repeat(100)}${"<c y='>'>".repeat(64)}${'</c>'.repeat(64)}`),
    ).not.toThrow();
    // Elements named with letters beyond ASCII are counted too.
    expect(() => assertSafeXml(`${'<é>'.repeat(65)}${'</é>'.repeat(65)}`)).toThrow(/nested more than 64/);
  });

  it('reads "<" that starts no tag as text, and skips tags inside comments, CDATA and processing instructions', () => {
    expect(() => assertSafeXml(`<a>1 < 2 <= 3 <!x</a>`)).not.toThrow();
    expect(() =>
      assertSafeXml(`<a><!-- ${'<b>'.repeat(100)} --><![CDATA[${'<c>'.repeat(100)}]]><?pi ${'<d>'.repeat(100)}?></a>`),
    ).not.toThrow();
  });
});
