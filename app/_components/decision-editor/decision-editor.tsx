'use client';

/**
 * The decision-table editor: a grid over the engine's own table model (engine/decisions/model.ts),
 * chosen over dmn-js's editor so that the cells are checked as they are typed by the engine's
 * checker (engine/decisions/check.ts — its FEEL profile, its column types, and the overlaps and
 * gaps of a UNIQUE table, naming the rows), Try it runs the engine's evaluator, the page speaks
 * Vietnamese like the rest of Trellis, and nothing is kept in a second model. DMN comes in and goes
 * out through the engine's importer and exporter (.dmn files from Camunda or any DMN modeler).
 *
 * Keyboard: the grid's cells are inputs; ↑ ↓ move between rules, Alt+↑ / Alt+↓ move the rule,
 * Ctrl+Enter adds a rule below, Ctrl+Shift+Delete removes it; every button has a name.
 */
import { useRouter } from 'next/navigation';
import { useDeferredValue, useEffect, useId, useMemo, useRef, useState } from 'react';
import { checkDecision, type DecisionProblem } from '@/engine/decisions/check';
import { exportDmn, importDmn, MAX_DMN_BYTES } from '@/engine/decisions/dmn';
import { tryDecision } from '@/engine/decisions/evaluate';
import {
  decisionSchema,
  hitPolicies,
  typeRefs,
  type DecisionInput,
  type HitPolicy,
  type TypeRef,
} from '@/engine/decisions/model';
import { splitTopLevel } from '@/engine/decisions/unary';
import { formatDateTime } from '../../_i18n/format';
import { translator, type Locale, type MessageKey } from '../../_i18n/messages';
import { decisionProblemText } from '../../_shared/decision-problems';
import { announcePublished } from '../../_shared/published';
import { describeFailure, trpc } from '../trpc';
import { downloadText } from '../download';

type Input = { label: string; expression: string; typeRef?: TypeRef; values?: string[] };
type Output = { name: string; label?: string; typeRef?: TypeRef; values?: string[] };
type Rule = { description?: string; inputEntries: string[]; outputEntries: string[] };
export interface EditedTable {
  id: string;
  name: string;
  hitPolicy: HitPolicy;
  aggregation?: 'SUM' | 'MIN' | 'MAX' | 'COUNT';
  requires: string[];
  inputs: Input[];
  outputs: Output[];
  rules: Rule[];
}

export interface DecisionEditorProps {
  locale: Locale;
  table: EditedTable;
  /** The version opened (null: a new table, its key still editable). */
  baseVersion: number | null;
  publishedAt: string | null;
}

/** A new table: one input, one output, one rule that matches anything. */
export function blankTable(key: string): EditedTable {
  return {
    id: key,
    name: '',
    hitPolicy: 'UNIQUE',
    requires: [],
    inputs: [{ label: '', expression: '' }],
    outputs: [{ name: 'result' }],
    rules: [{ inputEntries: ['-'], outputEntries: [''] }],
  };
}

/** The engine's table (as stored, or read from DMN) as the editor edits it. */
export function editedFrom(d: DecisionInput): EditedTable {
  return {
    id: d.id,
    name: d.name ?? '',
    hitPolicy: d.hitPolicy ?? 'UNIQUE',
    ...(d.aggregation ? { aggregation: d.aggregation } : {}),
    requires: d.requires ?? [],
    inputs: d.inputs.map((i) => ({
      label: i.label ?? '',
      expression: i.expression,
      ...(i.typeRef ? { typeRef: i.typeRef } : {}),
      ...(i.values ? { values: i.values } : {}),
    })),
    outputs: d.outputs.map((o) => ({
      name: o.name,
      ...(o.label ? { label: o.label } : {}),
      ...(o.typeRef ? { typeRef: o.typeRef } : {}),
      ...(o.values ? { values: o.values } : {}),
    })),
    rules: d.rules.map((r) => ({
      ...(r.description ? { description: r.description } : {}),
      inputEntries: [...r.inputEntries],
      outputEntries: [...r.outputEntries],
    })),
  };
}

