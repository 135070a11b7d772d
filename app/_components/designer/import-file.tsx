'use client';

/**
 * "Import file": a BPMN file (Camunda 7/8, Flowable, any modeler) or a Trellis JSON definition
 * becomes a draft, and the designer opens it with the import report. The server reads the file
 * with the importer's limits (size, no DOCTYPE); its refusal is shown as text.
 */
import { useId, useState } from 'react';
import { translator, type Locale } from '../../_i18n/messages';
import { CommandMessage, useCommand } from '../command';
import { trpc } from '../trpc';

/** The server takes up to 2 MB of text; a bigger file is refused before it is sent. */
const MAX_FILE_BYTES = 2_000_000;

export function ImportProcessFile({ locale }: { locale: Locale }) {
  const t = translator(locale);
  const id = useId();
  const { busy, message, setMessage, run } = useCommand();
  const [reading, setReading] = useState<string | null>(null);

  const pick = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      setMessage({ error: true, text: `${file.name}: ${t('processImportHint')}` });
      return;
    }
    setReading(file.name);
    const content = await file.text();
    let key = '';
    await run(() => trpc.process.import.mutate({ fileName: file.name, content }), {
      done: (result) => {
        key = result.key;
      },
    }).then((ok) => {
      if (ok) window.location.assign(`/processes/${encodeURIComponent(key)}`);
      else setReading(null);
    });
  };

  return (
    <div className="import-file">
      <label htmlFor={id} className="button secondary-button">
        {t('processImportFile')}
      </label>
      <input
        id={id}
        type="file"
        accept=".bpmn,.bpmn2,.xml,.json,application/xml,application/json"
        className="visually-hidden"
        disabled={busy}
        onChange={(e) => void pick(e.target.files?.[0])}
      />
      <span className="muted small">
        {' '}
        {reading ? t('processImporting', { file: reading }) : t('processImportHint')}
      </span>
      <CommandMessage message={message} as="div" />
    </div>
  );
}
