/**
 * Refuses hostile or oversized XML before any parser sees it: DOCTYPE and entity declarations
 * (billion laughs, external entities), XInclude, and limits on size, element count, nesting depth
 * and attribute length. A single linear scan; nothing is expanded or fetched.
 */

export interface XmlLimits {
  maxBytes: number;
  maxElements: number;
  maxDepth: number;
  maxAttributeLength: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = { maxBytes: 5_000_000, maxElements: 50_000, maxDepth: 64, maxAttributeLength: 20_000 };

export class UnsafeXmlError extends Error {
  override readonly name = 'UnsafeXmlError';
  readonly code = 'UNSAFE_XML';
}

export function assertSafeXml(xml: string, limits: XmlLimits = DEFAULT_XML_LIMITS): void {
  if (xml.length > limits.maxBytes) throw new UnsafeXmlError(`The file is ${xml.length} characters long; the limit is ${limits.maxBytes}.`);
  if (/<!DOCTYPE/i.test(xml)) throw new UnsafeXmlError('The file declares a DOCTYPE; DOCTYPEs and entities are refused (they enable entity expansion and external fetches).');
  if (/<!ENTITY/i.test(xml)) throw new UnsafeXmlError('The file declares an entity; entities are refused.');
  if (/http:\/\/www\.w3\.org\/2001\/XInclude|<\s*[\w-]+:include[\s>]/i.test(xml)) throw new UnsafeXmlError('The file uses XInclude; including other files is refused.');

  let elements = 0;
  let depth = 0;
  // Tags only: comments, CDATA and processing instructions are skipped whole.
  const tag = /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<(\/?)([A-Za-z_][\w.:-]*)((?:[^>"']|"[^"]*"|'[^']*')*?)(\/?)>/g;
  for (let m = tag.exec(xml); m !== null; m = tag.exec(xml)) {
    if (m[2] === undefined) continue;
    if (m[1] === '/') {
      depth--;
      continue;
    }
    elements++;
    if (elements > limits.maxElements) throw new UnsafeXmlError(`The file has more than ${limits.maxElements} elements.`);
    for (const value of (m[3] ?? '').matchAll(/"([^"]*)"|'([^']*)'/g)) {
      const text = value[1] ?? value[2] ?? '';
      if (text.length > limits.maxAttributeLength) throw new UnsafeXmlError(`Element <${m[2]}> has an attribute of ${text.length} characters; the limit is ${limits.maxAttributeLength}.`);
    }
    if (m[4] !== '/') {
      depth++;
      if (depth > limits.maxDepth) throw new UnsafeXmlError(`Elements are nested more than ${limits.maxDepth} levels deep (at <${m[2]}>).`);
    }
  }
}
