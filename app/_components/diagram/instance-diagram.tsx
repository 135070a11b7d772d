'use client';

/** An instance's published diagram with where it has been, where it waits and its incidents drawn over it. */
import { useMemo } from 'react';
import type { Locale } from '../../_i18n/messages';
import { DiagramViewLoader } from './diagram-view-loader';

const FAMILY = ['trellis-done', 'trellis-active', 'trellis-error'] as const;

export function InstanceDiagram({
  definition,
  locale,
  label,
  done,
  waiting,
  incidents,
  texts,
}: {
  definition: unknown;
  locale: Locale;
  label: string;
  /** Element id → how many times it was done. */
  done: Record<string, number>;
  /** Element id → tokens waiting there now. */
  waiting: Record<string, number>;
  incidents: string[];
  /** Badge titles, with "{count}" to fill. */
  texts: { waiting: string; done: string; incident: string };
}) {
  const { marks, badges } = useMemo(() => {
    const marks: Record<string, string> = {};
    const badges: Record<string, { text: string; kind: string; label: string }> = {};
    for (const [id, n] of Object.entries(done)) {
      marks[id] = 'trellis-done';
      badges[id] = { text: `✓${n > 1 ? ` ${n}` : ''}`, kind: 'done', label: texts.done.replace('{count}', String(n)) };
    }
    for (const [id, n] of Object.entries(waiting)) {
      marks[id] = 'trellis-active';
      badges[id] = { text: String(n), kind: 'waiting', label: texts.waiting.replace('{count}', String(n)) };
    }
    for (const id of incidents) {
      marks[id] = 'trellis-error';
      badges[id] = { text: '!', kind: 'incident', label: texts.incident };
    }
    return { marks, badges };
  }, [done, waiting, incidents, texts]);
  return (
    <DiagramViewLoader
      definition={definition}
      locale={locale}
      label={label}
      marks={marks}
      markerFamily={FAMILY}
      badges={badges}
    />
  );
}
