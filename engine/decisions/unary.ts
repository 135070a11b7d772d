/** Reading the text of a decision table's unary tests: the list's items, a `not(…)` taken off. */

/** `not(x, y)` → `x, y`. */
export function stripNot(text: string): string {
  const m = /^not\s*\((.*)\)$/s.exec(text.trim());
  return m ? m[1]!.trim() : text.trim();
}

/** Splits a unary-test list at its top-level commas (not inside quotes, brackets or parentheses). */
export function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      current += ch;
      if (ch === '\\') current += text[++i] ?? '';
      else if (ch === '"') quoted = false;
      continue;
    }
    if (depth === 0 && current.trim() === '' && (ch === '[' || ch === ']' || ch === '(')) {
      // A range: its end is the bracket after "..", whichever way it faces (`[1..5[`, `]1..5]`).
      const dots = text.indexOf('..', i);
      const end = dots === -1 ? -1 : text.slice(dots + 2).search(/[[\]()]/);
      if (end !== -1) {
        const stop = dots + 2 + end;
        current += text.slice(i, stop + 1);
        i = stop;
        continue;
      }
    }
    if (ch === '"') quoted = true;
    else if (ch === '(' || ch === '[') depth++;
    else if ((ch === ')' || ch === ']') && depth > 0) depth--;
    if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}
