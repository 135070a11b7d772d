import type { Metadata } from 'next';
import Link from 'next/link';
import { Suspense, type ReactNode } from 'react';
import { LocaleSwitch } from './_components/locale-switch';
import { NotificationBell } from './_components/notification-bell';
import { translator } from './_i18n/messages';
import { signOutAction, switchCompanyAction } from './server/account-actions';
import { serverCaller } from './server/request';
import { maySeeInstanceList } from './server/services/instance-list';
import './globals.css';

export const metadata: Metadata = { title: 'Trellis', description: 'Back-office workflows and forms' };
export const dynamic = 'force-dynamic';

export default async function RootLayout({ children }: { children: ReactNode }) {
  const { caller, ctx } = await serverCaller();
  const t = translator(ctx.locale);
  const actor = ctx.actor;
  const [companies, unread] = actor ? await Promise.all([caller.session.companies(), caller.collab.unread()]) : [[], 0];
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
                <Link href="/requests">{t('navRequests')}</Link>
                {maySeeInstanceList(actor) && <Link href="/instances">{t('navInstances')}</Link>}
                {(actor.role === 'admin' || actor.role === 'designer') && (
                  <Link href="/processes">{t('navProcesses')}</Link>
                )}
                {(actor.role === 'admin' || actor.role === 'designer') && <Link href="/forms">{t('navForms')}</Link>}
                {(actor.role === 'admin' || actor.role === 'designer') && (
                  <Link href="/decisions">{t('navDecisions')}</Link>
                )}
                {(actor.role === 'admin' || actor.role === 'designer') && (
                  <Link href="/templates">{t('navTemplates')}</Link>
                )}
                {actor.role === 'admin' && <Link href="/admin/outbox">{t('navOutbox')}</Link>}
                {actor.role === 'admin' && <Link href="/admin/incidents">{t('navIncidents')}</Link>}
                {actor.role === 'admin' && <Link href="/admin/webhooks">{t('navWebhooks')}</Link>}
                {actor.role === 'admin' && <Link href="/admin/inbound-hooks">{t('navInboundHooks')}</Link>}
                {actor.role === 'admin' && <Link href="/admin/api-keys">{t('navApiKeys')}</Link>}
                {actor.role === 'admin' && <Link href="/admin/members">{t('navMembers')}</Link>}
              </>
            )}
          </nav>
          {actor && (
            <div className="who">
              <div>
                {actor.displayName} · {actor.tenantName}
              </div>
              {companies.length > 1 && (
                <form action={switchCompanyAction} className="company-switch">
                  <label htmlFor="company-switch">{t('companySwitch')}</label>
                  <select id="company-switch" name="tenantId" defaultValue={actor.tenantId} key={actor.tenantId}>
                    {companies.map((c) => (
                      <option key={c.tenantId} value={c.tenantId}>
                        {c.name}
                      </option>
                    ))}
                  </select>
                  <button type="submit" className="linkish">
                    {t('companySwitchButton')}
                  </button>
                </form>
              )}
              <form action={signOutAction} className="inline">
                <button type="submit" className="linkish">
                  {t('signOut')}
                </button>
              </form>
            </div>
          )}
          {actor && <NotificationBell unread={unread} locale={ctx.locale} />}
          <Suspense>
            <LocaleSwitch current={ctx.locale} label={t('language')} />
          </Suspense>
        </header>
        <main>{children}</main>
      </body>
    </html>
  );
}
