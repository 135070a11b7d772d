/**
 * JUEL / Unified EL (Camunda 7, Flowable, Activiti) → Trellis FEEL, for the simple expressions
 * imported models carry on sequence flows, assignees and input mappings: names and property
 * paths, literals, comparisons, logic, arithmetic, `empty`, the `? :` choice and text templates
 * such as `Hello ${name}`.
 *
 * Owns the tokenizer and recursive-descent parser of that EL subset and its FEEL rendering.
 * It never evaluates EL and never reaches Java: method and function calls, the engine's own
 * objects (`execution`, `task`, ...), assignments and lambdas are refused with a reason that
 * says what to write instead. Pure: text in, text out.
 *
 * Where EL and FEEL differ on the same data (EL coerces null to false/0/"", FEEL yields null;
 * EL lists count from 0, FEEL lists from 1; Camunda's loopCounter counts from 0, Trellis' from
 * 1), the translation keeps the EL meaning where FEEL can say it plainly, and otherwise lets
 * null through, which a Trellis gateway reports as an incident rather than a silent false.
 */
import { checkExpression, MAX_EXPRESSION_LENGTH, MAX_NESTING } from '../../expressions/feel';

export type JuelTranslation = { ok: true; feel: string } | { ok: false; reason: string };

/** True when `text` holds an EL expression: an unescaped `${...}` or `#{...}`. */
export function isJuel(text: string): boolean {
  return /(?<!\\)[$#]\{[\s\S]*\}/.test(text);
}

/**
 * The FEEL for a JUEL text: `${x}` alone becomes the FEEL for `x`; text mixed with expressions
 * becomes a `string join([...])` of its pieces (a null piece reads as "" as in EL); text
 * without expressions becomes a FEEL string.
 */
export function juelToFeel(text: string): JuelTranslation {
  if (text.length > MAX_EXPRESSION_LENGTH) {
    return {
      ok: false,
      reason: `the expression is ${text.length} characters long; the limit is ${MAX_EXPRESSION_LENGTH}: move the logic into a script task or a decision table`,
    };
  }
  let feel: string;
  try {
    feel = translate(text.trim());
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, reason: error.message };
    throw error;
  }
  const problem = checkExpression(feel);
  if (problem)
    return { ok: false, reason: `the FEEL translation ${quote(feel)} is not accepted by Trellis: ${problem.message}` };
  return { ok: true, feel };
}

/** Why a text cannot be translated; caught at the edge of juelToFeel and returned as data. */
class Refusal extends Error {}

function translate(text: string): string {
  const pieces = new Scanner(text).pieces();
  const expressions = pieces.filter((p) => p.kind === 'expression');
  const marks = new Set(expressions.map((p) => p.mark));
  if (marks.size > 1)
    throw new Refusal(`${quote(text)} mixes \${...} and #{...}, which EL does not allow: use one kind throughout`);
  const only = pieces[0];
  if (pieces.length === 1 && only?.kind === 'expression') return new Emitter(text).emit(only.node).text;
  if (expressions.length === 0) return feelString(pieces.map((p) => (p.kind === 'text' ? p.text : '')).join(''));
  const emitter = new Emitter(text);
  const parts = pieces.map((p) => (p.kind === 'text' ? feelString(p.text) : `string(${emitter.emit(p.node).text})`));
  return `string join([${parts.join(', ')}])`;
}

// ---------------------------------------------------------------------------------------------
// Tokens

type Token =
  | { kind: 'number'; text: string; from: number; to: number }
  | { kind: 'string'; value: string; from: number; to: number }
  | { kind: 'name'; text: string; from: number; to: number }
  | { kind: 'op'; text: string; from: number; to: number };

type Piece = { kind: 'text'; text: string } | { kind: 'expression'; mark: '$' | '#'; node: Node };

const OPERATORS = [
  '&&',
  '||',
  '==',
  '!=',
  '<=',
  '>=',
  '->',
  '+=',
  '(',
  ')',
  '[',
  ']',
  '.',
  ',',
  '?',
  ':',
  '!',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '=',
  ';',
  '{',
  '}',
];
const NAME = /[\p{L}_$][\p{L}\p{M}\p{N}_$]*/uy;
const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/y;

