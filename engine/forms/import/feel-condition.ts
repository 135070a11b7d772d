/**
 * Translates the simple FEEL conditions form-js uses to hide fields (`=approved = true`,
 * `=amount > 1000 and category != "Travel"`) into a JSON Schema that holds exactly when the
 * field is hidden.
 *
 * form-js evaluates `conditional.hide` as a FEEL *unary test* with no input value and hides the
 * field when the test is `true`. A unary test whose expression gives `null` (a missing variable,
 * a comparison of a text with a number) compares `null` with the missing input and so is `true`
 * as well; a top-level `not(...)` negates the test. FEEL itself is three-valued, so every
 * sub-expression gets schemas for "is true", "is false" and (a bare field name only) "is some
 * other value"; whatever is none of those is `null`.
 *
 * The schemas may assume the data is otherwise valid: a present field has the type the form
 * declares (anything else is rejected by the field's own schema anyway). That keeps the common
 * case readable: `=approved = true` on a checkbox becomes `{ required: ["approved"],
 * properties: { approved: { const: true } } }`.
 *
 * Only a small subset is accepted: comparisons of a field with a literal, a bare field name,
 * `and`, `or`, `not(...)` and parentheses. Anything else is refused with a reason, never
 * approximated. No evaluation happens here: a tokenizer and a recursive-descent parser over at
 * most `MAX_CONDITION_LENGTH` characters.
 */
import type { JsonSchema } from '../form';
import { isRecord } from './input';

export const MAX_CONDITION_LENGTH = 500;
const MAX_DEPTH = 16;

/** The JSON type a form declares for a field, `'unknown'` when it declares none. */
export type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'unknown';

type Literal = string | number | boolean | null;
type Operator = '=' | '!=' | '<' | '<=' | '>' | '>=';

type Condition =
  | { kind: 'compare'; path: string[]; op: Operator; value: Literal }
  | { kind: 'value'; path: string[] }
  | { kind: 'and' | 'or'; items: Condition[] }
  | { kind: 'not'; item: Condition };

export type ConditionTranslation =
  { ok: true; hiddenWhen: JsonSchema; paths: string[][] } | { ok: false; reason: string };

type Token =
  | { type: 'name'; text: string }
  | { type: 'number'; value: number }
  | { type: 'string'; value: string }
  | { type: 'op'; text: string };

/** Holds for every value. */
export const ALWAYS: JsonSchema = Object.freeze({});
/** Holds for no value. */
export const NEVER: JsonSchema = Object.freeze({ not: {} });

/**
 * `expression` is the text after form-js' leading `=`. `typeOf(path)` gives the type of the
 * form's field at `path`, or undefined when the form has no such field: a condition on a process
 * variable outside the form cannot be checked by the form's schema.
 */
export function translateHideCondition(
  expression: string,
  typeOf: (path: string[]) => FieldType | undefined,
): ConditionTranslation {
  if (expression.length > MAX_CONDITION_LENGTH)
    return { ok: false, reason: `the condition is longer than ${MAX_CONDITION_LENGTH} characters` };
  const tokens = tokenize(expression);
  if (typeof tokens === 'string') return { ok: false, reason: tokens };
  const parsed = new Parser(tokens).parse();
  if (typeof parsed === 'string') return { ok: false, reason: parsed };
  const paths = collectPaths(parsed.condition);
  const types = new Map<string, FieldType>();
  for (const path of paths) {
    const type = typeOf(path);
    if (type === undefined)
      return {
        ok: false,
        reason: `it refers to "${path.join('.')}", which is not a field of this form (a form's schema can only test the form's own data)`,
      };
    types.set(path.join('.'), type);
  }
  const outcome = evaluate(parsed.condition, (path) => types.get(path.join('.')) ?? 'unknown');
  if (typeof outcome === 'string') return { ok: false, reason: outcome };
  const notTrue = anyOf([outcome.isFalse, outcome.isOther]);
  return { ok: true, hiddenWhen: parsed.negated ? notTrue : not(notTrue), paths };
}

