/**
 * What every form importer returns: a Trellis form definition and a report of what was
 * translated and what was not (with a hint on how to do it by hand).
 */
import type { FormDefinition } from '../form';

export type FormImportFormat = 'camunda-form' | 'flowable-form' | 'camunda-html';

export interface UnsupportedItem {
  /** The source's name for the thing: a component key or id, a field id, a variable name. */
  elementId: string;
  what: string;
  hint: string;
}

export interface ImportReport {
  translated: string[];
  unsupported: UnsupportedItem[];
}

export interface FormImportResult {
  format: FormImportFormat;
  form: FormDefinition;
  report: ImportReport;
}

export interface FormImportOptions {
  /** Used in messages and, when the file has no id of its own, for the key and title. */
  fileName?: string;
  /** The Trellis form key; by default derived from the file's id or name. */
  key?: string;
  /** The form title; by default derived from the file's name or id. */
  title?: string;
}

/** Most report entries kept per list; a hostile file must not make the report huge. */
const MAX_ENTRIES = 500;

/** Collects report entries, capped. */
export class ReportBuilder {
  private readonly translatedLines: string[] = [];
  private readonly unsupportedItems: UnsupportedItem[] = [];
  private droppedTranslated = 0;
  private droppedUnsupported = 0;

  translated(line: string): void {
    if (this.translatedLines.length < MAX_ENTRIES) this.translatedLines.push(clip(line, 1_000));
    else this.droppedTranslated++;
  }

  unsupported(elementId: string, what: string, hint: string): void {
    if (this.unsupportedItems.length < MAX_ENTRIES)
      this.unsupportedItems.push({ elementId: clip(elementId, 200), what: clip(what, 1_000), hint });
    else this.droppedUnsupported++;
  }

  build(): ImportReport {
    const translated = [...this.translatedLines];
    if (this.droppedTranslated > 0) translated.push(`… and ${this.droppedTranslated} more`);
    const unsupported = [...this.unsupportedItems];
    if (this.droppedUnsupported > 0)
      unsupported.push({
        elementId: '(more)',
        what: `${this.droppedUnsupported} more items not listed`,
        hint: 'Fix the items above and import again.',
      });
    return { translated, unsupported };
  }
}

/** Names and messages from a hostile file could be megabytes long. */
function clip(text: string, maxLength: number): string {
  return text.length > maxLength ? `${text.slice(0, maxLength)}…` : text;
}
