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
import 'diagram-js-minimap/assets/diagram-js-minimap.css';
import Modeler from 'bpmn-js/lib/Modeler';
import minimapModule from 'diagram-js-minimap';
import { useRouter } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { exportBpmn } from '@/engine/bpmn/export';
import { importBpmn, type ImportReport } from '@/engine/bpmn/import';
import { trellisModdle } from '@/engine/bpmn/trellis-moddle';
import { canonicalJson } from '@/engine/model/canonical';
import {
  localize,
  processDefinitionSchema,
  type Diagram,
  type LocalizedText,
  type ProcessDefinitionInput,
} from '@/engine/model/definition';
import { diffDefinitions, type DefinitionDiff } from '@/engine/model/diff';
import { connectorDiagnostics } from '@/app/_connectors/check';
import { STARTED_BY_VARIABLES } from '@/app/_shared/started-by';
import { translateModule } from './diagram-translate';
import type { Diagnostic } from '@/engine/validate/diagnostic';
import { validateDefinition } from '@/engine/validate/validate';
import { formKeysOf, variablesAt } from '@/engine/validate/variables';
import { translator, type Locale } from '../../_i18n/messages';
import { onPublished } from '../../_shared/published';
import { describeFailure, trpc } from '../trpc';
import { downloadText } from '../download';
import { DIFF_MARKERS, DiffList, diffMarks, namesOf } from '../diagram/diff-view';
import { drawGhosts, setMarks, showTranslations } from '../diagram/marks';
import type { PublishPreview } from '@/app/server/services/drafts';
import type { FeelVariable } from './feel-field';
import type { DiagramElement } from './modeler';
import { PropertiesPanel } from './properties-panel';
import { TestRun } from './test-run';
import { trellisModeling } from './trellis-modeling';

/** How long after the last change the draft is checked and saved. */
const SAVE_DELAY_MS = 1_200;

type SaveState =
  | { kind: 'idle' }
  | { kind: 'dirty' }
  | { kind: 'saving' }
  | { kind: 'saved'; revision: number }
  | { kind: 'failed'; reason: string }
  | { kind: 'conflict'; message: string };

export interface DesignerProps {
  processKey: string;
  locale: Locale;
  /** The draft's content, or the latest published definition when there is no draft yet. */
  definition: unknown;
  /** The draft's revision; null when there is no draft (the first save creates it). */
  revision: number | null;
  /** The latest published version when the page opened (null: none): a first save starts from it, or is a conflict. */
  baseVersion: number | null;
  importReport: ImportReport | null;
  /** The company's departments, for a user task's candidates. */
  departments: { key: string; name: string }[];
  /** The company's forms, for the start form and task form pickers. */
  forms: { key: string; title: string; version: number }[];
  /** The company's other processes, for a call activity's picker. */
  processes: { key: string; name: string; published: boolean }[];
  /** The company's decision tables, for a business rule task's picker. */
  decisions: { key: string; name: string; version: number }[];
  /** The company's members, for a user task's assignee picker. */
  people: { email: string; name: string; title: string | null }[];
}

/** A diagram element, as the designer reads it from bpmn-js's registry. */
interface Shape {
  id: string;
  type: string;
}

