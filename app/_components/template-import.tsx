'use client';

/**
 * Imports a template pack into the company (template.importLibrary): each of the pack's
 * departments mapped to one of the company's — or, for an admin, created in the same step — which
 * processes, and whether to publish them at once or leave drafts for the designer.
 */
import { useRouter } from 'next/navigation';
import { useId, useState } from 'react';
import { translator, type Locale } from '../_i18n/messages';
import { describeFailure, trpc } from './trpc';

const CREATE = 'create:';

export function TemplateImport({ pack, company, departments, mayCreate, locale }: { pack: { key: string; name: string; departments: { key: string; name: string }[]; templates: { key: string; name: string; have: boolean }[] }; company: string; departments: { key: string; name: string }[]; mayCreate: boolean; locale: Locale }) {
  const t = translator(locale);
  const id = useId();
  const router = useRouter();
  const [map, setMap] = useState<Record<string, string>>(() =>
    Object.fromEntries(pack.departments.map((d) => [d.key, departments.some((c) => c.key === d.key) ? d.key : mayCreate ? `${CREATE}${d.key}` : ''])),
  );
  const [chosen, setChosen] = useState<string[]>(() => pack.templates.filter((tpl) => !tpl.have).map((tpl) => tpl.key));
  const [publish, setPublish] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ error: boolean; text: string; links?: { key: string; name: string }[] } | null>(null);

  const submit = async () => {
    const unmapped = pack.departments.find((d) => !map[d.key]);
    if (unmapped) return setResult({ error: true, text: t('templatesUnmapped', { name: unmapped.name }) });
    if (chosen.length === 0) return setResult({ error: true, text: t('templatesNothingChosen') });
    setBusy(true);
    setResult(null);
    try {
      const departmentsMap = Object.fromEntries(Object.entries(map).map(([from, to]) => [from, to.startsWith(CREATE) ? to.slice(CREATE.length) : to]));
      const done = await trpc.template.importLibrary.mutate({ pack: pack.key, departments: departmentsMap, createDepartments: Object.values(map).some((to) => to.startsWith(CREATE)), publish, templates: chosen });
      const names = done.processes.map((p) => pack.templates.find((tpl) => tpl.key === p.key)?.name ?? p.key);
      setResult({ error: false, text: [t('templatesImported', { list: names.join(', ') }), done.departmentsCreated.length > 0 ? t('templatesCreated', { list: done.departmentsCreated.join(', ') }) : ''].filter(Boolean).join(' '), links: done.processes.map((p, i) => ({ key: p.key, name: names[i]! })) });
      router.refresh();
    } catch (error) {
      const failure = describeFailure(error);
      setResult({ error: true, text: failure.fields.length > 0 ? failure.fields.map((f) => `${f.label}: ${f.message}`).join(' ') : failure.message });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="props template-import" onSubmit={(e) => (e.preventDefault(), void submit())} aria-labelledby={`${id}-title`} data-testid={`import-${pack.key}`}>
      <h3 id={`${id}-title`}>{t('templatesImportTitle', { company })}</h3>
      {pack.departments.map((d) => (
        <label key={d.key} className="props-field" htmlFor={`${id}-${d.key}`}>
          {t('templatesMapTo', { name: d.name })}
          <select id={`${id}-${d.key}`} value={map[d.key] ?? ''} onChange={(e) => setMap((m) => ({ ...m, [d.key]: e.target.value }))} data-testid={`map-${d.key}`}>
            <option value="">{t('templatesChooseDepartment')}</option>
            {departments.map((c) => (
              <option key={c.key} value={c.key}>
                {c.name} ({c.key})
              </option>
            ))}
            {mayCreate && !departments.some((c) => c.key === d.key) && <option value={`${CREATE}${d.key}`}>{t('templatesCreate', { key: d.key, name: d.name })}</option>}
          </select>
        </label>
      ))}
      <fieldset className="props-group">
        <legend>{t('templatesWhich')}</legend>
        {pack.templates.map((tpl) => (
          <label key={tpl.key} className="props-check">
            <input type="checkbox" checked={chosen.includes(tpl.key)} disabled={tpl.have} onChange={(e) => setChosen((c) => (e.target.checked ? [...c, tpl.key] : c.filter((k) => k !== tpl.key)))} />
            {tpl.name}
          </label>
        ))}
      </fieldset>
      <label className="props-check">
        <input type="checkbox" checked={publish} onChange={(e) => setPublish(e.target.checked)} data-testid="import-publish" />
        {t('templatesPublish')}
      </label>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t('templatesImporting') : t('templatesImport')}
      </button>
      {result && (
        <div className={result.error ? 'notice error' : 'notice'} role={result.error ? 'alert' : 'status'} data-testid="import-result">
          {result.text}
          {result.links && (
            <ul>
              {result.links.map((l) => (
                <li key={l.key}>
                  <a href={`/processes/${encodeURIComponent(l.key)}`}>{t('templatesOpen', { name: l.name })}</a>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </form>
  );
}
