/**
 * Finds field names no input may use. `JSON.parse` turns a `"__proto__"` key into an ordinary own
 * property, but every object copy in between (zod's records, `obj[key] = value`) either drops it
 * without a word or swaps the copy's prototype; so it is refused, naming where it was, before any
 * schema sees the input (trpc/init.ts, for every procedure). `constructor` and `prototype` stay
 * allowed: they survive JSON, zod, spreads and jsonb as plain data, and they are real field names
 * ("constructor" on a construction invoice); nothing here merges objects deeply, where they would matter.
 */

/** The one field name refused, at any depth. */
export const RESERVED_KEY = '__proto__';

interface Visit {
  value: unknown;
  key: string | null;
  parent: Visit | null;
}

/**
 * The path ("variables.customer.__proto__", array items by index) of the first `__proto__` key in
 * a JSON-like value, or null. Iterative (no recursion to overflow on deep input) and visits each
 * object once, so a shared or cyclic object cannot make it loop.
 */
export function reservedKeyPath(value: unknown): string | null {
  const seen = new Set<object>();
  const stack: Visit[] = [{ value, key: null, parent: null }];
  while (stack.length > 0) {
    const visit = stack.pop()!;
    const v = visit.value;
    if (v === null || typeof v !== 'object' || seen.has(v)) continue;
    seen.add(v);
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], key: String(i), parent: visit });
      continue;
    }
    const keys = Object.keys(v);
    if (keys.includes(RESERVED_KEY)) return pathOf({ value: null, key: RESERVED_KEY, parent: visit });
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      stack.push({ value: (v as Record<string, unknown>)[key], key, parent: visit });
    }
  }
  return null;
}

function pathOf(visit: Visit): string {
  const keys: string[] = [];
  for (let at: Visit | null = visit; at; at = at.parent) if (at.key !== null) keys.push(at.key);
  return keys.reverse().join('.');
}
