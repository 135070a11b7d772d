/**
 * Refuses hostile or oversized XML before any parser sees it: DOCTYPE and entity declarations
 * (billion laughs, external entities), XInclude, and limits on size, element count, nesting depth
 * and attribute length; a tag, comment or attribute value the file never closes is refused, naming
 * where it starts. A single linear scan; nothing is expanded or fetched.
 */

export interface XmlLimits {
  maxBytes: number;
  maxElements: number;
  maxDepth: number;
  maxAttributeLength: number;
}

export const DEFAULT_XML_LIMITS: XmlLimits = {
  maxBytes: 5_000_000,
  maxElements: 50_000,
  maxDepth: 64,
  maxAttributeLength: 20_000,
};

export class UnsafeXmlError extends Error {
  override readonly name = 'UnsafeXmlError';
  readonly code = 'UNSAFE_XML';
}

export function assertSafeXml(xml: string, limits: XmlLimits = DEFAULT_XML_LIMITS): void {
  if (xml.length > limits.maxBytes)
    throw new UnsafeXmlError(`The file is ${xml.length} characters long; the limit is ${limits.maxBytes}.`);
  if (/<!DOCTYPE/i.test(xml))
    throw new UnsafeXmlError(
      'The file declares a DOCTYPE; DOCTYPEs and entities are refused (they enable entity expansion and external fetches).',
    );
  if (/<!ENTITY/i.test(xml)) throw new UnsafeXmlError('The file declares an entity; entities are refused.');
  if (/http:\/\/www\.w3\.org\/2001\/XInclude|<\s*[\w-]+:include[\s>]/i.test(xml))
    throw new UnsafeXmlError('The file uses XInclude; including other files is refused.');

  let elements = 0;
  let depth = 0;
  // One pass, each character looked at a bounded number of times: every search below starts where
  // the last one ended (a regular expression here backtracked: an unterminated tag cost O(n²)).
  for (let at = xml.indexOf('<'); at !== -1; at = xml.indexOf('<', at)) {
    // Comments, CDATA and processing instructions are skipped whole: tags inside them are text.
    const skipped = SKIPPED.find(([open]) => xml.startsWith(open, at));
    if (skipped) {
      const [open, close, what] = skipped;
      const end = xml.indexOf(close, at + open.length);
      if (end === -1) {
        throw new UnsafeXmlError(
          `The file ends inside ${what} that starts at line ${lineAt(xml, at)}; close it with "${close}".`,
        );
      }
      at = end + close.length;
      continue;
    }
    let i = at + 1;
    const closing = xml.charCodeAt(i) === SLASH;
    if (closing) i++;
    // "<" not followed by a name is not a tag (the parser refuses it if it is not allowed).
    if (!isNameStart(xml.charCodeAt(i))) {
      at = i;
      continue;
    }
    const nameStart = i;
    while (i < xml.length && isNameChar(xml.charCodeAt(i))) i++;
    const name = xml.slice(nameStart, i);
    // Up to the tag's ">"; quoted attribute values may hold ">" and are measured on the way.
    for (;;) {
      if (i >= xml.length) {
        const tag = `<${closing ? '/' : ''}${name.slice(0, 100)}>`;
        throw new UnsafeXmlError(
          `The file ends inside the tag ${tag} that starts at line ${lineAt(xml, at)}; close it with ">".`,
        );
      }
      const c = xml.charCodeAt(i);
      if (c === GREATER) break;
      if (c === DOUBLE_QUOTE || c === SINGLE_QUOTE) {
        const end = xml.indexOf(xml[i]!, i + 1);
        if (end === -1) {
          const where = `an attribute value of <${name.slice(0, 100)}> that starts at line ${lineAt(xml, i)}`;
          throw new UnsafeXmlError(`The file ends inside ${where}; close the value with ${xml[i]}.`);
        }
        const length = end - i - 1;
        if (length > limits.maxAttributeLength) {
          throw new UnsafeXmlError(
            `Element <${name}> has an attribute of ${length} characters; the limit is ${limits.maxAttributeLength}.`,
          );
        }
        i = end + 1;
      } else i++;
    }
    const selfClosing = xml.charCodeAt(i - 1) === SLASH;
    at = i + 1;
    if (closing) {
      depth--;
      continue;
    }
    elements++;
    if (elements > limits.maxElements)
      throw new UnsafeXmlError(`The file has more than ${limits.maxElements} elements.`);
    if (!selfClosing) {
      depth++;
      if (depth > limits.maxDepth)
        throw new UnsafeXmlError(`Elements are nested more than ${limits.maxDepth} levels deep (at <${name}>).`);
    }
  }
}

/** What is skipped whole, with how it ends and what it is called in a message. */
const SKIPPED: readonly (readonly [open: string, close: string, what: string])[] = [
  ['<!--', '-->', 'a comment'],
  ['<![CDATA[', ']]>', 'a CDATA section'],
  ['<?', '?>', 'a processing instruction'],
];

const SLASH = 0x2f;
const GREATER = 0x3e;
const DOUBLE_QUOTE = 0x22;
const SINGLE_QUOTE = 0x27;

/** XML name characters, generously: ASCII letters, "_" and ":", and all from U+00C0 (the parser decides the rest). */
function isNameStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x3a || c >= 0xc0;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0xb7;
}

/** The 1-based line of a position, for messages (counted once, when refusing). */
function lineAt(text: string, position: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < position; i = text.indexOf('\n', i + 1)) line++;
  return line;
}
