/**
 * What is wrong with a decision table, cell by cell, before it runs: each input entry parsed with
 * the engine's FEEL unary-test profile, each output entry and input expression with its expression
 * profile (checkUnaryTest / checkExpression — the rules the evaluator applies), entries that do not
 * fit their column's type, names that collide; and, under a UNIQUE (or ANY) hit policy, the rules
 * that overlap and the inputs no rule covers (coverage.ts). Pure: the table editor runs it on every
 * keystroke, the server before it publishes.
 *
 * Each problem has a code and its parameters (the editor says it in the page's language) and an
 * English message (the server's refusal, the CLI). Rows and columns are counted from 1.
 */
import { checkExpression, checkUnaryTest } from '../expressions/feel';
import { analyseCoverage, type Coverage } from './coverage';
import { splitTopLevel, stripNot } from './unary';
import { decisionSchema, type DecisionInput, type TypeRef } from './model';

export type DecisionProblemCode =
  | 'schema'
  | 'idInvalid'
  | 'noOutputs'
  | 'inputExpression'
  | 'outputName'
  | 'outputNameTwice'
  | 'entryCount'
  | 'inputEntry'
  | 'outputEntry'
  | 'entryType'
  | 'inputValue'
  | 'overlap'
  | 'gap'
  | 'aggregationNeedsCollect'
  | 'notAnalysed';

export interface DecisionProblem {
  code: DecisionProblemCode;
  severity: 'error' | 'warning';
  /** The cell or column: rule (1-based), input or output (1-based); absent for the table. */
  rule?: number;
  input?: number;
  output?: number;
  /** Rows named by an overlap; the region of a gap or an overlap, one unary test per input. */
  rules?: number[];
  region?: string[];
  /** The region with each input's label (`Amount [1..5), Category "x"`; `-` for any input): words of no language. */
  regionText?: string;
  /** The parser's or the schema's own words. */
  detail?: string;
  message: string;
}

export interface DecisionCheck {
  problems: DecisionProblem[];
  coverage: Coverage | null;
}

/** Most problems listed; a table with more says how many were left out. */
const MAX_PROBLEMS = 200;

export function checkDecision(table: DecisionInput): DecisionCheck {
  const problems: DecisionProblem[] = [];
  const add = (p: DecisionProblem) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
  };
  const inputs = table.inputs ?? [];
  const outputs = table.outputs ?? [];
  const rules = table.rules ?? [];
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,199}$/.test(table.id ?? ''))
    add({
      code: 'idInvalid',
      severity: 'error',
      message: `The decision's id "${table.id ?? ''}" is not valid: start with a letter or _, then letters, digits, _ . or -.`,
    });
  if (outputs.length === 0) add({ code: 'noOutputs', severity: 'error', message: 'The table has no output column.' });

  for (const [i, input] of inputs.entries()) {
    const problem =
      input.expression.trim() === '' ? { message: 'expression is empty' } : checkExpression(input.expression);
    if (problem)
      add({
        code: 'inputExpression',
        severity: 'error',
        input: i + 1,
        detail: problem.message,
        message: `Input ${i + 1} (${input.label || input.expression || '?'}): ${problem.message}.`,
      });
    for (const value of input.values ?? []) {
      const bad = checkUnaryTest(value);
      if (bad)
        add({
          code: 'inputValue',
          severity: 'error',
          input: i + 1,
          detail: bad.message,
          message: `Input ${i + 1}: the allowed value ${value} is not a valid unary test: ${bad.message}.`,
        });
    }
  }
  const names = new Map<string, number>();
  for (const [o, output] of outputs.entries()) {
    if (!/^[A-Za-z_][A-Za-z0-9_]{0,199}$/.test(output.name ?? ''))
      add({
        code: 'outputName',
        severity: 'error',
        output: o + 1,
        message: `Output ${o + 1}: its name "${output.name ?? ''}" must be a variable name (letters, digits, _; not starting with a digit).`,
      });
    else if (names.has(output.name))
      add({
        code: 'outputNameTwice',
        severity: 'error',
        output: o + 1,
        detail: output.name,
        message: `Output ${o + 1} has the name "${output.name}" of output ${names.get(output.name)}; give each output its own name.`,
      });
    else names.set(output.name, o + 1);
  }
  if (table.aggregation && (table.hitPolicy ?? 'UNIQUE') !== 'COLLECT')
    add({
      code: 'aggregationNeedsCollect',
      severity: 'error',
      message: `An aggregation (${table.aggregation}) needs the COLLECT hit policy.`,
    });

  for (const [r, rule] of rules.entries()) {
    if (rule.inputEntries.length !== inputs.length || rule.outputEntries.length !== outputs.length) {
      add({
        code: 'entryCount',
        severity: 'error',
        rule: r + 1,
        message: `Rule ${r + 1} has ${rule.inputEntries.length} input and ${rule.outputEntries.length} output entries; the table has ${inputs.length} inputs and ${outputs.length} outputs.`,
      });
      continue;
    }
    for (const [i, entry] of rule.inputEntries.entries()) {
      const problem = checkUnaryTest(entry);
      if (problem)
        add({
          code: 'inputEntry',
          severity: 'error',
          rule: r + 1,
          input: i + 1,
          detail: problem.message,
          message: `Rule ${r + 1}, input ${i + 1} (${entry}): ${problem.message}.`,
        });
      else {
        const wrong = typeMismatch(entry, inputs[i]!.typeRef, true);
        if (wrong)
          add({
            code: 'entryType',
            severity: 'error',
            rule: r + 1,
            input: i + 1,
            detail: inputs[i]!.typeRef,
            message: `Rule ${r + 1}, input ${i + 1} (${entry}) is not a ${inputs[i]!.typeRef}, the input's type.`,
          });
      }
    }
    for (const [o, entry] of rule.outputEntries.entries()) {
      const problem = entry.trim() === '' ? { message: 'the output is empty' } : checkExpression(entry);
      if (problem)
        add({
          code: 'outputEntry',
          severity: 'error',
          rule: r + 1,
          output: o + 1,
          detail: problem.message,
          message: `Rule ${r + 1}, output ${o + 1} (${entry}): ${problem.message}.`,
        });
      else {
        const wrong = typeMismatch(entry, outputs[o]!.typeRef, false);
        if (wrong)
          add({
            code: 'entryType',
            severity: 'error',
            rule: r + 1,
            output: o + 1,
            detail: outputs[o]!.typeRef,
            message: `Rule ${r + 1}, output ${o + 1} (${entry}) is not a ${outputs[o]!.typeRef}, the output's type.`,
          });
      }
    }
  }

  // Overlaps and gaps mean something only for a table that runs: checked once the cells are right.
  let coverage: Coverage | null = null;
  const policy = table.hitPolicy ?? 'UNIQUE';
  if (!problems.some((p) => p.severity === 'error') && (policy === 'UNIQUE' || policy === 'ANY')) {
    const parsed = decisionSchema.safeParse(table);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      add({
        code: 'schema',
        severity: 'error',
        detail: `${issue.path.join('.')}: ${issue.message}`,
        message: `The table is not valid: ${issue.path.join('.')}: ${issue.message}.`,
      });
    } else {
      coverage = analyseCoverage(parsed.data);
      for (const overlap of coverage.overlaps) {
        // Under ANY, rules that overlap with the same outputs are allowed.
        if (policy === 'ANY' && sameOutputs(parsed.data.rules, overlap.rules)) continue;
        add({
          code: 'overlap',
          severity: 'error',
          rules: overlap.rules,
          region: overlap.region,
          detail: policy,
          regionText: regionText(parsed.data.inputs, overlap.region),
          message: `Rules ${overlap.rules.join(' and ')} both match ${describe(parsed.data.inputs, overlap.region)}; under the ${policy} hit policy only one may.`,
        });
      }
      for (const gap of coverage.gaps)
        add({
          code: 'gap',
          severity: 'warning',
          region: gap.region,
          regionText: regionText(parsed.data.inputs, gap.region),
          message: `No rule matches ${describe(parsed.data.inputs, gap.region)}.`,
        });
      if (coverage.skipped)
        add({
          code: 'notAnalysed',
          severity: 'warning',
          detail: coverage.skipped,
          message: `Overlaps and gaps were not checked: ${coverage.skipped}`,
        });
    }
  }
  return { problems, coverage };
}

