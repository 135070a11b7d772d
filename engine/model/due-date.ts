/**
 * A user task's `dueDate` is FEEL (`"dueDate"`, `"date(invoiceDate) + duration(\"P30D\")"`), but a
 * bare ISO 8601 duration (`P3D`, `PT4H`) or date (`2026-12-31`) means itself: as FEEL the first is
 * a variable nobody wrote and the second a subtraction, and a due date would silently be lost.
 * The compiler, the validator and the variable check all read it through this.
 */
const DURATION = /^P(?=\d|T\d)(?:\d+Y)?(?:\d+M)?(?:\d+W)?(?:\d+D)?(?:T(?=\d)(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$/;
const DATE = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?$/;

/** The literal a due date text is (a duration or a date), or null when it is FEEL. */
export function dueDateLiteral(text: string): string | null {
  const trimmed = text.trim();
  return DURATION.test(trimmed) || DATE.test(trimmed) ? trimmed : null;
}
