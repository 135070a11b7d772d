'use client';

/**
 * One version's diagram (or the draft's) with its differences from another drawn on it, and the
 * same differences as a list: the engine's diff, computed by the page.
 */
import { useMemo } from 'react';
import type { Diagram } from '@/engine/model/definition';
import type { DefinitionDiff } from '@/engine/model/diff';
import type { Locale } from '../../_i18n/messages';
import { DiagramViewLoader } from './diagram-view-loader';
import { DIFF_MARKERS, DiffList, diffMarks, namesOf } from './diff-view';

export function VersionCompare({
  diff,
  before,
  after,
  locale,
  label,
}: {
  diff: DefinitionDiff;
  before: unknown;
  after: unknown;
  locale: Locale;
  label: string;
}) {
  const marks = useMemo(() => diffMarks(diff), [diff]);
  const ghosts = useMemo(
    () => ({
      ids: diff.removed.map((r) => r.id),
      diagrams: (before as { diagrams?: Diagram[] }).diagrams,
      names: namesOf(before),
    }),
    [diff, before],
  );
  return (
    <div className="version-compare">
      <DiagramViewLoader
        definition={after}
        locale={locale}
        label={label}
        marks={marks}
        markerFamily={DIFF_MARKERS}
        ghosts={ghosts}
      />
      <DiffList diff={diff} before={before} after={after} locale={locale} />
    </div>
  );
}
