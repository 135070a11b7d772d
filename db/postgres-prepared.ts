/**
 * Drizzle sends every statement to postgres.js as `unsafe(text, params)`, which postgres.js runs
 * unprepared: for a statement with parameters that is two round trips (Parse + Describe to learn
 * the parameter types, then Bind + Execute) and a parse and plan in PostgreSQL every time. Over
 * this wrapper the same calls run as named prepared statements (postgres.js keeps one per text
 * and connection): after the first time, one round trip and no parse.
 *
 * Bounded: dynamic SQL (an IN list of n values is a new text for each n) would otherwise grow
 * every connection's statement cache without end. A text is prepared the second time this client
 * sees it (a one-off text never is), up to `maxTexts` texts; later new texts run unprepared as
 * before. The hot statements come first (they are what a running process sends over and over),
 * and connections are recycled by postgres.js (max_lifetime), which frees their statements.
 *
 * A statement PostgreSQL no longer accepts after a migration changed its table ("cached plan must
 * not change result type") is prepared again by postgres.js itself outside a transaction; inside
 * one the transaction fails, and the error reaches the caller as a retryable conflict
 * (errors.ts `isStalePlan`): sent again, the command prepares afresh.
 */
import type { Sql } from 'postgres';

export interface PreparedOptions {
  /**
   * Distinct statement texts prepared at most, per client. Each connection of the pool keeps its
   * own copy of those it has run (so up to this × the pool size statements in PostgreSQL).
   */
  maxTexts?: number;
}

export const DEFAULT_MAX_PREPARED_TEXTS = 2_000;

const PREPARED_COUNT = Symbol('preparedTexts');

type UnsafeOptions = { prepare?: boolean; simple?: boolean };
type AnySql = Sql<Record<string, never>>;

/** `sql` whose `unsafe`, in itself and in the transactions and savepoints it opens, prepares by default. */
export function preparedByDefault<S extends AnySql>(sql: S, options: PreparedOptions = {}): S {
  const texts = new Set<string>();
  // Texts seen once: a text is prepared at its second sighting, so one-off texts (an IN list of a
  // length seen once) do not use up the budget. Forgotten wholesale when it grows large.
  const seenOnce = new Set<string>();
  const max = options.maxTexts ?? DEFAULT_MAX_PREPARED_TEXTS;
  const prepareText = (text: string) => {
    if (texts.has(text)) return true;
    if (texts.size >= max) return false;
    if (!seenOnce.delete(text)) {
      if (seenOnce.size >= 4 * max) seenOnce.clear();
      seenOnce.add(text);
      return false;
    }
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
          return (text: string, params?: unknown[] | UnsafeOptions, unsafeOptions?: UnsafeOptions) => {
            // postgres.js also takes unsafe(text, options).
            if (params !== undefined && !Array.isArray(params)) [params, unsafeOptions] = [[], params];
            const values = params ?? [];
            return (value as (...args: unknown[]) => unknown).call(object, text, values, {
              ...unsafeOptions,
              // Drizzle always passes `prepare: false` (true only for its own named `.prepare()`),
              // so that is no choice to keep; the hand-written hot statements ask for `true` and
              // count against the budget too. A statement without parameters goes as a simple
              // query, one round trip already.
              prepare: max > 0 && values.length > 0 && prepareText(text),
            });
          };
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