/** What the editor publishes: empty labels, names and annotations left out. */
function toDecision(table: EditedTable): DecisionInput {
  return {
    id: table.id,
    ...(table.name.trim() ? { name: table.name.trim() } : {}),
    requires: table.requires,
    hitPolicy: table.hitPolicy,
    ...(table.hitPolicy === 'COLLECT' && table.aggregation ? { aggregation: table.aggregation } : {}),
    inputs: table.inputs.map((i) => ({
      expression: i.expression.trim(),
      ...(i.label.trim() ? { label: i.label.trim() } : {}),
      ...(i.typeRef ? { typeRef: i.typeRef } : {}),
      ...(i.values && i.values.length > 0 ? { values: i.values } : {}),
    })),
    outputs: table.outputs.map((o) => ({
      name: o.name.trim(),
      ...(o.label?.trim() ? { label: o.label.trim() } : {}),
      ...(o.typeRef ? { typeRef: o.typeRef } : {}),
      ...(o.values && o.values.length > 0 ? { values: o.values } : {}),
    })),
    rules: table.rules.map((r) => ({
      ...(r.description?.trim() ? { description: r.description.trim() } : {}),
      inputEntries: r.inputEntries.map((e) => e.trim()),
      outputEntries: r.outputEntries.map((e) => e.trim()),
    })),
  };
}

const move = <T,>(list: T[], from: number, to: number): T[] => {
  if (to < 0 || to >= list.length) return list;
  const next = [...list];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item!);
  return next;
};

/** A plain name or path (`amount`, `invoice.amount`): Try it gives it a value directly. */
const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/;