/** EL 3.0 syntax that has no FEEL counterpart here, with what to do instead. */
const EL3_OPERATORS: Record<string, string> = {
  '=': 'is an assignment, which an expression in Trellis cannot make: set the variable with an output mapping or a script task',
  '->': 'is a lambda expression: use FEEL "for", "some" or "every", or compute the value in a script task',
  ';': 'chains several expressions with ";": keep one expression, or compute the value in a script task',
  '+=': 'uses the EL 3.0 string concatenation "+=": write the FEEL `string(a) + string(b)` instead',
  '{': 'builds a set or map literal (EL 3.0): write a FEEL list [..] or context {..} instead',
};

class Scanner {
  private i = 0;
  constructor(private readonly source: string) {}

  /** Splits the text into literal text and `${...}` / `#{...}` expressions, parsing each. */
  pieces(): Piece[] {
    const out: Piece[] = [];
    let text = '';
    const s = this.source;
    while (this.i < s.length) {
      const ch = s[this.i]!;
      const next = s[this.i + 1];
      if (ch === '\\' && (next === '$' || next === '#') && s[this.i + 2] === '{') {
        // `\${` is EL's escape for a literal `${`.
        text += s.slice(this.i + 1, this.i + 3);
        this.i += 3;
      } else if ((ch === '$' || ch === '#') && next === '{') {
        if (text !== '') out.push({ kind: 'text', text });
        text = '';
        const from = this.i;
        this.i += 2;
        const tokens = this.expressionTokens(from);
        out.push({ kind: 'expression', mark: ch, node: new Parser(tokens, s, from, this.i).parse() });
      } else {
        text += ch;
        this.i++;
      }
    }
    if (text !== '') out.push({ kind: 'text', text });
    return out;
  }

  /** The tokens up to the `}` that closes the expression opened at `start`. */
  private expressionTokens(start: number): Token[] {
    const s = this.source;
    const tokens: Token[] = [];
    let depth = 0;
    while (this.i < s.length) {
      const ch = s[this.i]!;
      const from = this.i;
      if (/\s/.test(ch)) {
        this.i++;
        continue;
      }
      if (ch === '}' && depth === 0) {
        this.i++;
        this.refuseEl3(tokens, start);
        return tokens;
      }
      if (ch === "'" || ch === '"') {
        tokens.push({ kind: 'string', value: this.string(ch), from, to: this.i });
        continue;
      }
      NUMBER.lastIndex = from;
      const number = NUMBER.exec(s);
      if (number) {
        this.i += number[0].length;
        tokens.push({ kind: 'number', text: number[0], from, to: this.i });
        continue;
      }
      NAME.lastIndex = from;
      const name = NAME.exec(s);
      if (name) {
        this.i += name[0].length;
        tokens.push({ kind: 'name', text: name[0], from, to: this.i });
        continue;
      }
      const op = OPERATORS.find((o) => s.startsWith(o, from));
      if (!op) throw new Refusal(`JUEL syntax error at character ${from + 1} of ${quote(s)}: unexpected ${quote(ch)}`);
      if (op === '{') depth++;
      if (op === '}') depth--;
      this.i += op.length;
      tokens.push({ kind: 'op', text: op, from, to: this.i });
    }
    throw new Refusal(
      `JUEL syntax error: the expression opened at character ${start + 1} of ${quote(s)} has no closing "}"`,
    );
  }

  private refuseEl3(tokens: Token[], start: number): void {
    for (const t of tokens) {
      const why = t.kind === 'op' ? EL3_OPERATORS[t.text] : undefined;
      if (why) throw new Refusal(`${quote(this.source.slice(start, this.i))} ${why}`);
    }
  }

  /** A quoted EL string; EL knows the escapes \\, \' and \" only. */
  private string(q: string): string {
    const s = this.source;
    const start = this.i;
    let value = '';
    this.i++;
    while (this.i < s.length) {
      const ch = s[this.i]!;
      if (ch === q) {
        this.i++;
        return value;
      }
      if (ch === '\\') {
        const escaped = s[this.i + 1];
        if (escaped !== '\\' && escaped !== "'" && escaped !== '"') {
          throw new Refusal(
            `JUEL syntax error at character ${this.i + 1} of ${quote(s)}: EL strings know only the escapes \\\\, \\' and \\"; write a backslash as \\\\`,
          );
        }
        value += escaped;
        this.i += 2;
        continue;
      }
      value += ch;
      this.i++;
    }
    throw new Refusal(`JUEL syntax error: the string opened at character ${start + 1} of ${quote(s)} is not closed`);
  }
}

