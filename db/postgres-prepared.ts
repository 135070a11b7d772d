/**
 * Drizzle sends every statement to postgres.js as `unsafe(text, params)`, which postgres.js runs
 * unprepared: for a statement with parameters that is two round trips (Parse + Describe to learn
 * the parameter types, then Bind + Execute) and a parse and plan in PostgreSQL every time. Over
 * this wrapper the same calls run as named prepared statements (postgres.js keeps one per text
 * and connection): after the first time, one round trip and no parse.
 *
 * Bounded: dynamic SQL (an IN list of n values is a new text for each n) would otherwise grow
 * every connection's statement cache without end. The first `maxTexts` distinct texts this client
 * sees are prepared; later new texts run unprepared as before. The hot statements come first
 * (they are what a running process sends over and over), and connections are recycled by
 * postgres.js (max_lifetime), which frees their statements. A statement PostgreSQL no longer
 * accepts after a migration ("cached plan must not change result type") is prepared again by
 * postgres.js itself.
 */
import type { Sql } from 'postgres';

export interface PreparedOptions {
  /** Distinct statement texts prepared at most (per client: every connection of its pool). */
  maxTexts?: number;
}

export const DEFAULT_MAX_PREPARED_TEXTS = 2_000;

const PREPARED_COUNT = Symbol('preparedTexts');

type UnsafeOptions = { prepare?: boolean; simple?: boolean };
type AnySql = Sql<Record<string, never>>;

/** `sql` whose `unsafe`, in itself and in the transactions and savepoints it opens, prepares by default. */
export function preparedByDefault<S extends AnySql>(sql: S, options: PreparedOptions = {}): S {
  const texts = new Set<string>();
  const max = options.maxTexts ?? DEFAULT_MAX_PREPARED_TEXTS;
  const prepareText = (text: string) => {
    if (texts.has(text)) return true;
    if (texts.size >= max) return false;
    texts.add(text);
    return true;
  };
  const wrap = <T extends object>(target: T): T =>
    new Proxy(target, {
      get(object, key, receiver) {
        if (key === PREPARED_COUNT) return () => texts.size;
        const value = Reflect.get(object, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        if (key === 'unsafe')
          return (text: string, params?: unknown[], unsafeOptions?: UnsafeOptions) =>
            (value as (...args: unknown[]) => unknown).call(
              object,
              text,
              params ?? [],
              // Drizzle always passes `prepare: false` (true only for its own named `.prepare()`), so
              // that option is not a choice to keep. A statement without parameters goes as a simple
              // query, one round trip already.
              {
                ...unsafeOptions,
                prepare:
                  max > 0 && (unsafeOptions?.prepare === true || ((params?.length ?? 0) > 0 && prepareText(text))),
              },
            );
        // The callback of a transaction or savepoint gets a client of its own: wrap it too.
        if (key === 'begin' || key === 'savepoint')
          return (...args: unknown[]) =>
            (value as (...args: unknown[]) => unknown).apply(
              object,
              args.map((arg) =>
                typeof arg === 'function' ? (inner: object) => (arg as (inner: object) => unknown)(wrap(inner)) : arg,
              ),
            );
        return value;
      },
    });
  return wrap(sql);
}

/** How many texts a client made by `preparedByDefault` has prepared (for tests). */
export function preparedTexts(sql: unknown): number {
  return (sql as { [PREPARED_COUNT]?: () => number })[PREPARED_COUNT]?.() ?? 0;
}
