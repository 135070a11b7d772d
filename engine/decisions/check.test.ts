import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkUnaryTest, evaluateUnaryTest } from '../expressions/feel';
import { checkDecision } from './check';
import { analyseCoverage } from './coverage';
import { exportDmn, importDmn } from './dmn';
import { evaluateDecision } from './evaluate';
import { decisionSchema, type Decision, type DecisionInput } from './model';

/** Approver by amount and category: a UNIQUE table with one combination left out. */
const approver = (extra: DecisionInput['rules'] = []): DecisionInput => ({
  id: 'approver-by-amount-and-category',
  name: 'Approver by amount and category',
  hitPolicy: 'UNIQUE',
  inputs: [
    { label: 'Amount', expression: 'amount', typeRef: 'number', values: ['>= 0'] },
    {
      label: 'Category',
      expression: 'category',
      typeRef: 'string',
      values: ['"travel"', '"office"', '"it-equipment"'],
    },
  ],
  outputs: [{ name: 'approver', typeRef: 'string' }],
  rules: [
    { inputEntries: ['< 10000000', '-'], outputEntries: ['"accounting"'] },
    { inputEntries: ['[10000000..50000000)', '"travel", "office"'], outputEntries: ['"lan.nguyen@senvang.example"'] },
    { inputEntries: ['>= 50000000', '-'], outputEntries: ['"operations"'] },
    ...extra,
  ],
});

const codes = (table: DecisionInput) => checkDecision(table).problems.map((p) => p.code);