// ---------------------------------------------------------------------------------------------
// Syntax tree and parser (EL precedence, lowest first: ?:, or, and, ==, <, +, *, unary, . [] ())

type Span = { from: number; to: number };
type BinaryOp = 'or' | 'and' | '=' | '!=' | '<' | '>' | '<=' | '>=' | '+' | '-' | '*' | '/' | 'mod';
type Node = Span &
  (
    | { kind: 'number'; text: string }
    | { kind: 'string'; value: string }
    | { kind: 'literal'; text: 'true' | 'false' | 'null' }
    | { kind: 'name'; name: string }
    | { kind: 'member'; object: Node; property: string }
    | { kind: 'index'; object: Node; index: Node }
    | { kind: 'call'; callee: Node | string; args: Node[] }
    | { kind: 'unary'; op: '-' | 'not' | 'empty'; arg: Node }
    | { kind: 'binary'; op: BinaryOp; left: Node; right: Node }
    | { kind: 'choice'; test: Node; then: Node; else: Node }
  );

const LEVELS: { ops: Record<string, BinaryOp> }[] = [
  { ops: { '||': 'or', or: 'or' } },
  { ops: { '&&': 'and', and: 'and' } },
  { ops: { '==': '=', eq: '=', '!=': '!=', ne: '!=' } },
  { ops: { '<': '<', lt: '<', '>': '>', gt: '>', '<=': '<=', le: '<=', '>=': '>=', ge: '>=' } },
  { ops: { '+': '+', '-': '-' } },
  { ops: { '*': '*', '/': '/', div: '/', '%': 'mod', mod: 'mod' } },
];
const EL_RESERVED = new Set([
  'and',
  'or',
  'not',
  'eq',
  'ne',
  'lt',
  'gt',
  'le',
  'ge',
  'true',
  'false',
  'null',
  'instanceof',
  'empty',
  'div',
  'mod',
]);

