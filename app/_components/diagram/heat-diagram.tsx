'use client';

/**
 * A process version's diagram with each element coloured by how long instances wait there (the
 * heat overlay of marks.ts) and a badge saying the time in words: the same read-only viewer the
 * instance page uses, with another family of marks.
 */
import { useMemo } from 'react';
import type { Locale } from '../../_i18n/messages';
import { DiagramViewLoader } from './diagram-view-loader';
import { HEAT_FAMILY, heatLevel } from './marks';

export interface ElementHeat {
  /** The median wait in seconds: what the colour shows. */
  seconds: number;
  /** The badge's text (the time, formatted for the reader). */
  text: string;
  /** The badge's title and accessible name: the element, the time and how many waits. */
  label: string;
}

export function HeatDiagram({
  definition,
  locale,
  label,
  heat,
}: {
  definition: unknown;
  locale: Locale;
  label: string;
  heat: Record<string, ElementHeat>;
}) {
  const { marks, badges } = useMemo(() => {
    const marks: Record<string, string> = {};
    const badges: Record<string, { text: string; kind: string; label: string }> = {};
    for (const [id, h] of Object.entries(heat)) {
      const level = heatLevel(h.seconds);
      marks[id] = HEAT_FAMILY[level]!;
      badges[id] = { text: h.text, kind: `heat-${level}`, label: h.label };
    }
    return { marks, badges };
  }, [heat]);
  return (
    <DiagramViewLoader
      definition={definition}
      locale={locale}
      label={label}
      marks={marks}
      markerFamily={HEAT_FAMILY}
      badges={badges}
    />
  );
}
