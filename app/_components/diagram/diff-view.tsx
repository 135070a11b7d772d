'use client';

/**
 * The engine's semantic diff (engine/model/diff.ts) as people read it: what was added, removed and
 * changed (each property before → after), with names in the page's language, and the markers that
 * draw it on a diagram (added green, changed amber; removed elements are ghosts).
 */
import type { DefinitionDiff } from '@/engine/model/diff';
import { localize, type LocalizedText } from '@/engine/model/definition';
import { translator, type Locale } from '../../_i18n/messages';

export const DIFF_MARKERS = ['trellis-added', 'trellis-changed'] as const;

/** Element id → marker, for the diagram that is the newer side of the diff. */
export function diffMarks(diff: DefinitionDiff): Record<string, string> {
  const marks: Record<string, string> = {};
  for (const c of diff.changed) marks[c.id] = 'trellis-changed';
  for (const a of diff.added) marks[a.id] = 'trellis-added';
  return marks;
}

/** Every element's and flow's name, at any depth, by id. */
export function namesOf(definition: unknown): Map<string, LocalizedText | undefined> {
  const out = new Map<string, LocalizedText | undefined>();
  const walk = (elements: unknown, flows: unknown) => {
    for (const e of (Array.isArray(elements) ? elements : []) as {
      id: string;
      name?: LocalizedText;
      elements?: unknown;
      flows?: unknown;
    }[]) {
      out.set(e.id, e.name);
      if (e.elements) walk(e.elements, e.flows);
    }
    for (const f of (Array.isArray(flows) ? flows : []) as { id: string; name?: LocalizedText }[])
      out.set(f.id, f.name);
  };
  const d = (definition ?? {}) as { elements?: unknown; flows?: unknown };
  walk(d.elements, d.flows);
  return out;
}

/** A value in a diff line: short, as text. */
function shown(value: unknown, locale: Locale): string {
  if (value === undefined) return '—';
  if (value && typeof value === 'object' && !Array.isArray(value) && ('en' in value || 'vi' in value))
    return localize(value as LocalizedText, locale) ?? '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}

export function isEmptyDiff(diff: DefinitionDiff): boolean {
  return diff.added.length + diff.removed.length + diff.changed.length + diff.process.length === 0;
}

export function DiffList({
  diff,
  before,
  after,
  locale,
  onSelect,
}: {
  diff: DefinitionDiff;
  before: unknown;
  after: unknown;
  locale: Locale;
  onSelect?: (id: string) => void;
}) {
  const t = translator(locale);
  const names = namesOf(after);
  const oldNames = namesOf(before);
  const label = (id: string, type: string, old = false) => {
    const name = localize((old ? oldNames : names).get(id), locale);
    return (
      <>
        {name ? `${name} ` : ''}
        <code>{id}</code> <span className="muted">({type})</span>
      </>
    );
  };
  const item = (id: string, content: React.ReactNode) =>
    onSelect ? (
      <button type="button" className="linkish" onClick={() => onSelect(id)}>
        {content}
      </button>
    ) : (
      content
    );
  if (isEmptyDiff(diff))
    return (
      <p className="muted" data-testid="diff-empty">
        {t('diffNone')}
        {diff.moved.length > 0 ? ` ${t('diffMovedOnly', { count: diff.moved.length })}` : ''}
      </p>
    );
  return (
    <div className="diff-list" data-testid="diff">
      {diff.process.length > 0 && (
        <section>
          <h3>{t('diffProcess')}</h3>
          <ul>
            {diff.process.map((c) => (
              <li key={c.path}>
                <code>{c.path}</code>: {shown(c.before, locale)} → {shown(c.after, locale)}
              </li>
            ))}
          </ul>
        </section>
      )}
      {diff.added.length > 0 && (
        <section>
          <h3>
            <span className="diff-dot diff-added" aria-hidden="true" /> {t('diffAdded', { count: diff.added.length })}
          </h3>
          <ul>
            {diff.added.map((a) => (
              <li key={a.id}>{item(a.id, label(a.id, a.type))}</li>
            ))}
          </ul>
        </section>
      )}
      {diff.changed.length > 0 && (
        <section>
          <h3>
            <span className="diff-dot diff-changed" aria-hidden="true" />{' '}
            {t('diffChanged', { count: diff.changed.length })}
          </h3>
          <ul>
            {diff.changed.map((c) => (
              <li key={c.id}>
                {item(c.id, label(c.id, c.type))}
                <ul>
                  {c.changes.map((p) => (
                    <li key={p.path}>
                      <code>{p.path}</code>: {shown(p.before, locale)} → {shown(p.after, locale)}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
        </section>
      )}
      {diff.removed.length > 0 && (
        <section>
          <h3>
            <span className="diff-dot diff-removed" aria-hidden="true" />{' '}
            {t('diffRemoved', { count: diff.removed.length })}
          </h3>
          <ul>
            {diff.removed.map((r) => (
              <li key={r.id}>{label(r.id, r.type, true)}</li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}
