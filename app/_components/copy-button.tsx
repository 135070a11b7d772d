'use client';

/**
 * Copying a value to the clipboard from a button, with the outcome beside it: the secret panels of
 * the webhook pages, the inbound hook's address, the API key's token.
 */
import { useState } from 'react';
import { translator, type Locale } from '../_i18n/messages';

/**
 * A copy button with its outcome in a status region: `copied`, or `failed` (how to copy by hand).
 * The outcome speaks of the text it copied, so a new `text` clears it. The region is there, empty,
 * from the start: a live region that appears with its text is not announced.
 */
export function CopyButton({
  text,
  label,
  copied,
  failed,
}: {
  text: string;
  label: string;
  copied: string;
  failed: string;
}) {
  const [outcome, setOutcome] = useState<{ text: string; ok: boolean } | null>(null);
  const shown = outcome?.text === text ? outcome : null;
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setOutcome({ text, ok: true });
    } catch {
      setOutcome({ text, ok: false });
    }
  };
  return (
    <>
      <button type="button" className="secondary" onClick={copy}>
        {label}
      </button>
      <span role="status" className={shown?.ok === false ? 'error-text' : 'muted'}>
        {shown && (shown.ok ? copied : failed)}
      </span>
    </>
  );
}

/**
 * A value as selectable code in a `secret-row`, after its label if it has one, with a copy button
 * (outcome in the webhook pages' words). `address` styles it as a URL; `className` adds to the row's.
 */
export function CopyableValue({
  value,
  label,
  copyLabel,
  testId,
  address = false,
  className,
  locale,
}: {
  value: string;
  label?: string;
  copyLabel: string;
  testId: string;
  address?: boolean;
  className?: string;
  locale: Locale;
}) {
  const t = translator(locale);
  return (
    <div className={className ? `secret-row ${className}` : 'secret-row'}>
      {label && <span className="muted">{label}</span>}
      <code className={address ? 'secret address' : 'secret'} data-testid={testId}>
        {value}
      </code>
      <CopyButton text={value} label={copyLabel} copied={t('webhookCopied')} failed={t('webhookCopyFailed')} />
    </div>
  );
}
