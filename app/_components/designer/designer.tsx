'use client';

/**
 * The process designer: the bpmn-js Modeler on a draft, with the engine's own importer and
 * validator running in the page. Every change is read back through `importBpmn` (what the modeler
 * drew becomes the canonical definition the server stores and runs), checked by
 * `validateDefinition` (markers on the elements, a list beside them), and autosaved a moment
 * later with the revision last seen: a draft someone else saved meanwhile is a conflict that names
 * them, never an overwrite. Nothing here is a second copy of a rule: the same modules run on the
 * server and in `trellis`.
 */
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import Modeler from 'bpmn-js/lib/Modeler';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';
import { exportBpmn } from '@/engine/bpmn/export';
import { importBpmn, type ImportReport } from '@/engine/bpmn/import';
import { trellisModdle } from '@/engine/bpmn/trellis-moddle';
import { canonicalJson } from '@/engine/model/canonical';
import { localize, type LocalizedText, type ProcessDefinitionInput } from '@/engine/model/definition';
import type { Diagnostic } from '@/engine/validate/diagnostic';
import { validateDefinition } from '@/engine/validate/validate';
import { translator, type Locale } from '../../_i18n/messages';
import { describeFailure, trpc } from '../trpc';
import { PropertiesPanel, type DiagramElement } from './properties-panel';
import { trellisModeling } from './trellis-modeling';

/** How long after the last change the draft is checked and saved. */
const SAVE_DELAY_MS = 1_200;

type SaveState = { kind: 'idle' } | { kind: 'dirty' } | { kind: 'saving' } | { kind: 'saved'; revision: number } | { kind: 'failed'; reason: string } | { kind: 'conflict'; message: string };

export interface DesignerProps {
  processKey: string;
  locale: Locale;
  /** The draft's content, or the latest published definition when there is no draft yet. */
  definition: unknown;
  /** The draft's revision; null when there is no draft (the first save creates it). */
  revision: number | null;
  importReport: ImportReport | null;
  /** The company's departments, for a user task's candidates. */
  departments: { key: string; name: string }[];
}

interface BusinessObject {
  id: string;
  name?: string;
  extensionElements?: { values?: { $type: string; lang?: string; of?: string; text?: string }[] };
}
interface Shape {
  id: string;
  type: string;
  businessObject: BusinessObject;
}

