/**
 * A user task's `dueDate` is FEEL (`"dueDate"`, `"date(invoiceDate) + duration(\"P30D\")"`), but a
 * bare ISO 8601 duration (`P3D`, `PT4H`) or date (`2026-12-31`) means itself: as FEEL the first is
 * a variable nobody wrote and the second a subtraction, and a due date would silently be lost.
 * The compiler, the validator and the variable check all read it through this.
 */
import { readDuration, readInstant } from '../time/iso8601';

const DURATION = /^P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/** Whether a text has the shape of an ISO 8601 duration or date (the designer's test too). */
export function looksLikeDueDateLiteral(text: string): boolean {
  return DURATION.test(text) || DATE.test(text);
}

/** The literal a due date text is (a duration or a date), or null when it is FEEL. */
export function dueDateLiteral(text: string): string | null {
  const trimmed = text.trim();
  return looksLikeDueDateLiteral(trimmed) ? trimmed : null;
}

/** Why a due date literal cannot be one (30 February, 99,999 years), or null when it is fine or is FEEL. */
export function dueDateLiteralProblem(text: string): string | null {
  const literal = dueDateLiteral(text);
  if (literal === null) return null;
  const read = literal.startsWith('P') ? readDuration(literal) : readInstant(literal);
  return read.ok ? null : read.message;
}
