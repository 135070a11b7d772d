/**
 * Computed fields: a value the form works out from others, never typed — a table row's amount as
 * quantity × price, a claim's total as the sum of its lines' amounts. Written in the schema as
 * `x-compute` on a read-only number ({ product: ['quantity', 'price'] } on a table's column,
 * { sum: 'lines.amount' } on a top-level field). The renderer fills them in as the user types, and
 * the server works them out again from the submitted values, so a total sent by a client is never
 * trusted. Pure, and bounded: a table is read up to MAX_COMPUTED_ROWS rows.
 */
import { topLevelFields, type JsonSchema } from './form';

export const COMPUTE = 'x-compute';
/** Rows of a table that computations read (a form's table holds far fewer; the rest are left as sent). */
export const MAX_COMPUTED_ROWS = 5_000;

export type Computation = { sum: string } | { product: string[] };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A schema's computation, when it is one this module understands. */
export function computationOf(schema: unknown): Computation | undefined {
  if (!isObject(schema)) return undefined;
  const c = schema[COMPUTE];
  if (!isObject(c)) return undefined;
  if (typeof c.sum === 'string' && /^[^.]+\.[^.]+$/.test(c.sum)) return { sum: c.sum };
  if (
    Array.isArray(c.product) &&
    c.product.length >= 1 &&
    c.product.length <= 10 &&
    c.product.every((p) => typeof p === 'string')
  )
    return { product: c.product as string[] };
  return undefined;
}

const numeric = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function settle(value: number, schema: JsonSchema): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  return schema.type === 'integer' ? Math.round(value) : Math.round(value * 1e9) / 1e9;
}

/**
 * `data` with every computed field worked out (a new object; the input is not changed). A product
 * with a factor missing, or a sum whose result is not a finite number, leaves the field empty.
 */
export function computeFormValues(schema: JsonSchema, data: unknown): unknown {
  if (!isObject(data)) return data;
  // A field shown only when a condition holds is declared in the condition's `then`: computed as well.
  const properties = Object.fromEntries(topLevelFields(schema)) as Record<string, JsonSchema>;
  const out: Record<string, unknown> = { ...data };
  let changed = false;
  // Rows first: a total sums the rows' computed amounts.
  for (const [key, field] of Object.entries(properties)) {
    if (
      !isObject(field) ||
      !isObject(field.items) ||
      !isObject((field.items as JsonSchema).properties) ||
      !Array.isArray(out[key])
    )
      continue;
    const columns = (field.items as JsonSchema).properties as Record<string, JsonSchema>;
    const computed = Object.entries(columns).flatMap(([name, column]) => {
      const c = computationOf(column);
      return c && 'product' in c ? [{ name, column, factors: c.product }] : [];
    });
    if (computed.length === 0) continue;
    const rows = out[key] as unknown[];
    out[key] = rows.map((row, index) => {
      if (index >= MAX_COMPUTED_ROWS || !isObject(row)) return row;
      const next: Record<string, unknown> = { ...row };
      for (const { name, column, factors } of computed) {
        const values = factors.map((f) => (f === name ? undefined : next[f]));
        const value = values.every(numeric)
          ? settle(
              values.reduce((a, b) => a * b, 1),
              column,
            )
          : undefined;
        if (value === undefined) delete next[name];
        else next[name] = value;
      }
      return next;
    });
    changed = true;
  }
  for (const [key, field] of Object.entries(properties)) {
    const c = computationOf(field);
    if (!c || !('sum' in c)) continue;
    const [rowsKey, column] = c.sum.split('.') as [string, string];
    const rows = Array.isArray(out[rowsKey]) ? (out[rowsKey] as unknown[]).slice(0, MAX_COMPUTED_ROWS) : [];
    let total = 0;
    for (const row of rows) if (isObject(row) && numeric(row[column])) total += row[column] as number;
    const value = settle(total, field);
    if (value === undefined) delete out[key];
    else out[key] = value;
    changed = true;
  }
  return changed ? out : data;
}

/** Whether a schema has computed fields at its top level or in a table's columns. */
export function hasComputedFields(schema: JsonSchema): boolean {
  return topLevelFields(schema)
    .map(([, f]) => f)
    .some(
      (f) =>
        computationOf(f) !== undefined ||
        (isObject(f) &&
          isObject(f.items) &&
          isObject((f.items as JsonSchema).properties) &&
          Object.values((f.items as JsonSchema).properties as Record<string, JsonSchema>).some(
            (c) => computationOf(c) !== undefined,
          )),
    );
}
