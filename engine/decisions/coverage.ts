/**
 * Which inputs no rule of a decision table matches (gaps), and which rules match the same inputs
 * (overlaps): what a UNIQUE hit policy forbids and a designer wants to see before the table runs.
 *
 * Each input's entries are read as sets of values when they are literal unary tests — numbers and
 * dates with comparisons and ranges (`< 10000000`, `[1..5)`, `>= date("2026-01-01")`), texts
 * (`"travel", "office"`, `not("travel")`), booleans, `-` — and the input's domain is cut at every
 * boundary the entries name (and narrowed to its allowed values, DMN inputValues, when given):
 * within one piece every rule either matches every value or none. The table's space is then walked
 * input by input, keeping the rules that match each piece, merging pieces where the same rules
 * match (so a gap is reported once as a range, not once per piece): a region no rule matches is a
 * gap, one two rules match is an overlap (named once per pair of rules). The walk has a budget;
 * a table beyond it, or with an entry that is not a literal test (a variable, a function call), is
 * reported as not analysed, never a hang.
 */
import type { Decision } from './model';
import { splitTopLevel, stripNot } from './unary';

export interface Coverage {
  /** Regions no rule matches: one unary test per input (`-` for any value). */
  gaps: { region: string[] }[];
  /** Rules (1-based) matching the same region, with one region where they do. */
  overlaps: { rules: number[]; region: string[] }[];
  /** Why the table was not (or not wholly) analysed. */
  skipped?: string;
}

/** Steps (a rule tested against a piece of an input's domain) the analysis takes before it gives up. */
export const COVERAGE_BUDGET = 2_000_000;
/** Gaps and overlaps reported at most (a table with more is reported as having at least that many). */
const MAX_REPORTED = 50;

type Interval = { lo: number; loClosed: boolean; hi: number; hiClosed: boolean };
/** What one entry matches, over one input's domain. */
type ValueSet =
  | { kind: 'any' }
  | { kind: 'number' | 'date'; intervals: Interval[]; negated: boolean }
  | { kind: 'string'; values: string[]; negated: boolean }
  | { kind: 'boolean'; values: boolean[]; negated: boolean };

/** A piece of one input's domain: a point or an open interval of numbers; one text, or "other"; a boolean. */
type Piece =
  | { kind: 'point'; value: number }
  | { kind: 'open'; lo: number; hi: number }
  | { kind: 'text'; value: string | null }
  | { kind: 'bool'; value: boolean };

interface Axis {
  kind: 'number' | 'date' | 'string' | 'boolean' | 'any';
  pieces: Piece[];
}

export function analyseCoverage(decision: Decision): Coverage {
  const n = decision.inputs.length;
  const gaps: Coverage['gaps'] = [];
  const overlaps: Coverage['overlaps'] = [];
  if (decision.rules.length === 0)
    return { gaps: n === 0 ? [{ region: [] }] : [{ region: decision.inputs.map(() => '-') }], overlaps };
  // Every entry as a set of values; one that is not a literal test stops the analysis.
  const sets: ValueSet[][] = [];
  for (const [r, rule] of decision.rules.entries()) {
    const row: ValueSet[] = [];
    for (const [i, entry] of rule.inputEntries.entries()) {
      const set = readEntry(entry);
      if (!set)
        return {
          gaps,
          overlaps,
          skipped: `rule ${r + 1}, input ${i + 1} (${entry}) is not a literal test the check can read.`,
        };
      row.push(set);
    }
    sets.push(row);
  }
  const axes: Axis[] = [];
  for (let i = 0; i < n; i++) {
    const allowed = (decision.inputs[i]!.values ?? []).map(readEntry);
    const axis = axisOf(
      sets.map((row) => row[i]!),
      allowed.every((a) => a !== null) && allowed.length > 0 ? (allowed as ValueSet[]) : null,
    );
    if (!axis) return { gaps, overlaps, skipped: `input ${i + 1} mixes entries of different types.` };
    axes.push(axis);
  }
  const seenOverlaps = new Set<string>();
  let visited = 0;
  let truncated = false;
  const region: string[] = new Array(n).fill('-');

  const walk = (dim: number, rules: number[]): boolean => {
    if (dim === n) {
      if (rules.length > 1) {
        // Each pair once: rules 2, 3 and 5 matching the same region are three overlaps of two.
        for (let a = 0; a < rules.length; a++)
          for (let b = a + 1; b < rules.length; b++) {
            const key = `${rules[a]}-${rules[b]}`;
            if (seenOverlaps.has(key)) continue;
            seenOverlaps.add(key);
            if (overlaps.length >= MAX_REPORTED) truncated = true;
            else overlaps.push({ rules: [rules[a]! + 1, rules[b]! + 1], region: [...region] });
          }
      }
      return true;
    }
    const axis = axes[dim]!;
    // Pieces grouped by the rules matching them: each group is one region of this input.
    const groups = new Map<string, { rules: number[]; pieces: Piece[] }>();
    for (const piece of axis.pieces) {
      visited += rules.length + 1;
      if (visited > COVERAGE_BUDGET) return false;
      const matching = rules.filter((r) => covers(sets[r]![dim]!, piece));
      const key = matching.join(',');
      const group = groups.get(key);
      if (group) group.pieces.push(piece);
      else groups.set(key, { rules: matching, pieces: [piece] });
    }
    for (const group of groups.values()) {
      region[dim] = describePieces(axis, group.pieces);
      if (group.rules.length === 0) {
        // Nothing matches here, whatever the later inputs are.
        for (let d = dim + 1; d < n; d++) region[d] = '-';
        if (gaps.length >= MAX_REPORTED) truncated = true;
        else gaps.push({ region: [...region] });
        continue;
      }
      if (!walk(dim + 1, group.rules)) return false;
    }
    region[dim] = '-';
    return true;
  };
  const finished = walk(
    0,
    decision.rules.map((_, r) => r),
  );
  if (!finished)
    return {
      gaps,
      overlaps,
      skipped: `the table has more combinations of inputs than the check walks (${COVERAGE_BUDGET.toLocaleString('en')}).`,
    };
  return truncated
    ? { gaps, overlaps, skipped: `more than ${MAX_REPORTED} gaps or overlaps; the first are listed.` }
    : { gaps, overlaps };
}