class Parser {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
    private readonly start: number,
    private readonly end: number,
  ) {}

  parse(): Node {
    if (this.tokens.length === 0)
      throw new Refusal(
        `${quote(this.source.slice(this.start, this.end))} is empty: write an expression between the braces`,
      );
    const node = this.choice();
    const extra = this.tokens[this.i];
    if (extra) throw this.syntax(extra, 'an operator or the closing "}"');
    return node;
  }

  private choice(): Node {
    if (++this.depth > MAX_NESTING)
      throw new Refusal(
        `${quote(this.source.slice(this.start, this.end))} is nested more than ${MAX_NESTING} levels deep: split it with a script task`,
      );
    const test = this.binary(0);
    let node = test;
    if (this.isOp('?')) {
      this.i++;
      const then = this.choice();
      this.expectOp(':');
      const otherwise = this.choice();
      node = { kind: 'choice', test, then, else: otherwise, from: test.from, to: otherwise.to };
    }
    this.depth--;
    return node;
  }

  private binary(level: number): Node {
    const spec = LEVELS[level];
    if (!spec) return this.unary();
    let left = this.binary(level + 1);
    for (;;) {
      const t = this.tokens[this.i];
      const op = t && (t.kind === 'op' || t.kind === 'name') ? spec.ops[t.text] : undefined;
      if (!op) return left;
      this.i++;
      const right = this.binary(level + 1);
      left = { kind: 'binary', op, left, right, from: left.from, to: right.to };
    }
  }

  private unary(): Node {
    const t = this.tokens[this.i];
    const op =
      t?.kind === 'op' && (t.text === '-' || t.text === '!')
        ? t.text
        : t?.kind === 'name' && (t.text === 'not' || t.text === 'empty')
          ? t.text
          : undefined;
    if (!t || !op) return this.postfix();
    this.i++;
    if (++this.depth > MAX_NESTING)
      throw new Refusal(
        `${quote(this.source.slice(this.start, this.end))} is nested more than ${MAX_NESTING} levels deep: split it with a script task`,
      );
    const arg = this.unary();
    this.depth--;
    return { kind: 'unary', op: op === '!' ? 'not' : (op as '-' | 'not' | 'empty'), arg, from: t.from, to: arg.to };
  }

  private postfix(): Node {
    let node = this.primary();
    for (;;) {
      if (this.isOp('.')) {
        this.i++;
        const name = this.tokens[this.i++];
        if (name?.kind !== 'name' || EL_RESERVED.has(name.text)) throw this.syntax(name, 'a property name after "."');
        node = { kind: 'member', object: node, property: name.text, from: node.from, to: name.to };
      } else if (this.isOp('[')) {
        this.i++;
        const index = this.choice();
        const close = this.expectOp(']');
        node = { kind: 'index', object: node, index, from: node.from, to: close.to };
      } else if (this.isOp('(')) {
        node = this.call(node, node.from);
      } else {
        return node;
      }
    }
  }

  private call(callee: Node | string, from: number): Node {
    this.i++;
    const args: Node[] = [];
    if (!this.isOp(')')) {
      args.push(this.choice());
      while (this.isOp(',')) {
        this.i++;
        args.push(this.choice());
      }
    }
    const close = this.expectOp(')');
    return { kind: 'call', callee, args, from, to: close.to };
  }

  private primary(): Node {
    const t = this.tokens[this.i++];
    if (!t) throw this.syntax(t, 'a value');
    if (t.kind === 'number') return { kind: 'number', text: t.text, from: t.from, to: t.to };
    if (t.kind === 'string') return { kind: 'string', value: t.value, from: t.from, to: t.to };
    if (t.kind === 'op' && t.text === '(') {
      this.depth++;
      const inner = this.choice();
      this.depth--;
      this.expectOp(')');
      return inner;
    }
    if (t.kind === 'op' && t.text === '[')
      throw new Refusal(
        `${quote(this.source.slice(this.start, this.end))} builds a list literal (EL 3.0): write the FEEL list [..] directly`,
      );
    if (t.kind !== 'name') throw this.syntax(t, 'a value');
    if (t.text === 'true' || t.text === 'false' || t.text === 'null')
      return { kind: 'literal', text: t.text, from: t.from, to: t.to };
    if (EL_RESERVED.has(t.text)) throw this.syntax(t, 'a value');
    // `prefix:name(...)` is an EL function from a namespace (fn:, variables:, ...).
    const colon = this.tokens[this.i];
    const fn = this.tokens[this.i + 1];
    if (colon?.kind === 'op' && colon.text === ':' && fn?.kind === 'name' && this.isOp('(', 2)) {
      this.i += 2;
      return this.call(`${t.text}:${fn.text}`, t.from);
    }
    return { kind: 'name', name: t.text, from: t.from, to: t.to };
  }

  private isOp(text: string, ahead = 0): boolean {
    const t = this.tokens[this.i + ahead];
    return t?.kind === 'op' && t.text === text;
  }

  private expectOp(text: string): Token {
    const t = this.tokens[this.i];
    if (t?.kind !== 'op' || t.text !== text) throw this.syntax(t, `"${text}"`);
    this.i++;
    return t;
  }

  private syntax(t: Token | undefined, expected: string): Refusal {
    const where = t ? `character ${t.from + 1}` : `the end of the expression`;
    const found = t ? `, found ${quote(this.source.slice(t.from, t.to))}` : '';
    if (t?.kind === 'name' && t.text === 'instanceof')
      return new Refusal(
        `"instanceof" in ${quote(this.source.slice(this.start, this.end))} tests Java classes, which Trellis does not have: use FEEL "instance of" (e.g. x instance of string)`,
      );
    return new Refusal(`JUEL syntax error at ${where} of ${quote(this.source)}: expected ${expected}${found}`);
  }
}

// ---------------------------------------------------------------------------------------------
// FEEL rendering

/** FEEL precedence, loosest first; an operand looser than its slot is parenthesised. */
const PREC = { choice: 0, or: 1, and: 2, compare: 3, add: 4, multiply: 5, negate: 6, atom: 7 } as const;
type Out = { text: string; prec: number; negation?: true };

