'use client';

/**
 * A secret shown once, right after it was made (a webhook's signing secret, an API key's token):
 * a panel that takes the focus, its title, the warning that it will not be shown again, the secret
 * and how to use it (the caller's `children`), and the button that dismisses it. The secret lives
 * only in the caller's state; this renders it and keeps nothing.
 */
import { Fragment, useEffect, useRef, type ReactNode } from 'react';

export function SecretOnce({
  secret,
  className,
  testId,
  titleId,
  heading: Heading = 'h2',
  title,
  once,
  more,
  warningId,
  dismiss,
  onDismiss,
  children,
}: {
  /** The secret shown: the panel takes the focus when it appears and again for each new one. */
  secret: string;
  className: string;
  testId: string;
  titleId: string;
  heading?: 'h2' | 'h3';
  title: string;
  /** The warning, in bold; `more` follows it (why an old secret stopped working). */
  once: string;
  more?: string;
  /** The warning's id, for a field that it describes. */
  warningId?: string;
  dismiss: string;
  onDismiss: () => void;
  children: ReactNode;
}) {
  const panel = useRef<HTMLElement>(null);
  useEffect(() => panel.current?.focus(), [secret]);
  return (
    <section className={className} ref={panel} tabIndex={-1} aria-labelledby={titleId} data-testid={testId}>
      <Heading id={titleId}>{title}</Heading>
      <p className="notice warn" id={warningId}>
        <strong>{once}</strong>
        {more && <> {more}</>}
      </p>
      {children}
      <button type="button" className="primary" onClick={onDismiss}>
        {dismiss}
      </button>
    </section>
  );
}

/**
 * How a request signed with the secret carries it: the `X-Trellis-*` headers, each with what it
 * holds, and where to read more.
 */
export function SignedHeaders({
  title,
  headers,
  readme,
}: {
  title: string;
  headers: readonly (readonly [name: string, holds: string])[];
  readme: string;
}) {
  return (
    <>
      <h3>{title}</h3>
      <dl className="facts headers">
        {headers.map(([name, holds]) => (
          <Fragment key={name}>
            <dt>
              <code>{name}</code>
            </dt>
            <dd>{holds}</dd>
          </Fragment>
        ))}
      </dl>
      <p className="muted">{readme}</p>
    </>
  );
}
