/**
 * The email outbox, for admins: what the company's processes mailed, newest first, 50 a page,
 * with "Send now" on held and failed emails. Everything in an email (names, subject, text, the
 * server's answer) is rendered as text.
 */
import Link from 'next/link';
import { localize } from '@/engine/model/definition';
import { emailStatuses, type EmailStatus } from '../../server/services/outbox';
import { SendNowButton } from '../../_components/outbox-actions';
import { formatDateTime } from '../../_i18n/format';
import type { MessageKey } from '../../_i18n/messages';
import { isUuid, pageData, signedInPage } from '../../server/page-helpers';

export default async function OutboxPage({
  searchParams,
}: {
  searchParams: Promise<{ after?: string; status?: string }>;
}) {
  const { caller, locale, t } = await signedInPage();
  const params = await searchParams;
  const status = (emailStatuses as readonly string[]).includes(params.status ?? '')
    ? (params.status as EmailStatus)
    : undefined;
  const after = isUuid(params.after) ? params.after : undefined;
  const page = await pageData(caller.outbox.list({ ...(status ? { status } : {}), ...(after ? { after } : {}) }));
  const href = (query: { status?: EmailStatus; after?: string }) => {
    const search = new URLSearchParams(
      Object.entries(query).filter((entry): entry is [string, string] => Boolean(entry[1])),
    );
    return `/admin/outbox${search.size ? `?${search}` : ''}`;
  };

  return (
    <>
      <h1>{t('outboxTitle')}</h1>
      <p className="muted">{t('outboxIntro')}</p>
      <nav className="filters" aria-label={t('colStatus')}>
        {[undefined, ...emailStatuses].map((s) => (
          <Link key={s ?? 'all'} href={href({ status: s })} aria-current={s === status ? 'page' : undefined}>
            {s ? t(`email_${s}` as MessageKey) : t('outboxFilterAll')}
          </Link>
        ))}
      </nav>
      {page.items.length === 0 ? (
        <div className="panel muted">{t('outboxEmpty')}</div>
      ) : (
        <table className="list outbox" aria-label={t('outboxTitle')}>
          <thead>
            <tr>
              <th>{t('colCreated')}</th>
              <th>{t('colStatus')}</th>
              <th>{t('colRecipients')}</th>
              <th>{t('colSubject')}</th>
              <th>{t('colProcess')}</th>
            </tr>
          </thead>
          <tbody>
            {page.items.map((email) => (
              <tr key={email.id} data-email-id={email.id}>
                <td className="nowrap">{formatDateTime(email.createdAt, locale)}</td>
                <td>
                  <span className={`badge email-${email.status}`} data-testid="email-status">
                    {t(`email_${email.status}` as MessageKey)}
                  </span>
                  <SendNowButton emailId={email.id} sendable={email.sendable} locale={locale} />
                </td>
                <td className="recipients">
                  <div>{email.to.join(', ')}</div>
                  {email.cc.length > 0 && (
                    <div className="muted">
                      {t('emailCc')}: {email.cc.join(', ')}
                    </div>
                  )}
                  {email.bcc.length > 0 && (
                    <div className="muted">
                      {t('emailBcc')}: {email.bcc.join(', ')}
                    </div>
                  )}
                </td>
                <td className="subject">
                  <div className="email-subject">{email.subject}</div>
                  <details>
                    <summary>{t('emailShowText')}</summary>
                    <dl className="facts">
                      <dt>{t('emailFrom')}</dt>
                      <dd>{email.from ?? t('emailServerSender')}</dd>
                      {email.replyTo && (
                        <>
                          <dt>{t('emailReplyTo')}</dt>
                          <dd>{email.replyTo}</dd>
                        </>
                      )}
                      {email.sentAt && (
                        <>
                          <dt>{t('emailSentAt')}</dt>
                          <dd>{formatDateTime(email.sentAt, locale)}</dd>
                        </>
                      )}
                      <dt>{t('emailMessageId')}</dt>
                      <dd>
                        <code>{email.messageId}</code>
                      </dd>
                      {email.error && (
                        <>
                          <dt>{t('emailError')}</dt>
                          <dd className="error-text">{email.error}</dd>
                        </>
                      )}
                    </dl>
                    <pre className="email-body">{email.body}</pre>
                  </details>
                </td>
                <td>
                  {email.instanceId && email.processName ? (
                    <Link href={`/instances/${email.instanceId}`}>{localize(email.processName, locale)}</Link>
                  ) : (
                    <span className="muted">{t('outboxNoProcess')}</span>
                  )}
                  {email.businessKey && <div className="muted">{email.businessKey}</div>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="pager">
        {after && <Link href={href({ status })}>{t('outboxNewest')}</Link>}
        {page.next && <Link href={href({ status, after: page.next })}>{t('outboxOlder')}</Link>}
      </p>
    </>
  );
}