/** Objects Camunda and Flowable put in scope beside the variables; Trellis has none of them. */
const ENGINE_OBJECTS = new Set([
  'execution',
  'task',
  'externalTask',
  'delegateTask',
  'caseExecution',
  'caseInstance',
  'planItemInstance',
  'processInstance',
  'variableContainer',
  'variableScope',
  'authenticatedUserId',
  'processEngine',
  'processEngineServices',
  'processEngineConfiguration',
  // bpmn-engine / bpmn-elements (Node): the environment holding variables and services
  'environment',
]);
/** Words FEEL's grammar claims: as variable names they do not parse (the EL reserved words never reach here). */
const FEEL_KEYWORDS = new Set([
  'if',
  'then',
  'else',
  'for',
  'in',
  'return',
  'some',
  'every',
  'satisfies',
  'instance',
  'between',
  'function',
  'external',
  'and',
  'or',
  'true',
  'false',
  'null',
]);
const FEEL_NAME = /^[\p{L}_][\p{L}\p{M}\p{N}_]*$/u;
const MULTI_INSTANCE_COUNTER = 'loopCounter';

class Emitter {
  constructor(private readonly source: string) {}

  emit(node: Node): Out {
    switch (node.kind) {
      case 'number':
        return { text: feelNumber(node.text, this.source), prec: PREC.atom };
      case 'string':
        return { text: feelString(node.value), prec: PREC.atom };
      case 'literal':
        return { text: node.text, prec: PREC.atom };
      case 'name':
        return this.name(node);
      case 'member':
      case 'index':
        return this.path(node);
      case 'call':
        throw new Refusal(this.callReason(node));
      case 'unary':
        return this.unary(node.op, node.arg);
      case 'binary':
        return this.binary(node.op, node.left, node.right);
      case 'choice': {
        // EL coerces the test to a boolean (null → false); FEEL's `if` takes the else branch for
        // anything but true, which agrees for booleans and null.
        const test = this.operand(node.test, PREC.or);
        const then = this.operand(node.then, PREC.or);
        return { text: `if ${test} then ${then} else ${this.emit(node.else).text}`, prec: PREC.choice };
      }
    }
  }

  private name(node: Extract<Node, { kind: 'name' }>): Out {
    const n = node.name;
    if (ENGINE_OBJECTS.has(n)) throw new Refusal(this.engineObjectReason(node, n));
    if (n.includes('$'))
      throw new Refusal(
        `variable "${n}" contains "$", which FEEL names cannot: rename the variable (e.g. "${n.replaceAll('$', '_')}") in the process`,
      );
    if (FEEL_KEYWORDS.has(n))
      throw new Refusal(
        `variable "${n}" is a reserved word in FEEL, so a Trellis expression cannot read it: rename the variable (e.g. "${n}Value") in the process`,
      );
    // Camunda counts multi-instance runs from 0, Trellis from 1.
    if (n === MULTI_INSTANCE_COUNTER) return { text: `${n} - 1`, prec: PREC.add };
    return { text: n, prec: PREC.atom };
  }