export default function Designer({ processKey, locale, definition, revision: initialRevision, importReport, departments }: DesignerProps) {
  const t = translator(locale);
  const router = useRouter();
  const container = useRef<HTMLDivElement>(null);
  const modeler = useRef<Modeler | null>(null);
  const revision = useRef<number | null>(initialRevision);
  const names = useRef(new Map<string, string | undefined>());
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const inFlight = useRef<Promise<void> | null>(null);
  const changedDuringSave = useRef(false);
  const current = useRef<ProcessDefinitionInput | null>(null);
  const [state, setState] = useState<SaveState>(initialRevision === null ? { kind: 'idle' } : { kind: 'saved', revision: initialRevision });
  // The save pipeline reads the state between awaits, before React renders it: the ref is the truth.
  const stateRef = useRef<SaveState>(state);
  const update = useCallback((next: SaveState) => {
    stateRef.current = next;
    setState(next);
  }, []);
  const [diagnostics, setDiagnostics] = useState<Diagnostic[] | null>(null);
  const [drawError, setDrawError] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ error: boolean; text: string } | null>(null);
  const [publishing, setPublishing] = useState(false);
  const [selected, setSelected] = useState<DiagramElement | null>(null);
  // The panel re-reads the selected element after each change (a command, an undo).
  const [, setTick] = useState(0);
  const name = localize((definition as { name?: LocalizedText } | null)?.name ?? processKey, locale) ?? processKey;

  /** Reads the drawing back as a definition (the engine's importer) and checks it (the engine's validator). */
  const check = useCallback(async (): Promise<{ definition: ProcessDefinitionInput; diagnostics: Diagnostic[] } | null> => {
    const m = modeler.current;
    if (!m) return null;
    keepTranslations(m, names.current, locale);
    const { xml } = await m.saveXML({ format: false });
    const imported = await importBpmn(xml ?? '');
    const found = validateDefinition(imported.definition, { publishing: true }).diagnostics;
    current.current = imported.definition;
    setDiagnostics(found);
    mark(m, found);
    return { definition: imported.definition, diagnostics: found };
  }, [locale]);

  /** Checks and saves now; one save at a time, and a change made meanwhile saves again after it. */
  const save = useCallback(async (): Promise<void> => {
    if (inFlight.current) {
      changedDuringSave.current = true;
      return inFlight.current;
    }
    if (stateRef.current.kind === 'conflict') return;
    const run = (async () => {
      update({ kind: 'saving' });
      try {
        const checked = await check();
        if (!checked) return;
        const saved = await trpc.process.save.mutate({ key: processKey, revision: revision.current, content: checked.definition as unknown as Record<string, unknown> });
        revision.current = saved.revision;
        update({ kind: 'saved', revision: saved.revision });
      } catch (error) {
        const failure = describeFailure(error);
        update(failure.code === 'CONFLICT' ? { kind: 'conflict', message: failure.message } : { kind: 'failed', reason: failure.message });
      }
    })();
    inFlight.current = run;
    await run;
    inFlight.current = null;
    if (changedDuringSave.current && (stateRef.current as SaveState).kind !== 'conflict') {
      changedDuringSave.current = false;
      await save();
    }
  }, [check, processKey, update]);

  const schedule = useCallback(() => {
    if (stateRef.current.kind === 'conflict') return;
    if (inFlight.current) changedDuringSave.current = true;
    else update({ kind: 'dirty' });
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => {
      timer.current = null;
      void save();
    }, SAVE_DELAY_MS);
  }, [save, update]);

  // The modeler lives as long as the page; React mounts twice in development, so it is destroyed on cleanup.
  useEffect(() => {
    if (!container.current) return;
    const m = new Modeler({ container: container.current, moddleExtensions: { trellis: trellisModdle }, additionalModules: [trellisModeling] });
    modeler.current = m;
    let cancelled = false;
    (async () => {
      try {
        const xml = await exportBpmn(definition as ProcessDefinitionInput);
        if (cancelled) return;
        await m.importXML(xml);
        if (cancelled) return;
        showTranslations(m, names.current, locale);
        // How many shapes and connections were drawn, on every plane (a collapsed subprocess has its own): tests compare it with the file.
        const drawn = (m.get('elementRegistry') as { filter(f: (e: { type: string; labelTarget?: unknown; parent?: unknown }) => boolean): unknown[] }).filter((e) => !!e.parent && !e.labelTarget);
        container.current?.setAttribute('data-drawn', String(drawn.length));
        fitBesidePalette(m, container.current!);
        await check();
      } catch (error) {
        if (!cancelled) setDrawError((error as Error).message);
      }
    })();
    const eventBus = m.get('eventBus') as { on(event: string, callback: (e: { newSelection?: DiagramElement[] }) => void): void };
    eventBus.on('commandStack.changed', () => {
      setTick((n) => n + 1);
      schedule();
    });
    eventBus.on('selection.changed', (e) => setSelected(e.newSelection?.length === 1 ? e.newSelection[0]! : null));
    return () => {
      cancelled = true;
      m.destroy();
      modeler.current = null;
    };
    // The definition is the page's starting point; later ones come from the modeler itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Leaving with a change not saved (waiting, in flight or failed) asks first.
  useEffect(() => {
    const warn = (event: BeforeUnloadEvent) => {
      const kind = stateRef.current.kind;
      if (kind === 'dirty' || kind === 'saving' || kind === 'failed' || kind === 'conflict') event.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, []);

  const select = (elementId: string | undefined) => {
    const m = modeler.current;
    if (!m || !elementId) return;
    const element = (m.get('elementRegistry') as { get(id: string): Shape | undefined }).get(elementId);
    if (!element) return;
    (m.get('selection') as { select(e: Shape): void }).select(element);
    (m.get('canvas') as { scrollToElement(e: Shape): void }).scrollToElement(element);
    container.current?.focus();
  };

  const publish = async () => {
    setNotice(null);
    if (timer.current) {
      clearTimeout(timer.current);
      timer.current = null;
    }
    setPublishing(true);
    try {
      await save();
      const kind = stateRef.current.kind;
      if (kind === 'conflict' || kind === 'failed' || revision.current === null) return;
      const errors = (diagnosticsRef.current ?? []).filter((d) => d.severity === 'error');
      if (errors.length > 0) {
        setNotice({ error: true, text: t('designerPublishBlocked', { count: errors.length }) });
        return;
      }
      const published = await trpc.process.publish.mutate({ key: processKey, revision: revision.current });
      // The draft became the version: the next change starts a new draft.
      revision.current = null;
      update({ kind: 'idle' });
      const warnings = published.warnings.map((w: { message: string }) => w.message).join(' ');
      setNotice({ error: false, text: `${t('designerPublished', { version: published.version })}${warnings ? ` ${warnings}` : ''}` });
      router.refresh();
    } catch (error) {
      setNotice({ error: true, text: describeFailure(error).message });
    } finally {
      setPublishing(false);
    }
  };
  const diagnosticsRef = useRef(diagnostics);
  diagnosticsRef.current = diagnostics;

  const download = async (format: 'bpmn' | 'json') => {
    const m = modeler.current;
    if (!m) return;
    const text = format === 'bpmn' ? ((await m.saveXML({ format: true })).xml ?? '') : canonicalJson((await check())?.definition ?? current.current);
    const url = URL.createObjectURL(new Blob([text], { type: format === 'bpmn' ? 'application/xml' : 'application/json' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${processKey}.${format === 'bpmn' ? 'bpmn' : 'json'}`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1_000);
  };

  const errors = diagnostics?.filter((d) => d.severity === 'error') ?? [];
  return (
    <div className="designer">
      <div className="designer-bar">
        <span className={`designer-status${state.kind === 'failed' || state.kind === 'conflict' ? ' error-text' : ''}`} role="status" data-testid="save-status">
          {statusText(state, t)}
        </span>
        {state.kind === 'conflict' && (
          <button type="button" className="secondary" onClick={() => window.location.reload()}>
            {t('designerReload')}
          </button>
        )}
        <span className="designer-actions">
          <button type="button" className="secondary" onClick={() => void download('bpmn')}>
            {t('designerExportBpmn')}
          </button>
          <button type="button" className="secondary" onClick={() => void download('json')}>
            {t('designerExportJson')}
          </button>
          <button type="button" className="primary" onClick={() => void publish()} disabled={publishing || state.kind === 'conflict'}>
            {t('designerPublish')}
          </button>
        </span>
      </div>
      {notice && (
        <p className={notice.error ? 'notice error' : 'notice'} role={notice.error ? 'alert' : 'status'}>
          {notice.text}
        </p>
      )}
      {drawError && (
        <p className="notice error" role="alert">
          {t('designerCannotDraw', { reason: drawError })}
        </p>
      )}
      <div className="designer-body">
        <div ref={container} className="designer-canvas" role="application" aria-label={t('designerDiagram', { name })} tabIndex={0} data-testid="modeler" />
        <aside className="designer-side">
          <section aria-labelledby="properties-title">
            <h2 id="properties-title">{t('propsTitle')}</h2>
            {modeler.current && <PropertiesPanel element={selected} services={{ modeling: modeler.current.get('modeling'), moddle: modeler.current.get('moddle') }} locale={locale} departments={departments} />}
          </section>
          <section aria-labelledby="problems-title">
            <h2 id="problems-title">
              {t('designerProblems')} {diagnostics && <span className="badge">{errors.length}</span>}
            </h2>
            {diagnostics === null ? (
              <p className="muted">{t('designerReadingModel')}</p>
            ) : diagnostics.length === 0 ? (
              <p className="muted">{t('designerNoProblems')}</p>
            ) : (
              <ul className="problems" data-testid="problems">
                {diagnostics.map((d, i) => (
                  <li key={`${d.ruleId}-${d.elementId ?? ''}-${i}`} className={`problem problem-${d.severity}`}>
                    <button type="button" className="linkish" onClick={() => select(d.elementId)} disabled={!d.elementId}>
                      <span className="badge">{t(d.severity === 'error' ? 'designerSeverity_error' : 'designerSeverity_warning')}</span> {d.elementId && <code>{d.elementId}</code>}
                    </button>
                    <div>{d.message}</div>
                  </li>
                ))}
              </ul>
            )}
          </section>
          {importReport && <ImportReportView report={importReport} locale={locale} onSelect={select} />}
        </aside>
      </div>
    </div>
  );
}

function statusText(state: SaveState, t: ReturnType<typeof translator>): string {
  switch (state.kind) {
    case 'idle':
      return t('designerNotStarted');
    case 'dirty':
      return t('designerUnsaved');
    case 'saving':
      return t('designerSaving');
    case 'saved':
      return t('designerSaved', { revision: state.revision });
    case 'failed':
      return t('designerSaveFailed', { reason: state.reason });
    case 'conflict':
      return state.message;
  }
}

function ImportReportView({ report, locale, onSelect }: { report: ImportReport; locale: Locale; onSelect: (id: string) => void }) {
  const t = translator(locale);
  return (
    <section aria-labelledby="import-report-title" data-testid="import-report">
      <h2 id="import-report-title">{t('designerImportReport')}</h2>
      <details open={report.unsupported.length > 0}>
        <summary>{t('designerNotRun', { count: report.unsupported.length })}</summary>
        <ul className="problems">
          {report.unsupported.map((u, i) => (
            <li key={`${u.elementId}-${i}`}>
              <button type="button" className="linkish" onClick={() => onSelect(u.elementId)}>
                <code>{u.elementId}</code>
              </button>
              <div>
                {u.what} {u.hint}
              </div>
            </li>
          ))}
        </ul>
      </details>
      <details>
        <summary>{t('designerTranslated', { count: report.translated.length })}</summary>
        <ul className="problems">
          {report.translated.map((x, i) => (
            <li key={`${x.elementId}-${i}`}>
              <code>{x.elementId}</code> {x.what}
            </li>
          ))}
        </ul>
      </details>
    </section>
  );
}

interface Viewbox {
  x: number;
  y: number;
  width: number;
  height: number;
  inner: { x: number; y: number; width: number; height: number };
  outer: { width: number; height: number };
}

/**
 * The whole diagram in view, in the room the palette leaves (on a phone it would hide the first
 * shapes), vertically centred; a small diagram at its natural size rather than blown up.
 */
function fitBesidePalette(m: Modeler, container: HTMLElement) {
  const canvas = m.get('canvas') as { viewbox(box?: Omit<Viewbox, 'inner' | 'outer' | 'scale'>): Viewbox };
  const { inner, outer } = canvas.viewbox();
  if (inner.width <= 0 || outer.width <= 0) return;
  const palette = container.querySelector('.djs-palette')?.getBoundingClientRect();
  const left = palette ? palette.right - container.getBoundingClientRect().left + 16 : 16;
  const scale = Math.min(1, (outer.width - left - 16) / inner.width, (outer.height - 32) / inner.height);
  if (scale <= 0) return;
  const width = outer.width / scale;
  const height = outer.height / scale;
  canvas.viewbox({ x: inner.x - left / scale, y: inner.y - (height - inner.height) / 2, width, height });
}

/** Markers on the elements the diagnostics name: red for errors, amber for warnings. */
function mark(m: Modeler, diagnostics: Diagnostic[]) {
  const canvas = m.get('canvas') as { addMarker(id: string, marker: string): void; removeMarker(id: string, marker: string): void };
  const registry = m.get('elementRegistry') as { getAll(): Shape[]; get(id: string): Shape | undefined };
  for (const e of registry.getAll()) {
    canvas.removeMarker(e.id, 'trellis-error');
    canvas.removeMarker(e.id, 'trellis-warning');
  }
  const errors = new Set(diagnostics.filter((d) => d.severity === 'error').map((d) => d.elementId));
  for (const d of diagnostics) {
    if (!d.elementId || !registry.get(d.elementId)) continue;
    // An element with an error shows the error, whatever it is warned of besides.
    if (d.severity === 'error') canvas.addMarker(d.elementId, 'trellis-error');
    else if (!errors.has(d.elementId)) canvas.addMarker(d.elementId, 'trellis-warning');
  }
}

type Translation = { $type: string; lang?: string; of?: string; text?: string };
const isNameTranslation = (v: Translation) => v.$type === 'trellis:Translation' && (v.of === undefined || v.of === 'name');

/** Shows each element's name in the page's language, where the definition has it (names are kept per language). */
function showTranslations(m: Modeler, seen: Map<string, string | undefined>, locale: Locale) {
  const registry = m.get('elementRegistry') as { getAll(): Shape[] };
  const eventBus = m.get('eventBus') as { fire(event: string, data: unknown): void };
  for (const element of registry.getAll()) {
    const bo = element.businessObject;
    if (!bo) continue;
    const own = bo.extensionElements?.values?.find((v) => isNameTranslation(v) && v.lang === locale);
    if (own?.text && own.text !== bo.name) {
      bo.name = own.text;
      eventBus.fire('element.changed', { element });
    }
    seen.set(bo.id, bo.name);
  }
}

/**
 * A name typed on the canvas is the name in the page's language: when the element keeps names
 * per language (trellis:Translation), the typed one replaces that language's, so the importer,
 * which reads translations first, sees the change.
 */
function keepTranslations(m: Modeler, seen: Map<string, string | undefined>, locale: Locale) {
  const registry = m.get('elementRegistry') as { getAll(): Shape[] };
  const moddle = m.get('moddle') as { create(type: string, attrs: Record<string, unknown>): Translation };
  for (const element of registry.getAll()) {
    const bo = element.businessObject;
    if (!bo?.id || seen.get(bo.id) === bo.name) continue;
    seen.set(bo.id, bo.name);
    const values = bo.extensionElements?.values;
    const translations = values?.filter(isNameTranslation) ?? [];
    if (translations.length === 0 || !values) continue;
    const own = translations.find((v) => v.lang === locale);
    if (!bo.name) {
      // A name cleared on the canvas clears it in every language.
      for (const v of translations) values.splice(values.indexOf(v), 1);
    } else if (own) own.text = bo.name;
    else values.push(moddle.create('trellis:Translation', { lang: locale, text: bo.name }));
  }
}