describe('checkDecision', () => {
  it('reports the combination no rule covers under UNIQUE, naming the region by input; gone when a rule covers it', () => {
    const { problems } = checkDecision(approver());
    expect(problems).toEqual([
      expect.objectContaining({
        code: 'gap',
        severity: 'warning',
        region: ['[10000000..50000000)', '"it-equipment"'],
        message: 'No rule matches Amount [10000000..50000000), Category "it-equipment".',
      }),
    ]);
    expect(
      checkDecision(
        approver([
          { inputEntries: ['[10000000..50000000)', '"it-equipment"'], outputEntries: ['"tuan.pham@senvang.example"'] },
        ]),
      ).problems,
    ).toEqual([]);
  });

  it('reports rules that match the same inputs, naming both rows and where', () => {
    const table = approver([{ inputEntries: ['>= 40000000', '"it-equipment"'], outputEntries: ['"it"'] }]);
    const problems = checkDecision(table).problems;
    const overlap = problems.find((p) => p.code === 'overlap')!;
    expect(overlap).toMatchObject({ severity: 'error', rules: [3, 4], region: ['>= 50000000', '"it-equipment"'] });
    expect(overlap.message).toBe(
      'Rules 3 and 4 both match Amount >= 50000000, Category "it-equipment"; under the UNIQUE hit policy only one may.',
    );
    // the part of the gap rule 4 now covers is gone; what is left of it is still reported
    expect(problems.find((p) => p.code === 'gap')?.region).toEqual(['[10000000..40000000)', '"it-equipment"']);
    // the same rules under FIRST: no overlap to report, and no gap analysis
    expect(codes({ ...table, hitPolicy: 'FIRST' })).toEqual([]);
    // under ANY, overlapping rules that give the same output are allowed; different outputs are not
    expect(codes({ ...table, hitPolicy: 'ANY' })).toContain('overlap');
    expect(
      codes({
        ...approver([{ inputEntries: ['>= 40000000', '"it-equipment"'], outputEntries: ['"operations"'] }]),
        hitPolicy: 'ANY',
      }),
    ).not.toContain('overlap');
  });

  it('the regions it reports are unary tests the engine runs, and the values in them match what it says', () => {
    const { problems } = checkDecision(
      approver([{ inputEntries: ['>= 40000000', '"it-equipment"'], outputEntries: ['"it"'] }]),
    );
    for (const p of problems) for (const test of p.region ?? []) expect(checkUnaryTest(test)).toBeNull();
    // a value inside the gap matches no rule; inside the overlap, rules 3 and 4 both match
    const table = decisionSchema.parse(
      approver([{ inputEntries: ['>= 40000000', '"it-equipment"'], outputEntries: ['"it"'] }]),
    );
    expect(
      evaluateDecision(new Map([[table.id, table]]), table.id, { amount: 20_000_000, category: 'it-equipment' }),
    ).toEqual({ ok: true, outputs: [] });
    expect(
      evaluateDecision(new Map([[table.id, table]]), table.id, { amount: 60_000_000, category: 'it-equipment' }),
    ).toMatchObject({ ok: false, message: expect.stringContaining('rules 3, 4 all match') });
  });

  it('checks every cell with the engine’s FEEL profile and names the row and column', () => {
    const table = approver();
    table.rules[0]!.inputEntries[0] = '< 10000000 ]';
    table.rules[1]!.outputEntries[0] = '"lan.nguyen@senvang.example';
    table.inputs[1]!.expression = 'category +';
    const problems = checkDecision(table).problems;
    expect(problems.map((p) => [p.code, p.rule, p.input, p.output])).toEqual([
      ['inputExpression', undefined, 2, undefined],
      ['inputEntry', 1, 1, undefined],
      ['outputEntry', 2, undefined, 1],
    ]);
    expect(problems[1]!.message).toMatch(/^Rule 1, input 1 \(< 10000000 \]\): FEEL syntax error/);
    // with errors in the cells, overlaps and gaps are not looked for
    expect(problems.some((p) => p.code === 'gap')).toBe(false);
  });

  it('refuses an entry of another type than its column, a name used twice, an aggregation without COLLECT', () => {
    const table = approver();
    table.rules[0]!.inputEntries[0] = '"ten million"';
    table.rules[2]!.inputEntries[1] = '42';
    table.outputs.push({ name: 'approver' });
    for (const rule of table.rules) rule.outputEntries.push('"x"');
    table.aggregation = 'SUM';
    expect(checkDecision(table).problems.map((p) => [p.code, p.rule ?? null, p.input ?? p.output ?? null])).toEqual([
      ['outputNameTwice', null, 2],
      ['aggregationNeedsCollect', null, null],
      ['entryType', 1, 1],
      ['entryType', 3, 2],
    ]);
  });

  it('says when it cannot analyse a table (an entry reads a variable) rather than guessing', () => {
    const table = approver();
    table.rules[0]!.inputEntries[0] = '< limit';
    expect(checkDecision(table).problems).toEqual([
      expect.objectContaining({
        code: 'notAnalysed',
        severity: 'warning',
        message: expect.stringContaining('rule 1, input 1 (< limit)'),
      }),
    ]);
  });

  it('reads dates, negations, booleans and lists', () => {
    const base = { id: 'd', hitPolicy: 'UNIQUE' as const, outputs: [{ name: 'out' }] };
    expect(
      codes({
        ...base,
        inputs: [{ expression: 'day' }],
        rules: [
          { inputEntries: ['< date("2026-01-01")'], outputEntries: ['1'] },
          { inputEntries: ['>= date("2026-01-01")'], outputEntries: ['2'] },
        ],
      }),
    ).toEqual([]);
    expect(
      checkDecision({
        ...base,
        inputs: [{ expression: 'day' }],
        rules: [
          { inputEntries: ['<= date("2026-01-01")'], outputEntries: ['1'] },
          { inputEntries: ['>= date("2026-01-01")'], outputEntries: ['2'] },
        ],
      }).problems,
    ).toEqual([expect.objectContaining({ code: 'overlap', region: ['date("2026-01-01")'] })]);
    expect(
      codes({
        ...base,
        inputs: [{ expression: 'c' }],
        rules: [
          { inputEntries: ['"a"'], outputEntries: ['1'] },
          { inputEntries: ['not("a")'], outputEntries: ['2'] },
        ],
      }),
    ).toEqual([]);
    expect(
      checkDecision({
        ...base,
        inputs: [{ expression: 'c' }],
        rules: [{ inputEntries: ['"a", "b"'], outputEntries: ['1'] }],
      }).problems,
    ).toEqual([expect.objectContaining({ code: 'gap', region: ['not("a", "b")'] })]);
    expect(
      checkDecision({
        ...base,
        inputs: [{ expression: 'ok' }],
        rules: [{ inputEntries: ['true'], outputEntries: ['1'] }],
      }).problems,
    ).toEqual([expect.objectContaining({ code: 'gap', region: ['false'] })]);
    expect(
      checkDecision({
        ...base,
        inputs: [{ expression: 'n' }],
        rules: [
          { inputEntries: ['[1..5], 7'], outputEntries: ['1'] },
          { inputEntries: ['< 1, > 7'], outputEntries: ['2'] },
        ],
      }).problems,
    ).toEqual([expect.objectContaining({ code: 'gap', region: ['(5..7)'] })]);
  });

  it('agrees with evaluating the table on every value, for random tables of two numeric inputs', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const entry = () => {
      const a = random(5);
      const b = a + 1 + random(3);
      return ['-', `< ${a}`, `<= ${a}`, `> ${a}`, `>= ${a}`, `${a}`, `[${a}..${b}]`, `(${a}..${b})`, `[${a}..${b})`][
        random(9)
      ]!;
    };
    const samples = [-1, 0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8];
    // The engine's own evaluation of each entry on each value (entries recur: asked once each).
    const cache = new Map<string, boolean>();
    for (let t = 0; t < 300; t++) {
      const rules = Array.from({ length: 1 + random(4) }, () => ({
        inputEntries: [entry(), entry()],
        outputEntries: ['1'],
      }));
      const table: Decision = decisionSchema.parse({
        id: 't',
        hitPolicy: 'UNIQUE',
        inputs: [{ expression: 'x' }, { expression: 'y' }],
        outputs: [{ name: 'o' }],
        rules,
      });
      const coverage = analyseCoverage(table);
      const matches = (test: string, value: number) => {
        const key = `${test}|${value}`;
        let hit = cache.get(key);
        if (hit === undefined) cache.set(key, (hit = evaluateUnaryTest(test, value, {}).matches));
        return hit;
      };
      let gap = false;
      const pairs = new Set<string>();
      for (const x of samples)
        for (const y of samples) {
          const matching = rules.flatMap((r, i) =>
            matches(r.inputEntries[0]!, x) && matches(r.inputEntries[1]!, y) ? [i + 1] : [],
          );
          if (matching.length === 0) gap = true;
          for (let a = 0; a < matching.length; a++)
            for (let b = a + 1; b < matching.length; b++) pairs.add(`${matching[a]}-${matching[b]}`);
        }
      const label = JSON.stringify(rules.map((r) => r.inputEntries));
      expect(coverage.gaps.length > 0, label).toBe(gap);
      expect(new Set(coverage.overlaps.map((o) => o.rules.join('-'))), label).toEqual(pairs);
      // every gap region holds a value no rule matches
      for (const g of coverage.gaps) {
        const x = samples.find((v) => g.region[0] === '-' || matches(g.region[0]!, v))!;
        const y = samples.find((v) => g.region[1] === '-' || matches(g.region[1]!, v))!;
        expect(
          rules.some((r) => matches(r.inputEntries[0]!, x) && matches(r.inputEntries[1]!, y)),
          `${label} gap ${g.region}`,
        ).toBe(false);
      }
    }
  });

  it('stops a table too large to walk at its budget and says so, quickly', () => {
    const inputs = Array.from({ length: 8 }, (_, i) => ({ expression: `x${i}` }));
    const rules = Array.from({ length: 3_000 }, (_, r) => ({
      inputEntries: inputs.map((_, i) => `[${r * 10 + i}..${r * 10 + i + 5}]`),
      outputEntries: ['1'],
    }));
    const started = performance.now();
    const coverage = analyseCoverage(decisionSchema.parse({ id: 'big', inputs, outputs: [{ name: 'o' }], rules }));
    expect(coverage.skipped).toMatch(/more combinations of inputs than the check walks|more than 50 gaps/);
    expect(performance.now() - started).toBeLessThan(20_000);
  });
});

