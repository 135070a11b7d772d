/**
 * A fast path for the FEEL that back-office conditions mostly are — names, literals, comparisons,
 * `and`/`or`/`not()`, arithmetic — compiled once per expression to a plain function, so a step
 * does not pay for a full FEEL parse per evaluation (feelin re-parses on every call). Anything
 * outside this subset, and any case whose meaning could differ (mixed types, lists, contexts),
 * is answered by feelin itself: the fast path returns FALLBACK. A differential test checks the two
 * agree (fast-path.test.ts).
 */

export const FALLBACK = Symbol('fallback');
type Value = unknown;
type Scope = Record<string, unknown>;
export interface FastContext {
  scope: Scope;
  warnings: string[];
}
type Compiled = (ctx: FastContext) => Value | typeof FALLBACK;

const KEYWORDS = new Set(['and', 'or', 'not', 'true', 'false', 'null']);
// Words that start FEEL constructs outside the subset.
const UNSUPPORTED_WORDS = new Set([
  'if',
  'then',
  'else',
  'for',
  'some',
  'every',
  'in',
  'return',
  'satisfies',
  'between',
  'instance',
  'of',
  'function',
]);

type Token =
  | { kind: 'num'; value: number }
  | { kind: 'str'; value: string }
  | { kind: 'name'; value: string }
  | { kind: 'op'; value: string };

function tokenize(source: string): Token[] | null {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (/[0-9]/.test(ch)) {
      const m = /^[0-9]+(\.[0-9]+)?/.exec(source.slice(i))!;
      tokens.push({ kind: 'num', value: Number(m[0]) });
      i += m[0].length;
      continue;
    }
    if (ch === '"') {
      const end = source.indexOf('"', i + 1);
      const text = end === -1 ? null : source.slice(i + 1, end);
      if (text === null || text.includes('\\')) return null;
      tokens.push({ kind: 'str', value: text });
      i = end + 1;
      continue;
    }
    if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))!;
      if (UNSUPPORTED_WORDS.has(m[0])) return null;
      tokens.push({ kind: 'name', value: m[0] });
      i += m[0].length;
      continue;
    }
    const two = source.slice(i, i + 2);
    if (two === '!=' || two === '<=' || two === '>=' || two === '**') {
      if (two === '**') return null;
      tokens.push({ kind: 'op', value: two });
      i += 2;
      continue;
    }
    if ('=<>+-*/().'.includes(ch)) {
      tokens.push({ kind: 'op', value: ch });
      i++;
      continue;
    }
    return null;
  }
  return tokens;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}
  private peek(): Token | undefined {
    return this.tokens[this.i];
  }
  private isOp(value: string): boolean {
    const t = this.peek();
    return t?.kind === 'op' && t.value === value;
  }
  private isWord(value: string): boolean {
    const t = this.peek();
    return t?.kind === 'name' && t.value === value;
  }
  parse(): Compiled | null {
    const e = this.or();
    return e && this.i === this.tokens.length ? e : null;
  }
  private or(): Compiled | null {
    let left = this.and();
    while (left && this.isWord('or')) {
      this.i++;
      const right = this.and();
      if (!right) return null;
      const l = left;
      left = (c) => logic(l(c), right(c), 'or');
    }
    return left;
  }
  private and(): Compiled | null {
    let left = this.comparison();
    while (left && this.isWord('and')) {
      this.i++;
      const right = this.comparison();
      if (!right) return null;
      const l = left;
      left = (c) => logic(l(c), right(c), 'and');
    }
    return left;
  }
  private comparison(): Compiled | null {
    const left = this.additive();
    const t = this.peek();
    if (!left || t?.kind !== 'op' || !['=', '!=', '<', '<=', '>', '>='].includes(t.value)) return left;
    this.i++;
    const right = this.additive();
    if (!right) return null;
    const op = t.value;
    return (c) => compare(left(c), right(c), op);
  }
  private additive(): Compiled | null {
    let left = this.multiplicative();
    while (left && (this.isOp('+') || this.isOp('-'))) {
      const op = (this.tokens[this.i++] as { value: string }).value;
      const right = this.multiplicative();
      if (!right) return null;
      const l = left;
      left = (c) => arithmetic(l(c), right(c), op);
    }
    return left;
  }
  private multiplicative(): Compiled | null {
    let left = this.unary();
    while (left && (this.isOp('*') || this.isOp('/'))) {
      const op = (this.tokens[this.i++] as { value: string }).value;
      const right = this.unary();
      if (!right) return null;
      const l = left;
      left = (c) => arithmetic(l(c), right(c), op);
    }
    return left;
  }
  private unary(): Compiled | null {
    if (this.isOp('-')) {
      this.i++;
      const inner = this.unary();
      if (!inner) return null;
      return (c) => {
        const v = inner(c);
        if (v === FALLBACK) return FALLBACK;
        return typeof v === 'number' ? 0 - v : v === null ? null : FALLBACK;
      };
    }
    return this.primary();
  }
  private primary(): Compiled | null {
    const t = this.tokens[this.i++];
    if (!t) return null;
    if (t.kind === 'num' || t.kind === 'str') {
      const v = t.value;
      return () => v;
    }
    if (t.kind === 'op' && t.value === '(') {
      const inner = this.or();
      if (!inner || !this.isOp(')')) return null;
      this.i++;
      return inner;
    }
    if (t.kind !== 'name') return null;
    if (t.value === 'true') return () => true;
    if (t.value === 'false') return () => false;
    if (t.value === 'null') return () => null;
    if (t.value === 'not') {
      if (!this.isOp('(')) return null;
      this.i++;
      const inner = this.or();
      if (!inner || !this.isOp(')')) return null;
      this.i++;
      return (c) => {
        const v = inner(c);
        return v === FALLBACK ? FALLBACK : v === true ? false : v === false ? true : null;
      };
    }
    if (KEYWORDS.has(t.value)) return null;
    // A name followed by "(" is a function call, and a name may continue with spaces in FEEL:
    // both are left to feelin.
    const next = this.peek();
    if (next?.kind === 'op' && next.value === '(') return null;
    if (next?.kind === 'name' && !KEYWORDS.has(next.value)) return null;
    const path = [t.value];
    while (this.isOp('.')) {
      this.i++;
      const p = this.tokens[this.i++];
      if (p?.kind !== 'name' || KEYWORDS.has(p.value)) return null;
      path.push(p.value);
    }
    return (c) => lookup(c, path);
  }
}

