/**
 * The values a form opens with: each top-level field the form declares, from the instance's
 * variable of the same name, as Camunda's forms bind fields to variables (a read-only copy of the
 * amount on an approval form shows the amount). A value of another JSON type than the field's is
 * left out rather than shown as something the field would refuse.
 */
export function prefill(
  schema: Record<string, unknown> | undefined,
  variables: Record<string, unknown> | undefined,
): Record<string, unknown> {
  const properties = (schema?.properties ?? {}) as Record<string, { type?: unknown } | boolean>;
  const out: Record<string, unknown> = {};
  if (!variables) return out;
  for (const [name, property] of Object.entries(properties)) {
    if (!Object.hasOwn(variables, name) || typeof property !== 'object' || property === null) continue;
    const value = variables[name];
    if (value === null || value === undefined) continue;
    if (fits(value, property.type)) out[name] = value;
  }
  return out;
}

function fits(value: unknown, type: unknown): boolean {
  const types = Array.isArray(type) ? type : type === undefined ? [] : [type];
  if (types.length === 0) return true;
  return types.some((t) =>
    t === 'string'
      ? typeof value === 'string'
      : t === 'number'
        ? typeof value === 'number' && Number.isFinite(value)
        : t === 'integer'
          ? Number.isInteger(value)
          : t === 'boolean'
            ? typeof value === 'boolean'
            : t === 'array'
              ? Array.isArray(value)
              : t === 'object'
                ? typeof value === 'object' && !Array.isArray(value)
                : false,
  );
}