  private path(node: Extract<Node, { kind: 'member' | 'index' }>): Out {
    const root = rootOf(node);
    if (root.kind === 'name' && ENGINE_OBJECTS.has(root.name))
      throw new Refusal(this.engineObjectReason(node, root.name));
    if (
      root.kind === 'name' &&
      root.name === ACTIVITY_CONTENT &&
      ACTIVITY_CONTENT_PARTS.has(firstProperty(node) ?? '')
    ) {
      throw new Refusal(
        `${quote(this.span(node))} reads bpmn-engine's activity content ("content.${firstProperty(node)!}"), which Trellis expressions cannot see: a user task's submission and a job's result are variables in Trellis; read those`,
      );
    }
    const object = this.emit(node.object);
    const base = object.prec < PREC.atom || node.object.kind === 'number' ? `(${object.text})` : object.text;
    if (node.kind === 'member') return this.property(node, base, node.property);
    const index = node.index;
    if (index.kind === 'string') return this.property(node, base, index.value);
    if (index.kind === 'number') {
      if (!/^\d+$/.test(index.text) || index.text.length > 9)
        throw new Refusal(
          `index ${quote(this.span(node))} is not a whole number: EL truncates it, FEEL would not; write a whole number`,
        );
      // EL lists count from 0, FEEL lists from 1.
      return { text: `${base}[${Number(index.text) + 1}]`, prec: PREC.atom };
    }
    if (index.kind === 'unary' && index.op === '-' && index.arg.kind === 'number') {
      throw new Refusal(
        `index ${quote(this.span(node))} is negative: EL gives null for it, while FEEL counts from the end; remove it or write null`,
      );
    }
    if (index.kind === 'name' && index.name === MULTI_INSTANCE_COUNTER) {
      // Camunda's 0-based loopCounter + 1 is Trellis' 1-based loopCounter.
      return { text: `${base}[${MULTI_INSTANCE_COUNTER}]`, prec: PREC.atom };
    }
    const key = this.span(index);
    throw new Refusal(
      `index ${quote(this.span(node))} by a computed value cannot be translated: EL reads lists from 0 and maps by key, FEEL lists from 1; write ${object.text}[${key} + 1] for a list or get value(${object.text}, ${key}) for a map in FEEL`,
    );
  }

  /**
   * `a.k` where `k` is a FEEL name. Other keys would need `get value(a, "k")`, but Trellis hands
   * feelin null-prototype copies of its data, which feelin's context functions do not take for
   * contexts: the lookup would give a silent null, so it is refused instead.
   */
  private property(node: Node, base: string, key: string): Out {
    if (FEEL_NAME.test(key) && !FEEL_KEYWORDS.has(key)) return { text: `${base}.${key}`, prec: PREC.atom };
    const why = FEEL_NAME.test(key) ? 'is a reserved word in FEEL' : 'is not a FEEL name';
    throw new Refusal(
      `the key "${key}" in ${quote(this.span(node))} ${why}, so a Trellis expression cannot read it: rename the field to a plain name (letters, digits, _)`,
    );
  }

  private unary(op: '-' | 'not' | 'empty', arg: Node): Out {
    if (op === 'not') return { text: `not(${this.emit(arg).text})`, prec: PREC.atom };
    if (op === '-') {
      const inner = this.emit(arg);
      if (arg.kind === 'number') return { text: `-${inner.text}`, prec: PREC.negate };
      return {
        text: `-${inner.prec < PREC.atom || inner.negation ? `(${inner.text})` : inner.text}`,
        prec: PREC.negate,
        negation: true,
      };
    }
    // EL `empty`: null, "", an empty list or an empty map. Test the type first: FEEL compares
    // values of different types to null, and a one-item list to its item.
    const x = this.operand(arg, PREC.atom);
    return {
      text: `if ${x} instance of list then count(${x}) = 0 else if ${x} instance of string then ${x} = "" else if ${x} instance of context then ${x} = {} else ${x} = null`,
      prec: PREC.choice,
    };
  }

  private binary(op: BinaryOp, left: Node, right: Node): Out {
    if (op === 'mod') return { text: `modulo(${this.emit(left).text}, ${this.emit(right).text})`, prec: PREC.atom };
    if (op === 'or')
      return { text: `${this.operand(left, PREC.or, true)} or ${this.operand(right, PREC.and + 1)}`, prec: PREC.or };
    if (op === 'and')
      return { text: `${this.operand(left, PREC.and)} and ${this.operand(right, PREC.and + 1)}`, prec: PREC.and };
    if (op === '+' || op === '-')
      return { text: `${this.operand(left, PREC.add)} ${op} ${this.operand(right, PREC.multiply)}`, prec: PREC.add };
    if (op === '*' || op === '/')
      return {
        text: `${this.operand(left, PREC.multiply)} ${op} ${this.operand(right, PREC.negate)}`,
        prec: PREC.multiply,
      };
    // FEEL comparisons do not chain: `a < b == c` in EL is `(a < b) = c`.
    return { text: `${this.operand(left, PREC.add)} ${op} ${this.operand(right, PREC.add)}`, prec: PREC.compare };
  }

