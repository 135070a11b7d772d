'use client';

/** The table editor on a stored table (as the engine keeps it) or on a blank one with a suggested key. */
import type { DecisionInput } from '@/engine/decisions/model';
import type { Locale } from '../../_i18n/messages';
import { blankTable, DecisionEditor, editedFrom } from './decision-editor';

export function DecisionEditorLoader({
  locale,
  decision,
  suggestedKey = '',
  baseVersion,
  publishedAt,
}: {
  locale: Locale;
  decision: DecisionInput | null;
  suggestedKey?: string;
  baseVersion: number | null;
  publishedAt: string | null;
}) {
  return (
    <DecisionEditor
      locale={locale}
      table={decision ? editedFrom(decision) : blankTable(suggestedKey)}
      baseVersion={baseVersion}
      publishedAt={publishedAt}
    />
  );
}
