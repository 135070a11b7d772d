'use client';

/**
 * Imports a template pack into the company (template.importLibrary): which processes, each
 * department they name mapped to one of the company's — or, for an admin, created in the same
 * step — and whether to publish them at once or leave drafts for the designer.
 */
import { useRouter } from 'next/navigation';
import { useId, useRef, useState } from 'react';
import { translator, type Locale } from '../_i18n/messages';
import { describeFailure, trpc } from './trpc';

const CREATE = 'create:';

export function TemplateImport({
  pack,
  file,
  company,
  departments,
  mayCreate,
  locale,
}: {
  pack: {
    key: string;
    name: string;
    departments: { key: string; name: string }[];
    templates: { key: string; name: string; have: boolean; departments: string[] }[];
  };
  /** A pack file's text (imported with template.import); else the library's pack by its key. */ file?: string;
  company: string;
  departments: { key: string; name: string }[];
  mayCreate: boolean;
  locale: Locale;
}) {
  const t = translator(locale);
  const id = useId();
  const router = useRouter();
  const [map, setMap] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      pack.departments.map((d) => [
        d.key,
        departments.some((c) => c.key === d.key) ? d.key : mayCreate ? `${CREATE}${d.key}` : '',
      ]),
    ),
  );
  const [chosen, setChosen] = useState<string[]>(() => pack.templates.filter((tpl) => !tpl.have).map((tpl) => tpl.key));
  const [publish, setPublish] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{
    error: boolean;
    text: string;
    warnings?: string[];
    links?: { key: string; name: string }[];
  } | null>(null);

  // Only the departments the chosen processes name are asked for.
  const needed = pack.departments.filter((d) =>
    pack.templates.some((tpl) => chosen.includes(tpl.key) && tpl.departments.includes(d.key)),
  );

  const submit = async () => {
    const unmapped = needed.find((d) => !map[d.key]);
    if (unmapped) return setResult({ error: true, text: t('templatesUnmapped', { name: unmapped.name }) });
    if (chosen.length === 0) return setResult({ error: true, text: t('templatesNothingChosen') });
    setBusy(true);
    setResult(null);
    try {
      const targets = needed.map((d) => [d.key, map[d.key]!] as const);
      const departmentsMap = Object.fromEntries(
        targets.map(([from, to]) => [from, to.startsWith(CREATE) ? to.slice(CREATE.length) : to]),
      );
      const options = {
        departments: departmentsMap,
        createDepartments: targets.some(([, to]) => to.startsWith(CREATE)),
        publish,
        templates: chosen,
      };
      const done =
        file === undefined
          ? await trpc.template.importLibrary.mutate({ pack: pack.key, ...options })
          : await trpc.template.import.mutate({ pack: file, ...options });
      const names = done.processes.map((p) => pack.templates.find((tpl) => tpl.key === p.key)?.name ?? p.key);
      setResult({
        error: false,
        text: [
          t('templatesImported', { list: names.join(', ') }),
          done.departmentsCreated.length > 0 ? t('templatesCreated', { list: done.departmentsCreated.join(', ') }) : '',
        ]
          .filter(Boolean)
          .join(' '),
        warnings: done.warnings,
        links: done.processes.map((p, i) => ({ key: p.key, name: names[i]! })),
      });
      router.refresh();
    } catch (error) {
      const failure = describeFailure(error);
      setResult({
        error: true,
        text:
          failure.fields.length > 0 ? failure.fields.map((f) => `${f.label}: ${f.message}`).join(' ') : failure.message,
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="props template-import"
      onSubmit={(e) => (e.preventDefault(), void submit())}
      aria-labelledby={`${id}-title`}
      data-testid={file === undefined ? `import-${pack.key}` : 'import-file-form'}
    >
      <h3 id={`${id}-title`}>{t('templatesImportTitle', { company })}</h3>
      {needed.map((d) => (
        <label key={d.key} className="props-field" htmlFor={`${id}-${d.key}`}>
          {t('templatesMapTo', { name: d.name })}
          <select
            id={`${id}-${d.key}`}
            value={map[d.key] ?? ''}
            onChange={(e) => setMap((m) => ({ ...m, [d.key]: e.target.value }))}
            data-testid={`map-${d.key}`}
          >
            <option value="">{t('templatesChooseDepartment')}</option>
            {departments.map((c) => (
              <option key={c.key} value={c.key}>
                {c.name} ({c.key})
              </option>
            ))}
            {mayCreate && !departments.some((c) => c.key === d.key) && (
              <option value={`${CREATE}${d.key}`}>{t('templatesCreate', { key: d.key, name: d.name })}</option>
            )}
          </select>
        </label>
      ))}
      <fieldset className="props-group">
        <legend>{t('templatesWhich')}</legend>
        {pack.templates.map((tpl) => (
          <label key={tpl.key} className="props-check">
            <input
              type="checkbox"
              checked={chosen.includes(tpl.key)}
              disabled={tpl.have}
              onChange={(e) => setChosen((c) => (e.target.checked ? [...c, tpl.key] : c.filter((k) => k !== tpl.key)))}
            />
            {tpl.name}
          </label>
        ))}
      </fieldset>
      <label className="props-check">
        <input
          type="checkbox"
          checked={publish}
          onChange={(e) => setPublish(e.target.checked)}
          data-testid="import-publish"
        />
        {t('templatesPublish')}
      </label>
      <button type="submit" className="primary" disabled={busy}>
        {busy ? t('templatesImporting') : t('templatesImport')}
      </button>
      {result && (
        <div
          className={result.error ? 'notice error' : 'notice'}
          role={result.error ? 'alert' : 'status'}
          data-testid="import-result"
        >
          {result.text}
          {result.warnings && result.warnings.length > 0 && (
            <ul className="warnings" data-testid="import-warnings">
              {result.warnings.map((w) => (
                <li key={w}>{w}</li>
              ))}
            </ul>
          )}
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

/** The most a pack file may hold (the server's own limit on template.import). */
const MAX_PACK_CHARS = 10_000_000;

/**
 * Imports a pack file (`trellis pack`, or another company's `trellis export --pack`): its manifest
 * is read here only to show what it holds and ask where its departments go; the server reads and
 * checks the whole file again (engine/packs/pack.ts) and refuses it naming each file and element.
 */
export function PackFileImport({
  company,
  departments,
  mayCreate,
  locale,
}: {
  company: string;
  departments: { key: string; name: string }[];
  mayCreate: boolean;
  locale: Locale;
}) {
  const t = translator(locale);
  const id = useId();
  const [loaded, setLoaded] = useState<{
    text: string;
    pack: Parameters<typeof TemplateImport>[0]['pack'];
    n: number;
  } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reads = useRef(0);

  const read = async (chosen: File | undefined) => {
    setError(null);
    if (!chosen) return setLoaded(null);
    // A character takes at most 4 bytes: past that the file cannot be within the limit, and is not read.
    setLoaded(null);
    if (chosen.size > 4 * MAX_PACK_CHARS) return setError(t('templatesFileTooLarge', { name: chosen.name }));
    const text = await chosen.text();
    if (text.length > MAX_PACK_CHARS) return setError(t('templatesFileTooLarge', { name: chosen.name }));
    const manifest = manifestOf(text, locale);
    if (!manifest) return setError(t('templatesFileNotPack', { name: chosen.name }));
    // each file read gets a fresh import form (nothing chosen for the last one carries over)
    reads.current += 1;
    setLoaded({ text, pack: manifest, n: reads.current });
  };

  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{t('templatesFileTitle')}</h2>
      <p className="muted">{t('templatesFileIntro')}</p>
      <label htmlFor={`${id}-file`}>{t('templatesFileChoose')}</label>{' '}
      <input
        id={`${id}-file`}
        type="file"
        accept=".json,application/json"
        onChange={(e) => void read(e.target.files?.[0])}
        data-testid="pack-file"
      />
      {error && (
        <p className="notice error" role="alert">
          {error}
        </p>
      )}
      {loaded && (
        <>
          <p data-testid="pack-file-summary">
            {t('templatesFileHolds', {
              name: loaded.pack.name,
              list: loaded.pack.templates.map((tpl) => tpl.key).join(', '),
            })}
          </p>
          <TemplateImport
            key={loaded.n}
            pack={loaded.pack}
            file={loaded.text}
            company={company}
            departments={departments}
            mayCreate={mayCreate}
            locale={locale}
          />
        </>
      )}
    </section>
  );
}

/** What the import form needs of a pack file's manifest, or null when the text is not a pack. */
function manifestOf(text: string, locale: Locale): Parameters<typeof TemplateImport>[0]['pack'] | null {
  try {
    const data = JSON.parse(text) as {
      format?: unknown;
      manifest?: {
        key?: unknown;
        name?: Record<string, unknown>;
        departments?: { key?: unknown; name?: Record<string, unknown> }[];
        processes?: unknown[];
      };
    };
    const m = data.manifest;
    if (
      data.format !== 'trellis-pack' ||
      !m ||
      typeof m.key !== 'string' ||
      !Array.isArray(m.departments) ||
      !Array.isArray(m.processes)
    )
      return null;
    const name = (n: Record<string, unknown> | undefined, fallback: string) =>
      typeof n?.[locale] === 'string' ? (n[locale] as string) : fallback;
    const departments = m.departments
      .filter((d) => typeof d.key === 'string')
      .map((d) => ({ key: d.key as string, name: name(d.name, d.key as string) }));
    const keys = departments.map((d) => d.key);
    // Which department each process names is the server's to read: every one is asked for.
    return {
      key: m.key,
      name: name(m.name, m.key),
      departments,
      templates: m.processes
        .filter((p): p is string => typeof p === 'string')
        .map((key) => ({ key, name: key, have: false, departments: keys })),
    };
  } catch {
    return null;
  }
}
