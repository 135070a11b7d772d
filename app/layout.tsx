import type { Metadata } from 'next';
import Link from 'next/link';
import { Suspense, type ReactNode } from 'react';
import { LocaleSwitch } from './_components/locale-switch';
import { translator } from './_i18n/messages';
import { serverCaller } from './server/request';
import './globals.css';

export const metadata: Metadata = { title: 'Trellis', description: 'Back-office workflows and forms' };
export const dynamic = 'force-dynamic';

export default async function RootLayout({ children }: { children: ReactNode }) {
  const { ctx } = await serverCaller();
  const t = translator(ctx.locale);
  const actor = ctx.actor;
  return (
    <html lang={ctx.locale}>
      <body>
        <header className="topbar">
          <Link href="/" className="brand">
            Trellis<small>{t('tagline')}</small>
          </Link>
          <nav>
            {actor && (
              <>
                <Link href="/inbox">{t('navInbox')}</Link>
                <Link href="/start">{t('navStart')}</Link>
                {actor.role === 'admin' && <Link href="/admin/outbox">{t('navOutbox')}</Link>}
                {actor.role === 'admin' && <Link href="/admin/incidents">{t('navIncidents')}</Link>}
                {actor.role === 'admin' && <Link href="/admin/webhooks">{t('navWebhooks')}</Link>}
              </>
            )}
          </nav>
          {actor && (
            <div className="who">
              <div>
                {actor.displayName} · {actor.tenantName}
              </div>
              <form method="post" action="/api/session" className="inline">
                <input type="hidden" name="action" value="sign-out" />
                <button type="submit" className="linkish">
                  {t('signOut')}
                </button>
              </form>
            </div>
          )}
          <Suspense>
            <LocaleSwitch current={ctx.locale} label={t('language')} />
          </Suspense>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
