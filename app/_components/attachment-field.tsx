'use client';

import type { FieldProps } from '@rjsf/utils';
import { useRef, useState } from 'react';
import type { AttachmentRef } from '@/engine/forms/attachments';
import { formatFileSize } from '../_i18n/format';
import { translator, type Locale } from '../_i18n/messages';
import { FileLink } from './form-data-view';

/** What a form's files are uploaded for: a task, a process's start form; none in a preview or a test run (the file stays in the browser). */
export type UploadTarget = { taskId: string } | { definitionKey: string } | null;

/**
 * A file field (engine/forms/attachments.ts): choosing a file uploads it at once for the task or
 * start form (app/api/attachments) and the field holds the server's reference; the current file is
 * a download link. Read-only, it is only the link. In a preview or a test run nothing is uploaded.
 */
export function AttachmentField(props: FieldProps) {
  const { schema, formData, onChange, fieldPathId, required, disabled, readonly, rawErrors, registry } = props;
  const context = (registry.formContext ?? {}) as { locale?: Locale; uploads?: UploadTarget };
  const locale = context.locale ?? 'vi';
  const t = translator(locale);
  const id = fieldPathId.$id;
  const value =
    formData && typeof formData === 'object' && typeof (formData as AttachmentRef).id === 'string'
      ? (formData as AttachmentRef)
      : undefined;
  const [status, setStatus] = useState<{ error: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  // Files uploaded from this page and not sent yet: replacing or removing one removes it from the server too.
  const uploaded = useRef(new Set<string>());
  const title = typeof schema.title === 'string' ? schema.title : '';
  const set = (next: AttachmentRef | undefined) => onChange(next, fieldPathId.path);

  const forget = (ref: AttachmentRef | undefined) => {
    if (ref && uploaded.current.has(ref.id)) {
      uploaded.current.delete(ref.id);
      void fetch(`/api/attachments/${encodeURIComponent(ref.id)}`, { method: 'DELETE' }).catch(() => {});
    }
  };

  const choose = async (file: File) => {
    const target = context.uploads;
    if (!target) {
      set({ id: crypto.randomUUID(), name: file.name, size: file.size, type: file.type || 'application/octet-stream' });
      setStatus({ error: false, text: t('filePreviewOnly') });
      return;
    }
    setBusy(true);
    setStatus({ error: false, text: t('fileUploading', { name: file.name }) });
    try {
      const params = new URLSearchParams({
        name: file.name,
        ...('taskId' in target ? { taskId: target.taskId } : { definitionKey: target.definitionKey }),
      });
      const response = await fetch(`/api/attachments?${params}`, {
        method: 'POST',
        body: file,
        headers: { 'Content-Type': 'application/octet-stream' },
      });
      // A refusal is { code, message } (a cross-site one { error: { message } }).
      const body = (await response.json().catch(() => null)) as
        (AttachmentRef & { message?: string; error?: { message?: string } }) | null;
      if (!response.ok || !body) {
        setStatus({
          error: true,
          text: body?.message ?? body?.error?.message ?? `${response.status} ${response.statusText}`,
        });
        return;
      }
      forget(value);
      uploaded.current.add(body.id);
      set({ id: body.id, name: body.name, size: body.size, type: body.type });
      setStatus({
        error: false,
        text: t('fileUploaded', { name: body.name, size: formatFileSize(body.size, locale) }),
      });
    } catch (error) {
      setStatus({ error: true, text: (error as Error).message });
    } finally {
      setBusy(false);
    }
  };

  const inert = disabled || readonly;
  return (
    <div className="form-group field attachment-field" data-attachment-field={id}>
      <label className="control-label" htmlFor={id}>
        {title}
        {required && <span className="required">*</span>}
      </label>
      {typeof schema.description === 'string' && schema.description && (
        <p className="field-description">{schema.description}</p>
      )}
      <div className="attachment-current">
        {value ? (
          context.uploads === null || context.uploads === undefined ? (
            <span>{value.name}</span>
          ) : (
            <FileLink file={value} locale={locale} />
          )
        ) : (
          <span className="muted">{t('fileNone')}</span>
        )}
        {value && !inert && (
          <button
            type="button"
            className="secondary small"
            onClick={() => {
              forget(value);
              set(undefined);
              setStatus(null);
            }}
          >
            {t('fileRemove')}
          </button>
        )}
      </div>
      {!inert && (
        <span className="attachment-choose">
          <input
            id={id}
            type="file"
            className="visually-hidden"
            aria-label={`${title}: ${value ? t('fileReplace') : t('fileChoose')}`}
            disabled={busy}
            onChange={(e) => {
              const file = e.target.files?.[0];
              e.target.value = '';
              if (file) void choose(file);
            }}
          />
          {/* The picker's own button speaks the browser's language; this one the page's. */}
          <label htmlFor={id} className="file-button" aria-hidden="true">
            {value ? t('fileReplace') : t('fileChoose')}
          </label>
        </span>
      )}
      {status && (
        <p
          className={status.error ? 'field-error' : 'muted small'}
          role={status.error ? 'alert' : 'status'}
          data-testid="attachment-status"
        >
          {status.text}
        </p>
      )}
      {rawErrors && rawErrors.length > 0 && (
        <ul className="error-detail">
          {rawErrors.map((e) => (
            <li key={e} className="text-danger">
              {e}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