/** An input's pieces: its domain cut at every boundary its entries (and allowed values) name. */
function axisOf(sets: ValueSet[], allowed: ValueSet[] | null): Axis | null {
  const kinds = new Set([...sets, ...(allowed ?? [])].filter((s) => s.kind !== 'any').map((s) => s.kind));
  if (kinds.size > 1) return null;
  const kind = ([...kinds][0] ?? 'any') as Axis['kind'];
  let pieces: Piece[];
  if (kind === 'any') pieces = [{ kind: 'text', value: null }];
  else if (kind === 'boolean')
    pieces = [
      { kind: 'bool', value: true },
      { kind: 'bool', value: false },
    ];
  else if (kind === 'string') {
    const values = new Set<string>();
    for (const s of [...sets, ...(allowed ?? [])]) if (s.kind === 'string') for (const v of s.values) values.add(v);
    pieces = [...[...values].sort().map((value): Piece => ({ kind: 'text', value })), { kind: 'text', value: null }];
  } else {
    const points = new Set<number>();
    for (const s of [...sets, ...(allowed ?? [])])
      if (s.kind === 'number' || s.kind === 'date')
        for (const iv of s.intervals) for (const p of [iv.lo, iv.hi]) if (Number.isFinite(p)) points.add(p);
    const sorted = [...points].sort((a, b) => a - b);
    pieces = [];
    let previous = -Infinity;
    for (const p of sorted) {
      pieces.push({ kind: 'open', lo: previous, hi: p }, { kind: 'point', value: p });
      previous = p;
    }
    pieces.push({ kind: 'open', lo: previous, hi: Infinity });
  }
  if (allowed) pieces = pieces.filter((piece) => allowed.some((a) => covers(a, piece)));
  return { kind, pieces };
}

function covers(set: ValueSet, piece: Piece): boolean {
  if (set.kind === 'any') return true;
  let inside: boolean;
  if (set.kind === 'string') inside = piece.kind === 'text' && piece.value !== null && set.values.includes(piece.value);
  else if (set.kind === 'boolean') inside = piece.kind === 'bool' && set.values.includes(piece.value);
  else if (piece.kind === 'point')
    inside = set.intervals.some(
      (iv) =>
        (iv.lo < piece.value || (iv.loClosed && iv.lo === piece.value)) &&
        (piece.value < iv.hi || (iv.hiClosed && iv.hi === piece.value)),
    );
  else if (piece.kind === 'open') inside = set.intervals.some((iv) => iv.lo <= piece.lo && piece.hi <= iv.hi);
  else inside = false;
  return set.negated ? !inside : inside;
}

/** Reads one entry as a set of values, or null when it is not a literal test this check reads. */
export function readEntry(entry: string): ValueSet | null {
  const text = entry.trim();
  if (text === '' || text === '-') return { kind: 'any' };
  const negated = /^not\s*\(/.test(text);
  const items = splitTopLevel(stripNot(text));
  if (items.length === 0) return null;
  const read = items.map(readItem);
  if (read.some((r) => r === null)) return null;
  const kinds = new Set(read.map((r) => r!.kind));
  if (kinds.size !== 1) return null;
  const kind = [...kinds][0]!;
  if (kind === 'string') return { kind, values: read.map((r) => (r as { value: string }).value), negated };
  if (kind === 'boolean') return { kind, values: read.map((r) => (r as { value: boolean }).value), negated };
  return { kind, intervals: read.map((r) => (r as { interval: Interval }).interval), negated };
}

type Item =
  | { kind: 'string'; value: string }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'number' | 'date'; interval: Interval };

