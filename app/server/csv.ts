/**
 * CSV for spreadsheets (RFC 4180, CRLF line ends, UTF-8 with a byte-order mark so Excel reads
 * Vietnamese), safe to open: a cell a spreadsheet would take for a formula (it starts with = + - @,
 * a tab or a carriage return) is written as text — a single quote before it, the cell quoted
 * (OWASP's "CSV injection" advice). Pure: no I/O. Never write a cell without `csvCell`.
 */

/** The byte-order mark Excel needs to read a CSV file as UTF-8. */
export const CSV_BOM = '\uFEFF';

/** What a spreadsheet reads as the start of a formula (or, for tab and carriage return, hides one behind). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** What makes a cell need quotes: the separator, a quote or a line break. */
const NEEDS_QUOTES = /[",\r\n]/;

/** One cell: null and undefined as empty, numbers as written, text quoted when it must be and neutralized when it could run. */
export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (FORMULA_START.test(value)) return `"'${value.replace(/"/g, '""')}"`;
  return NEEDS_QUOTES.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One line: the cells separated by commas, ended by CRLF. */
export function csvRow(cells: readonly (string | number | null | undefined)[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}
