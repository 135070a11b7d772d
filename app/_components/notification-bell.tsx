'use client';

/**
 * The bell in the top bar: the unread count (from the page's server render), and on opening the
 * newest notifications, each a link to its task (or case); opening the list marks them read. Texts
 * come from the server's words (notificationText) and are rendered as text.
 */
import Link from 'next/link';
import { useEffect, useRef, useState } from 'react';
import { translator, type Locale } from '../_i18n/messages';
import { trpc } from './trpc';

export interface BellItem {
  id: string;
  text: string;
  href: string;
  when: string;
  unread: boolean;
}

export function NotificationBell({ unread, locale }: { unread: number; locale: Locale }) {
  const t = translator(locale);
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<BellItem[] | null>(null);
  const [count, setCount] = useState(unread);
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => setCount(unread), [unread]);
  useEffect(() => {
    if (!open) return;
    const close = (e: MouseEvent | KeyboardEvent) => {
      if (e instanceof KeyboardEvent ? e.key === 'Escape' : !box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, [open]);
  const toggle = async () => {
    const next = !open;
    setOpen(next);
    if (!next) return;
    const list = await trpc.collab.bell.query().catch(() => null);
    setItems(list?.items ?? []);
    if ((list?.unread ?? 0) > 0) {
      await trpc.collab.markRead.mutate({ ids: 'all' }).catch(() => null);
      setCount(0);
    }
  };
  return (
    <div className="bell" ref={box}>
      <button
        type="button"
        className="bell-button"
        aria-expanded={open}
        aria-haspopup="true"
        aria-label={count > 0 ? t('bellUnread', { count }) : t('bellLabel')}
        onClick={() => void toggle()}
        data-unread={count}
      >
        <svg
          aria-hidden="true"
          focusable="false"
          width="18"
          height="18"
          viewBox="0 0 24 24"
          fill="none"
          stroke="currentColor"
          strokeWidth="2"
          strokeLinecap="round"
          strokeLinejoin="round"
        >
          <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9" />
          <path d="M13.7 21a2 2 0 0 1-3.4 0" />
        </svg>
        {count > 0 && (
          <span className="bell-count" aria-hidden="true">
            {count > 99 ? '99+' : count}
          </span>
        )}
      </button>
      {open && (
        <div className="bell-panel" role="region" aria-label={t('bellLabel')}>
          {items === null ? null : items.length === 0 ? (
            <p className="muted">{t('bellEmpty')}</p>
          ) : (
            <ul>
              {items.map((n) => (
                <li key={n.id} className={n.unread ? 'unread' : undefined}>
                  <Link href={n.href} onClick={() => setOpen(false)}>
                    {n.text}
                  </Link>
                  <span className="muted">{n.when}</span>
                </li>
              ))}
            </ul>
          )}
          <Link href="/settings/notifications" onClick={() => setOpen(false)}>
            {t('bellSettings')}
          </Link>
        </div>
      )}
    </div>
  );
}