/** "Amount < 5, Category "travel"" — each input with the region's test of it (inputs that are "-" left out); "-" for all. */
export function regionText(inputs: { label?: string; expression: string }[], region: string[]): string {
  const parts = region.flatMap((test, i) =>
    test === '-' ? [] : [`${inputs[i]!.label || inputs[i]!.expression} ${test}`],
  );
  return parts.length > 0 ? parts.join(', ') : '-';
}

function describe(inputs: { label?: string; expression: string }[], region: string[]): string {
  const text = regionText(inputs, region);
  return text === '-' ? 'any input' : text;
}

function sameOutputs(rules: { outputEntries: string[] }[], rows: number[]): boolean {
  const first = JSON.stringify(rules[rows[0]! - 1]!.outputEntries.map((e) => e.trim()));
  return rows.every((r) => JSON.stringify(rules[r - 1]!.outputEntries.map((e) => e.trim())) === first);
}

/**
 * Whether a literal entry plainly has another type than its column's: a quoted text in a number
 * column, a number in a text column. Entries that are not plain literals (expressions, ranges of
 * variables) are the evaluator's to judge.
 */
function typeMismatch(entry: string, type: TypeRef | undefined, unary: boolean): boolean {
  if (!type) return false;
  const text = entry.trim();
  if (text === '' || text === '-' || text === 'null') return false;
  const items = unary ? splitTopLevel(stripNot(text)) : [text];
  return items.some((item) => {
    const literal = item.replace(/^(<=|>=|<|>|=|!=)\s*/, '');
    const kind = literalKind(literal);
    if (kind === null) return false;
    if (type === 'date') return kind !== 'date';
    return kind !== type;
  });
}

function literalKind(text: string): TypeRef | null {
  if (/^"(?:[^"\\]|\\.)*"$/.test(text)) return 'string';
  if (/^-?\d+(\.\d+)?$/.test(text)) return 'number';
  if (text === 'true' || text === 'false') return 'boolean';
  if (/^date\("\d{4}-\d{2}-\d{2}"\)$/.test(text)) return 'date';
  if (/^[[\]()]/.test(text)) {
    const m = /^[[\]()]\s*(.+?)\s*\.\.\s*(.+?)\s*[[\]()]$/.exec(text);
    if (!m) return null;
    const a = literalKind(m[1]!);
    return a !== null && a === literalKind(m[2]!) ? a : null;
  }
  return null;
}
