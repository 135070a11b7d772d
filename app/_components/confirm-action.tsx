'use client';

/**
 * The question a step asks before it runs (deleting, revoking, making a new secret): a group named
 * after the step, the question, the button that does it (red for one that ends something) and the
 * way back. It holds no state: the caller decides when it shows, runs the step, and moves the focus.
 */
import type { ReactNode, Ref } from 'react';

export function ConfirmAction({
  label,
  question,
  yes,
  onYes,
  danger = false,
  cancel,
  onCancel,
  busy,
  id,
  cancelRef,
  cancelOnEscape = true,
  children,
}: {
  /** The group's accessible name: the step, as its button says it. */
  label: string;
  question: string;
  yes: string;
  onYes: () => unknown;
  danger?: boolean;
  cancel: string;
  onCancel: () => void;
  busy: boolean;
  id?: string;
  /** The cancel button, for a caller that gives it the focus. */
  cancelRef?: Ref<HTMLButtonElement>;
  /** Escape inside the group cancels (unless the step is running). */
  cancelOnEscape?: boolean;
  /** Shown under the buttons: the step's refusal, where the caller puts it here. */
  children?: ReactNode;
}) {
  return (
    <div
      className="confirm"
      id={id}
      role="group"
      aria-label={label}
      onKeyDown={
        cancelOnEscape
          ? (e) => {
              if (e.key === 'Escape' && !busy) onCancel();
            }
          : undefined
      }
    >
      <p>{question}</p>
      <div className="buttons">
        <button type="button" className={danger ? 'primary danger' : 'primary'} onClick={onYes} disabled={busy}>
          {yes}
        </button>
        <button type="button" className="secondary" ref={cancelRef} onClick={onCancel} disabled={busy}>
          {cancel}
        </button>
      </div>
      {children}
    </div>
  );
}