function tokenize(text: string): Token[] | string {
  const tokens: Token[] = [];
  const pattern = /\s+|([A-Za-z_][A-Za-z0-9_]*)|(-?[0-9]+(?:\.[0-9]+)?)|"((?:[^"\\]|\\["\\nt])*)"|(!=|<=|>=|[=<>().])/y;
  let index = 0;
  while (index < text.length) {
    pattern.lastIndex = index;
    const m = pattern.exec(text);
    if (!m)
      return `"${text.slice(index, index + 20)}" is not part of the FEEL subset Trellis translates (field = literal, and, or, not(...))`;
    index = pattern.lastIndex;
    if (m[1] !== undefined) tokens.push({ type: 'name', text: m[1] });
    else if (m[2] !== undefined) tokens.push({ type: 'number', value: Number(m[2]) });
    else if (m[3] !== undefined)
      tokens.push({
        type: 'string',
        value: m[3].replace(/\\(["\\nt])/g, (_, c: string) => (c === 'n' ? '\n' : c === 't' ? '\t' : c)),
      });
    else if (m[4] !== undefined) tokens.push({ type: 'op', text: m[4] });
  }
  return tokens;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false', 'null']);
const OPERATORS = new Set<string>(['=', '!=', '<', '<=', '>', '>=']);

class Parser {
  private position = 0;
  constructor(private readonly tokens: Token[]) {}

  /** `negated`: the whole test is `not(...)`, which a unary test reads as negation. */
  parse(): { condition: Condition; negated: boolean } | string {
    if (this.tokens.length === 0) return 'the condition is empty';
    const condition = this.or(0);
    if (typeof condition === 'string') return condition;
    if (this.position < this.tokens.length)
      return `unexpected ${describe(this.tokens[this.position]!)} after a complete condition`;
    const first = this.tokens[0]!;
    const negated = condition.kind === 'not' && first.type === 'name' && first.text === 'not';
    return negated ? { condition: condition.item, negated } : { condition, negated };
  }

  private or(depth: number): Condition | string {
    return this.chain('or', () => this.and(depth));
  }

  private and(depth: number): Condition | string {
    return this.chain('and', () => this.unary(depth));
  }

  private chain(kind: 'and' | 'or', next: () => Condition | string): Condition | string {
    const first = next();
    if (typeof first === 'string') return first;
    const items = [first];
    while (this.isName(kind)) {
      this.position++;
      const item = next();
      if (typeof item === 'string') return item;
      items.push(item);
    }
    return items.length === 1 ? first : { kind, items };
  }

  private unary(depth: number): Condition | string {
    if (depth > MAX_DEPTH) return `the condition is nested more than ${MAX_DEPTH} levels deep`;
    const negate = this.isName('not');
    if (negate) {
      this.position++;
      if (!this.isOp('(')) return '"not" must be written as a function: not(...)';
    }
    if (this.isOp('(')) {
      this.position++;
      const inner = this.or(depth + 1);
      if (typeof inner === 'string') return inner;
      if (!this.isOp(')')) return 'a ")" is missing';
      this.position++;
      return negate ? { kind: 'not', item: inner } : inner;
    }
    return this.comparison();
  }

  private comparison(): Condition | string {
    const path = this.path();
    if (typeof path === 'string') return path;
    const token = this.tokens[this.position];
    if (token?.type !== 'op' || !OPERATORS.has(token.text)) return { kind: 'value', path };
    this.position++;
    const value = this.literal();
    if (typeof value === 'object' && value !== null) return value.error;
    return { kind: 'compare', path, op: token.text as Operator, value };
  }

  private path(): string[] | string {
    const path: string[] = [];
    for (;;) {
      const token = this.tokens[this.position];
      if (token?.type !== 'name' || KEYWORDS.has(token.text))
        return token ? `expected a field name, found ${describe(token)}` : 'the condition ends too early';
      path.push(token.text);
      this.position++;
      if (!this.isOp('.')) return path;
      this.position++;
    }
  }

  private literal(): Literal | { error: string } {
    const token = this.tokens[this.position];
    if (!token) return { error: 'the condition ends too early' };
    this.position++;
    if (token.type === 'number' || token.type === 'string') return token.value;
    if (token.type === 'name' && token.text === 'true') return true;
    if (token.type === 'name' && token.text === 'false') return false;
    if (token.type === 'name' && token.text === 'null') return null;
    return {
      error: `only a number, a "text", true, false or null can be compared with (found ${describe(token)}); comparing two fields cannot be expressed in JSON Schema`,
    };
  }

  private isName(text: string): boolean {
    const token = this.tokens[this.position];
    return token?.type === 'name' && token.text === text;
  }

  private isOp(text: string): boolean {
    const token = this.tokens[this.position];
    return token?.type === 'op' && token.text === text;
  }
}

function describe(token: Token): string {
  if (token.type === 'string') return `"${token.value}"`;
  if (token.type === 'number') return String(token.value);
  return `"${token.text}"`;
}

function collectPaths(condition: Condition): string[][] {
  if (condition.kind === 'compare' || condition.kind === 'value') return [condition.path];
  if (condition.kind === 'not') return collectPaths(condition.item);
  return condition.items.flatMap(collectPaths);
}

/** When a sub-expression is true, false, or another non-null value; null otherwise. */
interface Outcome {
  isTrue: JsonSchema;
  isFalse: JsonSchema;
  isOther: JsonSchema;
}

function evaluate(condition: Condition, typeOf: (path: string[]) => FieldType): Outcome | string {
  switch (condition.kind) {
    case 'and':
    case 'or': {
      const parts: Outcome[] = [];
      for (const item of condition.items) {
        const outcome = evaluate(item, typeOf);
        if (typeof outcome === 'string') return outcome;
        parts.push(outcome);
      }
      // FEEL: false wins an `and`, true wins an `or`; a non-boolean operand makes the rest null.
      const trues = parts.map((p) => p.isTrue);
      const falses = parts.map((p) => p.isFalse);
      return condition.kind === 'and'
        ? { isTrue: allOf(trues), isFalse: anyOf(falses), isOther: NEVER }
        : { isTrue: anyOf(trues), isFalse: allOf(falses), isOther: NEVER };
    }
    case 'not': {
      const inner = evaluate(condition.item, typeOf);
      if (typeof inner === 'string') return inner;
      return { isTrue: inner.isFalse, isFalse: inner.isTrue, isOther: NEVER };
    }
    case 'value':
      return fieldValue(condition.path, typeOf(condition.path));
    case 'compare':
      return compare(condition, typeOf(condition.path));
  }
}

/** A bare field name: its own value, which the test compares with `true`. */
function fieldValue(path: string[], type: FieldType): Outcome {
  if (type === 'boolean')
    return { isTrue: at(path, { const: true }), isFalse: at(path, { const: false }), isOther: NEVER };
  if (type !== 'unknown') return { isTrue: NEVER, isFalse: NEVER, isOther: at(path, {}) };
  return {
    isTrue: at(path, { const: true }),
    isFalse: at(path, { const: false }),
    isOther: at(path, { not: { enum: [true, false, null] } }),
  };
}

function jsonType(value: string | number | boolean): 'string' | 'number' | 'boolean' {
  return typeof value === 'string' ? 'string' : typeof value === 'number' ? 'number' : 'boolean';
}

function sameType(fieldType: FieldType, literal: 'string' | 'number' | 'boolean'): boolean {
  return fieldType === literal || (literal === 'number' && fieldType === 'integer');
}

/**
 * `x = v` is false when `x` is missing or null, and null when `x` holds another type of value;
 * `x != v` swaps true and false. `x < n` is null unless `x` is a number. Ordering is only
 * translated for numbers: JSON Schema cannot compare texts or dates by order.
 */
function compare(c: Extract<Condition, { kind: 'compare' }>, type: FieldType): Outcome | string {
  const missing = not(at(c.path, { not: { const: null } }));
  if (c.op === '=' || c.op === '!=') {
    let equal: Outcome;
    if (c.value === null) equal = { isTrue: missing, isFalse: not(missing), isOther: NEVER };
    else {
      const literal = jsonType(c.value);
      if (type === 'unknown')
        equal = {
          isTrue: at(c.path, { const: c.value }),
          isFalse: anyOf([missing, at(c.path, { type: literal, not: { const: c.value } })]),
          isOther: NEVER,
        };
      else if (sameType(type, literal))
        equal = {
          isTrue: at(c.path, { const: c.value }),
          isFalse: not(at(c.path, { const: c.value })),
          isOther: NEVER,
        };
      else equal = { isTrue: NEVER, isFalse: missing, isOther: NEVER };
    }
    return c.op === '=' ? equal : { isTrue: equal.isFalse, isFalse: equal.isTrue, isOther: NEVER };
  }
  if (typeof c.value !== 'number')
    return `"${c.path.join('.')} ${c.op} ${JSON.stringify(c.value)}" orders a value that is not a number; JSON Schema can only compare numbers by size`;
  if (type !== 'unknown' && !sameType(type, 'number')) return { isTrue: NEVER, isFalse: NEVER, isOther: NEVER };
  const n = c.value;
  const bounds: Record<'<' | '<=' | '>' | '>=', [JsonSchema, JsonSchema]> = {
    '<': [{ exclusiveMaximum: n }, { minimum: n }],
    '<=': [{ maximum: n }, { exclusiveMinimum: n }],
    '>': [{ exclusiveMinimum: n }, { maximum: n }],
    '>=': [{ minimum: n }, { exclusiveMaximum: n }],
  };
  const [whenTrue, whenFalse] = bounds[c.op];
  const typed = type === 'unknown' ? { type: 'number' } : {};
  return {
    isTrue: at(c.path, { ...typed, ...whenTrue }),
    isFalse: at(c.path, { ...typed, ...whenFalse }),
    isOther: NEVER,
  };
}

/** `schema` applies to the value at `path`, which must be present. */
function at(path: string[], schema: JsonSchema): JsonSchema {
  let result = schema;
  for (let i = path.length - 1; i >= 0; i--) {
    const name = path[i]!;
    result =
      Object.keys(result).length > 0
        ? { required: [name], properties: Object.fromEntries([[name, result]]) }
        : { required: [name] };
  }
  return result;
}

function isAlways(schema: JsonSchema): boolean {
  return Object.keys(schema).length === 0;
}

function isNever(schema: JsonSchema): boolean {
  const keys = Object.keys(schema);
  return keys.length === 1 && keys[0] === 'not' && isRecord(schema.not) && isAlways(schema.not);
}

export function not(schema: JsonSchema): JsonSchema {
  if (isAlways(schema)) return NEVER;
  if (isNever(schema)) return ALWAYS;
  const keys = Object.keys(schema);
  if (keys.length === 1 && keys[0] === 'not' && isRecord(schema.not)) return schema.not;
  return { not: schema };
}

export function anyOf(parts: JsonSchema[]): JsonSchema {
  if (parts.some(isAlways)) return ALWAYS;
  const useful = parts.filter((p) => !isNever(p));
  if (useful.length === 0) return NEVER;
  return useful.length === 1 ? useful[0]! : { anyOf: useful };
}

function allOf(parts: JsonSchema[]): JsonSchema {
  if (parts.some(isNever)) return NEVER;
  const useful = parts.filter((p) => !isAlways(p));
  if (useful.length === 0) return ALWAYS;
  return useful.length === 1 ? useful[0]! : { allOf: useful };
}

export function isAlwaysSchema(schema: JsonSchema): boolean {
  return isAlways(schema);
}

export function isNeverSchema(schema: JsonSchema): boolean {
  return isNever(schema);
}