export default function Designer({
  processKey,
  locale,
  definition,
  revision: initialRevision,
  baseVersion: initialBase,
  importReport,
  departments,
  forms: initialForms,
  processes,
  decisions: initialDecisions,
  people,
}: DesignerProps) {
  const t = translator(locale);
  const router = useRouter();
  const container = useRef<HTMLDivElement>(null);
  const modeler = useRef<Modeler | null>(null);
  const revision = useRef<number | null>(initialRevision);
  const baseVersion = useRef<number | null>(initialBase);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const inFlight = useRef<Promise<void> | null>(null);
  const changedDuringSave = useRef(false);
  const publishingRef = useRef(false);
  const [state, setState] = useState<SaveState>(
    initialRevision === null ? { kind: 'idle' } : { kind: 'saved', revision: initialRevision },
  );
  // The save pipeline reads the state between awaits, before React renders it: the ref is the truth.
  const stateRef = useRef<SaveState>(state);
  const update = useCallback((next: SaveState) => {
    stateRef.current = next;
    setState(next);
  }, []);
  const [diagnostics, setDiagnostics] = useState<Diagnostic[] | null>(null);
  // The schemas of the forms the draft names, by key (null: asked for, or the company has none).
  const formSchemas = useRef(new Map<string, Record<string, unknown> | null>());
  // Publish reads the diagnostics of the last check, which may be newer than the last render.
  const diagnosticsRef = useRef<Diagnostic[] | null>(null);
  const [drawError, setDrawError] = useState<string | null>(null);
  const [notice, setNotice] = useState<{ error: boolean; text: string } | null>(null);
  const [publishing, setPublishing] = useState(false);
  // What Publish will do, shown before it does it: the version number, the diff, what stays on older versions.
  const [preview, setPreview] = useState<{
    revision: number;
    next: number;
    base: number | null;
    diff: DefinitionDiff | null;
    before: unknown;
    after: unknown;
    running: PublishPreview['running'];
  } | null>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const [discarding, setDiscarding] = useState(false);
  const [selected, setSelected] = useState<DiagramElement | null>(null);
  // The definition as last read from the modeler: what a test run runs.
  const [drawn, setDrawn] = useState<ProcessDefinitionInput | null>(null);
  const [testing, setTesting] = useState(false);
  // The panel re-reads the selected element after each change (a command, an undo).
  const [, setTick] = useState(0);
  const name = localize((definition as { name?: LocalizedText } | null)?.name ?? processKey, locale) ?? processKey;

  /** Reads the drawing back as a definition (the engine's importer) and checks it (the engine's validator). */
  const check = useCallback(async (): Promise<{
    definition: ProcessDefinitionInput;
    diagnostics: Diagnostic[];
  } | null> => {
    const m = modeler.current;
    if (!m) return null;
    const { xml } = await m.saveXML({ format: false });
    const imported = await importBpmn(xml ?? '');
    // The forms it names type its variables (the company's latest versions, fetched once each).
    const keys = formKeysOf(imported.definition as { startForm?: string; elements?: unknown[] });
    const missing = keys.filter((k) => !formSchemas.current.has(k));
    if (missing.length > 0) {
      for (const k of missing) formSchemas.current.set(k, null);
      trpc.process.forms
        .query({ keys: missing })
        .then((found) => {
          for (const f of found) formSchemas.current.set(f.key, f.schema as Record<string, unknown>);
          // Checked again with the types now known (nothing changed, so nothing is saved).
          if (found.length > 0) void checkRef.current?.();
        })
        .catch(() => undefined);
    }
    const forms = Object.fromEntries(
      keys.flatMap((k) => (formSchemas.current.get(k) ? [[k, formSchemas.current.get(k)!]] : [])),
    );
    // The validator's rules, and the connectors' own readers on the service tasks' literal settings.
    const definitionElements = (imported.definition as { elements?: unknown }).elements;
    const found = [
      ...validateDefinition(imported.definition, { publishing: true, forms, given: STARTED_BY_VARIABLES }).diagnostics,
      ...(Array.isArray(definitionElements) ? connectorDiagnostics({ elements: definitionElements }) : []),
    ];
    diagnosticsRef.current = found;
    setDiagnostics(found);
    setDrawn(imported.definition);
    mark(m, found);
    return { definition: imported.definition, diagnostics: found };
  }, []);

  const checkRef = useRef(check);
  checkRef.current = check;

  // The pickers' forms and decision tables: those of the page's load, and each published since in
  // another tab (announced by the form designer or the table editor) or while this window was away
  // (read again on focus). A form republished is typed anew: its cached schema is dropped and the
  // drawing checked again.
  const [forms, setForms] = useState(initialForms);
  const [decisions, setDecisions] = useState(initialDecisions);
  useEffect(() => {
    const refresh = (formKey: string | null) => {
      if (formKey) formSchemas.current.delete(formKey);
      trpc.process.formCatalog
        .query()
        .then((list) => {
          setForms(list);
          if (formKey) void checkRef.current?.();
        })
        .catch(() => undefined);
      trpc.process.decisionCatalog
        .query()
        .then(setDecisions)
        .catch(() => undefined);
    };
    const stop = onPublished((published) => refresh(published.kind === 'form' ? published.key : null));
    const onFocus = () => refresh(null);
    window.addEventListener('focus', onFocus);
    return () => {
      stop();
      window.removeEventListener('focus', onFocus);
    };
  }, []);

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
        const first = revision.current === null;
        const saved = await trpc.process.save.mutate({
          key: processKey,
          revision: revision.current,
          content: checked.definition as unknown as Record<string, unknown>,
          ...(first ? { baseVersion: baseVersion.current } : {}),
        });
        revision.current = saved.revision;
        update({ kind: 'saved', revision: saved.revision });
      } catch (error) {
        const failure = describeFailure(error);
        // A draft published, discarded or saved elsewhere meanwhile: this page is stale, and says so.
        update(
          failure.code === 'CONFLICT' || failure.code === 'NOT_FOUND'
            ? { kind: 'conflict', message: failure.message }
            : { kind: 'failed', reason: failure.message },
        );
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
    const later = () => {
      // While a publish runs, its own flush saved what it publishes; a change made meanwhile waits for it.
      if (publishingRef.current) {
        timer.current = setTimeout(later, SAVE_DELAY_MS);
        return;
      }
      timer.current = null;
      void save();
    };
    timer.current = setTimeout(later, SAVE_DELAY_MS);
  }, [save, update]);

  /** Saves every change made so far, waiting for a save in flight and the ones queued behind it. */
  const flush = useCallback(async (): Promise<void> => {
    for (let round = 0; round < 50; round++) {
      if (timer.current) {
        clearTimeout(timer.current);
        timer.current = null;
        if (inFlight.current) changedDuringSave.current = true;
        else {
          await save();
          continue;
        }
      }
      if (inFlight.current) {
        await inFlight.current;
        // The caller that started it saves again for changes made meanwhile: let it start.
        await Promise.resolve();
        continue;
      }
      if (changedDuringSave.current || stateRef.current.kind === 'dirty') {
        changedDuringSave.current = false;
        await save();
        continue;
      }
      return;
    }
  }, [save]);

  // The modeler lives as long as the page; React mounts twice in development, so it is destroyed on cleanup.
  useEffect(() => {
    if (!container.current) return;
    const m = new Modeler({
      container: container.current,
      moddleExtensions: { trellis: trellisModdle },
      additionalModules: [trellisModeling, minimapModule, translateModule(locale)],
      trellis: { locale },
    } as ConstructorParameters<typeof Modeler>[0]);
    modeler.current = m;
    let cancelled = false;
    (async () => {
      try {
        const xml = await exportBpmn(definition as ProcessDefinitionInput);
        if (cancelled) return;
        await m.importXML(xml);
        if (cancelled) return;
        showTranslations(m, locale);
        // How many shapes and connections were drawn, on every plane (a collapsed subprocess has its own): tests compare it with the file.
        const drawn = (
          m.get('elementRegistry') as {
            filter(f: (e: { type: string; labelTarget?: unknown; parent?: unknown }) => boolean): unknown[];
          }
        ).filter((e) => !!e.parent && !e.labelTarget);
        container.current?.setAttribute('data-drawn', String(drawn.length));
        fitBesidePalette(m, container.current!);
        await check();
        // A draft without a picture (a JSON import) was laid out here: keep that layout, so what is published is drawn as it was seen.
        const pictured = ((definition as { diagrams?: unknown[] } | null)?.diagrams?.length ?? 0) > 0;
        if (!cancelled && !pictured && revision.current !== null) schedule();
      } catch (error) {
        if (!cancelled) setDrawError((error as Error).message);
      }
    })();
    const eventBus = m.get('eventBus') as {
      on(event: string, callback: (e: { newSelection?: DiagramElement[] }) => void): void;
    };
    eventBus.on('commandStack.changed', () => {
      setTick((n) => n + 1);
      schedule();
    });
    // A label selected stands for its element (a flow picked by its name shows the flow's properties).
    eventBus.on('selection.changed', (e) => {
      const one =
        e.newSelection?.length === 1 ? (e.newSelection[0] as DiagramElement & { labelTarget?: DiagramElement }) : null;
      setSelected(one?.labelTarget ?? one);
    });
    return () => {
      cancelled = true;
      // Leaving the page within the autosave delay (a link inside the app) still saves the change, then lets the modeler go.
      if (timer.current) {
        clearTimeout(timer.current);
        timer.current = null;
        void save().finally(() => {
          m.destroy();
          if (modeler.current === m) modeler.current = null;
        });
        return;
      }
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

  /** A test run's marks on the diagram: what waits now, and what completed on the way. */
  const highlight = useCallback((active: string[], done: string[]) => {
    const m = modeler.current;
    if (!m) return;
    const canvas = m.get('canvas') as {
      addMarker(id: string, marker: string): void;
      removeMarker(id: string, marker: string): void;
    };
    const registry = m.get('elementRegistry') as { getAll(): Shape[]; get(id: string): Shape | undefined };
    for (const e of registry.getAll()) {
      canvas.removeMarker(e.id, 'trellis-active');
      canvas.removeMarker(e.id, 'trellis-done');
    }
    for (const id of done) if (registry.get(id)) canvas.addMarker(id, 'trellis-done');
    for (const id of active) if (registry.get(id)) canvas.addMarker(id, 'trellis-active');
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

  /** Takes the diff's marks off the diagram (the preview closed). */
  const unmarkDiff = useCallback(() => {
    const m = modeler.current;
    if (!m) return;
    setMarks(m, DIFF_MARKERS, {});
    drawGhosts(m, [], undefined, new Map(), locale);
  }, [locale]);

  /**
   * Runs a step of publishing after every change made before the click is saved (a publish names
   * the revision it saw), with autosave held meanwhile; a stale or failed save stops it, saying so.
   */
  const publishStep = async (step: () => Promise<void>) => {
    setPublishing(true);
    publishingRef.current = true;
    try {
      await flush();
      const kind = stateRef.current.kind;
      if (kind === 'conflict' || kind === 'failed') return;
      await step();
    } catch (error) {
      setNotice({ error: true, text: describeFailure(error).message });
    } finally {
      publishingRef.current = false;
      setPublishing(false);
    }
  };

  /**
   * Publish, first step: shows what publishing will do (the version number, the diff from the
   * latest version drawn on the diagram and listed, the instances and open tasks that stay on
   * older versions). Nothing is published yet.
   */
  const showPreview = async () => {
    if (revision.current === null) {
      // No draft: nothing was changed since the latest version (the server refuses an identical copy too).
      setNotice({
        error: true,
        text:
          baseVersion.current === null
            ? t('designerNothingDrawn')
            : t('draftSameAsPublished', { version: baseVersion.current }),
      });
      return;
    }
    const errors = (diagnosticsRef.current ?? []).filter((d) => d.severity === 'error');
    if (errors.length > 0) {
      setNotice({ error: true, text: t('designerPublishBlocked', { count: errors.length }) });
      return;
    }
    const at = revision.current;
    const checked = await check();
    const facts = await trpc.process.publishPreview.query({ key: processKey });
    const base = facts.nextVersion > 1 ? facts.nextVersion - 1 : null;
    const before =
      base === null ? null : (await trpc.process.version.query({ key: processKey, version: base })).definition;
    let diff: DefinitionDiff | null = null;
    if (before && checked) {
      diff = diffDefinitions(before as unknown as ProcessDefinitionInput, checked.definition);
      const m = modeler.current;
      if (m) {
        setMarks(m, DIFF_MARKERS, diffMarks(diff));
        drawGhosts(
          m,
          diff.removed.map((r) => r.id),
          (before as { diagrams?: Diagram[] }).diagrams,
          namesOf(before),
          locale,
        );
      }
    }
    setPreview({
      revision: at,
      next: facts.nextVersion,
      base,
      diff,
      before,
      after: checked?.definition ?? null,
      running: facts.running,
    });
    setTimeout(() => confirmRef.current?.focus(), 0);
  };

  const publish = () => {
    setNotice(null);
    return publishStep(showPreview);
  };

  /** Publish, second step (the designer confirmed what the preview showed): the draft at that revision becomes the version. */
  const confirmPublish = () =>
    publishStep(async () => {
      if (!preview) return;
      setPreview(null);
      unmarkDiff();
      // Changed after the preview: show the preview of what would now be published instead.
      if (revision.current !== preview.revision) return showPreview();
      const published = await trpc.process.publish.mutate({ key: processKey, revision: preview.revision });
      // The draft became the version: the next change starts a new draft from it.
      revision.current = null;
      baseVersion.current = published.version;
      update({ kind: 'idle' });
      const warnings = published.warnings.map((w: { message: string }) => w.message).join(' ');
      setNotice({
        error: false,
        text: `${t('designerPublished', { version: published.version })}${warnings ? ` ${warnings}` : ''}`,
      });
      router.refresh();
    });

  /** Throws the draft away (after the designer confirmed): the page opens the latest version again. */
  const discard = () =>
    publishStep(async () => {
      setDiscarding(false);
      if (revision.current === null) return;
      await trpc.process.discard.mutate({ key: processKey, revision: revision.current });
      revision.current = null;
      update({ kind: 'idle' });
      window.location.reload();
    });

  const cancelPublish = () => {
    setPreview(null);
    unmarkDiff();
  };

  const download = async (format: 'bpmn' | 'json') => {
    const m = modeler.current;
    if (!m) return;
    const text =
      format === 'bpmn'
        ? ((await m.saveXML({ format: true })).xml ?? '')
        : canonicalJson((await check())?.definition ?? null);
    downloadText(
      `${processKey}.${format === 'bpmn' ? 'bpmn' : 'json'}`,
      text,
      format === 'bpmn' ? 'application/xml' : 'application/json',
    );
  };

  // What each FEEL field can read: the engine's typed-variable analysis of the drawing, with the forms' types.
  const parsedDrawn = useMemo(() => {
    const parsed = drawn ? processDefinitionSchema.safeParse(drawn) : null;
    return parsed?.success ? parsed.data : null;
  }, [drawn]);
  const variablesFor = useCallback(
    (id: string): FeelVariable[] => {
      if (!parsedDrawn) return [];
      const forms = Object.fromEntries([...formSchemas.current].flatMap(([k, v]) => (v ? [[k, v]] : [])));
      return variablesAt(parsedDrawn, forms, id, STARTED_BY_VARIABLES).variables.map((v) => ({
        name: v.name,
        detail: v.type,
      }));
    },
    [parsedDrawn],
  );

  const errors = diagnostics?.filter((d) => d.severity === 'error') ?? [];
  return (
    <div className="designer">
      <div className="designer-bar">
        <span
          className={`designer-status${state.kind === 'failed' || state.kind === 'conflict' ? ' error-text' : ''}`}
          role="status"
          data-testid="save-status"
          data-state={state.kind}
        >
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
          {baseVersion.current !== null && (state.kind === 'saved' || state.kind === 'dirty') && (
            <button
              type="button"
              className="secondary"
              onClick={() => setDiscarding(true)}
              disabled={publishing || discarding}
            >
              {t('designerDiscard')}
            </button>
          )}
          <button type="button" className="secondary" aria-pressed={testing} onClick={() => setTesting(!testing)}>
            {t('designerTestRun')}
          </button>
          <button
            type="button"
            className="primary"
            onClick={() => void publish()}
            disabled={publishing || preview !== null || state.kind === 'conflict'}
          >
            {t('designerPublish')}
          </button>
        </span>
      </div>
      {notice && (
        <p className={notice.error ? 'notice error' : 'notice'} role={notice.error ? 'alert' : 'status'}>
          {notice.text}
        </p>
      )}
      {discarding && (
        <section
          className="panel publish-preview"
          role="dialog"
          aria-labelledby="discard-title"
          data-testid="discard-confirm"
        >
          <h2 id="discard-title">{t('designerDiscardTitle', { version: baseVersion.current ?? 0 })}</h2>
          <p className="actions">
            <button type="button" className="primary" onClick={() => void discard()} disabled={publishing}>
              {t('designerDiscardConfirm')}
            </button>
            <button type="button" className="secondary" onClick={() => setDiscarding(false)}>
              {t('designerDiscardKeep')}
            </button>
          </p>
        </section>
      )}
      {preview && (
        <section
          className="panel publish-preview"
          role="dialog"
          aria-labelledby="publish-preview-title"
          data-testid="publish-preview"
        >
          <h2 id="publish-preview-title">{t('publishPreviewTitle', { version: preview.next })}</h2>
          {preview.base === null ? (
            <p>{t('publishPreviewFirst')}</p>
          ) : (
            <>
              <p>
                {t('publishPreviewChanges', { version: preview.base })}{' '}
                {preview.diff && <span className="muted">{t('publishPreviewMarked')}</span>}
              </p>
              {preview.diff && (
                <DiffList
                  diff={preview.diff}
                  before={preview.before}
                  after={preview.after}
                  locale={locale}
                  onSelect={select}
                />
              )}
              {preview.running.length === 0 ? (
                <p className="muted">{t('publishPreviewNoneRunning')}</p>
              ) : (
                <>
                  <ul data-testid="publish-running">
                    {preview.running.map((r) => (
                      <li key={r.version}>
                        {t('publishPreviewRunning', { version: r.version, instances: r.instances, tasks: r.openTasks })}
                      </li>
                    ))}
                  </ul>
                  <p>{t('publishPreviewStay', { version: preview.next })}</p>
                </>
              )}
            </>
          )}
          <p className="actions">
            <button
              ref={confirmRef}
              type="button"
              className="primary"
              onClick={() => void confirmPublish()}
              disabled={publishing}
            >
              {t('publishConfirm', { version: preview.next })}
            </button>
            <button type="button" className="secondary" onClick={cancelPublish} disabled={publishing}>
              {t('publishCancel')}
            </button>
          </p>
        </section>
      )}
      {drawError && (
        <p className="notice error" role="alert">
          {t('designerCannotDraw', { reason: drawError })}
        </p>
      )}
      <div className="designer-body">
        <div
          ref={container}
          className="designer-canvas"
          role="application"
          aria-label={t('designerDiagram', { name })}
          tabIndex={0}
          data-testid="modeler"
        />
        <aside className="designer-side">
          {testing && (
            <section aria-labelledby="test-run-title">
              <h2 id="test-run-title">{t('designerTestRun')}</h2>
              <TestRun
                processKey={processKey}
                locale={locale}
                definition={drawn}
                onHighlight={highlight}
                people={people}
              />
            </section>
          )}
          <section aria-labelledby="properties-title" hidden={testing}>
            <h2 id="properties-title">{t('propsTitle')}</h2>
            {modeler.current && (
              <PropertiesPanel
                element={selected}
                services={{
                  modeling: modeler.current.get('modeling'),
                  moddle: modeler.current.get('moddle'),
                  elementRegistry: modeler.current.get('elementRegistry'),
                }}
                locale={locale}
                departments={departments}
                forms={forms}
                processes={processes}
                decisions={decisions}
                people={people}
                variablesAt={variablesFor}
              />
            )}
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
                    <button
                      type="button"
                      className="linkish"
                      onClick={() => select(d.elementId)}
                      disabled={!d.elementId}
                    >
                      <span className="badge">
                        {t(d.severity === 'error' ? 'designerSeverity_error' : 'designerSeverity_warning')}
                      </span>{' '}
                      {d.elementId && <code>{d.elementId}</code>}
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

function ImportReportView({
  report,
  locale,
  onSelect,
}: {
  report: ImportReport;
  locale: Locale;
  onSelect: (id: string) => void;
}) {
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
  const canvas = m.get('canvas') as {
    addMarker(id: string, marker: string): void;
    removeMarker(id: string, marker: string): void;
  };
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