export function DecisionEditor({ locale, table: initial, baseVersion, publishedAt }: DecisionEditorProps) {
  const t = translator(locale);
  const router = useRouter();
  const id = useId();
  const [table, setTable] = useState<EditedTable>(initial);
  const [changed, setChanged] = useState(false);
  const [notice, setNotice] = useState<{ error: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const pendingFocus = useRef<string | null>(null);
  const grid = useRef<HTMLTableElement>(null);
  // The rules Try it matched last, marked in the grid until the table changes.
  const [tried, setTried] = useState<Tried>(null);
  const edit = (update: (table: EditedTable) => EditedTable) => {
    setTable((current) => update(current));
    setChanged(true);
    setTried(null);
  };

  // The engine's checker on every change (deferred: typing stays quick on a large table).
  const checked = useDeferredValue(table);
  const problems = useMemo(() => checkDecision(toDecision(checked)).problems, [checked]);
  const errors = problems.filter((p) => p.severity === 'error');
  const cellProblem = (rule: number, column: { input?: number; output?: number }) =>
    problems.find(
      (p) =>
        p.rule === rule + 1 &&
        (column.input !== undefined ? p.input === column.input + 1 : p.output === (column.output ?? -1) + 1),
    );
  const overlapping = new Set(problems.filter((p) => p.code === 'overlap').flatMap((p) => p.rules ?? []));

  useEffect(() => {
    if (!pendingFocus.current) return;
    grid.current?.querySelector<HTMLInputElement>(`[data-cell="${pendingFocus.current}"]`)?.focus();
    pendingFocus.current = null;
  });

  const blankRule = (): Rule => ({
    inputEntries: table.inputs.map(() => '-'),
    outputEntries: table.outputs.map(() => ''),
  });
  const addRule = (at: number, column = 'i0') => {
    edit((tb) => ({ ...tb, rules: [...tb.rules.slice(0, at), blankRule(), ...tb.rules.slice(at)] }));
    pendingFocus.current = `${at}-${column}`;
  };
  const removeRule = (r: number, column = 'i0') => {
    edit((tb) => ({ ...tb, rules: tb.rules.filter((_, i) => i !== r) }));
    pendingFocus.current = `${Math.max(0, r - 1)}-${column}`;
  };
  const moveRule = (r: number, to: number, column = 'i0') => {
    if (to < 0 || to >= table.rules.length) return;
    edit((tb) => ({ ...tb, rules: move(tb.rules, r, to) }));
    pendingFocus.current = `${to}-${column}`;
  };
  const setEntry = (r: number, column: string, value: string) =>
    edit((tb) => ({
      ...tb,
      rules: tb.rules.map((rule, i) => {
        if (i !== r) return rule;
        const n = Number(column.slice(1));
        if (column[0] === 'i') return { ...rule, inputEntries: rule.inputEntries.map((e, j) => (j === n ? value : e)) };
        if (column[0] === 'o')
          return { ...rule, outputEntries: rule.outputEntries.map((e, j) => (j === n ? value : e)) };
        return { ...rule, description: value };
      }),
    }));
  const onCellKey = (event: React.KeyboardEvent<HTMLInputElement>, r: number, column: string) => {
    const focus = (row: number) =>
      grid.current?.querySelector<HTMLInputElement>(`[data-cell="${row}-${column}"]`)?.focus();
    if (event.key === 'ArrowUp' && event.altKey) moveRule(r, r - 1, column);
    else if (event.key === 'ArrowDown' && event.altKey) moveRule(r, r + 1, column);
    else if (event.key === 'ArrowUp' && !event.ctrlKey && !event.shiftKey) focus(r - 1);
    else if (event.key === 'ArrowDown' && !event.ctrlKey && !event.shiftKey) focus(r + 1);
    else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) addRule(r + 1, column);
    else if (
      (event.key === 'Delete' || event.key === 'Backspace') &&
      (event.ctrlKey || event.metaKey) &&
      event.shiftKey
    )
      removeRule(r, column);
    else return;
    event.preventDefault();
  };

  const addInput = () =>
    edit((tb) => ({
      ...tb,
      inputs: [...tb.inputs, { label: '', expression: '' }],
      rules: tb.rules.map((r) => ({ ...r, inputEntries: [...r.inputEntries, '-'] })),
    }));
  const removeInput = (n: number) =>
    edit((tb) => ({
      ...tb,
      inputs: tb.inputs.filter((_, i) => i !== n),
      rules: tb.rules.map((r) => ({ ...r, inputEntries: r.inputEntries.filter((_, i) => i !== n) })),
    }));
  const moveInput = (n: number, to: number) =>
    edit((tb) =>
      to < 0 || to >= tb.inputs.length
        ? tb
        : {
            ...tb,
            inputs: move(tb.inputs, n, to),
            rules: tb.rules.map((r) => ({ ...r, inputEntries: move(r.inputEntries, n, to) })),
          },
    );
  const setInput = (n: number, patch: Partial<Input>) =>
    edit((tb) => ({ ...tb, inputs: tb.inputs.map((i, j) => (j === n ? { ...i, ...patch } : i)) }));
  const addOutput = () =>
    edit((tb) => ({
      ...tb,
      outputs: [...tb.outputs, { name: `output${tb.outputs.length + 1}` }],
      rules: tb.rules.map((r) => ({ ...r, outputEntries: [...r.outputEntries, ''] })),
    }));
  const removeOutput = (n: number) =>
    edit((tb) => ({
      ...tb,
      outputs: tb.outputs.filter((_, i) => i !== n),
      rules: tb.rules.map((r) => ({ ...r, outputEntries: r.outputEntries.filter((_, i) => i !== n) })),
    }));
  const setOutput = (n: number, patch: Partial<Output>) =>
    edit((tb) => ({ ...tb, outputs: tb.outputs.map((o, j) => (j === n ? { ...o, ...patch } : o)) }));

  const inputName = (n: number) =>
    table.inputs[n]!.label || table.inputs[n]!.expression || t('decisionColumnInput', { n: n + 1 });
  const outputName = (n: number) =>
    table.outputs[n]!.label || table.outputs[n]!.name || t('decisionColumnOutput', { n: n + 1 });

  const publish = async () => {
    setNotice(null);
    if (errors.length > 0) {
      setNotice({ error: true, text: t('decisionPublishBlocked', { count: errors.length }) });
      return;
    }
    setBusy(true);
    try {
      const done = await trpc.decision.publish.mutate({ decision: toDecision(table), baseVersion });
      setChanged(false);
      announcePublished({ kind: 'decision', key: done.key });
      setNotice({ error: false, text: t('decisionPublished', { version: done.version }) });
      router.replace(`/decisions/${encodeURIComponent(done.key)}`);
      router.refresh();
    } catch (error) {
      setNotice({ error: true, text: describeFailure(error).message });
    } finally {
      setBusy(false);
    }
  };

  const exportFile = async () => {
    const parsed = decisionSchema.safeParse(toDecision(table));
    if (!parsed.success) {
      setNotice({ error: true, text: t('decisionPublishBlocked', { count: Math.max(1, errors.length) }) });
      return;
    }
    downloadText(`${table.id || 'decision'}.dmn`, await exportDmn([parsed.data]), 'application/xml');
  };

  const importFile = async (file: File) => {
    try {
      if (file.size > MAX_DMN_BYTES) throw new Error(`${file.size} bytes > ${MAX_DMN_BYTES}`);
      const read = await importDmn(await file.text());
      if (read.length === 0) throw new Error('no decision table');
      // The table of this key when the file has it, else the first.
      const chosen = read.find((d) => d.id === table.id) ?? read[0]!;
      const next = editedFrom(chosen);
      // A table opened from the company keeps its key: the file's table becomes its next version.
      setTable(baseVersion === null ? next : { ...next, id: table.id });
      setChanged(true);
      setNotice({
        error: false,
        text:
          read.length > 1
            ? t('decisionImportedMany', { count: read.length, name: chosen.name || chosen.id })
            : t('decisionImported', { name: chosen.name || chosen.id, file: file.name }),
      });
    } catch (error) {
      setNotice({
        error: true,
        text: t('decisionImportFailed', { file: file.name, reason: (error as Error).message }),
      });
    }
  };

  return (
    <div className="decision-editor">
      <div className="form-designer-bar">
        <span className="muted" data-testid="decision-status">
          {baseVersion === null
            ? t('decisionStatusNew')
            : t('decisionStatus', {
                version: baseVersion,
                date: publishedAt ? formatDateTime(new Date(publishedAt), locale) : '',
              })}
          {changed ? ` · ${t('decisionUnpublished')}` : ''}
        </span>
        <span className="designer-actions">
          <label className="file-secondary">
            {t('decisionImport')}
            <input
              type="file"
              accept=".dmn,.xml,application/xml,text/xml"
              className="visually-hidden"
              data-testid="decision-import"
              onChange={(e) => e.target.files?.[0] && void importFile(e.target.files[0])}
            />
          </label>
          <button type="button" className="secondary" onClick={() => void exportFile()}>
            {t('decisionExport')}
          </button>
          <button type="button" className="primary" onClick={() => void publish()} disabled={busy} aria-busy={busy}>
            {t('decisionPublish')}
          </button>
        </span>
      </div>
      {notice && (
        <p className={notice.error ? 'notice error' : 'notice'} role={notice.error ? 'alert' : 'status'}>
          {notice.text}
        </p>
      )}
      <div className="decision-head">
        <label htmlFor={`${id}-key`} className="props-field">
          {t('decisionKey')}
          <input
            id={`${id}-key`}
            value={table.id}
            readOnly={baseVersion !== null}
            onChange={(e) => edit((tb) => ({ ...tb, id: e.target.value.trim() }))}
            aria-describedby={`${id}-key-hint`}
            data-testid="decision-key"
            autoComplete="off"
          />
          <span id={`${id}-key-hint`} className="muted small">
            {t('decisionKeyHint')}
          </span>
        </label>
        <label htmlFor={`${id}-name`} className="props-field">
          {t('decisionName')}
          <input
            id={`${id}-name`}
            value={table.name}
            onChange={(e) => edit((tb) => ({ ...tb, name: e.target.value }))}
            data-testid="decision-name"
            autoComplete="off"
          />
        </label>
        <label htmlFor={`${id}-policy`} className="props-field">
          {t('decisionHitPolicy')}
          <select
            id={`${id}-policy`}
            value={table.hitPolicy}
            onChange={(e) => edit((tb) => ({ ...tb, hitPolicy: e.target.value as HitPolicy }))}
            data-testid="decision-hit-policy"
          >
            {hitPolicies.map((p) => (
              <option key={p} value={p}>
                {t(`hitPolicy_${p}` as MessageKey)}
              </option>
            ))}
          </select>
        </label>
        {table.hitPolicy === 'COLLECT' && (
          <label htmlFor={`${id}-agg`} className="props-field">
            {t('decisionAggregation')}
            <select
              id={`${id}-agg`}
              value={table.aggregation ?? ''}
              onChange={(e) =>
                edit((tb) => ({ ...tb, aggregation: (e.target.value || undefined) as EditedTable['aggregation'] }))
              }
            >
              <option value="">{t('decisionAggregationNone')}</option>
              {(['SUM', 'MIN', 'MAX', 'COUNT'] as const).map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </select>
          </label>
        )}
      </div>

      <div className="decision-grid-wrap">
        <table className="decision-grid" ref={grid} data-testid="decision-grid">
          <thead>
            <tr>
              <th rowSpan={2} scope="col">
                {t('decisionRuleNumber')}
              </th>
              <th colSpan={table.inputs.length} scope="colgroup" className="decision-when">
                {t('decisionWhen')}{' '}
                <button type="button" className="linkish small" onClick={addInput}>
                  {t('decisionAddInput')}
                </button>
              </th>
              <th colSpan={table.outputs.length} scope="colgroup" className="decision-then">
                {t('decisionThen')}{' '}
                <button type="button" className="linkish small" onClick={addOutput}>
                  {t('decisionAddOutput')}
                </button>
              </th>
              <th rowSpan={2} scope="col">
                {t('decisionAnnotation')}
              </th>
              <th rowSpan={2}>
                <span className="visually-hidden">{t('decisionRuleNumber')}</span>
              </th>
            </tr>
            <tr>
              {table.inputs.map((input, n) => {
                const wrong = problems.find((p) => p.rule === undefined && p.input === n + 1);
                return (
                  <th key={`i${n}`} scope="col" className="decision-when" data-testid={`input-${n + 1}`}>
                    <input
                      aria-label={t('decisionInputLabel', { n: n + 1 })}
                      value={input.label}
                      placeholder={t('decisionInputLabel', { n: n + 1 })}
                      onChange={(e) => setInput(n, { label: e.target.value })}
                      className="decision-head-label"
                    />
                    <input
                      aria-label={t('decisionInputExpression', { n: n + 1 })}
                      value={input.expression}
                      placeholder="amount"
                      onChange={(e) => setInput(n, { expression: e.target.value })}
                      aria-invalid={wrong ? true : undefined}
                      title={wrong ? decisionProblemText(wrong, locale) : undefined}
                      className="decision-code"
                    />
                    <select
                      aria-label={t('decisionInputType', { n: n + 1 })}
                      value={input.typeRef ?? ''}
                      onChange={(e) => setInput(n, { typeRef: (e.target.value || undefined) as TypeRef | undefined })}
                    >
                      <option value="">{t('decisionTypeAny')}</option>
                      {typeRefs.map((ty) => (
                        <option key={ty} value={ty}>
                          {t(`type_${ty}` as MessageKey)}
                        </option>
                      ))}
                    </select>
                    <ValuesField
                      label={t('decisionInputValues', { n: n + 1 })}
                      placeholder={t('decisionInputValuesPlaceholder')}
                      values={input.values ?? []}
                      onCommit={(values) => setInput(n, { values: values.length > 0 ? values : undefined })}
                    />
                    <span className="decision-col-buttons">
                      <button
                        type="button"
                        className="linkish"
                        aria-label={t('decisionMoveInputLeft', { n: n + 1 })}
                        onClick={() => moveInput(n, n - 1)}
                        disabled={n === 0}
                      >
                        ←
                      </button>
                      <button
                        type="button"
                        className="linkish"
                        aria-label={t('decisionMoveInputRight', { n: n + 1 })}
                        onClick={() => moveInput(n, n + 1)}
                        disabled={n === table.inputs.length - 1}
                      >
                        →
                      </button>
                      <button
                        type="button"
                        className="linkish"
                        aria-label={t('decisionRemoveInput', { n: n + 1 })}
                        onClick={() => removeInput(n)}
                      >
                        ✕
                      </button>
                    </span>
                  </th>
                );
              })}
              {table.outputs.map((output, n) => {
                const wrong = problems.find((p) => p.rule === undefined && p.output === n + 1);
                return (
                  <th key={`o${n}`} scope="col" className="decision-then" data-testid={`output-${n + 1}`}>
                    <input
                      aria-label={t('decisionOutputLabel', { n: n + 1 })}
                      value={output.label ?? ''}
                      placeholder={t('decisionOutputLabel', { n: n + 1 })}
                      onChange={(e) => setOutput(n, { label: e.target.value })}
                      className="decision-head-label"
                    />
                    <input
                      aria-label={t('decisionOutputName', { n: n + 1 })}
                      value={output.name}
                      onChange={(e) => setOutput(n, { name: e.target.value })}
                      aria-invalid={wrong ? true : undefined}
                      title={wrong ? decisionProblemText(wrong, locale) : undefined}
                      className="decision-code"
                    />
                    <select
                      aria-label={t('decisionOutputType', { n: n + 1 })}
                      value={output.typeRef ?? ''}
                      onChange={(e) => setOutput(n, { typeRef: (e.target.value || undefined) as TypeRef | undefined })}
                    >
                      <option value="">{t('decisionTypeAny')}</option>
                      {typeRefs.map((ty) => (
                        <option key={ty} value={ty}>
                          {t(`type_${ty}` as MessageKey)}
                        </option>
                      ))}
                    </select>
                    <span className="decision-col-buttons">
                      <button
                        type="button"
                        className="linkish"
                        aria-label={t('decisionRemoveOutput', { n: n + 1 })}
                        onClick={() => removeOutput(n)}
                        disabled={table.outputs.length === 1}
                      >
                        ✕
                      </button>
                    </span>
                  </th>
                );
              })}
            </tr>
          </thead>
          <tbody>
            {table.rules.map((rule, r) => (
              <tr
                key={r}
                data-rule={r + 1}
                className={
                  overlapping.has(r + 1) ? 'rule-overlap' : tried?.matched.includes(r + 1) ? 'rule-matched' : undefined
                }
              >
                <th scope="row">{r + 1}</th>
                {[
                  ...rule.inputEntries.map((entry, n) => ({
                    entry,
                    column: `i${n}`,
                    name: inputName(n),
                    wrong: cellProblem(r, { input: n }),
                    side: 'decision-when',
                  })),
                  ...rule.outputEntries.map((entry, n) => ({
                    entry,
                    column: `o${n}`,
                    name: outputName(n),
                    wrong: cellProblem(r, { output: n }),
                    side: 'decision-then',
                  })),
                ].map(({ entry, column, name, wrong, side }) => (
                  <td key={column} className={side}>
                    <input
                      value={entry}
                      onChange={(e) => setEntry(r, column, e.target.value)}
                      onKeyDown={(e) => onCellKey(e, r, column)}
                      aria-label={t('decisionCell', { rule: r + 1, column: name })}
                      aria-invalid={wrong ? true : undefined}
                      title={wrong ? decisionProblemText(wrong, locale) : undefined}
                      data-cell={`${r}-${column}`}
                      className={wrong ? 'decision-code cell-error' : 'decision-code'}
                      autoComplete="off"
                      spellCheck={false}
                    />
                  </td>
                ))}
                <td>
                  <input
                    value={rule.description ?? ''}
                    onChange={(e) => setEntry(r, 'd0', e.target.value)}
                    onKeyDown={(e) => onCellKey(e, r, 'd0')}
                    aria-label={t('decisionCellAnnotation', { rule: r + 1 })}
                    data-cell={`${r}-d0`}
                    autoComplete="off"
                  />
                </td>
                <td className="decision-row-buttons">
                  <button
                    type="button"
                    className="linkish"
                    aria-label={t('decisionMoveRuleUp', { n: r + 1 })}
                    onClick={() => moveRule(r, r - 1)}
                    disabled={r === 0}
                  >
                    ↑
                  </button>
                  <button
                    type="button"
                    className="linkish"
                    aria-label={t('decisionMoveRuleDown', { n: r + 1 })}
                    onClick={() => moveRule(r, r + 1)}
                    disabled={r === table.rules.length - 1}
                  >
                    ↓
                  </button>
                  <button
                    type="button"
                    className="linkish"
                    aria-label={t('decisionCopyRule', { n: r + 1 })}
                    onClick={() => {
                      edit((tb) => ({
                        ...tb,
                        rules: [
                          ...tb.rules.slice(0, r + 1),
                          {
                            ...tb.rules[r]!,
                            inputEntries: [...tb.rules[r]!.inputEntries],
                            outputEntries: [...tb.rules[r]!.outputEntries],
                          },
                          ...tb.rules.slice(r + 1),
                        ],
                      }));
                      pendingFocus.current = `${r + 1}-i0`;
                    }}
                  >
                    {t('decisionCopy')}
                  </button>
                  <button
                    type="button"
                    className="linkish"
                    aria-label={t('decisionRemoveRule', { n: r + 1 })}
                    onClick={() => removeRule(r)}
                  >
                    ✕
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        <button type="button" className="secondary" onClick={() => addRule(table.rules.length)}>
          {t('decisionAddRule')}
        </button>
      </p>
      <p className="muted small">{t('decisionKeys')}</p>

      <section className="panel decision-problems" aria-labelledby={`${id}-problems`}>
        <h2 id={`${id}-problems`}>
          {t('decisionProblemsTitle')} <span className="badge">{problems.length}</span>
        </h2>
        {problems.length === 0 ? (
          <p className="muted" data-testid="decision-no-problems">
            {t('decisionNoProblems')}
          </p>
        ) : (
          <ul className="problems" data-testid="decision-problems">
            {problems.map((p, i) => (
              <li key={i} className={`problem problem-${p.severity}`} data-code={p.code}>
                <ProblemLink
                  problem={p}
                  locale={locale}
                  onGo={(cell) => grid.current?.querySelector<HTMLInputElement>(`[data-cell="${cell}"]`)?.focus()}
                />
              </li>
            ))}
          </ul>
        )}
      </section>
      <TryIt table={table} locale={locale} onTried={setTried} />
    </div>
  );
}

/** A problem, in the page's language; one about a cell is a button that puts the cursor in it. */
function ProblemLink({
  problem,
  locale,
  onGo,
}: {
  problem: DecisionProblem;
  locale: Locale;
  onGo: (cell: string) => void;
}) {
  const text = decisionProblemText(problem, locale);
  const cell =
    problem.rule !== undefined
      ? `${problem.rule - 1}-${problem.input !== undefined ? `i${problem.input - 1}` : `o${(problem.output ?? 1) - 1}`}`
      : null;
  return cell ? (
    <button type="button" className="linkish" onClick={() => onGo(cell)}>
      {text}
    </button>
  ) : (
    <span>{text}</span>
  );
}

/** A column's allowed values, typed as a list of unary tests (`"travel", "office"`), kept when the field is left. */
function ValuesField({
  label,
  placeholder,
  values,
  onCommit,
}: {
  label: string;
  placeholder: string;
  values: string[];
  onCommit: (values: string[]) => void;
}) {
  const shown = values.join(', ');
  const [draft, setDraft] = useState(shown);
  useEffect(() => setDraft(shown), [shown]);
  const commit = (text: string) => {
    const next = splitTopLevel(text);
    if (next.join(', ') !== shown) onCommit(next);
  };
  return (
    <input
      aria-label={label}
      placeholder={placeholder}
      value={draft}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={(e) => commit(e.currentTarget.value)}
      onKeyDown={(e) => e.key === 'Enter' && commit(e.currentTarget.value)}
      className="decision-code"
    />
  );
}

type Tried = { matched: number[]; text: string; error: boolean } | null;

/** Try it: sample values for the inputs, evaluated by the engine; the rules that match are marked in the grid. */
function TryIt({ table, locale, onTried }: { table: EditedTable; locale: Locale; onTried: (tried: Tried) => void }) {
  const t = translator(locale);
  const id = useId();
  const [values, setValues] = useState<Record<number, string>>({});
  const [result, setResult] = useState<Tried>(null);
  const run = () => {
    const parsed = decisionSchema.safeParse(toDecision(table));
    if (!parsed.success) {
      setResult({ matched: [], text: parsed.error.issues[0]!.message, error: true });
      return;
    }
    const variables: Record<string, unknown> = {};
    for (const [n, input] of table.inputs.entries()) {
      const typed = values[n] ?? '';
      if (!PATH.test(input.expression.trim()) || typed.trim() === '') continue;
      const value = input.typeRef === 'number' ? Number(typed) : input.typeRef === 'boolean' ? typed === 'true' : typed;
      const path = input.expression.trim().split('.');
      let at = variables;
      for (const part of path.slice(0, -1)) at = (at[part] ??= {}) as Record<string, unknown>;
      at[path[path.length - 1]!] = value;
    }
    const { result: outcome, matched } = tryDecision(parsed.data, variables);
    const next: Tried = outcome.ok
      ? {
          matched,
          error: false,
          text:
            matched.length === 0
              ? t('decisionTryNone')
              : `${t('decisionTryMatched', { rules: matched.join(', ') })} ${t('decisionTryResult')}: ${JSON.stringify(outcome.aggregate !== undefined ? outcome.aggregate : outcome.outputs.length === 1 && parsed.data.outputs.length === 1 ? outcome.outputs[0]![parsed.data.outputs[0]!.name] : outcome.outputs)}`,
        }
      : { matched, text: outcome.message, error: true };
    setResult(next);
    onTried(next);
  };
  return (
    <section className="panel decision-try" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('decisionTryIt')}</h2>
      {table.requires.length > 0 && (
        <p className="muted small">{t('decisionTryRequires', { list: table.requires.join(', ') })}</p>
      )}
      <div className="decision-try-fields">
        {table.inputs.map((input, n) => {
          const name = input.label || input.expression || String(n + 1);
          const label = t('decisionTryInput', { name });
          return (
            <label key={n} htmlFor={`${id}-${n}`} className="props-field">
              {label}
              {input.typeRef === 'boolean' ? (
                <select
                  id={`${id}-${n}`}
                  value={values[n] ?? ''}
                  onChange={(e) => setValues({ ...values, [n]: e.target.value })}
                >
                  <option value="" />
                  <option value="true">true</option>
                  <option value="false">false</option>
                </select>
              ) : (
                <input
                  id={`${id}-${n}`}
                  type={input.typeRef === 'number' ? 'number' : input.typeRef === 'date' ? 'date' : 'text'}
                  value={values[n] ?? ''}
                  onChange={(e) => setValues({ ...values, [n]: e.target.value })}
                  disabled={!PATH.test(input.expression.trim())}
                  autoComplete="off"
                />
              )}
            </label>
          );
        })}
      </div>
      <button type="button" className="secondary" onClick={run}>
        {t('decisionTryRun')}
      </button>
      {result && (
        <p className={result.error ? 'notice error' : 'notice'} role="status" data-testid="decision-try-result">
          {result.text}
        </p>
      )}
    </section>
  );
}