function readItem(item: string): Item | null {
  const text = item.trim();
  if (/^"(?:[^"\\]|\\.)*"$/.test(text)) return { kind: 'string', value: JSON.parse(text) as string };
  if (text === 'true' || text === 'false') return { kind: 'boolean', value: text === 'true' };
  const comparison = /^(<=|>=|<|>|=)?\s*(.+)$/.exec(text)!;
  const op = comparison[1];
  const range = /^([[\]()])\s*(.+?)\s*\.\.\s*(.+?)\s*([[\]()])$/.exec(text);
  if (range && !op) {
    const lo = scalar(range[2]!);
    const hi = scalar(range[3]!);
    if (!lo || !hi || lo.kind !== hi.kind) return null;
    return {
      kind: lo.kind,
      interval: { lo: lo.value, loClosed: range[1] === '[', hi: hi.value, hiClosed: range[4] === ']' },
    };
  }
  const value = scalar(comparison[2]!);
  if (!value) return null;
  const v = value.value;
  const interval: Interval =
    op === '<'
      ? { lo: -Infinity, loClosed: false, hi: v, hiClosed: false }
      : op === '<='
        ? { lo: -Infinity, loClosed: false, hi: v, hiClosed: true }
        : op === '>'
          ? { lo: v, loClosed: false, hi: Infinity, hiClosed: false }
          : op === '>='
            ? { lo: v, loClosed: true, hi: Infinity, hiClosed: false }
            : { lo: v, loClosed: true, hi: v, hiClosed: true };
  return { kind: value.kind, interval };
}

/** A number, or a date literal as its day number. */
function scalar(text: string): { kind: 'number' | 'date'; value: number } | null {
  const t = text.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return { kind: 'number', value: Number(t) };
  const date = /^date\("(\d{4})-(\d{2})-(\d{2})"\)$/.exec(t);
  if (date) {
    const ms = Date.UTC(Number(date[1]), Number(date[2]) - 1, Number(date[3]));
    return Number.isNaN(ms) ? null : { kind: 'date', value: ms / 86_400_000 };
  }
  return null;
}

/** The pieces of a group as one unary test: a range of numbers where they join up, a list of texts. */
function describePieces(axis: Axis, pieces: Piece[]): string {
  if (axis.kind === 'any') return '-';
  if (axis.kind === 'boolean') return pieces.length === 2 ? '-' : String((pieces[0] as { value: boolean }).value);
  if (axis.kind === 'string') {
    const named = pieces
      .filter((p): p is { kind: 'text'; value: string } => p.kind === 'text' && p.value !== null)
      .map((p) => JSON.stringify(p.value));
    const other = pieces.some((p) => p.kind === 'text' && p.value === null);
    if (!other) return named.join(', ');
    // "Any other text": the values named elsewhere in the column, negated.
    const all = axis.pieces
      .filter((p): p is { kind: 'text'; value: string } => p.kind === 'text' && p.value !== null)
      .map((p) => JSON.stringify(p.value));
    const excluded = all.filter((v) => !named.includes(v));
    return excluded.length === 0 ? '-' : `not(${excluded.join(', ')})`;
  }
  // Numbers or dates: consecutive pieces join into ranges.
  const order = axis.pieces;
  const index = (p: Piece) => order.indexOf(p);
  const sorted = [...pieces].sort((a, b) => index(a) - index(b));
  const runs: Piece[][] = [];
  for (const p of sorted) {
    const last = runs[runs.length - 1];
    if (last && index(last[last.length - 1]!) + 1 === index(p)) last.push(p);
    else runs.push([p]);
  }
  if (runs.length === 1 && runs[0]!.length === order.length) return '-';
  const show = (v: number) =>
    axis.kind === 'date' ? `date("${new Date(v * 86_400_000).toISOString().slice(0, 10)}")` : String(v);
  return runs
    .map((run) => {
      const first = run[0]!;
      const last = run[run.length - 1]!;
      const lo = first.kind === 'point' ? first.value : (first as { lo: number }).lo;
      const loClosed = first.kind === 'point';
      const hi = last.kind === 'point' ? last.value : (last as { hi: number }).hi;
      const hiClosed = last.kind === 'point';
      if (lo === hi) return show(lo);
      if (lo === -Infinity) return `${hiClosed ? '<=' : '<'} ${show(hi)}`;
      if (hi === Infinity) return `${loClosed ? '>=' : '>'} ${show(lo)}`;
      return `${loClosed ? '[' : '('}${show(lo)}..${show(hi)}${hiClosed ? ']' : ')'}`;
    })
    .join(', ');
}