describe('DMN export', () => {
  const withoutIds = (d: Decision) => ({
    ...d,
    inputs: d.inputs.map(({ id: _, ...i }) => i),
    outputs: d.outputs.map(({ id: _, ...o }) => o),
    rules: d.rules.map(({ id: _, ...r }) => r),
  });

  it('writes a table that the importer reads back the same: types, allowed values, annotations, hit policy', async () => {
    const table = decisionSchema.parse({
      ...approver(),
      rules: approver().rules.map((r, i) => ({ ...r, description: `Quy tắc ${i + 1}: ghi chú` })),
    });
    const xml = await exportDmn([table]);
    expect(xml).toContain('<dmn:decision id="approver-by-amount-and-category" name="Approver by amount and category">');
    const [back] = await importDmn(xml);
    expect(withoutIds(back!)).toEqual(withoutIds(table));
  });

  it('round-trips the Camunda invoice decisions, requirements included', async () => {
    const dir = path.join(__dirname, 'fixtures', 'camunda7-invoice');
    const { readdirSync } = await import('node:fs');
    const file = readdirSync(dir).find((f) => f.endsWith('.dmn'))!;
    const decisions = await importDmn(readFileSync(path.join(dir, file), 'utf8'));
    const again = await importDmn(await exportDmn(decisions));
    expect(again.map(withoutIds)).toEqual(decisions.map(withoutIds));
    expect(again.find((d) => d.requires.length > 0)?.requires.length).toBeGreaterThan(0);
  });
});
