'use client';

/**
 * What the action components share around one server command: a busy flag while it runs, one line
 * saying how it went (a refusal, or what it did), and a refresh of the page's server data once it
 * succeeded. The line is rendered as text: server messages and names never become markup.
 */
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { describeFailure, type ClientFailure } from './trpc';

/** How a command went, as one line: `error` shows it as a refusal. */
export type Outcome = { error: boolean; text: string };

/**
 * `failed` words a refusal (the server's message by default); returning null shows no line, for
 * forms that show the refusal beside the fields it names instead.
 */
export function useCommand(failed: (failure: ClientFailure) => string | null = (failure) => failure.message) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Outcome | null>(null);
  /**
   * Runs `action`; once it succeeds, `done` gets its result and may return the line to show, and
   * the page goes to `goTo` (staying busy while the next page loads) or refreshes its data.
   * Resolves to whether it succeeded.
   */
  const run = async <T,>(
    action: () => Promise<T>,
    { done, goTo }: { done?: (result: T) => string | Outcome | void; goTo?: string } = {},
  ): Promise<boolean> => {
    setBusy(true);
    setMessage(null);
    let leaving = false;
    try {
      const result = await action();
      const said = done?.(result);
      if (said) setMessage(typeof said === 'string' ? { error: false, text: said } : said);
      if (goTo) {
        router.push(goTo);
        leaving = true;
      }
      router.refresh();
      return true;
    } catch (error) {
      const text = failed(describeFailure(error));
      if (text !== null) setMessage({ error: true, text });
      return false;
    } finally {
      if (!leaving) setBusy(false);
    }
  };
  return { busy, message, setMessage, run };
}

/**
 * The outcome line: role="alert" and class "error-text" for a refusal, role="status" and "muted"
 * otherwise. `status` keeps role="status" for a bad outcome the user asked to see (a retry that
 * failed again, an email not sent); `spaced` puts a space before it, beside a button in a line.
 */
export function CommandMessage({
  message,
  as: Tag = 'span',
  spaced = false,
  status = false,
  testId,
}: {
  message: Outcome | null;
  as?: 'span' | 'div' | 'p';
  spaced?: boolean;
  status?: boolean;
  testId?: string;
}) {
  if (!message) return null;
  return (
    <Tag
      role={message.error && !status ? 'alert' : 'status'}
      className={message.error ? 'error-text' : 'muted'}
      data-testid={testId}
    >
      {spaced && ' '}
      {message.text}
    </Tag>
  );
}

/** A form's submit button (its label while busy) with the outcome line beside it; `danger` for one that ends something. */
export function FormActions({
  busy,
  label,
  busyLabel,
  message,
  danger = false,
}: {
  busy: boolean;
  label: string;
  busyLabel: string;
  message: Outcome | null;
  danger?: boolean;
}) {
  return (
    <div className="form-actions">
      <button type="submit" className={danger ? 'primary danger' : 'primary'} disabled={busy}>
        {busy ? busyLabel : label}
      </button>
      <CommandMessage message={message} />
    </div>
  );
}
