/**
 * The company's outgoing webhooks, for admins: add one, see each one's URL, events, state and
 * creation date (never its secret: only the client's answer to create or "new secret" carries
 * one), turn it off or on, make a new secret, delete it, and open its recent deliveries
 * (?deliveries=<id>) to resend a failed one. URLs and errors are rendered as text.
 */
import Link from 'next/link';
import { TRPCError } from '@trpc/server';
import { webhookEvents } from '../../server/services/webhooks';
import {
  NewWebhookForm,
  RedeliverButton,
  RefreshButton,
  WebhookActions,
  WebhookSecrets,
} from '../../_components/webhook-actions';
import { formatDateTime, readableUrl } from '../../_i18n/format';
import type { MessageKey } from '../../_i18n/messages';
import { isUuid, pageData, signedInPage } from '../../server/page-helpers';

export default async function WebhooksPage({ searchParams }: { searchParams: Promise<{ deliveries?: string }> }) {
  const { caller, actor, locale, t } = await signedInPage();
  const params = await searchParams;
  const hooks = await pageData(caller.webhook.list());
  // Deliveries of a webhook of this list only: a deleted one's (or a stale link's) are simply not shown.
  let opened = isUuid(params.deliveries) ? hooks.find((h) => h.id === params.deliveries) : undefined;
  let deliveries: Awaited<ReturnType<typeof caller.webhook.deliveries>> = [];
  if (opened) {
    try {
      deliveries = await caller.webhook.deliveries({ id: opened.id });
    } catch (error) {
      // Deleted between the two reads: as if it had not been listed.
      if (!(error instanceof TRPCError && error.code === 'NOT_FOUND')) throw error;
      opened = undefined;
    }
  }

  return (
    <>
      <h1>{t('webhooksTitle')}</h1>
      <p className="muted">{t('webhooksIntro', { company: actor.tenantName })}</p>
      <WebhookSecrets locale={locale} events={webhookEvents}>
        <section className="panel">
          <h2>{t('webhookAddTitle')}</h2>
          <NewWebhookForm locale={locale} events={webhookEvents} />
        </section>

        {hooks.length === 0 ? (
          <div className="panel muted">{t('webhooksEmpty')}</div>
        ) : (
          <table className="list webhooks" aria-label={t('webhooksTitle')}>
            <thead>
              <tr>
                <th>{t('colUrl')}</th>
                <th>{t('webhookEvents')}</th>
                <th>{t('colStatus')}</th>
                <th>{t('colCreated')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {hooks.map((hook) => (
                <tr key={hook.id} data-webhook={hook.id} aria-current={hook.id === opened?.id ? 'true' : undefined}>
                  <td className="url">
                    <div className="webhook-url">{readableUrl(hook.url)}</div>
                    <Link href={`/admin/webhooks?deliveries=${hook.id}#deliveries`} className="deliveries-link">
                      {t('webhookDeliveries')}
                    </Link>
                  </td>
                  <td>
                    <ul className="event-list">
                      {hook.events.map((event) => (
                        <li key={event}>
                          {t(`webhookEvent_${event}` as MessageKey)} <code>{event}</code>
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td>
                    <span
                      className={`badge webhook-${hook.active ? 'active' : 'inactive'}`}
                      data-testid="webhook-state"
                    >
                      {t(hook.active ? 'webhook_active' : 'webhook_inactive')}
                    </span>
                  </td>
                  <td className="nowrap">{formatDateTime(hook.createdAt, locale)}</td>
                  <td className="actions">
                    <WebhookActions webhook={{ id: hook.id, url: hook.url, active: hook.active }} locale={locale} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}

        {opened && (
          <section id="deliveries" className="deliveries" aria-labelledby="deliveries-title">
            <div className="section-head">
              <h2 id="deliveries-title">{t('webhookDeliveriesTitle', { url: readableUrl(opened.url) })}</h2>
              <RefreshButton locale={locale} />
              <Link href="/admin/webhooks">{t('webhookDeliveriesClose')}</Link>
            </div>
            <p className="muted">{t('webhookDeliveriesIntro')}</p>
            {deliveries.length === 0 ? (
              <div className="panel muted">{t('webhookDeliveriesEmpty')}</div>
            ) : (
              <table className="list deliveries" aria-label={t('webhookDeliveries')}>
                <thead>
                  <tr>
                    <th>{t('colWhen')}</th>
                    <th>{t('colEvent')}</th>
                    <th>{t('colStatus')}</th>
                    <th>{t('colAttempts')}</th>
                    <th>{t('colLastError')}</th>
                    <th>{t('colProcess')}</th>
                    <th />
                  </tr>
                </thead>
                <tbody>
                  {deliveries.map((d) => (
                    <tr key={d.id} data-delivery={d.id}>
                      <td className="nowrap">{formatDateTime(d.createdAt, locale)}</td>
                      <td>
                        {d.event && (webhookEvents as readonly string[]).includes(d.event)
                          ? t(`webhookEvent_${d.event}` as MessageKey)
                          : d.event}
                        <div>
                          <code>{d.event}</code>
                        </div>
                      </td>
                      <td>
                        <span className={`badge delivery-${d.status}`} data-testid="delivery-status">
                          {t(`delivery_${d.status}` as MessageKey)}
                        </span>
                        {d.status === 'pending' && d.attempts > 0 && (
                          <div className="muted nowrap">
                            {t('deliveryNextTry', { date: formatDateTime(d.dueAt, locale) })}
                          </div>
                        )}
                        {d.completedAt && (
                          <div className="muted nowrap">
                            {t('deliveryFinished', { date: formatDateTime(d.completedAt, locale) })}
                          </div>
                        )}
                      </td>
                      <td>{d.attempts}</td>
                      <td className="message">{d.lastError ?? '—'}</td>
                      <td className="instance">
                        {d.instanceId ? <Link href={`/instances/${d.instanceId}`}>{t('viewInstance')}</Link> : '—'}
                      </td>
                      <td>
                        {d.status === 'failed' && (
                          <RedeliverButton webhookId={opened.id} deliveryId={d.id} locale={locale} />
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        )}
      </WebhookSecrets>
    </>
  );
}