function lookup(c: FastContext, path: string[]): Value | typeof FALLBACK {
  const [head, ...rest] = path;
  if (!Object.prototype.hasOwnProperty.call(c.scope, head!)) {
    c.warnings.push(`Variable '${head}' not found`);
    return null;
  }
  let value: unknown = c.scope[head!];
  for (const key of rest) {
    if (value === null || value === undefined) return null;
    if (typeof value !== 'object' || Array.isArray(value)) return FALLBACK;
    if (!Object.prototype.hasOwnProperty.call(value, key)) return null;
    value = (value as Record<string, unknown>)[key];
  }
  return value === undefined ? null : isPlain(value) ? value : FALLBACK;
}

function isPlain(v: unknown): boolean {
  return v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean';
}

function logic(a: Value, b: Value, op: 'and' | 'or'): Value {
  if (a === FALLBACK || b === FALLBACK) return FALLBACK;
  if (op === 'and') {
    if (a === false || b === false) return false;
    return a === true && b === true ? true : null;
  }
  if (a === true || b === true) return true;
  return a === false && b === false ? false : null;
}

function compare(a: Value, b: Value, op: string): Value {
  if (a === FALLBACK || b === FALLBACK) return FALLBACK;
  if (op === '=' || op === '!=') {
    let eq: boolean;
    if (a === null || b === null) eq = a === b;
    else if (typeof a !== typeof b) return FALLBACK;
    else eq = a === b;
    return op === '=' ? eq : !eq;
  }
  if (a === null || b === null) return null;
  if (typeof a !== typeof b || (typeof a !== 'number' && typeof a !== 'string')) return FALLBACK;
  const x = a as number | string;
  const y = b as number | string;
  return op === '<' ? x < y : op === '<=' ? x <= y : op === '>' ? x > y : x >= y;
}

function arithmetic(a: Value, b: Value, op: string): Value {
  if (a === FALLBACK || b === FALLBACK) return FALLBACK;
  if (a === null || b === null) return null;
  if (typeof a === 'number' && typeof b === 'number') {
    if (op === '/') return b === 0 ? null : a / b;
    return op === '+' ? a + b : op === '-' ? a - b : a * b;
  }
  if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  return FALLBACK;
}

const compiled = new Map<string, Compiled | null>();
const MAX_COMPILED = 10_000;

/** The fast evaluator for `expression`, or null when it is outside the subset. */
export function fastPath(expression: string): Compiled | null {
  let fn = compiled.get(expression);
  if (fn === undefined) {
    const tokens = tokenize(expression);
    fn = tokens && tokens.length > 0 ? new Parser(tokens).parse() : null;
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(expression, fn);
  }
  return fn;
}
