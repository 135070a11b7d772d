/**
 * The company's inbound webhooks, for admins: add one (its message offered from the messages the
 * company's published processes hear), see each one's address to give the sender, its message,
 * correlation key, tolerance and last delivery, make a new secret, deactivate it. Never a secret:
 * only the client's answer to create or "new secret" carries one. Names are rendered as text.
 *
 * Hooks are cards, not table rows: an address is long and a phone is narrow.
 */
import { readEnv, authBaseURL } from '../../server/env';
import { headers } from 'next/headers';
import {
  HookAddress,
  InboundHookActions,
  InboundHookSecrets,
  NewInboundHookForm,
} from '../../_components/inbound-hook-actions';
import { formatDateTime } from '../../_i18n/format';
import { inboundHookAddress } from '../../_shared/inbound-hook-address';
import { pageData, signedInPage } from '../../server/page-helpers';
import {
  DEFAULT_TOLERANCE_SECONDS,
  MAX_TOLERANCE_SECONDS,
  MIN_TOLERANCE_SECONDS,
} from '../../server/services/inbound-hooks';

/**
 * The app's public origin, for the address a sender is given: BETTER_AUTH_URL (required in
 * production); only in development without it, the origin the admin's browser used.
 */
async function appOrigin(): Promise<string> {
  const configured = authBaseURL(readEnv());
  if (configured) return configured;
  const h = await headers();
  const host = h.get('x-forwarded-host') ?? h.get('host');
  return host ? `${h.get('x-forwarded-proto') === 'https' ? 'https' : 'http'}://${host}` : 'http://localhost:3000';
}

export default async function InboundHooksPage() {
  const { caller, actor, locale, t } = await signedInPage();
  const [hooks, messageNames] = await pageData(
    Promise.all([caller.inboundHook.list(), caller.inboundHook.messageNames()]),
  );
  const origin = await appOrigin();

  return (
    <>
      <h1>{t('inboundHooksTitle')}</h1>
      <p className="muted intro">{t('inboundHooksIntro', { company: actor.tenantName })}</p>
      <InboundHookSecrets locale={locale} origin={origin}>
        <section className="panel">
          <h2>{t('inboundHookAddTitle')}</h2>
          <NewInboundHookForm
            locale={locale}
            messageNames={messageNames}
            tolerance={{ min: MIN_TOLERANCE_SECONDS, max: MAX_TOLERANCE_SECONDS, default: DEFAULT_TOLERANCE_SECONDS }}
          />
        </section>

        {hooks.length === 0 ? (
          <div className="panel muted">{t('inboundHooksEmpty')}</div>
        ) : (
          <ul className="inbound-hooks" aria-label={t('inboundHooksTitle')}>
            {hooks.map((hook) => {
              const active = hook.deactivatedAt === null;
              return (
                <li key={hook.id} className="panel inbound-hook" data-hook={hook.id}>
                  <div className="inbound-hook-head">
                    <h2>{hook.name}</h2>
                    <span
                      className={`badge ${active ? 'webhook-active' : 'webhook-inactive'}`}
                      data-testid="inbound-state"
                    >
                      {t(active ? 'inboundHookActive' : 'inboundHookDeactivated')}
                    </span>
                  </div>
                  <dl className="facts">
                    <dt>{t('inboundHookColMessage')}</dt>
                    <dd>
                      <code>{hook.messageName}</code>
                    </dd>
                    <dt>{t('inboundHookKey')}</dt>
                    <dd>{hook.correlationKey ? <code>{hook.correlationKey}</code> : '—'}</dd>
                    <dt>{t('inboundHookTolerance')}</dt>
                    <dd>{hook.toleranceSeconds}</dd>
                    <dt>{t('colCreated')}</dt>
                    <dd>
                      {formatDateTime(hook.createdAt, locale)} · {hook.createdBy.name}
                    </dd>
                    <dt>{t('inboundHookLastDelivery')}</dt>
                    <dd data-testid="inbound-last-delivery">
                      {hook.lastDeliveryAt ? formatDateTime(hook.lastDeliveryAt, locale) : t('inboundHookNoDelivery')}
                    </dd>
                  </dl>
                  {active && (
                    <>
                      <h3>{t('inboundHookAddress')}</h3>
                      <HookAddress address={inboundHookAddress(origin, hook.id)} locale={locale} />
                      <InboundHookActions hook={{ id: hook.id, name: hook.name }} locale={locale} />
                    </>
                  )}
                </li>
              );
            })}
          </ul>
        )}
      </InboundHookSecrets>
    </>
  );
}
