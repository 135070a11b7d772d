'use client';

/**
 * The case's files: those sent with its forms and those attached beside its comments, each a
 * download link; whoever may open the case (but auditors) attaches more. Names are rendered as text.
 */
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { formatFileSize } from '../_i18n/format';
import { translator, type Locale } from '../_i18n/messages';

export interface CaseFile {
  id: string;
  name: string;
  size: number;
  uploadedBy: string;
  when: string;
  viaForm: boolean;
}

export function CaseFiles({
  instanceId,
  files,
  canAttach,
  locale,
}: {
  instanceId: string;
  files: CaseFile[];
  canAttach: boolean;
  locale: Locale;
}) {
  const t = translator(locale);
  const router = useRouter();
  const [status, setStatus] = useState<{ error: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const attach = async (file: File) => {
    setBusy(true);
    setStatus(null);
    try {
      const params = new URLSearchParams({ instanceId, name: file.name });
      const response = await fetch(`/api/attachments?${params}`, {
        method: 'POST',
        body: file,
        headers: { 'Content-Type': 'application/octet-stream' },
      });
      const body = (await response.json().catch(() => null)) as {
        name?: string;
        message?: string;
        error?: { message?: string };
      } | null;
      if (!response.ok)
        setStatus({
          error: true,
          text: body?.message ?? body?.error?.message ?? `${response.status} ${response.statusText}`,
        });
      else {
        setStatus({ error: false, text: t('caseFileAttached', { name: body?.name ?? file.name }) });
        router.refresh();
      }
    } catch (error) {
      setStatus({ error: true, text: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel case-files" aria-labelledby="case-files-title">
      <h2 id="case-files-title">{t('caseFilesTitle')}</h2>
      {files.length === 0 ? (
        <p className="muted">{t('caseFilesEmpty')}</p>
      ) : (
        <ul>
          {files.map((f) => (
            <li key={f.id}>
              <a href={`/api/attachments/${f.id}`} download>
                {f.name}
              </a>{' '}
              <span className="muted">
                ({formatFileSize(f.size, locale)}) · {t('caseFileBy', { name: f.uploadedBy, date: f.when })}
                {f.viaForm && <> · {t('caseFileViaForm')}</>}
              </span>
            </li>
          ))}
        </ul>
      )}
      {canAttach && (
        <label className="case-file-attach">
          <span>{t('caseFileAttach')}</span>
          <input
            type="file"
            disabled={busy}
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void attach(file);
            }}
          />
        </label>
      )}
      {status && (
        <p className={status.error ? 'error-text' : 'muted'} role={status.error ? 'alert' : 'status'}>
          {status.text}
        </p>
      )}
    </section>
  );
}
