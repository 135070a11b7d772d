/** Plain-text helpers for imported labels and names. Nothing here produces markup. */

/** `invoiceNumber` → "Invoice number", `start-form` → "Start form", `form_loan` → "Form loan". */
export function humanize(name: string): string {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .trim()
    .replace(/\s+/g, ' ')
    .toLowerCase();
  return words ? words.charAt(0).toUpperCase() + words.slice(1) : name;
}

/** A label as plain text: whitespace collapsed and a trailing colon dropped ("Reviewer: " → "Reviewer"). */
export function plainLabel(text: string, maxLength = 500): string {
  return text.replace(/\s+/g, ' ').trim().replace(/\s*:$/, '').slice(0, maxLength);
}

/** The file name without folders and extension: `forms/start-form.form` → `start-form`. */
export function baseName(fileName: string): string {
  const last = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = last.lastIndexOf('.');
  return dot > 0 ? last.slice(0, dot) : last;
}
