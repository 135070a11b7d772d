/**
 * What the 404 and 403 pages say (app/not-found.tsx, each segment's forbidden.tsx), in the reader's
 * language, naming what is missing or not theirs by kind, never by id. The status itself is Next's
 * (notFound(), forbidden(): see pageData). Rendered with every page of its segment, so it reads
 * nothing but the language.
 */
import Link from 'next/link';
import { translator, type MessageKey } from '../_i18n/messages';
import { requestLocale } from '../server/request';

export async function PageRefusal({
  title,
  message,
  link = { href: '/inbox', label: 'notFoundHome' },
}: {
  title: MessageKey;
  message: MessageKey;
  link?: { href: string; label: MessageKey };
}) {
  const t = translator(await requestLocale());
  return (
    <section className="panel" data-refusal={title === 'notFoundTitle' ? 404 : 403}>
      <h1>{t(title)}</h1>
      <p className="notice error" role="alert">
        {t(message)}
      </p>
      <p>
        <Link href={link.href}>{t(link.label)}</Link>
      </p>
    </section>
  );
}