  /**
   * An operand in a slot of precedence `min`. For the reader, a negated name or path is
   * bracketed, and so is an `and` inside an `or` (`a or (b and c)`) though FEEL would not need it.
   */
  private operand(node: Node, min: number, orChain = false): string {
    const out = this.emit(node);
    const clear = orChain && out.prec === PREC.and;
    return out.prec < min || out.negation || clear ? `(${out.text})` : out.text;
  }

  private callReason(node: Extract<Node, { kind: 'call' }>): string {
    const callee = typeof node.callee === 'string' ? node.callee : this.span(node.callee);
    const shown = quote(`${callee}(...)`);
    const variable =
      node.args[0]?.kind === 'string'
        ? node.args[0].value
        : node.args[0]?.kind === 'name'
          ? node.args[0].name
          : undefined;
    const reads =
      typeof node.callee === 'string'
        ? /^(variables|vars|var):get$/.test(node.callee)
        : node.callee.kind === 'member' && /^getVariable(Local|Typed)?$/.test(node.callee.property);
    if (reads && variable !== undefined && node.args.length === 1) {
      return `${typeof node.callee === 'string' ? 'function' : 'method'} call ${shown} cannot run in Trellis: read the variable directly (${variable}) or compute it in a script task with FEEL`;
    }
    if (typeof node.callee !== 'string' && node.callee.kind !== 'name') {
      return `method call ${shown} cannot run in Trellis: Java objects and beans are not available to expressions; compute the value in a script task with FEEL (or a service task) and read the variable it sets`;
    }
    return `function call ${shown} cannot run in Trellis: EL functions are not available; use a FEEL built-in function, or compute the value in a script task with FEEL`;
  }

  private engineObjectReason(node: Node, object: string): string {
    const advice =
      object === 'authenticatedUserId'
        ? 'store the user in a process variable when the process starts and read that variable'
        : 'pass what you need as a process variable and read that variable';
    return `${quote(this.span(node))} reads the engine object "${object}", which Trellis expressions cannot see: ${advice}`;
  }

  private span(node: Span): string {
    return this.source.slice(node.from, node.to);
  }
}

/**
 * bpmn-engine / bpmn-elements give an activity's expressions its message as `content`
 * (`${content.output.form.amount}`); a variable named content is still read as one.
 */
const ACTIVITY_CONTENT = 'content';
const ACTIVITY_CONTENT_PARTS = new Set(['output', 'input']);

/** The first property read from the root of a path: `output` in content.output.form. */
function firstProperty(node: Node): string | undefined {
  let n = node;
  let first: string | undefined;
  while (n.kind === 'member' || n.kind === 'index') {
    if (n.kind === 'member') first = n.property;
    else first = n.index.kind === 'string' ? n.index.value : undefined;
    n = n.object;
  }
  return first;
}

function rootOf(node: Node): Node {
  let n = node;
  while (n.kind === 'member' || n.kind === 'index') n = n.object;
  return n;
}

/** An EL number literal as FEEL decimal text: feelin reads `1e3` as 1, so exponents are expanded. */
function feelNumber(raw: string, source: string): string {
  const m = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(raw);
  const exponent = Number(m?.[3] ?? 0);
  if (!m || Math.abs(exponent) > 100)
    throw new Refusal(
      `the number ${quote(raw)} in ${quote(source)} is out of range for Trellis: write it without an exponent`,
    );
  let digits = (m[1] ?? '') + (m[2] ?? '');
  let point = (m[1] ?? '').length + exponent;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  const whole = digits.slice(0, point).replace(/^0+/, '') || '0';
  const fraction = digits.slice(point).replace(/0+$/, '');
  return fraction === '' ? whole : `${whole}.${fraction}`;
}

/** A FEEL string literal for `value`. */
function feelString(value: string): string {
  const escaped = value.replace(/[\\"\u0000-\u001f\u007f]/g, (c) => {
    if (c === '\\') return '\\\\';
    if (c === '"') return '\\"';
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  return `"${escaped}"`;
}

/** `text` in double quotes for a message, collapsed and cut to a readable length. */
function quote(text: string): string {
  const flat = text.replace(/\s+/g, ' ');
  return `"${flat.length > 80 ? `${flat.slice(0, 77)}...` : flat}"`;
}
