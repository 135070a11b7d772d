/**
 * Search without accents: what is stored for search (tasks, instances) and what a search box sends
 * are both folded the same way — Vietnamese diacritics removed (Hóa đơn → hoa don), lower case,
 * anything but letters and digits a space — so "hoa don" finds "Hóa đơn" and "HD-2026" finds
 * "hd 2026 0042". PostgreSQL indexes the folded text as a `simple` full-text document (no
 * stemming, no extension needed: the same on PGlite and PostgreSQL).
 */
/** Longest folded document kept for one row. */
export const MAX_SEARCH_TEXT = 4_000;
/** Words of a search that count; more are ignored. */
export const MAX_SEARCH_WORDS = 8;

/** Folds a text for search: no diacritics (đ → d), lower case, words separated by single spaces. */
export function foldForSearch(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The words of a search box, folded, at most MAX_SEARCH_WORDS, each at most 64 characters. */
export function searchWords(input: string): string[] {
  const folded = foldForSearch(input.slice(0, 500));
  return folded === '' ? [] : [...new Set(folded.split(' '))].slice(0, MAX_SEARCH_WORDS).map((w) => w.slice(0, 64));
}

/**
 * A tsquery text (for `to_tsquery('simple', …)`) matching rows that have every word, the last
 * word also as a prefix ("hoa do" finds "hoa don" as one types); null for an empty search. Safe to
 * pass as a parameter: the words hold only letters and digits.
 */
export function searchQuery(input: string): string | null {
  const words = searchWords(input);
  if (words.length === 0) return null;
  return words.map((w) => `${w}:*`).join(' & ');
}

/** The values of a row's document: texts, numbers and localized texts (every language), folded and joined. */
export function searchDocument(values: readonly unknown[]): string {
  const parts: string[] = [];
  const add = (v: unknown) => {
    if (typeof v === 'string') parts.push(v);
    else if (typeof v === 'number' && Number.isFinite(v)) parts.push(String(v));
    else if (v !== null && typeof v === 'object' && !Array.isArray(v))
      for (const text of Object.values(v as Record<string, unknown>)) if (typeof text === 'string') parts.push(text);
  };
  for (const v of values) add(v);
  return foldForSearch(parts.join(' ')).slice(0, MAX_SEARCH_TEXT);
}

/** A process's summary fields (its `summary` variables) from the variables now: what the inbox and the task page show of a case. */
export function caseSummary(
  summary: readonly string[] | undefined,
  variables: Record<string, unknown>,
): Record<string, unknown> | undefined {
  if (!summary || summary.length === 0) return undefined;
  const out: Record<string, unknown> = {};
  for (const name of summary) {
    const value = variables[name];
    if (typeof value === 'string') out[name] = value.slice(0, 200);
    else if (typeof value === 'number' || typeof value === 'boolean') out[name] = value;
  }
  return out;
}
