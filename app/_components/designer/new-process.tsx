'use client';

/**
 * A new process: its names in English and Vietnamese, its key (offered from the English name until
 * typed) and its department. The server checks again and names the field it refuses.
 */
import { useState } from 'react';
import { translator, type Locale } from '../../_i18n/messages';
import { CommandMessage, useCommand } from '../command';
import { trpc } from '../trpc';

/** "Leave request" → "leave-request"; Vietnamese letters lose their marks ("Nghỉ phép" → "nghi-phep"). */
export function keyFrom(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
}

export function NewProcessForm({
  locale,
  departments,
}: {
  locale: Locale;
  departments: { key: string; name: string }[];
}) {
  const t = translator(locale);
  const { busy, message, run } = useCommand();
  const [en, setEn] = useState('');
  const [vi, setVi] = useState('');
  const [key, setKey] = useState('');
  const [keyTyped, setKeyTyped] = useState(false);
  const [category, setCategory] = useState('');
  const shownKey = keyTyped ? key : keyFrom(en || vi);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    await run(
      () =>
        trpc.process.create.mutate({
          key: shownKey,
          name: { en: en.trim(), vi: vi.trim() },
          ...(category ? { category } : {}),
        }),
      { goTo: `/processes/${encodeURIComponent(shownKey)}` },
    );
  };

  return (
    <form className="panel account-form new-process" onSubmit={(e) => void submit(e)}>
      <label>
        {t('fieldNameEn')}
        <input value={en} onChange={(e) => setEn(e.target.value)} required maxLength={200} autoComplete="off" />
      </label>
      <label>
        {t('fieldNameVi')}
        <input
          value={vi}
          onChange={(e) => setVi(e.target.value)}
          required
          maxLength={200}
          autoComplete="off"
          lang="vi"
        />
      </label>
      <label>
        {t('fieldProcessKey')}
        <input
          value={shownKey}
          onChange={(e) => {
            setKeyTyped(true);
            setKey(e.target.value);
          }}
          required
          pattern="[a-z0-9][a-z0-9\-]*"
          maxLength={60}
          autoComplete="off"
          aria-describedby="process-key-hint"
        />
        <span id="process-key-hint" className="muted small">
          {t('fieldProcessKeyHint')}
        </span>
      </label>
      <label>
        {t('fieldDepartment')}
        <select value={category} onChange={(e) => setCategory(e.target.value)}>
          <option value="">{t('departmentNone')}</option>
          {departments.map((d) => (
            <option key={d.key} value={d.key}>
              {d.name}
            </option>
          ))}
        </select>
      </label>
      <div className="form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {t('createDraft')}
        </button>
        <CommandMessage message={message} />
      </div>
    </form>
  );
}
