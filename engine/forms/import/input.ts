/**
 * Reading an imported file: the size limit and JSON parsing, with errors that name the file.
 * Pure: the caller reads the file and passes its text.
 */
import { FormImportError } from './errors';

/** Largest form file accepted, in UTF-8 bytes. Real forms are a few kilobytes. */
export const MAX_FORM_FILE_BYTES = 1_000_000;

/** Most fields (inputs, texts, groups) one file may declare. */
export const MAX_FORM_FIELDS = 1_000;

/** `"start-form.form"` for messages; `"the form file"` when the caller gave no name. */
export function fileLabel(fileName: string | undefined): string {
  return fileName ? `Form file "${fileName}"` : 'The form file';
}

/** Throws TOO_LARGE when `text` is over `MAX_FORM_FILE_BYTES` in UTF-8. */
export function assertFormFileSize(text: string, fileName: string | undefined): void {
  // UTF-8 needs at least one byte per UTF-16 unit and at most three, so most texts are decided
  // without counting.
  const bytes =
    text.length > MAX_FORM_FILE_BYTES
      ? text.length
      : text.length * 3 <= MAX_FORM_FILE_BYTES
        ? text.length
        : utf8Length(text);
  if (bytes > MAX_FORM_FILE_BYTES) {
    throw new FormImportError(
      'TOO_LARGE',
      `${fileLabel(fileName)} is ${bytes} bytes; the limit is ${MAX_FORM_FILE_BYTES}. Split the form, or remove embedded data such as images.`,
    );
  }
}

/** Parses JSON; INVALID_JSON names the file and repeats the parser's position. */
export function parseJsonFile(text: string, fileName: string | undefined): unknown {
  const json = stripBom(text);
  try {
    return JSON.parse(json) as unknown;
  } catch (error) {
    const message = (error as Error).message.slice(0, 300);
    const position = /at position (\d+)/.exec(message);
    const where = position ? ` (${lineAndColumn(json, Number(position[1]))})` : '';
    throw new FormImportError(
      'INVALID_JSON',
      `${fileLabel(fileName)} is not valid JSON: ${message}${where}. Export the form again from its designer.`,
    );
  }
}

function lineAndColumn(text: string, position: number): string {
  const before = text.slice(0, position);
  const line = before.split('\n').length;
  return `line ${line}, column ${position - before.lastIndexOf('\n')}`;
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A short, safe rendering of a value from the file for a message: `"=a > 1"`, `12`, `a list`. */
export function preview(value: unknown, maxLength = 120): string {
  if (typeof value === 'string')
    return JSON.stringify(value.length > maxLength ? `${value.slice(0, maxLength)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return describeJson(value);
}

/** What a JSON value is, for messages: "a string", "a list", "nothing". */
export function describeJson(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4; // a surrogate pair is one four-byte character
      i++;
    } else bytes += 3;
  }
  return bytes;
}
