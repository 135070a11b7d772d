'use client';

/**
 * Upgrading a process that came from the library to the template's newer version
 * (template.upgrade): first what the template changed, each ticked to take it — those the company
 * changed too are marked and left unticked — then a new draft with the ticked changes.
 */
import { useState } from 'react';
import { localize, type LocalizedText } from '@/engine';
import { translator, type Locale, type MessageKey } from '../_i18n/messages';
import { describeFailure, trpc } from './trpc';

type Change = { id: string; kind: 'added' | 'removed' | 'changed'; type: string; conflict: boolean; name?: unknown };

export function TemplateUpgrade({
  processKey,
  name,
  from,
  to,
  locale,
}: {
  processKey: string;
  name: string;
  from: string;
  to: string;
  locale: Locale;
}) {
  const t = translator(locale);
  const [changes, setChanges] = useState<Change[] | null>(null);
  const [take, setTake] = useState<Record<string, boolean>>({});
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ error: boolean; text: string } | null>(null);

  const run = async (preview: boolean) => {
    setBusy(true);
    setResult(null);
    try {
      const done = await trpc.template.upgrade.mutate({ processKey, ...(preview ? { preview: true } : { take }) });
      if (preview) {
        setChanges(done.changes as Change[]);
        setTake(Object.fromEntries((done.changes as Change[]).map((c) => [c.id, !c.conflict])));
      } else setResult({ error: false, text: t('templatesUpgraded', { name }) });
    } catch (error) {
      setResult({ error: true, text: describeFailure(error).message });
    } finally {
      setBusy(false);
    }
  };
  const label = (c: Change) => {
    const named = c.name ? localize(c.name as LocalizedText, locale) : undefined;
    return `${t(`templatesChange_${c.kind}` as MessageKey)}: ${named ? `${named} (${c.id})` : c.id}`;
  };

  return (
    <div className="template-upgrade" data-testid={`upgrade-${processKey}`}>
      <p>{t('templatesNewer', { to, from })}</p>
      {changes === null ? (
        <button type="button" className="secondary" onClick={() => void run(true)} disabled={busy}>
          {t('templatesPreviewUpgrade')}
        </button>
      ) : changes.length === 0 ? (
        <p className="muted">{t('templatesNoChanges')}</p>
      ) : (
        <form onSubmit={(e) => (e.preventDefault(), void run(false))}>
          <ul className="upgrade-changes">
            {changes.map((c) => (
              <li key={c.id}>
                <label className="props-check">
                  <input
                    type="checkbox"
                    checked={take[c.id] ?? false}
                    onChange={(e) => setTake((m) => ({ ...m, [c.id]: e.target.checked }))}
                  />
                  {label(c)}
                  {c.conflict && <span className="field-error small"> — {t('templatesConflict')}</span>}
                </label>
              </li>
            ))}
          </ul>
          <button type="submit" className="primary" disabled={busy || result?.error === false}>
            {t('templatesUpgrade')}
          </button>
        </form>
      )}
      {result && (
        <p className={result.error ? 'notice error' : 'notice'} role={result.error ? 'alert' : 'status'}>
          {result.text}{' '}
          {!result.error && <a href={`/processes/${encodeURIComponent(processKey)}`}>{t('templatesOpen', { name })}</a>}
        </p>
      )}
    </div>
  );
}
