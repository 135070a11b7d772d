'use client';

/**
 * A published diagram, read-only (bpmn-js NavigatedViewer: pan and zoom), with marks drawn over it:
 * a version's differences from another, or where an instance has been and waits. The definition
 * is drawn through the engine's own BPMN export, as the designer does.
 */
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { useEffect, useRef, useState } from 'react';
import { exportBpmn } from '@/engine/bpmn/export';
import { trellisModdle } from '@/engine/bpmn/trellis-moddle';
import type { Diagram, LocalizedText, ProcessDefinitionInput } from '@/engine/model/definition';
import { translator, type Locale } from '../../_i18n/messages';
import { drawGhosts, setBadges, setMarks, showTranslations } from './marks';

export interface DiagramViewProps {
  definition: unknown;
  locale: Locale;
  /** The diagram's accessible name. */
  label: string;
  /** Element id → marker class, and every class that may be set (taken off first). */
  marks?: Record<string, string>;
  markerFamily?: readonly string[];
  /** Elements another version drew that this one has not: drawn as ghosts where that version drew them. */
  ghosts?: { ids: string[]; diagrams: Diagram[] | undefined; names: Map<string, LocalizedText | undefined> };
  badges?: Record<string, { text: string; kind: string; label: string }>;
}

export default function DiagramView({
  definition,
  locale,
  label,
  marks,
  markerFamily,
  ghosts,
  badges,
}: DiagramViewProps) {
  const t = translator(locale);
  const container = useRef<HTMLDivElement>(null);
  const viewer = useRef<NavigatedViewer | null>(null);
  const [ready, setReady] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!container.current) return;
    const v = new NavigatedViewer({
      container: container.current,
      moddleExtensions: { trellis: trellisModdle },
    } as ConstructorParameters<typeof NavigatedViewer>[0]);
    viewer.current = v;
    let cancelled = false;
    (async () => {
      try {
        const xml = await exportBpmn(definition as ProcessDefinitionInput);
        if (cancelled) return;
        await v.importXML(xml);
        if (cancelled) return;
        showTranslations(v, locale);
        fitHeight(v, container.current!);
        setReady(true);
      } catch (e) {
        if (!cancelled) setError((e as Error).message);
      }
    })();
    return () => {
      cancelled = true;
      v.destroy();
      viewer.current = null;
    };
  }, [definition, locale]);

  useEffect(() => {
    const v = viewer.current;
    if (!ready || !v) return;
    setMarks(v, markerFamily ?? Object.values(marks ?? {}), marks ?? {});
    drawGhosts(v, ghosts?.ids ?? [], ghosts?.diagrams, ghosts?.names ?? new Map(), locale);
    setBadges(v, badges ?? {});
    container.current?.setAttribute('data-ready', 'true');
  }, [ready, marks, markerFamily, ghosts, badges, locale]);

  return (
    <>
      {error && (
        <p className="notice error" role="alert">
          {t('designerCannotDraw', { reason: error })}
        </p>
      )}
      <div ref={container} className="diagram-view" role="figure" aria-label={label} data-testid="diagram-view" />
    </>
  );
}

/** As tall as the diagram needs at the container's width (a wide process leaves no empty half), then the whole diagram in view, centred. */
function fitHeight(v: NavigatedViewer, container: HTMLElement) {
  const canvas = v.get('canvas') as {
    viewbox(): { inner: { width: number; height: number } };
    resized(): void;
    zoom(level: string, center?: string): void;
  };
  const { inner } = canvas.viewbox();
  const width = container.clientWidth;
  if (inner.width > 0 && width > 0) {
    const scale = Math.min(1, (width - 32) / inner.width);
    const wanted = inner.height * scale + 48;
    container.style.height = `${Math.round(Math.max(160, Math.min(wanted, window.innerHeight * 0.6)))}px`;
    canvas.resized();
  }
  canvas.zoom('fit-viewport', 'auto');
}
