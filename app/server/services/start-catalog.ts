/**
 * The start page's catalogue: the processes the caller may start (listStartable: the latest
 * version of each, filtered by its startableBy), grouped by department — the version's `category`,
 * named as the company names that department — with the processes of no category under "Other",
 * last; and a search without accents ("hoa don" finds "Phê duyệt hóa đơn") over each process's
 * name and description in every language and its department's name. The grouping and the search
 * are pure (groupStartable), so a unit test reads them without a database.
 */
import { foldForSearch, searchWords, type LocalizedText } from '@/engine';
import { localize } from '@/engine/model/definition';
import type { Executor } from '@/db/client';
import type { Actor, Locale } from '../actor';
import { listStartable } from './definitions';
import { departmentNames } from './where-now';

export interface StartableProcess {
  id: string;
  key: string;
  version: number;
  name: LocalizedText;
  category: string | null;
  description: LocalizedText | null;
}

export interface StartGroup {
  /** The department's key; null for "Other" (processes without a category). */
  key: string | null;
  /** The department's name; the key when the company has no such department; null for "Other". */
  name: LocalizedText | null;
  processes: StartableProcess[];
}

/** Every text of a localized text (a plain string is one). */
const texts = (text: LocalizedText | null | undefined): string[] =>
  text == null ? [] : typeof text === 'string' ? [text] : Object.values(text);

/**
 * Whether the text (folded: no accents, lower case) has every word of the search: whole words,
 * the last also as the start of a word, as one types ("hoa do" finds "hoa don"; "hoa" does not
 * find "hoan").
 */
function matches(words: string[], haystack: string): boolean {
  const mine = haystack.split(' ');
  const last = words.length - 1;
  return words.every((w, i) => mine.some((word) => (i === last ? word.startsWith(w) : word === w)));
}

/**
 * The processes grouped by department, departments by name in the reader's language and
 * "Other" last, processes by name within each; with a search (`q`), only the processes whose name,
 * description or department name has every word of it (the last may be the start of a word),
 * accents and case aside. Empty groups are left out.
 */
export function groupStartable(
  processes: readonly StartableProcess[],
  departments: ReadonlyMap<string, LocalizedText>,
  locale: Locale,
  q?: string,
): StartGroup[] {
  const words = q ? searchWords(q) : [];
  const collator = new Intl.Collator(locale === 'vi' ? 'vi' : 'en', { sensitivity: 'base' });
  const byKey = new Map<string | null, StartGroup>();
  for (const p of processes) {
    const key = p.category ?? null;
    const department = key === null ? null : (departments.get(key) ?? key);
    if (
      words.length > 0 &&
      !matches(words, foldForSearch([...texts(p.name), ...texts(p.description), ...texts(department)].join(' ')))
    )
      continue;
    const group = byKey.get(key) ?? { key, name: department, processes: [] };
    group.processes.push(p);
    byKey.set(key, group);
  }
  const label = (text: LocalizedText | null) => localize(text ?? undefined, locale) ?? '';
  for (const group of byKey.values())
    group.processes.sort((a, b) => collator.compare(label(a.name), label(b.name)) || a.key.localeCompare(b.key));
  return [...byKey.values()].sort((a, b) =>
    a.key === null
      ? 1
      : b.key === null
        ? -1
        : collator.compare(label(a.name), label(b.name)) || a.key.localeCompare(b.key),
  );
}

/** The caller's catalogue, searched with `q` when given; `total` counts what they may start before the search. */
export async function startCatalog(db: Executor, actor: Actor, q?: string) {
  const processes = await listStartable(db, actor);
  const categories = [...new Set(processes.flatMap((p) => (p.category ? [p.category] : [])))];
  const departments = await departmentNames(db, actor.tenantId, categories);
  return { groups: groupStartable(processes, departments, actor.locale, q), total: processes.length };
}
